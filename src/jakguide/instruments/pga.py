"""Static PGA / IGA (5-point, 0-4) with its published labels.

The IGA mod 2011 scale: 0 clear, 1 almost clear, 2 mild, 3 moderate, 4 severe (Langley et al.
2015; trial registrations such as NCT03412747). A 6-point (0-5) sPGA and other variants exist;
this instrument is the 5-point scale only, so a grade of 5 is rejected rather than guessed.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from jakguide.instruments._exact import Reader, check_number
from jakguide.instruments.model import Score, cite
from jakguide.instruments.spec import Example, InputSpec, InstrumentDoc

__all__ = ["DOC", "LABELS", "NAME", "categorize", "score"]

NAME = "pga"

# IGA mod 2011 anchors (Langley et al. 2015; NCT03412747): grade -> label.
LABELS: tuple[str, ...] = ("clear", "almost-clear", "mild", "moderate", "severe")
PGA_MIN = Fraction(0)
PGA_MAX = Fraction(len(LABELS) - 1)

SOURCES = (cite("langley-2015", "5-point IGA mod 2011 anchors"),)


def score(**inputs: Any) -> Score:
    """Label a 5-point static PGA/IGA grade."""
    reader = Reader(inputs)
    grade = int(reader.number("grade", PGA_MIN, PGA_MAX, integer=True))
    reader.finish(("grade",))
    return Score(
        instrument=NAME,
        value=grade,
        category=LABELS[grade],
        components={"scale": "5-point IGA mod 2011 (0-4)"},
        sources=SOURCES,
    )


def categorize(value: object) -> str:
    """Label of a 0-4 grade."""
    return LABELS[int(check_number(value, "value", PGA_MIN, PGA_MAX, integer=True))]


DOC = InstrumentDoc(
    title="PGA / IGA - static Physician (Investigator) Global Assessment, 5-point",
    summary="Overall plaque psoriasis severity at one visit (not compared with baseline).",
    formula="grade 0-4 as judged by the physician; label from the IGA mod 2011 anchors",
    value_range="integer 0-4",
    inputs=(InputSpec("grade", "integer 0-4", "the physician's static global grade"),),
    categories=tuple((label, f"grade {grade}") for grade, label in enumerate(LABELS)),
    policies=(
        "Only the 5-point (0-4) scale is accepted; 6-point sPGA and 7-level variants are"
        " different instruments.",
    ),
    examples=(Example("Almost clear", {"grade": 1}, "IGA mod 2011 anchors"),),
    sources=SOURCES,
)
