"""The audit trail: who (clinician, clinic) did what (verb, resource, id) to which record, when.

Why ids only: the audit log is read by administrators and shipped to log stores; it must never
hold a name, a value or a free-text field from a patient record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from jakguide.store.db import defer_write
from jakguide.store.models import AuditRow, utcnow

Action = Literal[
    "read", "create", "update", "delete", "import", "export", "assess", "login", "login-failed"
]


@dataclass(frozen=True)
class Actor:
    """The authenticated clinician a repository acts for (and whose clinic bounds it)."""

    clinician_id: int
    clinic_id: int
    timezone: str = "UTC"


def record(
    session: Session,
    actor: Actor | None,
    action: Action,
    resource: str,
    resource_id: str | int | None = None,
    patient_id: str | None = None,
    outcome: str = "ok",
    detail: str | None = None,
) -> None:
    """Add one audit row to the session's transaction (it commits with the change it records;
    in a read session it is written right after the read commits, see ``store.db``).

    ``detail`` holds ids only (e.g. the patient ids a list returned), never patient data.
    """
    add(
        session,
        AuditRow(
            clinic_id=actor.clinic_id if actor else None,
            clinician_id=actor.clinician_id if actor else None,
            action=action,
            resource=resource,
            resource_id=None if resource_id is None else str(resource_id),
            patient_id=patient_id,
            outcome=outcome,
            detail=detail,
        ),
    )


def add(session: Session, row: AuditRow) -> None:
    """Add a prepared audit row (now, or after the read of a read session)."""
    if row.at is None:
        row.at = utcnow()
    defer_write(session, lambda s: s.add(row))


def entries(session: Session, clinic_id: int, limit: int = 100, offset: int = 0) -> list[AuditRow]:
    """A clinic's audit rows, newest first."""
    query = (
        select(AuditRow)
        .where(AuditRow.clinic_id == clinic_id)
        .order_by(AuditRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))
