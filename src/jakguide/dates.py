"""Calendar arithmetic for schedules: months are calendar months (DESIGN)."""

from __future__ import annotations

import calendar
import datetime as dt

MONTHS_PER_YEAR = 12  # the calendar, not a clinical number


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus calendar months, clamped to the month's end (31 Jan + 1 -> 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // MONTHS_PER_YEAR, index % MONTHS_PER_YEAR + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_weeks(day: dt.date, weeks: int) -> dt.date:
    return day + dt.timedelta(weeks=weeks)
