"""HECSI (Hand Eczema Severity Index, chronic hand eczema) and HECSI-75/90.

Five locations of both hands (fingertips, fingers except the tips, palms, backs of the hands,
wrists); in each, six signs (erythema, induration/papulation, vesicles, fissuring, scaling,
oedema) graded 0-3, and the extent graded 0-4 (0 %, 1-25 %, 26-50 %, 51-75 %, 76-100 %). A
location scores (sum of its six signs) x its extent, 0-72; HECSI is the sum over the five
locations, 0-360 (Held et al. 2005). Severity bands (Oosterhaven & Schuttelaar 2019): clear 0,
almost clear 1-16, moderate 17-37, severe 38-116, very severe >= 117 (no "mild" band is
published). HECSI-75 and HECSI-90 are >= 75 % and >= 90 % improvement from baseline, the
delgocitinib trials' (DELTA 1 and 2) key secondary endpoint at week 16.
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

NAME = "hecsi"

LOCATIONS: tuple[tuple[str, str], ...] = (
    ("fingertips", "fingertips"),
    ("fingers", "fingers, except the fingertips"),
    ("palms", "palms of the hands"),
    ("backs", "backs of the hands"),
    ("wrists", "wrists"),
)
SIGNS: tuple[str, ...] = ("erythema", "induration", "vesicles", "fissuring", "scaling", "oedema")

# Held 2005: each sign 0-3, extent 0-4 (0 %, 1-25, 26-50, 51-75, 76-100 %); total 0-360.
SIGN_MAX = Fraction(3)
EXTENT_MAX = Fraction(4)
HECSI_MIN = Fraction(0)
HECSI_MAX = Fraction(360)

# Oosterhaven & Schuttelaar 2019: clear 0, almost clear 1-16, moderate 17-37, severe 38-116,
# very severe >= 117 (HECSI is an integer).
BANDS: tuple[Band, ...] = (
    Band("clear", Fraction(0), True, "clear"),
    Band("almost-clear", Fraction(16), True, "almost clear"),
    Band("moderate", Fraction(37), True, "moderate"),
    Band("severe", Fraction(116), True, "severe"),
    Band("very-severe", None, True, "very severe"),
)

# DELTA 1 and 2 (Bissonnette 2024): HECSI-75 (>= 75 % improvement); HECSI-90 likewise.
HECSI_75_PERCENT = Fraction(75)
HECSI_90_PERCENT = Fraction(90)

SOURCES = (
    cite("held-2005-hecsi", "HECSI locations, signs, extent and formula"),
    cite("oosterhaven-2019-hecsi", "HECSI severity bands"),
)
RESPONSE_SOURCES = (
    cite("held-2005-hecsi", "HECSI formula"),
    cite("bissonnette-2024-delta", "HECSI-75 at week 16 (key secondary endpoint)"),
)

KEYS: tuple[str, ...] = tuple(
    f"{loc}_{item}" for loc, _ in LOCATIONS for item in (*SIGNS, "extent")
)


def _compute(inputs: Mapping[str, Any]) -> tuple[Fraction, dict[str, Any]]:
    reader = Reader(inputs)
    per_location: dict[str, int] = {}
    total = Fraction(0)
    for loc, _ in LOCATIONS:
        signs = sum(
            (reader.number(f"{loc}_{s}", Fraction(0), SIGN_MAX, integer=True) for s in SIGNS),
            Fraction(0),
        )
        extent = reader.number(f"{loc}_extent", Fraction(0), EXTENT_MAX, integer=True)
        per_location[loc] = int(signs * extent)
        total += signs * extent
    reader.finish(KEYS)
    return total, per_location


def exact_value(inputs: Mapping[str, Any]) -> Fraction:
    return _compute(inputs)[0]


def score(**inputs: Any) -> Score:
    """HECSI from the six signs and the extent in each of the five hand locations."""
    value, components = _compute(inputs)
    return Score(
        instrument=NAME,
        value=int(value),
        category=classify(value, BANDS),
        components=components,
        sources=SOURCES,
    )


def categorize(value: object) -> str:
    """Severity band of a HECSI total (integer 0-360)."""
    return classify(check_number(value, "value", HECSI_MIN, HECSI_MAX, integer=True), BANDS)


def response(baseline: Any, current: Any) -> Response:
    """HECSI-75 and HECSI-90 from the percentage improvement."""
    kwargs: dict[str, Any] = {
        "instruments": (NAME,),
        "low": HECSI_MIN,
        "high": HECSI_MAX,
        "scorer": exact_value,
    }
    base = assessment_value(baseline, "baseline", **kwargs)
    now = assessment_value(current, "current", **kwargs)
    pct = percent_change(base, now)
    results: dict[str, Any] = {"percent_improvement": output_number(pct)}
    not_evaluable: dict[str, str] = {}
    for key, threshold in (("hecsi75", HECSI_75_PERCENT), ("hecsi90", HECSI_90_PERCENT)):
        results[key] = None if pct is None else pct >= threshold
        if pct is None:
            not_evaluable[key] = "baseline HECSI is 0: a percentage improvement is undefined"
    return Response(
        instrument=NAME,
        baseline=to_float(base),
        current=to_float(now),
        results=results,
        not_evaluable=not_evaluable,
        sources=RESPONSE_SOURCES,
    )


_EXAMPLE = {
    **dict.fromkeys(KEYS, 0),
    "palms_erythema": 2,
    "palms_scaling": 2,
    "palms_fissuring": 1,
    "palms_extent": 3,
    "fingers_erythema": 1,
    "fingers_vesicles": 2,
    "fingers_extent": 2,
}

DOC = InstrumentDoc(
    title="HECSI - Hand Eczema Severity Index",
    summary="Signs and extent of chronic hand eczema in five locations of both hands.",
    formula="location = (erythema + induration + vesicles + fissuring + scaling + oedema)"
    " x extent\nHECSI = sum of the five locations",
    value_range="integer 0-360",
    inputs=tuple(
        InputSpec(f"{loc}_{s}", "integer 0-3", f"{s} on the {text}")
        for loc, text in LOCATIONS
        for s in SIGNS
    )
    + tuple(
        InputSpec(
            f"{loc}_extent", "integer 0-4", f"extent on the {text}: 0, 1-25, 26-50, 51-75, 76-100 %"
        )
        for loc, text in LOCATIONS
    ),
    categories=tuple(
        (band.label, f"{rule} ({band.description})")
        for band, rule in zip(BANDS, band_rule(BANDS, "HECSI", HECSI_MIN), strict=True)
    ),
    policies=("Both hands are graded together in each location, as Held 2005 describes.",),
    examples=(
        Example(
            "Palms and fingers",
            _EXAMPLE,
            "Computed: palms (2 + 2 + 1) x 3 = 15, fingers (1 + 2) x 2 = 6; HECSI 21 (moderate)",
        ),
    ),
    sources=SOURCES,
)

RESPONSE_DOC = ResponseDoc(
    shown_as=(
        ("hecsi75", "HECSI-75"),
        ("hecsi90", "HECSI-90"),
    ),
    title="HECSI response (HECSI-75, HECSI-90)",
    summary="Percentage improvement of HECSI from baseline.",
    inputs="baseline and current: a HECSI value, a hecsi Score, {'value': x}, or the inputs.",
    criteria=(
        ("percent_improvement", "(baseline - current) / baseline * 100, exact"),
        ("hecsi75", "percent_improvement >= 75"),
        ("hecsi90", "percent_improvement >= 90"),
    ),
    policies=("A baseline of 0 makes every criterion null, with the reason.",),
    examples=(Example("HECSI-75", {"baseline": 80, "current": 20}, "Computed: 75 %: true"),),
    sources=RESPONSE_SOURCES,
)
