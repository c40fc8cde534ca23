"""The patient guide page, its HTML document and its PDF (the guide package's own output)."""

from __future__ import annotations

import io

from starlette.testclient import TestClient

from jakguide.kb.base import Knowledge
from pages_support import AS_OF, Site


def test_guide_page_defaults_to_the_running_therapy(client: TestClient, site: Site) -> None:
    pid = site.patient("DEMO-AS-1")
    page = client.get(f"/patients/{pid}/guide").text
    assert '<option value="tofacitinib" selected>' in page
    assert f"/patients/{pid}/guide.pdf?drug=tofacitinib" in page
    assert "<iframe" in page and 'title="Patient guide for tofacitinib"' in page


def test_guide_html_is_the_guide_document(client: TestClient, site: Site, kb: Knowledge) -> None:
    pid = site.patient("DEMO-AS-1")
    r = client.get(f"/patients/{pid}/guide.html", params={"drug": "tofacitinib"})
    assert r.status_code == 200
    assert "script" not in r.headers["content-security-policy"]
    assert "not a substitute for clinical judgement" in r.text
    assert f"Knowledge version {kb.version}" in r.text
    assert 'data-statement="' in r.text


def test_guide_pdf(client: TestClient, site: Site, kb: Knowledge) -> None:
    from pypdf import PdfReader

    pid = site.patient("DEMO-PSO-1")
    r = client.get(f"/patients/{pid}/guide.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == (
        f'attachment; filename="guide-deucravacitinib-{AS_OF.isoformat()}.pdf"'
    )
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert "Sotyktu" in text and kb.version in text


def test_guide_for_a_drug_that_does_not_fit_says_why(client: TestClient, site: Site) -> None:
    pid = site.patient("DEMO-AS-1")
    r = client.get(f"/patients/{pid}/guide.html", params={"drug": "nope"})
    assert r.status_code == 422 and "not a drug in the knowledge" in r.text
    # Not approved for this patient's condition: the guide carries its banner.
    r = client.get(f"/patients/{pid}/guide.html", params={"drug": "ruxolitinib"})
    assert r.status_code == 200 and 'id="banner"' in r.text
    page = client.get(f"/patients/{pid}/guide", params={"drug": "ruxolitinib"}).text
    assert "guide.pdf?drug=ruxolitinib" in page
