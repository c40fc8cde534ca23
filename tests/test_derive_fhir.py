"""FHIR input gets the derivations of rules.derive (issue 10): CKD stage 5 / ESRD Conditions,
dialysis Procedures, menopause and liver-disease Conditions, and prior-therapy outcomes from a
stopped medicine's statusReason (negation-aware)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from jakguide.adapters.fhir.bundle import read_bundle
from jakguide.engine import assess
from jakguide.kb.base import Knowledge, load_knowledge
from jakguide.kb.loader import default_knowledge_dir
from jakguide.model import AssessRequest, Patient
from jakguide.rules.context import Context
from jakguide.rules.derive import derive

KB: Knowledge = load_knowledge(default_knowledge_dir())
AS_OF = dt.date(2026, 11, 21)
SCT = "http://snomed.info/sct"


def _ref() -> dict[str, str]:
    return {"reference": "Patient/p1"}


def patient_resource(gender: str = "male", birth: str = "1980-01-01") -> dict[str, Any]:
    return {"resourceType": "Patient", "id": "p1", "birthDate": birth, "gender": gender}


def condition(code: str, display: str, i: int = 1) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": f"c{i}",
        "subject": _ref(),
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "code": {"coding": [{"system": SCT, "code": code, "display": display}]},
    }


def egfr(value: float, day: str = "2026-11-10") -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": "o-egfr",
        "status": "final",
        "subject": _ref(),
        "code": {"coding": [{"system": "http://loinc.org", "code": "33914-3"}]},
        "effectiveDateTime": day,
        "valueQuantity": {
            "value": value,
            "unit": "mL/min/{1.73_m2}",
            "system": "http://unitsofmeasure.org",
            "code": "mL/min/{1.73_m2}",
        },
    }


def procedure(code: str, day: str, i: int = 1) -> dict[str, Any]:
    return {
        "resourceType": "Procedure",
        "id": f"pr{i}",
        "status": "completed",
        "subject": _ref(),
        "code": {"coding": [{"system": SCT, "code": code}]},
        "performedDateTime": day,
    }


def stopped(drug: str, reason: str, i: int = 1) -> dict[str, Any]:
    return {
        "resourceType": "MedicationStatement",
        "id": f"m{i}",
        "status": "stopped",
        "subject": _ref(),
        "medicationCodeableConcept": {"text": drug},
        "statusReason": [{"text": reason}],
    }


def read(*resources: dict[str, Any]) -> Patient:
    entries = [{"resource": r} for r in resources]
    return read_bundle(
        {"resourceType": "Bundle", "type": "collection", "entry": entries}, KB, AS_OF
    ).patient


def derived(patient: Patient, condition_id: str = "rheumatoid-arthritis") -> set[str]:
    return set(derive(Context(patient, KB, AS_OF), condition_id)[1])


# --------------------------------------------------------------------------- dialysis


def test_egfr_observation_derives_not_on_dialysis() -> None:
    p = read(patient_resource(), egfr(98))
    assert p.on_dialysis is None
    assert "on_dialysis" in derived(p)
    result = assess(p, AssessRequest(condition="rheumatoid-arthritis", as_of=AS_OF), KB)
    upa = next(o for o in result.options if o.drug == "upadacitinib")
    assert any(f.rule == "derive.on-dialysis" for f in upa.findings)


@pytest.mark.parametrize(
    ("code", "display"),
    [
        ("46177005", "End-stage renal disease (disorder)"),
        ("433146000", "Chronic kidney disease stage 5 (disorder)"),
    ],
)
def test_esrd_or_ckd5_condition_blocks_the_derivation(code: str, display: str) -> None:
    p = read(patient_resource(), egfr(98), condition(code, display))
    assert p.history is not None and "end-stage-renal-disease" in p.history
    assert "on_dialysis" not in derived(p)


def test_recent_dialysis_procedure_sets_on_dialysis() -> None:
    assert read(patient_resource(), procedure("302497006", "2026-11-18")).on_dialysis is True
    assert read(patient_resource(), procedure("265764009", "2026-11-01")).on_dialysis is True


def test_old_dialysis_procedure_settles_nothing() -> None:
    p = read(patient_resource(), procedure("302497006", "2026-06-01"))
    assert p.on_dialysis is None


# --------------------------------------------------------------------------- menopause, liver


def test_menopause_condition_settles_reproductive_potential() -> None:
    p = read(
        patient_resource("female", "1976-01-01"),
        condition("76498008", "Postmenopausal state (finding)"),
    )
    assert p.history == ["menopause"]
    assert "reproductive_potential" in derived(p)


def test_liver_disease_condition_blocks_hepatic_none() -> None:
    other = condition("59621000", "Essential hypertension (disorder)")
    assert "hepatic_impairment" in derived(read(patient_resource(), other))
    cirrhosis = condition("19943007", "Cirrhosis of liver (disorder)", 2)
    p = read(patient_resource(), other, cirrhosis)
    assert p.history is not None and "cirrhosis" in p.history
    assert "hepatic_impairment" not in derived(p)


# --------------------------------------------------------------------------- prior therapies


@pytest.mark.parametrize(
    ("reason", "outcome"),
    [
        ("Inadequate response", "inadequate-response"),
        ("not effective", "inadequate-response"),
        ("lack of efficacy after 12 weeks", "inadequate-response"),
        ("no adverse reaction; lack of efficacy", "inadequate-response"),
        ("side effects (injection-site reactions)", "intolerance"),
        ("Adverse drug reaction", "intolerance"),
        ("lost response after two years", "loss-of-response"),
        ("secondary failure", "loss-of-response"),
    ],
)
def test_status_reason_text_gives_the_outcome(reason: str, outcome: str) -> None:
    p = read(patient_resource(), stopped("adalimumab", reason))
    assert p.prior_therapies is not None
    assert [(t.drug, t.outcome) for t in p.prior_therapies] == [("adalimumab", outcome)]


@pytest.mark.parametrize(
    "reason", ["not due to intolerance", "no adverse events", "patient preference", "cost"]
)
def test_negated_or_other_reasons_give_no_outcome(reason: str) -> None:
    assert read(patient_resource(), stopped("adalimumab", reason)).prior_therapies is None


def test_status_reason_coding_display_is_read() -> None:
    med = stopped("adalimumab", "")
    med["statusReason"] = [{"coding": [{"system": "http://example.org/reasons", "code": "x",
                                        "display": "Drug not effective"}]}]  # fmt: skip
    p = read(patient_resource(), med)
    assert p.prior_therapies is not None and p.prior_therapies[0].outcome == "inadequate-response"


def test_stopped_adalimumab_meets_the_tnf_prerequisite() -> None:
    p = read(
        patient_resource(),
        condition("9631008", "Ankylosing spondylitis (disorder)"),
        stopped("adalimumab", "inadequate response"),
    )
    result = assess(p, AssessRequest(condition="ankylosing-spondylitis", as_of=AS_OF), KB)
    tofa = next(o for o in result.options if o.drug == "tofacitinib")
    assert "indication.prerequisite" in {f.rule for f in tofa.findings}
    assert tofa.status != "not-indicated"


def test_unlisted_liver_condition_blocks_hepatic_none() -> None:
    """A liver code the table does not list still blocks "none" (codes.yaml liver words)."""
    other = condition("59621000", "Essential hypertension (disorder)")
    fatty = condition("197321007", "Steatosis of liver (disorder)", 2)
    p = read(patient_resource(), other, fatty)
    assert p.history == ["chronic-liver-disease"]
    assert "hepatic_impairment" not in derived(p)


# --------------------------------------------------------------------------- CRP reference range


def crp(value: float, unit: str, high: dict[str, Any] | None, kind: str | None = None) -> Any:
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": "o-crp",
        "status": "final",
        "subject": _ref(),
        "code": {"coding": [{"system": "http://loinc.org", "code": "1988-5"}]},
        "effectiveDateTime": "2026-11-01",
        "valueQuantity": {
            "value": value,
            "unit": unit,
            "system": "http://unitsofmeasure.org",
            "code": unit,
        },
    }
    if high is not None:
        rng: dict[str, Any] = {"high": high}
        if kind is not None:
            rng["type"] = {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/referencerange-meaning",
                        "code": kind,
                    }
                ]
            }
        obs["referenceRange"] = [rng]
    return obs


def _mg(value: float, unit: str = "mg/L") -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}


NRAXSPA = "non-radiographic-axial-spondyloarthritis"


def test_crp_reference_range_is_carried_into_the_derivation() -> None:
    """CRP 4 mg/L: normal by the default 5 mg/L, high by the laboratory's own 3 mg/L."""
    assert "objective_inflammation" not in derived(
        read(patient_resource(), crp(4, "mg/L", None)), NRAXSPA
    )
    p = read(patient_resource(), crp(4, "mg/L", _mg(3)))
    assert p.labs is not None and p.labs[0].reference_high == 3
    patient, found = derive(Context(p, KB, AS_OF), NRAXSPA)
    assert found["objective_inflammation"].fact == (
        "objective inflammation: CRP 4 mg/L on 2026-11-01, "
        "above the result's reference limit 3 mg/L"
    )
    assert patient.disease is not None and patient.disease.objective_inflammation is not None


