"""Edge inputs the red-team run turned into 500s: each is now a 4xx naming the field or limit.

Also: a row stored with text no encoder accepts (written before these checks, or by another
tool) never breaks a list; a stale ``If-Match`` is 412 and changes nothing; a condition the
patient already has is 409 with the existing row; list reads audit the ids they return.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from starlette.testclient import TestClient

from jakguide.store.models import AuditRow

ANALYTE_UNIT = "10*9/L"
User = Any  # conftest.User of tests/web (a conftest cannot be imported by name here)


def _problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, (r.status_code, r.text[:500])
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    return body


def _patient(client: TestClient, user: User, **fields: Any) -> str:
    r = client.post("/api/patients", json={"label": "edge", **fields}, headers=user.headers)
    assert r.status_code == 201, r.text
    pid: str = r.json()["id"]
    return pid


def _raw(client: TestClient, method: str, url: str, body: str, user: User | None = None) -> Any:
    headers = {"Content-Type": "application/json", **(user.headers if user else {})}
    return client.request(
        method, url, content=body.encode("utf-8", "surrogatepass"), headers=headers
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"label": "\\ud800"}', "body.label"),
        ('{"label": "ok", "history": ["\\udfff"]}', "body.history[0]"),
        ('{"label": "a\\u0000b"}', "body.label"),
    ],
)
def test_invalid_unicode_is_refused_naming_the_field(
    client: TestClient, user: User, body: str, field: str
) -> None:
    problem = _problem(_raw(client, "POST", "/api/patients", body, user), 422)
    assert problem["field"] == field and problem["limit"] == "unicode"


def test_a_surrogate_pair_is_valid_text(client: TestClient, user: User) -> None:
    r = _raw(client, "POST", "/api/patients", '{"label": "\\ud83d\\ude00"}', user)
    assert r.status_code == 201 and r.json()["label"] == "\U0001f600"


def test_huge_and_non_finite_numbers(client: TestClient, user: User) -> None:
    pid = _patient(client, user)
    big = "1" + "0" * 5000
    r = _raw(client, "POST", f"/api/patients/{pid}/labs", '{"value": ' + big + "}", user)
    assert _problem(r, 422)["limit"] == "max_int"
    r = _raw(client, "POST", "/api/responses/pasi", '{"baseline": 1e400, "current": 1}')
    assert _problem(r, 422)["limit"] == "finite_numbers"
    r = _raw(client, "POST", "/api/scores/pasi", '{"x": NaN}')
    assert _problem(r, 422)["limit"] == "finite_numbers"


def test_deep_nesting_and_yaml_alias_bomb(client: TestClient) -> None:
    deep = "[" * 5000 + "]" * 5000
    r = _raw(client, "POST", "/api/assess?condition=plaque-psoriasis", deep)
    assert _problem(r, 422)["limit"] == "max_depth"
    nested = '{"a":' * 100 + "1" + "}" * 100
    r = _raw(client, "POST", "/api/scores/pasi", nested)
    assert _problem(r, 422)["limit"] == "max_depth"
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    r = client.post(
        "/api/assess?condition=plaque-psoriasis",
        content=bomb,
        headers={"Content-Type": "application/yaml"},
    )
    problem = _problem(r, 422)
    assert problem["limit"] == "yaml_aliases" and "alias" in problem["reason"]


@pytest.mark.parametrize("day", ["9999-12-31", "1899-12-31", "0001-01-01", "2201-01-01"])
def test_as_of_out_of_range(client: TestClient, user: User, day: str) -> None:
    r = client.post(f"/api/assess?condition=plaque-psoriasis&as_of={day}", json={"age_years": 40})
    assert _problem(r, 422)["field"] == "query.as_of"
    pid = _patient(client, user)
    r = client.get(f"/api/patients/{pid}/assessment?as_of={day}", headers=user.headers)
    assert _problem(r, 422)["field"] == "query.as_of"


def test_dates_out_of_range_inside_documents(client: TestClient) -> None:
    body = {"age_years": 40, "labs": [{"analyte": "lymphocytes", "value": 1.5,
            "unit": ANALYTE_UNIT, "date": "9999-12-31"}]}  # fmt: skip
    r = client.post("/api/assess?condition=plaque-psoriasis&as_of=2026-01-01", json=body)
    problem = _problem(r, 422)
    assert problem["field"] == "body.labs[0].date"


def test_ids_out_of_range(client: TestClient, user: User) -> None:
    pid = _patient(client, user)
    r = client.get(f"/api/patients/{pid}/labs/{2**63}", headers=user.headers)
    assert _problem(r, 422)["field"] == "path.row_id"
    r = client.get(f"/api/patients?offset={10**30}", headers=user.headers)
    assert _problem(r, 422)["field"] == "query.offset"


def test_blank_names_and_control_characters(client: TestClient, user: User) -> None:
    assert (
        _problem(client.post("/api/patients", json={"label": "   "}, headers=user.headers), 422)[
            "field"
        ]
        == "body.label"
    )
    pid = _patient(client, user)
    therapy = {"drug": "\u0001\u0002\u0003", "start_date": "2026-01-01"}
    r = client.post(f"/api/patients/{pid}/therapies", json=therapy, headers=user.headers)
    assert _problem(r, 422)["field"] == "body.drug"


def test_duplicate_condition_is_409_with_the_existing_row(client: TestClient, user: User) -> None:
    pid = _patient(client, user)
    url = f"/api/patients/{pid}/conditions"
    first = client.post(url, json={"condition": "plaque-psoriasis"}, headers=user.headers)
    assert first.status_code == 201
    again = client.post(url, json={"condition": "plaque-psoriasis"}, headers=user.headers)
    problem = _problem(again, 409)
    assert problem["existing"] == first.json()
    assert len(client.get(url, headers=user.headers).json()) == 1
    other = client.post(url, json={"condition": "psoriatic-arthritis"}, headers=user.headers)
    replaced = client.put(
        f"{url}/{other.json()['id']}", json={"condition": "plaque-psoriasis"}, headers=user.headers
    )  # replacing a row with one the record already has: 409 too, not an IntegrityError
    assert _problem(replaced, 409)["existing"] == first.json()


def test_stale_if_match_is_412_and_changes_nothing(client: TestClient, user: User) -> None:
    """Two clinicians read one record; the second save must not overwrite the first."""
    pid = _patient(client, user)
    url = f"/api/patients/{pid}"
    read = client.get(url, headers=user.headers)
    tag = read.headers["etag"]
    first = client.put(
        url, json={"label": "edge", "smoking": "never"}, headers={**user.headers, "If-Match": tag}
    )
    assert first.status_code == 200 and first.headers["etag"] != tag
    second = client.put(
        url, json={"label": "edge", "smoking": "current"}, headers={**user.headers, "If-Match": tag}
    )
    problem = _problem(second, 412)
    assert problem["field"] == "If-Match" and second.headers["etag"] == first.headers["etag"]
    assert client.get(url, headers=user.headers).json()["smoking"] == "never"
    # A row change moves the version too: an edit based on the old read is stale.
    lab = {"analyte": "lymphocytes", "value": 1.5, "unit": ANALYTE_UNIT, "date": "2026-01-01"}
    assert client.post(f"{url}/labs", json=lab, headers=user.headers).status_code == 201
    stale = client.put(
        url,
        json={"label": "edge"},
        headers={**user.headers, "If-Match": first.headers["etag"]},
    )
    _problem(stale, 412)


def test_a_stored_bad_row_never_breaks_a_list(app: FastAPI, client: TestClient, user: User) -> None:
    pid = _patient(client, user, allergies=[{"drug": "penicillin"}])
    db = app.state.jakguide.db
    with db.engine.begin() as conn:  # as an older version or another tool might have written it
        conn.execute(
            text("UPDATE patients SET allergies = :a WHERE id = :id"),
            {"a": json.dumps([{"drug": "\ud800 bad", "reaction": "x\u0001"}]), "id": pid},
        )
    for url in ("/api/patients?limit=1000", f"/api/patients/{pid}", f"/api/patients/{pid}/record"):
        r = client.get(url, headers=user.headers)
        assert r.status_code == 200, (url, r.text[:300])
    got = client.get(f"/api/patients/{pid}", headers=user.headers).json()
    assert got["allergies"] == [{"drug": "\ufffd bad", "reaction": "x\ufffd"}]


def test_list_reads_audit_the_ids_they_return(app: FastAPI, client: TestClient, user: User) -> None:
    pid = _patient(client, user)
    r = client.get("/api/patients?limit=1000", headers=user.headers)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    with app.state.jakguide.db.sessions() as s:
        row = (
            s.query(AuditRow)
            .filter(AuditRow.resource == "patient-list")
            .order_by(AuditRow.id.desc())
            .first()
        )
        assert row is not None and pid in json.loads(row.detail or "[]")
