"""What a record means: assessment, labs evaluation, timeline, snapshots, FHIR import/export.

Every view builds the engine's ``Patient`` with ``store.convert.to_patient`` on ``as_of`` (default:
today in the clinic's time zone, echoed) and calls the same core as the CLI and ``/api/assess``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from jakguide.adapters.native import MAX_DAY, MIN_DAY
from jakguide.engine import assess, evaluate_labs
from jakguide.errors import InputError
from jakguide.kb.base import Knowledge
from jakguide.model import Assessment, AssessRequest, LabsReport, LabsRequest, Patient, Region
from jakguide.rules.labs import describe
from jakguide.store import audit
from jakguide.store.convert import Record, from_patient, to_patient
from jakguide.store.models import AssessmentRow, AuditRow
from jakguide.store.records import RecordNotFoundError, Records
from jakguide.store.schemas import PatientOut
from jakguide.store.scoring import category_of
from jakguide.units import threshold_in_canonical
from jakguide.web.api.documents import PATIENT_BODY, read_document
from jakguide.web.api.records import Limit, Offset, PatientId, RowId
from jakguide.web.api.stateless import assessment_json
from jakguide.web.bodies import api_router
from jakguide.web.deps import AuthDep, RecordsDep, SessionDep, clinic_today
from jakguide.web.problems import PROBLEM_RESPONSES

router = api_router(prefix="/api", tags=["records"], responses=PROBLEM_RESPONSES)

RegionQ = Annotated[Literal["US", "EU"], Query(description="US (FDA) or EU (EMA).")]
AsOfQ = Annotated[
    dt.date | None,
    Query(
        ge=MIN_DAY,
        le=MAX_DAY,
        description="The patient's 'today'; default: today in the clinic's time zone.",
    ),
]
ConditionQ = Annotated[
    str | None,
    Query(max_length=100, description="Condition id; default: the patient's only condition."),
]
DrugsQ = Annotated[list[str] | None, Query(description="Only these agents (repeatable).")]


def _snapshot(
    records: Records, patient_id: str, as_of: dt.date | None, resource: str
) -> tuple[Record, Patient, dt.date]:
    day = as_of or clinic_today(records.actor)
    rec = records.load(patient_id, "read", resource)
    return rec, to_patient(rec, records.kb, day), day


def _condition(patient: Patient, condition: str | None) -> str:
    if condition is not None:
        return condition
    conditions = patient.conditions or []
    if len(conditions) == 1:
        return conditions[0]
    raise InputError(
        "condition",
        None,
        "give ?condition=; the record has "
        + (f"{len(conditions)} conditions: {', '.join(conditions)}" if conditions else "none"),
    )


def _assessment(
    records: Records,
    patient_id: str,
    condition: str | None,
    region: Region,
    as_of: dt.date | None,
    drug: list[str] | None,
) -> dict[str, Any]:
    _, patient, day = _snapshot(records, patient_id, as_of, "assessment")
    req = AssessRequest(
        condition=_condition(patient, condition),
        region=region,
        as_of=day,
        drugs=drug,
    )
    return assessment_json(assess(patient, req, records.kb), [])


@router.get(
    "/patients/{patient_id}/assessment",
    responses={200: {"model": Assessment, "description": "The assessment (CLI JSON)."}},
)
def patient_assessment(
    patient_id: PatientId,
    records: RecordsDep,
    condition: ConditionQ = None,
    region: RegionQ = "US",
    as_of: AsOfQ = None,
    drug: DrugsQ = None,
) -> JSONResponse:
    """Assess the stored patient (same JSON as ``POST /api/assess``)."""
    out = _assessment(records, patient_id, condition, region, as_of, drug)
    records.session.commit()
    return JSONResponse(out)


class SnapshotMeta(BaseModel):
    id: int
    kind: str
    subject: str
    region: str
    as_of: dt.date
    knowledge_version: str
    created_at: dt.datetime
    clinician_id: int | None


class SnapshotOut(SnapshotMeta):
    output: dict[str, Any]


def _meta(row: AssessmentRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "subject": row.subject,
        "region": row.region,
        "as_of": row.as_of,
        "knowledge_version": row.knowledge_version,
        "created_at": row.created_at,
        "clinician_id": row.clinician_id,
    }


@router.post("/patients/{patient_id}/assessments", response_model=SnapshotOut, status_code=201)
def save_assessment(
    patient_id: PatientId,
    records: RecordsDep,
    condition: ConditionQ = None,
    region: RegionQ = "US",
    as_of: AsOfQ = None,
    drug: DrugsQ = None,
) -> SnapshotOut:
    """Assess and keep the output in the record (what was shown, with knowledge version)."""
    out = _assessment(records, patient_id, condition, region, as_of, drug)
    row = records.save_snapshot(patient_id, "assessment", str(out["condition"]), out)
    records.audit("create", "assessment", row.id, patient_id)
    result = SnapshotOut(**_meta(row), output=out)
    records.session.commit()
    return result


@router.get("/patients/{patient_id}/assessments", response_model=list[SnapshotMeta])
def list_assessments(patient_id: PatientId, records: RecordsDep) -> list[SnapshotMeta]:
    """Saved assessments of the patient, newest first (without their output)."""
    from sqlalchemy import select

    records.get_patient(patient_id)
    rows = records.session.scalars(
        select(AssessmentRow)
        .where(AssessmentRow.patient_id == patient_id)
        .order_by(AssessmentRow.id.desc())
    )
    out = [SnapshotMeta(**_meta(r)) for r in rows]
    records.session.commit()
    return out


@router.get("/patients/{patient_id}/assessments/{row_id}", response_model=SnapshotOut)
def get_assessment(patient_id: PatientId, row_id: RowId, records: RecordsDep) -> SnapshotOut:
    """One saved assessment, exactly as it was produced."""
    records.get_patient(patient_id)
    row = records.session.get(AssessmentRow, row_id)
    if row is None or row.patient_id != patient_id:
        raise RecordNotFoundError("assessment", row_id)
    records.audit("read", "assessment", row_id, patient_id)
    out = SnapshotOut(**_meta(row), output=row.output)
    records.session.commit()
    return out


def _current_drug(patient: Patient, drug: str | None) -> str:
    if drug is not None:
        return drug
    if patient.therapy is None:
        raise InputError(
            "drug", None, "give ?drug=; the record has no JAK therapy running on as_of"
        )
    return patient.therapy.drug


@router.get(
    "/patients/{patient_id}/labs-evaluation",
    responses={200: {"model": LabsReport, "description": "Lab actions and monitoring."}},
)
def labs_evaluation(
    patient_id: PatientId,
    records: RecordsDep,
    drug: Annotated[
        str | None, Query(max_length=100, description="Default: the current therapy's drug.")
    ] = None,
    region: RegionQ = "US",
    as_of: AsOfQ = None,
) -> JSONResponse:
    """What each stored lab result means for the drug (as ``POST /api/labs``)."""
    _, patient, day = _snapshot(records, patient_id, as_of, "labs-evaluation")
    req = LabsRequest(drug=_current_drug(patient, drug), region=region, as_of=day)
    report = evaluate_labs(patient, req, records.kb)
    records.session.commit()
    return JSONResponse(report.model_dump(mode="json"))


# --------------------------------------------------------------------------- timeline


class Threshold(BaseModel):
    rule: str
    analyte: str
    context: str
    comparator: str
    value: float
    upper: float | None
    unit: str
    canonical_value: float | None
    canonical_unit: str | None
    action: str
    requires: str | None
    conditions: list[str] | None
    text: str
    label: str
    source: dict[str, Any]


class TimelineLab(BaseModel):
    id: int
    analyte: str
    date: dt.date
    value: float
    unit: str
    value_entered: float
    unit_entered: str
    action: str | None
    rule: str | None


class TimelineScore(BaseModel):
    id: int
    instrument: str
    date: dt.date
    value: float | None
    category: str | None
    inputs: dict[str, Any] | None = None


class Timeline(BaseModel):
    patient_id: str
    knowledge_version: str
    region: str
    as_of: dt.date
    drug: str | None
    therapy_start: dt.date | None
    scores: list[TimelineScore]
    labs: list[TimelineLab]
    thresholds: list[Threshold]


def _thresholds(kb: Knowledge, drug: str, region: Region) -> list[Threshold]:
    label = kb.label(drug, region)
    if label is None:
        return []
    out = []
    for rule in label.labs:
        analyte = kb.analyte(rule.analyte)
        canonical: float | None = None
        if rule.comparator not in ("drop-gt", "rise-gt-x-uln") and analyte is not None:
            canonical = float(threshold_in_canonical(kb, rule.analyte, rule.value, rule.unit))
        out.append(
            Threshold(
                rule=rule.id,
                analyte=rule.analyte,
                context=rule.context,
                comparator=rule.comparator,
                value=rule.value,
                upper=rule.upper,
                unit=rule.unit,
                canonical_value=canonical,
                canonical_unit=analyte.canonical_unit if analyte else None,
                action=rule.action,
                requires=rule.requires,
                conditions=rule.conditions,
                text=rule.text,
                label=describe(rule),
                source=rule.source.model_dump(mode="json", exclude_none=True),
            )
        )
    return out


@router.get("/patients/{patient_id}/timeline", response_model=Timeline)
def timeline(
    patient_id: PatientId, records: RecordsDep, region: RegionQ = "US", as_of: AsOfQ = None
) -> Timeline:
    """Scores and labs over time, with score categories and the label's lab thresholds for
    the JAK therapy running on ``as_of`` (and the label action for each lab result)."""
    rec, patient, day = _snapshot(records, patient_id, as_of, "timeline")
    kb = records.kb
    drug = patient.therapy.drug if patient.therapy else None
    actions: dict[tuple[str, dt.date, float, str], tuple[str, str | None]] = {}
    thresholds: list[Threshold] = []
    if drug is not None and kb.label(drug, region) is not None:
        thresholds = _thresholds(kb, drug, region)
        report = evaluate_labs(patient, LabsRequest(drug=drug, region=region, as_of=day), kb)
        for r in report.results:
            actions[(r.analyte, r.date, r.value_entered, r.unit_entered)] = (r.action, r.rule)
    labs = []
    for lab in sorted(rec.rows("labs"), key=lambda x: (x.date, x.id)):
        action, rule = actions.get(
            (lab.analyte, lab.date, lab.value_entered, lab.unit_entered), (None, None)
        )
        labs.append(
            TimelineLab(
                id=lab.id,
                analyte=lab.analyte,
                date=lab.date,
                value=lab.value,
                unit=lab.unit,
                value_entered=lab.value_entered,
                unit_entered=lab.unit_entered,
                action=action,
                rule=rule,
            )
        )
    scores = []
    for row in sorted(rec.rows("scores"), key=lambda x: (x.date, x.id)):
        category = row.category
        if row.value is not None:
            try:
                category = category_of(row.instrument, row.value)
            except InputError:
                category = None
        scores.append(
            TimelineScore(
                id=row.id,
                instrument=row.instrument,
                date=row.date,
                value=row.value,
                category=category,
                inputs=row.inputs,
            )
        )
    out = Timeline(
        patient_id=patient_id,
        knowledge_version=kb.version,
        region=region,
        as_of=day,
        drug=drug,
        therapy_start=patient.therapy.start_date if patient.therapy else None,
        scores=scores,
        labs=labs,
        thresholds=thresholds,
    )
    records.session.commit()
    return out


# --------------------------------------------------------------------------- whole records


class RecordOut(BaseModel):
    patient: PatientOut
    lists: dict[str, list[dict[str, Any]]]


@router.get("/patients/{patient_id}/record", response_model=RecordOut)
def whole_record(patient_id: PatientId, records: RecordsDep) -> RecordOut:
    """The patient with every dated row, one list per kind."""
    from jakguide.store.kinds import KINDS

    rec = records.load(patient_id)
    lists = {
        name: [spec.model_out.model_validate(r).model_dump(mode="json") for r in rec.rows(name)]
        for name, spec in KINDS.items()
    }
    out = RecordOut(patient=PatientOut.model_validate(rec.patient), lists=lists)
    records.session.commit()
    return out


@router.get("/patients/{patient_id}/snapshot", response_model=Patient)
def patient_snapshot(patient_id: PatientId, records: RecordsDep, as_of: AsOfQ = None) -> Any:
    """The record as the engine sees it on ``as_of`` (the native patient format)."""
    _, patient, _ = _snapshot(records, patient_id, as_of, "snapshot")
    records.session.commit()
    return JSONResponse(patient.model_dump(mode="json", exclude_none=True))


class ImportOut(BaseModel):
    patient: PatientOut
    source: str
    added: int
    warnings: list[str]


async def _import(
    request: Request, records: Records, patient_id: str | None, label: str | None
) -> ImportOut:
    from jakguide.adapters.native import load_patient_data

    day = clinic_today(records.actor)
    if patient_id is not None:  # before reading a large body for a record we cannot see
        await run_in_threadpool(records.check_patient, patient_id)
    data = await read_document(request)
    loaded = await run_in_threadpool(load_patient_data, data, records.kb, day, "body")

    def write() -> ImportOut:
        rows = from_patient(loaded.patient, label)
        patient, added = records.import_rows(rows, patient_id)
        out = ImportOut(
            patient=PatientOut.model_validate(patient),
            source=loaded.source,
            added=added,
            warnings=loaded.warnings,
        )
        records.session.commit()
        return out

    return await run_in_threadpool(write)


LabelQ = Annotated[
    str | None, Query(min_length=1, max_length=200, description="The clinic's reference.")
]


@router.post(
    "/patients/import", response_model=ImportOut, status_code=201, openapi_extra=PATIENT_BODY
)
async def import_new(request: Request, records: RecordsDep, label: LabelQ = None) -> ImportOut:
    """Create a patient record from a FHIR Bundle or a native patient (up to 25 MB)."""
    return await _import(request, records, None, label)


@router.post("/patients/{patient_id}/import", response_model=ImportOut, openapi_extra=PATIENT_BODY)
async def import_into(request: Request, patient_id: PatientId, records: RecordsDep) -> ImportOut:
    """Add a FHIR Bundle (or native patient) to an existing record; known rows are skipped."""
    return await _import(request, records, patient_id, None)


@router.get(
    "/patients/{patient_id}/fhir",
    responses={200: {"content": {"application/fhir+json": {}}, "description": "FHIR Bundle"}},
)
def export_fhir(patient_id: PatientId, records: RecordsDep, as_of: AsOfQ = None) -> JSONResponse:
    """The record on ``as_of`` as a FHIR R4 Bundle."""
    from jakguide.adapters.fhir import patient_to_bundle

    rec = records.load(patient_id, "export", "fhir-bundle")
    day = as_of or clinic_today(records.actor)
    bundle = patient_to_bundle(to_patient(rec, records.kb, day), records.kb)
    records.session.commit()
    return JSONResponse(bundle, media_type="application/fhir+json")


# --------------------------------------------------------------------------- audit


class AuditOut(BaseModel):
    id: int
    at: dt.datetime
    clinician_id: int | None
    action: str
    resource: str
    resource_id: str | None
    patient_id: str | None
    outcome: str


@router.get("/audit", response_model=list[AuditOut], tags=["audit"])
def audit_log(
    auth: AuthDep, session: SessionDep, limit: Limit = 100, offset: Offset = 0
) -> list[AuditOut]:
    """The clinic's audit log, newest first (ids and verbs only)."""
    rows: list[AuditRow] = audit.entries(session, auth.actor.clinic_id, limit, offset)
    return [
        AuditOut(
            id=r.id,
            at=r.at,
            clinician_id=r.clinician_id,
            action=r.action,
            resource=r.resource,
            resource_id=r.resource_id,
            patient_id=r.patient_id,
            outcome=r.outcome,
        )
        for r in rows
    ]
