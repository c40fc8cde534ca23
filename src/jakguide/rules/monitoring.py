"""Monitoring plan: what is due, when, and whether it is overdue on ``as_of``.

Schedules come from the label (baseline; a first check in a window of weeks after the start; then
every N calendar months). A repeat interval counts from the last qualifying result; an item is
``overdue`` iff ``as_of`` is after ``due_by``. Local policy (docs/policies.md): a repeat check is
"due" from one calendar month before its due date.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from jakguide.dates import add_months, add_weeks
from jakguide.kb.schema import MonitoringItem
from jakguide.model import MonitoringOut
from jakguide.rules.base import source_ref
from jakguide.rules.context import Context

REPEAT_WINDOW_MONTHS = 1  # local policy, see module docstring


MonitorStatus = Literal["upcoming", "due", "overdue", "done"]


def _status(as_of: dt.date, due_from: dt.date | None, due_by: dt.date) -> MonitorStatus:
    if as_of > due_by:
        return "overdue"
    if due_from is None or as_of >= due_from:
        return "due"
    return "upcoming"


def plan_item(
    ctx: Context, item: MonitoringItem, start: dt.date | None, drug: str | None = None
) -> MonitoringOut:
    """The next pending step of ``item`` for a patient who started on ``start``.

    ``start`` None means the drug has not been started: a missing baseline is due now, and later
    steps are listed as ``upcoming`` with dates as if started on ``as_of``.
    """
    as_of = ctx.as_of
    series = ctx.labs.get(item.analyte, [])
    refs = [source_ref(ctx.kb, item.source)]
    begin = start or as_of
    after = [p for p in series if start is not None and p.date > start]

    def out(
        status: MonitorStatus, due_from: dt.date | None, due_by: dt.date | None, why: str
    ) -> MonitoringOut:
        return MonitoringOut(
            analyte=item.analyte,
            drug=drug,
            due_from=due_from,
            due_by=due_by,
            status=status,
            why=why,
            sources=refs,
        )

    if item.baseline and not [p for p in series if p.date <= begin] and not after:
        return out(
            "due" if start is None else "overdue",
            None,
            begin,
            f"Baseline before starting. {item.text}",
        )
    anchor = begin
    if item.first_from_weeks is not None:
        due_from = add_weeks(begin, item.first_from_weeks)
        if item.first_to_weeks and item.first_to_weeks > item.first_from_weeks:
            due_by = add_weeks(begin, item.first_to_weeks)
        else:  # a single time point ("at week 12"): due for one calendar month (policy 4)
            due_by = add_months(due_from, REPEAT_WINDOW_MONTHS)
        qualifying = [p for p in after if p.date >= due_from]
        if not qualifying:
            weeks = f"{item.first_from_weeks}"
            if item.first_to_weeks and item.first_to_weeks != item.first_from_weeks:
                weeks += f"-{item.first_to_weeks}"
            status = "upcoming" if start is None else _status(as_of, due_from, due_by)
            return out(
                status, due_from, due_by, f"First check {weeks} weeks after starting. {item.text}"
            )
        anchor = qualifying[-1].date
    if after:
        anchor = max(anchor, after[-1].date)
    if item.every_months is None:
        if after or (item.baseline and start is not None):
            return out(
                "done",
                None,
                None,
                f"Last result {anchor}; then as clinically indicated. {item.text}",
            )
        return out(
            "upcoming" if start is None else "due", None, None, f"During treatment. {item.text}"
        )
    due_by = add_months(anchor, item.every_months)
    due_from = add_months(anchor, item.every_months - REPEAT_WINDOW_MONTHS)
    if start is None:
        return out(
            "upcoming",
            due_from,
            due_by,
            f"Every {item.every_months} months after starting. {item.text}",
        )
    last = f"last result {anchor}" if after else f"from the start on {start}"
    return out(
        _status(as_of, due_from, due_by),
        due_from,
        due_by,
        f"Every {item.every_months} months ({last}). {item.text}",
    )
