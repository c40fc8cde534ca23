"""Treat-to-target (NPF BSA targets) and axial SpA review points."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from jakguide.instruments import InstrumentInputError
from jakguide.instruments.targets import add_months, review_points, treat_to_target

FINDING_KEYS = {"rule", "kind", "severity", "message", "facts", "sources"}


def rules(findings: list[dict[str, Any]]) -> list[str]:
    return [f["rule"].rsplit(".", 1)[1] for f in findings]


def test_review_points_psoriasis() -> None:
    points = review_points("plaque-psoriasis")
    assert rules(points) == ["npf-bsa-3-months", "npf-bsa-maintenance"]
    for p in points:
        assert set(p) >= FINDING_KEYS
        assert p["kind"] == "response"
        assert p["sources"][0]["doc"] == "armstrong-2017"
    assert "review_after_months=3" in points[0]["facts"]
    assert "repeat_every_months=6" in points[1]["facts"]


def test_review_points_axspa_after_12_weeks() -> None:
    for condition in ("ankylosing-spondylitis", "non-radiographic-axial-spondyloarthritis"):
        (point,) = review_points(condition)
        assert "review_after_weeks=12" in point["facts"]
        assert "verified=false" in point["facts"]
        assert {s["doc"] for s in point["sources"]} >= {"ramiro-2023", "nice-ta383"}


def test_unknown_condition_has_no_review_points() -> None:
    assert review_points("rheumatoid-arthritis") == []
    assert treat_to_target("rheumatoid-arthritis", baseline=1, current=1) == []


def test_schedule_due_dates() -> None:
    start = date(2025, 1, 31)
    first, maintenance = review_points("plaque-psoriasis", start=start, as_of=date(2025, 4, 29))
    assert (first["due_from"], first["status"]) == ("2025-04-30", "upcoming")
    assert maintenance["due_from"] == "2025-10-31"
    first, maintenance = review_points("plaque-psoriasis", start=start, as_of=date(2026, 5, 1))
    assert first["status"] == "due"
    assert (maintenance["due_from"], maintenance["status"]) == ("2026-04-30", "due")
    (axspa,) = review_points(
        "ankylosing-spondylitis", start=date(2025, 1, 1), as_of=date(2025, 3, 26)
    )
    assert (axspa["due_from"], axspa["status"]) == ("2025-03-26", "due")


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 12, 15), 1) == date(2025, 1, 15)


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
def test_npf_targets(baseline: Any, current: Any, rule: str, severity: str) -> None:
    (finding,) = treat_to_target("plaque-psoriasis", baseline=baseline, current=current)
    assert rules([finding]) == [rule]
    assert finding["severity"] == severity
    assert set(finding) >= FINDING_KEYS


def test_npf_before_3_months_is_flagged_provisional() -> None:
    findings = treat_to_target(
        "plaque-psoriasis", baseline=12, current=2, start=date(2025, 1, 15), as_of=date(2025, 3, 1)
    )
    assert rules(findings) == ["npf-bsa-3-months", "npf-bsa-acceptable"]
    assert "2025-04-15" in findings[0]["message"]


def test_npf_bsa_is_validated() -> None:
    with pytest.raises(InstrumentInputError, match="current: got 101"):
        treat_to_target("plaque-psoriasis", current=101)


def test_axspa_response() -> None:
    (finding,) = treat_to_target("ankylosing-spondylitis", baseline=3.6, current=2.5)
    assert "clinically important" in finding["message"]
    assert finding["severity"] == "info"
    (finding,) = treat_to_target("ankylosing-spondylitis", baseline=3.6, current=1.6)
    assert "major" in finding["message"]
    (finding,) = treat_to_target("ankylosing-spondylitis", baseline=3.6, current=2.6)
    assert finding["severity"] == "warning"
    early = treat_to_target(
        "ankylosing-spondylitis",
        baseline=3.6,
        current=2.6,
        start=date(2025, 1, 1),
        as_of=date(2025, 2, 1),
    )
    assert rules(early) == ["axspa-response-12-weeks", "axspa-asdas-response"]
    assert early[1]["severity"] == "info"
    with pytest.raises(InstrumentInputError, match="baseline"):
        treat_to_target("ankylosing-spondylitis", current=2.6)
