"""Sustained remission in giant cell arteritis, as the upadacitinib trial (SELECT-GCA) defines it.

GCA has no composite activity score in routine use. The upadacitinib label's trial (SELECT-GCA,
Blockmans et al. 2025) judged its primary endpoint, sustained remission from week 12 through
week 52, as the absence of GCA signs and symptoms and adherence to the protocol-defined
glucocorticoid taper over that span. This "instrument" records those two facts for the span
and says whether sustained remission holds: value 1 (yes) or 0 (no). It is a definition, not a
severity score; it has no bands beyond the two outcomes.
"""

from __future__ import annotations

from typing import Any

from jakguide.instruments.errors import InstrumentInputError
from jakguide.instruments.model import Score, cite
from jakguide.instruments.spec import Example, InputSpec, InstrumentDoc

__all__ = ["DOC", "LABELS", "NAME", "categorize", "score"]

NAME = "gca-sustained-remission"
# The two outcomes, as value 0 and 1.
LABELS = ("no-sustained-remission", "sustained-remission")

_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
_KEYS = ("signs_or_symptoms", "taper_adhered")

SOURCES = (
    cite(
        "blockmans-2025-select-gca",
        "primary endpoint: sustained remission, weeks 12-52 (no signs or symptoms; taper adhered)",
    ),
)


def _flag(inputs: dict[str, Any], key: str) -> bool:
    value = inputs.get(key)
    text = str(value).strip().lower() if value is not None else ""
    if isinstance(value, bool):
        return value
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InstrumentInputError(key, value, "true or false (yes or no)")


def score(**inputs: Any) -> Score:
    """Sustained remission over weeks 12-52: no GCA sign or symptom and the taper followed."""
    for key, value in inputs.items():
        if key not in _KEYS:
            raise InstrumentInputError(key, value, "one of: " + ", ".join(_KEYS))
    symptoms = _flag(inputs, "signs_or_symptoms")
    adhered = _flag(inputs, "taper_adhered")
    met = not symptoms and adhered
    return Score(
        instrument=NAME,
        value=int(met),
        category=LABELS[int(met)],
        components={"signs_or_symptoms": symptoms, "taper_adhered": adhered},
        sources=SOURCES,
    )


def categorize(value: object) -> str:
    """Label of 0 or 1."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(LABELS):
        return LABELS[value]
    raise InstrumentInputError("value", value, "0 or 1")


DOC = InstrumentDoc(
    title="GCA sustained remission (SELECT-GCA definition)",
    summary="Whether giant cell arteritis stayed in remission from week 12 through week 52.",
    formula="sustained remission = no GCA sign or symptom in weeks 12-52 and the"
    " glucocorticoid taper followed",
    value_range="0 (no) or 1 (yes)",
    inputs=(
        InputSpec("signs_or_symptoms", "true or false", "any GCA sign or symptom in weeks 12-52"),
        InputSpec("taper_adhered", "true or false", "the glucocorticoid taper was followed"),
    ),
    categories=(
        ("sustained-remission", "1: no signs or symptoms and the taper followed"),
        ("no-sustained-remission", "0: otherwise"),
    ),
    policies=("The span is the trial's (weeks 12-52 after the start); the record must cover it.",),
    examples=(
        Example(
            "Remission held",
            {"signs_or_symptoms": "false", "taper_adhered": "true"},
            "sustained-remission",
        ),
    ),
    sources=SOURCES,
)
