"""Patient pages: the clinic's list, a new record, the record with its timeline and plots, the
assessment of a stored patient, and the patient guide (HTML and PDF) for a drug.

Every read goes through the clinic-scoped, audited ``Records`` repository (a patient of another
clinic is "not found", exactly as in the API); the guide is the ``jakguide.guide`` package's
document, unchanged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from jakguide.adapters.native import check_day
from jakguide.engine import assess
from jakguide.errors import InputError, JakguideError
from jakguide.kb.base import Knowledge
from jakguide.model import AssessRequest, Patient, Region
from jakguide.store import links as store_links
from jakguide.store.convert import Record, to_patient
from jakguide.store.records import Records
from jakguide.store.schemas import ConditionIn, PatientIn
from jakguide.web.api.stateless import assessment_json
from jakguide.web.deps import KbDep, SessionDep
from jakguide.web.pages.assess import results_context
from jakguide.web.pages.common import (
    GUIDE_CSP,
    REGIONS,
    Clin,
    ClinDep,
    FormDep,
    PageError,
    check_csrf,
    condition_name,
    form_str,
    page_context,
    page_day,
    page_router,
    region_of,
    render_html,
)
from jakguide.web.pages.record import (
    lab_analytes,
    lab_state,
    response_badges,
    score_charts,
    visits,
)
from jakguide.web.pages.rowforms import forms_for as fitting_forms
from jakguide.web.pages.rowforms import row_lists
from jakguide.web.pages.scores import forms_for

router = page_router()


def _records(clin: Clin, session: Session, kb: Knowledge) -> Records:
    return Records(session, clin.actor, kb)


@router.get("/patients/new")
def new_patient_form(clin: ClinDep, kb: KbDep) -> Response:
    return _new_form(clin, kb, {}, {})


def _new_form(
    clin: Clin, kb: Knowledge, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    conditions = sorted(kb.conditions.values(), key=lambda c: c.name)
    return render_html(
        kb,
        "patient_new.html.j2",
        page_context(
            clin,
            "patients",
            "New patient",
            values=values,
            errors=errors,
            conditions=conditions,
            sexes=("female", "male", "other", "unknown"),
        ),
        status=status,
    )


@router.post("/patients/new")
def new_patient_submit(clin: ClinDep, form: FormDep, session: SessionDep, kb: KbDep) -> Response:
    check_csrf(form, clin)
    values = {k: form_str(form, k, 200) for k in ("label", "birth_date", "sex", "condition")}
    errors: dict[str, str] = {}
    if not values["label"]:
        errors["label"] = "Enter the clinic's reference for this patient."
    birth = None
    if values["birth_date"]:
        try:
            birth = check_day(dt.date.fromisoformat(values["birth_date"]), "birth_date")
        except ValueError:
            errors["birth_date"] = "Enter a date as YYYY-MM-DD."
        except InputError as exc:
            errors["birth_date"] = f"Enter {exc.reason}."
    if values["sex"] not in ("female", "male", "other", "unknown"):
        errors["sex"] = "Choose one of the listed values."
    if values["condition"] and values["condition"] not in kb.conditions:
        errors["condition"] = "Choose a condition from the list."
    if errors:
        return _new_form(clin, kb, values, errors, 422)
    records = _records(clin, session, kb)
    row = records.create_patient(
        PatientIn(label=values["label"], birth_date=birth, sex=values["sex"])
    )
    if values["condition"]:
        records.add_row(row.id, "conditions", ConditionIn(condition=values["condition"]))
    session.commit()
    return RedirectResponse(f"/patients/{row.id}", status_code=303)


def _load(
    records: Records, patient_id: str, day: dt.date, resource: str, action: str = "read"
) -> tuple[Record, Patient]:
    rec = records.load(patient_id, action, resource)  # type: ignore[arg-type]
    return rec, to_patient(rec, records.kb, day)


def _open(
    request: Request,
    clin: Clin,
    session: Session,
    kb: Knowledge,
    patient_id: str,
    as_of: str | None,
    region: str | None,
    resource: str,
    action: str = "read",
) -> tuple[dt.date, Region, Record, Patient]:
    """What every record page starts with: its day and region, the audited record, the patient."""
    day = page_day(request, clin.actor, as_of)
    reg: Region = region_of(region)  # type: ignore[assignment]
    rec, patient = _load(_records(clin, session, kb), patient_id, day, resource, action)
    return day, reg, rec, patient


@router.get("/patients/{patient_id}")
def patient_page(
    request: Request,
    patient_id: str,
    clin: ClinDep,
    session: SessionDep,
    kb: KbDep,
    as_of: str | None = None,
    region: str | None = None,
) -> Response:
    day, reg, rec, patient = _open(
        request, clin, session, kb, patient_id, as_of, region, "record-page"
    )
    conditions = list(patient.conditions or [])
    start = patient.therapy.start_date if patient.therapy else None
    state = lab_state(kb, patient, reg, day)
    reports = store_links.reports_of(session, patient_id)
    links = store_links.links_of(session, patient_id)
    listed = [i for c in conditions if (cond := kb.conditions.get(c)) for i in cond.instruments]
    charts = score_charts(rec, conditions, listed)
    analytes = lab_analytes(kb, rec, patient.therapy.drug if patient.therapy else None, reg)
    chart_config = {
        "timeline": f"/api/patients/{patient_id}/timeline?as_of={day.isoformat()}&region={reg}",
        "scores": [c.as_json() for c in charts],
        "labs": [
            {"analyte": a, "title": found.name, "unit": found.canonical_unit}
            for a in analytes
            if (found := kb.analyte(a)) is not None
        ],
        "therapy_start": start.isoformat() if start else None,
        "as_of": day.isoformat(),
    }
    session.commit()
    now = dt.datetime.now(dt.UTC)
    return render_html(
        kb,
        "patient.html.j2",
        page_context(
            clin,
            "patients",
            f"Patient {rec.patient.label}",
            rec=rec,
            patient=patient,
            pid=patient_id,
            day=day,
            region=reg,
            regions=REGIONS,
            age=patient.age_on(day),
            conditions=[(c, condition_name(kb, c)) for c in conditions],
            condition_rows={r.condition: r.id for r in rec.rows("conditions")},
            badges=response_badges(rec, conditions, start, day, listed),
            lab=state,
            visits=visits(kb, rec, reports, state.actions),
            charts=charts,
            analytes=analytes,
            chart_config=chart_config,
            links=[(link, link.state(now)) for link in links],
            link_days=store_links.DEFAULT_DAYS,
            max_days=store_links.MAX_DAYS,
            questionnaire=_default_questionnaire(conditions),
            drugs=sorted(m.id for m in kb.marketed(reg)),
            added=request.query_params.get("added"),
            score_forms=forms_for(listed),
            questionnaires=fitting_forms(
                kb, conditions, (("basdai", "BASDAI (axial SpA)"), ("dlqi", "DLQI (skin)"))
            ),
            row_lists=row_lists(kb, rec.children, patient_id),
        ),
    )


def _default_questionnaire(conditions: list[str]) -> str:
    axial = ("ankylosing-spondylitis", "non-radiographic-axial-spondyloarthritis")
    return "basdai" if any(c in axial for c in conditions) else "dlqi"


@router.get("/patients/{patient_id}/assess")
def patient_assess(
    request: Request,
    patient_id: str,
    clin: ClinDep,
    session: SessionDep,
    kb: KbDep,
    condition: str | None = None,
    region: str | None = None,
    as_of: str | None = None,
) -> Response:
    day, reg, rec, patient = _open(
        request, clin, session, kb, patient_id, as_of, region, "assessment"
    )
    conditions = list(patient.conditions or [])
    chosen = condition or (conditions[0] if conditions else "")
    if chosen not in kb.conditions:
        raise PageError(
            422, "Condition needed", "This record has no condition; add one or choose one."
        )
    result = assess(patient, AssessRequest(condition=chosen, region=reg, as_of=day), kb)
    out = assessment_json(result, [])
    session.commit()
    return render_html(
        kb,
        "patient_assess.html.j2",
        page_context(
            clin,
            "patients",
            f"Assessment of {rec.patient.label}",
            rec=rec,
            pid=patient_id,
            day=day,
            region=reg,
            regions=REGIONS,
            condition=chosen,
            all_conditions=sorted(kb.conditions.values(), key=lambda c: c.name),
            patient_id=patient_id,
            **results_context(kb, out),
        ),
    )


# --------------------------------------------------------------------------- guide


def guide_request(
    kb: Knowledge,
    patient: Patient,
    drug: str | None,
    condition: str | None,
    region: str,
    day: dt.date,
) -> Any:
    """The guide request for a patient (drug default: the running therapy)."""
    from jakguide.guide import GuideRequest, default_condition

    chosen = drug or (patient.therapy.drug if patient.therapy else None)
    if not chosen:
        raise PageError(
            422, "Choose a drug", "The record has no JAK therapy running; choose a drug."
        )
    if chosen not in kb.drugs:
        raise PageError(422, "Unknown drug", f"{chosen[:60]!r} is not a drug in the knowledge.")
    cond = condition or default_condition(patient, chosen, region, kb)
    return GuideRequest(drug=chosen, condition=cond, region=region, as_of=day)


def guide_response(
    kb: Knowledge, patient: Patient, request: Any, fmt: str, shown_as: str | None
) -> Response:
    """The guide document as HTML or PDF (the guide package's own rendering).

    ``shown_as`` is what the guide's "For" line says: the clinic's reference for a clinician,
    nothing (the guide then says "you") for a patient; never the record's internal id.
    """
    from jakguide.guide import build_guide, guide_html, guide_pdf

    patient = patient.model_copy(update={"id": shown_as})
    if shown_as is None:  # the patient's own copy, opened through their link
        request = request.model_copy(update={"audience": "patient"})
    try:
        guide = build_guide(patient, request, kb)
    except InputError:
        raise
    except JakguideError as exc:  # e.g. wording or a source missing from the knowledge
        raise PageError(500, "The guide could not be built", str(exc)) from None
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
    if fmt == "pdf":
        try:
            data = guide_pdf(guide)
        except JakguideError as exc:
            raise PageError(503, "PDF unavailable", str(exc)) from None
        name = f"guide-{request.drug}-{request.as_of.isoformat()}.pdf"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return Response(data, media_type="application/pdf", headers=headers)
    headers["Content-Security-Policy"] = GUIDE_CSP
    return Response(guide_html(guide), media_type="text/html; charset=utf-8", headers=headers)


@router.get("/patients/{patient_id}/guide")
def guide_page(
    request: Request,
    patient_id: str,
    clin: ClinDep,
    session: SessionDep,
    kb: KbDep,
    drug: str | None = None,
    condition: str | None = None,
    region: str | None = None,
    as_of: str | None = None,
) -> Response:
    day, reg, rec, patient = _open(
        request, clin, session, kb, patient_id, as_of, region, "guide-page"
    )
    session.commit()
    chosen = drug or (patient.therapy.drug if patient.therapy else "")
    cond = condition or ""
    error = None
    if chosen:
        try:
            req = guide_request(kb, patient, chosen, condition, reg, day)
            cond = req.condition
        except (PageError, InputError) as exc:
            error = exc.message if isinstance(exc, PageError) else str(exc)
    query = f"drug={chosen}&condition={cond}&region={reg}&as_of={day.isoformat()}"
    return render_html(
        kb,
        "guide_page.html.j2",
        page_context(
            clin,
            "patients",
            f"Patient guide for {rec.patient.label}",
            rec=rec,
            pid=patient_id,
            drug=chosen,
            condition=cond,
            region=reg,
            regions=REGIONS,
            day=day,
            error=error,
            query=query,
            drugs=sorted(m.id for m in kb.marketed(reg)),
            conditions=[(c, condition_name(kb, c)) for c in patient.conditions or []],
        ),
    )


def _guide_file(
    request: Request,
    patient_id: str,
    clin: Clin,
    session: Session,
    kb: Knowledge,
    drug: str | None,
    condition: str | None,
    region: str | None,
    as_of: str | None,
    fmt: str,
) -> Response:
    day, reg, rec, patient = _open(
        request, clin, session, kb, patient_id, as_of, region, f"guide-{fmt}", "export"
    )
    req = guide_request(kb, patient, drug or None, condition or None, reg, day)
    response = guide_response(kb, patient, req, fmt, rec.patient.label)
    session.commit()
    return response


@router.get("/patients/{patient_id}/guide.html")
def guide_html_file(
    request: Request,
    patient_id: str,
    clin: ClinDep,
    session: SessionDep,
    kb: KbDep,
    drug: str | None = None,
    condition: str | None = None,
    region: str | None = None,
    as_of: str | None = None,
) -> Response:
    return _guide_file(
        request, patient_id, clin, session, kb, drug, condition, region, as_of, "html"
    )


@router.get("/patients/{patient_id}/guide.pdf")
def guide_pdf_file(
    request: Request,
    patient_id: str,
    clin: ClinDep,
    session: SessionDep,
    kb: KbDep,
    drug: str | None = None,
    condition: str | None = None,
    region: str | None = None,
    as_of: str | None = None,
) -> Response:
    return _guide_file(
        request, patient_id, clin, session, kb, drug, condition, region, as_of, "pdf"
    )
