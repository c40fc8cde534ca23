"""The ASDAS form takes what the record already holds for its date (issue 12): the BASDAI
questions ASDAS shares, from a BASDAI entered with its items that day, and that day's CRP in
mg/L, each with a note saying where it came from; the clinician can change them."""

from __future__ import annotations

import html
import re

from starlette.testclient import TestClient

from jakguide.instruments.asdas import FROM_BASDAI
from pages_support import csrf_of

DAY = "2026-11-20"
BASDAI = {"q1": "4", "q2": "7", "q3": "3", "q4": "5", "q5": "6", "q6": "8"}


def _value(page: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*\bid="{re.escape(name)}"[^>]*\bvalue="([^"]*)"', page)
    return found.group(1) if found else None


def _selected(page: str, name: str) -> str | None:
    select = re.search(rf'<select id="{re.escape(name)}".*?</select>', page, re.S)
    assert select is not None
    found = re.search(r'<option value="([^"]*)" selected>', select.group(0))
    return found.group(1) if found else None


def _as_patient_with_basdai_and_crp(client: TestClient) -> str:
    csrf = csrf_of(client)
    r = client.post(
        "/patients/new",
        data={"csrf_token": csrf, "label": "PREFILL-1", "birth_date": "1980-05-01",
              "sex": "male", "condition": "ankylosing-spondylitis"},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303, r.text[:500]
    pid = r.headers["location"].rsplit("/", 1)[1]
    version = re.search(
        r'name="version" value="([^"]+)"', client.get(f"/patients/{pid}/labs/new").text
    )
    assert version is not None
    lab = {"csrf_token": csrf, "version": html.unescape(version.group(1)), "analyte": "crp",
           "value": "1.2", "unit": "mg/dL", "date": DAY}  # fmt: skip
    r = client.post(f"/patients/{pid}/labs/new", data=lab, follow_redirects=False)
    assert r.status_code == 303, r.text[-2000:]
    r = client.post(
        f"/patients/{pid}/scores/new?instrument=basdai",
        data={"csrf_token": csrf, "date": DAY, **BASDAI},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[-2000:]
    return str(pid)


def test_asdas_is_prefilled_from_same_day_basdai_and_crp(client: TestClient) -> None:
    pid = _as_patient_with_basdai_and_crp(client)
    page = client.get(f"/patients/{pid}/scores/new?instrument=asdas-crp&date={DAY}").text
    assert _value(page, "date") == DAY
    for item, question in FROM_BASDAI.items():  # the instrument's mapping, not restated here
        assert _value(page, item) == BASDAI[question], item
    assert _value(page, "patient_global") == "", "not a BASDAI question: left to the clinician"
    assert _value(page, "crp") == "12" and _selected(page, "crp_unit") == "mg/L"
    notes = re.search(r'<div class="alert alert-note" id="prefilled">(.*?)</div>', page, re.S)
    assert notes is not None
    text = re.sub(r"<[^>]+>", " ", notes.group(1))
    assert f"From the BASDAI of {DAY}" in text and "back pain (question 2)" in text
    assert f"CRP 12 mg/L from the lab result of {DAY} (entered as 1.2 mg/dL)" in text

    # the clinician can change a pre-filled value: the saved ASDAS has theirs
    sent = {"csrf_token": csrf_of(client), "date": DAY, "back_pain": "5",
            "morning_stiffness_duration": "8", "patient_global": "6",
            "peripheral_pain_swelling": "3", "crp": "12", "crp_unit": "mg/L"}  # fmt: skip
    r = client.post(
        f"/patients/{pid}/scores/new?instrument=asdas-crp", data=sent, follow_redirects=False
    )
    assert r.status_code == 303, r.text[-2000:]
    saved = client.get(f"/api/patients/{pid}/scores").json()[-1]
    assert saved["instrument"] == "asdas-crp" and saved["inputs"]["back_pain"] == 5
    assert saved["inputs"]["crp_mg_l"] == 12


def test_no_prefill_without_same_day_data(client: TestClient) -> None:
    pid = _as_patient_with_basdai_and_crp(client)
    page = client.get(f"/patients/{pid}/scores/new?instrument=asdas-crp&date=2026-11-19").text
    assert 'id="prefilled"' not in page
    assert _value(page, "back_pain") == "" and _value(page, "crp") == ""
    offer = client.get(f"/patients/{pid}/scores/new?instrument=asdas-crp").text  # as of 11-21
    assert 'id="prefilled"' not in offer
    assert f'date={DAY}">Fill in from the BASDAI of {DAY}</a>' in offer
    bad = client.get(f"/patients/{pid}/scores/new?instrument=asdas-crp&date=20-11-2026")
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text
