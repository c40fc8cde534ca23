"""The repository of patient records, bounded by one clinic and audited.

Why a class bound to an ``Actor``: every query goes through it, and it adds the clinic filter and
the audit row itself, so an endpoint cannot forget either. A patient of another clinic is
``RecordNotFoundError``, exactly like one that does not exist (no existence oracle).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jakguide.errors import InputError, JakguideError
from jakguide.kb.base import Knowledge
from jakguide.store import audit
from jakguide.store.audit import Action, Actor
from jakguide.store.convert import Record, Rows
from jakguide.store.kinds import KINDS, ChildKind
from jakguide.store.models import AssessmentRow, PatientRow, utcnow
from jakguide.store.schemas import PatientIn

#: Record ids are UUIDs in their 36-character text form; a longer id is never looked up.
_ID_CHARS = 36


class RecordNotFoundError(JakguideError):
    """No such record in the caller's clinic."""

    def __init__(self, resource: str, ident: object) -> None:
        self.resource = resource
        self.ident = ident
        super().__init__(f"{resource} {ident!r} not found")


class VersionConflictError(JakguideError):
    """An update named a version (``If-Match``) the record no longer has."""

    def __init__(self, resource: str, sent: str, current: int) -> None:
        self.resource = resource
        self.sent = sent
        self.current = current
        super().__init__(f"{resource} changed: version {current}, not {sent}")


class DuplicateRowError(JakguideError):
    """A row that the record already holds (same identity columns)."""

    def __init__(self, resource: str, existing: Any) -> None:
        self.resource = resource
        self.existing = existing
        super().__init__(f"the record already has this {resource} (id {existing.id})")


def etag(row: PatientRow) -> str:
    """The record's version as an HTTP entity tag (strong, quoted)."""
    return f'"{row.version}"'


def kind(name: str) -> ChildKind:
    found = KINDS.get(name)
    if found is None:
        raise RecordNotFoundError("list", name)
    return found


