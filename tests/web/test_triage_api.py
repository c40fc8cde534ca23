"""POST /api/triage: the same answer as the CLI's JSON, 4xx naming the field on bad input."""

from __future__ import annotations

from starlette.testclient import TestClient


def test_triage_api_emergency_and_sources(client: TestClient) -> None:
    got = client.post(
        "/api/triage", json={"drug": "upadacitinib", "symptoms": ["chest pain", "short of breath"]}
    )
    assert got.status_code == 200, got.text
    data = got.json()
    assert data["urgency"] == "emergency"
    assert data["emergency_number"] in data["emergency"]
    assert all(r["sources"] for r in data["reasons"])


def test_triage_api_cold_and_bad_input(client: TestClient) -> None:
    got = client.post(
        "/api/triage", json={"drug": "tofacitinib", "symptoms": ["a cold"], "region": "EU"}
    )
    assert got.json()["urgency"] in ("today", "next-visit")
    bad = client.post("/api/triage", json={"drug": "nope", "symptoms": ["fever"]})
    assert bad.status_code in (404, 422) and "nope" in bad.text
    empty = client.post("/api/triage", json={"drug": "tofacitinib", "symptoms": []})
    assert empty.status_code == 422 and "symptoms" in empty.text
