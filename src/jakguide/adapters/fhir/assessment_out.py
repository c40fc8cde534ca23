"""An ``Assessment`` -> FHIR R4 resources: what the engine found, in the EHR's own language.

A collection Bundle holds one DetectedIssue per finding (severity, evidence, the implicated
MedicationRequest, the label or guideline it rests on), a proposed MedicationRequest per option
the engine gives a regimen for, a ServiceRequest per missing screening test and a CarePlan for
monitoring. The single-resource builders are public because the CDS Hooks door puts them in
card suggestions. Codes come from the adapter's code tables (``codes.yaml``) and the knowledge
(RxNorm, LOINC): an item without a code there gets jakguide's own code system, never a guessed
standard code.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from jakguide.adapters.fhir.codes import (
    LOINC,
    RXNORM,
    UCUM,
    TableName,
    code_tables,
    local_system,
)
from jakguide.kb.base import Knowledge
from jakguide.model import (
    Assessment,
    Finding,
    MonitoringOut,
    Option,
    Patient,
    RegimenOut,
    ScreeningOut,
    SourceRef,
)

FHIR_JSON = "application/fhir+json"
# Screening statuses that mean "no usable result on record": the test should be ordered.
MISSING_SCREENING = frozenset({"due", "needs-data"})
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_KNOWLEDGE_TAG = "urn:jakguide:fhir:knowledge-version"
# CarePlan.activity.detail.status per monitoring status (FHIR R4 care-plan-activity-status).
_ACTIVITY_STATUS = {
    "upcoming": "scheduled",
    "due": "not-started",
    "overdue": "not-started",
    "done": "completed",
}


def _ref(reference: str) -> dict[str, str]:
    return {"reference": reference}


def _coding(table: TableName, item: str) -> dict[str, str] | None:
    preferred = code_tables().preferred(table, item)
    if preferred is None:
        return None
    system, code, display = preferred
    return {"system": system, "code": code, "display": display}


def _number(value: float) -> int | float:
    """A whole number is written without a decimal point (``5`` rather than ``5.0``)."""
    return int(value) if float(value).is_integer() else value


def _cite(source: SourceRef) -> str:
    title = source.title or source.doc
    return f"{title}, {source.section}" if source.section else title


def _first_url(sources: Iterable[SourceRef]) -> str | None:
    return next((s.url for s in sources if s.url), None)


# --------------------------------------------------------------------------- DetectedIssue


def detected_issue(
    finding: Finding,
    patient_ref: str,
    kb: Knowledge,
    *,
    implicated: str | None = None,
    drug: str | None = None,
    identified: dt.date | None = None,
) -> dict[str, Any]:
    """One finding as a DetectedIssue.

    Args:
        finding: the engine's finding.
        patient_ref: reference to the patient (``Patient/123`` or a bundle ``urn:uuid:``).
        kb: the knowledge (kept for symmetry with the other builders and for the drug's name).
        implicated: reference to the MedicationRequest the finding concerns, when there is one.
        drug: the agent the finding is about, named when no MedicationRequest is implicated.
        identified: the assessment's ``as_of`` day.
    """
    coding = [
        c
        for c in (
            _coding("issue_kinds", finding.kind),
            {"system": local_system("finding-rule"), "code": finding.rule},
        )
        if c is not None
    ]
    severity = code_tables().preferred("issue_severity", finding.severity)
    resource: dict[str, Any] = {
        "resourceType": "DetectedIssue",
        "status": "final",
        "code": {"coding": coding, "text": finding.kind},
        "patient": _ref(patient_ref),
        "detail": finding.message,
    }
    if severity is not None:
        resource["severity"] = severity[1]
    if identified is not None:
        resource["identifiedDateTime"] = identified.isoformat()
    if implicated is not None:
        resource["implicated"] = [_ref(implicated)]
    elif drug is not None:
        mono = kb.drug(drug)
        resource["implicated"] = [{"display": mono.inn if mono else drug}]
    evidence = [{"code": [{"text": fact}]} for fact in finding.facts]
    if finding.sources:
        cited = "; ".join(_cite(s) for s in finding.sources)
        evidence.append({"code": [{"text": f"Source: {cited}"}]})
    if evidence:
        resource["evidence"] = evidence
    url = _first_url(finding.sources)
    if url is not None:
        resource["reference"] = url
    return resource


# --------------------------------------------------------------------------- MedicationRequest


def medication_concept(drug: str, kb: Knowledge) -> dict[str, Any]:
    """The agent as a CodeableConcept: its RxNorm ingredient code where the knowledge has one."""
    mono = kb.drug(drug)
    name = mono.inn if mono else drug
    out: dict[str, Any] = {"text": name}
    if mono is not None and mono.rxnorm:
        out["coding"] = [{"system": RXNORM, "code": mono.rxnorm, "display": name}]
    return out


def dosage(regimen: RegimenOut) -> dict[str, Any]:
    """A regimen as a Dosage: text, timing (doses per day, UCUM duration), route, dose in mg."""
    repeat: dict[str, Any] = {"frequency": regimen.per_day, "period": 1, "periodUnit": "d"}
    if regimen.duration_weeks is not None:
        repeat["boundsDuration"] = {
            "value": regimen.duration_weeks,
            "unit": "wk",
            "system": UCUM,
            "code": "wk",
        }
    timing: dict[str, Any] = {"repeat": repeat}
    times = _coding("dosing_times", str(regimen.per_day))
    if times is not None:
        timing["code"] = {"coding": [times]}
    out: dict[str, Any] = {"sequence": 1, "text": regimen.text, "timing": timing}
    route = _coding("routes", regimen.route)
    out["route"] = {"coding": [route], "text": regimen.route} if route else {"text": regimen.route}
    if regimen.dose_mg is not None:
        out["doseAndRate"] = [
            {
                "doseQuantity": {
                    "value": _number(regimen.dose_mg),
                    "unit": "mg",
                    "system": UCUM,
                    "code": "mg",
                }
            }
        ]
    return out


def adjusted_medication_request(
    option: Option,
    patient_ref: str,
    kb: Knowledge,
    draft: dict[str, Any] | None = None,
    *,
    regimen: RegimenOut | None = None,
    authored: dt.date | None = None,
) -> dict[str, Any]:
    """The MedicationRequest for ``option`` at the engine's dose.

    With ``draft`` (the EHR's draft order), the draft is kept (its id, status, intent,
    medication, requester, ...) and only its ``dosageInstruction`` is replaced: that is the
    resource a CDS "update" suggestion carries. Without it, a new proposal is built.

    Raises:
        ValueError: the option has no regimen (contraindicated, not indicated, or the dose
            depends on missing data), so there is no dose to propose.
    """
    chosen = regimen or option.regimen
    if chosen is None:
        raise ValueError(f"option {option.drug!r} ({option.status}) has no regimen to propose")
    if draft is not None:
        resource = copy.deepcopy(draft)
        if "medicationCodeableConcept" not in resource and "medicationReference" not in resource:
            resource["medicationCodeableConcept"] = medication_concept(option.drug, kb)
        resource.setdefault("subject", _ref(patient_ref))
        resource.setdefault("status", "draft")
        resource.setdefault("intent", "proposal")
    else:
        resource = {
            "resourceType": "MedicationRequest",
            "status": "draft",
            "intent": "proposal",
            "medicationCodeableConcept": medication_concept(option.drug, kb),
            "subject": _ref(patient_ref),
        }
    if authored is not None and "authoredOn" not in resource:
        resource["authoredOn"] = authored.isoformat()
    resource["dosageInstruction"] = [dosage(chosen)]
    return resource


# --------------------------------------------------------------------------- ServiceRequest


def screening_service_request(
    item_id: str,
    patient_ref: str,
    kb: Knowledge,
    *,
    reason: str | None = None,
    authored: dt.date | None = None,
) -> dict[str, Any]:
    """A LOINC-coded order for one screening test (``tb``, ``hbsag``, ``anti-hbc``, ``hcv``, ...).

    Raises:
        ValueError: the code table holds no test code for ``item_id`` (vaccines, lipids): no
            code is invented.
    """
    test = _coding("screening_tests", item_id)
    if test is None:
        accepted = ", ".join(sorted(code_tables().tables["screening_tests"].items))
        raise ValueError(
            f"screening item {item_id!r} has no test code in codes.yaml; accepted: {accepted}"
        )
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "proposal",
        "code": {"coding": [test], "text": test["display"]},
        "subject": _ref(patient_ref),
    }
    if authored is not None:
        resource["authoredOn"] = authored.isoformat()
    if reason:
        resource["reasonCode"] = [{"text": reason}]
    return resource


def has_test_code(item_id: str) -> bool:
    """Whether ``screening_service_request`` can order ``item_id`` (a code is on the table)."""
    return code_tables().preferred("screening_tests", item_id) is not None


# --------------------------------------------------------------------------- CarePlan


def _analyte_concept(analyte: str, kb: Knowledge) -> dict[str, Any]:
    known = kb.analyte(analyte)
    if known is not None and known.loinc:
        return {
            "coding": [{"system": LOINC, "code": known.loinc[0], "display": known.name}],
            "text": known.name,
        }
    return {"coding": [{"system": local_system("analyte"), "code": analyte}], "text": analyte}


def monitoring_care_plan(
    monitoring: Sequence[MonitoringOut],
    patient_ref: str,
    kb: Knowledge,
    *,
    created: dt.date | None = None,
) -> dict[str, Any]:
    """The monitoring schedule as one CarePlan: an activity per test, with its window."""
    activities: list[dict[str, Any]] = []
    for item in monitoring:
        detail: dict[str, Any] = {
            "kind": "ServiceRequest",
            "code": _analyte_concept(item.analyte, kb),
            "status": _ACTIVITY_STATUS[item.status],
            "description": item.why,
        }
        if item.status == "overdue" and item.due_by is not None:
            detail["statusReason"] = {"text": f"overdue since {item.due_by.isoformat()}"}
        period = {
            k: d.isoformat()
            for k, d in (("start", item.due_from), ("end", item.due_by))
            if d is not None
        }
        if period:
            detail["scheduledPeriod"] = period
        activity: dict[str, Any] = {"detail": detail}
        if item.sources:
            activity["progress"] = [
                {"text": "Source: " + "; ".join(_cite(s) for s in item.sources)}
            ]
        activities.append(activity)
    drugs = sorted({m.drug for m in monitoring if m.drug})
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "status": "active",
        "intent": "plan",
        "title": "Monitoring" + (f" on {', '.join(drugs)}" if drugs else ""),
        "subject": _ref(patient_ref),
    }
    if created is not None:
        resource["created"] = created.isoformat()
    if activities:
        resource["activity"] = activities
    return resource


# --------------------------------------------------------------------------- Bundle


class _Entries:
    """Bundle entries with stable ``urn:uuid`` full URLs (same assessment, same URLs)."""

    def __init__(self, key: str) -> None:
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, "urn:jakguide:assessment:" + key)
        self.entries: list[dict[str, Any]] = []

    def add(self, resource: dict[str, Any]) -> str:
        url = f"urn:uuid:{uuid.uuid5(self.namespace, str(len(self.entries)))}"
        self.entries.append({"fullUrl": url, "resource": resource})
        return url


def _patient_resource(patient: Patient) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Patient"}
    if patient.id is not None and _FHIR_ID.match(patient.id):
        resource["id"] = patient.id
    elif patient.id is not None:
        resource["identifier"] = [{"system": local_system("patient-id"), "value": patient.id}]
    if patient.sex != "unknown":
        resource["gender"] = patient.sex
    if patient.birth_date is not None:
        resource["birthDate"] = patient.birth_date.isoformat()
    return resource


def warnings_outcome(warnings: Sequence[str]) -> dict[str, Any]:
    """Input and engine warnings (a record that could not be read, ...) as an OperationOutcome."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {"severity": "warning", "code": "informational", "diagnostics": text}
            for text in warnings
        ],
    }


