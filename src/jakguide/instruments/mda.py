"""PsA Minimal Disease Activity (MDA) and Very Low Disease Activity (VLDA).

Coates et al. 2010: "A patient is classified as achieving MDA when meeting 5 of the 7
following criteria: tender joint count <=1; swollen joint count <=1; PASI <=1 or body surface
area <=3; patient pain VAS <=15; patient global disease activity VAS <=20; HAQ <=0.5; tender
entheseal points <=1". VLDA = all 7 criteria. VAS are 0-100 mm.

The skin criterion is met if either PASI <= 1 or BSA <= 3 %. If only one of them is given and
it fails, the criterion is unknown (the other could pass); MDA/VLDA are then decided only if
the remaining criteria settle them, else ``indeterminate``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from jakguide.instruments._exact import Reader, check_number
from jakguide.instruments.errors import InstrumentInputError
from jakguide.instruments.model import Score, cite
from jakguide.instruments.pasi import PASI_MAX
from jakguide.instruments.spec import Example, InputSpec, InstrumentDoc

__all__ = ["DOC", "NAME", "categorize", "score"]

NAME = "mda"

# Criteria, Coates 2010 (all inclusive "<="):
MDA_TENDER_JOINTS_MAX = Fraction(1)
MDA_SWOLLEN_JOINTS_MAX = Fraction(1)
MDA_PASI_MAX = Fraction(1)
MDA_BSA_PERCENT_MAX = Fraction(3)
MDA_PAIN_VAS_MM_MAX = Fraction(15)
MDA_PATIENT_GLOBAL_VAS_MM_MAX = Fraction(20)
MDA_HAQ_DI_MAX = Fraction("0.5")
MDA_TENDER_ENTHESEAL_POINTS_MAX = Fraction(1)
# Coates 2010: MDA = at least 5 of the 7 criteria; VLDA = all 7 (Coates & Helliwell 2016).
MDA_CRITERIA_COUNT = 7
MDA_CRITERIA_REQUIRED = 5
VLDA_CRITERIA_REQUIRED = MDA_CRITERIA_COUNT

# Input ranges: 68/66 joint counts, VAS 0-100 mm, HAQ-DI 0-3, BSA 0-100 %.
TENDER_JOINTS_RANGE_MAX = Fraction(68)
SWOLLEN_JOINTS_RANGE_MAX = Fraction(66)
VAS_MM_MAX = Fraction(100)
HAQ_DI_RANGE_MAX = Fraction(3)
BSA_PERCENT_RANGE_MAX = Fraction(100)

MDA = "mda"
VLDA = "vlda"
NOT_MDA = "not-mda"
INDETERMINATE = "indeterminate"

_KEYS = (
    "tender_joints",
    "swollen_joints",
    "pasi",
    "bsa_percent",
    "pain_vas_mm",
    "patient_global_vas_mm",
    "haq_di",
    "tender_entheseal_points",
)

SOURCES = (
    cite("coates-2010", "MDA definition: 5 of 7 criteria"),
    cite("coates-helliwell-2016", "VLDA: all 7 criteria"),
)


def score(**inputs: Any) -> Score:
    """Count the MDA criteria met and classify MDA / VLDA."""
    reader = Reader(inputs)
    tender = reader.number("tender_joints", Fraction(0), TENDER_JOINTS_RANGE_MAX, integer=True)
    swollen = reader.number("swollen_joints", Fraction(0), SWOLLEN_JOINTS_RANGE_MAX, integer=True)
    pasi = reader.optional_number("pasi", Fraction(0), PASI_MAX)
    bsa = reader.optional_number("bsa_percent", Fraction(0), BSA_PERCENT_RANGE_MAX, unit="%")
    pain = reader.number("pain_vas_mm", Fraction(0), VAS_MM_MAX, unit="mm")
    global_ = reader.number("patient_global_vas_mm", Fraction(0), VAS_MM_MAX, unit="mm")
    haq = reader.number("haq_di", Fraction(0), HAQ_DI_RANGE_MAX)
    entheses = reader.number("tender_entheseal_points", Fraction(0), integer=True)
    reader.finish(_KEYS)
    if pasi is None and bsa is None:
        raise InstrumentInputError("pasi", None, "pasi (0-72) and/or bsa_percent (0-100)")

    skin_measures = ((pasi, MDA_PASI_MAX), (bsa, MDA_BSA_PERCENT_MAX))
    given = [(v, limit) for v, limit in skin_measures if v is not None]
    skin: bool | None
    if any(v <= limit for v, limit in given):
        skin = True
    elif len(given) == len(skin_measures):
        skin = False
    else:
        skin = None
    criteria: dict[str, bool | None] = {
        "tender_joints": tender <= MDA_TENDER_JOINTS_MAX,
        "swollen_joints": swollen <= MDA_SWOLLEN_JOINTS_MAX,
        "skin": skin,
        "pain": pain <= MDA_PAIN_VAS_MM_MAX,
        "patient_global": global_ <= MDA_PATIENT_GLOBAL_VAS_MM_MAX,
        "haq_di": haq <= MDA_HAQ_DI_MAX,
        "tender_entheseal_points": entheses <= MDA_TENDER_ENTHESEAL_POINTS_MAX,
    }
    met = sum(1 for v in criteria.values() if v is True)
    unknown = sum(1 for v in criteria.values() if v is None)
    mda: bool | None
    if met >= MDA_CRITERIA_REQUIRED:
        mda = True
    elif met + unknown < MDA_CRITERIA_REQUIRED:
        mda = False
    else:
        mda = None
    vlda: bool | None
    if met == VLDA_CRITERIA_REQUIRED:
        vlda = True
    elif met + unknown < VLDA_CRITERIA_REQUIRED:
        vlda = False
    else:
        vlda = None
    if vlda:
        category = VLDA
    elif mda:
        category = MDA
    elif mda is False:
        category = NOT_MDA
    else:
        category = INDETERMINATE
    notes: tuple[str, ...] = ()
    if skin is None:
        notes = (
            "Skin criterion unknown: only one of PASI and BSA was given and it exceeds its"
            " limit; the other could still meet it.",
        )
    return Score(
        instrument=NAME,
        value=met,
        category=category,
        components={
            "criteria": criteria,
            "criteria_met": met,
            "criteria_unknown": unknown,
            "mda": mda,
            "vlda": vlda,
        },
        sources=SOURCES,
        notes=notes,
    )


def categorize(value: object) -> str:
    """Category from the number of criteria met (0-7, all criteria known)."""
    met = check_number(value, "value", Fraction(0), Fraction(MDA_CRITERIA_COUNT), integer=True)
    if met >= VLDA_CRITERIA_REQUIRED:
        return VLDA
    return MDA if met >= MDA_CRITERIA_REQUIRED else NOT_MDA


DOC = InstrumentDoc(
    title="MDA - Minimal Disease Activity in psoriatic arthritis (with VLDA)",
    summary="A treatment target: a state of low activity across joints, skin, entheses,"
    " pain, global and function.",
    formula="criteria (each inclusive):\n"
    "  tender_joints <= 1; swollen_joints <= 1; PASI <= 1 or BSA <= 3 %;\n"
    "  pain VAS <= 15 mm; patient global VAS <= 20 mm; HAQ-DI <= 0.5;\n"
    "  tender entheseal points <= 1\n"
    "MDA = at least 5 of 7 met; VLDA = all 7 met; value = number met",
    value_range="integer 0-7 (criteria met)",
    inputs=(
        InputSpec("tender_joints", "integer 0-68", "tender joint count"),
        InputSpec("swollen_joints", "integer 0-66", "swollen joint count"),
        InputSpec("pasi", "number 0-72 (optional)", "PASI; give pasi and/or bsa_percent"),
        InputSpec("bsa_percent", "number 0-100 (optional)", "psoriasis body surface area, %"),
        InputSpec("pain_vas_mm", "number 0-100", "patient pain VAS, mm"),
        InputSpec("patient_global_vas_mm", "number 0-100", "patient global activity VAS, mm"),
        InputSpec("haq_di", "number 0-3", "HAQ disability index"),
        InputSpec("tender_entheseal_points", "integer >= 0", "tender entheseal points"),
    ),
    categories=(
        (VLDA, "all 7 criteria met"),
        (MDA, "5 or 6 criteria met"),
        (NOT_MDA, "4 or fewer criteria met (even if unknown criteria were met)"),
        (INDETERMINATE, "the skin criterion is unknown and decides MDA/VLDA"),
    ),
    policies=(
        "VAS are in millimetres (0-100); a 0-10 cm value must be multiplied by 10.",
        "categorize(count) assumes every criterion is known.",
    ),
    examples=(
        Example(
            "MDA but not VLDA",
            {
                "tender_joints": 1,
                "swollen_joints": 0,
                "pasi": 2,
                "bsa_percent": 2,
                "pain_vas_mm": 20,
                "patient_global_vas_mm": 15,
                "haq_di": 0.375,
                "tender_entheseal_points": 0,
            },
            "Computed: 6 of 7, skin met through BSA",
        ),
    ),
    sources=SOURCES,
)
