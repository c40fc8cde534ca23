"""FHIR output of an assessment: every resource valid against the R4B models, codes from data.

Vignettes from tests/cases run through the real engine; each Bundle is validated resource by
resource (fhir.resources), then checked for what a prescriber's EHR needs: one DetectedIssue per
finding with its severity and label, the adjusted dose, a LOINC-coded order per missing test, a
CarePlan with the monitoring windows.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from jakguide.adapters.fhir.assessment_out import (
    adjusted_medication_request,
    assessment_bundle,
    detected_issue,
    monitoring_care_plan,
    screening_service_request,
)
from jakguide.adapters.fhir.codes import LOINC, RXNORM, UCUM, code_tables
from jakguide.adapters.native import patient_from_data
from jakguide.engine import assess
from jakguide.kb.base import Knowledge
from jakguide.model import Assessment, AssessRequest, Patient
from vignettes import load_case, vignette_paths

CASES = Path(__file__).parent / "cases"
VIGNETTES = [
    "interactions/us-ketoconazole-oral.yaml",
    "interactions/eu-rifampicin.yaml",
    "screening/us-tb-not-recorded-due.yaml",
    "screening/us-hbsag-positive.yaml",
    "contraindications/us-active-serious-infection.yaml",
    "dosing/us-uc-tofacitinib-induction.yaml",
    "labs/us-on-therapy-lab-finding-in-assessment.yaml",
    "boxed-warning/us-ad-age-58-diabetes.yaml",
]
SEVERITY = {"critical": "high", "warning": "moderate", "info": "low"}


def _assessment_vignettes() -> list[str]:
    """Every vignette that assesses (not the labs or input-error ones), by path under cases/."""
    out = []
    for path in vignette_paths():
        case = load_case(path)
        if "request" in case and "error" not in case:
            out.append(str(path.relative_to(CASES)))
    return out


ALL_ASSESSMENTS = _assessment_vignettes()


def run(name: str, kb: Knowledge) -> tuple[Assessment, Patient]:
    case = load_case(CASES / name)
    patient = patient_from_data(case["patient"], kb)
    as_of = case.get("as_of", dt.date(2026, 11, 21))
    return assess(patient, AssessRequest(as_of=as_of, **case["request"]), kb), patient


def valid(resource: dict[str, Any]) -> dict[str, Any]:
    """``resource`` validated by its fhir.resources model and back to JSON (the round trip)."""
    model = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    out: dict[str, Any] = json.loads(model.model_dump_json(exclude_none=True))
    return out


def of_type(bundle: dict[str, Any], rtype: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == rtype]


@pytest.mark.parametrize("name", VIGNETTES)
def test_bundle_is_valid_and_complete(name: str, kb: Knowledge) -> None:
    check_bundle(name, kb)


@pytest.mark.parametrize("name", ALL_ASSESSMENTS)
def test_every_vignette_gives_a_valid_bundle(name: str, kb: Knowledge) -> None:
    check_bundle(name, kb)


def test_the_vignettes_cover_every_resource_type(kb: Knowledge) -> None:
    assert len(ALL_ASSESSMENTS) > len(VIGNETTES)
    seen: set[str] = set()
    topical = False
    for name in VIGNETTES:
        result, patient = run(name, kb)
        seen |= {
            e["resource"]["resourceType"] for e in assessment_bundle(result, patient, kb)["entry"]
        }
        topical |= any(o.regimen is not None and o.regimen.dose_mg is None for o in result.options)
    assert seen == {"Patient", "MedicationRequest", "DetectedIssue", "ServiceRequest", "CarePlan"}
    assert topical, "a topical regimen (no dose in mg) is among the vignettes"


def check_bundle(name: str, kb: Knowledge) -> None:
    """The whole bundle and each resource valid; DetectedIssues, requests and orders complete."""
    result, patient = run(name, kb)
    bundle = assessment_bundle(result, patient, kb)
    # round trip: the R4B models read the Bundle and write back exactly the same JSON
    assert valid(bundle) == bundle
    assert bundle["type"] == "collection"
    for entry in bundle["entry"]:
        assert entry["fullUrl"].startswith("urn:uuid:")
        assert valid(entry["resource"]) == entry["resource"]
    # one DetectedIssue per finding, severity mapped, the label cited
    findings = [(o.drug, f) for o in result.options for f in o.findings]
    issues = of_type(bundle, "DetectedIssue")
    assert len(issues) == len(findings)
    urls = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    for (drug, finding), issue in zip(findings, issues, strict=True):
        assert issue["severity"] == SEVERITY[finding.severity]
        assert issue["detail"] == finding.message
        rule = [c["code"] for c in issue["code"]["coding"] if c["system"].endswith("finding-rule")]
        assert rule == [finding.rule]
        url = next((s.url for s in finding.sources if s.url), None)
        assert issue.get("reference") == url
        implicated = issue["implicated"][0]
        if "reference" in implicated:
            mr = urls[implicated["reference"]]
            assert mr["resourceType"] == "MedicationRequest"
            assert mr["medicationCodeableConcept"]["text"] == drug
    # a proposal per option with a regimen, at the engine's dose
    with_regimen = [o for o in result.options if o.regimen is not None]
    requests = of_type(bundle, "MedicationRequest")
    assert len(requests) == len(with_regimen)
    for option, mr in zip(with_regimen, requests, strict=True):
        assert option.regimen is not None
        dosage = mr["dosageInstruction"][0]
        assert dosage["text"] == option.regimen.text
        assert dosage["timing"]["repeat"]["frequency"] == option.regimen.per_day
        if option.regimen.dose_mg is not None:
            dose = dosage["doseAndRate"][0]["doseQuantity"]
            assert (dose["value"], dose["system"], dose["code"]) == (
                option.regimen.dose_mg,
                UCUM,
                "mg",
            )
    # a test order per missing screening test that has a code
    missing = [
        s.item
        for s in result.screening
        if s.status in ("due", "needs-data")
        and code_tables().preferred("screening_tests", s.item) is not None
    ]
    orders = of_type(bundle, "ServiceRequest")
    assert [o["code"]["coding"][0]["system"] for o in orders] == [LOINC] * len(missing)
    plans = of_type(bundle, "CarePlan")
    assert len(plans) == (1 if result.monitoring else 0)


def test_ketoconazole_gives_the_adjusted_dose_and_an_interaction_issue(kb: Knowledge) -> None:
    result, patient = run("interactions/us-ketoconazole-oral.yaml", kb)
    bundle = assessment_bundle(result, patient, kb)
    tofa = next(
        mr
        for mr in of_type(bundle, "MedicationRequest")
        if mr["medicationCodeableConcept"]["text"] == "tofacitinib"
    )
    mono = kb.drug("tofacitinib")
    assert mono is not None and mono.rxnorm
    assert tofa["medicationCodeableConcept"]["coding"][0] == {
        "system": RXNORM,
        "code": mono.rxnorm,
        "display": "tofacitinib",
    }
    dosage = tofa["dosageInstruction"][0]
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 5
    assert dosage["timing"]["code"]["coding"][0]["code"] == "QD"
    drg = [
        i
        for i in of_type(bundle, "DetectedIssue")
        if any(c["code"] == "DRG" for c in i["code"]["coding"])
    ]
    assert drg, "the ketoconazole interaction is a DetectedIssue coded DRG"
    assert all(i["severity"] in ("moderate", "high") for i in drg)


def test_missing_screening_gives_loinc_orders(kb: Knowledge) -> None:
    result, patient = run("screening/us-tb-not-recorded-due.yaml", kb)
    bundle = assessment_bundle(result, patient, kb)
    codes = {o["code"]["coding"][0]["code"] for o in of_type(bundle, "ServiceRequest")}
    for item in ("tb", "hbsag", "hcv"):
        preferred = code_tables().preferred("screening_tests", item)
        assert preferred is not None
        assert preferred[1] in codes


def test_bundle_is_deterministic(kb: Knowledge) -> None:
    result, patient = run("interactions/us-ketoconazole-oral.yaml", kb)
    assert assessment_bundle(result, patient, kb) == assessment_bundle(result, patient, kb)


def test_single_builders_are_valid(kb: Knowledge) -> None:
    result, _ = run("interactions/us-ketoconazole-oral.yaml", kb)
    option = next(o for o in result.options if o.drug == "tofacitinib")
    finding = option.findings[0]
    valid(detected_issue(finding, "Patient/p1", kb, implicated="MedicationRequest/d1"))
    valid(adjusted_medication_request(option, "Patient/p1", kb))
    valid(screening_service_request("anti-hbc", "Patient/p1", kb))
    valid(monitoring_care_plan(result.monitoring, "Patient/p1", kb))


def test_draft_keeps_its_identity_and_gets_the_new_dose(kb: Knowledge) -> None:
    result, _ = run("interactions/us-ketoconazole-oral.yaml", kb)
    option = next(o for o in result.options if o.drug == "tofacitinib")
    draft = {
        "resourceType": "MedicationRequest",
        "id": "draft-1",
        "status": "draft",
        "intent": "order",
        "medicationCodeableConcept": {"text": "Xeljanz 5 mg tablet"},
        "subject": {"reference": "Patient/p1"},
        "dosageInstruction": [{"text": "5 mg twice daily"}],
    }
    out = valid(adjusted_medication_request(option, "Patient/p1", kb, draft))
    assert (out["id"], out["intent"], out["medicationCodeableConcept"]["text"]) == (
        "draft-1",
        "order",
        "Xeljanz 5 mg tablet",
    )
    assert out["dosageInstruction"][0]["timing"]["repeat"]["frequency"] == 1
    assert draft["dosageInstruction"] == [{"text": "5 mg twice daily"}]  # not mutated


def test_no_regimen_and_no_code_are_refused(kb: Knowledge) -> None:
    result, _ = run("contraindications/us-active-serious-infection.yaml", kb)
    blocked = next(o for o in result.options if o.regimen is None)
    with pytest.raises(ValueError, match="has no regimen"):
        adjusted_medication_request(blocked, "Patient/p1", kb)
    with pytest.raises(ValueError, match="no test code"):
        screening_service_request("zoster-vaccine", "Patient/p1", kb)
