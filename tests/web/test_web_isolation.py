"""Clinic isolation: a clinician of clinic B never reads or changes a patient of clinic A."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.testclient import TestClient

from jakguide.kb.base import Knowledge

SAMPLE_BODIES: dict[str, dict[str, Any]] = {
    "conditions": {"condition": "vitiligo"},
    "medications": {"drug": "methotrexate"},
    "therapies": {"drug": "adalimumab", "start_date": "2025-01-01"},
    "screening": {"item": "tb", "result": "negative"},
    "measurements": {"kind": "weight_kg", "value": 70},
    "scores": {"instrument": "basdai", "date": "2026-01-01", "value": 4},
}


def fill(
    client: TestClient, headers: dict[str, str], kb: Knowledge
) -> tuple[str, dict[str, int], dict[str, dict[str, Any]]]:
    pid = client.post("/api/patients", json={"label": "A-secret"}, headers=headers).json()["id"]
    analyte = kb.analyte("lymphocytes")
    assert analyte is not None
    bodies = {
        **SAMPLE_BODIES,
        "labs": {
            "analyte": "lymphocytes",
            "value": 1000,
            "unit": analyte.canonical_unit,
            "date": "2026-01-01",
        },
    }
    rows = {}
    for name, body in bodies.items():
        r = client.post(f"/api/patients/{pid}/{name}", json=body, headers=headers)
        assert r.status_code == 201, r.text
        rows[name] = r.json()["id"]
    return pid, rows, bodies


def test_clinic_b_never_reads_or_changes_clinic_a(
    app: FastAPI, client: TestClient, new_user: Any, kb: Knowledge
) -> None:
    a, b = new_user(app, "Clinic A"), new_user(app, "Clinic B")
    a_colleague = new_user(app, "Clinic A")
    pid, rows, bodies = fill(client, a.headers, kb)
    before = client.get(f"/api/patients/{pid}/record", headers=a.headers).json()

    assert client.get("/api/patients", headers=b.headers).json()["total"] == 0
    spec = app.openapi()["paths"]
    tried = 0
    for path, ops in spec.items():
        if "{patient_id}" not in path:
            continue
        for method in ops:
            name = path.split("/")[4] if path.count("/") >= 4 else ""
            url = path.replace("{patient_id}", pid).replace("{row_id}", str(rows.get(name, 1)))
            body = bodies.get(name, {"label": "stolen"})
            if name in ("import", "assessments"):
                body = {"sex": "male"}
            r = client.request(method.upper(), url, json=body, headers=b.headers)
            tried += 1
            assert r.status_code == 404, (method, path, r.status_code, r.text)
            assert "A-secret" not in r.text
    assert tried > 30

    # Clinic A's record is untouched; a colleague in clinic A sees it.
    assert client.get(f"/api/patients/{pid}/record", headers=a.headers).json() == before
    assert client.get(f"/api/patients/{pid}", headers=a_colleague.headers).status_code == 200

    # B's probing is in B's audit log (as not-found), and not in A's.
    b_log = client.get("/api/audit", params={"limit": 1000}, headers=b.headers).json()
    probes = [e for e in b_log if e["resource"] != "patient-list"]
    assert len(probes) == tried and all(e["outcome"] == "not-found" for e in probes)
    a_log = client.get("/api/audit", params={"limit": 1000}, headers=a.headers).json()
    assert all(e["outcome"] == "ok" for e in a_log)
    assert "A-secret" not in str(a_log)
