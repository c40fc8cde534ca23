"""JADAS-27 and cJADAS-10 (Juvenile Arthritis Disease Activity Score, JIA).

JADAS-27 = physician global assessment (0-10) + parent/patient global assessment (0-10) +
active joints among 27 (0-27) + normalised ESR, where normalised ESR = (ESR - 20) / 10 with ESR
below 20 mm/h counted as 20 and above 120 as 120 (0-10); 0-57 (Consolaro et al. 2009). The
clinical JADAS-10 (cJADAS-10) leaves out the ESR and counts active joints in any joint, capped
at 10; 0-30 (McErlane et al. 2013).

No category is given: three sets of activity cut-offs are published (Consolaro 2014, Backström
2019, Trincianti 2021) and they disagree (Backström 2023 compared them), so choosing one would
be a guess; ``category`` is ``None`` and the value is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from jakguide.instruments._exact import Reader, to_float
from jakguide.instruments.errors import InstrumentInputError
from jakguide.instruments.model import Score, cite
from jakguide.instruments.spec import Example, InputSpec, InstrumentDoc

__all__ = [
    "CLINICAL_DOC",
    "CLINICAL_NAME",
    "DOC",
    "NAME",
    "categorize",
    "score",
    "score_clinical",
]

NAME = "jadas-27"
CLINICAL_NAME = "cjadas-10"

# Consolaro 2009: the two global assessments on 0-10 scales; 27 joints counted.
GLOBAL_MAX = Fraction(10)
JOINTS_27 = Fraction(27)
# Consolaro 2009: normalised ESR = (ESR - 20) / 10, ESR bounded to 20-120 mm/h.
ESR_FLOOR = Fraction(20)
ESR_CEILING = Fraction(120)
ESR_SCALE = Fraction(10)
ESR_MAX = Fraction(300)  # plausibility bound on an entered ESR (mm/h), not a cut-off
# McErlane 2013: active joints in any joint, capped at 10 in the score.
JOINTS_CAP = Fraction(10)
JOINTS_ANY_MAX = Fraction(71)  # the 71-joint count, the most joints a count can hold

SOURCES = (cite("consolaro-2009-jadas", "JADAS-27 components and ESR normalisation"),)
CLINICAL_SOURCES = (cite("mcerlane-2013-cjadas", "clinical JADAS-10 (no ESR)"),)
NO_BANDS = (
    "No category: the published JADAS cut-off sets (Consolaro 2014, Backstrom 2019, Trincianti"
    " 2021) disagree; the value is shown without one."
)

_KEYS = ("physician_global", "parent_global", "active_joints", "esr_mm_h")
_CLINICAL_KEYS = ("physician_global", "parent_global", "active_joints")


def _globals(reader: Reader) -> tuple[Fraction, Fraction]:
    return (
        reader.number("physician_global", Fraction(0), GLOBAL_MAX),
        reader.number("parent_global", Fraction(0), GLOBAL_MAX),
    )


def _jadas27(inputs: Mapping[str, Any]) -> tuple[Fraction, dict[str, Any]]:
    reader = Reader(inputs)
    physician, parent = _globals(reader)
    joints = reader.number("active_joints", Fraction(0), JOINTS_27, integer=True)
    esr = reader.number("esr_mm_h", Fraction(0), ESR_MAX, unit="mm/h")
    reader.finish(_KEYS)
    normalised = (min(max(esr, ESR_FLOOR), ESR_CEILING) - ESR_FLOOR) / ESR_SCALE
    value = physician + parent + joints + normalised
    return value, {"normalised_esr": to_float(normalised), "active_joints": int(joints)}


def _cjadas10(inputs: Mapping[str, Any]) -> tuple[Fraction, dict[str, Any]]:
    reader = Reader(inputs)
    physician, parent = _globals(reader)
    joints = reader.number("active_joints", Fraction(0), JOINTS_ANY_MAX, integer=True)
    reader.finish(_CLINICAL_KEYS)
    counted = min(joints, JOINTS_CAP)
    return physician + parent + counted, {"joints_counted": int(counted)}


def score(**inputs: Any) -> Score:
    """JADAS-27: the two globals, active joints (of 27) and normalised ESR."""
    value, parts = _jadas27(inputs)
    return Score(
        instrument=NAME,
        value=to_float(value),
        category=None,
        components=parts,
        sources=SOURCES,
        notes=(NO_BANDS,),
    )


def score_clinical(**inputs: Any) -> Score:
    """cJADAS-10: the two globals and active joints capped at 10."""
    value, parts = _cjadas10(inputs)
    return Score(
        instrument=CLINICAL_NAME,
        value=to_float(value),
        category=None,
        components=parts,
        sources=CLINICAL_SOURCES,
        notes=(NO_BANDS,),
    )


def categorize(value: object) -> str:
    """No agreed bands: always an error naming why."""
    raise InstrumentInputError("instrument", "jadas", "an instrument with agreed categories")


_GLOBALS = (
    InputSpec("physician_global", "number 0-10", "physician's global assessment of activity"),
    InputSpec("parent_global", "number 0-10", "parent's or patient's global assessment"),
)

DOC = InstrumentDoc(
    title="JADAS-27 - Juvenile Arthritis Disease Activity Score (27 joints)",
    summary="Disease activity in juvenile idiopathic arthritis, with the ESR.",
    formula="JADAS-27 = physician global + parent global + active joints (of 27)"
    " + (min(max(ESR, 20), 120) - 20) / 10",
    value_range="0-57",
    inputs=(
        *_GLOBALS,
        InputSpec("active_joints", "integer 0-27", "active joints among the 27 counted"),
        InputSpec("esr_mm_h", "number 0-300 mm/h", "erythrocyte sedimentation rate"),
    ),
    categories=(("(none)", NO_BANDS),),
    policies=(NO_BANDS,),
    examples=(
        Example(
            "Polyarticular course",
            {"physician_global": 5, "parent_global": "4.5", "active_joints": 6, "esr_mm_h": 38},
            "Computed: 5 + 4.5 + 6 + (38 - 20) / 10 = 17.3",
        ),
    ),
    sources=SOURCES,
)

CLINICAL_DOC = InstrumentDoc(
    title="cJADAS-10 - clinical Juvenile Arthritis Disease Activity Score (10 joints)",
    summary="Disease activity in juvenile idiopathic arthritis without a laboratory test.",
    formula="cJADAS-10 = physician global + parent global + min(active joints, 10)",
    value_range="0-30",
    inputs=(
        *_GLOBALS,
        InputSpec("active_joints", "integer 0-71", "active joints in any joint (capped at 10)"),
    ),
    categories=(("(none)", NO_BANDS),),
    policies=(NO_BANDS,),
    examples=(
        Example(
            "Twelve active joints",
            {"physician_global": 6, "parent_global": 7, "active_joints": 12},
            "Computed: 6 + 7 + 10 = 23",
        ),
    ),
    sources=CLINICAL_SOURCES,
)
