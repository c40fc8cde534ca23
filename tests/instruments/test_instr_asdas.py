"""ASDAS-CRP/ESR: Lukas 2009 coefficients, CRP floor, exact cut-offs, ASDAS response."""

from __future__ import annotations

from typing import Any

import pytest

from jakguide.instruments import InstrumentInputError, categorize, response, score


def crp(bp: Any, dur: Any, pg: Any, per: Any, crp_mg_l: Any) -> dict[str, Any]:
    return {
        "back_pain": bp,
        "morning_stiffness_duration": dur,
        "patient_global": pg,
        "peripheral_pain_swelling": per,
        "crp_mg_l": crp_mg_l,
    }


def esr(bp: Any, dur: Any, pg: Any, per: Any, esr_mm_h: Any) -> dict[str, Any]:
    inputs = crp(bp, dur, pg, per, None)
    del inputs["crp_mg_l"]
    inputs["esr_mm_h"] = esr_mm_h
    return inputs


@pytest.mark.parametrize(
    ("inputs", "value", "category"),
    [
        # Worked examples with the 3-decimal coefficients of Lukas 2009 (reference table).
        (crp(5, 5, 5, 5, 10), 3.198, "high"),  # InflamAI 2-decimal test: 3.19
        (crp(8, 8, 8, 8, 100), 5.568, "very-high"),  # InflamAI: 5.56 with 2 decimals
        (crp(10, 10, 10, 10, 100), 6.292, "very-high"),  # medicalalgorithms: 3.62 + 2.67
        (crp(5, 5, 5, 5, 0.5), 2.446, "high"),  # floor: 2.045 (low) without it
        (crp(3, 2, 3, 1, 1), 1.518, "low"),  # floor: 1.283 (inactive) without it
        (crp(1, 1, 2, 6, 8), 2.109, "high"),  # 2-decimal coefficients give 2.094 (low)
        (crp(3, 3, 5, 9, 20), 3.507, "very-high"),  # 2-decimal coefficients give 3.486 (high)
        (crp(0, 0, 0, 0, 0), 0.636, "inactive"),  # 0.579 * ln 3
    ],
)
def test_asdas_crp_worked_examples(inputs: dict[str, Any], value: float, category: str) -> None:
    result = score("asdas-crp", **inputs)
    assert result.value == pytest.approx(value, abs=0.0005)
    assert result.category == category


def test_crp_below_2_uses_2() -> None:
    floored = score("asdas-crp", **crp(5, 5, 5, 5, 0.5))
    at_floor = score("asdas-crp", **crp(5, 5, 5, 5, 2))
    assert floored.value == at_floor.value
    assert floored.components["crp_used_mg_l"] == 2.0
    assert floored.components["crp_floor_applied"] is True
    assert "replaced by 2 mg/L" in floored.notes[0]
    assert at_floor.components["crp_floor_applied"] is False
    above = score("asdas-crp", **crp(5, 5, 5, 5, 2.01))
    assert above.value > at_floor.value


def test_crp_in_mg_dl_is_converted() -> None:
    inputs = crp(5, 5, 5, 5, None)
    del inputs["crp_mg_l"]
    result = score("asdas-crp", **inputs, crp_mg_dl=1)
    assert result.value == score("asdas-crp", **crp(5, 5, 5, 5, 10)).value
    with pytest.raises(InstrumentInputError, match="exactly one"):
        score("asdas-crp", **crp(5, 5, 5, 5, 10), crp_mg_dl=1)
    with pytest.raises(InstrumentInputError, match="crp_mg_l: missing"):
        score("asdas-crp", **inputs)


@pytest.mark.parametrize(
    ("inputs", "category"),
    [
        # Sums that land exactly on a cut-off (perfect-square ESR); doubles give 1.2999999999999998,
        # 2.1 and 3.4999999999999996, so only exact arithmetic classifies them as published.
        (esr(0, 1, 0, 7.5, 4), "low"),
        (esr(0, 0, 7, 5, 9), "high"),
        (esr(0, 0, 2, 4, 100), "high"),
    ],
)
def test_asdas_esr_exactly_on_a_cut_off(inputs: dict[str, Any], category: str) -> None:
    assert score("asdas-esr", **inputs).category == category


def test_asdas_esr_examples() -> None:
    assert score("asdas-esr", **esr(5, 5, 5, 5, 25)).value == pytest.approx(3.200, abs=1e-9)
    assert score("asdas-esr", **esr(6, 5, 7, 3, 36)).value == pytest.approx(3.626, abs=0.0005)
    with pytest.raises(InstrumentInputError, match="esr_mm_h"):
        score("asdas-esr", **crp(5, 5, 5, 5, 10))


@pytest.mark.parametrize(
    ("value", "category"),
    [
        (0, "inactive"),
        ("1.2999", "inactive"),
        (1.3, "low"),
        ("2.0999", "low"),
        (2.1, "high"),
        (3.5, "high"),
        ("3.5000001", "very-high"),
        (3.51, "very-high"),
        (9, "very-high"),
    ],
)
def test_categorize_every_cut_off_on_both_sides(value: Any, category: str) -> None:
    assert categorize("asdas-crp", value) == category
    assert categorize("asdas-esr", value) == category


def test_item_range() -> None:
    with pytest.raises(InstrumentInputError) as info:
        score("asdas-crp", **crp(11, 5, 5, 5, 10))
    assert (info.value.field, info.value.accepted) == ("back_pain", "number 0-10")
    with pytest.raises(InstrumentInputError, match="crp_mg_l: got -1"):
        score("asdas-crp", **crp(1, 5, 5, 5, -1))


def test_response_rounding_trap_is_not_clinically_important() -> None:
    # 3.198 -> 2.113: delta 1.085 < 1.1 (rounded 3.2 - 2.1 would wrongly give 1.1).
    r = response("asdas", crp(5, 5, 5, 5, 10), crp(0, 0, 3, 7, 8))
    assert r.delta == pytest.approx(1.085, abs=0.0005)
    assert (r.clinically_important, r.major) == (False, False)
    assert r.version == "asdas-crp"


def test_response_major_improvement_with_floor() -> None:
    r = response("asdas", crp(6, 5, 7, 3, 15), crp(3, 2, 3, 1, 1))
    assert r.delta == pytest.approx(2.092, abs=0.0005)
    assert (r.clinically_important, r.major) == (True, True)
    assert (r.baseline_category, r.current_category) == ("very-high", "low")


@pytest.mark.parametrize(
    ("baseline", "current", "important", "major"),
    [
        (3.3, 2.2, True, False),
        ("3.3", "2.2001", False, False),
        (4.1, 2.1, True, True),
        ("4.1", "2.1001", True, False),
    ],
)
def test_response_thresholds_exact(
    baseline: Any, current: Any, important: bool, major: bool
) -> None:
    # 3.3 - 2.2 is 1.0999999999999996 in doubles; exactly 1.1 here.
    r = response("asdas", baseline, current)
    assert (r.clinically_important, r.major) == (important, major)


def test_response_versions_must_match() -> None:
    with pytest.raises(InstrumentInputError, match="same ASDAS version"):
        response("asdas", crp(5, 5, 5, 5, 10), esr(1, 1, 1, 1, 4))
    s = score("asdas-esr", **esr(5, 5, 5, 5, 25))
    assert response("asdas", s, esr(1, 1, 1, 1, 4)).version == "asdas-esr"
