"""NAPSI, static PGA/IGA and BASFI."""

from __future__ import annotations

from typing import Any

import pytest

from jakguide.instruments import InstrumentInputError, categorize, score


def test_napsi_fingernail_example() -> None:
    # Rich & Scher 2003 method: nail 1 matrix 2 + bed 3 = 5; nail 2 = 8; others 0 -> 13/80.
    nails = [{"matrix": 2, "bed": 3}, {"matrix": 4, "bed": 4}] + [{"matrix": 0, "bed": 0}] * 8
    result = score("napsi", nails=nails)
    assert result.value == 13
    assert result.components["maximum"] == 80
    assert result.category is None


def test_napsi_accepts_labelled_nails() -> None:
    result = score("napsi", nails={"R1": {"matrix": 1, "bed": 0}, "L1": {"matrix": 0, "bed": 4}})
    assert result.value == 5
    assert result.components["nails"]["L1"]["score"] == 4


@pytest.mark.parametrize(
    ("nails", "field"),
    [
        ([{"matrix": 5, "bed": 0}], "nails.1.matrix"),
        ([{"matrix": 1}], "nails.1.bed"),
        ([{"matrix": 1, "bed": 1, "pitting": 2}], "nails.1.pitting"),
        ([], "nails"),
        ([{"matrix": 0, "bed": 0}] * 21, "nails"),
        (None, "nails"),
    ],
)
def test_napsi_validation(nails: Any, field: str) -> None:
    with pytest.raises(InstrumentInputError) as info:
        score("napsi", nails=nails)
    assert info.value.field == field


def test_napsi_has_no_categories() -> None:
    with pytest.raises(InstrumentInputError):
        categorize("napsi", 10)


@pytest.mark.parametrize(
    ("grade", "label"),
    [(0, "clear"), (1, "almost-clear"), (2, "mild"), (3, "moderate"), (4, "severe")],
)
def test_pga_labels(grade: int, label: str) -> None:
    assert categorize("pga", grade) == label
    assert score("pga", grade=grade).category == label


@pytest.mark.parametrize("bad", [5, -1, 1.5])
def test_pga_five_point_scale_only(bad: Any) -> None:
    with pytest.raises(InstrumentInputError, match="integer 0-4"):
        score("pga", grade=bad)


def test_basfi_is_the_mean_of_ten_items() -> None:
    items = {f"q{i}": v for i, v in enumerate((3, 4, 2, 5, 6, 1, 2, 4, 7, 5), start=1)}
    result = score("basfi", **items)
    assert result.value == 3.9
    assert result.category is None
    assert score("basfi", **{f"q{i}": 10 for i in range(1, 11)}).value == 10.0


def test_basfi_requires_all_items() -> None:
    with pytest.raises(InstrumentInputError, match="q10: missing"):
        score("basfi", **{f"q{i}": 1 for i in range(1, 10)})
    with pytest.raises(InstrumentInputError):
        categorize("basfi", 3)
