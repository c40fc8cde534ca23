"""Sessions, CSRF, bearer tokens, rate limiting, and authentication on every record endpoint."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from starlette.testclient import TestClient

from jakguide.store import accounts
from jakguide.web.deps import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE

PASSWORD = "correct horse battery"


def login(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    return client.post("/api/auth/login", json={"username": username, "password": password})


def set_cookie_headers(response: Any) -> dict[str, str]:
    out = {}
    for header in response.headers.get_list("set-cookie"):
        out[header.split("=", 1)[0]] = header.lower()
    return out


def test_login_sets_a_hardened_session_cookie(app: FastAPI, user: Any) -> None:
    with TestClient(app) as c:
        r = login(c, user.username)
        assert r.status_code == 200, r.text
        cookies = set_cookie_headers(r)
        session = cookies[SESSION_COOKIE]
        assert "httponly" in session and "samesite=lax" in session and "max-age=43200" in session
        assert "secure" not in session  # plain HTTP: a Secure cookie would never come back
        assert "httponly" not in cookies[CSRF_COOKIE]  # readable by the page's script
        assert c.get("/api/auth/me").json()["username"] == user.username
    with TestClient(app, base_url="https://testserver") as c:
        assert "secure" in set_cookie_headers(login(c, user.username))[SESSION_COOKIE]


def test_cookie_writes_need_the_csrf_token(app: FastAPI, user: Any) -> None:
    with TestClient(app) as c:
        csrf = login(c, user.username).json()["csrf_token"]
        r = c.post("/api/patients", json={"label": "x"})
        assert r.status_code == 403 and r.json()["field"] == CSRF_HEADER
        r = c.post("/api/patients", json={"label": "x"}, headers={CSRF_HEADER: "forged"})
        assert r.status_code == 403 and r.json()["value"] == "mismatch"
        assert c.get("/api/patients").json()["total"] == 0  # nothing was written
        r = c.post("/api/patients", json={"label": "x"}, headers={CSRF_HEADER: csrf})
        assert r.status_code == 201
        r = c.post("/api/auth/logout", headers={CSRF_HEADER: csrf})
        assert r.status_code == 204
        assert c.get("/api/patients").status_code == 401


def test_bearer_tokens_need_no_csrf_and_can_be_revoked(client: TestClient, user: Any) -> None:
    r = client.post(
        "/api/auth/tokens",
        json={"username": user.username, "password": PASSWORD, "name": "lab robot"},
    )
    assert r.status_code == 201
    headers = {"Authorization": f"Bearer {r.json()['token']}"}
    assert client.post("/api/patients", json={"label": "x"}, headers=headers).status_code == 201
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    r = client.get("/api/patients", headers=headers)
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")


def test_expired_tokens_are_refused(app: FastAPI, client: TestClient, user: Any) -> None:
    state = app.state.jakguide
    with state.db.transaction() as s:
        clinician = accounts.authenticate(s, user.username, PASSWORD)
        assert clinician is not None
        raw, _ = accounts.issue_token(s, clinician, "api", dt.timedelta(seconds=-1))
    r = client.get("/api/patients", headers={"Authorization": f"Bearer {raw}"})
    assert r.status_code == 401


def test_failed_logins_are_rate_limited(
    new_app: Callable[..., FastAPI], new_user: Callable[..., Any]
) -> None:
    app = new_app(login_max_failures=3, login_window_seconds=60)
    user = new_user(app, "rl")
    with TestClient(app) as c:
        for _ in range(3):
            assert login(c, user.username, "wrong password").status_code == 401
        r = login(c, user.username)  # even the right password waits now
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert r.headers["content-type"] == "application/problem+json"
        assert login(c, "someone-else", "wrong").status_code == 401  # other accounts still try


def test_unknown_user_and_wrong_password_look_the_same(client: TestClient, user: Any) -> None:
    a = login(client, user.username, "wrong password")
    b = login(client, "no-such-user", "wrong password")
    assert a.status_code == b.status_code == 401
    assert a.json()["detail"] == b.json()["detail"]


def record_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every record endpoint, from the OpenAPI spec."""
    return [
        (method.upper(), path)
        for path, ops in app.openapi()["paths"].items()
        if path.startswith(("/api/patients", "/api/audit"))
        for method in ops
    ]


def test_every_record_endpoint_requires_authentication(app: FastAPI, client: TestClient) -> None:
    routes = record_routes(app)
    assert len(routes) > 40
    for method, path in routes:
        url = path.replace("{patient_id}", "00000000-0000-0000-0000-000000000000").replace(
            "{row_id}", "1"
        )
        r = client.request(method, url, json={})
        assert r.status_code == 401, (method, path, r.status_code)
