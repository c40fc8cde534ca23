"""Treat-to-target (NPF BSA targets) and axial SpA review points, from the guideline numbers in
the knowledge (``knowledge/guidelines.yaml`` ``targets``)."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from jakguide.errors import KnowledgeError
from jakguide.instruments import InstrumentInputError
from jakguide.instruments.asdas import ASDAS_CLINICALLY_IMPORTANT_DELTA, ASDAS_MAJOR_DELTA
from jakguide.kb.base import Knowledge, load_knowledge
from jakguide.model import Finding
from jakguide.rules import targets_page
from jakguide.rules.targets import entries, review_points, treat_to_target

DOCS = Path(__file__).resolve().parents[1] / "docs" / "instruments"


def rules(findings: list[Finding]) -> list[str]:
    return [f.rule.removeprefix("response.target.") for f in findings]


def test_review_points_psoriasis(kb: Knowledge) -> None:
    points = review_points(kb, "plaque-psoriasis")
    assert [p.id for p in points] == ["npf-bsa-3-months", "npf-bsa-maintenance"]
    for p in points:
        assert [c.doc for c in p.citations] == ["npf-t2t-2017"]
    assert "review_after_months=3" in points[0].facts()
    assert "review_after_months=9" in points[1].facts()
    assert "repeat_every_months=6" in points[1].facts()
    assert points[1].when == "9 months, then every 6 months"


def test_review_points_axspa_after_12_weeks(kb: Knowledge) -> None:
    for condition in ("ankylosing-spondylitis", "non-radiographic-axial-spondyloarthritis"):
        (point,) = review_points(kb, condition)
        assert point.id == "axspa-response-12-weeks"
        assert "review_after_weeks=12" in point.facts()
        assert "verified=false" in point.facts()
        assert {c.doc for c in point.citations} == {
            "asas-eular-2022-axspa",
            "nice-ta383",
            "machado-2011",
        }


def test_unknown_condition_has_no_review_points(kb: Knowledge) -> None:
    assert review_points(kb, "alopecia-areata") == []
    assert treat_to_target(kb, "alopecia-areata", baseline=1, current=1) == []
    # RA has a review point (EULAR response at 3 months) but no value target to compare
    assert treat_to_target(kb, "rheumatoid-arthritis", baseline=1, current=1) == []


def test_schedule_due_dates(kb: Knowledge) -> None:
    start = date(2025, 1, 31)
    first, maintenance = review_points(kb, "plaque-psoriasis")
    assert first.due(start, date(2025, 4, 29)) == date(2025, 4, 30)
    assert maintenance.due(start, date(2025, 4, 29)) == date(2025, 10, 31)
    assert maintenance.due(start, date(2026, 5, 1)) == date(2026, 4, 30)
    (axspa,) = review_points(kb, "ankylosing-spondylitis")
    assert axspa.due(date(2025, 1, 1), date(2025, 3, 26)) == date(2025, 3, 26)


@pytest.mark.parametrize(
    ("baseline", "current", "rule", "severity"),
    [
        (12, 1, "npf-bsa-target", "info"),
        (12, "1.01", "npf-bsa-acceptable", "info"),
        (12, 3, "npf-bsa-acceptable", "info"),
        (20, 5, "npf-bsa-acceptable", "info"),  # exactly 75 % improvement
        (20, "5.01", "npf-bsa-not-acceptable", "warning"),
        (12, "3.01", "npf-bsa-not-acceptable", "warning"),
        (None, 4, "npf-bsa-baseline-needed", "warning"),
        (0, 4, "npf-bsa-baseline-needed", "warning"),
        (None, 2, "npf-bsa-acceptable", "info"),
    ],
)
def test_npf_targets(kb: Knowledge, baseline: Any, current: Any, rule: str, severity: str) -> None:
    (finding,) = treat_to_target(kb, "plaque-psoriasis", baseline=baseline, current=current)
    assert rules([finding]) == [rule]
    assert finding.severity == severity
    assert finding.sources and finding.sources[0].doc == "npf-t2t-2017"


def test_npf_before_3_months_is_flagged_provisional(kb: Knowledge) -> None:
    findings = treat_to_target(
        kb,
        "plaque-psoriasis",
        baseline=12,
        current=2,
        start=date(2025, 1, 15),
        as_of=date(2025, 3, 1),
    )
    assert rules(findings) == ["npf-bsa-3-months", "npf-bsa-acceptable"]
    assert "2025-04-15" in findings[0].message


def test_npf_bsa_is_validated(kb: Knowledge) -> None:
    with pytest.raises(InstrumentInputError, match="current: got 101"):
        treat_to_target(kb, "plaque-psoriasis", current=101)


def test_axspa_response(kb: Knowledge) -> None:
    (finding,) = treat_to_target(kb, "ankylosing-spondylitis", baseline=3.6, current=2.5)
    assert "clinically important" in finding.message
    assert finding.severity == "info"
    (finding,) = treat_to_target(kb, "ankylosing-spondylitis", baseline=3.6, current=1.6)
    assert "major" in finding.message
    (finding,) = treat_to_target(kb, "ankylosing-spondylitis", baseline=3.6, current=2.6)
    assert finding.severity == "warning"
    early = treat_to_target(
        kb,
        "ankylosing-spondylitis",
        baseline=3.6,
        current=2.6,
        start=date(2025, 1, 1),
        as_of=date(2025, 2, 1),
    )
    assert rules(early) == ["axspa-response-12-weeks", "axspa-asdas-response"]
    assert early[1].severity == "info"
    with pytest.raises(InstrumentInputError, match="baseline"):
        treat_to_target(kb, "ankylosing-spondylitis", current=2.6)


def test_messages_are_built_from_the_knowledge_numbers(kb_copy: Path) -> None:
    """Change the numbers in guidelines.yaml: the judgement and the messages follow."""
    path = kb_copy / "guidelines.yaml"
    data = yaml.safe_load(path.read_text())
    for g in data["guidelines"]:
        if g["id"] == "npf-treat-to-target":
            g["targets"]["target"] = {"at_most": 2}
            g["targets"]["review_after"] = {"months": 4}
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    changed = load_knowledge(kb_copy)
    (finding,) = treat_to_target(changed, "plaque-psoriasis", baseline=12, current="1.5")
    assert finding.rule == "response.target.npf-bsa-target"
    assert "BSA <= 2%" in finding.message
    (first, _) = review_points(changed, "plaque-psoriasis")
    assert first.id == "npf-bsa-4-months" and "4 months" in first.message


@pytest.mark.parametrize(
    ("targets", "problem"),
    [
        ({"review_after": {"weeks": 12, "months": 3}}, "exactly one of weeks, months"),
        ({"target": {"at_most": 1, "at_least": 0}}, "exactly one of at_most, at_least"),
        ({"then_every": {"months": 6}}, "then_every needs review_after"),
        ({"typo": 1}, "typo"),
    ],
)
def test_targets_are_validated(kb_copy: Path, targets: dict[str, Any], problem: str) -> None:
    path = kb_copy / "guidelines.yaml"
    data = yaml.safe_load(path.read_text())
    entry = next(
        g for g in data["guidelines"] if g["id"] == "asdas-clinically-important-improvement"
    )
    entry["targets"] = {**copy.deepcopy(entry["targets"]), **targets}
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(KnowledgeError, match=problem):
        load_knowledge(kb_copy)


def test_asdas_improvement_cut_offs_agree_with_the_instrument(kb: Knowledge) -> None:
    """The ASDAS response calculator (no knowledge at hand) and the guideline entry agree."""
    (entry,) = [e for e in entries(kb, "ankylosing-spondylitis") if e.targets.major_decrease]
    assert entry.targets.clinically_important_decrease is not None
    assert entry.targets.major_decrease is not None
    assert entry.targets.clinically_important_decrease.limit == ASDAS_CLINICALLY_IMPORTANT_DELTA
    assert entry.targets.major_decrease.limit == ASDAS_MAJOR_DELTA


def test_committed_targets_page_equals_generated(kb: Knowledge) -> None:
    path = DOCS / "targets.md"
    assert path.read_text(encoding="utf-8") == targets_page.render(kb), (
        f"{path} is stale; run: {targets_page.REGENERATE}"
    )
