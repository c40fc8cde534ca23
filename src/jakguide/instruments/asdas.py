"""ASDAS-CRP and ASDAS-ESR (Ankylosing Spondylitis Disease Activity Score) and ASDAS response.

Coefficients are the 3-decimal ones published by Lukas et al. 2009 (table 1). A 2-decimal
"rounded" set also circulates; it differs by up to ~0.03 and flips categories near cut-offs,
so it is not used. A CRP below 2 mg/L (including hs-CRP and "below detection") is replaced by
2 mg/L (Machado et al. 2015); without this floor low-CRP patients are under-classified.

States (Machado 2011 cut-offs, 2018 nomenclature) are taken from the *unrounded* value:
inactive < 1.3 <= low < 2.1 <= high <= 3.5 < very-high. Exactly 3.5 is ``high``.
Improvement: delta >= 1.1 clinically important, >= 2.0 major (Machado 2011).

Arithmetic uses 50-digit decimals: the linear part is exact, ln and sqrt are correctly rounded
(sqrt of a perfect square is exact), so a score that lands exactly on a cut-off is classified
by the published inequality and not by binary rounding.
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
    "FROM_BASDAI",
    "NAME_CRP",
    "NAME_ESR",
    "RESPONSE_DOC",
    "categorize",
    "exact_pair",
    "response",
    "score_crp",
    "score_esr",
]

NAME_CRP = "asdas-crp"
NAME_ESR = "asdas-esr"
RESPONSE_NAME = "asdas"

_CTX = DECIMALS

# ASDAS-CRP, Lukas 2009 table 1 ("ASDAS C"): 0.121 back pain + 0.058 duration of morning
# stiffness + 0.110 patient global + 0.073 peripheral pain/swelling + 0.579 ln(CRP[mg/L] + 1).
ASDAS_CRP_BACK_PAIN = Decimal("0.121")
ASDAS_CRP_MORNING_STIFFNESS = Decimal("0.058")
ASDAS_CRP_PATIENT_GLOBAL = Decimal("0.110")
ASDAS_CRP_PERIPHERAL = Decimal("0.073")
ASDAS_CRP_LN_CRP = Decimal("0.579")
ASDAS_CRP_LN_OFFSET_MG_L = Decimal(1)  # the "+ 1" inside ln(CRP + 1), Lukas 2009

# ASDAS-ESR, Lukas 2009 table 1 ("ASDAS B"): 0.079 back pain + 0.069 duration of morning
# stiffness + 0.113 patient global + 0.086 peripheral pain/swelling + 0.293 sqrt(ESR[mm/h]).
ASDAS_ESR_BACK_PAIN = Decimal("0.079")
ASDAS_ESR_MORNING_STIFFNESS = Decimal("0.069")
ASDAS_ESR_PATIENT_GLOBAL = Decimal("0.113")
ASDAS_ESR_PERIPHERAL = Decimal("0.086")
ASDAS_ESR_SQRT_ESR = Decimal("0.293")

# CRP below 2 mg/L is replaced by 2 mg/L (Machado 2015; RMD Open 2025 table 2 footnote:
# "ln(max(CRP,2)+1)"). No floor is defined for ESR.
ASDAS_CRP_FLOOR_MG_L = Decimal(2)

# Items are 0-10 NRS/VAS (Lukas 2009).
ASDAS_ITEM_MIN = Fraction(0)
ASDAS_ITEM_MAX = Fraction(10)
ASDAS_MIN = Fraction(0)

# Disease activity states, Machado 2011 ("ASDAS<1.3 | 1.3<=ASDAS<2.1 | 2.1<=ASDAS<=3.5 |
# ASDAS>3.5"), labels per the 2018 nomenclature update (Machado 2018).
ASDAS_INACTIVE_BELOW = Fraction("1.3")
ASDAS_LOW_BELOW = Fraction("2.1")
ASDAS_HIGH_UP_TO = Fraction("3.5")
BANDS: tuple[Band, ...] = (
    Band("inactive", ASDAS_INACTIVE_BELOW, False, "inactive disease"),
    Band("low", ASDAS_LOW_BELOW, False, "low disease activity"),
    Band("high", ASDAS_HIGH_UP_TO, True, "high disease activity"),
    Band("very-high", None, True, "very high disease activity"),
)

# Improvement, Machado 2011: "clinically important improvement: change ... >= 1.1";
# "major improvement: change ... >= 2.0".
ASDAS_CLINICALLY_IMPORTANT_DELTA = Fraction("1.1")
ASDAS_MAJOR_DELTA = Fraction("2.0")

# The ASDAS questions that are BASDAI questions (Lukas 2009: back pain = BASDAI question 2,
# duration of morning stiffness = question 6, peripheral pain/swelling = question 3): item ->
# the basdai input name, so a same-day BASDAI can pre-fill them.
FROM_BASDAI: dict[str, str] = {
    "back_pain": "q2",
    "morning_stiffness_duration": "q6",
    "peripheral_pain_swelling": "q3",
}


def _basdai(item: str) -> str:
    return f"BASDAI question {FROM_BASDAI[item].removeprefix('q')}"


ITEMS: tuple[tuple[str, str], ...] = (
    ("back_pain", f"back pain ({_basdai('back_pain')}), 0-10"),
    (
        "morning_stiffness_duration",
        f"duration of morning stiffness ({_basdai('morning_stiffness_duration')}), 0-10",
    ),
    ("patient_global", "patient global assessment of disease activity, 0-10"),
    (
        "peripheral_pain_swelling",
        f"peripheral pain/swelling ({_basdai('peripheral_pain_swelling')}), 0-10",
    ),
)
_ITEM_KEYS = tuple(k for k, _ in ITEMS)
_CRP_KEYS = (*_ITEM_KEYS, "crp_mg_l", "crp_mg_dl")
_ESR_KEYS = (*_ITEM_KEYS, "esr_mm_h")

_COEFFICIENTS = {
    NAME_CRP: (
        ASDAS_CRP_BACK_PAIN,
        ASDAS_CRP_MORNING_STIFFNESS,
        ASDAS_CRP_PATIENT_GLOBAL,
        ASDAS_CRP_PERIPHERAL,
    ),
    NAME_ESR: (
        ASDAS_ESR_BACK_PAIN,
        ASDAS_ESR_MORNING_STIFFNESS,
        ASDAS_ESR_PATIENT_GLOBAL,
        ASDAS_ESR_PERIPHERAL,
    ),
}

_STATE_SOURCES = (
    cite("machado-2011", "disease activity cut-offs 1.3, 2.1, 3.5"),
    cite("machado-2018", "state labels (inactive, low, high, very high)"),
)
CRP_SOURCES = (
    cite("lukas-2009", "table 1, ASDAS-CRP coefficients"),
    cite("machado-2015", "CRP < 2 mg/L replaced by 2 mg/L"),
    *_STATE_SOURCES,
)
ESR_SOURCES = (cite("lukas-2009", "table 1, ASDAS-ESR coefficients"), *_STATE_SOURCES)
RESPONSE_SOURCES = (
    cite("lukas-2009", "table 1, ASDAS formulas"),
    cite("machado-2011", "improvement: delta >= 1.1 clinically important, >= 2.0 major"),
)


def _compute(
    version: str, inputs: Mapping[str, Any]
) -> tuple[Decimal, dict[str, Any], tuple[str, ...]]:
    reader = Reader(inputs)
    items = [decimal(reader.number(key, ASDAS_ITEM_MIN, ASDAS_ITEM_MAX)) for key in _ITEM_KEYS]
    terms: dict[str, Decimal] = {}
    for (key, _), coefficient, item in zip(ITEMS, _COEFFICIENTS[version], items, strict=True):
        terms[key] = _CTX.multiply(coefficient, item)
    notes: tuple[str, ...] = ()
    components: dict[str, Any] = {}
    if version == NAME_CRP:
        crp, unit = crp_mg_l(reader)
        reader.finish(_CRP_KEYS)
        used = max(crp, ASDAS_CRP_FLOOR_MG_L)
        floored = crp < ASDAS_CRP_FLOOR_MG_L
        terms["crp"] = _CTX.multiply(
            ASDAS_CRP_LN_CRP, _CTX.ln(_CTX.add(used, ASDAS_CRP_LN_OFFSET_MG_L))
        )
        components.update(
            crp_entered_mg_l=float(crp),
            crp_entered_unit=unit,
            crp_used_mg_l=float(used),
            crp_floor_applied=floored,
        )
        if floored:
            notes = (
                f"CRP {fmt(crp)} mg/L is below {fmt(ASDAS_CRP_FLOOR_MG_L)} mg/L: replaced by"
                f" {fmt(ASDAS_CRP_FLOOR_MG_L)} mg/L (Machado 2015).",
            )
    else:
        esr = decimal(reader.number("esr_mm_h", Fraction(0), unit="mm/h"))
        reader.finish(_ESR_KEYS)
        terms["esr"] = _CTX.multiply(ASDAS_ESR_SQRT_ESR, _CTX.sqrt(esr))
        components["esr_mm_h"] = float(esr)
    total = Decimal(0)
    for term in terms.values():
        total = _CTX.add(total, term)
    components["terms"] = {k: float(v) for k, v in terms.items()}
    return total, components, notes


def _score(version: str, inputs: Mapping[str, Any]) -> Score:
    total, components, notes = _compute(version, inputs)
    return Score(
        instrument=version,
        value=float(total),
        category=classify(total, BANDS),
        components=components,
        sources=CRP_SOURCES if version == NAME_CRP else ESR_SOURCES,
        notes=notes,
    )


def score_crp(**inputs: Any) -> Score:
    """ASDAS-CRP from the four items (0-10) and CRP in mg/L (or mg/dL), with the 2 mg/L floor."""
    return _score(NAME_CRP, inputs)


def score_esr(**inputs: Any) -> Score:
    """ASDAS-ESR from the four items (0-10) and ESR in mm/h."""
    return _score(NAME_ESR, inputs)


def categorize(value: object) -> str:
    """Disease-activity state of an (unrounded) ASDAS value."""
    return classify(check_number(value, "value", ASDAS_MIN), BANDS)


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


def exact_pair(baseline: Any, current: Any) -> tuple[Fraction, Fraction, str | None]:
    """The exact (unrounded) baseline and current ASDAS, and the version (crp/esr) if known.

    Each side is a value, a Score or the inputs; both must be the same ASDAS version.
    """
    versions = (_version_of(baseline), _version_of(current))
    if versions[0] and versions[1] and versions[0] != versions[1]:
        raise InstrumentInputError(
            "current", versions[1], f"the same ASDAS version as the baseline ({versions[0]})"
        )
    kwargs: dict[str, Any] = {
        "instruments": (NAME_CRP, NAME_ESR),
        "low": ASDAS_MIN,
        "high": None,
        "scorer": _exact_mapping,
    }
    base = assessment_value(baseline, "baseline", **kwargs)
    now = assessment_value(current, "current", **kwargs)
    return base, now, versions[0] or versions[1]


def response(baseline: Any, current: Any) -> Response:
    """ASDAS change: delta = baseline - current; >= 1.1 clinically important, >= 2.0 major."""
    base, now, version = exact_pair(baseline, current)
    delta = base - now
    return Response(
        instrument=RESPONSE_NAME,
        baseline=to_float(base),
        current=to_float(now),
        results={
            "version": version,
            "delta": to_float(delta),
            "clinically_important": delta >= ASDAS_CLINICALLY_IMPORTANT_DELTA,
            "major": delta >= ASDAS_MAJOR_DELTA,
            "baseline_category": classify(base, BANDS),
            "current_category": classify(now, BANDS),
        },
        sources=RESPONSE_SOURCES,
        notes=("Delta is computed from unrounded scores; rounding first can add or lose 0.1.",),
    )


def _categories() -> tuple[tuple[str, str], ...]:
    rules = band_rule(BANDS, "ASDAS", ASDAS_MIN)
    return tuple(
        (band.label, f"{rule} ({band.description})")
        for band, rule in zip(BANDS, rules, strict=True)
    )


_ITEM_SPECS = tuple(InputSpec(key, "number 0-10", meaning) for key, meaning in ITEMS)
_POLICIES = (
    "Coefficients: 3-decimal set of Lukas 2009 (the 2-decimal set is not used).",
    "The state is taken from the unrounded value: 3.5 is high, 3.5000001 is very-high;"
    " 2.1 is high, 2.0999 is low; 1.3 is low.",
)

CRP_DOC = InstrumentDoc(
    title="ASDAS-CRP - Ankylosing Spondylitis Disease Activity Score (CRP)",
    summary="Composite disease activity in axial spondyloarthritis; the preferred ASDAS.",
    formula="ASDAS-CRP = 0.121*back_pain + 0.058*morning_stiffness_duration\n"
    "          + 0.110*patient_global + 0.073*peripheral_pain_swelling\n"
    "          + 0.579*ln(max(CRP_mg/L, 2) + 1)",
    value_range="0.636 (all items 0, CRP floored to 2 mg/L) upward; no fixed maximum",
    inputs=(
        *_ITEM_SPECS,
        InputSpec(
            "crp_mg_l | crp_mg_dl",
            "number >= 0",
            "C-reactive protein; give exactly one (mg/dL is multiplied by 10)",
        ),
    ),
    categories=_categories(),
    policies=(
        "CRP below 2 mg/L (including hs-CRP and results below detection) is replaced by"
        " 2 mg/L; components show crp_used_mg_l and crp_floor_applied.",
        *_POLICIES,
    ),
    examples=(
        Example(
            "Typical active patient",
            {
                "back_pain": 5,
                "morning_stiffness_duration": 5,
                "patient_global": 5,
                "peripheral_pain_swelling": 5,
                "crp_mg_l": 10,
            },
            "Lukas 2009 formula; 3.198 (3-decimal coefficients), 3.19 in the 2-decimal"
            " InflamAI test",
        ),
        Example(
            "CRP below 2 mg/L is floored",
            {
                "back_pain": 5,
                "morning_stiffness_duration": 5,
                "patient_global": 5,
                "peripheral_pain_swelling": 5,
                "crp_mg_l": 0.5,
            },
            "Machado 2015 floor: 2.446 (high); without the floor 2.045 (low)",
        ),
    ),
    sources=CRP_SOURCES,
)

ESR_DOC = InstrumentDoc(
    title="ASDAS-ESR - Ankylosing Spondylitis Disease Activity Score (ESR)",
    summary="ASDAS variant for when CRP is unavailable.",
    formula="ASDAS-ESR = 0.079*back_pain + 0.069*morning_stiffness_duration\n"
    "          + 0.113*patient_global + 0.086*peripheral_pain_swelling\n"
    "          + 0.293*sqrt(ESR_mm/h)",
    value_range="0 upward; no fixed maximum",
    inputs=(*_ITEM_SPECS, InputSpec("esr_mm_h", "number >= 0", "erythrocyte sedimentation rate")),
    categories=_categories(),
    policies=("No floor is defined for ESR.", *_POLICIES),
    examples=(
        Example(
            "Typical active patient",
            {
                "back_pain": 5,
                "morning_stiffness_duration": 5,
                "patient_global": 5,
                "peripheral_pain_swelling": 5,
                "esr_mm_h": 25,
            },
            "Lukas 2009 formula; computed 3.200",
        ),
    ),
    sources=ESR_SOURCES,
)

RESPONSE_DOC = ResponseDoc(
    shown_as=(
        ("clinically_important", "ASDAS clinically important improvement"),
        ("major", "ASDAS major improvement"),
    ),
    title="ASDAS response (response name: asdas)",
    summary="Change in ASDAS between baseline and follow-up.",
    inputs="baseline and current: an ASDAS value, an asdas-crp/asdas-esr Score,"
    " {'value': x}, or the ASDAS inputs (CRP or ESR version, the same for both).",
    criteria=(
        ("delta", "baseline - current, from unrounded values"),
        ("clinically_important", "delta >= 1.1"),
        ("major", "delta >= 2.0"),
        ("baseline_category / current_category", "ASDAS state of each value"),
    ),
    policies=(
        "Do not round before subtracting: 3.198 -> 2.113 is a delta of 1.085, not"
        " clinically important, although the rounded values 3.2 and 2.1 differ by 1.1.",
        "Baseline and follow-up must use the same ASDAS version.",
    ),
    examples=(
        Example(
            "Just below the clinically important change",
            {
                "baseline": {
                    "back_pain": 5,
                    "morning_stiffness_duration": 5,
                    "patient_global": 5,
                    "peripheral_pain_swelling": 5,
                    "crp_mg_l": 10,
                },
                "current": {
                    "back_pain": 0,
                    "morning_stiffness_duration": 0,
                    "patient_global": 3,
                    "peripheral_pain_swelling": 7,
                    "crp_mg_l": 8,
                },
            },
            "Computed: delta 1.085",
        ),
    ),
    sources=RESPONSE_SOURCES,
)
