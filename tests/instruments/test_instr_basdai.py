"""BASDAI: worked examples, the >= 4 cut-off, BASDAI 50."""

from __future__ import annotations

from typing import Any

import pytest

from jakguide.instruments import InstrumentInputError, categorize, response, score


def items(*values: Any) -> dict[str, Any]:
    return {f"q{i}": v for i, v in enumerate(values, start=1)}


def test_camcops_example() -> None:
    # CamCOPS basdai_tests.py: 2 + 10 + 7 + 1 = 20; (9 + 3) / 2 = 6; 26 / 5 = 5.2.
    result = score("basdai", **items(2, 10, 7, 1, 9, 3))
    assert (result.value, result.category) == (5.2, "active")
    assert result.components["mean_q5_q6"] == 6.0


def test_rheumacomposites_example() -> None:
    # RheumaComposites.jl test/types/basdai.jl: 1, 2, 2, 2, 1, 3 -> 1.8.
    result = score("basdai", **items(1, 2, 2, 2, 1, 3))
    assert (result.value, result.category) == (1.8, "not-active")


def test_exactly_4_is_active_and_just_below_is_not() -> None:
    assert score("basdai", **items(4, 4, 4, 4, 4, 4)).category == "active"
    below = score("basdai", **items(3.5, 4, 4, 4, 4, 4))
    assert (below.value, below.category) == (3.9, "not-active")


@pytest.mark.parametrize(
    ("value", "category"),
    [(0, "not-active"), ("3.99", "not-active"), (4, "active"), (4.0, "active"), (10, "active")],
)
def test_categorize_at_the_cut_off(value: Any, category: str) -> None:
    assert categorize("basdai", value) == category


@pytest.mark.parametrize("bad", [-0.1, 10.1])
def test_categorize_range(bad: float) -> None:
    with pytest.raises(InstrumentInputError, match="number 0-10"):
        categorize("basdai", bad)


@pytest.mark.parametrize(
    ("baseline", "current", "basdai50", "delta"),
    [(6.4, 3.2, True, 3.2), (6.4, "3.21", False, 3.19), (5, 2.5, True, 2.5), (3, 4, False, -1.0)],
)
def test_basdai50_both_sides(baseline: Any, current: Any, basdai50: bool, delta: float) -> None:
    r = response("basdai", baseline, current)
    assert r.basdai50 is basdai50
    assert r.delta == pytest.approx(delta)


def test_basdai50_exact_from_items() -> None:
    # 0.3 + 0.6 style values: exact arithmetic keeps 50 % at exactly 50 %.
    base = items(6.6, 6.6, 6.6, 6.6, 6.6, 6.6)
    now = items(3.3, 3.3, 3.3, 3.3, 3.3, 3.3)
    r = response("basdai", base, now)
    assert r.percent_improvement == 50.0
    assert r.basdai50 is True


def test_basdai_baseline_zero_is_not_evaluable() -> None:
    r = response("basdai", 0, 1)
    assert r.basdai50 is None
    assert r.delta == -1.0
    assert "baseline BASDAI is 0" in r.not_evaluable["basdai50"]
