"""The stateless endpoints return exactly what the CLI prints for the same input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient
from typer.testing import CliRunner

from jakguide.cli import app as cli
from jakguide.kb.base import Knowledge

AS_OF = "2026-11-21"


def native_patient(kb: Knowledge) -> dict[str, Any]:
    def unit(analyte: str) -> str:
        found = kb.analyte(analyte)
        assert found is not None
        return found.canonical_unit

    return {
        "birth_date": "1971-04-02",
        "sex": "female",
        "reproductive_potential": False,
        "smoking": "former",
        "conditions": ["rheumatoid-arthritis"],
        "history": [],
        "cv_risk_factors": ["hypertension"],
        "medications": ["methotrexate", {"drug": "clarithromycin"}],
        "prior_therapies": [{"drug": "adalimumab", "outcome": "inadequate-response"}],
        "labs": [
            {
                "analyte": "lymphocytes",
                "value": 1200,
                "unit": unit("lymphocytes"),
                "date": "2026-10-01",
            },
            {
                "analyte": "hemoglobin",
                "value": 12.5,
                "unit": unit("hemoglobin"),
                "date": "2026-10-01",
            },
        ],
        "screening": [{"item": "tb", "result": "negative", "date": "2026-09-01"}],
    }


def run_cli(args: list[str]) -> Any:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("query", "args"),
    [
        ({"condition": "rheumatoid-arthritis"}, ["--condition", "rheumatoid-arthritis"]),
        (
            {"condition": "rheumatoid-arthritis", "region": "EU"},
            ["--condition", "rheumatoid-arthritis", "--region", "EU"],
        ),
        (
            {"condition": "atopic-dermatitis", "drug": ["baricitinib", "abrocitinib"]},
            ["--condition", "atopic-dermatitis", "--drug", "baricitinib", "--drug", "abrocitinib"],
        ),
    ],
)
def test_assess_equals_cli_json_native(
    client: TestClient, kb: Knowledge, tmp_path: Path, query: dict[str, Any], args: list[str]
) -> None:
    wanted = [d for d in query.get("drug", []) if d not in kb.drugs]
    if wanted:
        pytest.skip(f"knowledge has no {wanted}")
    patient = native_patient(kb)
    path = write(tmp_path, "p.json", patient)
    expected = run_cli(["assess", str(path), *args, "--as-of", AS_OF, "--format", "json"])
    got = client.post("/api/assess", params={**query, "as_of": AS_OF}, json=patient)
    assert got.status_code == 200, got.text
    assert got.json() == expected


def test_assess_equals_cli_json_for_a_fhir_bundle(
    client: TestClient, kb: Knowledge, tmp_path: Path
) -> None:
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
    path = write(tmp_path, "bundle.json", bundle)
    args = ["--condition", "rheumatoid-arthritis", "--as-of", AS_OF, "--format", "json"]
    expected = run_cli(["assess", str(path), *args])
    got = client.post(
        "/api/assess",
        params={"condition": "rheumatoid-arthritis", "as_of": AS_OF},
        content=json.dumps(bundle),
        headers={"Content-Type": "application/fhir+json"},
    )
    assert got.status_code == 200, got.text
    assert got.json() == expected


def test_assess_accepts_yaml_and_defaults_as_of_to_today(client: TestClient, kb: Knowledge) -> None:
    got = client.post(
        "/api/assess",
        params={"condition": "rheumatoid-arthritis"},
        content=yaml.safe_dump(native_patient(kb)),
        headers={"Content-Type": "application/yaml"},
    )
    assert got.status_code == 200, got.text
    assert got.json()["as_of"] == dt.date.today().isoformat()


def test_labs_equals_cli_json(client: TestClient, kb: Knowledge, tmp_path: Path) -> None:
    drug = sorted(kb.drugs)[0]
    patient = native_patient(kb)
    path = write(tmp_path, "p.json", patient)
    expected = run_cli(["labs", str(path), "--drug", drug, "--as-of", AS_OF, "--format", "json"])
    got = client.post("/api/labs", params={"drug": drug, "as_of": AS_OF}, json=patient)
    assert got.status_code == 200, got.text
    assert got.json() == expected


def test_scores_and_responses_equal_cli_json(client: TestClient) -> None:
    items = {"q1": 2, "q2": 3, "q3": 4, "q4": 5, "q5": 6, "q6": 7}
    expected = run_cli(
        ["score", "basdai", *(f"{k}={v}" for k, v in items.items()), "--format", "json"]
    )
    got = client.post("/api/scores/basdai", json=items)
    assert got.status_code == 200 and got.json() == expected
    expected = run_cli(
        ["response", "basdai", "--baseline", "6.2", "--current", "3.0", "--format", "json"]
    )
    got = client.post("/api/responses/basdai", json={"baseline": "6.2", "current": "3.0"})
    assert got.status_code == 200 and got.json() == expected


def test_drug_listing_equals_cli_json(client: TestClient, kb: Knowledge) -> None:
    expected = run_cli(["drugs", "--region", "EU", "--format", "json"])
    assert client.get("/api/drugs", params={"region": "EU"}).json() == expected
    inn = sorted(kb.drugs)[0]
    expected = run_cli(["drug", inn, "--format", "json"])
    assert client.get(f"/api/drugs/{inn}").json() == expected


def test_health_and_openapi(client: TestClient) -> None:
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["database"] == "sqlite"
    spec = client.get("/openapi.json").json()
    assert "/api/assess" in spec["paths"] and "NativePatient" in spec["components"]["schemas"]
