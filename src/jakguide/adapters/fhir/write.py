"""The domain ``Patient`` -> a FHIR R4 collection Bundle (the inverse of the reader).

It uses the same code tables as the reader, so that ``read_bundle(patient_to_bundle(p))`` gives
``p`` back for the fields the mapping covers (docs/fhir-mapping.md lists those it does not).
Facts without a standard code are written with jakguide's own code systems
(``codes.local_system``), which the reader understands.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from jakguide.adapters.fhir.codes import (
    ALLERGY_CLINICAL,
    ALLERGY_VERIFICATION,
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    OBSERVATION_CATEGORY,
    RXNORM,
    UCUM,
    CodeTables,
    LocalKind,
    TableName,
    code_tables,
    local_system,
)
from jakguide.adapters.fhir.meds import jak_agents
from jakguide.kb.base import Knowledge
from jakguide.model import Medication, Patient, Screening, Therapy

_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
# History items that describe a state rather than a past event are written as active
# Conditions; events (an infarction, a perforation) as resolved ones. The reader takes history
# from any clinical status, so either reads back the same.
_ONGOING_HISTORY = frozenset(
    {
        "tb-active",
        "tb-latent",
        "hbv-active",
        "hcv-active",
        "interstitial-lung-disease",
        "heart-failure",
    }
)
_CODED_RESULTS = frozenset({"positive", "negative", "indeterminate"})
_ROUTE_NAMES = (
    "oral",
    "topical",
    "intravenous",
    "subcutaneous",
    "intramuscular",
    "ophthalmic",
    "intranasal",
    "rectal",
    "transdermal",
    "inhaled",
)


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def _status(system: str, code: str) -> dict[str, Any]:
    return {"coding": [_coding(system, code)]}


class _Writer:
    def __init__(self, patient: Patient, kb: Knowledge, tables: CodeTables) -> None:
        self.kb = kb
        self.tables = tables
        self.entries: list[dict[str, Any]] = []
        self.counts: dict[str, int] = {}
        self.namespace = uuid.uuid5(
            uuid.NAMESPACE_URL, "urn:jakguide:patient:" + (patient.id or "")
        )
        self.subject: dict[str, str] = {}

    def add(self, resource: dict[str, Any]) -> str:
        rtype = resource["resourceType"]
        n = self.counts[rtype] = self.counts.get(rtype, 0) + 1
        if rtype != "Patient":
            resource = {"resourceType": rtype, "id": f"{rtype.lower()}-{n}", **resource}
        url = f"urn:uuid:{uuid.uuid5(self.namespace, f'{rtype}/{n}')}"
        self.entries.append({"fullUrl": url, "resource": resource})
        return url

    def concept(
        self, table: TableName, item: str, local: LocalKind | None = None, text: str | None = None
    ) -> dict[str, Any]:
        """The table's preferred code for ``item``, else jakguide's own code (``local``)."""
        preferred = self.tables.preferred(table, item)
        if preferred is not None:
            coding = _coding(*preferred)
        elif local is not None:
            coding = _coding(local_system(local), item)
        else:  # pragma: no cover - a table lost a code the writer needs
            raise LookupError(f"codes.yaml: table {table!r} has no code for {item!r}")
        out: dict[str, Any] = {"coding": [coding]}
        if text:
            out["text"] = text
        return out

    # -- resources -----------------------------------------------------------------------

    def patient(self, p: Patient) -> None:
        resource: dict[str, Any] = {"resourceType": "Patient"}
        if p.id is not None and _FHIR_ID.match(p.id):
            resource["id"] = p.id
        elif p.id is not None:  # not a valid FHIR id: keep it as an identifier
            resource["identifier"] = [{"system": local_system("patient-id"), "value": p.id}]
        if p.sex != "unknown":
            resource["gender"] = p.sex
        if p.birth_date is not None:
            resource["birthDate"] = p.birth_date.isoformat()
        self.subject = {"reference": self.add(resource)}

    def condition(
        self, code: dict[str, Any], clinical: str = "active", severity: dict[str, Any] | None = None
    ) -> None:
        resource: dict[str, Any] = {
            "resourceType": "Condition",
            "clinicalStatus": _status(CONDITION_CLINICAL, clinical),
            "verificationStatus": _status(CONDITION_VERIFICATION, "confirmed"),
            "code": code,
            "subject": self.subject,
        }
        if severity is not None:
            resource["severity"] = severity
        self.add(resource)

    def conditions(self, p: Patient) -> None:
        written = len(self.entries)
        for cid in p.conditions or []:
            cond = self.kb.conditions.get(cid)
            if cond is not None and cond.snomed:
                code = {
                    "coding": [_coding("http://snomed.info/sct", cond.snomed[0])],
                    "text": cond.name,
                }
            else:
                code = {"coding": [_coding(local_system("condition"), cid)], "text": cid}
            self.condition(code)
        for item in p.history or []:
            clinical = "active" if item in _ONGOING_HISTORY else "resolved"
            self.condition(self.concept("history", item, "history"), clinical)
        for factor in p.cv_risk_factors or []:
            self.condition(self.concept("cv_risk_factors", factor, "cv-risk-factor"))
        for infection in p.active_infections or []:
            code = {
                "coding": [_coding(local_system("active-infection"), "infection")],
                "text": infection.name,
            }
            severity = None
            if infection.serious is not None:
                severity = self.concept("severity", "severe" if infection.serious else "mild")
            self.condition(code, severity=severity)
        if p.on_dialysis:
            self.condition(self.concept("dialysis", "on-dialysis"))
        lists = (p.conditions, p.history, p.cv_risk_factors, p.active_infections)
        if len(self.entries) == written and any(x is not None for x in lists):
            self.condition(self.concept("absent", "no-known-problems"))

    def observation(
        self, category: str, code: dict[str, Any], value: dict[str, Any], day: Any = None
    ) -> None:
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "status": "final",
            "category": [{"coding": [_coding(OBSERVATION_CATEGORY, category)]}],
            "code": code,
            "subject": self.subject,
        }
        if day is not None:
            resource["effectiveDateTime"] = day.isoformat()
        resource.update(value)
        self.add(resource)

    def observations(self, p: Patient) -> None:
        if p.smoking != "unknown":
            value = (
                self.concept("smoking_status", p.smoking)
                if p.smoking != "former-long-term"
                else {"coding": [_coding(local_system("smoking"), p.smoking)]}
            )
            self.observation(
                "social-history",
                self.concept("observations", "smoking-status"),
                {"valueCodeableConcept": value},
            )
        if p.pregnancy != "unknown":
            self.observation(
                "social-history",
                self.concept("observations", "pregnancy-status"),
                {"valueCodeableConcept": self.concept("pregnancy_status", p.pregnancy)},
            )
        units = {"weight_kg": "kg", "height_cm": "cm"}
        for m in p.measurements or []:
            unit = units[m.kind]
            self.observation(
                "vital-signs",
                self.concept("observations", m.kind),
                {"valueQuantity": {"value": m.value, "unit": unit, "system": UCUM, "code": unit}},
                m.date,
            )
        for lab in p.labs or []:
            analyte = self.kb.analyte(lab.analyte)
            if analyte is not None and analyte.loinc:
                code = {
                    "coding": [_coding("http://loinc.org", analyte.loinc[0])],
                    "text": analyte.name,
                }
            else:
                code = {"coding": [_coding(local_system("analyte"), lab.analyte)]}
            quantity: dict[str, Any] = {"value": lab.value, "unit": lab.unit}
            if analyte is not None and lab.unit in {u.unit for u in analyte.units}:
                quantity.update(system=UCUM, code=lab.unit)
            result: dict[str, Any] = {"valueQuantity": quantity}
            if lab.reference_high is not None:
                result["referenceRange"] = [{"high": {**quantity, "value": lab.reference_high}}]
            self.observation("laboratory", code, result, lab.date)
        for s in p.screening or []:
            self.screening(s)

    def screening(self, s: Screening) -> None:
        if s.item == "zoster-vaccine" and s.result == "done":
            resource: dict[str, Any] = {
                "resourceType": "Immunization",
                "status": "completed",
                "vaccineCode": self.concept("vaccines", s.item, "screening-item"),
                "patient": self.subject,
            }
            if s.date is not None:
                resource["occurrenceDateTime"] = s.date.isoformat()
            else:
                resource["occurrenceString"] = "date not recorded"
            self.add(resource)
            return
        test = self.concept("screening_tests", s.item, "screening-item")
        if s.result in _CODED_RESULTS:
            value = self.concept("results", s.result, "screening-result")
        else:
            value = {
                "coding": [_coding(local_system("screening-result"), s.result)],
                "text": s.result,
            }
        self.observation("laboratory", test, {"valueCodeableConcept": value}, s.date)

    def allergies(self, p: Patient) -> None:
        if p.allergies is None:
            return
        base: dict[str, Any] = {
            "resourceType": "AllergyIntolerance",
            "clinicalStatus": _status(ALLERGY_CLINICAL, "active"),
            "verificationStatus": _status(ALLERGY_VERIFICATION, "confirmed"),
            "patient": self.subject,
        }
        if not p.allergies:
            self.add({**base, "code": self.concept("absent", "no-known-drug-allergies")})
        for a in p.allergies:
            resource: dict[str, Any] = {
                **base,
                "category": ["medication"],
                "code": {"text": a.drug},
            }
            if a.reaction:
                resource["reaction"] = [{"manifestation": [{"text": a.reaction}]}]
            self.add(resource)

    def medicines(self, p: Patient) -> None:
        meds = list(p.medications or [])
        therapy_at: int | None = None
        if p.therapy is not None:
            for i, med in enumerate(meds):
                if p.therapy.drug in jak_agents(med, self.kb):
                    therapy_at = i
                    break
            if therapy_at is None:  # the therapy is a current medicine too
                mono = self.kb.drugs.get(p.therapy.drug)
                meds.append(Medication(drug=p.therapy.drug, rxnorm=mono.rxnorm if mono else None))
                therapy_at = len(meds) - 1
        if p.medications is not None and not meds:
            self.statement("active", self.concept("absent", "no-known-medications"))
        for i, med in enumerate(meds):
            self.medicine(med, p.therapy if i == therapy_at else None)
        for prior in p.prior_therapies or []:
            reason = {
                "coding": [_coding(local_system("prior-outcome"), prior.outcome)],
                "text": prior.outcome,
            }
            self.statement("stopped", {"text": prior.drug}, statusReason=[reason])

    def statement(self, status: str, code: dict[str, Any] | None, **more: Any) -> None:
        resource: dict[str, Any] = {"resourceType": "MedicationStatement", "status": status}
        if code is not None:
            resource["medicationCodeableConcept"] = code
        resource.update(more)
        resource["subject"] = self.subject
        self.add(resource)

    def medicine(self, med: Medication, therapy: Therapy | None) -> None:
        code: dict[str, Any] = {"text": med.drug}
        if med.rxnorm:
            code["coding"] = [_coding(RXNORM, med.rxnorm)]
        dosage: dict[str, Any] = {}
        if med.dose:
            dosage["text"] = med.dose
        if med.route:
            dosage["route"] = (
                self.concept("routes", med.route, text=med.route)
                if med.route in _ROUTE_NAMES
                else {"text": med.route}
            )
        more: dict[str, Any] = {}
        if therapy is not None:
            more["effectivePeriod"] = {"start": therapy.start_date.isoformat()}
            if therapy.per_day is not None:
                dosage["timing"] = {
                    "repeat": {"frequency": therapy.per_day, "period": 1, "periodUnit": "d"}
                }
            if therapy.dose_mg is not None:
                dosage["doseAndRate"] = [
                    {
                        "doseQuantity": {
                            "value": therapy.dose_mg,
                            "unit": "mg",
                            "system": UCUM,
                            "code": "mg",
                        }
                    }
                ]
        if dosage:
            more["dosage"] = [dosage]
        if therapy is not None and therapy.form is not None:
            medication = {
                "resourceType": "Medication",
                "id": "medication",
                "code": code,
                "form": {
                    "coding": [_coding(local_system("dose-form"), therapy.form)],
                    "text": therapy.form,
                },
            }
            self.statement(
                "active",
                None,
                contained=[medication],
                medicationReference={"reference": "#medication"},
                **more,
            )
        else:
            self.statement("active", code, **more)


def patient_to_bundle(patient: Patient, kb: Knowledge) -> dict[str, Any]:
    """Write ``patient`` as a FHIR R4 collection Bundle (a JSON-ready dict).

    Codes come from the same tables the reader uses (SNOMED CT for conditions, LOINC for labs and
    observations, RxNorm/text for medicines, CVX for the zoster vaccine). Facts with no standard
    code use jakguide's own code systems. Not carried: see docs/fhir-mapping.md.
    """
    w = _Writer(patient, kb, code_tables())
    w.patient(patient)
    w.conditions(patient)
    w.observations(patient)
    w.allergies(patient)
    w.medicines(patient)
    return {"resourceType": "Bundle", "type": "collection", "entry": w.entries}
