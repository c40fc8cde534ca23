"""Lab values to canonical UCUM units, using the knowledge base's per-analyte unit table.

An unknown unit is an error, never a guess; a value outside the analyte's plausible range is an
impossible input. Conversion uses exact decimals so a threshold test is not off by a rounding error.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from jakguide.errors import ImplausibleValueError, UnitError, UnknownIdError
from jakguide.kb.base import Knowledge
from jakguide.kb.schema import Analyte


@dataclass(frozen=True)
class CanonicalValue:
    analyte: str
    value: Decimal
    unit: str
    value_entered: Decimal
    unit_entered: str


def normalize_unit(unit: str) -> str:
    """Trim whitespace; UCUM is case-sensitive, so case is kept."""
    return unit.strip()


def to_canonical(
    kb: Knowledge, analyte_id: str, value: float | str | Decimal, unit: str, field: str = "value"
) -> CanonicalValue:
    """Convert ``value unit`` to the analyte's canonical unit.

    Raises:
        UnknownIdError: the analyte id is not in ``analytes.yaml``.
        UnitError: the unit is not accepted for this analyte (the message lists what is).
        ImplausibleValueError: the converted value is outside the plausible range.
    """
    analyte = kb.analyte(analyte_id)
    if analyte is None:
        raise UnknownIdError(
            f"{field}.analyte",
            analyte_id,
            f"unknown analyte; accepted: {', '.join(sorted(kb.analytes))}",
        )
    entered_unit = normalize_unit(unit)
    factor = kb.factor(analyte_id, entered_unit)
    if factor is None:
        accepted = ", ".join(u.unit for u in analyte.units)
        raise UnitError(
            f"{field}.unit",
            unit,
            f"unit not accepted for {analyte_id}; accepted: {accepted}",
        )
    entered = Decimal(str(value))
    canonical = entered * factor
    if not plausible_in(analyte, entered, entered_unit):
        others = [
            u.unit
            for u in analyte.units
            if u.unit != entered_unit
            and entered_unit not in u.aliases
            and plausible_in(analyte, entered, u.unit)
        ]
        low, high = analyte.plausible
        if others:
            num = format(entered.normalize(), "f")  # 142.0 -> 142, as typed
            shown = " or ".join(f"{num} {u}" for u in others)
            why = f"{analyte_id} {num} {entered_unit} is not plausible; did you mean {shown}?"
        else:
            why = (
                f"impossible value for {analyte_id}: plausible range is {low}-{high} "
                f"{analyte.canonical_unit}"
            )
        raise ImplausibleValueError(f"{field}.value", f"{value} {unit}", why)
    return CanonicalValue(analyte_id, canonical, analyte.canonical_unit, entered, entered_unit)


def plausible_range(analyte: Analyte, unit: str) -> tuple[Decimal, Decimal] | None:
    """The plausible range of a value entered in ``unit`` (a UCUM code or an alias), or None."""
    for conv in analyte.units:
        if unit == conv.unit or unit in conv.aliases:
            factor = Decimal(conv.factor)
            low, high = (Decimal(str(x)) / factor for x in analyte.plausible)
            if conv.plausible is not None:
                own_low, own_high = (Decimal(str(x)) for x in conv.plausible)
                low, high = max(low, own_low), min(high, own_high)
            return low, high
    return None


def plausible_in(analyte: Analyte, value: Decimal, unit: str) -> bool:
    """Whether ``value`` is plausible as entered in ``unit``.

    Zero reads the same in every unit, so it is judged by the canonical range alone.
    """
    if value == 0:
        return analyte.plausible[0] <= 0 <= analyte.plausible[1]
    bounds = plausible_range(analyte, unit)
    return bounds is not None and bounds[0] <= value <= bounds[1]


def threshold_in_canonical(kb: Knowledge, analyte_id: str, value: float, unit: str) -> Decimal:
    """A knowledge threshold in the analyte's canonical unit (validated at load time)."""
    factor = kb.factor(analyte_id, unit)
    if factor is None:  # pragma: no cover - the loader rejects such knowledge
        raise UnitError("threshold.unit", unit, f"not accepted for {analyte_id}")
    return Decimal(str(value)) * factor
