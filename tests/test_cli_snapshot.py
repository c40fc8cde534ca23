"""The CLI's knowledge snapshot: the same knowledge as the files, rebuilt when any file changes,
never wrong, and harmless when the cache cannot be used."""

from __future__ import annotations

import datetime as dt
import os
import pickle
from pathlib import Path

import pytest

from jakguide.cli import snapshot
from jakguide.engine import assess
from jakguide.errors import KnowledgeError
from jakguide.kb.base import Knowledge, load_knowledge
from jakguide.model import AssessRequest

AS_OF = dt.date(2026, 11, 21)
EXAMPLE = Path(__file__).parent.parent / "examples" / "as-tnf-ir.yaml"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(snapshot.ENV_VAR, str(folder))
    return folder


def _snapshots(cache: Path) -> list[Path]:
    return sorted(cache.glob(f"{snapshot.PREFIX}*{snapshot.SUFFIX}"))


def _assessment(kb: Knowledge) -> str:
    from jakguide.adapters.native import load_patient_file

    patient = load_patient_file(EXAMPLE, kb, AS_OF).patient
    request = AssessRequest(condition="ankylosing-spondylitis", as_of=AS_OF)
    return assess(patient, request, kb).model_dump_json()


def test_the_snapshot_gives_the_same_assessment_as_the_files(cache: Path, kb_copy: Path) -> None:
    first = snapshot.cached_knowledge(kb_copy)
    assert len(_snapshots(cache)) == 1
    second = snapshot.cached_knowledge(kb_copy)
    assert second is not first  # read back from the file
    assert second.version == first.version
    assert _assessment(second) == _assessment(load_knowledge(kb_copy))


def test_a_changed_knowledge_file_gives_a_new_snapshot(cache: Path, kb_copy: Path) -> None:
    snapshot.cached_knowledge(kb_copy)
    [old] = _snapshots(cache)
    index = kb_copy / "index.yaml"
    text = index.read_text()
    version = load_knowledge(kb_copy).version
    index.write_text(text.replace(f'version: "{version}"', 'version: "9.9.9-test"', 1))
    kb = snapshot.cached_knowledge(kb_copy)
    assert kb.version == "9.9.9-test"
    [new] = _snapshots(cache)
    assert new != old  # the old one is removed, the new one named by the new content


def test_a_new_file_in_the_folder_changes_the_key(kb_copy: Path) -> None:
    before = snapshot.snapshot_key(kb_copy)
    (kb_copy / "sources" / "notes.txt").write_text("a note")
    assert snapshot.snapshot_key(kb_copy) != before


def test_a_source_file_change_changes_the_key(kb_copy: Path) -> None:
    before = snapshot.snapshot_key(kb_copy)
    source = Path(snapshot.__file__)
    info = source.stat()
    try:
        os.utime(source, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
        assert snapshot.snapshot_key(kb_copy) != before
    finally:
        os.utime(source, ns=(info.st_atime_ns, info.st_mtime_ns))


def test_invalid_knowledge_is_never_stored(cache: Path, kb_copy: Path) -> None:
    (kb_copy / "conditions.yaml").write_text("conditions:\n  - id: a\n    id: b\n")
    with pytest.raises(KnowledgeError):
        snapshot.cached_knowledge(kb_copy)
    assert _snapshots(cache) == []


def test_a_damaged_or_foreign_snapshot_is_ignored(cache: Path, kb_copy: Path) -> None:
    snapshot.cached_knowledge(kb_copy)
    [path] = _snapshots(cache)
    path.write_bytes(b"not a pickle")
    assert snapshot.cached_knowledge(kb_copy).version == load_knowledge(kb_copy).version
    # a snapshot stored under another key is not used
    with path.open("wb") as out:
        pickle.dump(("another key", None), out)
    assert isinstance(snapshot.cached_knowledge(kb_copy), Knowledge)


def test_a_shared_cache_directory_is_not_read(cache: Path, kb_copy: Path) -> None:
    snapshot.cached_knowledge(kb_copy)
    cache.chmod(0o777)
    try:
        [path] = _snapshots(cache)
        key = snapshot.snapshot_key(kb_copy)
        assert snapshot._read(path, key) is None
    finally:
        cache.chmod(0o700)


def test_an_unwritable_cache_is_harmless(
    tmp_path: Path, kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv(snapshot.ENV_VAR, str(blocker / "cache"))  # a folder under a file
    assert snapshot.cached_knowledge(kb_copy).version == load_knowledge(kb_copy).version


def test_the_cache_can_be_switched_off(
    tmp_path: Path, kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(snapshot.ENV_VAR, "")
    assert snapshot.cache_dir() is None
    assert snapshot.cached_knowledge(kb_copy).version == load_knowledge(kb_copy).version
    monkeypatch.delenv(snapshot.ENV_VAR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert snapshot.cache_dir() == tmp_path / "xdg" / "jakguide"


def test_a_snapshot_keeps_the_folder_it_was_loaded_from(cache: Path, kb_copy: Path) -> None:
    kb = snapshot.cached_knowledge(kb_copy)
    again = snapshot.cached_knowledge(kb_copy)
    assert again.folder == kb.folder == kb_copy
