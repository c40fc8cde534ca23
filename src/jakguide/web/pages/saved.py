"""Keep an assessment in the record, and the way back to edit and re-run it.

Why a snapshot: what a clinician was shown is kept with the knowledge version it was made with
(the API's ``POST /api/patients/{id}/assessments`` keeps the same); editing the record and
assessing again makes a new one, so the old one still says what was known then.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote_plus

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from jakguide.adapters.native import check_day
from jakguide.engine import assess
from jakguide.errors import InputError
from jakguide.kb.base import Knowledge
from jakguide.model import AssessRequest, Region
from jakguide.store.convert import to_patient
from jakguide.store.records import Records
from jakguide.web.api.stateless import assessment_json
from jakguide.web.deps import KbDep, SessionDep
from jakguide.web.pages.common import (
    REGIONS,
    Clin,
    ClinDep,
    FormDep,
    PageError,
    check_csrf,
    condition_name,
    form_str,
    page_day,
    page_router,
)

router = page_router()


@router.post("/patients/{patient_id}/assessments/save")
def save_assessment(
    request: Request,
    patient_id: str,
    clin: ClinDep,
    form: FormDep,
    session: SessionDep,
    kb: KbDep,
) -> Response:
    """Assess the record as the page showed it and keep the output (audited)."""
    check_csrf(form, clin)
    condition, reg, day = _question(request, clin, form, kb)
    records = Records(session, clin.actor, kb)
    _keep(records, patient_id, condition, reg, day)
    session.commit()
    saved = quote_plus(f"assessment for {condition_name(kb, condition)} on {day.isoformat()}")
    return RedirectResponse(f"/patients/{patient_id}?added={saved}", status_code=303)


def _question(
    request: Request, clin: Clin, form: FormData, kb: Knowledge
) -> tuple[str, Region, dt.date]:
    """The assessment's question from the form: condition, region and day (checked)."""
    condition = form_str(form, "condition", 100)
    if condition not in kb.conditions:
        raise PageError(422, "Condition needed", "Choose the condition the assessment is for.")
    region = form_str(form, "region", 4) or "US"
    if region not in REGIONS:
        raise PageError(422, "Region", f"Region {region[:10]!r} is not offered; choose US or EU.")
    reg: Region = region  # type: ignore[assignment]
    raw = form_str(form, "as_of", 20)
    day = page_day(request, clin.actor, None)
    if raw:
        try:
            day = check_day(dt.date.fromisoformat(raw), "as_of")
        except (ValueError, InputError):
            raise PageError(
                422, "Date", f"Enter the date as YYYY-MM-DD (got {raw[:20]!r})."
            ) from None
    return condition, reg, day


def _keep(records: Records, pid: str, condition: str, reg: Region, day: dt.date) -> None:
    """Assess the stored record and keep the output as a snapshot (audited)."""
    kb = records.kb
    rec = records.load(pid, "read", "assessment")
    request = AssessRequest(condition=condition, region=reg, as_of=day)
    out = assessment_json(assess(to_patient(rec, kb, day), request, kb), [])
    row = records.save_snapshot(pid, "assessment", condition, out)
    records.audit("create", "assessment", row.id, pid)


@router.post("/assess/save")
def save_new_record(
    request: Request, clin: ClinDep, form: FormDep, session: SessionDep, kb: KbDep
) -> Response:
    """Keep a form assessment: the patient it described becomes a record (checked like an
    upload), the assessment its first snapshot; then the record's assessment page, where it
    can be edited and re-run."""
    import json

    from jakguide.adapters.native import patient_from_data
    from jakguide.store.convert import from_patient

    check_csrf(form, clin)
    condition, reg, day = _question(request, clin, form, kb)
    label = form_str(form, "label", 200)
    if not label:
        raise PageError(
            422, "Clinic reference needed", "Enter the clinic's reference (not a name)."
        )
    try:
        data = json.loads(form_str(form, "patient", 200_000) or "null")
        patient = patient_from_data(data, kb)
    except (ValueError, InputError) as exc:
        raise PageError(422, "The patient could not be read", f"{exc}. Assess again.") from None
    records = Records(session, clin.actor, kb)
    row, _ = records.import_rows(from_patient(patient, label))
    pid = row.id
    _keep(records, pid, condition, reg, day)
    session.commit()
    region, as_of = reg, day.isoformat()
    query = (
        f"condition={quote_plus(condition)}&region={quote_plus(region)}&as_of={quote_plus(as_of)}"
    )
    return RedirectResponse(f"/patients/{pid}/assess?{query}&saved=1", status_code=303)
