"""PASI: published worked examples, area bands, validation and PASI 50/75/90/100."""

from __future__ import annotations

from typing import Any

import pytest

from jakguide.instruments import InstrumentInputError, categorize, response, score
from jakguide.instruments._exact import exact
from jakguide.instruments.pasi import area_score

REGIONS = ("head", "upper_limbs", "trunk", "lower_limbs")


def regions(
    signs: tuple[tuple[int, int, int], ...], areas: tuple[Any, ...], key: str = "area_percent"
) -> dict[str, Any]:
    return {
        region: {"erythema": e, "induration": i, "desquamation": d, key: a}
        for region, (e, i, d), a in zip(REGIONS, signs, areas, strict=True)
    }


def test_louden_2004_patient_1() -> None:
    # Louden BA et al. Dermatol Online J 2004;10(2):7, figure 1: all signs 2, areas
    # 5/12/35/20 % -> area scores 1/2/3/2 -> PASI 13.2.
    result = score("pasi", **regions(((2, 2, 2),) * 4, (5, 12, 35, 20)))
    assert result.value == 13.2
    assert [result.components[r]["area_score"] for r in REGIONS] == [1, 2, 3, 2]
    assert [result.components[r]["subtotal"] for r in REGIONS] == [0.6, 2.4, 5.4, 4.8]
    assert result.category is None


def test_louden_2004_patient_2() -> None:
    # Louden 2004 figure 1 patient 2 inputs; total computed: 1.2 + 1.6 + 3.6 + 8.4 = 14.8.
    signs = ((3, 1, 2), (1, 4, 3), (3, 2, 1), (1, 4, 2))
    result = score("pasi", **regions(signs, (15, 5, 25, 40)))
    assert result.value == 14.8


def test_maximum_is_72_and_minimum_0() -> None:
    assert score("pasi", **regions(((4, 4, 4),) * 4, (100,) * 4)).value == 72.0
    assert score("pasi", **regions(((0, 0, 0),) * 4, (0,) * 4)).value == 0.0
    assert score("pasi", **regions(((4, 4, 4),) * 4, (6,) * 4, key="area")).value == 72.0


@pytest.mark.parametrize(
    ("percent", "grade"),
    [
        ("0", 0),
        ("0.01", 1),
        ("9.99", 1),
        ("10", 2),
        ("29.99", 2),
        ("30", 3),
        ("49.99", 3),
        ("50", 4),
        ("69.99", 4),
        ("70", 5),
        ("89.99", 5),
        ("90", 6),
        ("100", 6),
    ],
)
def test_area_bands_are_half_open(percent: str, grade: int) -> None:
    assert area_score(exact(percent, "x")) == grade


def test_region_needs_exactly_one_area_form() -> None:
    inputs = regions(((1, 1, 1),) * 4, (10,) * 4)
    inputs["trunk"]["area"] = 2
    with pytest.raises(InstrumentInputError) as info:
        score("pasi", **inputs)
    assert info.value.field == "trunk.area"
    del inputs["trunk"]["area"], inputs["trunk"]["area_percent"]
    with pytest.raises(InstrumentInputError, match=r"trunk\.area: missing"):
        score("pasi", **inputs)


@pytest.mark.parametrize(
    ("region", "key", "value", "accepted"),
    [
        ("head", "erythema", 5, "integer 0-4"),
        ("head", "erythema", -1, "integer 0-4"),
        ("trunk", "induration", 2.5, "integer 0-4"),
        ("lower_limbs", "area_percent", 100.5, "number 0-100 %"),
    ],
)
def test_out_of_range_items_name_field_value_and_range(
    region: str, key: str, value: Any, accepted: str
) -> None:
    inputs = regions(((1, 1, 1),) * 4, (10,) * 4)
    inputs[region][key] = value
    with pytest.raises(InstrumentInputError) as info:
        score("pasi", **inputs)
    assert (info.value.field, info.value.value, info.value.accepted) == (
        f"{region}.{key}",
        value,
        accepted,
    )


def test_area_score_7_is_rejected() -> None:
    with pytest.raises(InstrumentInputError, match=r"head.area: got 7; accepted: integer 0-6"):
        score("pasi", **regions(((1, 1, 1),) * 4, (7, 1, 1, 1), key="area"))


def test_missing_region_and_itch_item_are_rejected() -> None:
    inputs = regions(((1, 1, 1),) * 4, (10,) * 4)
    del inputs["head"]
    with pytest.raises(InstrumentInputError, match="head: missing"):
        score("pasi", **inputs)
    inputs = regions(((1, 1, 1),) * 4, (10,) * 4)
    inputs["head"]["itch"] = 2  # some lay calculators add itch; PASI has three signs only
    with pytest.raises(InstrumentInputError, match=r"head\.itch"):
        score("pasi", **inputs)


def test_pasi_has_no_categories() -> None:
    with pytest.raises(InstrumentInputError, match="psoriasis-severity"):
        categorize("pasi", 12)


def test_pasi75_floating_point_trap() -> None:
    # 13.2 -> 3.3 is exactly 75 %; (13.2 - 3.3) / 13.2 is 0.7499999999999999 in doubles.
    assert (13.2 - 3.3) / 13.2 < 0.75
    result = response("pasi", 13.2, 3.3)
    assert result.pasi75 is True
    assert result.percent_improvement == 75.0
    assert (result.pasi50, result.pasi90, result.pasi100) == (True, False, False)


@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        (20, 10, (True, False, False, False)),
        (20, "10.01", (False, False, False, False)),
        (20, 5, (True, True, False, False)),
        (20, "5.01", (True, False, False, False)),
        (20, 2, (True, True, True, False)),
        (20, "2.01", (True, True, False, False)),
        (20, 0, (True, True, True, True)),
        (20, "0.1", (True, True, True, False)),
        (10, 12, (False, False, False, False)),
    ],
)
def test_pasi_response_cut_offs_on_both_sides(
    baseline: Any, current: Any, expected: tuple[bool, ...]
) -> None:
    r = response("pasi", baseline, current)
    assert (r.pasi50, r.pasi75, r.pasi90, r.pasi100) == expected


def test_pasi_response_from_baseline_zero_is_not_evaluable() -> None:
    r = response("pasi", 0, 0)
    assert r.percent_improvement is None
    assert r.pasi75 is None
    assert "baseline PASI is 0" in r.not_evaluable["pasi75"]
    assert r.to_dict()["pasi100"] is None


def test_pasi_response_accepts_scores_and_inputs() -> None:
    base_inputs = regions(((2, 2, 2),) * 4, (5, 12, 35, 20))
    base = score("pasi", **base_inputs)
    assert response("pasi", base, 3.3).pasi75 is True
    assert response("pasi", base_inputs, {"value": 3.3}).pasi75 is True
    with pytest.raises(InstrumentInputError, match="current"):
        response("pasi", 10, 73)
    with pytest.raises(InstrumentInputError, match="baseline"):
        response("pasi", score("basdai", q1=1, q2=1, q3=1, q4=1, q5=1, q6=1), 1)
