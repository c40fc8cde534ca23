"""BASDAI (Bath Ankylosing Spondylitis Disease Activity Index) and BASDAI 50 response.

BASDAI = (Q1 + Q2 + Q3 + Q4 + (Q5 + Q6) / 2) / 5 on 0-10 items (Garrett et al. 1994).
Active disease is BASDAI >= 4 (ASAS anti-TNF consensus, Braun et al. 2003: "a sustained BASDAI
of at least 4"); exactly 4.0 is active.
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

NAME = "basdai"

# Items Q1-Q6 on 0-10 NRS/VAS (Garrett 1994; NRS preferred by ASAS).
BASDAI_ITEM_MIN = Fraction(0)
BASDAI_ITEM_MAX = Fraction(10)
BASDAI_MIN = Fraction(0)
BASDAI_MAX = Fraction(10)
ITEMS: tuple[str, ...] = ("q1", "q2", "q3", "q4", "q5", "q6")
ITEM_MEANINGS: tuple[str, ...] = (
    "fatigue",
    "spinal (neck, back, hip) pain",
    "peripheral joint pain/swelling",
    "enthesitis (areas tender to touch or pressure)",
    "severity of morning stiffness",
    "duration of morning stiffness (0 none - 10 two or more hours)",
)
# Garrett 1994: mean of Q5 and Q6, added to the sum of Q1-Q4, divided by 5.
BASDAI_STIFFNESS_ITEMS = Fraction(2)
BASDAI_DIVISOR = Fraction(5)

# Active disease: BASDAI >= 4 on 0-10 (Braun 2003 ASAS consensus; NICE TA383 "4 units or more").
BASDAI_ACTIVE_FROM = Fraction(4)
BANDS: tuple[Band, ...] = (
    Band("not-active", BASDAI_ACTIVE_FROM, False, "below the ASAS threshold for active disease"),
    Band("active", None, True, "active disease (ASAS anti-TNF consensus threshold)"),
)

# BASDAI 50: improvement of at least 50 % (Braun 2003 response definition, 50 % arm).
BASDAI50_PERCENT = Fraction(50)

SOURCES = (
    cite("garrett-1994", "BASDAI items and formula"),
    cite("braun-2003", "active disease: BASDAI >= 4"),
)
RESPONSE_SOURCES = (
    cite("garrett-1994", "BASDAI formula"),
    cite("braun-2003", "response: BASDAI improvement of at least 50 %"),
)


def _compute(inputs: Mapping[str, Any]) -> tuple[Fraction, dict[str, Any]]:
    reader = Reader(inputs)
    q = {key: reader.number(key, BASDAI_ITEM_MIN, BASDAI_ITEM_MAX) for key in ITEMS}
    reader.finish(ITEMS)
    stiffness = (q["q5"] + q["q6"]) / BASDAI_STIFFNESS_ITEMS
    sum_q1_q4 = q["q1"] + q["q2"] + q["q3"] + q["q4"]
    value = (sum_q1_q4 + stiffness) / BASDAI_DIVISOR
    components = {
        "items": {key: to_float(v) for key, v in q.items()},
        "sum_q1_q4": to_float(sum_q1_q4),
        "mean_q5_q6": to_float(stiffness),
    }
    return value, components


def exact_value(inputs: Mapping[str, Any]) -> Fraction:
    """Exact BASDAI of item inputs (used by responses)."""
    return _compute(inputs)[0]


def score(**inputs: Any) -> Score:
    """Score BASDAI from q1..q6 (0-10 each)."""
    value, components = _compute(inputs)
    return Score(
        instrument=NAME,
        value=to_float(value),
        category=classify(value, BANDS),
        components=components,
        sources=SOURCES,
    )


def categorize(value: object) -> str:
    """``active`` (>= 4) or ``not-active`` for a BASDAI value 0-10."""
    return classify(check_number(value, "value", BASDAI_MIN, BASDAI_MAX), BANDS)


def response(baseline: Any, current: Any) -> Response:
    """BASDAI change and BASDAI 50 (improvement of at least 50 %)."""
    kwargs: dict[str, Any] = {
        "instruments": (NAME,),
        "low": BASDAI_MIN,
        "high": BASDAI_MAX,
        "scorer": exact_value,
    }
    base = assessment_value(baseline, "baseline", **kwargs)
    now = assessment_value(current, "current", **kwargs)
    pct = percent_change(base, now)
    not_evaluable: dict[str, str] = {}
    if pct is None:
        reason = "baseline BASDAI is 0: a percentage improvement is undefined"
        not_evaluable = {"percent_improvement": reason, "basdai50": reason}
    return Response(
        instrument=NAME,
        baseline=to_float(base),
        current=to_float(now),
        results={
            "delta": to_float(base - now),
            "percent_improvement": output_number(pct),
            "basdai50": None if pct is None else pct >= BASDAI50_PERCENT,
        },
        not_evaluable=not_evaluable,
        sources=RESPONSE_SOURCES,
    )


DOC = InstrumentDoc(
    title="BASDAI - Bath Ankylosing Spondylitis Disease Activity Index",
    summary="Patient-reported disease activity in axial spondyloarthritis.",
    formula="BASDAI = (Q1 + Q2 + Q3 + Q4 + (Q5 + Q6) / 2) / 5",
    value_range="0-10 (float, unrounded; usually reported to 1 decimal)",
    inputs=tuple(
        InputSpec(key, "number 0-10", meaning)
        for key, meaning in zip(ITEMS, ITEM_MEANINGS, strict=True)
    ),
    categories=tuple(
        (band.label, f"{rule} ({band.description})")
        for band, rule in zip(BANDS, band_rule(BANDS, "BASDAI", BASDAI_MIN), strict=True)
    ),
    policies=("Exactly 4.0 is active (>= 4).", "The category is taken from the unrounded value."),
    examples=(
        Example(
            "CamCOPS test case",
            {"q1": 2, "q2": 10, "q3": 7, "q4": 1, "q5": 9, "q6": 3},
            "CamCOPS basdai_tests.py: (2+10+7+1+(9+3)/2)/5 = 5.2",
        ),
        Example(
            "RheumaComposites.jl test case",
            {"q1": 1, "q2": 2, "q3": 2, "q4": 2, "q5": 1, "q6": 3},
            "RheumaComposites.jl test/types/basdai.jl: 1.8",
        ),
    ),
    sources=SOURCES,
)

RESPONSE_DOC = ResponseDoc(
    shown_as=(("basdai50", "BASDAI 50"),),
    title="BASDAI response (BASDAI 50)",
    summary="Change in BASDAI from baseline.",
    inputs="baseline and current: a BASDAI value (0-10), a basdai Score, {'value': x}, or q1..q6.",
    criteria=(
        ("delta", "baseline - current (positive = improvement)"),
        ("percent_improvement", "(baseline - current) / baseline * 100, exact"),
        ("basdai50", "percent_improvement >= 50"),
    ),
    policies=(
        "A baseline of 0 makes percent_improvement and basdai50 null, with the reason.",
        "The ASAS consensus also accepts an absolute fall of >= 2 units together with expert"
        " opinion; that is reported through delta and left to the clinician.",
    ),
    examples=(
        Example(
            "Halving exactly",
            {"baseline": 6.4, "current": 3.2},
            "50 % improvement computed exactly",
        ),
    ),
    sources=RESPONSE_SOURCES,
)
