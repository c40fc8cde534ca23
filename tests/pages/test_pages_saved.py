"""Keep an assessment (issue 12): "save this assessment to a new record" from /assess makes a
record whose assessment gives the same statuses and keeps the first snapshot; a record's
assessment is saved from its page (audited), and a bad payload is a clear 422."""

from __future__ import annotations

import re
from html import unescape

from starlette.testclient import TestClient

from jakguide.store.models import AssessmentRow
from pages_support import FORM, Site, csrf_of


def _statuses(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-drug="([^"]+)" data-status="([^"]+)"', html))


def test_a_form_assessment_becomes_a_record(client: TestClient, site: Site) -> None:
    shown = client.post("/assess", data={**FORM, "csrf_token": csrf_of(client)})
    assert shown.status_code == 200
    payload = re.search(r'name="patient" value="([^"]*)"', shown.text)
    assert payload is not None and 'id="save-new-record"' in shown.text
    data = {
        "csrf_token": csrf_of(client), "patient": unescape(payload.group(1)),
        "condition": FORM["condition"], "region": "US", "as_of": FORM["as_of"],
        "label": "SAVED-FROM-FORM",
    }  # fmt: skip
    r = client.post("/assess/save", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text[:800]
    page = client.get(r.headers["location"])
    assert "SAVED-FROM-FORM" in page.text and 'id="edit-and-rerun"' in page.text
    assert _statuses(page.text) == _statuses(shown.text)
    pid = r.headers["location"].split("/")[2]
    with site.app.state.jakguide.db.sessions() as s:
        kept = s.query(AssessmentRow).filter(AssessmentRow.patient_id == pid).count()
    assert kept == 1

    bad = client.post("/assess/save", data={**data, "patient": '{"sex": "robot"}'})
    assert bad.status_code == 422 and "could not be read" in bad.text
    nolabel = client.post("/assess/save", data={**data, "label": ""})
    assert nolabel.status_code == 422 and "reference" in nolabel.text


def test_a_record_assessment_is_saved_from_its_page(client: TestClient, site: Site) -> None:
    pid = site.patient("DEMO-AS-1")
    page = client.get(f"/patients/{pid}/assess?condition=ankylosing-spondylitis").text
    assert 'id="save-assessment"' in page and 'id="rerun"' in page
    with site.app.state.jakguide.db.sessions() as s:
        before = s.query(AssessmentRow).filter(AssessmentRow.patient_id == pid).count()
    data = {"csrf_token": csrf_of(client), "condition": "ankylosing-spondylitis",
            "region": "US", "as_of": FORM["as_of"]}  # fmt: skip
    r = client.post(f"/patients/{pid}/assessments/save", data=data, follow_redirects=False)
    assert r.status_code == 303
    assert "Saved: assessment for Ankylosing spondylitis" in client.get(r.headers["location"]).text
    with site.app.state.jakguide.db.sessions() as s:
        after = s.query(AssessmentRow).filter(AssessmentRow.patient_id == pid).count()
    assert after == before + 1
    bad = client.post(f"/patients/{pid}/assessments/save", data={**data, "as_of": "2026-13-01"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text
