"""A content-hashed snapshot of the loaded knowledge, so a CLI run need not re-read and re-validate
every YAML file (the larger part of ``jakguide assess``'s time).

The snapshot is a pickle of the validated ``Knowledge`` in ``$JAKGUIDE_CACHE_DIR`` (default
``$XDG_CACHE_HOME/jakguide`` or ``~/.cache/jakguide``), named by a SHA-256 over: the jakguide
version, the Python and pydantic versions, the knowledge folder's path (as given and resolved),
the path and bytes of every file in that folder, and the path, size and modification time of
every jakguide source file (an edit to the loader or the schema changes them). Any change to any
of them gives another name, so a stale snapshot is never read; it is rebuilt by loading the
folder the ordinary way. Only knowledge that loaded without issues is stored.

The cache is best effort: a missing, unreadable, unwritable or foreign-owned cache directory, or a
damaged file, means the knowledge is loaded from the folder as if there were no cache. Set
``JAKGUIDE_CACHE_DIR`` to an empty string to switch it off. ``jakguide kb validate`` never uses it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jakguide.kb.base import Knowledge

ENV_VAR = "JAKGUIDE_CACHE_DIR"
PREFIX = "knowledge-"
SUFFIX = ".pickle"
_PACKAGE = Path(__file__).resolve().parent.parent
# Folders that hold no source the knowledge depends on (byte code, web assets); the knowledge
# folder itself is hashed by content.
_NOT_CODE = frozenset({"__pycache__", "static", "templates", "knowledge"})


def cache_dir() -> Path | None:
    """Where snapshots live, or None when the cache is switched off."""
    configured = os.environ.get(ENV_VAR)
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "jakguide"


def _files(folder: Path, suffix: str = "", skip: frozenset[str] = frozenset()) -> list[str]:
    """Every file under ``folder`` (ending in ``suffix``; not in ``skip`` folders), as sorted
    relative paths."""
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in skip]
        base = os.path.relpath(root, folder)
        found += [os.path.normpath(os.path.join(base, n)) for n in names if n.endswith(suffix)]
    return sorted(found)


def snapshot_key(folder: Path) -> str:
    """The hash that names the snapshot of ``folder`` (see the module docstring)."""
    import pydantic

    from jakguide import __version__

    digest = hashlib.sha256()
    resolved = folder.resolve()
    for part in (__version__, sys.version, pydantic.VERSION, str(folder)):
        digest.update(part.encode() + b"\0")
    digest.update(str(resolved).encode() + b"\0")
    for name in _files(resolved):
        digest.update(name.encode() + b"\0")
        digest.update((resolved / name).read_bytes())
        digest.update(b"\0")
    for name in _files(_PACKAGE, ".py", _NOT_CODE):
        info = os.stat(_PACKAGE / name)
        digest.update(f"{name}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def _private(directory: Path) -> bool:
    """The directory is ours alone (a snapshot is code for pickle: never read a shared one)."""
    info = directory.stat()
    owned = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return owned and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read(path: Path, key: str) -> Knowledge | None:
    from jakguide.kb.base import Knowledge

    try:
        if not _private(path.parent):
            return None
        with path.open("rb") as handle:
            stored_key, kb = pickle.load(handle)  # our own private cache, keyed
    except Exception:  # any damage: load the folder instead
        return None
    return kb if stored_key == key and isinstance(kb, Knowledge) else None


def _write(directory: Path, path: Path, key: str, kb: Knowledge) -> None:
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(directory):
            return
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=SUFFIX)
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump((key, kb), out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        for old in directory.glob(f"{PREFIX}*{SUFFIX}"):
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError):
        return


def cached_knowledge(folder: str | Path | None = None) -> Knowledge:
    """``load_knowledge(folder)``, from a current snapshot when there is one.

    Raises:
        KnowledgeError: as ``load_knowledge`` does (invalid knowledge is never stored).
    """
    from jakguide.kb.base import load_knowledge, prime_bundled_sources
    from jakguide.kb.loader import resolve_knowledge_dir

    directory = cache_dir()
    path_folder = resolve_knowledge_dir(folder)
    kb = None
    if directory is not None:
        try:
            key = snapshot_key(path_folder)
        except OSError:
            directory = None
        else:
            path = directory / f"{PREFIX}{key}{SUFFIX}"
            kb = _read(path, key)
    if kb is None:
        kb = load_knowledge(folder)
        if directory is not None:
            from jakguide.kb.names import names
            from jakguide.kb.status import superseded_index

            superseded_index(kb)  # derived from the knowledge alone: stored with it
            names(kb)  # the name table too
            _write(directory, path, key, kb)
    prime_bundled_sources(kb)
    return kb
