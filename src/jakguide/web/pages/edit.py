"""Edit forms of a record: the patient's details, a condition row, a lab row.

Why a version in every form: two clinicians may open the same record; each form carries the
record's version (its ETag, as the API's ``If-Match``) in a hidden field, and a submit made after
someone else changed the record is not saved. The form comes back (409) with the person's input
kept, the values now in the record beside it, and the new version, so saving again is a
decision taken with the other change in view. Writes go through the same clinic-scoped,
audited ``Records`` calls as ``PUT /api/patients/...``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, get_args
from urllib.parse import quote_plus

from fastapi import Path
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from jakguide.errors import InputError
from jakguide.kb.base import Knowledge
from jakguide.model import HepaticImpairment, Pregnancy, Sex, Smoking, YesNoUnknown
from jakguide.store.records import DuplicateRowError, Records, VersionConflictError, etag
from jakguide.store.schemas import ConditionIn, LabIn, PatientIn, PatientOut
from jakguide.web.deps import KbDep, SessionDep
from jakguide.web.pages.common import (
    Clin,
    ClinDep,
    FormDep,
    PageError,
    analyte_name,
    check_csrf,
    condition_name,
    form_str,
    page_context,
    page_router,
    render_html,
)

router = page_router()
RowId = Annotated[int, Path(ge=1, le=2**62)]

_BOOL = {"yes": True, "no": False, "unknown": None}
_BOOL_WORD = {v: k for k, v in _BOOL.items()}


@dataclass(frozen=True)
class Field:
    """One input of an edit form: name, label, kind (text, date, number, select), options."""

    name: str
    label: str
    kind: str = "text"
    options: tuple[tuple[str, str], ...] = ()  # (value, shown)
    hint: str = ""


def _choices(literal: Any) -> tuple[tuple[str, str], ...]:
    return tuple((v, v) for v in get_args(literal))


_YES_NO = (("unknown", "unknown"), ("yes", "yes"), ("no", "no"))
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


def _lab_fields(kb: Knowledge) -> tuple[Field, ...]:
    analytes = tuple(sorted(((a.id, a.name) for a in kb.analytes.values()), key=lambda p: p[1]))
    return (
        Field("analyte", "Test", "select", analytes),
        Field("value", "Value", "number"),
        Field("unit", "Unit", hint="UCUM, as on the report (e.g. 10*9/L, g/dL)."),
        Field("date", "Date", "date"),
    )


def _condition_fields(kb: Knowledge) -> tuple[Field, ...]:
    conditions = tuple(sorted(((c.id, c.name) for c in kb.conditions.values()), key=lambda p: p[1]))
    return (Field("condition", "Condition", "select", conditions),)


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


def _row_values(name: str, row: Any) -> dict[str, str]:
    if name == "labs":
        return {
            "analyte": row.analyte,
            "value": f"{row.value_entered:g}",
            "unit": row.unit_entered,
            "date": row.date.isoformat(),
        }
    return {"condition": row.condition}


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


def _errors_of(exc: ValidationError, names: tuple[str, ...]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for err in exc.errors():
        where = str(err["loc"][0]) if err["loc"] else ""
        key = where if where in names else "_form"
        errors.setdefault(key, f"{err['msg']}.")
    return errors


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
            errors = _errors_of(exc, tuple(f.name for f in PATIENT_FIELDS))
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

_ROW_KINDS = {"labs": "lab result", "conditions": "condition"}


def _row_kind(name: str) -> str:
    what = _ROW_KINDS.get(name)
    if what is None:
        raise PageError(404, "Not found", "Only lab results and conditions are edited here.")
    return what


def _row_fields(name: str, kb: Knowledge) -> tuple[Field, ...]:
    return _lab_fields(kb) if name == "labs" else _condition_fields(kb)


@router.get("/patients/{patient_id}/{kind}/{row_id}/edit")
def edit_row_form(
    patient_id: str, kind: str, row_id: RowId, clin: ClinDep, session: SessionDep, kb: KbDep
) -> Response:
    what = _row_kind(kind)
    records = Records(session, clin.actor, kb)
    patient = records.get_patient(patient_id)
    version, label = etag(patient), patient.label
    values = _row_values(kind, records.get_row(patient_id, kind, row_id))
    session.commit()
    return _form(
        clin, kb, pid=patient_id, label=label, title=f"Edit {what}",
        action=f"/patients/{patient_id}/{kind}/{row_id}/edit", fields=_row_fields(kind, kb),
        values=values, version=version,
    )  # fmt: skip


def _row_body(kind: str, values: dict[str, str], errors: dict[str, str]) -> BaseModel | None:
    names = tuple(values)
    try:
        if kind == "labs":
            day = _day(values["date"], "date", errors)
            if not values["value"]:
                errors["value"] = "Enter the value as reported."
            if errors:
                return None
            return LabIn(
                analyte=values["analyte"],
                value=float(values["value"]),
                unit=values["unit"],
                date=day,  # None (no date given) is refused by the model: 422
            )
        return ConditionIn(condition=values["condition"])
    except ValueError as exc:  # float("abc"); pydantic's ValidationError is a ValueError
        if isinstance(exc, ValidationError):
            errors.update(_errors_of(exc, names))
        else:
            errors["value"] = "Enter a number (e.g. 1.2)."
        return None


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
    fields = _row_fields(kind, kb)
    values = {f.name: form_str(form, f.name, 200) for f in fields}
    action = f"/patients/{patient_id}/{kind}/{row_id}/edit"
    title = f"Edit {what}"
    records = Records(session, clin.actor, kb)
    errors: dict[str, str] = {}
    body = _row_body(kind, values, errors)
    if body is not None:
        try:
            records.update_row(patient_id, kind, row_id, body, version)
        except VersionConflictError:
            session.rollback()
            now = _row_values(kind, records.get_row(patient_id, kind, row_id))
            return _conflict_form(
                clin, kb, records, patient_id, title=title, action=action, fields=fields,
                values=values, now=now,
            )  # fmt: skip
        except DuplicateRowError:
            session.rollback()
            errors["condition"] = "The record already has this condition."
        except InputError as exc:  # unit not accepted for the analyte, implausible value
            session.rollback()
            key = next((f.name for f in fields if exc.field.endswith(f.name)), "unit")
            errors[key] = f"{exc.reason}."
    if errors:
        patient = records.get_patient(patient_id)
        label = patient.label
        session.commit()
        return _form(
            clin, kb, pid=patient_id, label=label, title=title, action=action, fields=fields,
            values=values, version=version, errors=errors, status=422,
        )  # fmt: skip
    session.commit()
    if kind == "labs":
        shown = analyte_name(kb, values["analyte"])
    else:
        shown = condition_name(kb, values["condition"])
    saved = quote_plus(f"{what} {shown}")
    return RedirectResponse(f"/patients/{patient_id}?added={saved}", status_code=303)
