"""DLQI (Dermatology Life Quality Index): total 0-30 and Hongbo 2005 bands.

Ten items scored 0-3 (Finlay & Khan 1994); "not relevant" (offered from question 3 on) scores 0.
Question 7 has a branch: "prevented you from working or studying?" Yes scores 3; if No, the
follow-up "how much a problem" scores a lot 2, a little 1, not at all 0. Calculators that drop
the branch can only produce 3 or 0 for question 7 and mis-band patients.

The questionnaire wording is copyright (Finlay & Khan): this module never reproduces it, and
pages that collect answers must print :data:`DLQI_NOTICE`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any, Literal

from jakguide.instruments._exact import Reader, check_number
from jakguide.instruments.errors import InstrumentInputError
from jakguide.instruments.model import Band, Score, band_rule, cite, classify
from jakguide.instruments.spec import Example, InputSpec, InstrumentDoc

__all__ = ["DLQI_NOTICE", "DOC", "MISSING_POLICIES", "NAME", "categorize", "score"]

NAME = "dlqi"

#: Copyright statement that every copy of the DLQI must reprint (dermatology.org.uk terms of use).
DLQI_NOTICE = "\u00a9 A Y Finlay, G K Khan April 1992 www.dermatology.org.uk"

# Ten items, each scored 0-3; total 0-30 (Finlay & Khan 1994; Cardiff DLQI FAQ).
DLQI_ITEM_COUNT = 10
DLQI_ITEM_MIN = Fraction(0)
DLQI_ITEM_MAX = Fraction(3)
DLQI_MIN = Fraction(0)
DLQI_MAX = Fraction(30)

# "Not relevant" is a response option from question 3 onwards and scores 0 (DLQI form; FAQ).
DLQI_FIRST_NOT_RELEVANT_ITEM = 3
DLQI_NOT_RELEVANT_SCORE = 0

# Question 7 branch (DLQI form; FAQ "Question 7 ... maximum score of 3"): Yes = 3;
# No + "a lot" = 2; No + "a little" = 1; No + "not at all" = 0; Not relevant = 0.
DLQI_Q7_ITEM = 7
DLQI_Q7_YES = 3
DLQI_Q7_NO_A_LOT = 2
DLQI_Q7_NO_A_LITTLE = 1
DLQI_Q7_NO_NOT_AT_ALL = 0
_Q7_CODES: dict[str, int] = {
    "yes": DLQI_Q7_YES,
    "no:a-lot": DLQI_Q7_NO_A_LOT,
    "no:a-little": DLQI_Q7_NO_A_LITTLE,
    "no:not-at-all": DLQI_Q7_NO_NOT_AT_ALL,
    "not-relevant": DLQI_NOT_RELEVANT_SCORE,
}
_Q7_PROBLEM: dict[str, int] = {
    "a-lot": DLQI_Q7_NO_A_LOT,
    "a-little": DLQI_Q7_NO_A_LITTLE,
    "not-at-all": DLQI_Q7_NO_NOT_AT_ALL,
}
NOT_RELEVANT = "not-relevant"

# Missing items: the rule commonly attributed to the Cardiff FAQ is that one unanswered item
# scores 0 (total still out of 30) and two or more unanswered items leave the DLQI unscored.
# The FAQ answer was not retrieved verbatim, so the rule is a named, documented policy.
DLQI_MAX_MISSING_SCORED = 1
MissingPolicy = Literal["one-missing-as-zero", "no-missing"]
MISSING_POLICIES: tuple[str, ...] = ("one-missing-as-zero", "no-missing")
DEFAULT_MISSING_POLICY: MissingPolicy = "one-missing-as-zero"

# Bands, Hongbo et al. 2005: "0-1 no effect; 2-5 small; 6-10 moderate; 11-20 very large;
# 21-30 extremely large effect on patient's life" (integers, so <= is exact).
DLQI_NO_EFFECT_MAX = Fraction(1)
DLQI_SMALL_MAX = Fraction(5)
DLQI_MODERATE_MAX = Fraction(10)
DLQI_VERY_LARGE_MAX = Fraction(20)
BANDS: tuple[Band, ...] = (
    Band("no-effect", DLQI_NO_EFFECT_MAX, True, "no effect on patient's life"),
    Band("small", DLQI_SMALL_MAX, True, "small effect"),
    Band("moderate", DLQI_MODERATE_MAX, True, "moderate effect"),
    Band("very-large", DLQI_VERY_LARGE_MAX, True, "very large effect"),
    Band("extremely-large", None, True, "extremely large effect"),
)

# Subscales (Cardiff DLQI FAQ): item numbers per dimension.
SUBSCALES: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("symptoms_and_feelings", (1, 2)),
    ("daily_activities", (3, 4)),
    ("leisure", (5, 6)),
    ("work_and_school", (7,)),
    ("personal_relationships", (8, 9)),
    ("treatment", (10,)),
)

SOURCES = (
    cite("finlay-khan-1994", "item scoring 0-3, total 0-30"),
    cite("dlqi-faq", "not relevant = 0; question 7 branch; subscales; copyright notice"),
    cite("hongbo-2005", "score bands"),
)

_ITEM_ACCEPTED = "integer 0-3, null (missing)"


def _item_accepted(item: int) -> str:
    if item == DLQI_Q7_ITEM:
        return _ITEM_ACCEPTED + ", " + ", ".join(_Q7_CODES) + " or {prevented, problem} mapping"
    if item >= DLQI_FIRST_NOT_RELEVANT_ITEM:
        return _ITEM_ACCEPTED + " or not-relevant"
    return _ITEM_ACCEPTED + " ('not relevant' is offered from question 3)"


def _q7_mapping(raw: Mapping[str, Any], field: str) -> int:
    reader = Reader(raw, prefix=f"{field}.")
    prevented = reader.raw("prevented")
    problem = reader.raw("problem")
    reader.finish(("prevented", "problem"))
    prevented_key = str(prevented).strip().lower() if prevented is not None else None
    if prevented_key in ("yes", NOT_RELEVANT):
        if problem is not None:
            raise InstrumentInputError(
                f"{field}.problem", problem, "no follow-up answer unless prevented is 'no'"
            )
        return _Q7_CODES[prevented_key]
    if prevented_key != "no":
        raise InstrumentInputError(f"{field}.prevented", prevented, "yes, no or not-relevant")
    problem_key = str(problem).strip().lower() if problem is not None else None
    if problem_key not in _Q7_PROBLEM:
        raise InstrumentInputError(
            f"{field}.problem", problem, "a-lot, a-little or not-at-all (required after 'no')"
        )
    return _Q7_PROBLEM[problem_key]


def _item(raw: Any, item: int) -> tuple[int | None, bool]:
    """Return (score or None when missing, answered-not-relevant)."""
    field = f"answers.q{item}"
    accepted = _item_accepted(item)
    if raw is None:
        return None, False
    if item == DLQI_Q7_ITEM and isinstance(raw, Mapping):
        q7 = _q7_mapping(raw, field)
        return q7, str(raw.get("prevented")).strip().lower() == NOT_RELEVANT
    if isinstance(raw, str):
        key = raw.strip().lower()
        if key == "":
            return None, False
        if item == DLQI_Q7_ITEM and key in _Q7_CODES:
            return _Q7_CODES[key], key == NOT_RELEVANT
        if key == NOT_RELEVANT:
            if item < DLQI_FIRST_NOT_RELEVANT_ITEM:
                raise InstrumentInputError(field, raw, accepted)
            return DLQI_NOT_RELEVANT_SCORE, True
    try:
        value = check_number(raw, field, DLQI_ITEM_MIN, DLQI_ITEM_MAX, integer=True)
    except InstrumentInputError:
        raise InstrumentInputError(field, raw, accepted) from None
    return int(value), False


def score(**inputs: Any) -> Score:
    """Score the ten DLQI items (question 7 with its branch) and band the total.

    Inputs: ``answers`` (ten items) and optional ``missing_policy``
    (``"one-missing-as-zero"``, the default, or ``"no-missing"``).
    """
    reader = Reader(inputs)
    answers = reader.raw("answers")
    missing_policy = reader.raw("missing_policy")
    if missing_policy is None:
        missing_policy = DEFAULT_MISSING_POLICY
    reader.finish(("answers", "missing_policy"))
    if missing_policy not in MISSING_POLICIES:
        raise InstrumentInputError("missing_policy", missing_policy, ", ".join(MISSING_POLICIES))
    if (
        answers is None
        or isinstance(answers, str | bytes | Mapping)
        or not isinstance(answers, Sequence)
        or len(answers) != DLQI_ITEM_COUNT
    ):
        is_list = isinstance(answers, Sequence) and not isinstance(answers, str | bytes)
        shown = f"{len(answers)} items" if is_list else answers
        raise InstrumentInputError(
            "answers", shown, f"a list of exactly {DLQI_ITEM_COUNT} item scores (q1..q10)"
        )
    items: list[int | None] = []
    missing: list[int] = []
    not_relevant: list[int] = []
    for number, raw in enumerate(answers, start=1):
        value, nr = _item(raw, number)
        items.append(value)
        if value is None:
            missing.append(number)
        if nr:
            not_relevant.append(number)
    allowed = DLQI_MAX_MISSING_SCORED if missing_policy == "one-missing-as-zero" else 0
    if len(missing) > allowed:
        raise InstrumentInputError(
            f"answers.q{missing[allowed]}",
            None,
            f"an answer (policy {missing_policy}: at most {allowed} unanswered item(s))",
        )
    scored = [0 if v is None else v for v in items]
    total = sum(scored)
    notes = tuple(
        f"Question {n} unanswered: scored 0 under policy {missing_policy} (at most one"
        " missing item; Cardiff rule as commonly cited, not verified verbatim)."
        for n in missing
    )
    components: dict[str, Any] = {
        "items": items,
        "missing_items": missing,
        "not_relevant_items": not_relevant,
        "missing_policy": missing_policy,
        "subscales": {name: sum(scored[n - 1] for n in numbers) for name, numbers in SUBSCALES},
    }
    return Score(
        instrument=NAME,
        value=total,
        category=classify(Fraction(total), BANDS),
        components=components,
        sources=SOURCES,
        notes=notes,
    )


def categorize(value: object) -> str:
    """Hongbo 2005 band of a DLQI total (integer 0-30)."""
    total = check_number(value, "value", DLQI_MIN, DLQI_MAX, integer=True)
    return classify(total, BANDS)


DOC = InstrumentDoc(
    title="DLQI - Dermatology Life Quality Index",
    summary="Skin-related quality of life over the last week; ten items scored 0-3.",
    formula="DLQI = sum of the 10 item scores (each 0-3)\n"
    "question 7: yes = 3; no + a lot = 2; no + a little = 1; no + not at all = 0;"
    " not relevant = 0\n"
    "not relevant (questions 3-10) = 0",
    value_range="integer 0-30",
    inputs=(
        InputSpec(
            "answers",
            "list of 10 items",
            "item scores in question order; each integer 0-3 or null (missing); questions"
            " 3-10 also accept not-relevant",
        ),
        InputSpec(
            "answers[7] (question 7)",
            "0-3 | yes | no:a-lot | no:a-little | no:not-at-all | not-relevant |"
            " {prevented, problem}",
            "question 7 scored with its branch",
        ),
        InputSpec(
            "missing_policy",
            " | ".join(MISSING_POLICIES),
            f"default {DEFAULT_MISSING_POLICY}: one unanswered item scores 0, two or more"
            " are an error; no-missing: any unanswered item is an error",
        ),
    ),
    categories=tuple(
        (band.label, f"{rule} ({band.description})")
        for band, rule in zip(BANDS, band_rule(BANDS, "DLQI", DLQI_MIN), strict=True)
    ),
    policies=(
        "The questionnaire text is copyright and is not reproduced. Pages that collect"
        f" answers must show the notice: {DLQI_NOTICE}",
        "Missing items: one unanswered item scores 0 (total still out of 30); two or more"
        " make the DLQI unscorable. This is the rule commonly attributed to the Cardiff FAQ;"
        " its wording was not verified verbatim, so it is a named policy.",
        "Counts of 'not relevant' answers are reported (not_relevant_items) because they"
        " lower the total.",
    ),
    examples=(
        Example(
            "Question 7 branch changes the band",
            {"answers": [3, 2, 1, 0, 2, NOT_RELEVANT, "no:a-little", 0, 0, 2]},
            "Computed from the published scoring rules",
        ),
    ),
    sources=SOURCES,
)
