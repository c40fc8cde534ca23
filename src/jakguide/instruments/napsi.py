"""NAPSI (Nail Psoriasis Severity Index), Rich & Scher 2003.

Each nail is divided into four quadrants. The matrix score (0-4) is the number of quadrants
with any nail-matrix sign (pitting, leukonychia, red spots in the lunula, crumbling); the bed
score (0-4) is the number of quadrants with any nail-bed sign (onycholysis, oil-drop
discoloration, splinter haemorrhages, subungual hyperkeratosis). Nail score 0-8; the total
is the sum over the nails assessed (0-80 fingernails, 0-160 all nails). No severity bands
are published: NAPSI tracks change, so ``category`` is ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from jakguide.instruments._exact import Reader
from jakguide.instruments.errors import InstrumentInputError
from jakguide.instruments.model import Score, cite
from jakguide.instruments.spec import Example, InputSpec, InstrumentDoc

__all__ = ["DOC", "NAME", "categorize", "score"]

NAME = "napsi"

# Rich & Scher 2003: quadrant counts 0-4 for matrix and for bed; nail score 0-8.
NAPSI_QUADRANTS = Fraction(4)
NAPSI_NAIL_MAX = 2 * int(NAPSI_QUADRANTS)  # matrix (0-4) + bed (0-4), Rich & Scher 2003
# Up to 20 nails (10 fingernails + 10 toenails); total 0-160 (Rich & Scher 2003).
NAPSI_MAX_NAILS = 20

SOURCES = (cite("rich-scher-2003", "quadrant method, matrix and bed scores"),)

_NAIL_KEYS = ("matrix", "bed")


def _nails(raw: Any) -> list[tuple[str, Mapping[str, Any]]]:
    accepted = (
        f"a list (or label->nail mapping) of 1-{NAPSI_MAX_NAILS} nails, each"
        " {matrix: 0-4, bed: 0-4}"
    )
    if isinstance(raw, Mapping):
        pairs = [(str(k), v) for k, v in raw.items()]
    elif isinstance(raw, Sequence) and not isinstance(raw, str | bytes):
        pairs = [(str(i), v) for i, v in enumerate(raw, start=1)]
    else:
        raise InstrumentInputError("nails", raw, accepted)
    if not 1 <= len(pairs) <= NAPSI_MAX_NAILS:
        raise InstrumentInputError("nails", f"{len(pairs)} nails", accepted)
    return pairs


def score(**inputs: Any) -> Score:
    """Sum the nail scores (matrix + bed quadrant counts) over the nails assessed."""
    top = Reader(inputs)
    nails = top.raw("nails")
    top.finish(("nails",))
    per_nail: dict[str, dict[str, int]] = {}
    total = 0
    for label, nail in _nails(nails):
        reader = Reader(nail, prefix=f"nails.{label}.", what="{matrix: 0-4, bed: 0-4}")
        matrix = int(reader.number("matrix", Fraction(0), NAPSI_QUADRANTS, integer=True))
        bed = int(reader.number("bed", Fraction(0), NAPSI_QUADRANTS, integer=True))
        reader.finish(_NAIL_KEYS)
        per_nail[label] = {"matrix": matrix, "bed": bed, "score": matrix + bed}
        total += matrix + bed
    return Score(
        instrument=NAME,
        value=total,
        category=None,
        components={
            "nails": per_nail,
            "nails_assessed": len(per_nail),
            "maximum": NAPSI_NAIL_MAX * len(per_nail),
        },
        sources=SOURCES,
        notes=("NAPSI has no published severity bands; compare totals over the same nails.",),
    )


def categorize(value: object) -> str:
    """NAPSI has no published bands: always an error."""
    raise InstrumentInputError(
        "instrument", NAME, "an instrument with published categories; NAPSI has none"
    )


DOC = InstrumentDoc(
    title="NAPSI - Nail Psoriasis Severity Index",
    summary="Nail psoriasis extent by quadrant, summed over the nails assessed.",
    formula="nail score = matrix quadrants (0-4) + bed quadrants (0-4)\n"
    "NAPSI = sum of nail scores over the nails assessed",
    value_range="integer 0-8 per nail; 0-80 for 10 fingernails; 0-160 for 20 nails",
    inputs=(
        InputSpec(
            "nails",
            f"list or mapping of 1-{NAPSI_MAX_NAILS} nails",
            "each nail {matrix, bed}; a mapping may use labels (nails.R1.matrix=2)",
        ),
        InputSpec("nails.<label>.matrix", "integer 0-4", "quadrants with any matrix sign"),
        InputSpec("nails.<label>.bed", "integer 0-4", "quadrants with any bed sign"),
    ),
    categories=(("(none)", "No severity bands are published; NAPSI tracks change."),),
    policies=("Compare totals only over the same set of nails.",),
    examples=(
        Example(
            "Two affected fingernails, eight clear",
            {
                "nails": [{"matrix": 2, "bed": 3}, {"matrix": 4, "bed": 4}]
                + [{"matrix": 0, "bed": 0}] * 8
            },
            "Computed: 5 + 8 = 13 of 80",
        ),
    ),
    sources=SOURCES,
)
