"""Login, logout, CSRF on every form, and pages that need a login."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from jakguide.kb.base import Knowledge
from pages_support import PASSWORD, Site, assert_page, login


def test_clinician_pages_need_a_login(anon: TestClient, site: Site) -> None:
    pid = site.patient("DEMO-AS-1")
    for path in [
        "/patients",
        f"/patients/{pid}",
        f"/patients/{pid}/assess",
        f"/patients/{pid}/guide",
        f"/patients/{pid}/guide.pdf",
        f"/patients/{pid}/scores/new?instrument=basdai",
        "/assess",
        "/drugs",
        "/sources",
    ]:
        r = anon.get(path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/login?next="), path
    for path in ["/assess", f"/patients/{pid}/links", "/patients/new", "/logout"]:
        r = anon.post(path, data={}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), path


def test_login_page_and_wrong_password(anon: TestClient, kb: Knowledge) -> None:
    page = anon.get("/login")
    assert page.status_code == 200
    assert_page(page.text, kb)
    nonce = re.search(r'name="login_nonce" value="([^"]+)"', page.text)
    assert nonce is not None
    r = anon.post(
        "/login",
        data={"username": "demo", "password": "wrong", "login_nonce": nonce.group(1)},
    )
    assert r.status_code == 401
    assert "Unknown username or wrong password." in r.text
    assert "jakguide_session" not in r.headers.get("set-cookie", "")


def test_login_form_is_protected_against_login_csrf(site: Site) -> None:
    with TestClient(site.app) as c:
        r = c.post("/login", data={"username": "demo", "password": PASSWORD})
        assert r.status_code == 403 and "expired" in r.text
        c.get("/login")
        r = c.post(
            "/login", data={"username": "demo", "password": PASSWORD, "login_nonce": "forged"}
        )
        assert r.status_code == 403


def test_login_goes_back_to_a_local_page_only(site: Site) -> None:
    with TestClient(site.app) as c:
        for target, expected in [
            ("/drugs?region=EU", "/drugs?region=EU"),
            ("//evil.example/x", "/patients"),
            ("https://evil.example/", "/patients"),
        ]:
            page = c.get("/login")
            nonce = re.search(r'name="login_nonce" value="([^"]+)"', page.text)
            assert nonce is not None
            r = c.post(
                "/login",
                data={"username": "demo", "password": PASSWORD, "next": target,
                      "login_nonce": nonce.group(1)},
                follow_redirects=False,
            )  # fmt: skip
            assert r.headers["location"] == expected


def test_session_cookie_flags(site: Site) -> None:
    with TestClient(site.app) as c:
        login(c)
        assert c.get("/patients").status_code == 200
        r = c.get("/api/auth/me")
        assert r.status_code == 200 and r.json()["username"] == "demo"


def test_every_form_needs_the_csrf_token(site: Site) -> None:
    pid = site.patient("DEMO-PSO-2")
    with TestClient(site.app) as c:
        token = login(c)
        for path in [
            "/assess",
            "/patients/new",
            f"/patients/{pid}/scores/new?instrument=basdai",
            f"/patients/{pid}/links",
            f"/patients/{pid}/links/1/revoke",
            "/logout",
        ]:
            for sent in ({}, {"csrf_token": "forged"}):
                r = c.post(path, data=sent, follow_redirects=False)
                assert r.status_code == 403, (path, sent)
                assert "CSRF" in r.text
        # Every form on the pages carries the token.
        page = c.get(f"/patients/{pid}").text
        forms = re.findall(r'<form[^>]*method="post".*?</form>', page, flags=re.S)
        assert forms and all(f'name="csrf_token" value="{token}"' in f for f in forms)


def test_logout_ends_the_session(site: Site) -> None:
    with TestClient(site.app) as c:
        token = login(c)
        r = c.post("/logout", data={"csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"
        assert c.get("/patients", follow_redirects=False).status_code == 303
        assert c.get("/api/auth/me").status_code == 401
