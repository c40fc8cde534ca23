"""Light Observation models (adapters/fhir/light.py) read what the full R4B models read.

Observations are read with plain pydantic models of the elements the mapping uses, typed with
fhir_core's primitive types (issue 19: a 10,000-Observation Bundle took 3-5 s with a full model
per resource). These tests hold the light path to the full one: the same values on Synthea's
Observations, the same patient and warnings from the same exports, errors naming the entry and
the element, and linear time.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.observation import Observation as FullObservation
from pydantic import BaseModel

from jakguide.adapters.fhir import bundle as bundle_module
from jakguide.adapters.fhir import read_bundle, read_ndjson
from jakguide.adapters.fhir.light import Observation
from jakguide.errors import FhirInputError
from jakguide.kb.base import Knowledge

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "synthea-r4-sample"
EXAMPLE = Path(__file__).parent / "fhir" / "example-bundle.json"
AS_OF = dt.date(2026, 1, 1)
LNC = "http://loinc.org"


def _observations() -> list[dict[str, Any]]:
    lines = (SAMPLE / "Observation.ndjson").read_text().splitlines()
    example = json.loads(EXAMPLE.read_text())
    found = [json.loads(line) for line in lines if line.strip()]
    found += [
        e["resource"] for e in example["entry"] if e["resource"]["resourceType"] == "Observation"
    ]
    return found


def _same(light: object, full: object, path: str) -> None:
    """Every element the light model reads has the full model's value (recursively)."""
    if isinstance(light, BaseModel):
        for name in type(light).model_fields:
            if name == "resourceType":
                continue
            _same(getattr(light, name), getattr(full, name), f"{path}.{name}")
    elif isinstance(light, list):
        assert isinstance(full, list) and len(light) == len(full), path
        for i, (a, b) in enumerate(zip(light, full, strict=True)):
            _same(a, b, f"{path}[{i}]")
    else:
        assert light == full and type(light) is type(full), (path, light, full)


def test_light_reads_what_the_full_model_reads_on_synthea_observations() -> None:
    resources = _observations()
    assert len(resources) > 1000  # the sample's real-world shapes, not ours
    for resource in resources:
        light = Observation.model_validate(resource)
        full = FullObservation.model_validate(resource)
        _same(light, full, f"Observation/{resource['id']}")


def test_the_same_patients_and_warnings_as_with_full_models(
    kb: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [
        json.loads(line)["id"]
        for line in (SAMPLE / "Patient.ndjson").read_text().splitlines()
        if line.strip()
    ]
    light = [read_ndjson(SAMPLE, pid, kb, AS_OF) for pid in ids]
    assert sum(len(r.patient.labs or []) for r in light) > 100
    monkeypatch.setattr(bundle_module, "_LIGHT", {})
    full = [read_ndjson(SAMPLE, pid, kb, AS_OF) for pid in ids]
    assert [(r.patient, r.warnings) for r in light] == [(r.patient, r.warnings) for r in full]


def _bundle(*resources: dict[str, Any], **entry: Any) -> dict[str, Any]:
    entries = [{"resource": {"resourceType": "Patient", "id": "p1"}}]
    entries += [{"resource": r, **entry} for r in resources]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _obs(**more: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "code": {"coding": [{"system": LNC, "code": "731-0"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2025-05-01",
        **more,
    }


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        (_bundle(_obs(colour="red")), "Bundle.entry[1].resource.colour", "Extra inputs"),
        (_bundle(_obs(status=None)), "Bundle.entry[1].resource.status", "invalid Observation/o1"),
        (_bundle(_obs(code=None)), "Bundle.entry[1].resource.code", "invalid Observation/o1"),
        (
            _bundle(_obs(effectiveDateTime="2025-02-30")),
            "Bundle.entry[1].resource.effectiveDateTime",
            "day value is outside expected range",
        ),
        (
            _bundle(_obs(effectiveDateTime="20250501")),
            "Bundle.entry[1].resource.effectiveDateTime",
            "does not match spec regex",
        ),
        (
            _bundle(_obs(valueQuantity={"value": True})),
            "Bundle.entry[1].resource.valueQuantity.value",
            "invalid Observation/o1",
        ),
        (
            _bundle(_obs(valueString="x", valueQuantity={"value": 1})),
            "Bundle.entry[1].resource",
            "only one of value[x] may be given, got valueQuantity, valueString",
        ),
        (
            _bundle(_obs(component=[{"valueQuantity": {"value": 1}}])),
            "Bundle.entry[1].resource.component.0.code",
            "Field required",
        ),
        (
            _bundle(_obs(referenceRange=[{"low": {"value": "low"}}])),
            "Bundle.entry[1].resource.referenceRange.0.low.value",
            "invalid Observation/o1",
        ),
        (
            _bundle(_obs(code={"coding": [{"system": LNC, "code": " 731-0"}]})),
            "Bundle.entry[1].resource.code.coding.0.code",
            "should match pattern",
        ),
        (_bundle(_obs(), fullUrl=5), "Bundle.entry[1].fullUrl", "invalid Bundle.entry"),
        (
            _bundle(_obs(), request={"method": "POST"}),
            "Bundle.entry[1].request.url",
            "invalid Bundle.entry",
        ),
    ],
)
def test_errors_name_the_entry_and_the_element(
    kb: Knowledge, data: dict[str, Any], field: str, fragment: str
) -> None:
    with pytest.raises(FhirInputError) as info:
        read_bundle(data, kb, AS_OF)
    assert info.value.field == field
    assert fragment in str(info.value)


def test_elements_the_mapping_does_not_read_are_accepted_unread(kb: Knowledge) -> None:
    obs = _obs(
        valueQuantity={"value": 1500, "unit": "/uL", "system": "http://unitsofmeasure.org",
                       "code": "/uL", "extension": [{"url": "x"}]},
        category=[{"coding": [{"code": "laboratory"}]}],
        issued="2025-05-01T10:00:00Z",
        _status={"extension": []},
        note=[{"text": "fasting"}],
    )  # fmt: skip
    read = read_bundle(_bundle(obs, fullUrl="urn:uuid:1"), kb, AS_OF)
    assert [(lab.analyte, lab.value, lab.date) for lab in read.patient.labs or []] == [
        ("lymphocytes", 1500.0, dt.date(2025, 5, 1))
    ]


def test_reading_is_linear_and_fast_in_cpu_time(kb: Knowledge) -> None:
    """CPU time (not wall time: the machine is shared) per Observation stays flat from 1,000 to
    8,000; a quadratic reader's would grow eightfold."""

    def per_observation(n: int) -> float:
        data = _bundle(*(_obs(id=f"o{i}", valueQuantity={"value": 1000 + i, "unit": "/uL"})
                         for i in range(n)))  # fmt: skip
        best = float("inf")
        for _ in range(3):
            started = time.process_time()
            read = read_bundle(data, kb, AS_OF)
            best = min(best, time.process_time() - started)
        assert len(read.patient.labs or []) == n
        return best / n

    read_bundle(_bundle(_obs()), kb, AS_OF)  # warm-up
    small, large = per_observation(1000), per_observation(8000)
    assert large < 3 * small, f"{small * 1e6:.0f} us -> {large * 1e6:.0f} us per Observation"
