"""Psoriasis severity by the rule of tens (Finlay 2005).

"Current Severe Psoriasis = Body Surface Area involved > 10% or Psoriasis Area and Severity
Index score > 10 or Dermatology Life Quality Index score > 10". All three inequalities are
strict: a PASI of exactly 10 is not severe. Inclusive paraphrases (">= 10") circulate and are
wrong. A patient is ``not-severe`` only when all three values are known and none exceeds 10;
with a criterion unknown and none exceeded the result is ``indeterminate``.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from jakguide.instruments._exact import Reader, to_float
from jakguide.instruments.errors import InstrumentInputError
from jakguide.instruments.model import Score, cite
from jakguide.instruments.pasi import PASI_MAX
from jakguide.instruments.spec import Example, InputSpec, InstrumentDoc

__all__ = ["DOC", "NAME", "categorize", "score"]

NAME = "psoriasis-severity"

# Finlay 2005 (rule of tens): each criterion is "> 10" (strict).
RULE_OF_TENS_BSA_PERCENT = Fraction(10)
RULE_OF_TENS_PASI = Fraction(10)
RULE_OF_TENS_DLQI = Fraction(10)

BSA_PERCENT_MAX = Fraction(100)  # body surface area is a percentage
DLQI_MAX = Fraction(30)  # DLQI total 0-30 (Finlay & Khan 1994)

SEVERE = "severe"
NOT_SEVERE = "not-severe"
INDETERMINATE = "indeterminate"

_CRITERIA: tuple[tuple[str, Fraction, Fraction, bool], ...] = (
    ("bsa_percent", RULE_OF_TENS_BSA_PERCENT, BSA_PERCENT_MAX, False),
    ("pasi", RULE_OF_TENS_PASI, PASI_MAX, False),
    ("dlqi", RULE_OF_TENS_DLQI, DLQI_MAX, True),
)

SOURCES = (cite("finlay-2005", "definition of current severe psoriasis (rule of tens)"),)


def score(**inputs: Any) -> Score:
    """Classify psoriasis severity from any of BSA %, PASI and DLQI (rule of tens)."""
    reader = Reader(inputs)
    components: dict[str, Any] = {}
    exceeded = 0
    known = 0
    for key, cutoff, high, integer in _CRITERIA:
        value = reader.optional_number(key, Fraction(0), high, integer=integer)
        if value is None:
            components[key] = {"value": None, "exceeds_10": None}
            continue
        known += 1
        over = value > cutoff
        exceeded += int(over)
        components[key] = {"value": to_float(value), "exceeds_10": over}
    reader.finish([c[0] for c in _CRITERIA])
    if exceeded:
        category = SEVERE
    elif known == len(_CRITERIA):
        category = NOT_SEVERE
    else:
        category = INDETERMINATE
    components["criteria_exceeded"] = exceeded
    components["criteria_known"] = known
    notes: tuple[str, ...] = ()
    if category == INDETERMINATE:
        notes = ("No criterion exceeds 10, but not all of BSA, PASI and DLQI are known.",)
    return Score(
        instrument=NAME,
        value=exceeded,
        category=category,
        components=components,
        sources=SOURCES,
        notes=notes,
    )


def categorize(value: object) -> str:
    """Categorize from the inputs mapping (the count of criteria alone is ambiguous)."""
    if isinstance(value, Mapping):
        return score(**value).category or INDETERMINATE
    raise InstrumentInputError(
        "value", value, "a mapping of bsa_percent, pasi and/or dlqi (rule of tens needs inputs)"
    )


DOC = InstrumentDoc(
    title="Psoriasis severity - rule of tens",
    summary="Current severe psoriasis if BSA > 10 % or PASI > 10 or DLQI > 10.",
    formula="severe        if BSA > 10 % or PASI > 10 or DLQI > 10 (any given value)\n"
    "not-severe    if BSA, PASI and DLQI are all given and none exceeds 10\n"
    "indeterminate otherwise\n"
    "value = number of criteria exceeding 10",
    value_range="0-3 (count of criteria exceeding 10)",
    inputs=(
        InputSpec("bsa_percent", "number 0-100 (optional)", "body surface area involved, %"),
        InputSpec("pasi", "number 0-72 (optional)", "PASI"),
        InputSpec("dlqi", "integer 0-30 (optional)", "DLQI total"),
    ),
    categories=(
        (SEVERE, "BSA > 10 or PASI > 10 or DLQI > 10 (strict: exactly 10 is not severe)"),
        (NOT_SEVERE, "all three given and each <= 10"),
        (INDETERMINATE, "no given value > 10 and at least one value missing"),
    ),
    policies=(
        "Strict inequalities as published by Finlay 2005; the '>= 10' paraphrase in some"
        " guideline tables is not used.",
        "categorize() needs the inputs mapping, because a count of 0 cannot tell not-severe"
        " from indeterminate.",
    ),
    examples=(
        Example(
            "PASI exactly 10 is not severe",
            {"bsa_percent": 8, "pasi": 10, "dlqi": 6},
            "Finlay 2005 strict inequality",
        ),
        Example(
            "Unknown DLQI",
            {"bsa_percent": 8, "pasi": 9.5},
            "Finlay 2005",
        ),
    ),
    sources=SOURCES,
)