def test_crp_reference_limit_above_the_value_blocks_the_default() -> None:
    """CRP 8 mg/L is above the default 5 mg/L, but the laboratory's limit 10 mg/L says normal."""
    assert "objective_inflammation" in derived(
        read(patient_resource(), crp(8, "mg/L", None)), NRAXSPA
    )
    p = read(patient_resource(), crp(8, "mg/L", _mg(10)))
    assert "objective_inflammation" not in derived(p, NRAXSPA)


def test_crp_reference_limit_in_another_unit_is_converted() -> None:
    p = read(patient_resource(), crp(4, "mg/L", _mg(0.3, "mg/dL")))
    assert p.labs is not None and p.labs[0].reference_high == pytest.approx(3)
    assert "objective_inflammation" in derived(p, NRAXSPA)


def test_crp_range_of_another_meaning_or_unusable_unit_is_not_used() -> None:
    treated = read(patient_resource(), crp(8, "mg/L", _mg(10), kind="treatment"))
    assert treated.labs is not None and treated.labs[0].reference_high is None
    bad = read_bundle(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [
                {"resource": patient_resource()},
                {"resource": crp(8, "mg/L", _mg(10, "mmol/L"))},
            ],
        },
        KB,
        AS_OF,
    )
    assert bad.patient.labs is not None and bad.patient.labs[0].reference_high is None
    assert any("referenceRange[0].high" in w for w in bad.warnings), bad.warnings


def test_crp_reference_limit_survives_the_fhir_round_trip() -> None:
    from jakguide.adapters.fhir import patient_to_bundle

    p = read(patient_resource(), crp(4, "mg/L", _mg(3)))
    again = read_bundle(patient_to_bundle(p, KB), KB, AS_OF).patient
    assert again.labs is not None and again.labs[0].reference_high == 3
