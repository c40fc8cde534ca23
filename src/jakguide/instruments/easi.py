"""EASI (Eczema Area and Severity Index, atopic dermatitis) and EASI-50/75/90 response.

For each region (head and neck, trunk, upper limbs, lower limbs): (erythema + induration +
excoriation + lichenification, each 0-3) x area score (0-6) x region weight; EASI is the sum,
0-72 (Hanifin et al. 2001). Weights: head/neck 0.1, trunk 0.3, upper limbs 0.2, lower limbs
0.4; under 8 years of age head/neck 0.2 and lower limbs 0.3. Severity strata (Leshem et al.
2015): 0 clear; 0.1-1.0 almost clear; 1.1-7.0 mild; 7.1-21.0 moderate; 21.1-50.0 severe;
50.1-72.0 very severe. Values between strata (e.g. 1.05, possible only with unusual inputs) go to
the higher stratum: the strata are applied as upper bounds 1.0, 7.0, 21.0 and 50.0.
Response: EASI-50 / 75 / 90 = an improvement of at least 50 / 75 / 90 % from baseline.
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

NAME = "easi"

REGIONS: tuple[str, ...] = ("head_neck", "trunk", "upper_limbs", "lower_limbs")
SIGNS: tuple[str, ...] = ("erythema", "induration", "excoriation", "lichenification")
# Hanifin 2001: region weights by age (>= 8 years; under 8 years).
WEIGHTS: dict[str, Fraction] = {
    "head_neck": Fraction("0.1"),
    "trunk": Fraction("0.3"),
    "upper_limbs": Fraction("0.2"),
    "lower_limbs": Fraction("0.4"),
}
CHILD_WEIGHTS: dict[str, Fraction] = {
    "head_neck": Fraction("0.2"),
    "trunk": Fraction("0.3"),
    "upper_limbs": Fraction("0.2"),
    "lower_limbs": Fraction("0.3"),
}
EASI_CHILD_BELOW_AGE = Fraction(8)  # Hanifin 2001: the child weights apply under 8 years
EASI_SIGN_MAX = Fraction(3)
EASI_AREA_MAX = Fraction(6)
EASI_MIN = Fraction(0)
EASI_MAX = Fraction(72)
AGE_MAX = Fraction(130)  # plausibility bound, not a clinical number

# Leshem 2015 strata, as inclusive upper bounds.
BANDS: tuple[Band, ...] = (
    Band("clear", Fraction(0), True, "clear"),
    Band("almost-clear", Fraction(1), True, "almost clear"),
    Band("mild", Fraction(7), True, "mild"),
    Band("moderate", Fraction(21), True, "moderate"),
    Band("severe", Fraction(50), True, "severe"),
    Band("very-severe", None, True, "very severe"),
)

# Response levels (Simpson 2022): percentage improvement from baseline.
EASI_50_PERCENT = Fraction(50)
EASI_75_PERCENT = Fraction(75)
EASI_90_PERCENT = Fraction(90)

_KEYS = (
    "age_years",
    *(f"{region}_area" for region in REGIONS),
    *(f"{region}_{sign}" for region in REGIONS for sign in SIGNS),
)

SOURCES = (
    cite("hanifin-2001", "EASI regions, signs, area scores and weights"),
    cite("leshem-2015", "severity strata"),
)
RESPONSE_SOURCES = (
    cite("hanifin-2001", "EASI formula"),
    cite("simpson-2022-easi", "EASI-50/75/90: percentage improvement from baseline"),
)


def _compute(inputs: Mapping[str, Any]) -> tuple[Fraction, dict[str, Any]]:
    reader = Reader(inputs)
    age = reader.number("age_years", Fraction(0), AGE_MAX, unit="years")
    weights = CHILD_WEIGHTS if age < EASI_CHILD_BELOW_AGE else WEIGHTS
    total = Fraction(0)
    regions: dict[str, Any] = {}
    for region in REGIONS:
        area = reader.number(f"{region}_area", Fraction(0), EASI_AREA_MAX, integer=True)
        signs = [
            reader.number(f"{region}_{sign}", Fraction(0), EASI_SIGN_MAX, integer=True)
            for sign in SIGNS
        ]
        value = sum(signs, Fraction(0)) * area * weights[region]
        total += value
        regions[region] = {"area": int(area), "severity": int(sum(signs)), "score": to_float(value)}
    reader.finish(_KEYS)
    return total, {
        "weights": "under 8 years" if weights is CHILD_WEIGHTS else "8 years and over",
        "regions": regions,
    }


def exact_value(inputs: Mapping[str, Any]) -> Fraction:
    return _compute(inputs)[0]


def score(**inputs: Any) -> Score:
    """EASI from the four regions' area scores (0-6) and sign scores (0-3), by age."""
    value, components = _compute(inputs)
    return Score(
        instrument=NAME,
        value=to_float(value),
        category=classify(value, BANDS),
        components=components,
        sources=SOURCES,
    )


