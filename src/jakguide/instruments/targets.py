"""The instrument arithmetic that treat-to-target checks need: exact BSA and ASDAS changes.

The guideline numbers themselves (review after N months or weeks, target and acceptable values,
improvement cut-offs) are knowledge: ``knowledge/guidelines.yaml`` holds them with their
sources and ``jakguide.rules.targets`` compares these values with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from jakguide.instruments import asdas
from jakguide.instruments._exact import check_number, fmt, percent_change, to_float
from jakguide.instruments.severity import BSA_PERCENT_MAX

__all__ = ["Change", "asdas_change", "bsa_change", "fmt"]


@dataclass(frozen=True)
class Change:
    """A baseline and a follow-up value, exact, with the change between them.

    ``fall`` = baseline - current; ``percent`` = the relative improvement in % (``None`` without
    a baseline, or when the baseline is 0). ``facts`` name the values for a finding.
    """

    current: Fraction
    baseline: Fraction | None
    fall: Fraction | None
    percent: Fraction | None
    facts: tuple[str, ...]


def bsa_change(baseline: Any, current: Any) -> Change:
    """BSA percentages (baseline optional); each must be a number from 0 to 100."""
    now = check_number(current, "current", Fraction(0), BSA_PERCENT_MAX, unit="%")
    base = None
    if baseline is not None:
        base = check_number(baseline, "baseline", Fraction(0), BSA_PERCENT_MAX, unit="%")
    facts = [f"bsa_current={fmt(now)}"]
    pct = None if base is None else percent_change(base, now)
    if base is not None:
        facts.append(f"bsa_baseline={fmt(base)}")
    if pct is not None:
        facts.append(f"bsa_improvement_percent={fmt(pct)}")
    return Change(now, base, None if base is None else base - now, pct, tuple(facts))


def asdas_change(baseline: Any, current: Any) -> Change:
    """ASDAS values, Scores or inputs (as the ``asdas`` response takes them); exact change."""
    base, now, _version = asdas.exact_pair(baseline, current)
    fall = base - now
    facts = (
        f"asdas_baseline={to_float(base)!r}",
        f"asdas_current={to_float(now)!r}",
        f"asdas_delta={to_float(fall)!r}",
    )
    return Change(now, base, fall, percent_change(base, now), facts)
