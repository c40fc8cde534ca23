"""FHIR R4 adapter: Bundle/NDJSON -> Patient, absence semantics, round trip, malformed input.

Handcrafted cases use the small knowledge folder in tests/fhir/knowledge (its own LOINC/SNOMED
codes); the Synthea tests use the bundled knowledge and assert only what does not depend on it
being complete.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jakguide.adapters import fhir
from jakguide.adapters.fhir import (
    FHIR_VERSION,
    FhirPatient,
    looks_like_fhir,
    patient_to_bundle,
    read_bundle,
    read_ndjson,
)
from jakguide.adapters.fhir.codes import code_tables
from jakguide.errors import FhirInputError
from jakguide.kb.base import Knowledge, load_knowledge
from jakguide.kb.schema import Route
from jakguide.model import (
    ActiveInfection,
    Allergy,
    CvRiskFactor,
    HistoryItem,
    LabResult,
    Measurement,
    Medication,
    Patient,
    Pregnancy,
    PriorOutcome,
    PriorTherapy,
    Screening,
    ScreeningItemId,
    ScreeningResult,
    Smoking,
    Therapy,
)

HERE = Path(__file__).parent / "fhir"
ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"
AS_OF = dt.date(2024, 6, 1)
SCT = "http://snomed.info/sct"
LNC = "http://loinc.org"
RX = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"


@pytest.fixture(scope="module")
def mini() -> Knowledge:
    """Test knowledge: RA 69896004, psoriasis 9014002, lymphocytes 731-0, hemoglobin 718-7..."""
    return load_knowledge(HERE / "knowledge")


# --------------------------------------------------------------------------- builders


def cc(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def patient(**more: Any) -> dict[str, Any]:
    return {"resourceType": "Patient", "id": "p1", **more}


def bundle(*resources: dict[str, Any], with_patient: bool = True) -> dict[str, Any]:
    entries = [{"resource": patient()}] if with_patient else []
    entries += [{"resource": r} for r in resources]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def condition(code: str, clinical: str | None = "active", **more: Any) -> dict[str, Any]:
    r: dict[str, Any] = {"resourceType": "Condition", "id": f"c{code}", "code": cc(SCT, code)}
    r["subject"] = {"reference": "Patient/p1"}
    if clinical:
        r["clinicalStatus"] = cc(CLINICAL, clinical)
    r.update(more)
    return r


def observation(code: str, day: str | None = "2024-05-01", **value: Any) -> dict[str, Any]:
    r: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"o{code}",
        "status": "final",
        "code": cc(LNC, code),
        "subject": {"reference": "Patient/p1"},
    }
    if day:
        r["effectiveDateTime"] = day
    r.update(value)
    return r


def quantity(value: float, unit: str, ucum: bool = True) -> dict[str, Any]:
    q: dict[str, Any] = {"value": value, "unit": unit}
    if ucum:
        q.update(system=UCUM, code=unit)
    return {"valueQuantity": q}


def request(
    text: str, status: str | None = "active", rxnorm: str | None = None, **more: Any
) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": text}
    if rxnorm:
        concept["coding"] = [{"system": RX, "code": rxnorm}]
    r = {
        "resourceType": "MedicationRequest",
        "id": f"m{abs(hash(text)) % 10**6}",
        "status": status,
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": concept,
    }
    r.update(more)
    return r


def statement(text: str, status: str = "active", **more: Any) -> dict[str, Any]:
    r = {
        "resourceType": "MedicationStatement",
        "status": status,
        "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": {"text": text},
    }
    r.update(more)
    return r


def allergy(code: dict[str, Any], clinical: str = "active", **more: Any) -> dict[str, Any]:
    r = {
        "resourceType": "AllergyIntolerance",
        "code": code,
        "patient": {"reference": "Patient/p1"},
        "clinicalStatus": cc(
            "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", clinical
        ),
    }
    r.update(more)
    return r


def read(kb: Knowledge, *resources: dict[str, Any], as_of: dt.date = AS_OF) -> FhirPatient:
    return read_bundle(bundle(*resources), kb, as_of)


# --------------------------------------------------------------------------- public API


def test_public_api() -> None:
    assert FHIR_VERSION == "4.0.1"
    assert fhir.__all__ == sorted(fhir.__all__)
    assert all(hasattr(fhir, name) for name in fhir.__all__)


def test_looks_like_fhir() -> None:
    assert looks_like_fhir({"resourceType": "Bundle", "type": "collection"})
    assert not looks_like_fhir({"resourceType": "Patient"})
    assert not looks_like_fhir({"id": "p1", "conditions": []})  # the native format


def test_example_bundle(mini: Knowledge) -> None:
    """Every mapping rule once: tests/fhir/example-bundle.json read on 2024-06-01."""
    result = read_bundle((HERE / "example-bundle.json").read_text(), mini, AS_OF)
    assert isinstance(result.patient, Patient)
    assert result.patient == Patient(
        id="example-1",
        birth_date=dt.date(1980, 4, 2),
        sex="female",
        pregnancy="not-pregnant",  # resolved pregnancy Condition; latest status: not pregnant
        smoking="former",  # the latest of never (2010) and former (2023)
        measurements=[
            Measurement(
                kind="weight_kg", value=69.85322498, date=dt.date(2024, 5, 1)
            ),  # 154 [lb_av]
            Measurement(kind="height_cm", value=165.0, date=dt.date(2024, 5, 1)),
        ],
        conditions=["rheumatoid-arthritis"],  # psoriasis resolved in 2019: not current
        history=["myocardial-infarction"],  # resolved, still history
        active_infections=[ActiveInfection(name="Viral sinusitis (disorder)")],
        cv_risk_factors=["hypertension"],  # hyperlipidemia was entered in error
        allergies=[Allergy(drug="Penicillin", reaction="Hives")],  # peanut: not a medicine
        medications=[  # methotrexate stopped; ibuprofen ended before as_of
            Medication(drug="tofacitinib 5 MG Oral Tablet", route="oral", rxnorm="1357541"),
            Medication(
                drug="clobetasol cream", route="topical", rxnorm="9990001", dose="apply twice daily"
            ),
        ],
        therapy=Therapy(drug="tofacitinib", dose_mg=5.0, per_day=2, start_date=dt.date(2023, 2, 1)),
        labs=[  # the mmol/L hemoglobin is left out; the July creatinine is after as_of
            LabResult(analyte="lymphocytes", value=1.2, unit="10*3/uL", date=dt.date(2024, 5, 1)),
            LabResult(analyte="hemoglobin", value=13.5, unit="g/dL", date=dt.date(2024, 5, 1)),
        ],
        screening=[
            Screening(item="tb", result="negative", date=dt.date(2024, 4, 1)),
            Screening(item="hbsag", result="negative", date=dt.date(2024, 4, 1)),
            Screening(item="anti-hbc", result="positive", date=dt.date(2024, 4, 1)),
            Screening(item="hcv", result="negative", date=dt.date(2024, 4, 1)),
            Screening(item="zoster-vaccine", result="done", date=dt.date(2022, 10, 10)),
        ],
    )
    warnings = "\n".join(result.warnings)
    assert "Observation/hgb-bad-unit: valueQuantity = '8.4 mmol/L': unit not accepted" in warnings
    assert "Observation/creat-later" in warnings
    assert all(isinstance(w, str) for w in result.warnings)


# --------------------------------------------------------------------------- demographics


def test_patient_demographics(mini: Knowledge) -> None:
    b = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": patient(gender="male", birthDate="1971-12-31")}],
    }
    p = read_bundle(json.dumps(b).encode(), mini, AS_OF).patient
    assert (p.id, p.sex, p.birth_date) == ("p1", "male", dt.date(1971, 12, 31))
    assert p.age_on(AS_OF) == 52


def test_partial_birth_date_is_left_unknown_with_a_warning(mini: Knowledge) -> None:
    b = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": patient(birthDate="1971")}],
    }
    result = read_bundle(b, mini, AS_OF)
    assert result.patient.birth_date is None
    assert any("birthDate = '1971'" in w for w in result.warnings)


def test_nothing_recorded_means_unknown(mini: Knowledge) -> None:
    p = read(mini).patient
    assert p == Patient(id="p1")
    for name in (
        "conditions",
        "history",
        "cv_risk_factors",
        "active_infections",
        "medications",
        "allergies",
        "labs",
        "screening",
        "measurements",
        "prior_therapies",
    ):
        assert getattr(p, name) is None, name


def test_resource_of_another_patient_is_skipped(mini: Knowledge) -> None:
    other = condition("69896004", subject={"reference": "Patient/p2"})
    result = read(mini, other)
    assert result.patient.conditions is None
    assert any("refers to another patient" in w for w in result.warnings)


def test_bundle_without_patient_reads_the_resources(mini: Knowledge) -> None:
    result = read_bundle(bundle(condition("69896004"), with_patient=False), mini, AS_OF)
    assert result.patient.conditions == ["rheumatoid-arthritis"]
    assert result.patient.birth_date is None
    assert any("no Patient resource" in w for w in result.warnings)


# --------------------------------------------------------------------------- conditions


def test_condition_status_and_dates(mini: Knowledge) -> None:
    p = read(
        mini,
        condition("69896004"),  # RA, active
        condition("9014002", "resolved"),  # psoriasis: resolved, no date
        condition("59621000", "inactive"),  # hypertension: inactive
        condition("55822004", verificationStatus=cc(VERIFICATION, "entered-in-error")),
        condition("44054006", verificationStatus=cc(VERIFICATION, "refuted")),
        condition("414916001", onsetDateTime="2024-07-01"),  # obesity: after as_of
        condition("38341003", "resolved", abatementDateTime="2024-09-01"),  # still on as_of
    ).patient
    assert p.conditions == ["rheumatoid-arthritis"]
    assert p.cv_risk_factors == ["hypertension"]


def test_unconfirmed_condition_is_not_used(mini: Knowledge) -> None:
    result = read(mini, condition("427099000", verificationStatus=cc(VERIFICATION, "provisional")))
    assert result.patient.history == []
    assert any("verificationStatus = 'provisional'" in w for w in result.warnings)


def test_history_is_lifetime_and_risk_factors_are_current(mini: Knowledge) -> None:
    p = read(
        mini,
        condition("22298006", "resolved", abatementDateTime="2010-01-01"),  # MI, long ago
        condition("399211009"),  # History of myocardial infarction (situation)
        condition("59282003", "resolved"),  # pulmonary embolism
        condition("11999007"),  # latent TB
        condition("55822004", "resolved"),  # hyperlipidemia resolved: not a risk factor now
        condition("162864005"),  # BMI 30+ (Synthea) -> obesity
        condition("91302008", "resolved"),  # sepsis: history, not an active infection
    ).patient
    assert p.history == ["myocardial-infarction", "vte", "tb-latent", "serious-infection"]
    assert p.cv_risk_factors == ["obesity"]
    assert p.active_infections == []


def test_active_infection_seriousness(mini: Knowledge) -> None:
    p = read(
        mini,
        condition("91302008"),  # sepsis: serious by definition
        condition("444814009"),  # viral sinusitis: not stated
        condition("128045006", severity=cc(SCT, "255604002")),  # cellulitis, mild
    ).patient
    assert [(i.serious) for i in p.active_infections or []] == [True, None, False]


def test_condition_lists_are_empty_once_any_condition_is_recorded(mini: Knowledge) -> None:
    p = read(mini, condition("160903007")).patient  # Full-time employment (finding)
    assert (p.conditions, p.history, p.cv_risk_factors, p.active_infections) == ([], [], [], [])


def test_no_known_problems_and_no_information(mini: Knowledge) -> None:
    assert read(mini, condition("160245001")).patient.history == []
    no_info = condition("x")
    no_info["code"] = cc(
        "http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips", "no-problem-info"
    )
    assert read(mini, no_info).patient.history is None


def test_pregnancy_from_conditions_and_observations(mini: Knowledge) -> None:
    assert read(mini, condition("72892002")).patient.pregnancy == "pregnant"
    resolved = condition("72892002", "resolved", abatementDateTime="2023-01-01")
    assert read(mini, resolved).patient.pregnancy == "unknown"
    status = observation("82810-3", valueCodeableConcept=cc(LNC, "LA15173-0"))
    assert read(mini, status).patient.pregnancy == "pregnant"
    later_not = observation("82810-3", "2024-05-20", valueCodeableConcept=cc(SCT, "60001007"))
    p = read(mini, condition("72892002", onsetDateTime="2023-10-01"), later_not).patient
    assert p.pregnancy == "not-pregnant"  # the most recent evidence wins


def test_dialysis(mini: Knowledge) -> None:
    assert read(mini, condition("105502003")).patient.on_dialysis is True
    assert read(mini, condition("105502003", "resolved")).patient.on_dialysis is None


def test_condition_ids_from_knowledge_snomed(mini: Knowledge) -> None:
    p = read(mini, condition("200965009"), condition("69896004")).patient
    assert p.conditions == ["plaque-psoriasis", "rheumatoid-arthritis"]


# --------------------------------------------------------------------------- observations


def test_smoking_latest_on_or_before_as_of(mini: Knowledge) -> None:
    def smoking(day: str, code: str) -> dict[str, Any]:
        r = observation("72166-2", day, valueCodeableConcept=cc(SCT, code))
        r["id"] = f"s{day}"
        return r

    p = read(
        mini,
        smoking("2020-01-01", "449868002"),
        smoking("2023-01-01", "8517006"),
        smoking("2025-01-01", "266919005"),
    ).patient
    assert p.smoking == "former"  # the 2025 "never" is after as_of
    result = read(mini, smoking("2020-01-01", "123456"))
    assert result.patient.smoking == "unknown"
    assert any("unknown smoking status code" in w for w in result.warnings)


def test_labs_unit_rules(mini: Knowledge) -> None:
    result = read(
        mini,
        observation("731-0", **quantity(850, "cells/mm3", ucum=False)),  # alias as unit text
        observation("718-7", **quantity(135, "g/L")),
        observation("2160-0", **quantity(1.1, "mg/dL")),
    )
    assert result.patient.labs == [
        LabResult(analyte="lymphocytes", value=850, unit="cells/mm3", date=dt.date(2024, 5, 1)),
        LabResult(analyte="hemoglobin", value=135, unit="g/L", date=dt.date(2024, 5, 1)),
        LabResult(analyte="creatinine", value=1.1, unit="mg/dL", date=dt.date(2024, 5, 1)),
    ]
    assert result.warnings == []


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (quantity(13, "mmol/L"), "valueQuantity = '13 mmol/L': unit not accepted for hemoglobin"),
        (
            quantity(250, "g/dL"),
            "'250 g/dL': hemoglobin 250 g/dL is not plausible; did you mean 250 g/L?",
        ),
        ({"valueQuantity": {"value": 13, "comparator": "<", "unit": "g/dL"}}, "not an exact"),
        ({"valueQuantity": {"value": 13}}, "valueQuantity.unit = 'None': no unit"),
        ({"valueString": "13 g/dL"}, "no numeric value for hemoglobin"),
    ],
)
def test_unusable_lab_is_left_out_with_a_warning(
    mini: Knowledge, value: dict[str, Any], fragment: str
) -> None:
    result = read(mini, observation("718-7", **value))
    assert result.patient.labs is None
    assert any(w.startswith("Observation/o718-7: ") and fragment in w for w in result.warnings), (
        result.warnings
    )


def test_lab_dates(mini: Knowledge) -> None:
    undated = read(mini, observation("718-7", None, **quantity(13, "g/dL")))
    assert undated.patient.labs is None
    assert any("no effective date for hemoglobin" in w for w in undated.warnings)
    partial = read(mini, observation("718-7", "2024-05", **quantity(13, "g/dL")))
    assert any("a partial date" in w for w in partial.warnings)
    later = read(mini, observation("718-7", "2024-06-02", **quantity(13, "g/dL")))
    assert later.patient.labs is None
    on_day = read(mini, observation("718-7", "2024-06-01T23:59:00-10:00", **quantity(13, "g/dL")))
    assert on_day.patient.labs is not None  # the day as recorded, in its own time zone


def test_lab_not_final_and_unknown_code(mini: Knowledge) -> None:
    prelim = observation("718-7", **quantity(13, "g/dL"), status="preliminary")
    result = read(mini, prelim, observation("8867-4", **quantity(70, "/min")))
    assert result.patient.labs is None
    assert any("status = 'preliminary': not a final result" in w for w in result.warnings)
    assert any("LOINC 8867-4" in w and "no rule reads" in w for w in result.warnings)


def test_lab_in_a_component(mini: Knowledge) -> None:
    panel = observation(
        "58410-2",
        component=[
            {"code": cc(LNC, "718-7"), **quantity(12.1, "g/dL")},
            {"code": cc(LNC, "777-3"), **quantity(250, "10*3/uL")},
        ],
    )
    labs = read(mini, panel).patient.labs
    assert labs == [
        LabResult(analyte="hemoglobin", value=12.1, unit="g/dL", date=dt.date(2024, 5, 1))
    ]


def test_measurements_convert_to_kg_and_cm(mini: Knowledge) -> None:
    result = read(
        mini,
        observation("29463-7", **quantity(70000, "g")),
        observation("8302-2", **quantity(70, "[in_i]")),
        observation("3141-9", **quantity(150, "stone")),
    )
    assert result.patient.measurements == [
        Measurement(kind="weight_kg", value=70.0, date=dt.date(2024, 5, 1)),
        Measurement(kind="height_cm", value=177.8, date=dt.date(2024, 5, 1)),
    ]
    assert any("'stone': not accepted for weight_kg" in w for w in result.warnings)


def test_screening_results(mini: Knowledge) -> None:
    result = read(
        mini,
        observation("45323-3", valueCodeableConcept=cc(SCT, "10828004")),
        observation("5195-3", valueString="REACTIVE"),
        observation("13955-0", valueCodeableConcept=cc(SCT, "419984006")),
        observation("2106-3", valueCodeableConcept={"text": "negative"}),
        observation("13952-7", valueQuantity={"value": 0.2, "unit": "{s/co}"}),
    )
    assert result.patient.screening == [
        Screening(item="tb", result="positive", date=dt.date(2024, 5, 1)),
        Screening(item="hbsag", result="positive", date=dt.date(2024, 5, 1)),
        Screening(item="hcv", result="indeterminate", date=dt.date(2024, 5, 1)),
        Screening(item="pregnancy-test", result="negative", date=dt.date(2024, 5, 1)),
    ]
    assert any("anti-hbc result is not interpretable" in w for w in result.warnings)


def test_zoster_vaccine(mini: Knowledge) -> None:
    def vaccine(code: str, status: str = "completed", day: str = "2023-03-03") -> dict[str, Any]:
        return {
            "resourceType": "Immunization",
            "status": status,
            "occurrenceDateTime": day,
            "vaccineCode": cc("http://hl7.org/fhir/sid/cvx", code),
            "patient": {"reference": "Patient/p1"},
        }

    assert read(mini, vaccine("187")).patient.screening == [
        Screening(item="zoster-vaccine", result="done", date=dt.date(2023, 3, 3))
    ]
    assert read(mini, vaccine("121")).patient.screening is None  # live vaccine: not counted
    assert read(mini, vaccine("187", "not-done")).patient.screening is None
    assert read(mini, vaccine("187", day="2024-12-01")).patient.screening is None


# --------------------------------------------------------------------------- medicines


def test_medication_absence_semantics(mini: Knowledge) -> None:
    assert read(mini).patient.medications is None  # none recorded: unknown
    stopped = request("lisinopril 10 MG Oral Tablet", "stopped")
    assert read(mini, stopped).patient.medications == []  # recorded, none current
    nkm = statement("none")
    nkm["medicationCodeableConcept"] = cc(
        "http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips", "no-known-medications"
    )
    assert read(mini, nkm).patient.medications == []
    error = request("lisinopril 10 MG Oral Tablet", "entered-in-error")
    assert read(mini, error).patient.medications is None


def test_medication_active_at_as_of(mini: Knowledge) -> None:
    p = read(
        mini,
        request("A authored before", authoredOn="2024-01-01"),
        request("B authored after as_of", authoredOn="2024-07-01"),
        request("C on hold", "on-hold"),
        request("D draft", "draft"),
        request("E proposal", intent="proposal"),
        statement("F ended", effectivePeriod={"start": "2023-01-01", "end": "2024-05-31"}),
        statement("G open period", effectivePeriod={"start": "2024-05-31"}),
        statement(
            "H completed, taken on as_of",
            "completed",
            effectivePeriod={"start": "2024-01-01", "end": "2024-12-31"},
        ),
        statement("I completed", "completed"),
        statement("J not taken", "not-taken"),
        statement("K intended", "intended"),
    ).patient
    assert [m.drug for m in p.medications or []] == [
        "A authored before",
        "C on hold",
        "G open period",
        "H completed, taken on as_of",
    ]


def test_medication_fields(mini: Knowledge) -> None:
    oral = request("tofacitinib 5 MG Oral Tablet", rxnorm="1357541")  # route from knowledge
    coded = request("whatever", rxnorm="9990001")
    coded["medicationCodeableConcept"] = {
        "coding": [{"system": RX, "code": "9990001", "display": "clobetasol 0.05% cream"}]
    }
    coded["dosageInstruction"] = [{"text": "thin layer", "route": cc(SCT, "6064005")}]
    free = statement("Mystery pill", dosage=[{"route": {"text": "sublingual"}}])
    meds = read(mini, oral, coded, free).patient.medications
    assert meds == [
        Medication(drug="tofacitinib 5 MG Oral Tablet", route="oral", rxnorm="1357541"),
        Medication(
            drug="clobetasol 0.05% cream", route="topical", rxnorm="9990001", dose="thin layer"
        ),
        Medication(drug="Mystery pill", route="sublingual"),
    ]


def test_medication_reference_is_resolved(mini: Knowledge) -> None:
    med = {"resourceType": "Medication", "id": "med1", "code": {"text": "baricitinib 2 MG"}}
    r = request("ignored", authoredOn="2024-01-01")
    del r["medicationCodeableConcept"]
    r["medicationReference"] = {"reference": "Medication/med1"}
    assert read(mini, med, r).patient.medications == [Medication(drug="baricitinib 2 MG")]
    r["medicationReference"] = {"reference": "Medication/missing", "display": "Olumiant"}
    result = read(mini, r)
    assert result.patient.medications == [Medication(drug="Olumiant")]
    assert any("Medication not found" in w for w in result.warnings)


def test_jak_therapy(mini: Knowledge) -> None:
    upa = statement(
        "Rinvoq (upadacitinib) 15 MG Extended Release Oral Tablet",
        effectivePeriod={"start": "2023-09-15"},
        dosage=[
            {
                "timing": {
                    "code": cc("http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation", "QD")
                },
                "doseAndRate": [
                    {"doseQuantity": {"value": 15, "unit": "mg", "system": UCUM, "code": "mg"}}
                ],
            }
        ],
    )
    p = read(mini, upa).patient
    assert p.therapy == Therapy(
        drug="upadacitinib", dose_mg=15, per_day=1, start_date=dt.date(2023, 9, 15)
    )
    assert p.medications is not None and len(p.medications) == 1  # listed as well


def test_jak_without_start_date_gives_no_therapy(mini: Knowledge) -> None:
    result = read(mini, request("tofacitinib 5 MG Oral Tablet", rxnorm="1357541"))
    assert result.patient.therapy is None
    assert result.patient.medications is not None
    assert any("no start date is recorded" in w for w in result.warnings)


def test_two_jak_agents_the_latest_start_wins(mini: Knowledge) -> None:
    result = read(
        mini,
        request("tofacitinib 5 MG Oral Tablet", authoredOn="2020-01-01"),
        request("upadacitinib 15 MG", authoredOn="2024-01-01"),
    )
    assert result.patient.therapy is not None
    assert result.patient.therapy.drug == "upadacitinib"
    assert any("several JAK agents" in w for w in result.warnings)


# --------------------------------------------------------------------------- allergies


def test_allergy_absence_semantics(mini: Knowledge) -> None:
    assert read(mini).patient.allergies is None
    assert read(mini, allergy(cc(SCT, "409137002"))).patient.allergies == []  # NKDA
    assert read(mini, allergy(cc(SCT, "716186003"))).patient.allergies == []  # NKA
    food_only = allergy(cc(SCT, "91935009", "Peanut"), category=["food"])
    assert read(mini, food_only).patient.allergies is None  # says nothing about medicines
    inactive = allergy({"text": "Penicillin"}, "inactive")
    assert read(mini, inactive).patient.allergies is None
    drug = allergy(
        {"text": "Sulfonamides"},
        reaction=[{"manifestation": [cc(SCT, "271807003", "Eruption of skin")]}],
    )
    assert read(mini, drug, allergy(cc(SCT, "409137002"))).patient.allergies == [
        Allergy(drug="Sulfonamides", reaction="Eruption of skin")
    ]


# --------------------------------------------------------------------------- malformed input


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        ("{not json", "bundle", "not JSON"),
        (b"\xff\xfe", "bundle", "not UTF-8"),
        ("[1, 2]", "bundle", "expected a JSON object"),
        ({"resourceType": "Patient", "id": "p1"}, "resourceType", "expected 'Bundle'"),
        ({"entry": []}, "resourceType", "expected 'Bundle'"),
        ({"resourceType": "Bundle"}, "Bundle.type", "required"),
        (
            {"resourceType": "Bundle", "type": "collection", "entry": {"a": 1}},
            "Bundle.entry",
            "valid list",
        ),
        (bundle({"id": "x"}), "Bundle.entry[1].resource.resourceType", "missing"),
        (
            bundle(observation("718-7", valueQuantity={"value": "abc"})),
            "Bundle.entry[1].resource.valueQuantity.value",
            "invalid Observation/o718-7",
        ),
        (
            bundle(condition("1", onsetDateTime="yesterday")),
            "Bundle.entry[1].resource.onsetDateTime",
            "invalid Condition",
        ),
        (bundle(request("x", status=None)), "Bundle.entry[1].resource.status", "invalid"),
        (bundle(patient(id="p2")), "Bundle.entry", "more than one patient"),
    ],
)
def test_malformed_input_names_the_field(
    mini: Knowledge, data: Any, field: str, fragment: str
) -> None:
    with pytest.raises(FhirInputError) as info:
        read_bundle(data, mini, AS_OF)
    assert info.value.field == field
    assert fragment in str(info.value)
    assert str(info.value).startswith(field + ": ")


def test_invalid_resources_of_other_types_are_not_read(mini: Knowledge) -> None:
    broken = {"resourceType": "Encounter", "status": 42}
    assert read(mini, broken).patient == Patient(id="p1")


_MINI = load_knowledge(HERE / "knowledge")
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_KEYS = st.sampled_from(
    [
        "status",
        "code",
        "subject",
        "valueQuantity",
        "effectiveDateTime",
        "clinicalStatus",
        "medicationCodeableConcept",
        "authoredOn",
        "gender",
        "birthDate",
        "patient",
        "vaccineCode",
        "category",
        "intent",
        "id",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "Patient",
                    "Condition",
                    "Observation",
                    "MedicationRequest",
                    "MedicationStatement",
                    "AllergyIntolerance",
                    "Immunization",
                    "Medication",
                    "Encounter",
                ]
            ),
            st.dictionaries(_KEYS, _JSON, max_size=4),
        ),
        max_size=4,
    )
)
def test_no_other_exception_escapes(resources: list[tuple[str, dict[str, Any]]]) -> None:
    kb = _MINI
    b = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": {"resourceType": t, **body}} for t, body in resources],
    }
    try:
        result = read_bundle(b, kb, AS_OF)
    except FhirInputError as exc:
        assert exc.field
    else:
        assert isinstance(result.patient, Patient)
        assert all(isinstance(w, str) for w in result.warnings)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if path:
        yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*path, i))


_EXAMPLE = json.loads((HERE / "example-bundle.json").read_text())
_EXAMPLE_PATHS = [p for p in _paths(_EXAMPLE) if p[0] == "entry" and len(p) > 3]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from(_EXAMPLE_PATHS), st.none() | _JSON | st.dates().map(str)),
        min_size=1,
        max_size=3,
    )
)
def test_mutated_example_reads_or_raises_fhir_input_error(
    mutations: list[tuple[tuple[Any, ...], Any]],
) -> None:
    """A valid Bundle with elements removed or replaced: a result or a FhirInputError."""
    data = json.loads(json.dumps(_EXAMPLE))
    for path, value in mutations:
        parent: Any = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            if value is None:
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    try:
        result = read_bundle(data, _MINI, AS_OF)
    except FhirInputError as exc:
        assert exc.field and str(exc).startswith(exc.field)
    else:
        assert isinstance(result.patient, Patient)


# --------------------------------------------------------------------------- NDJSON


def _write_ndjson(folder: Path, name: str, resources: list[dict[str, Any]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("".join(json.dumps(r) + "\n" for r in resources))


def test_ndjson_reads_only_that_patient(mini: Knowledge, tmp_path: Path) -> None:
    _write_ndjson(
        tmp_path,
        "Patient.ndjson",
        [patient(gender="female"), {"resourceType": "Patient", "id": "p2"}],
    )
    other = condition("9014002", subject={"reference": "Patient/p2"})
    _write_ndjson(tmp_path, "Condition.000.ndjson", [condition("69896004"), other])
    _write_ndjson(tmp_path, "Condition.001.ndjson", [condition("22298006", "resolved")])
    med = request("x", authoredOn="2024-01-01")
    del med["medicationCodeableConcept"]
    med["medicationReference"] = {"reference": "Medication/m9"}
    _write_ndjson(tmp_path, "MedicationRequest.ndjson", [med])
    _write_ndjson(
        tmp_path,
        "Medication.ndjson",
        [{"resourceType": "Medication", "id": "m9", "code": {"text": "methotrexate 2.5 MG"}}],
    )
    _write_ndjson(tmp_path, "Encounter.ndjson", [{"resourceType": "Encounter", "broken": True}])
    (tmp_path / "log.ndjson").write_text("not json at all\n")
    p = read_ndjson(tmp_path, "p1", mini, AS_OF).patient
    assert (p.id, p.sex) == ("p1", "female")
    assert p.conditions == ["rheumatoid-arthritis"]
    assert p.history == ["myocardial-infarction"]
    assert p.medications == [Medication(drug="methotrexate 2.5 MG")]
    p2 = read_ndjson(tmp_path, "p2", mini, AS_OF).patient
    assert p2.conditions == ["plaque-psoriasis"]
    assert p2.medications is None


def test_ndjson_errors(mini: Knowledge, tmp_path: Path) -> None:
    with pytest.raises(FhirInputError) as info:
        read_ndjson(tmp_path / "missing", "p1", mini, AS_OF)
    assert info.value.field == "folder"
    _write_ndjson(tmp_path, "Patient.ndjson", [patient()])
    with pytest.raises(FhirInputError) as info:
        read_ndjson(tmp_path, "p9", mini, AS_OF)
    assert info.value.field == "patient_id"
    (tmp_path / "Condition.ndjson").write_text(
        '{"resourceType": "Condition", "subject": {"reference": "Patient/p1"}\n'
    )
    with pytest.raises(FhirInputError) as info:
        read_ndjson(tmp_path, "p1", mini, AS_OF)
    assert info.value.field == "Condition.ndjson:1"
    _write_ndjson(tmp_path, "Condition.ndjson", [condition("1", onsetDateTime="soon")])
    with pytest.raises(FhirInputError) as info:
        read_ndjson(tmp_path, "p1", mini, AS_OF)
    assert info.value.field == "Condition.ndjson:1.onsetDateTime"


# --------------------------------------------------------------------------- Synthea samples


def _synthea_patients() -> Iterator[tuple[Path, str]]:
    for folder in sorted(DATA.glob("synthea-*")):
        for path in sorted(folder.glob("Patient*.ndjson")):
            for line in path.read_text().splitlines():
                yield folder, json.loads(line)["id"]


# Vendored in the repository (tests/data, with their licence): missing files fail, never skip.
SYNTHEA = list(_synthea_patients())


@functools.cache
def _by_patient(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """Every resource of the export, grouped by the patient it belongs to."""
    out: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(folder.glob("*.ndjson")):
        for line in path.read_text().splitlines():
            r = json.loads(line)
            ref = (r.get("subject") or r.get("patient") or {}).get("reference", "")
            pid = r["id"] if r.get("resourceType") == "Patient" else ref.rsplit("/", 1)[-1]
            out.setdefault(pid, []).append(r)
    return out


def _patient_resources(folder: Path, pid: str) -> list[dict[str, Any]]:
    return _by_patient(folder).get(pid, [])


def test_synthea_counts() -> None:
    folders = {f.name for f, _ in SYNTHEA}
    assert folders == {"synthea-bulk-10-patients", "synthea-r4-sample"}
    assert len(SYNTHEA) == 13 + 9


@pytest.mark.parametrize(("folder", "pid"), SYNTHEA, ids=[p[:8] for _, p in SYNTHEA])
def test_synthea_patient_loads(kb: Knowledge, folder: Path, pid: str) -> None:
    as_of = dt.date(2024, 8, 1)
    result = read_ndjson(folder, pid, kb, as_of)
    p = result.patient
    source = next(r for r in _patient_resources(folder, pid) if r["resourceType"] == "Patient")
    assert p.id == pid
    assert p.birth_date == dt.date.fromisoformat(source["birthDate"])
    assert p.sex == source["gender"]
    assert all(isinstance(w, str) for w in result.warnings)
    assert all(lab.date <= as_of and kb.analyte(lab.analyte) for lab in p.labs or [])
    # Every Synthea Condition is read, so the condition lists are known (possibly empty).
    assert p.history is not None and p.cv_risk_factors is not None
    # The same resources as a Bundle give the same patient.
    resources = _patient_resources(folder, pid)
    as_bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }
    assert read_bundle(as_bundle, kb, as_of).patient == p


def test_synthea_facts_the_tables_support(kb: Knowledge) -> None:
    sample = DATA / "synthea-r4-sample"
    bulk = DATA / "synthea-bulk-10-patients"
    as_of = dt.date(2024, 8, 1)
    smokers = [
        read_ndjson(sample, pid, kb, as_of).patient.smoking for f, pid in SYNTHEA if f == sample
    ]
    assert set(smokers) == {"never", "former"}  # 266919005 / 8517006 in the sample
    # 79a66c97: hypertension, diabetes, ... and seven current medicines, listed as recorded.
    p = read_ndjson(bulk, "79a66c97-6131-3213-f3c9-4606946ab056", kb, as_of).patient
    assert {"hypertension", "diabetes", "dyslipidemia"} <= set(p.cv_risk_factors or [])
    assert p.medications is not None
    assert (
        Medication(
            drug="lisinopril 10 MG Oral Tablet", rxnorm="314076", route=kb.route_for_code("314076")
        )
        in p.medications
    )
    # Measurements are read from the vital signs.
    q = read_ndjson(sample, "8ee183e2-b3c0-4151-be94-b945d6aa8c6d", kb, as_of).patient
    assert q.measurements and {m.kind for m in q.measurements} == {"weight_kg", "height_cm"}


def test_synthea_labs_match_what_the_knowledge_knows(kb: Knowledge) -> None:
    """Each Observation with a LOINC the bundled knowledge knows is a lab or a warning."""
    sample = DATA / "synthea-r4-sample"
    as_of = dt.date(2024, 8, 1)
    for folder, pid in SYNTHEA:
        if folder != sample:
            continue
        expected = 0
        for r in _patient_resources(sample, pid):
            if r["resourceType"] == "Observation" and r["effectiveDateTime"][:10] <= "2024-08-01":
                code = r["code"]["coding"][0]["code"]
                expected += kb.analyte_by_loinc(code) is not None and "valueQuantity" in r
        result = read_ndjson(sample, pid, kb, as_of)
        left_out = [w for w in result.warnings if w.endswith("left out")]
        assert len(result.patient.labs or []) + len(left_out) == expected


# --------------------------------------------------------------------------- round trip


def _validates(b: dict[str, Any]) -> None:
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(b)
    json.dumps(b)


def test_written_bundle_is_valid_fhir(mini: Knowledge) -> None:
    p = read_bundle((HERE / "example-bundle.json").read_text(), mini, AS_OF).patient
    b = patient_to_bundle(p, mini)
    _validates(b)
    assert b["type"] == "collection"
    assert read_bundle(b, mini, AS_OF).patient == p


def test_round_trip_examples(mini: Knowledge) -> None:
    p = Patient(
        id="MRN 12/34",  # not a FHIR id: carried as an identifier
        sex="other",
        smoking="former-long-term",
        pregnancy="pregnant",
        conditions=["vitiligo"],  # no SNOMED code in the fixture knowledge
        history=["gi-perforation", "tb-latent"],
        cv_risk_factors=["family-history-premature-cad"],  # no standard code
        active_infections=[ActiveInfection(name="Cellulitis", serious=True)],
        on_dialysis=True,
        allergies=[],
        medications=[Medication(drug="tofacitinib XR 11 MG", route="buccal", dose="1 daily")],
        therapy=Therapy(
            drug="tofacitinib",
            form="xr-tablet",
            dose_mg=11,
            per_day=1,
            start_date=dt.date(2022, 2, 2),
        ),
        prior_therapies=[PriorTherapy(drug="adalimumab", outcome="loss-of-response")],
        labs=[LabResult(analyte="crp", value=3.5, unit="mg/L", date=dt.date(2024, 1, 1))],
        screening=[
            Screening(item="tb", result="ltbi-treated", date=dt.date(2021, 1, 1)),
            Screening(item="zoster-vaccine", result="done"),
            Screening(item="hbv-dna", result="negative", date=dt.date(2021, 1, 1)),
        ],
    )
    b = patient_to_bundle(p, mini)
    _validates(b)
    result = read_bundle(b, mini, AS_OF)
    assert _normal(result.patient) == _normal(p)
    assert result.warnings == []


# Fields the mapping carries. Not carried: age_years, reproductive_potential, breastfeeding,
# hepatic_impairment, pharmacogenomics, disease, scores, on_dialysis=False (docs/fhir-mapping.md).
_LIST_FIELDS = (
    "measurements",
    "conditions",
    "history",
    "cv_risk_factors",
    "active_infections",
    "allergies",
    "medications",
    "prior_therapies",
    "labs",
    "screening",
)


def _normal(p: Patient) -> dict[str, Any]:
    """The carried fields; list order carries no meaning, so lists are compared sorted."""
    data = p.model_dump(mode="json")
    for name in _LIST_FIELDS:
        if data[name] is not None:
            data[name] = sorted(data[name], key=lambda v: json.dumps(v, sort_keys=True))
    return data


_TEXT = (
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789-/%.", min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)
_NAMES = st.sampled_from(
    [
        "metformin",
        "lisinopril 10 MG Oral Tablet",
        "Aspirin 81 mg",
        "clarithromycin",
        "ketoconazole 2% cream",
        "insulin glargine",
    ]
)
_DAYS = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2024, 6, 1))


def _lab(kb: Knowledge) -> st.SearchStrategy[LabResult]:
    def build(analyte: str, fraction: float, day: dt.date) -> LabResult:
        a = kb.analytes[analyte]
        low, high = a.plausible
        return LabResult(
            analyte=analyte,
            value=round(low + (high - low) * fraction, 3),
            unit=a.canonical_unit,
            date=day,
        )

    return st.builds(
        build,
        st.sampled_from(sorted(kb.analytes)),
        st.floats(min_value=0.01, max_value=0.99),
        _DAYS,
    )


def _unique(
    strategy: st.SearchStrategy[Any], max_size: int = 3, min_size: int = 0
) -> st.SearchStrategy[list[Any]]:
    def key(v: Any) -> str:
        return json.dumps(v.model_dump(mode="json") if hasattr(v, "model_dump") else v)

    return st.lists(strategy, min_size=min_size, max_size=max_size, unique_by=key)


_MEDICATIONS = st.builds(
    Medication,
    drug=_NAMES,
    route=st.none() | st.sampled_from([*get_args(Route), "buccal"]),
    rxnorm=st.none() | st.sampled_from(["314076", "860975", "1191"]),
    dose=st.none() | _TEXT,
)
_MEASUREMENTS = st.builds(
    Measurement,
    kind=st.sampled_from(["weight_kg", "height_cm"]),
    value=st.floats(min_value=0.5, max_value=300),
    date=st.none() | _DAYS,
)
_SCREENINGS = st.builds(
    Screening,
    item=st.sampled_from(get_args(ScreeningItemId)),
    result=st.sampled_from(get_args(ScreeningResult)),
    date=st.none() | _DAYS,
)
_PRIORS = st.builds(PriorTherapy, drug=_NAMES, outcome=st.sampled_from(get_args(PriorOutcome)))
_INFECTIONS = st.builds(ActiveInfection, name=_TEXT, serious=st.none() | st.booleans())
_ALLERGIES = st.builds(Allergy, drug=_TEXT, reaction=st.none() | _TEXT)
_IDS = st.none() | st.from_regex(r"[A-Za-z0-9.\-]{1,20}", fullmatch=True) | _TEXT


@st.composite
def patients(draw: st.DrawFn, kb: Knowledge) -> Patient:
    """Patients whose carried fields round-trip (the constraints are the documented limits)."""
    known = draw(st.booleans())  # the four condition lists share one absence state

    def condition_list(strategy: st.SearchStrategy[Any]) -> list[Any] | None:
        return draw(_unique(strategy)) if known else None

    meds = draw(st.none() | _unique(_MEDICATIONS))
    therapy = None
    if meds is not None and draw(st.booleans()):  # a therapy is one of the medicines
        agent = draw(st.sampled_from(sorted(kb.drugs)))
        rxnorm = draw(st.none() | st.just(kb.drugs[agent].rxnorm))
        meds = [*meds, Medication(drug=agent, rxnorm=rxnorm)]
        therapy = Therapy(
            drug=agent,
            form=draw(st.none() | st.sampled_from(["ir-tablet", "xr-tablet"])),
            dose_mg=draw(st.none() | st.sampled_from([1.5, 5.0, 11.0, 15.0, 200.0])),
            per_day=draw(st.none() | st.integers(1, 3)),
            start_date=draw(_DAYS),
        )
    # Prior therapies are medication resources: they make the medicine list known.
    priors = draw(st.none() | _unique(_PRIORS, 2, 1)) if meds is not None else None
    return Patient(
        id=draw(_IDS),
        birth_date=draw(st.none() | st.dates(dt.date(1920, 1, 1), dt.date(2020, 1, 1))),
        sex=draw(st.sampled_from(["female", "male", "other", "unknown"])),
        pregnancy=draw(st.sampled_from(get_args(Pregnancy))),
        smoking=draw(st.sampled_from(get_args(Smoking))),
        measurements=draw(st.none() | _unique(_MEASUREMENTS, 3, 1)),
        conditions=condition_list(st.sampled_from(sorted(kb.conditions))),
        history=condition_list(st.sampled_from(get_args(HistoryItem))),
        cv_risk_factors=condition_list(st.sampled_from(get_args(CvRiskFactor))),
        active_infections=condition_list(_INFECTIONS),
        on_dialysis=draw(st.sampled_from([None, True])) if known else None,
        allergies=draw(st.none() | _unique(_ALLERGIES)),
        medications=meds,
        therapy=therapy,
        prior_therapies=priors,
        labs=draw(st.none() | _unique(_lab(kb), 3, 1)),
        screening=draw(st.none() | _unique(_SCREENINGS, 4, 1)),
    )


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patients(_MINI))
def test_round_trip_property(p: Patient) -> None:
    b = patient_to_bundle(p, _MINI)
    result = read_bundle(json.dumps(b), _MINI, AS_OF)
    assert _normal(result.patient) == _normal(p)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patients(_MINI))
def test_written_bundles_validate(p: Patient) -> None:
    _validates(patient_to_bundle(p, _MINI))


# --------------------------------------------------------------------------- code tables


def _table_codes() -> Iterator[tuple[str, str, str, str]]:
    tables = code_tables().tables
    for name, table in tables.items():
        for item, codes in table.items.items():
            for c in codes:
                yield name, item, c.system or table.system, c.code


def _loinc_check(code: str) -> bool:
    base, check = code.rsplit("-", 1)
    total = 0
    for i, ch in enumerate(reversed(base)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10 == int(check)


_VERHOEFF_D = [
    [(i + j) % 5 + 5 * ((i // 5 + j // 5) % 2) if i < 5 and j < 5 else 0 for j in range(10)]
    for i in range(10)
]
_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]


def _verhoeff(code: str) -> bool:
    check = 0
    for i, ch in enumerate(reversed(code)):
        check = _D[check][_P[i % 8][int(ch)]]
    return check == 0


def test_code_table_codes_are_well_formed() -> None:
    """LOINC check digits (mod 10) and SNOMED CT check digits (Verhoeff) catch typos."""
    for name, item, system, code in _table_codes():
        if system == LNC and not code.startswith("LA"):
            assert re.fullmatch(r"\d{1,7}-\d", code) and _loinc_check(code), (name, item, code)
        if system == SCT:
            assert code.isdigit() and _verhoeff(code), (name, item, code)


def test_code_table_items_are_model_ids() -> None:
    tables: dict[str, Any] = {str(k): v for k, v in code_tables().tables.items()}
    expected = {
        "history": set(get_args(HistoryItem)),
        "cv_risk_factors": set(get_args(CvRiskFactor)),
        "smoking_status": set(get_args(Smoking)),
        "pregnancy_status": set(get_args(Pregnancy)),
        "pregnancy_conditions": {"pregnant"},
        "screening_tests": set(get_args(ScreeningItemId)),
        "vaccines": set(get_args(ScreeningItemId)),
        "results": set(get_args(ScreeningResult)),
        "routes": set(get_args(Route)),
        "observations": {"smoking-status", "pregnancy-status", "weight_kg", "height_cm"},
    }
    for name, ids in expected.items():
        assert set(tables[name].items) <= ids, name
    assert set(tables["history"].items) == set(get_args(HistoryItem))  # every item has codes
    assert all(t.source.strip() for t in tables.values())


def test_code_table_file_has_no_duplicate_keys() -> None:
    path = ROOT / "src/jakguide/adapters/fhir/codes.yaml"

    def check(node: yaml.Node) -> None:
        if isinstance(node, yaml.MappingNode):
            keys = [k.value for k, _ in node.value]
            assert len(keys) == len(set(keys)), keys
            for _, v in node.value:
                check(v)
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                check(v)

    root = yaml.compose(path.read_text())
    assert root is not None
    check(root)


def test_codes_marked_synthea_occur_in_the_samples() -> None:
    text = "".join(
        p.read_text()
        for p in DATA.glob("*/*.ndjson")
        if "Condition" in p.name or "Observation" in p.name
    )
    for name, table in code_tables().tables.items():
        for codes in table.items.values():
            for c in codes:
                if c.synthea:
                    assert f'"code":"{c.code}"' in text.replace(" ", ""), (name, c.code)


def test_mapping_doc_names_every_table() -> None:
    doc = (ROOT / "docs/fhir-mapping.md").read_text()
    for name in code_tables().tables:
        assert f"`{name}`" in doc, name
    assert FHIR_VERSION in doc
