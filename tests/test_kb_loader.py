"""The strict loader: one broken file per failure mode, each message naming file, line and key."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from jakguide.errors import KnowledgeError
from jakguide.kb.base import Knowledge, load_knowledge
from jakguide.kb.loader import load_yaml
from jakguide.kb.schema import Adjustment, Citation

CASES = Path(__file__).parent / "kb_invalid"
HEADER = re.compile(r"^# (target|expect|base|replace|append): (.*)$")


def _case(path: Path) -> tuple[str, str, str]:
    meta: dict[str, str] = {}
    for line in path.read_text().splitlines():
        m = HEADER.match(line)
        if m:
            meta[m.group(1)] = m.group(2)
    content = path.read_text()
    if "base" in meta:
        content = (CASES / meta["base"]).read_text()
        if "replace" in meta:
            old, new = (s.strip().strip('"') for s in meta["replace"].split("->"))
            assert old in content, f"{path.name}: replace target not in base"
            content = content.replace(old, new)
        if "append" in meta:
            content += meta["append"].strip('"').encode().decode("unicode_escape") + "\n"
    return meta["target"], meta["expect"], content


@pytest.mark.parametrize("case", sorted(CASES.glob("*.yaml")), ids=lambda p: p.stem)
def test_broken_file_is_rejected_with_file_line_and_key(case: Path, kb_copy: Path) -> None:
    target, expect, content = _case(case)
    (kb_copy / target).parent.mkdir(parents=True, exist_ok=True)
    (kb_copy / target).write_text(content)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(kb_copy)
    messages = [str(i) for i in info.value.issues]
    assert any(m.startswith(expect) for m in messages), messages


def test_bundled_knowledge_is_valid(kb: object) -> None:
    assert kb is not None


def test_missing_folder_is_an_issue(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(tmp_path / "nope")
    assert "knowledge folder not found" in str(info.value)


def test_every_issue_is_reported_not_just_the_first(kb_copy: Path) -> None:
    (kb_copy / "index.yaml").write_text("version: x\nextra: 1\n")
    (kb_copy / "guidelines.yaml").write_text("guidelines: [{id: a}]\n")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(kb_copy)
    files = {i.file for i in info.value.issues}
    assert {"index.yaml", "guidelines.yaml"} <= files


def test_unsafe_yaml_tags_are_rejected(kb_copy: Path) -> None:
    (kb_copy / "guidelines.yaml").write_text("guidelines: !!python/object:os.system [ls]\n")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(kb_copy)
    assert info.value.issues[0].file == "guidelines.yaml"


def test_split_monograph_merges_parts_and_rejects_a_key_given_twice(kb_copy: Path) -> None:
    folder = kb_copy / "drugs" / "tofacitinib"
    assert folder.is_dir(), "tofacitinib is kept split into topic files"
    assert load_knowledge(kb_copy).drugs["tofacitinib"].regions["US"].indications
    extra = folder / "zz-extra.yaml"
    extra.write_text("regions:\n  US:\n    brands: [Again]\n")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(kb_copy)
    messages = [str(i) for i in info.value.issues]
    assert any(
        m.startswith(
            "drugs/tofacitinib/zz-extra.yaml:3: regions.US.brands: key also given in "
            "drugs/tofacitinib/us-indications.yaml"
        )
        for m in messages
    ), messages


def test_no_knowledge_file_outgrows_the_split_limit() -> None:
    from jakguide.kb.loader import default_knowledge_dir

    for path in (default_knowledge_dir() / "drugs").rglob("*.yaml"):
        assert len(path.read_text().splitlines()) <= 450, path


def test_regimen_without_source_inherits_its_adjustments(kb: Knowledge) -> None:
    regimen: dict[str, Any] = {
        "id": "r5",
        "phase": "maintenance",
        "form": "tablet",
        "per_day": 1,
        "text": "x",
    }
    row: dict[str, Any] = {
        "id": "renal-moderate",
        "kind": "renal",
        "when": {"renal": {"measure": "creatinine-clearance", "lt": 50}},
        "action": "replace-regimen",
        "regimen": regimen,
        "text": "Moderate renal impairment: 5 mg once daily.",
        "source": {"doc": "label", "section": "2.3", "quote": "5 mg once daily"},
    }
    adj = Adjustment.model_validate(row)
    assert adj.regimen is not None and adj.regimen.source == adj.source
    own = {"doc": "label", "section": "2.4"}
    adj = Adjustment.model_validate(row | {"regimen": regimen | {"source": own}})
    assert adj.regimen is not None and adj.regimen.source == Citation.model_validate(own)
    # in the bundled knowledge: the block is stated once, on the adjustment
    bundled = next(
        a for a in kb.drugs["tofacitinib"].regions["US"].adjustments if a.id == "us-renal-moderate"
    )
    assert bundled.regimen is not None and bundled.regimen.source == bundled.source


def test_a_regimen_source_block_never_repeats_its_adjustments() -> None:
    from jakguide.kb.loader import default_knowledge_dir

    for path in (default_knowledge_dir() / "drugs").rglob("*.yaml"):
        data = load_yaml(path.read_text())
        for label in (data.get("regions") or {}).values():
            rows = [
                *label.get("adjustments", []),
                *label.get("risk_groups", {}).get("lower_dose", []),
            ]
            for row in rows:
                regimen = row.get("regimen") or {}
                assert regimen.get("source") != row["source"], (path.name, row["id"])


def test_one_yaml_setup() -> None:
    """Only the knowledge loader names a YAML loader; everything else calls its functions."""
    src = Path(__file__).parent.parent / "src" / "jakguide"
    pattern = re.compile(r"yaml\.(load|safe_load|compose|full_load)\b|SafeLoader")
    for path in src.rglob("*.py"):
        if path.relative_to(src).as_posix() != "kb/loader.py":
            assert not pattern.search(path.read_text()), path
