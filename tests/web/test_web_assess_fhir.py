"""FHIR output of ``POST /api/assess`` equals ``jakguide assess --format fhir``; JSON unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from starlette.testclient import TestClient
from typer.testing import CliRunner

from jakguide.cli import app as cli
from jakguide.kb.base import Knowledge
from web.test_web_assess import AS_OF, native_patient, run_cli, write

QUERY = {"condition": "rheumatoid-arthritis", "as_of": AS_OF}
ARGS = ["--condition", "rheumatoid-arthritis", "--as-of", AS_OF]


def types(bundle: dict[str, Any]) -> set[str]:
    return {e["resource"]["resourceType"] for e in bundle["entry"]}


def test_cli_format_fhir_is_a_valid_bundle(kb: Knowledge, tmp_path: Path) -> None:
    path = write(tmp_path, "p.json", native_patient(kb))
    bundle = run_cli(["assess", str(path), *ARGS, "--format", "fhir"])
    get_fhir_model_class("Bundle").model_validate(bundle)
    assert bundle["type"] == "collection"
    # clarithromycin (a strong CYP3A4 inhibitor) gives an interaction issue; HBV/HCV are missing
    assert {"Patient", "MedicationRequest", "DetectedIssue", "ServiceRequest"} <= types(bundle)
    assert bundle["meta"]["tag"][0]["code"] == kb.version


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({"format": "fhir"}, {}),
        ({}, {"Accept": "application/fhir+json"}),
        ({}, {"Accept": "text/html;q=0.9, application/fhir+json;q=0.8"}),
    ],
)
def test_api_fhir_equals_cli_fhir(
    client: TestClient,
    kb: Knowledge,
    tmp_path: Path,
    params: dict[str, str],
    headers: dict[str, str],
) -> None:
    patient = native_patient(kb)
    expected = run_cli(
        ["assess", str(write(tmp_path, "p.json", patient)), *ARGS, "--format", "fhir"]
    )
    got = client.post("/api/assess", params={**QUERY, **params}, json=patient, headers=headers)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("application/fhir+json")
    assert got.json() == expected


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({}, {}),
        ({}, {"Accept": "application/json"}),
        ({}, {"Accept": "application/fhir+json;q=0"}),
        ({"format": "json"}, {"Accept": "application/fhir+json"}),
    ],
)
def test_api_json_contract_unchanged(
    client: TestClient,
    kb: Knowledge,
    tmp_path: Path,
    params: dict[str, str],
    headers: dict[str, str],
) -> None:
    patient = native_patient(kb)
    expected = run_cli(
        ["assess", str(write(tmp_path, "p.json", patient)), *ARGS, "--format", "json"]
    )
    got = client.post("/api/assess", params={**QUERY, **params}, json=patient, headers=headers)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("application/json")
    assert got.json() == expected


def test_unknown_format_is_refused(client: TestClient, kb: Knowledge, tmp_path: Path) -> None:
    got = client.post("/api/assess", params={**QUERY, "format": "xml"}, json=native_patient(kb))
    assert got.status_code == 422, got.text
    assert "format" in got.text
    result = CliRunner().invoke(
        cli, ["assess", str(write(tmp_path, "p.json", {})), *ARGS, "--format", "xml"]
    )
    assert result.exit_code == 2
    assert "fhir" in result.output and "Traceback" not in result.output


def test_read_warnings_travel_as_an_operation_outcome(client: TestClient, kb: Knowledge) -> None:
    from jakguide.adapters.fhir import patient_to_bundle
    from jakguide.adapters.native import patient_from_data

    bundle = patient_to_bundle(patient_from_data(native_patient(kb), kb), kb)
    bundle["entry"].append(
        {
            "resource": {
                "resourceType": "Observation",
                "status": "final",
                "code": {"text": "mystery"},
            }
        }
    )
    got = client.post(
        "/api/assess",
        params={**QUERY, "format": "fhir"},
        content=json.dumps(bundle),
        headers={"Content-Type": "application/fhir+json"},
    )
    assert got.status_code == 200, got.text
    outcomes = [
        e["resource"]
        for e in got.json()["entry"]
        if e["resource"]["resourceType"] == "OperationOutcome"
    ]
    assert len(outcomes) == 1
    assert any("mystery" in i["diagnostics"] for i in outcomes[0]["issue"])
    get_fhir_model_class("OperationOutcome").model_validate(outcomes[0])
