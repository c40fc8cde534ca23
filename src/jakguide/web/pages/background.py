"""The record's background: past history, cardiovascular risk factors, active infection, the
lists reviewed and found empty, and the objective signs of inflammation.

Why checkboxes with "none of these": unknown is not normal. Nothing ticked stores nothing (the
assessment then asks for the list); "none of these" stores an empty, reviewed list. The form is
versioned like the other edit forms: a submit made after someone else changed the record is
not saved (409) and comes back with the person's choices kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args

from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from jakguide.kb.base import Knowledge
from jakguide.model import CvRiskFactor, HistoryItem
from jakguide.store.records import Records, VersionConflictError, etag
from jakguide.store.schemas import PatientIn, PatientOut
from jakguide.web.deps import KbDep, SessionDep
from jakguide.web.pages.common import (
    Clin,
    ClinDep,
    FormDep,
    check_csrf,
    form_str,
    page_context,
    page_router,
    render_html,
)
from jakguide.web.pages.human import label
from jakguide.web.pages.rowforms import errors_of

router = page_router()
NONE = "none"


@dataclass(frozen=True)
class Checks:
    """A list field as checkboxes: its name, legend and the coded choices."""

    name: str
    legend: str
    options: tuple[tuple[str, str], ...]


LISTS = (
    Checks("history", "Past history", tuple((v, label(v)) for v in get_args(HistoryItem))),
    Checks(
        "cv_risk_factors",
        "Cardiovascular risk factors",
        tuple((v, label(v)) for v in get_args(CvRiskFactor)),
    ),
)
# Row lists a clinician can mark as reviewed and empty (the record then knows "none").
REVIEWABLE = (
    ("medications", "No other medicines"),
    ("therapies", "No earlier advanced therapies"),
    ("screening", "No screening recorded (reviewed)"),
)
_TRI = (("", "Not known"), ("yes", "Yes"), ("no", "No"))
_TRI_VALUE = {"": None, "yes": True, "no": False}


def _choices(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str)]


def _state(out: PatientOut) -> dict[str, Any]:
    """The form's state from the record: ticked boxes per list, reviewed lists, signs."""
    state: dict[str, Any] = {}
    for c in LISTS:
        value = getattr(out, c.name)
        state[c.name] = None if value is None else ([NONE] if not value else list(value))
    infections = out.active_infections
    state["infection"] = "" if infections is None else ("yes" if infections else "no")
    state["infection_name"] = infections[0].name if infections else ""
    state["reviewed"] = list(out.reviewed or [])
    signs = out.disease.objective_inflammation if out.disease else None
    for key in ("crp_elevated", "mri"):
        value = getattr(signs, key) if signs is not None else None
        state[key] = "" if value is None else ("yes" if value else "no")
    return state


def _render(
    clin: Clin,
    kb: Knowledge,
    pid: str,
    ref: str,
    state: dict[str, Any],
    version: str,
    errors: dict[str, str],
    status: int = 200,
    conflict: bool = False,
) -> Response:
    return render_html(
        kb,
        "background.html.j2",
        page_context(
            clin, "patients", f"History and risk factors: {ref}", pid=pid, label=ref,
            lists=LISTS, reviewable=REVIEWABLE, tri=_TRI, state=state, version=version,
            errors=errors, conflict=conflict, none_value=NONE,
        ),
        status=status,
    )  # fmt: skip


@router.get("/patients/{patient_id}/background")
def background_form(patient_id: str, clin: ClinDep, session: SessionDep, kb: KbDep) -> Response:
    row = Records(session, clin.actor, kb).get_patient(patient_id)
    out = PatientOut.model_validate(row)
    version, ref = etag(row), row.label
    session.commit()
    return _render(clin, kb, patient_id, ref, _state(out), version, {})


def _changes(form: FormData, errors: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(fields to store, the form's state as sent)."""
    state: dict[str, Any] = {}
    changes: dict[str, Any] = {}
    for c in LISTS:
        ticked = _choices(form, c.name)
        allowed = {v for v, _ in c.options} | {NONE}
        if any(t not in allowed for t in ticked):
            errors[c.name] = "Tick only the listed items."
        if NONE in ticked and len(ticked) > 1:
            errors[c.name] = "Tick 'None of these' alone, or the items that apply."
        state[c.name] = ticked or None
        changes[c.name] = None if not ticked else [t for t in ticked if t != NONE]
    infection = form_str(form, "infection", 10)
    name = form_str(form, "infection_name", 200)
    state["infection"], state["infection_name"] = infection, name
    if infection not in _TRI_VALUE:
        errors["infection"] = "Choose one of the listed values."
    elif infection == "yes" and not name:
        errors["infection_name"] = "Name the infection."
    changes["active_infections"] = (
        None if infection == "" else ([{"name": name}] if infection == "yes" else [])
    )
    reviewed = _choices(form, "reviewed")
    if any(r not in dict(REVIEWABLE) for r in reviewed):
        errors["reviewed"] = "Tick only the listed items."
    state["reviewed"] = reviewed
    signs: dict[str, bool | None] = {}
    for key in ("crp_elevated", "mri"):
        raw = form_str(form, key, 10)
        state[key] = raw
        if raw not in _TRI_VALUE:
            errors[key] = "Choose one of the listed values."
        signs[key] = _TRI_VALUE.get(raw)
    changes["signs"] = signs
    changes["reviewed"] = reviewed
    return changes, state


@router.post("/patients/{patient_id}/background")
def background_submit(
    patient_id: str, clin: ClinDep, form: FormDep, session: SessionDep, kb: KbDep
) -> Response:
    check_csrf(form, clin)
    version = form_str(form, "version", 100)
    records = Records(session, clin.actor, kb)
    row = records.get_patient(patient_id)
    ref = row.label
    errors: dict[str, str] = {}
    changes, state = _changes(form, errors)
    current = PatientOut.model_validate(row).model_dump(include=set(PatientIn.model_fields))
    signs = changes.pop("signs")
    disease = dict(current.get("disease") or {})
    if any(v is not None for v in signs.values()) or disease.get("objective_inflammation"):
        disease["objective_inflammation"] = signs
    reviewed = [r for r in current.get("reviewed") or [] if r not in dict(REVIEWABLE)]
    changes["reviewed"] = reviewed + changes["reviewed"]
    body = None
    if not errors:
        try:
            body = PatientIn.model_validate({**current, **changes, "disease": disease or None})
        except ValidationError as exc:
            errors = errors_of(exc, tuple(c.name for c in LISTS))
    if errors or body is None:
        session.commit()
        return _render(clin, kb, patient_id, ref, state, version, errors, 422)
    try:
        records.update_patient(patient_id, body, version)
    except VersionConflictError:
        session.rollback()
        now = records.get_patient(patient_id)
        new_version = etag(now)
        session.commit()
        return _render(clin, kb, patient_id, ref, state, new_version, {}, 409, conflict=True)
    session.commit()
    return RedirectResponse(
        f"/patients/{patient_id}?added=history+and+risk+factors", status_code=303
    )
