"""Edge inputs through the HTML doors: a page with the problem (4xx), never a 500."""

from __future__ import annotations

import json
import re

from sqlalchemy import text
from starlette.testclient import TestClient

from pages_support import Site, csrf_of


def test_form_dates_outside_1900_2200(client: TestClient, site: Site) -> None:
    csrf = csrf_of(client)
    for day in ("9999-12-31", "1899-12-31"):
        r = client.post(
            "/patients/new",
            data={"csrf_token": csrf, "label": "EDGE-1", "birth_date": day, "sex": "female"},
        )
        assert r.status_code == 422 and "1900-01-01" in r.text
        pid = site.patient("DEMO-PSO-1")
        assert client.get(f"/patients/{pid}?as_of={day}").status_code == 422
        r = client.post(
            "/assess",
            data={"csrf_token": csrf, "as_of": day, "condition": "plaque-psoriasis"},
        )
        assert r.status_code == 422 and "1900-01-01" in r.text


def test_deep_json_upload_and_alias_bomb(client: TestClient) -> None:
    csrf = csrf_of(client)
    for name, content in (
        ("deep.json", "[" * 5000 + "]" * 5000),
        ("bomb.yaml", "a: &a [x, x, x]\nb: [*a, *a, *a]\n"),
        ("bad.json", '{"age_years": 40, "allergies": [{"drug": "\\ud800"}]}'),
    ):
        r = client.post(
            "/assess",
            data={"csrf_token": csrf, "condition": "plaque-psoriasis"},
            files={"patient_file": (name, content.encode(), "application/octet-stream")},
        )
        assert r.status_code == 422, (name, r.status_code)


def test_ids_and_offsets_out_of_range(client: TestClient, site: Site) -> None:
    csrf = csrf_of(client)
    pid = site.patient("DEMO-PSO-1")
    r = client.post(f"/patients/{pid}/links/{2**63}/revoke", data={"csrf_token": csrf})
    assert r.status_code == 422
    assert client.get(f"/patients?offset={10**30}").status_code == 422


def test_control_characters_in_form_fields_are_dropped(client: TestClient) -> None:
    csrf = csrf_of(client)
    r = client.post(
        "/patients/new",
        data={"csrf_token": csrf, "label": "\u0001\u0002", "sex": "female"},
    )
    assert r.status_code == 422  # nothing left: "enter the clinic's reference"


def test_a_stored_bad_row_never_breaks_the_patient_list(client: TestClient, site: Site) -> None:
    pid = site.patient("DEMO-PSO-2")
    with site.app.state.jakguide.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE patients SET allergies = :a WHERE id = :id"),
            {"a": json.dumps([{"drug": "\ud800", "reaction": "\u0001"}]), "id": pid},
        )
    assert client.get("/patients").status_code == 200
    assert client.get(f"/patients/{pid}").status_code == 200


def _link_url(client: TestClient, pid: str, host: str) -> str:
    data = {"questionnaire": "dlqi", "days": "30", "drug": "", "region": "US",
            "csrf_token": csrf_of(client)}  # fmt: skip
    r = client.post(f"/patients/{pid}/links", data=data, headers={"Host": host})
    assert r.status_code == 200, r.text
    found = re.search(r'data-link-url="([^"]*/p/[A-Za-z0-9_-]+)"', r.text)
    assert found is not None
    return found.group(1)


def test_patient_links_never_come_from_the_host_header(client: TestClient, site: Site) -> None:
    pid = site.patient("DEMO-PSO-1")
    assert "evil.example" not in _link_url(client, pid, "evil.example")
    state = site.app.state.jakguide
    settings = state.settings
    state.settings = settings.model_copy(update={"public_url": "https://jak.example.org/clinic"})
    try:
        url = _link_url(client, pid, "evil.example")
    finally:
        state.settings = settings
    assert url.startswith("https://jak.example.org/clinic/p/")