class Records:
    """Clinic-scoped reads and writes; the caller commits (one request, one transaction)."""

    def __init__(self, session: Session, actor: Actor, kb: Knowledge) -> None:
        self.session = session
        self.actor = actor
        self.kb = kb

    # -- audit ------------------------------------------------------------------------------

    def audit(
        self,
        action: Action,
        resource: str,
        resource_id: str | int | None = None,
        patient_id: str | None = None,
        outcome: str = "ok",
        detail: str | None = None,
    ) -> None:
        audit.record(
            self.session, self.actor, action, resource, resource_id, patient_id, outcome, detail
        )

    # -- patients ---------------------------------------------------------------------------

    def _patient(self, patient_id: str, lock: bool = False) -> PatientRow:
        """The clinic's patient; ``lock``: held until commit (PostgreSQL ``FOR UPDATE``) so that
        concurrent merges into one record run one after the other."""
        row = (
            self.session.get(PatientRow, patient_id, with_for_update=lock or None)
            if len(patient_id) <= _ID_CHARS
            else None
        )
        if row is None or row.clinic_id != self.actor.clinic_id:
            raise RecordNotFoundError("patient", patient_id)
        return row

    def check_version(self, patient_id: str, if_match: str | None) -> PatientRow:
        """The patient, locked for this write, if ``if_match`` (an ``If-Match`` header) is
        absent, ``*`` or its current entity tag; else ``VersionConflictError`` (answered 412).

        Locked (PostgreSQL ``FOR UPDATE``): two writers to one record take turns, so the second
        sees the version the first wrote instead of failing the versioned ``UPDATE``.
        """
        row = self._patient(patient_id, lock=True)
        if if_match is None or if_match.strip() == "*":
            return row
        sent = [t.strip().removeprefix("W/") for t in if_match.split(",")]
        if etag(row) not in sent:
            raise VersionConflictError("patient", if_match[:100], row.version)
        return row

    def check_patient(self, patient_id: str) -> None:
        """RecordNotFoundError unless the patient is in the caller's clinic (not audited)."""
        self._patient(patient_id)

    def list_patients(self, limit: int = 100, offset: int = 0) -> tuple[list[PatientRow], int]:
        where = PatientRow.clinic_id == self.actor.clinic_id
        total = self.session.scalar(select(func.count()).select_from(PatientRow).where(where))
        rows = list(
            self.session.scalars(
                select(PatientRow)
                .where(where)
                .order_by(PatientRow.created_at, PatientRow.id)
                .limit(limit)
                .offset(offset)
            )
        )
        self.audit("read", "patient-list", detail=_ids(r.id for r in rows))
        return rows, int(total or 0)

    def get_patient(self, patient_id: str) -> PatientRow:
        row = self._patient(patient_id)
        self.audit("read", "patient", patient_id, patient_id)
        return row

    def create_patient(self, body: PatientIn) -> PatientRow:
        row = PatientRow(clinic_id=self.actor.clinic_id, **_json_ready(body))
        self.session.add(row)
        self.session.flush()
        self.audit("create", "patient", row.id, row.id)
        return row

    def update_patient(
        self, patient_id: str, body: PatientIn, if_match: str | None = None
    ) -> PatientRow:
        row = self.check_version(patient_id, if_match)
        for key, value in _json_ready(body).items():
            setattr(row, key, value)
        self.session.flush()
        self.audit("update", "patient", patient_id, patient_id)
        return row

    def delete_patient(self, patient_id: str, if_match: str | None = None) -> None:
        row = self.check_version(patient_id, if_match)
        self.session.delete(row)
        self.session.flush()
        self.audit("delete", "patient", patient_id, patient_id)

    # -- child rows -------------------------------------------------------------------------

    def list_rows(self, patient_id: str, name: str) -> list[Any]:
        spec = kind(name)
        self._patient(patient_id)
        rows = self._rows(spec, patient_id)
        self.audit(
            "read", spec.resource + "-list", None, patient_id, detail=_ids(r.id for r in rows)
        )
        return rows

    def _rows(self, spec: ChildKind, patient_id: str) -> list[Any]:
        table: Any = spec.row
        order = [getattr(table, col) for col in spec.order]
        return list(
            self.session.scalars(
                select(table).where(table.patient_id == patient_id).order_by(*order)
            )
        )

    def _touch(self, patient_id: str) -> None:
        self._patient(patient_id).updated_at = utcnow()

    def _row(self, spec: ChildKind, patient_id: str, row_id: int) -> Any:
        self._patient(patient_id)
        row: Any = self.session.get(spec.row, row_id)
        if row is None or row.patient_id != patient_id:
            raise RecordNotFoundError(spec.resource, row_id)
        return row

    def get_row(self, patient_id: str, name: str, row_id: int) -> Any:
        spec = kind(name)
        row = self._row(spec, patient_id, row_id)
        self.audit("read", spec.resource, row_id, patient_id)
        return row

    def add_row(
        self, patient_id: str, name: str, body: BaseModel, if_match: str | None = None
    ) -> Any:
        """Add a dated row; ``DuplicateRowError`` (409) for a condition the record already has."""
        spec = kind(name)
        patient = self.check_version(patient_id, if_match)
        cols = spec.to_columns(body, self.kb)
        if spec.unique:
            table: Any = spec.row
            existing = self.session.scalar(
                select(table).where(
                    table.patient_id == patient_id,
                    *(getattr(table, c) == cols.get(c) for c in spec.identity),
                )
            )
            if existing is not None:
                raise DuplicateRowError(spec.resource, existing)
        row: Any = spec.row(patient_id=patient_id, **cols)
        self.session.add(row)
        patient.updated_at = utcnow()
        self.session.flush()
        self.audit("create", spec.resource, row.id, patient_id)
        return row

    def update_row(
        self,
        patient_id: str,
        name: str,
        row_id: int,
        body: BaseModel,
        if_match: str | None = None,
    ) -> Any:
        """Replace a dated row; ``DuplicateRowError`` (409) if it would repeat a condition."""
        spec = kind(name)
        self.check_version(patient_id, if_match)
        row = self._row(spec, patient_id, row_id)
        cols = spec.to_columns(body, self.kb)
        if spec.unique:
            table: Any = spec.row
            existing = self.session.scalar(
                select(table).where(
                    table.patient_id == patient_id,
                    table.id != row_id,
                    *(getattr(table, c) == cols.get(c) for c in spec.identity),
                )
            )
            if existing is not None:
                raise DuplicateRowError(spec.resource, existing)
        for key, value in cols.items():
            setattr(row, key, value)
        self._touch(patient_id)
        self.session.flush()
        self.audit("update", spec.resource, row_id, patient_id)
        return row

    def delete_row(
        self, patient_id: str, name: str, row_id: int, if_match: str | None = None
    ) -> None:
        spec = kind(name)
        self.check_version(patient_id, if_match)
        row = self._row(spec, patient_id, row_id)
        self.session.delete(row)
        self._touch(patient_id)
        self.session.flush()
        self.audit("delete", spec.resource, row_id, patient_id)

    # -- whole records ----------------------------------------------------------------------

    def load(self, patient_id: str, action: Action = "read", resource: str = "record") -> Record:
        """The patient with every child list (one audit row for the whole record)."""
        row = self._patient(patient_id)
        rec = Record(row, {name: self._rows(spec, patient_id) for name, spec in KINDS.items()})
        self.audit(action, resource, patient_id, patient_id)
        return rec

    def import_rows(self, rows: Rows, patient_id: str | None = None) -> tuple[PatientRow, int]:
        """Create a patient from ``rows`` or merge them into an existing one.

        Merging fills fields the import knows (a value other than unknown/empty), unions small
        lists, and adds child rows not already present (re-importing a Bundle adds nothing).
        Returns the patient and the number of child rows added.
        """
        body = _validated(PatientIn, rows.fields, "patient")
        if patient_id is None:
            patient = PatientRow(clinic_id=self.actor.clinic_id, **_json_ready(body))
            self.session.add(patient)
            self.session.flush()
            action: Action = "create"
        else:
            # Locked: ten parallel imports of one Bundle add its rows once (PostgreSQL; SQLite
            # write transactions already run one at a time).
            patient = self._patient(patient_id, lock=True)
            _merge_fields(patient, _json_ready(body))
            patient.updated_at = utcnow()
            action = "update"
        added = 0
        for name, bodies in rows.children.items():
            spec = KINDS[name]
            existing = {_identity(spec, r) for r in self._rows(spec, patient.id)}
            for i, raw in enumerate(bodies):
                item = _validated(spec.model_in, raw, f"{name}[{i}]")
                cols = spec.to_columns(item, self.kb)
                key = tuple(cols.get(c) for c in spec.identity)
                if key in existing:
                    continue
                existing.add(key)
                self.session.add(spec.row(patient_id=patient.id, **cols))
                added += 1
        self.session.flush()
        self.audit("import", "patient", patient.id, patient.id)
        if action == "create":
            self.audit("create", "patient", patient.id, patient.id)
        return patient, added

    def save_snapshot(
        self, patient_id: str, kind_: str, subject: str, output: dict[str, Any]
    ) -> AssessmentRow:
        snap = AssessmentRow(
            patient_id=patient_id,
            clinician_id=self.actor.clinician_id,
            kind=kind_,
            knowledge_version=str(output["knowledge_version"]),
            as_of=dt.date.fromisoformat(str(output["as_of"])),
            region=str(output["region"]),
            subject=subject,
            output=output,
        )
        self.session.add(snap)
        self.session.flush()
        return snap


