"""Helpers shared by the response definitions (reading a baseline or follow-up value)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Context, Decimal
from fractions import Fraction
from typing import Any

from jakguide.instruments._exact import Reader, check_number, exact, to_float
from jakguide.instruments.errors import InstrumentInputError
from jakguide.instruments.model import Score

__all__ = ["DECIMALS", "assessment_value", "crp_mg_l", "decimal", "output_number"]

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


# Log and square-root scores (ASDAS, DAS28) are computed in 50-digit decimals so that a value on a
# cut-off is classified by the published inequality, not by binary rounding.
DECIMALS = Context(prec=50)
_MG_L_PER_MG_DL = Decimal(10)  # unit conversion: 1 mg/dL = 10 mg/L


def decimal(value: Fraction) -> Decimal:
    """An exact input as a 50-digit decimal."""
    return DECIMALS.divide(Decimal(value.numerator), Decimal(value.denominator))


def crp_mg_l(reader: Reader) -> tuple[Decimal, str]:
    """CRP in mg/L from exactly one of ``crp_mg_l`` or ``crp_mg_dl``, and the unit entered."""
    has_l, has_dl = reader.has("crp_mg_l"), reader.has("crp_mg_dl")
    if has_l == has_dl:
        raise InstrumentInputError(
            "crp_mg_l",
            reader.raw("crp_mg_l") if has_l else None,
            "exactly one of crp_mg_l (number >= 0, mg/L) or crp_mg_dl (mg/dL)",
        )
    if has_l:
        reader.raw("crp_mg_dl")
        return decimal(reader.number("crp_mg_l", Fraction(0), unit="mg/L")), "mg/L"
    reader.raw("crp_mg_l")
    mg_dl = decimal(reader.number("crp_mg_dl", Fraction(0), unit="mg/dL"))
    return DECIMALS.multiply(mg_dl, _MG_L_PER_MG_DL), "mg/dL"
