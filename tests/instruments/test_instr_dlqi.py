"""DLQI: question 7 branch, not-relevant, missing-item policy, Hongbo 2005 bands."""

from __future__ import annotations

from typing import Any

import pytest

from jakguide.instruments import DLQI_NOTICE, InstrumentInputError, categorize, score

ZEROS: list[Any] = [0] * 10


def with_item(item: int, value: Any, base: list[Any] | None = None) -> list[Any]:
    answers = list(base or ZEROS)
    answers[item - 1] = value
    return answers


def test_worked_example_with_q7_branch_is_very_large() -> None:
    # Q1 3, Q2 2, Q3 1, Q4 0, Q5 2, Q6 not relevant, Q7 no + a little, Q8 0, Q9 0, Q10 2 -> 11.
    answers = [3, 2, 1, 0, 2, "not-relevant", "no:a-little", 0, 0, 2]
    result = score("dlqi", answers=answers)
    assert (result.value, result.category) == (11, "very-large")
    assert result.components["not_relevant_items"] == [6]
    assert result.components["subscales"]["work_and_school"] == 1


def test_calculator_without_q7_branch_would_mis_band() -> None:
    # Dropping the branch scores Q7 as 0 -> 10 "moderate"; the branch gives 11 "very-large".
    without_branch = score("dlqi", answers=[3, 2, 1, 0, 2, 0, 0, 0, 0, 2])
    assert (without_branch.value, without_branch.category) == (10, "moderate")


def test_q7_yes_alone_is_small_effect() -> None:
    result = score("dlqi", answers=with_item(7, "yes"))
    assert (result.value, result.category) == (3, "small")


@pytest.mark.parametrize(
    ("q7", "expected"),
    [
        ("yes", 3),
        ("no:a-lot", 2),
        ("no:a-little", 1),
        ("no:not-at-all", 0),
        ("not-relevant", 0),
        ({"prevented": "yes"}, 3),
        ({"prevented": "no", "problem": "a-lot"}, 2),
        ({"prevented": "no", "problem": "a-little"}, 1),
        ({"prevented": "no", "problem": "not-at-all"}, 0),
        ({"prevented": "not-relevant"}, 0),
        (2, 2),
        ("1", 1),
    ],
)
def test_q7_branch_scores(q7: Any, expected: int) -> None:
    assert score("dlqi", answers=with_item(7, q7)).value == expected


@pytest.mark.parametrize(
    ("q7", "field"),
    [
        ({"prevented": "no"}, "answers.q7.problem"),
        ({"prevented": "yes", "problem": "a-lot"}, "answers.q7.problem"),
        ({"prevented": "maybe"}, "answers.q7.prevented"),
        ("no", "answers.q7"),
        (4, "answers.q7"),
    ],
)
def test_q7_invalid_branch(q7: Any, field: str) -> None:
    with pytest.raises(InstrumentInputError) as info:
        score("dlqi", answers=with_item(7, q7))
    assert info.value.field == field


def test_not_relevant_is_offered_from_question_3() -> None:
    assert score("dlqi", answers=with_item(3, "not-relevant")).value == 0
    with pytest.raises(InstrumentInputError) as info:
        score("dlqi", answers=with_item(2, "not-relevant"))
    assert info.value.field == "answers.q2"
    assert "question 3" in info.value.accepted


def test_one_missing_item_scores_zero_and_is_reported() -> None:
    answers = with_item(4, None, [3] * 10)
    result = score("dlqi", answers=answers)
    assert result.value == 27
    assert result.components["missing_items"] == [4]
    assert result.components["items"][3] is None
    assert "Question 4 unanswered" in result.notes[0]


def test_two_missing_items_are_not_scored() -> None:
    answers = with_item(4, None, with_item(9, None))
    with pytest.raises(InstrumentInputError) as info:
        score("dlqi", answers=answers)
    assert info.value.field == "answers.q9"
    assert "at most 1" in info.value.accepted


def test_no_missing_policy_rejects_any_missing_item() -> None:
    with pytest.raises(InstrumentInputError, match=r"answers\.q1: missing"):
        score("dlqi", answers=with_item(1, None), missing_policy="no-missing")
    with pytest.raises(InstrumentInputError, match="missing_policy"):
        score("dlqi", answers=ZEROS, missing_policy="impute-mean")


@pytest.mark.parametrize("answers", [ZEROS[:9], [*ZEROS, 0], "0000000000", None, {"q1": 0}])
def test_answers_must_be_ten_items(answers: Any) -> None:
    with pytest.raises(InstrumentInputError) as info:
        score("dlqi", answers=answers)
    assert info.value.field == "answers"


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "no-effect"),
        (1, "no-effect"),
        (2, "small"),
        (5, "small"),
        (6, "moderate"),
        (10, "moderate"),
        (11, "very-large"),
        (20, "very-large"),
        (21, "extremely-large"),
        (30, "extremely-large"),
    ],
)
def test_hongbo_bands_at_every_cut_off(total: int, band: str) -> None:
    assert categorize("dlqi", total) == band
    answers = [min(3, max(0, total - 3 * i)) for i in range(10)]
    assert score("dlqi", answers=answers).category == band


@pytest.mark.parametrize("bad", [-1, 31, 10.5])
def test_categorize_rejects_impossible_totals(bad: Any) -> None:
    with pytest.raises(InstrumentInputError):
        categorize("dlqi", bad)


def test_copyright_notice_constant() -> None:
    assert DLQI_NOTICE == "\u00a9 A Y Finlay, G K Khan April 1992 www.dermatology.org.uk"
