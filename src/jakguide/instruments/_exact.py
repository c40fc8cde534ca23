"""Exact numbers and strict input reading shared by all instruments.

Why: published cut-offs are decimal numbers ("PASI75", "ASDAS <= 3.5", "DAPSA <= 4") and
binary floating point cannot represent most of them. A PASI fall from 13.2 to 3.3 is exactly
75 %, but ``(13.2 - 3.3) / 13.2`` is 0.7499999999999999 in doubles. Every input is therefore
turned into a :class:`fractions.Fraction` built from its *decimal string* (``repr`` for floats),
and all comparisons against cut-offs are made on exact values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from jakguide.instruments.errors import InstrumentInputError

__all__ = [
    "Reader",
    "exact",
    "fmt",
    "percent_change",
    "to_float",
]

_HUNDRED = Fraction(100)  # percent, not a clinical number
# Guard against absurd magnitudes ("1e-999999999") whose exact fraction would be enormous.
# No clinical input is anywhere near 1e15 or 1e-15; this is a sanity bound, not a threshold.
_MAX_DECIMAL_EXPONENT = 15


def exact(value: object, field: str, accepted: str = "a finite number") -> Fraction:
    """Return ``value`` as an exact fraction of its decimal representation.

    Floats are read through ``repr`` (the shortest string that round-trips), so ``13.2``
    becomes exactly 66/5 rather than the binary approximation. Strings (CLI, forms) are parsed
    as decimals. Booleans, NaN and infinities are rejected.
    """
    if isinstance(value, bool) or value is None:
        raise InstrumentInputError(field, value, accepted)
    if isinstance(value, Fraction | int):
        return Fraction(value)
    try:
        if isinstance(value, float):
            dec = Decimal(repr(value))
        elif isinstance(value, Decimal):
            dec = value
        elif isinstance(value, str):
            dec = Decimal(value.strip())
        else:
            raise InstrumentInputError(field, value, accepted)
    except InvalidOperation:
        raise InstrumentInputError(field, value, accepted) from None
    if not dec.is_finite() or (dec != 0 and abs(dec.adjusted()) > _MAX_DECIMAL_EXPONENT):
        raise InstrumentInputError(field, value, accepted)
    return Fraction(dec)


def to_float(value: Fraction) -> float:
    """Convert an exact result to the nearest float for output (never for comparisons)."""
    return float(value)


def fmt(value: Fraction | Decimal | int | float) -> str:
    """Format a number for messages and docs without binary noise (``4``, ``13.2``, ``0.5``)."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        return repr(float(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def percent_change(baseline: Fraction, current: Fraction) -> Fraction | None:
    """Exact percentage improvement ``(baseline - current) / baseline * 100``.

    Returns ``None`` when the baseline is 0: the percentage is undefined, not 0 and not 100.
    """
    if baseline == 0:
        return None
    return (baseline - current) / baseline * _HUNDRED


def _range_text(low: Fraction | None, high: Fraction | None, *, integer: bool, unit: str) -> str:
    kind = "integer" if integer else "number"
    suffix = f" {unit}" if unit else ""
    if low is not None and high is not None:
        return f"{kind} {fmt(low)}-{fmt(high)}{suffix}"
    if low is not None:
        return f"{kind} >= {fmt(low)}{suffix}"
    if high is not None:
        return f"{kind} <= {fmt(high)}{suffix}"
    return kind + suffix


class Reader:
    """Strict reader over one mapping of inputs (unknown keys are errors, like extra="forbid").

    Use :meth:`number`/:meth:`optional_number` for each accepted key, then :meth:`finish` to
    reject anything left over. ``prefix`` names nested mappings in messages (``head.``).
    """

    def __init__(self, inputs: Mapping[str, Any], *, prefix: str = "", what: str = "") -> None:
        if not isinstance(inputs, Mapping):
            raise InstrumentInputError(prefix.rstrip(".") or "inputs", inputs, what or "a mapping")
        self._inputs = inputs
        self._prefix = prefix
        self._seen: set[str] = set()

    def name(self, key: str) -> str:
        """Dotted name of ``key`` for messages."""
        return f"{self._prefix}{key}"

    def has(self, key: str) -> bool:
        """True when ``key`` was supplied with a non-null value."""
        return self._inputs.get(key) is not None

    def raw(self, key: str) -> Any:
        """Return the raw value of ``key`` (``None`` if absent) and mark it as read."""
        self._seen.add(key)
        return self._inputs.get(key)

    def number(
        self,
        key: str,
        low: Fraction | None = None,
        high: Fraction | None = None,
        *,
        integer: bool = False,
        unit: str = "",
    ) -> Fraction:
        """Read a required number in the closed range [low, high]."""
        accepted = _range_text(low, high, integer=integer, unit=unit)
        value = self.raw(key)
        if value is None:
            raise InstrumentInputError(self.name(key), None, accepted)
        return check_number(value, self.name(key), low, high, integer=integer, unit=unit)

    def optional_number(
        self,
        key: str,
        low: Fraction | None = None,
        high: Fraction | None = None,
        *,
        integer: bool = False,
        unit: str = "",
    ) -> Fraction | None:
        """Read an optional number; ``None`` when absent or null."""
        if not self.has(key):
            self.raw(key)
            return None
        return self.number(key, low, high, integer=integer, unit=unit)

    def finish(self, accepted_keys: Sequence[str]) -> None:
        """Reject keys that no reader consumed (typos must not be silently ignored)."""
        for key in self._inputs:
            if key not in self._seen:
                raise InstrumentInputError(
                    self.name(str(key)), self._inputs[key], "one of: " + ", ".join(accepted_keys)
                )


def check_number(
    value: object,
    field: str,
    low: Fraction | None = None,
    high: Fraction | None = None,
    *,
    integer: bool = False,
    unit: str = "",
) -> Fraction:
    """Validate one number against a closed range and integrality."""
    accepted = _range_text(low, high, integer=integer, unit=unit)
    number = exact(value, field, accepted)
    if integer and number.denominator != 1:
        raise InstrumentInputError(field, value, accepted)
    if (low is not None and number < low) or (high is not None and number > high):
        raise InstrumentInputError(field, value, accepted)
    return number
