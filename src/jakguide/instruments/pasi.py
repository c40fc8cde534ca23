"""PASI (Psoriasis Area and Severity Index) and PASI 50/75/90/100 response.

Formula (Fredriksson & Pettersson 1978): for each of four regions, the sum of erythema,
induration and desquamation (each 0-4) times the area score (0-6), weighted 0.1 head,
0.2 upper limbs, 0.3 trunk, 0.4 lower limbs; total 0-72. PASI has no canonical severity bands
(several incompatible schemes circulate), so ``category`` is ``None``; use the
``psoriasis-severity`` instrument (rule of tens) for a severity classification.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from jakguide.instruments._common import assessment_value, output_number
from jakguide.instruments._exact import Reader, percent_change, to_float
from jakguide.instruments.errors import InstrumentInputError
from jakguide.instruments.model import Response, Score, cite
from jakguide.instruments.spec import Example, InputSpec, InstrumentDoc, ResponseDoc

__all__ = ["DOC", "NAME", "RESPONSE_DOC", "area_score", "categorize", "response", "score"]

NAME = "pasi"

# Region weights, Fredriksson & Pettersson 1978 ("multiply ... by 0.1, 0.2, 0.3, and 0.4 for
# head, arms, trunk, and legs, respectively"; Ann Rheum Dis 2005 'Elements of the PASI').
PASI_WEIGHT_HEAD = Fraction("0.1")
PASI_WEIGHT_UPPER_LIMBS = Fraction("0.2")
PASI_WEIGHT_TRUNK = Fraction("0.3")
PASI_WEIGHT_LOWER_LIMBS = Fraction("0.4")

# Severity signs are each graded 0 (none) to 4 (Fredriksson & Pettersson 1978).
PASI_SIGN_MIN = Fraction(0)
PASI_SIGN_MAX = Fraction(4)

# Area score 0-6 (Fredriksson & Pettersson 1978): 0 = 0 %; 1 = <10 %; 2 = 10-<30 %;
# 3 = 30-<50 %; 4 = 50-<70 %; 5 = 70-<90 %; 6 = 90-100 %. Bands are half-open [low, high)
# so that non-integer percentages (9.5 %, 29.5 %) fall in exactly one band.
PASI_AREA_SCORE_MIN = Fraction(0)
PASI_AREA_SCORE_MAX = Fraction(6)
PASI_AREA_PERCENT_MAX = Fraction(100)
PASI_AREA_BANDS: tuple[tuple[Fraction, int], ...] = (
    (Fraction(10), 1),
    (Fraction(30), 2),
    (Fraction(50), 3),
    (Fraction(70), 4),
    (Fraction(90), 5),
)
PASI_AREA_SCORE_TOP = 6  # 90-100 %, Fredriksson & Pettersson 1978

# Maximum PASI = (0.1 + 0.2 + 0.3 + 0.4) x 12 x 6 = 72 (follows from the formula).
PASI_MIN = Fraction(0)
PASI_MAX = Fraction(72)

# PASI n = improvement of at least n % from baseline (e.g. NCT02474082: ">=75% improvement
# (reduction) in PASI score compared to baseline"); PASI 100 = complete clearance.
PASI50_PERCENT = Fraction(50)
PASI75_PERCENT = Fraction(75)
PASI90_PERCENT = Fraction(90)
PASI100_PERCENT = Fraction(100)

REGIONS: tuple[tuple[str, Fraction], ...] = (
    ("head", PASI_WEIGHT_HEAD),
    ("upper_limbs", PASI_WEIGHT_UPPER_LIMBS),
    ("trunk", PASI_WEIGHT_TRUNK),
    ("lower_limbs", PASI_WEIGHT_LOWER_LIMBS),
)
SIGNS: tuple[str, ...] = ("erythema", "induration", "desquamation")
_REGION_KEYS: tuple[str, ...] = (*SIGNS, "area", "area_percent")

SOURCES = (
    cite("fredriksson-1978", "PASI formula, region weights, area score 0-6"),
    cite("louden-2004", "figure 1, worked examples"),
)
RESPONSE_SOURCES = (
    cite("fredriksson-1978", "PASI formula"),
    cite("nct02474082", "outcome definition: PASI 75 responder"),
)


def area_score(percent: Fraction) -> int:
    """Map an involved-area percentage (0-100) to the PASI area score 0-6."""
    if percent == 0:
        return 0
    for upper, grade in PASI_AREA_BANDS:
        if percent < upper:
            return grade
    return PASI_AREA_SCORE_TOP


def _region(inputs: Mapping[str, Any], region: str) -> tuple[Fraction, int, Fraction | None]:
    raw = inputs.get(region)
    if raw is None:
        raise InstrumentInputError(
            region, None, "a mapping with erythema, induration, desquamation and area"
        )
    reader = Reader(raw, prefix=f"{region}.", what="a mapping of the region's items")
    severity = sum(
        (reader.number(sign, PASI_SIGN_MIN, PASI_SIGN_MAX, integer=True) for sign in SIGNS),
        Fraction(0),
    )
    has_area, has_percent = reader.has("area"), reader.has("area_percent")
    if has_area == has_percent:
        raise InstrumentInputError(
            f"{region}.area",
            raw.get("area") if has_area else None,
            "exactly one of area (integer 0-6) or area_percent (number 0-100)",
        )
    percent: Fraction | None = None
    if has_area:
        grade = int(reader.number("area", PASI_AREA_SCORE_MIN, PASI_AREA_SCORE_MAX, integer=True))
        reader.raw("area_percent")
    else:
        percent = reader.number("area_percent", Fraction(0), PASI_AREA_PERCENT_MAX, unit="%")
        grade = area_score(percent)
        reader.raw("area")
    reader.finish(_REGION_KEYS)
    return severity, grade, percent


def exact_value(inputs: Mapping[str, Any]) -> Fraction:
    """Exact PASI of regional inputs (used by responses)."""
    return _compute(inputs)[0]


def _compute(inputs: Mapping[str, Any]) -> tuple[Fraction, dict[str, Any]]:
    reader = Reader(inputs, what="a mapping of the PASI regions")
    regions = tuple(name for name, _ in REGIONS)
    components: dict[str, Any] = {}
    total = Fraction(0)
    for name, weight in REGIONS:
        reader.raw(name)
        severity, grade, percent = _region(inputs, name)
        subtotal = weight * severity * grade
        total += subtotal
        components[name] = {
            "weight": to_float(weight),
            "severity_sum": int(severity),
            "area_score": grade,
            "area_percent": None if percent is None else to_float(percent),
            "subtotal": to_float(subtotal),
        }
    reader.finish(regions)
    return total, components


def score(**inputs: Any) -> Score:
    """Score PASI from the four regions (each a mapping of signs and area)."""
    total, components = _compute(inputs)
    return Score(
        instrument=NAME,
        value=to_float(total),
        category=None,
        components=components,
        sources=SOURCES,
        notes=(
            "PASI has no canonical severity bands; use psoriasis-severity (rule of tens) to"
            " classify severity.",
        ),
    )


def categorize(value: object) -> str:
    """PASI has no published canonical bands: always an error naming the alternative."""
    raise InstrumentInputError(
        "instrument",
        NAME,
        "an instrument with published categories; PASI has none (use psoriasis-severity)",
    )


def response(baseline: Any, current: Any) -> Response:
    """PASI 50/75/90/100 from a baseline and a follow-up PASI (exact percentages)."""
    base = assessment_value(
        baseline, "baseline", instruments=(NAME,), low=PASI_MIN, high=PASI_MAX, scorer=exact_value
    )
    now = assessment_value(
        current, "current", instruments=(NAME,), low=PASI_MIN, high=PASI_MAX, scorer=exact_value
    )
    pct = percent_change(base, now)
    levels = (
        ("pasi50", PASI50_PERCENT),
        ("pasi75", PASI75_PERCENT),
        ("pasi90", PASI90_PERCENT),
        ("pasi100", PASI100_PERCENT),
    )
    results: dict[str, Any] = {
        "percent_improvement": output_number(pct),
        "absolute_change": to_float(base - now),
    }
    not_evaluable: dict[str, str] = {}
    for key, threshold in levels:
        results[key] = None if pct is None else pct >= threshold
    if pct is None:
        reason = "baseline PASI is 0: a percentage improvement is undefined"
        for key in ("percent_improvement", *(k for k, _ in levels)):
            not_evaluable[key] = reason
    return Response(
        instrument=NAME,
        baseline=to_float(base),
        current=to_float(now),
        results=results,
        not_evaluable=not_evaluable,
        sources=RESPONSE_SOURCES,
    )


_EXAMPLE_1 = {
    "head": {"erythema": 2, "induration": 2, "desquamation": 2, "area_percent": 5},
    "upper_limbs": {"erythema": 2, "induration": 2, "desquamation": 2, "area_percent": 12},
    "trunk": {"erythema": 2, "induration": 2, "desquamation": 2, "area_percent": 35},
    "lower_limbs": {"erythema": 2, "induration": 2, "desquamation": 2, "area_percent": 20},
}

DOC = InstrumentDoc(
    title="PASI - Psoriasis Area and Severity Index",
    summary="Extent and severity of plaque psoriasis, used for trial endpoints (PASI 75/90)"
    " and as one criterion of the rule of tens.",
    formula="PASI = 0.1*(E+I+D)_head*A_head + 0.2*(E+I+D)_upper_limbs*A_upper_limbs\n"
    "     + 0.3*(E+I+D)_trunk*A_trunk + 0.4*(E+I+D)_lower_limbs*A_lower_limbs\n\n"
    "E, I, D = erythema, induration, desquamation (each 0-4); A = area score 0-6:\n"
    "0 = 0 %; 1 = >0 to <10 %; 2 = 10 to <30 %; 3 = 30 to <50 %; 4 = 50 to <70 %;\n"
    "5 = 70 to <90 %; 6 = 90-100 %",
    value_range="0-72 (float, unrounded; usually reported to 1 decimal)",
    inputs=tuple(
        InputSpec(f"{region}.{sign}", "integer 0-4", f"{sign} of the {region} region")
        for region, _ in REGIONS
        for sign in SIGNS
    )
    + tuple(
        InputSpec(
            f"{region}.area | {region}.area_percent",
            "integer 0-6 | number 0-100",
            "area score, or the involved percentage of the region (converted with the bands)",
        )
        for region, _ in REGIONS
    ),
    categories=(("(none)", "No canonical PASI severity band exists; see psoriasis-severity."),),
    policies=(
        "Area percentages map to area scores with half-open bands [low, high): 9.99 % -> 1,"
        " 10 % -> 2, 90 % -> 6.",
        "The value is computed exactly (decimal inputs) and returned unrounded.",
    ),
    examples=(
        Example(
            "Louden 2004, figure 1, patient 1",
            _EXAMPLE_1,
            "Louden BA et al. Dermatol Online J 2004;10(2):7, figure 1 (PASI 13.2)",
        ),
    ),
    sources=SOURCES,
)

RESPONSE_DOC = ResponseDoc(
    shown_as=(
        ("pasi50", "PASI 50"),
        ("pasi75", "PASI 75"),
        ("pasi90", "PASI 90"),
        ("pasi100", "PASI 100"),
    ),
    title="PASI response (PASI 50 / 75 / 90 / 100)",
    summary="Percentage improvement of PASI from baseline.",
    inputs="baseline and current: a PASI value (0-72), a pasi Score, {'value': x},"
    " or the regional PASI inputs.",
    criteria=(
        ("percent_improvement", "(baseline - current) / baseline * 100, exact"),
        ("pasi50", "percent_improvement >= 50"),
        ("pasi75", "percent_improvement >= 75"),
        ("pasi90", "percent_improvement >= 90"),
        ("pasi100", "percent_improvement >= 100 (current PASI 0)"),
    ),
    policies=(
        "A baseline of 0 makes every percentage criterion null, with the reason in not_evaluable.",
        "Thresholds are compared exactly: 13.2 -> 3.3 is exactly 75 % and meets PASI 75.",
    ),
    examples=(
        Example(
            "Floating-point trap: 13.2 -> 3.3",
            {"baseline": 13.2, "current": 3.3},
            "Louden 2004 patient 1 baseline; 75 % fall computed exactly",
        ),
    ),
    sources=RESPONSE_SOURCES,
)
