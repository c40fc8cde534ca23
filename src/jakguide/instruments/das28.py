"""DAS28-CRP and DAS28-ESR (28-joint Disease Activity Score, rheumatoid arthritis) and the EULAR
response criteria.

DAS28-ESR = 0.56 sqrt(TJC28) + 0.28 sqrt(SJC28) + 0.70 ln(ESR) + 0.014 GH (Prevoo et al. 1995);
DAS28-CRP = 0.56 sqrt(TJC28) + 0.28 sqrt(SJC28) + 0.36 ln(CRP[mg/L] + 1) + 0.014 GH + 0.96 (the
DAS28-CRP(4) formula of the DAS authors, Radboud University Nijmegen). GH is the patient's global
assessment of disease activity on a 100 mm VAS. States (DAS authors; Fransen & van Riel 2005):
remission < 2.6 <= low <= 3.2 < moderate <= 5.1 < high.

EULAR response (van Gestel et al. 1996, DAS28 version in Fransen & van Riel 2005): *good* is an
improvement > 1.2 with a current DAS28 <= 3.2; *none* is an improvement <= 0.6, or an improvement
<= 1.2 with a current DAS28 > 5.1; every other case is *moderate*.

Arithmetic uses 50-digit decimals, as for ASDAS: the linear part is exact, ln and sqrt are
correctly rounded, so a value that lands exactly on a cut-off (e.g. no tender or swollen joints
and CRP 0) is classified by the published inequality and not by binary rounding.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from jakguide.instruments._common import DECIMALS, assessment_value, crp_mg_l, decimal
from jakguide.instruments._exact import Reader, check_number, fmt, to_float
from jakguide.instruments.errors import InstrumentInputError
from jakguide.instruments.model import Band, Response, Score, band_rule, cite, classify
from jakguide.instruments.spec import Example, InputSpec, InstrumentDoc, ResponseDoc

__all__ = [
    "BANDS",
    "CRP_DOC",
    "ESR_DOC",
    "NAME_CRP",
    "NAME_ESR",
    "RESPONSE_DOC",
    "categorize",
    "response",
    "score_crp",
    "score_esr",
]

NAME_CRP = "das28-crp"
NAME_ESR = "das28-esr"
RESPONSE_NAME = "das28"

_CTX = DECIMALS

# Formula coefficients (Prevoo 1995 for ESR; DAS authors' DAS28-CRP(4) for CRP).
DAS28_TENDER = Decimal("0.56")
DAS28_SWOLLEN = Decimal("0.28")
DAS28_GLOBAL = Decimal("0.014")
DAS28_ESR_LN = Decimal("0.70")
DAS28_CRP_LN = Decimal("0.36")
DAS28_CRP_LN_OFFSET_MG_L = Decimal(1)  # the "+ 1" inside ln(CRP + 1)
DAS28_CRP_CONSTANT = Decimal("0.96")

# Inputs (Prevoo 1995): 28-joint counts; patient global on a 100 mm VAS; scores are >= 0.
DAS28_JOINTS = Fraction(28)
DAS28_GLOBAL_MAX_MM = Fraction(100)
DAS28_MIN = Fraction(0)
# Worked example of the docs (illustrative patient): 4 tender, 3 swollen, GH 50 mm, CRP 12 / ESR 30.
_EXAMPLE_INPUTS = {"tender_28": 4, "swollen_28": 3, "patient_global": 50}
_EXAMPLE_CRP_MG_L = 12
_EXAMPLE_ESR_MM_H = 30
# ln(ESR) is undefined at 0; ESR is reported in whole mm/h with 1 the lowest value.
DAS28_ESR_MIN_MM_H = Fraction(1)

# States (Fransen & van Riel 2005; das-score.nl): remission < 2.6, low <= 3.2, high > 5.1.
DAS28_REMISSION_BELOW = Fraction("2.6")
DAS28_LOW_UP_TO = Fraction("3.2")
DAS28_MODERATE_UP_TO = Fraction("5.1")
BANDS: tuple[Band, ...] = (
    Band("remission", DAS28_REMISSION_BELOW, False, "remission"),
    Band("low", DAS28_LOW_UP_TO, True, "low disease activity"),
    Band("moderate", DAS28_MODERATE_UP_TO, True, "moderate disease activity"),
    Band("high", None, True, "high disease activity"),
)

# EULAR response (van Gestel 1996): improvement > 1.2 / > 0.6; present DAS28 <= 3.2 / > 5.1.
EULAR_LARGE_IMPROVEMENT = Fraction("1.2")
EULAR_SMALL_IMPROVEMENT = Fraction("0.6")

_JOINT_KEYS = ("tender_28", "swollen_28", "patient_global")
_CRP_KEYS = (*_JOINT_KEYS, "crp_mg_l", "crp_mg_dl")
_ESR_KEYS = (*_JOINT_KEYS, "esr_mm_h")

_STATE_SOURCES = (cite("fransen-2005", "DAS28 states: 2.6, 3.2, 5.1"),)
CRP_SOURCES = (cite("das28-crp-formula", "DAS28-CRP(4) formula"), *_STATE_SOURCES)
ESR_SOURCES = (cite("prevoo-1995", "DAS28 formula (ESR)"), *_STATE_SOURCES)
RESPONSE_SOURCES = (
    cite("van-gestel-1996", "EULAR response criteria"),
    cite("fransen-2005", "EULAR response criteria on DAS28"),
)


def _compute(version: str, inputs: Mapping[str, Any]) -> tuple[Decimal, dict[str, Any]]:
    reader = Reader(inputs)
    tender = reader.number("tender_28", Fraction(0), DAS28_JOINTS, integer=True)
    swollen = reader.number("swollen_28", Fraction(0), DAS28_JOINTS, integer=True)
    global_mm = reader.number("patient_global", Fraction(0), DAS28_GLOBAL_MAX_MM, unit="mm")
    terms = {
        "tender_28": _CTX.multiply(DAS28_TENDER, _CTX.sqrt(decimal(tender))),
        "swollen_28": _CTX.multiply(DAS28_SWOLLEN, _CTX.sqrt(decimal(swollen))),
        "patient_global": _CTX.multiply(DAS28_GLOBAL, decimal(global_mm)),
    }
    components: dict[str, Any] = {
        "tender_28": int(tender),
        "swollen_28": int(swollen),
        "patient_global_mm": to_float(global_mm),
    }
    if version == NAME_CRP:
        crp, unit = crp_mg_l(reader)
        reader.finish(_CRP_KEYS)
        terms["crp"] = _CTX.multiply(DAS28_CRP_LN, _CTX.ln(_CTX.add(crp, DAS28_CRP_LN_OFFSET_MG_L)))
        terms["constant"] = DAS28_CRP_CONSTANT
        components.update(crp_mg_l=float(crp), crp_entered_unit=unit)
    else:
        esr = reader.number("esr_mm_h", DAS28_ESR_MIN_MM_H, unit="mm/h")
        reader.finish(_ESR_KEYS)
        terms["esr"] = _CTX.multiply(DAS28_ESR_LN, _CTX.ln(decimal(esr)))
        components["esr_mm_h"] = to_float(esr)
    total = Decimal(0)
    for term in terms.values():
        total = _CTX.add(total, term)
    components["terms"] = {k: float(v) for k, v in terms.items()}
    return total, components


def _score(version: str, inputs: Mapping[str, Any]) -> Score:
    total, components = _compute(version, inputs)
    return Score(
        instrument=version,
        value=float(total),
        category=classify(total, BANDS),
        components=components,
        sources=CRP_SOURCES if version == NAME_CRP else ESR_SOURCES,
    )


def score_crp(**inputs: Any) -> Score:
    """DAS28-CRP from 28-joint counts, patient global (0-100 mm) and CRP in mg/L (or mg/dL)."""
    return _score(NAME_CRP, inputs)


def score_esr(**inputs: Any) -> Score:
    """DAS28-ESR from 28-joint counts, patient global (0-100 mm) and ESR in mm/h."""
    return _score(NAME_ESR, inputs)


def categorize(value: object) -> str:
    """Disease-activity state of an (unrounded) DAS28 value."""
    return classify(check_number(value, "value", DAS28_MIN), BANDS)


def _version_of(assessment: Any) -> str | None:
    if isinstance(assessment, Score):
        return assessment.instrument
    if isinstance(assessment, Mapping):
        if any(assessment.get(k) is not None for k in ("crp_mg_l", "crp_mg_dl")):
            return NAME_CRP
        if assessment.get("esr_mm_h") is not None:
            return NAME_ESR
    return None


def _exact_mapping(inputs: Mapping[str, Any]) -> Fraction:
    version = _version_of(inputs) or NAME_CRP
    return Fraction(_compute(version, inputs)[0])


def eular_level(baseline: Fraction, current: Fraction) -> str:
    """EULAR response of an exact baseline and current DAS28: good, moderate or none."""
    improvement = baseline - current
    if improvement > EULAR_LARGE_IMPROVEMENT and current <= DAS28_LOW_UP_TO:
        return "good"
    if improvement <= EULAR_SMALL_IMPROVEMENT:
        return "none"
    if improvement <= EULAR_LARGE_IMPROVEMENT and current > DAS28_MODERATE_UP_TO:
        return "none"
    return "moderate"


def response(baseline: Any, current: Any) -> Response:
    """EULAR response between two DAS28 values of the same version."""
    versions = (_version_of(baseline), _version_of(current))
    if versions[0] and versions[1] and versions[0] != versions[1]:
        raise InstrumentInputError(
            "current", versions[1], f"the same DAS28 version as the baseline ({versions[0]})"
        )
    kwargs: dict[str, Any] = {
        "instruments": (NAME_CRP, NAME_ESR),
        "low": DAS28_MIN,
        "high": None,
        "scorer": _exact_mapping,
    }
    base = assessment_value(baseline, "baseline", **kwargs)
    now = assessment_value(current, "current", **kwargs)
    return Response(
        instrument=RESPONSE_NAME,
        baseline=to_float(base),
        current=to_float(now),
        results={
            "version": versions[0] or versions[1],
            "improvement": to_float(base - now),
            "current_category": classify(now, BANDS),
            "eular_response": (level := eular_level(base, now)),
            "eular_good": level == "good",
            "eular_moderate_or_good": level != "none",
        },
        sources=RESPONSE_SOURCES,
    )


def _doc(version: str) -> InstrumentDoc:
    crp = version == NAME_CRP
    marker = (
        InputSpec(
            "crp_mg_l | crp_mg_dl",
            "number >= 0",
            "C-reactive protein; give exactly one (mg/dL is multiplied by 10)",
        )
        if crp
        else InputSpec("esr_mm_h", f"number >= {fmt(DAS28_ESR_MIN_MM_H)}", "ESR in mm/h")
    )
    return InstrumentDoc(
        title=f"{version.upper()} - 28-joint Disease Activity Score ({'CRP' if crp else 'ESR'})",
        summary="Composite disease activity in rheumatoid arthritis.",
        formula=(
            "DAS28-CRP = 0.56 sqrt(tender_28) + 0.28 sqrt(swollen_28)\n"
            "          + 0.36 ln(CRP[mg/L] + 1) + 0.014 patient_global + 0.96"
            if crp
            else "DAS28-ESR = 0.56 sqrt(tender_28) + 0.28 sqrt(swollen_28)\n"
            "          + 0.70 ln(ESR[mm/h]) + 0.014 patient_global"
        ),
        value_range="0.96 to about 8.5 (CRP); about 0 to 9.4 (ESR); float, unrounded",
        inputs=(
            InputSpec("tender_28", "integer 0-28", "tender joint count (28 joints)"),
            InputSpec("swollen_28", "integer 0-28", "swollen joint count (28 joints)"),
            InputSpec("patient_global", "number 0-100 mm", "patient global assessment, VAS"),
            marker,
        ),
        categories=tuple(
            (band.label, f"{rule} ({band.description})")
            for band, rule in zip(BANDS, band_rule(BANDS, "DAS28", DAS28_MIN), strict=True)
        ),
        policies=(
            "States are taken from the unrounded value: exactly 3.2 is low, 5.1 moderate.",
            "The CRP and ESR versions are not interchangeable; a response compares one version.",
        ),
        examples=(
            Example(
                "Moderate activity",
                {
                    **_EXAMPLE_INPUTS,
                    **({"crp_mg_l": _EXAMPLE_CRP_MG_L} if crp else {"esr_mm_h": _EXAMPLE_ESR_MM_H}),
                },
                "Computed: " + ("4.19 (moderate)" if crp else "4.69 (moderate)"),
            ),
        ),
        sources=CRP_SOURCES if crp else ESR_SOURCES,
    )


CRP_DOC = _doc(NAME_CRP)
ESR_DOC = _doc(NAME_ESR)

RESPONSE_DOC = ResponseDoc(
    shown_as=(
        ("eular_moderate_or_good", "EULAR moderate or good response"),
        ("eular_good", "EULAR good response"),
    ),
    title="DAS28 EULAR response",
    summary="EULAR good / moderate / no response from the DAS28 change and the DAS28 reached.",
    inputs="baseline and current: a DAS28 value, a das28-crp or das28-esr Score, {'value': x},"
    " or the DAS28 inputs (one version for both).",
    criteria=(
        ("improvement", "baseline - current, exact"),
        ("eular_response", "good: improvement > 1.2 and current <= 3.2"),
        ("", "none: improvement <= 0.6, or improvement <= 1.2 and current > 5.1"),
        ("", "moderate: every other case"),
        ("eular_good", "eular_response is good"),
        ("eular_moderate_or_good", "eular_response is moderate or good"),
    ),
    policies=("Baseline and current must use the same DAS28 version.",),
    examples=(
        Example("Good response", {"baseline": 5.4, "current": 3.1}, "Computed: 2.3, good"),
        Example("No response", {"baseline": 6.0, "current": 5.2}, "Computed: 0.8, none"),
    ),
    sources=RESPONSE_SOURCES,
)
