"""The clinic's patient list: search, filter, sort and pages, each a ``/patients?...`` link.

Why the filters read the same state as the record page: "overdue" and "needs attention" come
from the same monitoring evaluation (``record.lab_state``), so the list can never disagree with
the record. A new self-report that mentions side effects or carries a note needs attention too;
a list that says "nothing overdue" must not hide it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from jakguide.store import links as store_links
from jakguide.store.convert import Record, to_patient
from jakguide.store.kinds import KINDS
from jakguide.store.models import PatientRow
from jakguide.store.records import Records
from jakguide.web.deps import KbDep, SessionDep
from jakguide.web.pages.common import (
    ClinDep,
    condition_name,
    page_context,
    page_day,
    page_router,
    render_html,
)
from jakguide.web.pages.record import lab_state

router = page_router()
PAGE_SIZE = 50
MAX_PATIENTS = 100_000  # the list reads the clinic's records; beyond this, the API pages them
Show = Literal["all", "overdue", "attention", "self-report"]
Sort = Literal["label", "last", "attention"]
SHOWS: tuple[tuple[str, str], ...] = (
    ("all", "Everyone"),
    ("attention", "Needs attention"),
    ("overdue", "Overdue monitoring"),
    ("self-report", "New self-report"),
)
SORTS: tuple[tuple[str, str], ...] = (
    ("attention", "Needs attention first"),
    ("label", "Reference (A to Z)"),
    ("last", "Latest result first"),
)


def quiet_record(session: Session, row: PatientRow) -> Record:
    """A patient's rows for the list page (the list is audited once, as ``patient-list``)."""
    children: dict[str, list[Any]] = {}
    for name, spec in KINDS.items():
        table: Any = spec.row
        order = [getattr(table, col) for col in spec.order]
        query = select(table).where(table.patient_id == row.id).order_by(*order)
        children[name] = list(session.scalars(query))
    return Record(row, children)


def attention_reports(reports: list[Any], last: dt.date | None) -> list[Any]:
    """Self-reports that mention side effects or carry a note, sent on or after the record's
    last result (not yet seen at a visit)."""
    return [r for r in reports if (r.side_effects or r.note) and (last is None or r.date >= last)]


@dataclass
class Item:
    row: PatientRow
    conditions: list[str]
    condition_ids: list[str]
    therapy: Any
    overdue: list[Any]
    alerts: list[Any]
    last: dt.date | None
    reports: list[Any]

    @property
    def attention(self) -> bool:
        return bool(self.overdue or self.alerts or self.reports)


def _item(session: Session, kb: Any, row: PatientRow, day: dt.date) -> Item:
    rec = quiet_record(session, row)
    patient = to_patient(rec, kb, day)
    state = lab_state(kb, patient, "US", day)
    last = max(
        [r.date for r in rec.rows("labs")] + [r.date for r in rec.rows("scores")], default=None
    )
    reports = attention_reports(store_links.reports_of(session, row.id), last)
    conditions = list(patient.conditions or [])
    return Item(
        row, [condition_name(kb, c) for c in conditions], conditions, patient.therapy,
        state.overdue, state.alerts, last, reports,
    )  # fmt: skip


def _keep(it: Item, q: str, condition: str, agent: str, show: str) -> bool:
    if q and q.lower() not in it.row.label.lower():
        return False
    if condition and condition not in it.condition_ids:
        return False
    if agent and (it.therapy is None or it.therapy.drug != agent):
        return False
    if show == "overdue":
        return bool(it.overdue)
    if show == "attention":
        return it.attention
    if show == "self-report":
        return bool(it.reports)
    return True


def _sorted(items: list[Item], sort: str) -> list[Item]:
    by_label = sorted(items, key=lambda it: it.row.label.lower())
    if sort == "last":
        return sorted(by_label, key=lambda it: it.last or dt.date.min, reverse=True)
    if sort == "attention":
        return sorted(by_label, key=lambda it: not it.attention)
    return by_label


@router.get("/patients")
def patient_list(
    request: Request,
    clin: ClinDep,
    session: SessionDep,
    kb: KbDep,
    q: Annotated[str, Query(max_length=100)] = "",
    condition: Annotated[str, Query(max_length=100)] = "",
    agent: Annotated[str, Query(max_length=100)] = "",
    show: Show = "all",
    sort: Sort = "attention",
    page: Annotated[int, Query(ge=1, le=10**6)] = 1,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,  # the list's earlier paging handle
    as_of: str | None = None,
) -> Response:
    records = Records(session, clin.actor, kb)
    day = page_day(request, clin.actor, as_of)
    rows, total = records.list_patients(MAX_PATIENTS, 0)
    q = q.strip()
    items = [_item(session, kb, row, day) for row in rows]
    kept = _sorted([it for it in items if _keep(it, q, condition, agent, show)], sort)
    pages = max(1, -(-len(kept) // PAGE_SIZE))
    if offset and page == 1:
        page = offset // PAGE_SIZE + 1
    page = min(page, pages)
    shown = kept[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    session.commit()
    query = {"q": q, "condition": condition, "agent": agent, "show": show, "sort": sort}
    base = {k: v for k, v in query.items() if v}

    def page_link(n: int) -> str:
        return "/patients?" + urlencode({**base, "page": n})

    return render_html(
        kb,
        "patients.html.j2",
        page_context(
            clin, "patients", "Patients", items=shown, total=total, matched=len(kept),
            page=page, pages=pages, prev_link=page_link(page - 1) if page > 1 else None,
            next_link=page_link(page + 1) if page < pages else None, day=day,
            added=request.query_params.get("added"), query=query, shows=SHOWS, sorts=SORTS,
            conditions=sorted(((c.id, c.name) for c in kb.conditions.values()), key=lambda p: p[1]),
            agents=sorted(kb.drugs), filtered=bool(q or condition or agent or show != "all"),
        ),
    )  # fmt: skip
