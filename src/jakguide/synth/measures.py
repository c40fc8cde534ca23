"""The screening measures of docs/scan.md "Measures", counted from one patient's dated facts.

The generator counts its truth with this from what it wrote; the scan counts the same in SQL
from the files. Dates are proleptic ordinals (``date.toordinal()``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

MEASURE_IDS = (
    "tb-before-start",
    "tb-before-start-jak",
    "hbv-before-start",
    "hcv-before-start",
    "screening-complete",
)
ADULT_YEARS = 18  # MIPS #176 and RISE: patients aged 18 years and older
WINDOW_MONTHS = 12  # MIPS #176: TB test in the 12 months before the first course
WASHOUT_MONTHS = 15  # MIPS #176: no biologic or immune response modifier in the prior 15 months


def months_before(day: int, months: int) -> int:
    """``day - months`` calendar months, the day clamped to the month's end (as DuckDB, Spark)."""
    d = dt.date.fromordinal(day)
    total = d.year * 12 + d.month - 1 - months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(d.day, last)).toordinal()


def years_after(day: int, years: int) -> int:
    """``day + years`` calendar years (29 February -> 28 February)."""
    d = dt.date.fromordinal(day)
    last = calendar.monthrange(d.year + years, d.month)[1]
    return dt.date(d.year + years, d.month, min(d.day, last)).toordinal()


@dataclass
class Facts:
    """What counts for the measures, as written to the files."""

    birth: int
    exposures: list[tuple[int, str]] = field(default_factory=list)  # (date, ingredient)
    tests: list[tuple[int, str, str]] = field(default_factory=list)  # (date, item, result)
    known: list[tuple[int, str]] = field(default_factory=list)  # (onset, hbv-active|hcv-active)


@dataclass
class Count:
    numerator: int = 0
    denominator: int = 0
    exclusions: int = 0


def _in_window(f: Facts, item: str, index: int) -> bool:
    start = months_before(index, WINDOW_MONTHS)
    return any(i == item and start <= d <= index for d, i, _ in f.tests)


def _tb_excluded(f: Facts, index: int, t_set: frozenset[str]) -> bool:
    positive = any(i == "tb" and r == "positive" and d <= index for d, i, r in f.tests)
    return positive and any(ing in t_set and d <= index for d, ing in f.exposures)


def count(
    f: Facts,
    b_set: frozenset[str],
    j_set: frozenset[str],
    t_set: frozenset[str],
    totals: dict[str, Count],
) -> None:
    """Add one patient to ``totals`` (measure id -> Count)."""
    b_days = [d for d, ing in f.exposures if ing in b_set]
    if b_days:
        index = min(b_days)
        if years_after(f.birth, ADULT_YEARS) <= index:
            tb_ex = _tb_excluded(f, index, t_set)
            tb_ok = _in_window(f, "tb", index)
            hbv_ex = any(k == "hbv-active" and d <= index for d, k in f.known)
            hbv_ok = _in_window(f, "hbsag", index) and _in_window(f, "anti-hbc", index)
            hcv_ex = any(k == "hcv-active" and d <= index for d, k in f.known)
            hcv_ok = _in_window(f, "hcv", index)
            for mid, excluded, met in (
                ("tb-before-start", tb_ex, tb_ok),
                ("hbv-before-start", hbv_ex, hbv_ok),
                ("hcv-before-start", hcv_ex, hcv_ok),
            ):
                c = totals[mid]
                c.denominator += 1
                c.exclusions += excluded
                c.numerator += (not excluded) and met
            c = totals["screening-complete"]
            c.denominator += 1
            c.numerator += (tb_ex or tb_ok) and (hbv_ex or hbv_ok) and (hcv_ex or hcv_ok)
    j_days = [d for d, ing in f.exposures if ing in j_set]
    if j_days:
        index = min(j_days)
        washout = months_before(index, WASHOUT_MONTHS)
        if years_after(f.birth, ADULT_YEARS) <= index and not any(
            washout <= d < index for d in b_days
        ):
            c = totals["tb-before-start-jak"]
            c.denominator += 1
            excluded = _tb_excluded(f, index, t_set)
            c.exclusions += excluded
            c.numerator += (not excluded) and _in_window(f, "tb", index)
