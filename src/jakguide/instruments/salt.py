"""SALT (Severity of ALopecia Tool, alopecia areata) and the SALT <= 20 response.

SALT = 0.40 x top + 0.24 x back + 0.18 x left side + 0.18 x right side, each the percentage of
that scalp area without hair (Olsen et al. 2004); 0-100. Categories are the AA-IGA anchors
(Wyrwich et al. 2020): none 0; limited 1-20; moderate 21-49; severe 50-94; very severe 95-100,
applied as upper bounds 0, 20, < 50 and < 95 so that every value has a category. The labels'
efficacy endpoint is SALT <= 20 (baricitinib, ritlecitinib, deuruxolitinib trials).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from jakguide.instruments._common import assessment_value, output_number
from jakguide.instruments._exact import Reader, check_number, percent_change, to_float
from jakguide.instruments.model import Band, Response, Score, band_rule, cite, classify
from jakguide.instruments.spec import Example, InputSpec, InstrumentDoc, ResponseDoc

__all__ = ["BANDS", "DOC", "NAME", "RESPONSE_DOC", "categorize", "response", "score"]

NAME = "salt"

# Olsen 2004: the four scalp areas and their share of the scalp surface.
AREA_WEIGHTS: dict[str, Fraction] = {
    "top": Fraction("0.40"),
    "back": Fraction("0.24"),
    "left": Fraction("0.18"),
    "right": Fraction("0.18"),
}
PERCENT_MAX = Fraction(100)
SALT_MIN = Fraction(0)

# AA-IGA anchors (Wyrwich 2020).
BANDS: tuple[Band, ...] = (
    Band("none", Fraction(0), True, "no scalp hair loss"),
    Band("limited", Fraction(20), True, "limited scalp hair loss (1-20 %)"),
    Band("moderate", Fraction(50), False, "moderate scalp hair loss (21-49 %)"),
    Band("severe", Fraction(95), False, "severe scalp hair loss (50-94 %)"),
    Band("very-severe", None, True, "very severe scalp hair loss (95-100 %)"),
)

# The labels' primary endpoint: SALT score <= 20 (BRAVE-AA, King 2022).
SALT_RESPONSE_MAX = Fraction(20)

SOURCES = (
    cite("olsen-2004", "SALT areas and weights"),
    cite("wyrwich-2020", "AA-IGA categories"),
)
RESPONSE_SOURCES = (
    cite("olsen-2004", "SALT formula"),
    cite("king-2022-brave-aa", "primary endpoint SALT <= 20 (the labels' endpoint)"),
)


def _compute(inputs: Mapping[str, Any]) -> tuple[Fraction, dict[str, Any]]:
    reader = Reader(inputs)
    parts = {area: reader.number(area, Fraction(0), PERCENT_MAX, unit="%") for area in AREA_WEIGHTS}
    reader.finish(tuple(AREA_WEIGHTS))
    value = sum((parts[a] * w for a, w in AREA_WEIGHTS.items()), Fraction(0))
    return value, {f"{area}_percent": to_float(v) for area, v in parts.items()}


def exact_value(inputs: Mapping[str, Any]) -> Fraction:
    return _compute(inputs)[0]


def score(**inputs: Any) -> Score:
    """SALT from the percentage of hair loss in each of the four scalp areas."""
    value, components = _compute(inputs)
    return Score(
        instrument=NAME,
        value=to_float(value),
        category=classify(value, BANDS),
        components=components,
        sources=SOURCES,
    )


def categorize(value: object) -> str:
    """AA-IGA category of a SALT value (0-100)."""
    return classify(check_number(value, "value", SALT_MIN, PERCENT_MAX), BANDS)


def response(baseline: Any, current: Any) -> Response:
    """SALT <= 20 reached, with the percentage improvement from baseline."""
    kwargs: dict[str, Any] = {
        "instruments": (NAME,),
        "low": SALT_MIN,
        "high": PERCENT_MAX,
        "scorer": exact_value,
    }
    base = assessment_value(baseline, "baseline", **kwargs)
    now = assessment_value(current, "current", **kwargs)
    pct = percent_change(base, now)
    not_evaluable: dict[str, str] = {}
    if pct is None:
        not_evaluable["percent_improvement"] = "baseline SALT is 0: no hair loss to improve"
    return Response(
        instrument=NAME,
        baseline=to_float(base),
        current=to_float(now),
        results={
            "percent_improvement": output_number(pct),
            "salt_le_20": now <= SALT_RESPONSE_MAX,
        },
        not_evaluable=not_evaluable,
        sources=RESPONSE_SOURCES,
    )


DOC = InstrumentDoc(
    title="SALT - Severity of ALopecia Tool",
    summary="Percentage of scalp hair loss in alopecia areata.",
    formula="SALT = 0.40 top + 0.24 back + 0.18 left + 0.18 right (each % hair loss)",
    value_range="0-100",
    inputs=tuple(
        InputSpec(area, "number 0-100 %", f"hair loss in the {area} area of the scalp")
        for area in AREA_WEIGHTS
    ),
    categories=tuple(
        (band.label, f"{rule} ({band.description})")
        for band, rule in zip(BANDS, band_rule(BANDS, "SALT", SALT_MIN), strict=True)
    ),
    policies=("Categories are applied as bounds 0, <= 20, < 50, < 95 (AA-IGA anchors).",),
    examples=(
        Example(
            "Moderate hair loss",
            {"top": 50, "back": 20, "left": 30, "right": 10},
            "Computed: 20 + 4.8 + 5.4 + 1.8 = 32.0 (moderate)",
        ),
    ),
    sources=SOURCES,
)

RESPONSE_DOC = ResponseDoc(
    shown_as=(("salt_le_20", "SALT <= 20"),),
    title="SALT response (SALT <= 20)",
    summary="Whether scalp hair loss is 20 % or less, the labels' alopecia areata endpoint.",
    inputs="baseline and current: a SALT value, a salt Score, {'value': x}, or the SALT inputs.",
    criteria=(
        ("percent_improvement", "(baseline - current) / baseline * 100, exact"),
        ("salt_le_20", "current SALT <= 20"),
    ),
    policies=("A baseline of 0 makes the percentage null, with the reason.",),
    examples=(Example("Endpoint reached", {"baseline": 85, "current": 18}, "Computed: true"),),
    sources=RESPONSE_SOURCES,
)
