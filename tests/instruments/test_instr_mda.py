"""PsA MDA (5 of 7) and VLDA (7 of 7), Coates 2010."""

from __future__ import annotations

from typing import Any

import pytest

from jakguide.instruments import InstrumentInputError, categorize, score

ALL_MET: dict[str, Any] = {
    "tender_joints": 1,
    "swollen_joints": 1,
    "pasi": 1,
    "bsa_percent": 3,
    "pain_vas_mm": 15,
    "patient_global_vas_mm": 20,
    "haq_di": 0.5,
    "tender_entheseal_points": 1,
}


def test_worked_example_mda_not_vlda() -> None:
    # TJC 1, SJC 0, PASI 2 with BSA 2 %, pain 20, PtGA 15, HAQ 0.375, entheses 0 -> 6/7.
    result = score(
        "mda",
        tender_joints=1,
        swollen_joints=0,
        pasi=2,
        bsa_percent=2,
        pain_vas_mm=20,
        patient_global_vas_mm=15,
        haq_di=0.375,
        tender_entheseal_points=0,
    )
    assert (result.value, result.category) == (6, "mda")
    assert result.components["criteria"]["skin"] is True
    assert result.components["criteria"]["pain"] is False
    assert (result.components["mda"], result.components["vlda"]) == (True, False)


def test_every_limit_is_inclusive() -> None:
    result = score("mda", **ALL_MET)
    assert (result.value, result.category) == (7, "vlda")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("tender_joints", 2),
        ("swollen_joints", 2),
        ("pain_vas_mm", "15.1"),
        ("patient_global_vas_mm", "20.1"),
        ("haq_di", 0.625),
        ("tender_entheseal_points", 2),
    ],
)
def test_each_criterion_just_above_its_limit(key: str, value: Any) -> None:
    result = score("mda", **(ALL_MET | {key: value}))
    assert (result.value, result.category) == (6, "mda")


def test_skin_criterion_pasi_or_bsa() -> None:
    assert score("mda", **(ALL_MET | {"pasi": "1.1"})).value == 7  # BSA 3 still meets it
    assert score("mda", **(ALL_MET | {"bsa_percent": "3.1"})).value == 7  # PASI 1 meets it
    both_fail = score("mda", **(ALL_MET | {"pasi": "1.1", "bsa_percent": "3.1"}))
    assert both_fail.components["criteria"]["skin"] is False


def test_skin_unknown_when_only_one_failing_measure_is_given() -> None:
    inputs = ALL_MET | {"pasi": 5}
    del inputs["bsa_percent"]
    result = score("mda", **inputs)
    assert result.components["criteria"]["skin"] is None
    assert (result.components["mda"], result.components["vlda"]) == (True, None)
    assert result.category == "mda"
    inputs |= {"tender_joints": 2, "swollen_joints": 2}
    assert score("mda", **inputs).category == "indeterminate"
    inputs |= {"haq_di": 1}
    assert score("mda", **inputs).category == "not-mda"
    del inputs["pasi"]
    with pytest.raises(InstrumentInputError, match="bsa_percent"):
        score("mda", **inputs)


@pytest.mark.parametrize(
    ("met", "category"),
    [(0, "not-mda"), (4, "not-mda"), (5, "mda"), (6, "mda"), (7, "vlda")],
)
def test_categorize_count(met: int, category: str) -> None:
    assert categorize("mda", met) == category


def test_vas_is_in_millimetres() -> None:
    with pytest.raises(
        InstrumentInputError, match="pain_vas_mm: got 101; accepted: number 0-100 mm"
    ):
        score("mda", **(ALL_MET | {"pain_vas_mm": 101}))
