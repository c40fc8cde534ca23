"""Helpers shared by the response definitions (reading a baseline or follow-up value)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from jakguide.instruments._exact import check_number, exact, to_float
from jakguide.instruments.errors import InstrumentInputError
from jakguide.instruments.model import Score

__all__ = ["assessment_value", "output_number"]

_VALUE_KEYS = ("value",)


def assessment_value(
    assessment: Any,
    field: str,
    *,
    instruments: tuple[str, ...],
    low: Fraction,
    high: Fraction | None,
    scorer: Callable[[Mapping[str, Any]], Fraction],
) -> Fraction:
    """Read one baseline/follow-up assessment as an exact value.

    Accepted forms: a number (the score itself), a :class:`Score` of one of ``instruments``,
    a mapping ``{"value": number}``, or a mapping of the instrument's own inputs (scored with
    ``scorer``, exactly, so that no float rounding enters a response threshold).
    """
    accepted = "a score value, a Score of " + "/".join(instruments) + ", or the score inputs"
    if isinstance(assessment, Score):
        if assessment.instrument not in instruments:
            raise InstrumentInputError(field, assessment.instrument, accepted)
        return exact(assessment.value, field)
    if isinstance(assessment, Mapping):
        if set(assessment) == set(_VALUE_KEYS):
            return check_number(assessment["value"], f"{field}.value", low, high)
        return scorer(assessment)
    if assessment is None:
        raise InstrumentInputError(field, None, accepted)
    return check_number(assessment, field, low, high)


def output_number(value: Fraction | None) -> float | None:
    """Float for output, keeping ``None`` (not evaluable)."""
    return None if value is None else to_float(value)
