"""NIAID 8-point ordinal scale (COVID-19 clinical status) and recovery / improvement.

The scale of the ACTT trials (Beigel et al. 2020; ACTT-2, baricitinib with remdesivir, Kalil
et al. 2021): 1 not hospitalised, no limitation of activities; 2 not hospitalised, limitation
of activities and/or home oxygen; 3 hospitalised, no supplemental oxygen, no longer requiring
ongoing medical care; 4 hospitalised, no supplemental oxygen, requiring ongoing medical care;
5 hospitalised, supplemental oxygen; 6 hospitalised, non-invasive ventilation or high-flow
oxygen; 7 hospitalised, invasive mechanical ventilation or ECMO; 8 death. The baricitinib
label's population (hospitalised, requiring supplemental oxygen, non-invasive or invasive
mechanical ventilation, or ECMO) is categories 5-7.

Response: ``recovered`` = category 1, 2 or 3 (the ACTT definition of recovery, the primary
endpoint of ACTT-2); ``improved_1`` / ``improved_2`` = at least one / two categories better
than baseline (the trials' "improvement by one or two categories").
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from jakguide.instruments._common import assessment_value
from jakguide.instruments._exact import Reader, check_number
from jakguide.instruments.model import Response, Score, cite
from jakguide.instruments.spec import Example, InputSpec, InstrumentDoc, ResponseDoc

__all__ = ["CATEGORIES", "DOC", "NAME", "RESPONSE_DOC", "categorize", "response", "score"]

NAME = "niaid-os"

# Beigel 2020 / Kalil 2021: the eight categories, 1 (best) to 8 (death).
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("not-hospitalized-no-limitations", "not hospitalised, no limitation of activities"),
    (
        "not-hospitalized-limitations",
        "not hospitalised, limitation of activities and/or requiring home oxygen",
    ),
    (
        "hospitalized-no-oxygen-no-care",
        "hospitalised, no supplemental oxygen, no longer requiring ongoing medical care",
    ),
    (
        "hospitalized-no-oxygen-care",
        "hospitalised, no supplemental oxygen, requiring ongoing medical care",
    ),
    ("hospitalized-oxygen", "hospitalised, requiring supplemental oxygen"),
    (
        "hospitalized-niv-high-flow",
        "hospitalised, on non-invasive ventilation or high-flow oxygen devices",
    ),
    ("hospitalized-imv-ecmo", "hospitalised, on invasive mechanical ventilation or ECMO"),
    ("death", "death"),
)
CATEGORY_MIN = Fraction(1)  # the best category
CATEGORY_MAX = Fraction(len(CATEGORIES))
# ACTT recovery: categories 1-3.
RECOVERED_MAX = Fraction(3)
# Improvement by one or two categories from baseline (ACTT secondary endpoints).
IMPROVED_ONE = Fraction(1)
IMPROVED_TWO = Fraction(2)

SOURCES = (
    cite("beigel-2020-actt1", "8-category ordinal scale"),
    cite("kalil-2021-actt2", "ordinal scale in the baricitinib trial"),
)
RESPONSE_SOURCES = (
    cite("kalil-2021-actt2", "recovery (categories 1-3); improvement by one or two categories"),
)


def _category(value: Fraction) -> str:
    return CATEGORIES[int(value) - 1][0]


def score(**inputs: Any) -> Score:
    """Label an ordinal category (1-8)."""
    reader = Reader(inputs)
    value = reader.number("category", CATEGORY_MIN, CATEGORY_MAX, integer=True)
    reader.finish(("category",))
    return Score(
        instrument=NAME,
        value=int(value),
        category=_category(value),
        components={"description": CATEGORIES[int(value) - 1][1]},
        sources=SOURCES,
    )


def categorize(value: object) -> str:
    """Label of an ordinal category (integer 1-8)."""
    return _category(check_number(value, "value", CATEGORY_MIN, CATEGORY_MAX, integer=True))


def _exact(inputs: Any) -> Fraction:
    reader = Reader(inputs)
    value = reader.number("category", CATEGORY_MIN, CATEGORY_MAX, integer=True)
    reader.finish(("category",))
    return value


def response(baseline: Any, current: Any) -> Response:
    """Recovery (category 1-3) and improvement by one or two categories."""
    kwargs: dict[str, Any] = {
        "instruments": (NAME,),
        "low": CATEGORY_MIN,
        "high": CATEGORY_MAX,
        "scorer": _exact,
    }
    base = assessment_value(baseline, "baseline", **kwargs)
    now = assessment_value(current, "current", **kwargs)
    for field, value in (("baseline", base), ("current", now)):
        check_number(value, field, CATEGORY_MIN, CATEGORY_MAX, integer=True)
    return Response(
        instrument=NAME,
        baseline=int(base),
        current=int(now),
        results={
            "change": int(base - now),
            "recovered": now <= RECOVERED_MAX,
            "improved_1": base - now >= IMPROVED_ONE,
            "improved_2": base - now >= IMPROVED_TWO,
        },
        sources=RESPONSE_SOURCES,
    )


DOC = InstrumentDoc(
    title="NIAID ordinal scale - COVID-19 clinical status (8 categories)",
    summary="The patient's clinical status on one day, from not hospitalised to death.",
    formula="category 1-8 as the patient's status on the day (1 best, 8 death)",
    value_range="integer 1-8",
    inputs=(InputSpec("category", "integer 1-8", "the patient's clinical status category"),),
    categories=tuple(
        (label, f"{i} ({text})") for i, (label, text) in enumerate(CATEGORIES, start=1)
    ),
    policies=(
        "The baricitinib label's population (supplemental oxygen, non-invasive or invasive"
        " ventilation, ECMO) is categories 5-7.",
    ),
    examples=(Example("On high-flow oxygen", {"category": 6}, "hospitalized-niv-high-flow"),),
    sources=SOURCES,
)

RESPONSE_DOC = ResponseDoc(
    shown_as=(
        ("recovered", "NIAID scale recovery"),
        ("improved_1", "NIAID scale improved by 1 category"),
        ("improved_2", "NIAID scale improved by 2 categories"),
    ),
    title="NIAID ordinal scale response (recovery, improvement)",
    summary="Recovery and improvement by one or two categories from baseline.",
    inputs="baseline and current: a category 1-8, a niaid-os Score, {'value': x} or {category}.",
    criteria=(
        ("change", "baseline - current (categories; positive is better)"),
        ("recovered", "current category 1, 2 or 3"),
        ("improved_1", "change >= 1"),
        ("improved_2", "change >= 2"),
    ),
    policies=("Categories are whole numbers; a fraction is refused.",),
    examples=(
        Example(
            "From high-flow oxygen to discharged with home oxygen",
            {"baseline": 6, "current": 2},
            "Computed: change 4, recovered",
        ),
    ),
    sources=RESPONSE_SOURCES,
)
