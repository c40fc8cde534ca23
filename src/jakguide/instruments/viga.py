"""vIGA-AD (validated Investigator Global Assessment for Atopic Dermatitis), grade 0-4.

The grade labels are clear, almost clear, mild, moderate and severe (Simpson et al. 2020). The
scale's descriptors are copyrighted (vIGA-AD(TM) (c) 2017 Eli Lilly and Company): they are never
reproduced, and pages that collect a grade must show :data:`VIGA_NOTICE`, as for the DLQI.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from jakguide.instruments._exact import Reader, check_number
from jakguide.instruments.model import Score, cite
from jakguide.instruments.spec import Example, InputSpec, InstrumentDoc

__all__ = ["DOC", "LABELS", "NAME", "VIGA_NOTICE", "categorize", "score"]

NAME = "viga-ad"
VIGA_NOTICE = "vIGA-AD\u2122 \u00a9 2017 Eli Lilly and Company; descriptors not reproduced."

LABELS: tuple[str, ...] = ("clear", "almost-clear", "mild", "moderate", "severe")
# Simpson 2020: grades 0 (clear) to 4 (severe).
GRADE_MIN = Fraction(0)
GRADE_MAX = Fraction(len(LABELS) - 1)

SOURCES = (cite("simpson-2020-viga", "vIGA-AD grades 0-4"),)


def score(**inputs: Any) -> Score:
    """Label a vIGA-AD grade (0-4)."""
    reader = Reader(inputs)
    grade = int(reader.number("grade", GRADE_MIN, GRADE_MAX, integer=True))
    reader.finish(("grade",))
    return Score(
        instrument=NAME,
        value=grade,
        category=LABELS[grade],
        components={},
        sources=SOURCES,
        notes=(VIGA_NOTICE,),
    )


def categorize(value: object) -> str:
    """Label of a 0-4 grade."""
    return LABELS[int(check_number(value, "value", GRADE_MIN, GRADE_MAX, integer=True))]


DOC = InstrumentDoc(
    title="vIGA-AD - validated Investigator Global Assessment for Atopic Dermatitis",
    summary="The investigator's overall grade of atopic dermatitis at one visit.",
    formula="grade 0-4 as judged by the investigator against the vIGA-AD descriptors",
    value_range="integer 0-4",
    inputs=(InputSpec("grade", "integer 0-4", "the investigator's vIGA-AD grade"),),
    categories=tuple((label, f"grade {grade}") for grade, label in enumerate(LABELS)),
    policies=(f"Copyright: {VIGA_NOTICE}",),
    examples=(Example("Moderate", {"grade": 3}, "vIGA-AD grade labels"),),
    sources=SOURCES,
)
