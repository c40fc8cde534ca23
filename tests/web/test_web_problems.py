"""Bad input never gives a 5xx: every 4xx is an RFC 9457 problem naming field, value, reason."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from jakguide.kb.base import Knowledge

PROBLEM = "application/problem+json"
MIB = 1024 * 1024


def problem_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["type"]
    return body


def test_malformed_json_is_400(client: TestClient) -> None:
    r = client.post("/api/assess", params={"condition": "vitiligo"}, content=b'{"sex": ')
    body = problem_of(r, 400)
    assert body["field"] == "body" and "line 1" in body["value"] and "JSON" in body["reason"]


def test_malformed_json_on_a_model_endpoint_is_400(client: TestClient, user: Any) -> None:
    r = client.post(
        "/api/patients",
        content=b"{nope",
        headers={**user.headers, "Content-Type": "application/json"},
    )
    assert problem_of(r, 400)["field"] == "body"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sex": 7}, "sex"),
        (
            {"labs": [{"analyte": "alt", "value": "high", "unit": "U/L", "date": "2026-01-01"}]},
            "labs[0].value",
        ),
        ({"wings": 2}, "wings"),
        ([1, 2], "<patient>"),
    ],
)
def test_wrong_types_name_the_field(client: TestClient, body: Any, field: str) -> None:
    r = client.post("/api/assess", params={"condition": "vitiligo"}, json=body)
    problem = problem_of(r, 422)
    assert problem["field"] == field and problem["reason"]


def test_unknown_condition_and_drug(client: TestClient) -> None:
    r = client.post("/api/assess", params={"condition": "flu"}, json={})
    body = problem_of(r, 422)
    assert (body["field"], body["value"]) == ("condition", "flu")
    assert "accepted" in body["reason"]
    r = client.post("/api/assess", params={"condition": "vitiligo", "drug": "aspirin"}, json={})
    assert problem_of(r, 422)["value"] == "aspirin"
    assert problem_of(client.get("/api/drugs/aspirin"), 404)["field"] == "inn"
    r = client.post("/api/labs", params={"drug": "aspirin"}, json={})
    assert problem_of(r, 422)["field"] == "drug"


def test_impossible_lab_value(client: TestClient, kb: Knowledge) -> None:
    analyte = kb.analyte("lymphocytes")
    assert analyte is not None
    lab = {
        "analyte": "lymphocytes",
        "value": -3,
        "unit": analyte.canonical_unit,
        "date": "2026-01-01",
    }
    r = client.post("/api/assess", params={"condition": "vitiligo"}, json={"labs": [lab]})
    body = problem_of(r, 422)
    assert body["field"] == "labs[0].value" and "impossible" in body["reason"]


def test_query_validation(client: TestClient) -> None:
    r = client.post("/api/assess", params={"condition": "vitiligo", "as_of": "yesterday"}, json={})
    body = problem_of(r, 422)
    assert (body["field"], body["value"]) == ("query.as_of", "yesterday")
    r = client.post("/api/assess", params={"condition": "vitiligo", "region": "MARS"}, json={})
    assert problem_of(r, 422)["field"] == "query.region"
    assert problem_of(client.post("/api/assess", json={}), 422)["field"] == "query.condition"


def test_instrument_errors(client: TestClient) -> None:
    body = problem_of(client.post("/api/scores/basdai", json={"q1": 11}), 422)
    assert body["field"] and body["value"] == 11
    assert problem_of(client.post("/api/scores/nonsense", json={}), 404)["value"] == "nonsense"
    body = problem_of(client.post("/api/scores/basdai", json=[1]), 422)
    assert body["field"] == "body"


def test_media_type_and_empty_body(client: TestClient) -> None:
    r = client.post(
        "/api/assess",
        params={"condition": "vitiligo"},
        content=b"sex=female",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert problem_of(r, 415)["field"] == "Content-Type"
    r = client.post("/api/assess", params={"condition": "vitiligo"}, content=b"")
    assert problem_of(r, 400)["field"] == "body"
    r = client.post(
        "/api/assess",
        params={"condition": "vitiligo"},
        content=b"\xff\xfe",
        headers={"Content-Type": "application/json"},
    )
    problem_of(r, 400)


def test_unknown_route_and_method(client: TestClient) -> None:
    problem_of(client.get("/api/nothing-here"), 404)
    problem_of(client.delete("/api/health"), 405)


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    yield b'{"pad": "'
    sent = 9
    while sent < total:
        yield b"x" * size
        sent += size
    yield b'"}'


def test_oversized_bodies_are_413(client: TestClient) -> None:
    big = b'{"pad": "' + b"x" * (MIB + 10) + b'"}'
    r = client.post("/api/assess", params={"condition": "vitiligo"}, content=big)
    assert problem_of(r, 413)["field"] == "body"
    # Streamed without Content-Length: the limit holds while the body arrives.
    r = client.post(
        "/api/assess",
        params={"condition": "vitiligo"},
        content=_chunks(2 * MIB),
        headers={"Content-Type": "application/json"},
    )
    problem_of(r, 413)
    r = client.post("/api/scores/basdai", content=big, headers={"Content-Type": "application/json"})
    problem_of(r, 413)


def test_fhir_import_has_its_own_larger_streamed_limit(
    new_app: Callable[..., FastAPI], new_user: Callable[..., Any]
) -> None:
    app = new_app(max_body_bytes=64 * 1024, max_import_bytes=MIB)
    user = new_user(app, "limits")
    entries = [
        {"resource": {"resourceType": "Basic", "id": f"b{i}", "code": {"text": "p" * 50}}}
        for i in range(3000)
    ]
    bundle = json.dumps(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [
                {"resource": {"resourceType": "Patient", "id": "p1", "gender": "female"}},
                *entries,
            ],
        }
    )
    assert 64 * 1024 < len(bundle) < MIB
    with TestClient(app) as c:
        headers = {**user.headers, "Content-Type": "application/fhir+json"}
        r = c.post("/api/patients/import", content=bundle, headers=headers)
        assert r.status_code == 201, r.text
        r = c.post("/api/patients", content=bundle, headers=headers)
        problem_of(r, 413)
        r = c.post("/api/patients/import", content=_chunks(2 * MIB), headers=headers)
        problem_of(r, 413)
        assert c.get("/api/patients", headers=user.headers).json()["total"] == 1
