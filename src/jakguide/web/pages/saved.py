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

from jakguide.adapters.native import check_day
from jakguide.engine import assess
from jakguide.errors import InputError
from jakguide.model import AssessRequest, Region
from jakguide.store.convert import to_patient
from jakguide.store.records import Records
from jakguide.web.api.stateless import assessment_json
from jakguide.web.deps import KbDep, SessionDep
from jakguide.web.pages.common import (
    REGIONS,
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
    records = Records(session, clin.actor, kb)
    rec = records.load(patient_id, "read", "assessment")
    result = assess(
        to_patient(rec, kb, day), AssessRequest(condition=condition, region=reg, as_of=day), kb
    )
    out = assessment_json(result, [])
    row = records.save_snapshot(patient_id, "assessment", condition, out)
    records.audit("create", "assessment", row.id, patient_id)
    session.commit()
    saved = quote_plus(f"assessment for {condition_name(kb, condition)} on {day.isoformat()}")
    return RedirectResponse(f"/patients/{patient_id}?added={saved}", status_code=303)
