"""DAPSA: joint-count ranges, CRP units, inclusive cut-offs, response levels."""

from __future__ import annotations

from typing import Any

import pytest

from jakguide.instruments import InstrumentInputError, categorize, response, score


def dapsa(tjc: Any = 1, sjc: Any = 1, pg: Any = 1, pain: Any = 1, **crp: Any) -> dict[str, Any]:
    return {"tender_joints": tjc, "swollen_joints": sjc, "patient_global": pg, "pain": pain, **crp}


def test_rheumacomposites_example() -> None:
    # RheumaComposites.jl test/types/dapsa.jl: TJC 1, SJC 1, CRP 3 mg/dL, PtGA 1, pain 1 -> 7.0.
    result = score("dapsa", **dapsa(crp_mg_dl=3))
    assert (result.value, result.category) == (7.0, "low")


def test_crp_in_mg_l_is_divided_by_10() -> None:
    in_mg_l = score("dapsa", **dapsa(10, 5, 7, 6, crp_mg_l=15))
    assert (in_mg_l.value, in_mg_l.category) == (29.5, "high")
    assert in_mg_l.components["crp_mg_dl"] == 1.5
    # The classic unit error: 15 mg/L entered as mg/dL gives 43.
    assert score("dapsa", **dapsa(10, 5, 7, 6, crp_mg_dl=15)).value == 43.0
    with pytest.raises(InstrumentInputError, match="exactly one"):
        score("dapsa", **dapsa(crp_mg_l=1, crp_mg_dl=1))


def test_joint_counts_are_68_tender_and_66_swollen() -> None:
    assert score("dapsa", **dapsa(68, 66, crp_mg_dl=0)).value == 136.0
    with pytest.raises(InstrumentInputError) as info:
        score("dapsa", **dapsa(69, 0, crp_mg_dl=0))
    assert (info.value.field, info.value.accepted) == ("tender_joints", "integer 0-68")
    with pytest.raises(InstrumentInputError) as info:
        score("dapsa", **dapsa(0, 67, crp_mg_dl=0))
    assert (info.value.field, info.value.accepted) == ("swollen_joints", "integer 0-66")
    with pytest.raises(InstrumentInputError, match="integer"):
        score("dapsa", **dapsa(1.5, 0, crp_mg_dl=0))


@pytest.mark.parametrize(
    ("value", "category"),
    [
        (0, "remission"),
        (4.0, "remission"),
        ("4.01", "low"),
        (14, "low"),
        ("14.01", "moderate"),
        (28, "moderate"),
        ("28.01", "high"),
        (100, "high"),
    ],
)
def test_categorize_cut_offs_on_both_sides(value: Any, category: str) -> None:
    assert categorize("dapsa", value) == category


def test_exactly_4_from_components_is_remission() -> None:
    # 1 + 0 + 1.61 + 0.49 + 0.9 is exactly 4.0, but 4.000000000000001 in naive float addition.
    assert 1 + 0 + 1.61 + 0.49 + 0.9 > 4
    result = score("dapsa", **dapsa(1, 0, 1.61, 0.49, crp_mg_dl=0.9))
    assert (result.value, result.category) == (4.0, "remission")


@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        (20, 10, (True, False, False, "minor")),
        (20, "10.01", (False, False, False, "none")),
        (20, 5, (True, True, False, "moderate")),
        (20, "5.01", (True, False, False, "minor")),
        (20, 3, (True, True, True, "major")),
        (20, "3.01", (True, True, False, "moderate")),
    ],
)
def test_response_levels_both_sides(baseline: Any, current: Any, expected: tuple[Any, ...]) -> None:
    r = response("dapsa", baseline, current)
    assert (r.minor, r.moderate, r.major, r.improvement) == expected


def test_response_baseline_zero() -> None:
    r = response("dapsa", 0, 3)
    assert (r.percent_improvement, r.minor, r.improvement) == (None, None, None)
    assert "baseline DAPSA is 0" in r.not_evaluable["minor"]


def test_response_from_inputs() -> None:
    r = response("dapsa", dapsa(10, 5, 7, 6, crp_mg_l=15), dapsa(1, 1, 1, 1, crp_mg_dl=0.3))
    assert r.baseline == 29.5
    assert r.current == 4.3
