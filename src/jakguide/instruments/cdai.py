"""CDAI and SDAI (Clinical / Simplified Disease Activity Index, rheumatoid arthritis).

CDAI = tender_28 + swollen_28 + patient global (0-10) + evaluator global (0-10)
(Aletaha et al. 2005); SDAI = CDAI + CRP in **mg/dL** (Smolen et al. 2003). States (Aletaha &
Smolen 2005): CDAI remission <= 2.8 < low <= 10 < moderate <= 22 < high; SDAI remission <= 3.3
< low <= 11 < moderate <= 26 < high. Both are plain sums, so every cut-off is compared exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from jakguide.instruments._exact import Reader, check_number, to_float
from jakguide.instruments.errors import InstrumentInputError
from jakguide.instruments.model import Band, Score, band_rule, cite, classify
from jakguide.instruments.spec import Example, InputSpec, InstrumentDoc

__all__ = [
    "CDAI_BANDS",
    "CDAI_DOC",
    "NAME_CDAI",
    "NAME_SDAI",
    "SDAI_BANDS",
    "SDAI_DOC",
    "categorize_cdai",
    "categorize_sdai",
    "score_cdai",
    "score_sdai",
]

NAME_CDAI = "cdai"
NAME_SDAI = "sdai"

JOINTS_28 = Fraction(28)  # the 28-joint count (Aletaha 2005; Smolen 2003)
GLOBAL_MAX = Fraction(10)  # both global assessments are 0-10 (VAS in cm)
INDEX_MIN = Fraction(0)  # both indices start at 0
MG_L_PER_MG_DL = Fraction(10)  # unit conversion: 1 mg/dL = 10 mg/L

# Aletaha & Smolen 2005: CDAI <= 2.8 remission, <= 10 low, <= 22 moderate, > 22 high.
CDAI_BANDS: tuple[Band, ...] = (
    Band("remission", Fraction("2.8"), True, "remission"),
    Band("low", Fraction(10), True, "low disease activity"),
    Band("moderate", Fraction(22), True, "moderate disease activity"),
    Band("high", None, True, "high disease activity"),
)
# Aletaha & Smolen 2005: SDAI <= 3.3 remission, <= 11 low, <= 26 moderate, > 26 high.
SDAI_BANDS: tuple[Band, ...] = (
    Band("remission", Fraction("3.3"), True, "remission"),
    Band("low", Fraction(11), True, "low disease activity"),
    Band("moderate", Fraction(26), True, "moderate disease activity"),
    Band("high", None, True, "high disease activity"),
)

_CDAI_KEYS = ("tender_28", "swollen_28", "patient_global_10", "evaluator_global_10")
_SDAI_KEYS = (*_CDAI_KEYS, "crp_mg_dl", "crp_mg_l")

_STATES = cite("aletaha-smolen-2005", "CDAI and SDAI cut-offs")
CDAI_SOURCES = (cite("aletaha-2005", "CDAI formula"), _STATES)
SDAI_SOURCES = (cite("smolen-2003", "SDAI formula (CRP in mg/dL)"), _STATES)


def _core(reader: Reader) -> tuple[Fraction, dict[str, Any]]:
    tender = reader.number("tender_28", Fraction(0), JOINTS_28, integer=True)
    swollen = reader.number("swollen_28", Fraction(0), JOINTS_28, integer=True)
    patient = reader.number("patient_global_10", Fraction(0), GLOBAL_MAX)
    evaluator = reader.number("evaluator_global_10", Fraction(0), GLOBAL_MAX)
    components = {
        "tender_28": int(tender),
        "swollen_28": int(swollen),
        "patient_global_10": to_float(patient),
        "evaluator_global_10": to_float(evaluator),
    }
    return tender + swollen + patient + evaluator, components


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


def exact_cdai(inputs: Mapping[str, Any]) -> Fraction:
    reader = Reader(inputs)
    value, _ = _core(reader)
    reader.finish(_CDAI_KEYS)
    return value


def score_cdai(**inputs: Any) -> Score:
    """CDAI: the plain sum of the 28-joint counts and both 0-10 global assessments."""
    reader = Reader(inputs)
    value, components = _core(reader)
    reader.finish(_CDAI_KEYS)
    return Score(
        instrument=NAME_CDAI,
        value=to_float(value),
        category=classify(value, CDAI_BANDS),
        components=components,
        sources=CDAI_SOURCES,
    )


def score_sdai(**inputs: Any) -> Score:
    """SDAI: CDAI plus CRP in mg/dL (a value given as crp_mg_l is divided by 10 exactly)."""
    reader = Reader(inputs)
    value, components = _core(reader)
    crp, unit = _crp_mg_dl(reader)
    reader.finish(_SDAI_KEYS)
    components.update(crp_mg_dl=to_float(crp), crp_entered_unit=unit)
    return Score(
        instrument=NAME_SDAI,
        value=to_float(value + crp),
        category=classify(value + crp, SDAI_BANDS),
        components=components,
        sources=SDAI_SOURCES,
    )


def categorize_cdai(value: object) -> str:
    """Disease-activity state of a CDAI value (>= 0)."""
    return classify(check_number(value, "value", INDEX_MIN), CDAI_BANDS)


def categorize_sdai(value: object) -> str:
    """Disease-activity state of an SDAI value (>= 0)."""
    return classify(check_number(value, "value", INDEX_MIN), SDAI_BANDS)


_INPUTS = (
    InputSpec("tender_28", "integer 0-28", "tender joint count (28 joints)"),
    InputSpec("swollen_28", "integer 0-28", "swollen joint count (28 joints)"),
    InputSpec("patient_global_10", "number 0-10", "patient global assessment (cm)"),
    InputSpec("evaluator_global_10", "number 0-10", "evaluator global assessment (cm)"),
)
_EXAMPLE = {"tender_28": 4, "swollen_28": 3, "patient_global_10": 5, "evaluator_global_10": 4}

CDAI_DOC = InstrumentDoc(
    title="CDAI - Clinical Disease Activity Index",
    summary="Rheumatoid arthritis activity without a laboratory value.",
    formula="CDAI = tender_28 + swollen_28 + patient_global_10 + evaluator_global_10",
    value_range="0-76",
    inputs=_INPUTS,
    categories=tuple(
        (band.label, f"{rule} ({band.description})")
        for band, rule in zip(CDAI_BANDS, band_rule(CDAI_BANDS, "CDAI", INDEX_MIN), strict=True)
    ),
    policies=("Upper bounds are inclusive: exactly 2.8 is remission, 10 low, 22 moderate.",),
    examples=(Example("Moderate activity", _EXAMPLE, "Computed: 16 (moderate)"),),
    sources=CDAI_SOURCES,
)

SDAI_DOC = InstrumentDoc(
    title="SDAI - Simplified Disease Activity Index",
    summary="Rheumatoid arthritis activity: CDAI plus CRP in mg/dL.",
    formula="SDAI = tender_28 + swollen_28 + patient_global_10 + evaluator_global_10 + CRP(mg/dL)",
    value_range="0 upward (0-76 plus CRP in mg/dL)",
    inputs=(
        *_INPUTS,
        InputSpec(
            "crp_mg_dl | crp_mg_l",
            "number >= 0",
            "C-reactive protein; give exactly one (mg/L is divided by 10)",
        ),
    ),
    categories=tuple(
        (band.label, f"{rule} ({band.description})")
        for band, rule in zip(SDAI_BANDS, band_rule(SDAI_BANDS, "SDAI", INDEX_MIN), strict=True)
    ),
    policies=(
        "Upper bounds are inclusive: exactly 3.3 is remission, 11 low, 26 moderate.",
        "CRP enters in mg/dL; entering mg/L as mg/dL adds ten times the CRP term.",
    ),
    examples=(Example("CRP in mg/L", {**_EXAMPLE, "crp_mg_l": 12}, "Computed: 17.2 (moderate)"),),
    sources=SDAI_SOURCES,
)