M = TypeVar("M", bound=BaseModel)


def _validated(model: type[M], data: dict[str, Any], where: str) -> M:
    """Imported data checked like an API body; the first problem as an InputError."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
        raise InputError(where + loc, err.get("input"), err["msg"]) from None


def _json_ready(body: PatientIn) -> dict[str, Any]:
    data = body.model_dump(mode="json")
    out = body.model_dump()
    for key in (
        "history",
        "active_infections",
        "cv_risk_factors",
        "allergies",
        "pharmacogenomics",
        "prior_therapies",
        "disease",
        "reviewed",
    ):
        out[key] = data[key]
    return out


_UNKNOWN: tuple[Any, ...] = (None, "unknown", [])


def _merge_fields(row: PatientRow, incoming: dict[str, Any]) -> None:
    for key, value in incoming.items():
        if key == "label" or value in _UNKNOWN:
            continue
        current = getattr(row, key)
        if isinstance(value, list) and isinstance(current, list):
            setattr(row, key, current + [v for v in value if v not in current])
        else:
            setattr(row, key, value)


def _ids(ids: Iterable[object]) -> str:
    """Ids for an audit row's ``detail`` (a list read audits what it returned)."""
    return json.dumps([str(i) for i in ids])


def _identity(spec: ChildKind, row: Any) -> tuple[Any, ...]:
    return tuple(getattr(row, c) for c in spec.identity)
