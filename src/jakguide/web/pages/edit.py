"""Edit forms of a record: the patient's details; add, edit and delete any dated row (labs,
conditions, therapies, medicines, screening, measurements; the inputs are ``rowforms``).

Why a version in every form: two clinicians may open the same record; each form carries the
record's version (its ETag, as the API's ``If-Match``) in a hidden field, and a submit made after
someone else changed the record is not saved. The form comes back (409) with the person's input
kept, the values now in the record beside it, and the new version, so saving again is a
decision taken with the other change in view. Writes go through the same clinic-scoped,
audited ``Records`` calls as ``PUT /api/patients/...``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, get_args
from urllib.parse import quote_plus

from fastapi import Path
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from jakguide.errors import InputError
from jakguide.kb.base import Knowledge
from jakguide.model import HepaticImpairment, Pregnancy, Sex, Smoking, YesNoUnknown
from jakguide.store.records import DuplicateRowError, Records, VersionConflictError, etag
from jakguide.store.schemas import PatientIn, PatientOut
from jakguide.web.deps import KbDep, SessionDep
from jakguide.web.pages.common import (
    Clin,
    ClinDep,
    FormDep,
    PageError,
    check_csrf,
    form_str,
    page_context,
    page_router,
    render_html,
)
from jakguide.web.pages.human import label as human_label
from jakguide.web.pages.rowforms import (
    ROW_KINDS,
    Field,
    errors_of,
    input_error_key,
    medicine_names,
    row_body,
    row_fields,
    row_values,
)

router = page_router()
RowId = Annotated[int, Path(ge=1, le=2**62)]

_BOOL = {"yes": True, "no": False, "unknown": None}
_BOOL_WORD = {v: k for k, v in _BOOL.items()}


def _choices(literal: Any) -> tuple[tuple[str, str], ...]:
    return tuple((v, human_label(v)) for v in get_args(literal))


_YES_NO = (("unknown", "Unknown"), ("yes", "Yes"), ("no", "No"))
PATIENT_FIELDS = (
    Field("label", "Clinic reference", hint="The clinic's own reference, not a name."),
    Field("birth_date", "Birth date", "date"),
    Field("sex", "Sex", "select", _choices(Sex)),
    Field("smoking", "Smoking", "select", _choices(Smoking)),
    Field("pregnancy", "Pregnancy", "select", _choices(Pregnancy)),
    Field("breastfeeding", "Breastfeeding", "select", _choices(YesNoUnknown)),
    Field("reproductive_potential", "Reproductive potential", "select", _YES_NO),
    Field("hepatic_impairment", "Hepatic impairment", "select", _choices(HepaticImpairment)),
    Field("on_dialysis", "On dialysis", "select", _YES_NO),
)
_PATIENT_BOOLS = frozenset({"reproductive_potential", "on_dialysis"})


# --------------------------------------------------------------------------- values


def _patient_values(row: Any) -> dict[str, str]:
    out = PatientOut.model_validate(row)
    values: dict[str, str] = {}
    for f in PATIENT_FIELDS:
        value = getattr(out, f.name)
        if f.name in _PATIENT_BOOLS:
            values[f.name] = _BOOL_WORD[value]
        else:
            values[f.name] = "" if value is None else str(value)
    return values


def _differences(
    fields: tuple[Field, ...], now: dict[str, str], typed: dict[str, str]
) -> list[tuple[str, str]]:
    """(label, value now, as a person reads it) of each field where the record now differs
    from the form as sent: the other person's changes and the person's own, nothing else."""
    out = []
    for f in fields:
        value = now.get(f.name, "")
        if _same(f, value, typed.get(f.name, "")):
            continue
        shown = dict(f.options).get(value, value) if f.options else value
        out.append((f.label, shown or "not recorded"))
    return out


def _same(f: Field, a: str, b: str) -> bool:
    if f.kind == "number":
        try:
            return float(a) == float(b)
        except ValueError:
            return a == b
    return a == b


def _day(raw: str, name: str, errors: dict[str, str]) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[name] = "Enter a date as YYYY-MM-DD."
        return None


def _version(form: FormData) -> str:
    sent = form_str(form, "version", 100)
    if not sent:
        raise PageError(
            422,
            "Form without a version",
            "This form does not say which version of the record it edits. Reload the record "
            "and edit again.",
        )
    return sent


# --------------------------------------------------------------------------- rendering


def _form(
    clin: Clin,
    kb: Knowledge,
    *,
    pid: str,
    label: str,
    title: str,
    action: str,
    fields: tuple[Field, ...],
    values: dict[str, str],
    version: str,
    errors: dict[str, str] | None = None,
    current: list[tuple[str, str]] | None = None,
    status: int = 200,
    delete: str | None = None,
) -> Response:
    return render_html(
        kb,
        "edit_form.html.j2",
        page_context(
            clin,
            "patients",
            f"{title}: {label}",
            pid=pid,
            label=label,
            heading=title,
            action=action,
            fields=fields,
            values=values,
            version=version,
            errors=errors or {},
            current=current,
            delete=delete,
            medicines=medicine_names(kb) if any(f.datalist for f in fields) else [],
        ),
        status=status,
    )


def _conflict_form(
    clin: Clin,
    kb: Knowledge,
    records: Records,
    pid: str,
    *,
    title: str,
    action: str,
    fields: tuple[Field, ...],
    values: dict[str, str],
    now: dict[str, str],
) -> Response:
    """409: the person's input kept, the record's values now, and the version now (so that a
    second submit, made knowingly, saves)."""
    patient = records.get_patient(pid)
    version = etag(patient)
    records.session.commit()
    return _form(
        clin, kb, pid=pid, label=patient.label, title=title, action=action, fields=fields,
        values=values, version=version, current=_differences(fields, now, values), status=409,
    )  # fmt: skip


# --------------------------------------------------------------------------- patient details


@router.get("/patients/{patient_id}/edit")
def edit_patient_form(patient_id: str, clin: ClinDep, session: SessionDep, kb: KbDep) -> Response:
    records = Records(session, clin.actor, kb)
    row = records.get_patient(patient_id)
    values, version, label = _patient_values(row), etag(row), row.label
    session.commit()
    return _form(
        clin, kb, pid=patient_id, label=label, title="Edit patient details",
        action=f"/patients/{patient_id}/edit", fields=PATIENT_FIELDS, values=values,
        version=version,
    )  # fmt: skip


@router.post("/patients/{patient_id}/edit")
def edit_patient_submit(
    patient_id: str, clin: ClinDep, form: FormDep, session: SessionDep, kb: KbDep
) -> Response:
    check_csrf(form, clin)
    version = _version(form)
    values = {f.name: form_str(form, f.name, 200) for f in PATIENT_FIELDS}
    action = f"/patients/{patient_id}/edit"
    title = "Edit patient details"
    records = Records(session, clin.actor, kb)
    errors: dict[str, str] = {}
    if not values["label"]:
        errors["label"] = "Enter the clinic's reference for this patient."
    changes: dict[str, Any] = {"birth_date": _day(values["birth_date"], "birth_date", errors)}
    for f in PATIENT_FIELDS:
        if f.name in _PATIENT_BOOLS:
            if values[f.name] not in _BOOL:
                errors[f.name] = "Choose one of the listed values."
            changes[f.name] = _BOOL.get(values[f.name])
        elif f.kind == "select":
            if values[f.name] not in dict(f.options):
                errors[f.name] = "Choose one of the listed values."
            changes[f.name] = values[f.name]
    changes["label"] = values["label"]
    row = records.get_patient(patient_id)
    body: PatientIn | None = None
    if not errors:
        current = PatientOut.model_validate(row).model_dump(include=set(PatientIn.model_fields))
        try:
            body = PatientIn.model_validate({**current, **changes})
        except ValidationError as exc:
            errors = errors_of(exc, tuple(f.name for f in PATIENT_FIELDS))
    if errors or body is None:
        label = row.label
        session.commit()
        return _form(
            clin, kb, pid=patient_id, label=label, title=title, action=action,
            fields=PATIENT_FIELDS, values=values, version=version, errors=errors, status=422,
        )  # fmt: skip
    try:
        records.update_patient(patient_id, body, version)
    except VersionConflictError:
        session.rollback()
        now = _patient_values(records.get_patient(patient_id))
        return _conflict_form(
            clin, kb, records, patient_id, title=title, action=action, fields=PATIENT_FIELDS,
            values=values, now=now,
        )  # fmt: skip
    session.commit()
    return RedirectResponse(f"/patients/{patient_id}?added=patient+details", status_code=303)


# --------------------------------------------------------------------------- rows


def _row_kind(name: str) -> str:
    what = ROW_KINDS.get(name)
    if what is None:
        raise PageError(404, "Not found", "No such kind of row in a record.")
    return what


@router.get("/patients/{patient_id}/{kind}/{row_id}/edit")
def edit_row_form(
    patient_id: str, kind: str, row_id: RowId, clin: ClinDep, session: SessionDep, kb: KbDep
) -> Response:
    what = _row_kind(kind)
    records = Records(session, clin.actor, kb)
    patient = records.get_patient(patient_id)
    version, ref = etag(patient), patient.label
    values = row_values(kind, records.get_row(patient_id, kind, row_id))
    session.commit()
    return _form(
        clin, kb, pid=patient_id, label=ref, title=f"Edit {what}",
        action=f"/patients/{patient_id}/{kind}/{row_id}/edit", fields=row_fields(kind, kb),
        values=values, version=version, delete=f"/patients/{patient_id}/{kind}/{row_id}/delete",
    )  # fmt: skip


@router.post("/patients/{patient_id}/{kind}/{row_id}/edit")
def edit_row_submit(
    patient_id: str,
    kind: str,
    row_id: RowId,
    clin: ClinDep,
    form: FormDep,
    session: SessionDep,
    kb: KbDep,
) -> Response:
    what = _row_kind(kind)
    check_csrf(form, clin)
    version = _version(form)
    fields = row_fields(kind, kb)
    values = {f.name: form_str(form, f.name, 200) for f in fields}
    action = f"/patients/{patient_id}/{kind}/{row_id}/edit"
    title = f"Edit {what}"
    records = Records(session, clin.actor, kb)
    errors: dict[str, str] = {}
    body = row_body(kind, kb, values, errors)
    if body is not None:
        try:
            records.update_row(patient_id, kind, row_id, body, version)
        except VersionConflictError:
            session.rollback()
            now = row_values(kind, records.get_row(patient_id, kind, row_id))
            return _conflict_form(
                clin, kb, records, patient_id, title=title, action=action, fields=fields,
                values=values, now=now,
            )  # fmt: skip
        except DuplicateRowError:
            session.rollback()
            errors["condition"] = "The record already has this condition."
        except InputError as exc:  # unit not accepted for the analyte, implausible value
            session.rollback()
            key = input_error_key(exc, fields, kind)
            errors[key] = f"{exc.reason}."
    if errors:
        ref = records.get_patient(patient_id).label
        session.commit()
        return _form(
            clin, kb, pid=patient_id, label=ref, title=title, action=action, fields=fields,
            values=values, version=version, errors=errors, status=422,
        )  # fmt: skip
    session.commit()
    saved = quote_plus(what)
    return RedirectResponse(f"/patients/{patient_id}?added={saved}", status_code=303)


@router.get("/patients/{patient_id}/{kind}/new")
def add_row_form(
    patient_id: str, kind: str, clin: ClinDep, session: SessionDep, kb: KbDep
) -> Response:
    what = _row_kind(kind)
    records = Records(session, clin.actor, kb)
    patient = records.get_patient(patient_id)
    version, ref = etag(patient), patient.label
    session.commit()
    return _form(
        clin, kb, pid=patient_id, label=ref, title=f"Add a {what}",
        action=f"/patients/{patient_id}/{kind}/new", fields=row_fields(kind, kb),
        values={}, version=version,
    )  # fmt: skip


@router.post("/patients/{patient_id}/{kind}/new")
def add_row_submit(
    patient_id: str, kind: str, clin: ClinDep, form: FormDep, session: SessionDep, kb: KbDep
) -> Response:
    """Add a row. The version only guards the form's own page: adding a row beside someone
    else's change loses nothing, so a stale version is not a conflict here."""
    what = _row_kind(kind)
    check_csrf(form, clin)
    version = _version(form)
    fields = row_fields(kind, kb)
    values = {f.name: form_str(form, f.name, 200) for f in fields}
    records = Records(session, clin.actor, kb)
    errors: dict[str, str] = {}
    body = row_body(kind, kb, values, errors)
    if body is not None:
        try:
            records.add_row(patient_id, kind, body)
        except DuplicateRowError:
            session.rollback()
            errors["condition"] = "The record already has this condition."
        except InputError as exc:  # unit not accepted for the analyte, implausible value
            session.rollback()
            errors[input_error_key(exc, fields, kind)] = f"{exc.reason}."
    if errors:
        ref = records.get_patient(patient_id).label
        session.commit()
        return _form(
            clin, kb, pid=patient_id, label=ref, title=f"Add a {what}",
            action=f"/patients/{patient_id}/{kind}/new", fields=fields, values=values,
            version=version, errors=errors, status=422,
        )  # fmt: skip
    session.commit()
    return RedirectResponse(f"/patients/{patient_id}?added={quote_plus(what)}", status_code=303)


@router.post("/patients/{patient_id}/{kind}/{row_id}/delete")
def delete_row_submit(
    patient_id: str,
    kind: str,
    row_id: RowId,
    clin: ClinDep,
    form: FormDep,
    session: SessionDep,
    kb: KbDep,
) -> Response:
    """Delete a row (audited). A stale version is refused: the row may have been corrected
    since the person decided to delete it."""
    what = _row_kind(kind)
    check_csrf(form, clin)
    version = _version(form)
    records = Records(session, clin.actor, kb)
    try:
        records.delete_row(patient_id, kind, row_id, version)
    except VersionConflictError:
        session.rollback()
        raise PageError(
            409,
            "Changed by someone else",
            f"The record changed since you opened it; the {what} was not deleted. Open the "
            "record again and decide with the change in view.",
        ) from None
    session.commit()
    return RedirectResponse(
        f"/patients/{patient_id}?added={quote_plus(what + ' deleted')}", status_code=303
    )
