"""Records over HTTP: CRUD, views on the record (assessment, labs, timeline), FHIR in and out."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from jakguide.kb.base import Knowledge

AS_OF = "2026-11-21"


def unit(kb: Knowledge, analyte: str) -> str:
    found = kb.analyte(analyte)
    assert found is not None
    return found.canonical_unit


def new_patient(client: TestClient, user: Any, **fields: Any) -> str:
    r = client.post("/api/patients", json={"label": "MRN-1", **fields}, headers=user.headers)
    assert r.status_code == 201, r.text
    pid: str = r.json()["id"]
    return pid


def add(client: TestClient, user: Any, pid: str, kind: str, body: dict[str, Any]) -> Any:
    r = client.post(f"/api/patients/{pid}/{kind}", json=body, headers=user.headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_row_crud(client: TestClient, user: Any, kb: Knowledge) -> None:
    pid = new_patient(client, user, sex="female")
    lab = {
        "analyte": "lymphocytes",
        "value": 1000,
        "unit": unit(kb, "lymphocytes"),
        "date": "2026-01-05",
    }
    row = add(client, user, pid, "labs", lab)
    assert (row["value_entered"], row["unit"]) == (1000, unit(kb, "lymphocytes"))
    url = f"/api/patients/{pid}/labs/{row['id']}"
    assert client.get(url, headers=user.headers).json() == row
    r = client.put(url, json={**lab, "value": 900}, headers=user.headers)
    assert r.status_code == 200 and r.json()["value_entered"] == 900
    r = client.put(url, json={**lab, "value": -1}, headers=user.headers)
    assert r.status_code == 422
    assert client.get(url, headers=user.headers).json()["value_entered"] == 900  # unchanged
    assert client.delete(url, headers=user.headers).status_code == 204
    assert client.get(url, headers=user.headers).status_code == 404
    assert client.get(f"/api/patients/{pid}/labs", headers=user.headers).json() == []
    r = client.put(
        f"/api/patients/{pid}", json={"label": "MRN-2", "smoking": "never"}, headers=user.headers
    )
    assert r.json()["smoking"] == "never" and r.json()["sex"] == "unknown"
    assert client.delete(f"/api/patients/{pid}", headers=user.headers).status_code == 204
    assert client.get(f"/api/patients/{pid}", headers=user.headers).status_code == 404


def test_row_validation(client: TestClient, user: Any) -> None:
    pid = new_patient(client, user)
    r = client.post(
        f"/api/patients/{pid}/therapies",
        headers=user.headers,
        json={"drug": "x", "start_date": "2026-02-01", "stop_date": "2026-01-01"},
    )
    assert r.status_code == 422 and "before" in r.json()["reason"]
    r = client.post(
        f"/api/patients/{pid}/conditions", json={"condition": "gout"}, headers=user.headers
    )
    assert r.status_code == 422 and r.json()["field"] == "body.condition"
    r = client.post(
        f"/api/patients/{pid}/scores",
        headers=user.headers,
        json={"instrument": "basdai", "date": "2026-01-01", "value": 42},
    )
    assert r.status_code == 422 and r.json()["field"] == "body.value"


def build_record(client: TestClient, user: Any, kb: Knowledge) -> tuple[str, str]:
    drug = sorted(kb.drugs)[0]
    pid = new_patient(
        client,
        user,
        sex="female",
        birth_date="1970-02-03",
        smoking="never",
        history=[],
        cv_risk_factors=[],
        reviewed=["medications"],
    )
    add(client, user, pid, "conditions", {"condition": "rheumatoid-arthritis"})
    add(client, user, pid, "therapies", {"drug": drug, "start_date": "2026-01-10"})
    for day, value in (("2026-01-02", 1500), ("2026-03-01", 400), ("2026-04-01", 300)):
        add(
            client,
            user,
            pid,
            "labs",
            {
                "analyte": "lymphocytes",
                "value": value,
                "unit": unit(kb, "lymphocytes"),
                "date": day,
            },
        )
    for day, q in (("2026-01-02", 7), ("2026-04-01", 2)):
        items = {f"q{i}": q for i in range(1, 7)}
        add(client, user, pid, "scores", {"instrument": "basdai", "date": day, "inputs": items})
    add(client, user, pid, "scores", {"instrument": "pasi", "date": "2026-04-01", "value": 3})
    return pid, drug


def test_record_assessment_equals_stateless_assessment(
    client: TestClient, user: Any, kb: Knowledge
) -> None:
    pid, _ = build_record(client, user, kb)
    params = {"as_of": AS_OF}
    snapshot = client.get(f"/api/patients/{pid}/snapshot", params=params, headers=user.headers)
    assert snapshot.status_code == 200
    assert snapshot.json()["medications"] == [] and "screening" not in snapshot.json()
    r = client.get(f"/api/patients/{pid}/assessment", params=params, headers=user.headers)
    assert r.status_code == 200, r.text
    stateless = client.post(
        "/api/assess", params={**params, "condition": "rheumatoid-arthritis"}, json=snapshot.json()
    )
    assert r.json() == stateless.json()
    assert r.json()["condition"] == "rheumatoid-arthritis"  # the record's only condition

    saved = client.post(f"/api/patients/{pid}/assessments", params=params, headers=user.headers)
    assert saved.status_code == 201 and saved.json()["output"] == r.json()
    listed = client.get(f"/api/patients/{pid}/assessments", headers=user.headers).json()
    assert listed[0]["knowledge_version"] == kb.version and listed[0]["as_of"] == AS_OF
    one = client.get(f"/api/patients/{pid}/assessments/{listed[0]['id']}", headers=user.headers)
    assert one.json()["output"] == r.json()


def test_labs_evaluation_defaults_to_the_running_therapy(
    client: TestClient, user: Any, kb: Knowledge
) -> None:
    pid, drug = build_record(client, user, kb)
    r = client.get(
        f"/api/patients/{pid}/labs-evaluation", params={"as_of": AS_OF}, headers=user.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["drug"] == drug and len(r.json()["results"]) == 3
    r = client.get(
        f"/api/patients/{pid}/labs-evaluation", params={"as_of": "2025-01-01"}, headers=user.headers
    )
    assert r.status_code == 422 and r.json()["field"] == "drug"


def test_timeline_has_categories_thresholds_and_actions(
    client: TestClient, user: Any, kb: Knowledge
) -> None:
    from jakguide.instruments import categorize

    pid, drug = build_record(client, user, kb)
    r = client.get(f"/api/patients/{pid}/timeline", params={"as_of": AS_OF}, headers=user.headers)
    assert r.status_code == 200, r.text
    t = r.json()
    assert t["drug"] == drug and t["as_of"] == AS_OF and t["therapy_start"] == "2026-01-10"
    assert [s["date"] for s in t["scores"]] == ["2026-01-02", "2026-04-01", "2026-04-01"]
    for s in t["scores"]:
        if s["instrument"] == "basdai":
            assert s["category"] == categorize("basdai", s["value"])
        else:
            assert s["category"] is None  # PASI has no published bands
    label = kb.label(drug, "US")
    assert label is not None
    assert {x["rule"] for x in t["thresholds"]} == {rule.id for rule in label.labs}
    assert [lab["date"] for lab in t["labs"]] == ["2026-01-02", "2026-03-01", "2026-04-01"]
    assert all(lab["action"] is not None for lab in t["labs"])


@pytest.mark.parametrize("tz", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_as_of_defaults_to_today_in_the_clinic_time_zone(
    app: FastAPI, client: TestClient, new_user: Any, tz: str
) -> None:
    user = new_user(app, f"clinic in {tz}", tz)
    pid = new_patient(client, user)
    add(client, user, pid, "conditions", {"condition": "vitiligo"})
    r = client.get(f"/api/patients/{pid}/assessment", headers=user.headers)
    assert r.status_code == 200, r.text
    assert r.json()["as_of"] == dt.datetime.now(ZoneInfo(tz)).date().isoformat()


def test_fhir_import_export_round_trip(client: TestClient, user: Any, kb: Knowledge) -> None:
    from jakguide.adapters.fhir import patient_to_bundle
    from jakguide.adapters.native import patient_from_data

    native = {
        "birth_date": "1980-05-06",
        "sex": "male",
        "conditions": ["psoriatic-arthritis"],
        "medications": ["methotrexate"],
        "labs": [
            {
                "analyte": "lymphocytes",
                "value": 1100,
                "unit": unit(kb, "lymphocytes"),
                "date": "2026-02-01",
            }
        ],
    }
    bundle = patient_to_bundle(patient_from_data(native, kb), kb)
    r = client.post(
        "/api/patients/import", params={"label": "from-ehr"}, json=bundle, headers=user.headers
    )
    assert r.status_code == 201, r.text
    imported = r.json()
    assert imported["source"] == "fhir-bundle" and imported["added"] >= 3
    pid = imported["patient"]["id"]
    assert imported["patient"]["label"] == "from-ehr"

    exported = client.get(
        f"/api/patients/{pid}/fhir", params={"as_of": AS_OF}, headers=user.headers
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/fhir+json")
    assert exported.json()["resourceType"] == "Bundle"
    again = client.post(f"/api/patients/{pid}/import", json=exported.json(), headers=user.headers)
    assert again.status_code == 200 and again.json()["added"] == 0

    snap = client.get(
        f"/api/patients/{pid}/snapshot", params={"as_of": AS_OF}, headers=user.headers
    ).json()
    assert snap["conditions"] == ["psoriatic-arthritis"] and snap["sex"] == "male"
    assert [lab["value"] for lab in snap["labs"]] == [1100]


def test_a_failed_import_changes_nothing(client: TestClient, user: Any, kb: Knowledge) -> None:
    before = client.get("/api/patients", headers=user.headers).json()["total"]
    bad = {
        "conditions": ["vitiligo"],
        "scores": [
            {"instrument": "basdai", "date": "2026-01-01", "value": 3},
            {"instrument": "basdai", "date": "2026-02-01", "value": 30},
        ],
    }
    r = client.post("/api/patients/import", json=bad, headers=user.headers)
    assert r.status_code == 422, r.text
    assert client.get("/api/patients", headers=user.headers).json()["total"] == before


def test_reads_and_writes_are_audited_without_patient_data(client: TestClient, user: Any) -> None:
    pid = new_patient(client, user, sex="female")
    client.get(f"/api/patients/{pid}", headers=user.headers)
    client.post(
        f"/api/patients/{pid}/conditions", json={"condition": "vitiligo"}, headers=user.headers
    )
    client.get(f"/api/patients/{pid}/assessment", headers=user.headers)
    log = client.get("/api/audit", headers=user.headers).json()
    mine = [(e["action"], e["resource"]) for e in log if e["patient_id"] == pid]
    assert mine[::-1] == [
        ("create", "patient"),
        ("read", "patient"),
        ("create", "condition"),
        ("read", "assessment"),
    ]
    assert "MRN-1" not in str(log) and "female" not in str(log)
