"""Every page renders for a logged-in clinician, with the disclaimer, knowledge version and
release date, an accessible skeleton, strict security headers and nothing fetched elsewhere."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from starlette.testclient import TestClient

from jakguide.kb.base import Knowledge
from pages_support import Site, assert_page


def clinician_pages(site: Site) -> list[str]:
    pso = site.patient("DEMO-PSO-1")
    ax = site.patient("DEMO-AS-1")
    return [
        "/patients",
        "/patients/new",
        f"/patients/{pso}",
        f"/patients/{ax}",
        f"/patients/{ax}/assess",
        f"/patients/{pso}/guide",
        *[f"/patients/{pso}/scores/new?instrument={i}" for i in
          ("pasi", "dlqi", "dapsa", "basdai", "asdas-crp", "basfi")],
        "/assess",
        "/drugs",
        "/drugs?region=EU&condition=plaque-psoriasis",
        "/drugs?region=all",
        "/sources",
        "/sources/rinvoq-hk-pi-ar",
    ]  # fmt: skip


class Skeleton(HTMLParser):
    """Collects what the accessibility and offline checks need."""

    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.lang: str | None = None
        self.assets: list[str] = []
        self.inline_script = False
        self.inline_style = False
        self.landmarks: set[str] = set()
        self.unlabelled: list[str] = []
        self.ids: set[str] = set()
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, dict[str, str | None]]] = []
        self._script = False
        self._in_label = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "h1":
            self.h1 += 1
        if tag in ("header", "main", "footer", "nav"):
            self.landmarks.add(tag)
        if tag == "script":
            self._script = True
            if a.get("src"):
                self.assets.append(str(a["src"]))
        if tag == "link" and a.get("rel") == "stylesheet":
            self.assets.append(str(a.get("href")))
        if tag in ("img", "iframe") and a.get("src"):
            self.assets.append(str(a["src"]))
        if "style" in a:
            self.inline_style = True
        if tag == "label":
            self._in_label += 1
            if a.get("for"):
                self.label_for.add(str(a["for"]))
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            if self._in_label:
                a["aria-label"] = "(wrapped in its label)"
            self.controls.append((tag, a))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._in_label -= 1
        if tag == "script":
            self._script = False

    def handle_data(self, data: str) -> None:
        if self._script and data.strip():
            self.inline_script = True


def test_every_clinician_page_renders(client: TestClient, site: Site, kb: Knowledge) -> None:
    for path in clinician_pages(site):
        r = client.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        assert r.headers["content-type"].startswith("text/html")
        assert_page(r.text, kb)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["cache-control"] == "no-store"
        doc = Skeleton()
        doc.feed(r.text)
        assert doc.lang == "en" and doc.h1 == 1, path
        assert {"header", "main", "footer", "nav"} <= doc.landmarks, path
        assert not doc.inline_script and not doc.inline_style, path
        for asset in doc.assets:
            assert asset.startswith("/") and not asset.startswith("//"), (path, asset)
        for tag, attrs in doc.controls:
            labelled = attrs.get("id") in doc.label_for or attrs.get("aria-label")
            assert labelled, (path, tag, attrs)


def test_every_asset_is_served_from_the_package(client: TestClient, site: Site) -> None:
    seen: set[str] = set()
    for path in clinician_pages(site):
        doc = Skeleton()
        doc.feed(client.get(path).text)
        seen.update(a for a in doc.assets if a.startswith("/static/"))
    assert "/static/vendor/chart.js/chart.umd.min.js" in seen
    for asset in sorted(seen):
        r = client.get(asset)
        assert r.status_code == 200, asset
        assert "http://" not in r.text.split("*/", 1)[-1].replace("http://www.w3.org", "")


def test_pages_are_not_in_the_api_description(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert all(p.startswith("/api/") for p in paths)


def test_error_pages_are_html_with_the_disclaimer(client: TestClient, kb: Knowledge) -> None:
    r = client.get("/patients/no-such-patient")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert_page(r.text, kb)
    r = client.get("/patients?as_of=yesterday")
    assert r.status_code == 422 and "YYYY-MM-DD" in r.text
    r = client.get("/drugs?condition=nope")
    assert r.status_code == 422
    r = client.get("/sources/nope")
    assert r.status_code == 404


@pytest.mark.parametrize("path", ["/static/app.js", "/static/app.css"])
def test_own_assets_reference_nothing_outside(client: TestClient, path: str) -> None:
    text = client.get(path).text
    assert not re.search(r"https?://", text), path
    assert "@import" not in text and "url(" not in text


def test_malformed_query_values_get_an_html_page(client: TestClient, site: Site) -> None:
    pid = site.patient("DEMO-PSO-1")
    for path in ("/patients?offset=x", f"/patients/{pid}/links/x/revoke"):
        r = client.get(path) if "revoke" not in path else client.post(path, data={})
        assert r.status_code == 422, path
        assert r.headers["content-type"].startswith("text/html"), path
