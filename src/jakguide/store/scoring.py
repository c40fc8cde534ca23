"""Scores on the way into a record: inputs are scored, a bare value gets its published category.

Why here and not in the client: the stored value and category must be the instruments package's
own result, so a timeline never shows a category computed by a different rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jakguide.errors import InputError, UnknownIdError
from jakguide.instruments import InstrumentInputError, categorize, instrument_names, score


def _input_error(exc: InstrumentInputError, prefix: str) -> InputError:
    return InputError(f"{prefix}.{exc.field}", exc.value, f"accepted: {exc.accepted}")


def check_instrument(name: str, field: str = "body.instrument") -> str:
    key = name.strip().lower()
    if key not in instrument_names():
        raise UnknownIdError(
            field, name, "unknown instrument; accepted: " + ", ".join(sorted(instrument_names()))
        )
    return key


def category_of(name: str, value: float) -> str | None:
    """Published category of ``value``, or None when the instrument has no bands (PASI).

    Raises:
        InputError: the value is outside the instrument's range.
    """
    try:
        return categorize(name, value)
    except InstrumentInputError as exc:
        if exc.field == "instrument":
            return None
        raise InputError("body.value", value, f"accepted: {exc.accepted}") from None


def score_columns(
    instrument: str, inputs: dict[str, Any] | None, value: float | None, day: dt.date
) -> dict[str, Any]:
    """Columns of a score row; inputs win over a given value (the value must then agree)."""
    name = check_instrument(instrument)
    if inputs is not None:
        try:
            result = score(name, **inputs)
        except InstrumentInputError as exc:
            raise _input_error(exc, "body.inputs") from None
        except TypeError as exc:  # an input name the instrument does not take
            raise InputError("body.inputs", sorted(inputs), str(exc)) from None
        computed = float(result.value)
        if value is not None and abs(value - computed) > 1e-9 * max(1.0, abs(computed)):
            raise InputError(
                "body.value", value, f"does not match the score of the inputs ({computed})"
            )
        return {
            "instrument": name,
            "inputs": inputs,
            "value": computed,
            "category": result.category,
            "date": day,
        }
    assert value is not None  # ScoreIn guarantees one of the two
    return {
        "instrument": name,
        "inputs": None,
        "value": value,
        "category": category_of(name, value),
        "date": day,
    }
