"""Hypothesis properties: ranges, monotonicity in each item, exact thresholds, consistency."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from jakguide.instruments import categorize, response, score

# Decimal inputs with up to 2 decimals, as a clinician would enter them.
item10 = st.decimals(min_value=0, max_value=10, places=2, allow_nan=False, allow_infinity=False)
sign = st.integers(min_value=0, max_value=4)
area_pct = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
crp_mg_l = st.decimals(min_value=0, max_value=300, places=1, allow_nan=False, allow_infinity=False)
REGIONS = ("head", "upper_limbs", "trunk", "lower_limbs")
SIGNS = ("erythema", "induration", "desquamation")

region_st = st.fixed_dictionaries(
    {"erythema": sign, "induration": sign, "desquamation": sign, "area_percent": area_pct}
)
pasi_inputs = st.fixed_dictionaries({r: region_st for r in REGIONS})
basdai_inputs = st.fixed_dictionaries({f"q{i}": item10 for i in range(1, 7)})
asdas_items = (
    "back_pain",
    "morning_stiffness_duration",
    "patient_global",
    "peripheral_pain_swelling",
)
asdas_inputs = st.fixed_dictionaries({**{k: item10 for k in asdas_items}, "crp_mg_l": crp_mg_l})
dapsa_inputs = st.fixed_dictionaries(
    {
        "tender_joints": st.integers(0, 68),
        "swollen_joints": st.integers(0, 66),
        "patient_global": item10,
        "pain": item10,
        "crp_mg_dl": st.decimals(
            min_value=0, max_value=30, places=2, allow_nan=False, allow_infinity=False
        ),
    }
)
dlqi_item = st.integers(0, 3)


@given(pasi_inputs)
def test_pasi_range_and_monotone_in_each_item(inputs: dict[str, Any]) -> None:
    base = score("pasi", **inputs).value
    assert 0 <= base <= 72
    for region in REGIONS:
        for key in SIGNS:
            if inputs[region][key] < 4:
                bumped = {**inputs, region: {**inputs[region], key: inputs[region][key] + 1}}
                assert score("pasi", **bumped).value >= base
        if inputs[region]["area_percent"] <= 90:
            bumped = {
                **inputs,
                region: {**inputs[region], "area_percent": inputs[region]["area_percent"] + 10},
            }
            assert score("pasi", **bumped).value >= base


@given(basdai_inputs, st.sampled_from([f"q{i}" for i in range(1, 7)]), item10)
def test_basdai_range_monotone_and_consistent(
    inputs: dict[str, Any], key: str, other: Decimal
) -> None:
    result = score("basdai", **inputs)
    assert 0 <= result.value <= 10
    assert categorize("basdai", result.value) == result.category
    higher = max(inputs[key], other)
    assert score("basdai", **{**inputs, key: higher}).value >= result.value


@given(asdas_inputs, st.sampled_from([*asdas_items, "crp_mg_l"]))
def test_asdas_crp_range_monotone_and_consistent(inputs: dict[str, Any], key: str) -> None:
    result = score("asdas-crp", **inputs)
    assert result.value >= 0.579 * 1.0986  # floor: 0.579 * ln(3)
    assert categorize("asdas-crp", result.value) == result.category
    limit = Decimal(300) if key == "crp_mg_l" else Decimal(10)
    bumped = {**inputs, key: min(limit, inputs[key] + Decimal("0.5"))}
    assert score("asdas-crp", **bumped).value >= result.value


@given(asdas_inputs)
def test_crp_floor(inputs: dict[str, Any]) -> None:
    if inputs["crp_mg_l"] < 2:
        assert (
            score("asdas-crp", **inputs).value
            == score("asdas-crp", **{**inputs, "crp_mg_l": 2}).value
        )


@given(dapsa_inputs)
def test_dapsa_is_the_exact_sum(inputs: dict[str, Any]) -> None:
    result = score("dapsa", **inputs)
    exact = sum(Fraction(v) for v in inputs.values())
    assert result.value == float(exact)
    assert (
        categorize("dapsa", str(Decimal(exact.numerator) / Decimal(exact.denominator)))
        == result.category
    )


@given(st.lists(dlqi_item, min_size=10, max_size=10), st.integers(0, 9))
def test_dlqi_range_and_monotone(answers: list[int], index: int) -> None:
    result = score("dlqi", answers=answers)
    assert result.value == sum(answers)
    assert 0 <= result.value <= 30
    if answers[index] < 3:
        bumped = answers.copy()
        bumped[index] += 1
        assert score("dlqi", answers=bumped).value == result.value + 1


@given(
    st.decimals(min_value="0.1", max_value=72, places=1, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=72, places=1, allow_nan=False, allow_infinity=False),
)
def test_pasi_response_thresholds_are_exact(baseline: Decimal, current: Decimal) -> None:
    # Passing the values as floats must give the same answer as exact decimal arithmetic.
    r = response("pasi", float(baseline), float(current))
    pct = (Fraction(baseline) - Fraction(current)) / Fraction(baseline) * 100
    assert r.pasi50 is (pct >= 50)
    assert r.pasi75 is (pct >= 75)
    assert r.pasi90 is (pct >= 90)
    assert r.pasi100 is (pct >= 100)


@given(
    st.decimals(min_value=0, max_value=8, places=2, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=8, places=2, allow_nan=False, allow_infinity=False),
)
def test_asdas_delta_thresholds_are_exact(baseline: Decimal, current: Decimal) -> None:
    r = response("asdas", float(baseline), float(current))
    delta = baseline - current
    assert r.clinically_important is (delta >= Decimal("1.1"))
    assert r.major is (delta >= Decimal("2.0"))


@given(
    st.fixed_dictionaries(
        {k: item10 for k in ("patient_global", "pain", "function", "inflammation")}
    ),
    st.fixed_dictionaries(
        {k: item10 for k in ("patient_global", "pain", "function", "inflammation")}
    ),
)
def test_asas40_implies_asas20(baseline: dict[str, Any], current: dict[str, Any]) -> None:
    r = response("asas", baseline, current)
    if r.asas40:
        assert r.asas20
    assert r.partial_remission is all(v <= 2 for v in current.values())
