"""Harvey-Bradshaw Index (HBI, Crohn's disease) and HBI remission / response.

HBI = general well-being (0-4) + abdominal pain (0-3) + number of liquid stools the previous
day + abdominal mass (0-3) + complications (1 each: arthralgia, uveitis, erythema nodosum,
aphthous ulcers, pyoderma gangrenosum, anal fissure, new fistula, abscess) (Harvey & Bradshaw
1980). Activity (Best 2006, as widely tabulated): remission < 5, mild 5-7, moderate 8-16,
severe > 16. Response: remission (HBI < 5) and a fall of >= 3 points (a clinically relevant
response in the same tables).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from jakguide.instruments._common import assessment_value
from jakguide.instruments._exact import Reader, check_number, to_float
from jakguide.instruments.model import Band, Response, Score, band_rule, cite, classify
from jakguide.instruments.spec import Example, InputSpec, InstrumentDoc, ResponseDoc

__all__ = ["BANDS", "DOC", "NAME", "RESPONSE_DOC", "categorize", "response", "score"]

NAME = "hbi"

# Item ranges (Harvey & Bradshaw 1980).
WELLBEING_MAX = Fraction(4)
PAIN_MAX = Fraction(3)
MASS_MAX = Fraction(3)
COMPLICATIONS_MAX = Fraction(8)  # eight listed complications, one point each
STOOLS_MAX = Fraction(100)  # plausibility bound on liquid stools in one day, not a cut-off
HBI_MIN = Fraction(0)  # a sum of non-negative items

BANDS: tuple[Band, ...] = (
    Band("remission", Fraction(5), False, "remission"),
    Band("mild", Fraction(7), True, "mild"),
    Band("moderate", Fraction(16), True, "moderate"),
    Band("severe", None, True, "severe"),
)
# Best 2006 (as tabulated): remission < 5; response = a fall of >= 3 points.
HBI_REMISSION_BELOW = Fraction(5)
HBI_RESPONSE_FALL = Fraction(3)

_KEYS = ("wellbeing", "abdominal_pain", "liquid_stools", "abdominal_mass", "complications")

SOURCES = (
    cite("harvey-bradshaw-1980", "HBI items"),
    cite("best-2006", "HBI activity bands (as tabulated)"),
)
RESPONSE_SOURCES = (cite("best-2006", "remission < 5; response: fall >= 3"),)


def _compute(inputs: Mapping[str, Any]) -> tuple[Fraction, dict[str, Any]]:
    reader = Reader(inputs)
    parts = {
        "wellbeing": reader.number("wellbeing", Fraction(0), WELLBEING_MAX, integer=True),
        "abdominal_pain": reader.number("abdominal_pain", Fraction(0), PAIN_MAX, integer=True),
        "liquid_stools": reader.number("liquid_stools", Fraction(0), STOOLS_MAX, integer=True),
        "abdominal_mass": reader.number("abdominal_mass", Fraction(0), MASS_MAX, integer=True),
        "complications": reader.number(
            "complications", Fraction(0), COMPLICATIONS_MAX, integer=True
        ),
    }
    reader.finish(_KEYS)
    return sum(parts.values(), Fraction(0)), {k: int(v) for k, v in parts.items()}


def exact_value(inputs: Mapping[str, Any]) -> Fraction:
    return _compute(inputs)[0]


def score(**inputs: Any) -> Score:
    """HBI: the sum of its five items."""
    value, components = _compute(inputs)
    return Score(
        instrument=NAME,
        value=int(value),
        category=classify(value, BANDS),
        components=components,
        sources=SOURCES,
    )


def categorize(value: object) -> str:
    """Activity category of an HBI value (>= 0)."""
    return classify(check_number(value, "value", HBI_MIN), BANDS)


def response(baseline: Any, current: Any) -> Response:
    """HBI remission (< 5) and response (a fall of at least 3 points)."""
    kwargs: dict[str, Any] = {
        "instruments": (NAME,),
        "low": HBI_MIN,
        "high": None,
        "scorer": exact_value,
    }
    base = assessment_value(baseline, "baseline", **kwargs)
    now = assessment_value(current, "current", **kwargs)
    return Response(
        instrument=NAME,
        baseline=to_float(base),
        current=to_float(now),
        results={
            "fall": to_float(base - now),
            "remission": now < HBI_REMISSION_BELOW,
            "response": base - now >= HBI_RESPONSE_FALL,
        },
        sources=RESPONSE_SOURCES,
    )


DOC = InstrumentDoc(
    title="HBI - Harvey-Bradshaw Index",
    summary="Crohn's disease activity from one day's symptoms and the examination.",
    formula="HBI = wellbeing + abdominal_pain + liquid_stools + abdominal_mass + complications",
    value_range="integer 0 upward",
    inputs=(
        InputSpec(
            "wellbeing",
            "integer 0-4",
            "0 very well, 1 slightly below par, 2 poor, 3 very poor, 4 terrible (previous day)",
        ),
        InputSpec("abdominal_pain", "integer 0-3", "0 none, 1 mild, 2 moderate, 3 severe"),
        InputSpec("liquid_stools", "integer >= 0", "number of liquid or soft stools yesterday"),
        InputSpec(
            "abdominal_mass", "integer 0-3", "0 none, 1 dubious, 2 definite, 3 definite and tender"
        ),
        InputSpec("complications", "integer 0-8", "one per complication present"),
    ),
    categories=tuple(
        (band.label, f"{rule} ({band.description})")
        for band, rule in zip(BANDS, band_rule(BANDS, "HBI", HBI_MIN), strict=True)
    ),
    policies=("The activity bands are those widely tabulated from Best 2006.",),
    examples=(
        Example(
            "Moderate activity",
            {
                "wellbeing": 2,
                "abdominal_pain": 2,
                "liquid_stools": 4,
                "abdominal_mass": 0,
                "complications": 1,
            },
            "Computed: 9 (moderate)",
        ),
    ),
    sources=SOURCES,
)

RESPONSE_DOC = ResponseDoc(
    shown_as=(
        ("response", "HBI response"),
        ("remission", "HBI remission"),
    ),
    title="HBI remission and response",
    summary="Remission (HBI < 5) and a clinically relevant fall of at least 3 points.",
    inputs="baseline and current: an HBI value, an hbi Score, {'value': x}, or the HBI items.",
    criteria=(
        ("fall", "baseline - current"),
        ("remission", "current < 5"),
        ("response", "fall >= 3"),
    ),
    policies=(),
    examples=(Example("Remission", {"baseline": 9, "current": 3}, "Computed: both true"),),
    sources=RESPONSE_SOURCES,
)
