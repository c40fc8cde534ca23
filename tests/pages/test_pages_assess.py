"""The assessment form and upload give the same statuses as ``POST /api/assess``; bad values
get messages next to their fields."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.testclient import TestClient

from jakguide.kb.base import Knowledge
from pages_support import AS_OF, FORM, NATIVE, Site, assert_page, csrf_of


def statuses(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-drug="([a-z]+)" data-status="([a-z-]+)"', html))


def api_statuses(client: TestClient, body: Any, condition: str) -> dict[str, str]:
    r = client.post(
        "/api/assess",
        params={"condition": condition, "as_of": AS_OF.isoformat()},
        content=json.dumps(body),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text
    return {o["drug"]: o["status"] for o in r.json()["options"]}


def test_form_gives_the_api_statuses(client: TestClient, kb: Knowledge) -> None:
    r = client.post("/assess", data={**FORM, "csrf_token": csrf_of(client)})
    assert r.status_code == 200, r.text
    assert_page(r.text, kb)
    shown = statuses(r.text)
    assert shown == api_statuses(client, NATIVE, "ankylosing-spondylitis")
    assert shown["upadacitinib"] == "eligible" and shown["abrocitinib"] == "not-indicated"
    # Findings and their sources are there on demand; screening and monitoring with dates.
    assert "<details" in r.text and "/sources/" in r.text
    assert 'data-item="tb" data-status="done"' in r.text
    assert re.search(r'data-analyte="[a-z-]+" data-status="(upcoming|due|overdue)"', r.text)


def test_unknown_lists_give_needs_data(client: TestClient) -> None:
    form = {k: v for k, v in FORM.items() if not k.endswith("_reviewed") and k != "medications"}
    form.pop("infection")
    r = client.post("/assess", data={**form, "csrf_token": csrf_of(client)})
    assert r.status_code == 200
    assert statuses(r.text)["upadacitinib"] == "needs-data"


def test_messages_next_to_the_fields(client: TestClient) -> None:
    bad = {**FORM, "age_years": "forty", "lab_lymphocytes_value": "x", "condition": "",
           "prior_outcome_0": "", "csrf_token": csrf_of(client)}  # fmt: skip
    r = client.post("/assess", data=bad)
    assert r.status_code == 422
    for name in ("age_years", "lab_lymphocytes_value", "condition", "prior_outcome_0"):
        assert f'id="{name}-error"' in r.text, name
        assert re.search(rf'id="{re.escape(name)}"[^>]*aria-invalid="true"', r.text), name
    # What was typed is kept.
    assert 'value="forty"' in r.text
    # An impossible lab value is caught by the patient validation, next to its field.
    r = client.post(
        "/assess", data={**FORM, "lab_lymphocytes_value": "-5", "csrf_token": csrf_of(client)}
    )
    assert r.status_code == 422 and 'id="lab_lymphocytes_value-error"' in r.text


def test_fhir_bundle_upload(client: TestClient, kb: Knowledge) -> None:
    from jakguide.adapters.fhir import patient_to_bundle
    from jakguide.adapters.native import patient_from_data

    bundle = patient_to_bundle(patient_from_data(NATIVE, kb), kb)
    data = json.dumps(bundle).encode()
    condition = "ankylosing-spondylitis"
    r = client.post(
        "/assess",
        data={"condition": condition, "region": "US", "as_of": AS_OF.isoformat(),
              "csrf_token": csrf_of(client)},
        files={"patient_file": ("bundle.json", data, "application/fhir+json")},
    )  # fmt: skip
    assert r.status_code == 200, r.text[:2000]
    assert "uploaded patient file" in r.text
    assert statuses(r.text) == api_statuses(client, json.loads(data), condition)


def test_bad_upload_is_reported_next_to_the_file_field(client: TestClient) -> None:
    r = client.post(
        "/assess",
        data={**FORM, "csrf_token": csrf_of(client)},
        files={"patient_file": ("x.json", b'{"resourceType": "Bundle", "entry": 3}', "text/plain")},
    )
    assert r.status_code == 422 and 'id="patient_file-error"' in r.text


def test_stored_patient_assessment(client: TestClient, site: Site) -> None:
    pid = site.patient("DEMO-AS-2")
    r = client.get(f"/patients/{pid}/assess")
    assert r.status_code == 200
    api = client.get(f"/api/patients/{pid}/assessment", params={"as_of": AS_OF.isoformat()})
    assert statuses(r.text) == {o["drug"]: o["status"] for o in api.json()["options"]}
    assert statuses(r.text)["upadacitinib"] == "eligible"
