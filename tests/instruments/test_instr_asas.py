"""ASAS20 (Anderson 2001), ASAS40 (Brandt 2004) and partial remission."""

from __future__ import annotations

from typing import Any

import pytest

from jakguide.instruments import InstrumentInputError, response

BASE = {"patient_global": 6, "pain": 7, "function": 5, "inflammation": 6}


def d(pg: Any, pain: Any, function: Any, inflammation: Any) -> dict[str, Any]:
    return {"patient_global": pg, "pain": pain, "function": function, "inflammation": inflammation}


@pytest.mark.parametrize(
    ("current", "asas20", "asas40"),
    [
        (d(4, 5, 3.5, 6.5), True, False),  # inflammation +0.5 (+8 %) does not disqualify
        (d(3, 4, 4.5, 3), True, True),  # BASFI -10 % but not worse
        (d(2, 2, 3, 7.5), False, False),  # inflammation +1.5 (+25 %) disqualifies ASAS20
    ],
)
def test_reference_examples(current: dict[str, Any], asas20: bool, asas40: bool) -> None:
    r = response("asas", BASE, current)
    assert (r.asas20, r.asas40) == (asas20, asas40)


def test_asas20_needs_both_20_percent_and_1_unit() -> None:
    base = d(4, 4, 4, 4)
    # 0.8 = 20 % but < 1 unit: not improved in any domain.
    assert response("asas", base, d(3.2, 3.2, 3.2, 4)).domains_improved_20 == 0
    base = d(10, 10, 10, 10)
    # 1 unit but only 10 %: not improved.
    assert response("asas", base, d(9, 9, 9, 10)).asas20 is False
    # exactly 20 % and 2 units: improved.
    assert response("asas", base, d(8, 8, 8, 10)).asas20 is True


@pytest.mark.parametrize(
    ("fourth", "asas20"),
    [
        (5, True),  # unchanged
        (6, False),  # exactly +1 unit and +20 %: worsening
        ("5.99", True),  # +0.99 unit (19.8 %): not a worsening
    ],
)
def test_asas20_worsening_needs_both_conditions(fourth: Any, asas20: bool) -> None:
    r = response("asas", d(6, 7, 5, 5), d(3, 3, 2, fourth))
    assert r.asas20 is asas20


def test_worsening_of_1_unit_but_under_20_percent_is_allowed() -> None:
    # inflammation 9 -> 10: +1 unit but +11 %.
    r = response("asas", d(6, 7, 5, 9), d(3, 3, 2, 10))
    assert r.asas20 is True
    assert r.asas40 is False  # ASAS40 allows no worsening at all


def test_asas40_boundaries() -> None:
    base = d(5, 5, 5, 5)
    # exactly 40 % and 2 units in three domains, fourth unchanged.
    assert response("asas", base, d(3, 3, 3, 5)).asas40 is True
    assert response("asas", base, d(3, 3, "3.01", 5)).asas40 is False
    # fourth domain worse by 0.1: ASAS40 fails, ASAS20 holds.
    r = response("asas", base, d(3, 3, 3, "5.1"))
    assert (r.asas20, r.asas40) == (True, False)


@pytest.mark.parametrize(
    ("current", "remission"),
    [
        (d(2, 2, 1.5, 2.0), True),  # exactly 2 qualifies ("not above 2")
        (d(2, 2, 1.5, "2.01"), False),
        (d(2, 1, 1.8, 2.25), False),
    ],
)
def test_partial_remission_is_at_most_2(current: dict[str, Any], remission: bool) -> None:
    assert response("asas", BASE, current).partial_remission is remission


def test_baseline_zero_domain_counts_as_not_improved() -> None:
    r = response("asas", d(6, 7, 0, 6), d(3, 3, 0, 3))
    assert r.domains["function"]["percent_improvement"] is None
    assert "function" in next(iter(r.not_evaluable))
    assert r.asas20 is True  # three other domains improved
    # A rise from 0 of >= 1 unit counts as a worsening.
    assert response("asas", d(6, 7, 0, 6), d(3, 3, 1, 3)).asas20 is False
    assert response("asas", d(6, 7, 0, 6), d(3, 3, 0.5, 3)).asas20 is True


def test_domains_are_validated() -> None:
    with pytest.raises(InstrumentInputError, match=r"current\.pain: got 11"):
        response("asas", BASE, d(1, 11, 1, 1))
    with pytest.raises(InstrumentInputError, match=r"baseline\.inflammation: missing"):
        response("asas", {"patient_global": 1, "pain": 1, "function": 1}, BASE)
    with pytest.raises(InstrumentInputError, match="baseline"):
        response("asas", 5, BASE)