def missing_tests(screening: Iterable[ScreeningOut]) -> list[ScreeningOut]:
    """Screening items with no usable result whose test has a code to order it by."""
    return [s for s in screening if s.status in MISSING_SCREENING and has_test_code(s.item)]


def assessment_bundle(result: Assessment, patient: Patient, kb: Knowledge) -> dict[str, Any]:
    """The whole assessment as a FHIR R4 collection Bundle (see the module docstring)."""
    key = f"{patient.id or ''}|{result.condition}|{result.region}|{result.as_of.isoformat()}"
    entries = _Entries(key)
    subject = entries.add(_patient_resource(patient))
    day = result.as_of
    requests: dict[str, str] = {}
    for option in result.options:
        if option.regimen is not None:
            mr = adjusted_medication_request(option, subject, kb, authored=day)
            requests[option.drug] = entries.add(mr)
    for option in result.options:
        for finding in option.findings:
            issue = detected_issue(
                finding,
                subject,
                kb,
                implicated=requests.get(option.drug),
                drug=option.drug,
                identified=day,
            )
            entries.add(issue)
    for item in missing_tests(result.screening):
        entries.add(
            screening_service_request(item.item, subject, kb, reason=item.detail, authored=day)
        )
    if result.monitoring:
        entries.add(monitoring_care_plan(result.monitoring, subject, kb, created=day))
    if result.warnings:
        entries.add(warnings_outcome(result.warnings))
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(entries.namespace, "bundle")),
        "meta": {"tag": [{"system": _KNOWLEDGE_TAG, "code": result.knowledge_version}]},
        "type": "collection",
        "entry": entries.entries,
    }
