"""Monitoring plan: what is due, when, and whether it is overdue on ``as_of``.

Schedules come from the label (baseline; a first check in a window of weeks after the start; then
every N calendar months). A repeat interval counts from the last qualifying result; an item is
``overdue`` iff ``as_of`` is after ``due_by``. Local policy (docs/policies.md): a repeat check is
"due" from one calendar month before its due date.
"""

from __future__ import annotations

import datetime as dt

from jakguide.kb.schema import MonitoringItem
from jakguide.model import MonitoringOut
from jakguide.rules.base import source_ref
from jakguide.rules.context import Context
from jakguide.rules.dates import add_months, add_weeks

REPEAT_WINDOW_MONTHS = 1  # local policy, see module docstring


def _status(as_of: dt.date, due_from: dt.date | None, due_by: dt.date) -> str:
    if as_of > due_by:
        return "overdue"
    if due_from is None or as_of >= due_from:
        return "due"
    return "upcoming"


def plan_item(ctx: Context, item: MonitoringItem, start: dt.date | None) -> MonitoringOut:
    """The next pending step of ``item`` for a patient who started on ``start``.

    ``start`` None means the drug has not been started: the baseline is due now and later steps
    are listed as if started on ``as_of``.
    """
    as_of = ctx.as_of
    series = [p for p in ctx.labs.get(item.analyte, [])]
    refs = [source_ref(ctx.kb, item.source)]
    begin = start or as_of

    def out(
        status: str, due_from: dt.date | None, due_by: dt.date | None, why: str
    ) -> MonitoringOut:
        return MonitoringOut(
            analyte=item.analyte,
            due_from=due_from,
            due_by=due_by,
            status=status,
            why=why,
            sources=refs,
        )

    before = [p for p in series if p.date <= begin]
    if item.baseline:
        if not before:
            status = "due" if start is None else "overdue"
            return out(status, None, begin, f"Baseline before starting. {item.text}")
        if start is None:
            last = before[-1]
            return out(
                "done",
                None,
                begin,
                f"Baseline on record ({last.date}, {last.value_entered} {last.unit_entered}). "
                f"{item.text}",
            )
    after = [p for p in series if start is not None and p.date > start]
    anchor = begin
    if item.first_from_weeks is not None:
        due_from = add_weeks(begin, item.first_from_weeks)
        due_by = add_weeks(begin, item.first_to_weeks or item.first_from_weeks)
        qualifying = [p for p in after if p.date >= due_from]
        if not qualifying:
            if start is None:
                return out(
                    "upcoming",
                    due_from,
                    due_by,
                    f"First check {item.first_from_weeks}"
                    f"{'-' + str(item.first_to_weeks) if item.first_to_weeks else ''} "
                    f"weeks after starting. {item.text}",
                )
            return out(_status(as_of, due_from, due_by), due_from, due_by, item.text)
        anchor = qualifying[-1].date
    elif after:
        anchor = after[-1].date
    if item.every_months is None:
        if item.first_from_weeks is None and not item.baseline:
            if start is None:
                return out("upcoming", None, None, f"During treatment. {item.text}")
            return out("due", None, None, item.text)
        return out(
            "done", None, None, f"Done on {anchor}; then as clinically indicated. {item.text}"
        )
    if after:
        anchor = max(anchor, after[-1].date)
    due_by = add_months(anchor, item.every_months)
    due_from = add_months(anchor, item.every_months - REPEAT_WINDOW_MONTHS)
    status = _status(as_of, due_from, due_by) if start is not None else "upcoming"
    return out(
        status,
        due_from,
        due_by,
        f"Every {item.every_months} months (last qualifying result {anchor}). {item.text}"
        if after or item.first_from_weeks is not None
        else f"Every {item.every_months} months. {item.text}",
    )
