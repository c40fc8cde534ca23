"""BASFI (Bath Ankylosing Spondylitis Functional Index), Calin et al. 1994.

The mean of ten 0-10 items (0 easy, 10 impossible). No disease-activity bands are published,
so ``category`` is ``None``. BASFI is the "function" domain of the ASAS response criteria.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from jakguide.instruments._exact import Reader, to_float
from jakguide.instruments.errors import InstrumentInputError
from jakguide.instruments.model import Score, cite
from jakguide.instruments.spec import Example, InputSpec, InstrumentDoc

__all__ = ["DOC", "NAME", "categorize", "score"]

NAME = "basfi"

# Ten items, each 0 (easy) to 10 (impossible); score = mean (Calin 1994).
BASFI_ITEM_COUNT = 10
BASFI_ITEM_MIN = Fraction(0)
BASFI_ITEM_MAX = Fraction(10)
ITEMS: tuple[str, ...] = tuple(f"q{i}" for i in range(1, BASFI_ITEM_COUNT + 1))

SOURCES = (cite("calin-1994", "BASFI items and mean score"),)


def score(**inputs: Any) -> Score:
    """Mean of the ten BASFI items (all required; no imputation is published)."""
    reader = Reader(inputs)
    items = [reader.number(key, BASFI_ITEM_MIN, BASFI_ITEM_MAX) for key in ITEMS]
    reader.finish(ITEMS)
    value = sum(items, Fraction(0)) / BASFI_ITEM_COUNT
    return Score(
        instrument=NAME,
        value=to_float(value),
        category=None,
        components={"items": {k: to_float(v) for k, v in zip(ITEMS, items, strict=True)}},
        sources=SOURCES,
    )


def categorize(value: object) -> str:
    """BASFI has no published bands: always an error."""
    raise InstrumentInputError(
        "instrument", NAME, "an instrument with published categories; BASFI has none"
    )


DOC = InstrumentDoc(
    title="BASFI - Bath Ankylosing Spondylitis Functional Index",
    summary="Patient-reported physical function in axial spondyloarthritis.",
    formula="BASFI = (Q1 + Q2 + ... + Q10) / 10",
    value_range="0-10 (float, unrounded)",
    inputs=tuple(InputSpec(key, "number 0-10", "0 = easy, 10 = impossible") for key in ITEMS),
    categories=(("(none)", "No disease-activity bands are published."),),
    policies=("All ten items are required; no missing-item rule is published.",),
    examples=(
        Example(
            "Moderate limitation",
            {f"q{i}": v for i, v in enumerate((3, 4, 2, 5, 6, 1, 2, 4, 7, 5), start=1)},
            "Computed: 39 / 10 = 3.9",
        ),
    ),
    sources=SOURCES,
)
