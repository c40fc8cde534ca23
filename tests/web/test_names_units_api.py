"""Issue 10 through the REST API: a unit slip is a field-level 422; brands name agents."""

from __future__ import annotations

from typing import Any

import yaml
from starlette.testclient import TestClient

from vignettes import base_patient

QUERY = {"condition": "ankylosing-spondylitis", "as_of": "2026-11-21"}
YAML = {"Content-Type": "application/yaml"}


def _patient(**changes: Any) -> dict[str, Any]:
    data = base_patient("as-man-tnf-ir")
    data.update(changes)
    return data


def test_api_refuses_unit_slip_field_level(client: TestClient) -> None:
    data = _patient()
    data["labs"] = [
        {"analyte": "lymphocytes", "value": 1.8, "unit": "/uL", "date": "2026-11-01"},
        *data["labs"][1:],
    ]
    got = client.post("/api/assess", params=QUERY, content=yaml.safe_dump(data), headers=YAML)
    assert got.status_code == 422, got.text
    assert "labs[0].value" in got.text
    assert "did you mean 1.8 10*3/uL or 1.8 10*9/L?" in got.text


def test_api_brand_prior_therapy_and_drug_option(client: TestClient) -> None:
    data = _patient(prior_therapies=[{"drug": "Humira", "outcome": "inadequate-response"}])
    got = client.post(
        "/api/assess",
        params={**QUERY, "drug": "Rinvoq"},
        content=yaml.safe_dump(data),
        headers=YAML,
    )
    assert got.status_code == 200, got.text
    (option,) = got.json()["options"]
    assert (option["drug"], option["status"]) == ("upadacitinib", "eligible")


def test_api_misspelled_prior_therapy_needs_data(client: TestClient) -> None:
    data = _patient(prior_therapies=[{"drug": "adalimumb", "outcome": "inadequate-response"}])
    got = client.post(
        "/api/assess",
        params={**QUERY, "drug": "upadacitinib"},
        content=yaml.safe_dump(data),
        headers=YAML,
    )
    assert got.status_code == 200, got.text
    (option,) = got.json()["options"]
    assert option["status"] == "needs-data"
    assert any("nearest: adalimumab" in f["message"] for f in option["findings"])