def categorize(value: object) -> str:
    """Severity stratum of an EASI value (0-72)."""
    return classify(check_number(value, "value", EASI_MIN, EASI_MAX), BANDS)


def response(baseline: Any, current: Any) -> Response:
    """EASI-50, EASI-75 and EASI-90 from the percentage improvement."""
    kwargs: dict[str, Any] = {
        "instruments": (NAME,),
        "low": EASI_MIN,
        "high": EASI_MAX,
        "scorer": exact_value,
    }
    base = assessment_value(baseline, "baseline", **kwargs)
    now = assessment_value(current, "current", **kwargs)
    pct = percent_change(base, now)
    results: dict[str, Any] = {"percent_improvement": output_number(pct)}
    not_evaluable: dict[str, str] = {}
    for key, threshold in (
        ("easi50", EASI_50_PERCENT),
        ("easi75", EASI_75_PERCENT),
        ("easi90", EASI_90_PERCENT),
    ):
        results[key] = None if pct is None else pct >= threshold
        if pct is None:
            not_evaluable[key] = "baseline EASI is 0: a percentage improvement is undefined"
    if pct is None:
        not_evaluable["percent_improvement"] = not_evaluable["easi50"]
    return Response(
        instrument=NAME,
        baseline=to_float(base),
        current=to_float(now),
        results=results,
        not_evaluable=not_evaluable,
        sources=RESPONSE_SOURCES,
    )


_EXAMPLE: dict[str, Any] = {"age_years": 30}
for _region, _area, _signs in (
    ("head_neck", 3, (2, 2, 1, 1)),
    ("trunk", 4, (2, 2, 2, 1)),
    ("upper_limbs", 4, (2, 2, 1, 1)),
    ("lower_limbs", 3, (2, 2, 1, 1)),
):
    _EXAMPLE[f"{_region}_area"] = _area
    for _sign, _value in zip(SIGNS, _signs, strict=True):
        _EXAMPLE[f"{_region}_{_sign}"] = _value

DOC = InstrumentDoc(
    title="EASI - Eczema Area and Severity Index",
    summary="Extent and severity of atopic dermatitis signs.",
    formula="EASI = sum over head_neck, trunk, upper_limbs, lower_limbs of\n"
    "       (erythema + induration + excoriation + lichenification) x area x weight\n"
    "weights: 0.1 / 0.3 / 0.2 / 0.4 (age 8 and over); 0.2 / 0.3 / 0.2 / 0.3 (under 8)",
    value_range="0-72",
    inputs=(
        InputSpec("age_years", "number >= 0", "age; under 8 selects the child weights"),
        *(
            InputSpec(
                f"{region}_area",
                "integer 0-6",
                "area score: 0 none, 1 <10 %, 2 10-29 %,"
                " 3 30-49 %, 4 50-69 %, 5 70-89 %, 6 90-100 %",
            )
            for region in REGIONS
        ),
        *(
            InputSpec(f"{region}_{sign}", "integer 0-3", f"{sign}: 0 none to 3 severe")
            for region in REGIONS
            for sign in SIGNS
        ),
    ),
    categories=tuple(
        (band.label, f"{rule} ({band.description})")
        for band, rule in zip(BANDS, band_rule(BANDS, "EASI", EASI_MIN), strict=True)
    ),
    policies=(
        "Sign scores are whole numbers 0-3 (half points are refused rather than guessed).",
        "Strata are applied as inclusive upper bounds 0, 1.0, 7.0, 21.0 and 50.0.",
        "age_years is required: the child weights differ and are never assumed.",
    ),
    examples=(Example("Adult, severe", _EXAMPLE, "Computed: 22.2 (severe)"),),
    sources=SOURCES,
)

RESPONSE_DOC = ResponseDoc(
    shown_as=(
        ("easi50", "EASI-50"),
        ("easi75", "EASI-75"),
        ("easi90", "EASI-90"),
    ),
    title="EASI response (EASI-50, EASI-75, EASI-90)",
    summary="Percentage improvement of EASI from baseline.",
    inputs="baseline and current: an EASI value, an easi Score, {'value': x}, or the EASI inputs.",
    criteria=(
        ("percent_improvement", "(baseline - current) / baseline * 100, exact"),
        ("easi50", "percent_improvement >= 50"),
        ("easi75", "percent_improvement >= 75"),
        ("easi90", "percent_improvement >= 90"),
    ),
    policies=("A baseline of 0 makes every criterion null, with the reason.",),
    examples=(Example("EASI-75", {"baseline": 22.2, "current": 5.5}, "Computed: 75.2 %"),),
    sources=RESPONSE_SOURCES,
)
