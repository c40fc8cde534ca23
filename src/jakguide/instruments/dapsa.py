"""DAPSA (Disease Activity index for PSoriatic Arthritis) and DAPSA response.

DAPSA = tender joints (68) + swollen joints (66) + patient global (0-10) + pain (0-10)
+ CRP in **mg/dL** (Schoels et al. 2010). Two classic errors: swapping the joint-count ranges
(tender is out of 68, swollen out of 66) and entering CRP in mg/L, which adds ten times the
CRP term. Cut-offs (Schoels 2016): remission <= 4 < low <= 14 < moderate <= 28 < high.
Response: improvement of >= 50 / 75 / 85 % = minor / moderate / major (Schoels 2016).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from jakguide.instruments._common import assessment_value, output_number
from jakguide.instruments._exact import Reader, check_number, percent_change, to_float
from jakguide.instruments.errors import InstrumentInputError
from jakguide.instruments.model import Band, Response, Score, band_rule, cite, classify
from jakguide.instruments.spec import Example, InputSpec, InstrumentDoc, ResponseDoc

__all__ = ["BANDS", "DOC", "NAME", "RESPONSE_DOC", "categorize", "response", "score"]

NAME = "dapsa"

# Joint counts (Schoels 2010): 68 tender joints, 66 swollen joints (hips excluded for swelling).
DAPSA_TENDER_JOINTS_MAX = Fraction(68)
DAPSA_SWOLLEN_JOINTS_MAX = Fraction(66)
# Patient global and pain are 0-10 (VAS in cm / NRS), Schoels 2010.
DAPSA_PATIENT_SCALE_MAX = Fraction(10)
DAPSA_MIN = Fraction(0)
MG_L_PER_MG_DL = Fraction(10)  # unit conversion: 1 mg/dL = 10 mg/L

# Disease activity, Schoels 2016: "cut-off values of 4 and 14 and 28"; remission <= 4,
# low > 4 to <= 14, moderate > 14 to <= 28, high > 28.
DAPSA_REMISSION_MAX = Fraction(4)
DAPSA_LOW_MAX = Fraction(14)
DAPSA_MODERATE_MAX = Fraction(28)
BANDS: tuple[Band, ...] = (
    Band("remission", DAPSA_REMISSION_MAX, True, "remission"),
    Band("low", DAPSA_LOW_MAX, True, "low disease activity"),
    Band("moderate", DAPSA_MODERATE_MAX, True, "moderate disease activity"),
    Band("high", None, True, "high disease activity"),
)

# Response, Schoels 2016: "DAPSA changes of 50/75/85%, reflecting minor, moderate and major
# improvement".
DAPSA_MINOR_PERCENT = Fraction(50)
DAPSA_MODERATE_PERCENT = Fraction(75)
DAPSA_MAJOR_PERCENT = Fraction(85)

_KEYS = ("tender_joints", "swollen_joints", "patient_global", "pain", "crp_mg_dl", "crp_mg_l")

SOURCES = (
    cite("schoels-2010", "DAPSA formula and components"),
    cite("schoels-2016", "cut-offs 4, 14, 28"),
)
RESPONSE_SOURCES = (
    cite("schoels-2010", "DAPSA formula"),
    cite("schoels-2016", "response: 50/75/85 % = minor/moderate/major improvement"),
)


def _crp_mg_dl(reader: Reader) -> tuple[Fraction, str]:
    has_dl, has_l = reader.has("crp_mg_dl"), reader.has("crp_mg_l")
    if has_dl == has_l:
        raise InstrumentInputError(
            "crp_mg_dl",
            reader.raw("crp_mg_dl") if has_dl else None,
            "exactly one of crp_mg_dl (number >= 0, mg/dL) or crp_mg_l (mg/L)",
        )
    if has_dl:
        reader.raw("crp_mg_l")
        return reader.number("crp_mg_dl", Fraction(0), unit="mg/dL"), "mg/dL"
    reader.raw("crp_mg_dl")
    return reader.number("crp_mg_l", Fraction(0), unit="mg/L") / MG_L_PER_MG_DL, "mg/L"


def _compute(inputs: Mapping[str, Any]) -> tuple[Fraction, dict[str, Any]]:
    reader = Reader(inputs)
    tender = reader.number("tender_joints", Fraction(0), DAPSA_TENDER_JOINTS_MAX, integer=True)
    swollen = reader.number("swollen_joints", Fraction(0), DAPSA_SWOLLEN_JOINTS_MAX, integer=True)
    global_ = reader.number("patient_global", Fraction(0), DAPSA_PATIENT_SCALE_MAX)
    pain = reader.number("pain", Fraction(0), DAPSA_PATIENT_SCALE_MAX)
    crp, unit = _crp_mg_dl(reader)
    reader.finish(_KEYS)
    value = tender + swollen + global_ + pain + crp
    components = {
        "tender_joints": int(tender),
        "swollen_joints": int(swollen),
        "patient_global": to_float(global_),
        "pain": to_float(pain),
        "crp_mg_dl": to_float(crp),
        "crp_entered_unit": unit,
    }
    return value, components


def exact_value(inputs: Mapping[str, Any]) -> Fraction:
    """Exact DAPSA of component inputs (used by responses)."""
    return _compute(inputs)[0]


def score(**inputs: Any) -> Score:
    """Score DAPSA (CRP in mg/dL, or crp_mg_l converted exactly)."""
    value, components = _compute(inputs)
    return Score(
        instrument=NAME,
        value=to_float(value),
        category=classify(value, BANDS),
        components=components,
        sources=SOURCES,
    )


def categorize(value: object) -> str:
    """Disease-activity category of a DAPSA value (>= 0)."""
    return classify(check_number(value, "value", DAPSA_MIN), BANDS)


def response(baseline: Any, current: Any) -> Response:
    """DAPSA percentage improvement: >= 50 minor, >= 75 moderate, >= 85 major."""
    kwargs: dict[str, Any] = {
        "instruments": (NAME,),
        "low": DAPSA_MIN,
        "high": None,
        "scorer": exact_value,
    }
    base = assessment_value(baseline, "baseline", **kwargs)
    now = assessment_value(current, "current", **kwargs)
    pct = percent_change(base, now)
    levels = (
        ("minor", DAPSA_MINOR_PERCENT),
        ("moderate", DAPSA_MODERATE_PERCENT),
        ("major", DAPSA_MAJOR_PERCENT),
    )
    results: dict[str, Any] = {"percent_improvement": output_number(pct)}
    level: str | None = None if pct is None else "none"
    for key, threshold in levels:
        met = None if pct is None else pct >= threshold
        results[key] = met
        if met:
            level = key
    results["improvement"] = level
    not_evaluable: dict[str, str] = {}
    if pct is None:
        reason = "baseline DAPSA is 0: a percentage improvement is undefined"
        for key in ("percent_improvement", "minor", "moderate", "major", "improvement"):
            not_evaluable[key] = reason
    return Response(
        instrument=NAME,
        baseline=to_float(base),
        current=to_float(now),
        results=results,
        not_evaluable=not_evaluable,
        sources=RESPONSE_SOURCES,
    )


DOC = InstrumentDoc(
    title="DAPSA - Disease Activity index for PSoriatic Arthritis",
    summary="Composite peripheral-arthritis activity in psoriatic arthritis.",
    formula="DAPSA = tender_joints(68) + swollen_joints(66) + patient_global(0-10)\n"
    "      + pain(0-10) + CRP(mg/dL)",
    value_range="0 upward (0-154 plus CRP in mg/dL)",
    inputs=(
        InputSpec("tender_joints", "integer 0-68", "tender joint count (68 joints)"),
        InputSpec("swollen_joints", "integer 0-66", "swollen joint count (66 joints)"),
        InputSpec("patient_global", "number 0-10", "patient global assessment (cm/NRS)"),
        InputSpec("pain", "number 0-10", "patient pain (cm/NRS)"),
        InputSpec(
            "crp_mg_dl | crp_mg_l",
            "number >= 0",
            "C-reactive protein; give exactly one (mg/L is divided by 10)",
        ),
    ),
    categories=tuple(
        (band.label, f"{rule} ({band.description})")
        for band, rule in zip(BANDS, band_rule(BANDS, "DAPSA", DAPSA_MIN), strict=True)
    ),
    policies=(
        "Exactly 4.0 is remission, 14.0 low, 28.0 moderate (upper bounds are inclusive).",
        "CRP enters in mg/dL; a value given as crp_mg_l is divided by 10 exactly.",
    ),
    examples=(
        Example(
            "RheumaComposites.jl test case",
            {
                "tender_joints": 1,
                "swollen_joints": 1,
                "patient_global": 1,
                "pain": 1,
                "crp_mg_dl": 3,
            },
            "RheumaComposites.jl test/types/dapsa.jl: 7.0, low",
        ),
        Example(
            "CRP given in mg/L",
            {
                "tender_joints": 10,
                "swollen_joints": 5,
                "patient_global": 7,
                "pain": 6,
                "crp_mg_l": 15,
            },
            "Computed: 29.5 (high); entering 15 as mg/dL would give 43",
        ),
    ),
    sources=SOURCES,
)

RESPONSE_DOC = ResponseDoc(
    shown_as=(
        ("minor", "DAPSA minor response"),
        ("moderate", "DAPSA moderate response"),
        ("major", "DAPSA major response"),
    ),
    title="DAPSA response",
    summary="Percentage improvement of DAPSA from baseline.",
    inputs="baseline and current: a DAPSA value, a dapsa Score, {'value': x}, or the DAPSA inputs.",
    criteria=(
        ("percent_improvement", "(baseline - current) / baseline * 100, exact"),
        ("minor", "percent_improvement >= 50"),
        ("moderate", "percent_improvement >= 75"),
        ("major", "percent_improvement >= 85"),
        ("improvement", "the highest level met: major, moderate, minor or none"),
    ),
    policies=("A baseline of 0 makes every criterion null, with the reason.",),
    examples=(
        Example(
            "Moderate improvement",
            {"baseline": 29.5, "current": 7.3},
            "Computed: 75.3 %",
        ),
    ),
    sources=RESPONSE_SOURCES,
)
