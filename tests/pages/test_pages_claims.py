"""``/claims``: paste an article, see the claims judged; the pasted text is escaped."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from jakguide.kb.base import Knowledge
from pages_support import assert_page, csrf_of

ARTICLE = (
    "<script>alert('x')</script> Tofacitinib, upadacitinib and abrocitinib are approved for "
    "plaque psoriasis. Deucravacitinib is approved for plaque psoriasis."
)


def test_form_and_result(client: TestClient, kb: Knowledge) -> None:
    page = client.get("/claims")
    assert page.status_code == 200
    assert_page(page.text, kb)
    r = client.post(
        "/claims", data={"text": ARTICLE, "region": "US", "csrf_token": csrf_of(client)}
    )
    assert r.status_code == 200, r.text
    assert_page(r.text, kb)
    assert "<script>alert" not in r.text
    assert "&lt;script&gt;" in r.text
    verdicts = re.findall(r'<tr id="c\d+" data-verdict="([a-z-]+)">', r.text)
    assert verdicts.count("false") == 3
    assert verdicts.count("true") == 1
    assert '<mark class="v-false"' in r.text
    assert "/static/claims.css" in r.text
    assert client.get("/static/claims.css").status_code == 200


def test_bad_input_is_a_page(client: TestClient) -> None:
    empty = client.post("/claims", data={"text": " ", "csrf_token": csrf_of(client)})
    assert empty.status_code == 422
    region = client.post(
        "/claims", data={"text": "x", "region": "XX", "csrf_token": csrf_of(client)}
    )
    assert region.status_code == 422
    no_csrf = client.post("/claims", data={"text": "x"})
    assert no_csrf.status_code == 403


def test_login_required(anon: TestClient) -> None:
    r = anon.get("/claims", follow_redirects=False)
    assert r.status_code == 303
