"""Issue 10 acceptance on the assessment page: the examples under "Why", each checked in the HTML
the clinician reads (the CLI and the API are checked in tests/web/test_web_derive.py,
tests/web/test_names_units_api.py and the vignettes).

What the form can say is typed into the form (an eGFR with no dialysis status, PASI and BSA with
no severity, a 70-year-old woman with no pregnancy status, a CRP with no inflammation flag); what
it cannot (two results of one analyte, a therapy start, a score history) is uploaded as the
vignette's patient file on the same page. "Humira", "adalimumb" and the 1.8 /uL unit slip are in
tests/pages/test_pages_names_units.py.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import yaml
from starlette.testclient import TestClient

from jakguide.kb.base import Knowledge
from pages_support import FORM, assert_page, csrf_of
from vignettes import CASES, load_case

UNSET = ("on_dialysis", "hepatic_impairment", "pregnancy", "breastfeeding", "crp_elevated", "mri")


def _form(client: TestClient, **changes: str) -> dict[str, str]:
    """The page tests' form with the inputs a clinic never records left unset, then ``changes``
    (an empty string clears a field)."""
    data = {k: v for k, v in FORM.items() if k not in UNSET}
    for key in ("lab_creatinine-clearance_value", "lab_creatinine-clearance_unit"):
        data.pop(key)
    data.update(changes)
    data["csrf_token"] = csrf_of(client)
    return {k: v for k, v in data.items() if v != ""}


def _statuses(page: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-drug="([a-z]+)" data-status="([a-z-]+)"', page))


def _row(page: str, drug: str) -> str:
    found = re.search(rf'<tr data-drug="{drug}".*?</tr>', page, re.S)
    assert found is not None, drug
    return html.unescape(found.group(0))


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))


def _derived(page: str) -> dict[str, str]:
    """The "Derived from your record" block: fact -> its list item's text (with the sources)."""
    block = re.search(r'<section aria-labelledby="derived-h".*?</section>', page, re.S)
    assert block is not None, "no derived block on the page"
    items = re.findall(
        r"<li data-rule=\"[a-z-.]+\">(.*?)</li>\s*(?=<li data-rule|</ul>)", block.group(0), re.S
    )
    out = {}
    for item in items:
        fact = re.search(r'<span class="derived-fact">(.*?)</span>', item)
        assert fact is not None
        out[html.unescape(fact.group(1))] = html.unescape(item)
    return out


def test_egfr_98_adult_gets_a_dose_with_not_on_dialysis_derived(
    client: TestClient, kb: Knowledge
) -> None:
    form = _form(client, lab_egfr_value="98", lab_egfr_date="2026-11-10")
    r = client.post("/assess", data=form)
    assert r.status_code == 200, r.text
    assert_page(r.text, kb)
    assert _statuses(r.text)["upadacitinib"] == "eligible"
    assert "15 mg once daily" in _row(r.text, "upadacitinib")
    derived = _derived(r.text)
    fact = "not on dialysis: eGFR 98 mL/min/1.73 m2 on 2026-11-10"
    assert fact in derived, derived
    assert "Used for" in derived[fact] and "upadacitinib" in derived[fact]
    assert "Source" in derived[fact] and 'href="/sources/' in derived[fact]


def test_pasi_18_bsa_20_not_asked_for_severity(client: TestClient) -> None:
    form = _form(client, condition="plaque-psoriasis", pasi="18", bsa_percent="20")
    form["candidate_for"] = "systemic"
    r = client.post("/assess", data=form)
    assert r.status_code == 200, r.text
    assert _statuses(r.text)["deucravacitinib"] == "eligible"  # severity unknown: needs-data
    assert "moderate to severe disease (guideline): PASI 18 (> 10), BSA % 20 (> 10)" in _derived(
        r.text
    )


def test_woman_of_70_not_asked_about_pregnancy(client: TestClient) -> None:
    form = _form(client, region="EU", age_years="70", sex="female")
    r = client.post("/assess", data=form)
    assert r.status_code == 200, r.text
    # caution for age 65 and over (Rinvoq SmPC 4.4), never needs-data for pregnancy
    assert _statuses(r.text)["upadacitinib"] == "caution"
    assert "15 mg once daily" in _row(r.text, "upadacitinib")
    assert "pregnan" not in _text(_row(r.text, "upadacitinib")).lower()
    assert "no reproductive potential: age 70 years (from 55)" in _derived(r.text)


def test_crp_18_settles_objective_inflammation(client: TestClient) -> None:
    form = _form(
        client,
        condition="non-radiographic-axial-spondyloarthritis",
        lab_crp_value="18",
        lab_crp_unit="mg/L",
        lab_crp_date="2026-11-01",
    )
    r = client.post("/assess", data=form)
    assert r.status_code == 200, r.text
    assert _statuses(r.text)["upadacitinib"] == "eligible"
    fact = "objective inflammation: CRP 18 mg/L on 2026-11-01, above the reference limit 5 mg/L"
    assert fact in _derived(r.text)


def test_a_contrary_value_is_named_as_not_derived(client: TestClient) -> None:
    """ALT 150 U/L (above 3x the upper limit) with no hepatic class: "none" is not derived, the
    option waits for the class, and the page says which value kept it from being derived."""
    form = _form(client, lab_alt_value="150", lab_alt_unit="U/L", lab_alt_date="2026-11-10")
    r = client.post("/assess", data=form)
    assert r.status_code == 200, r.text
    assert _statuses(r.text)["tofacitinib"] == "needs-data"
    assert "Not derived: a recorded value disagrees" in r.text
    fact = (
        "hepatic impairment none not derived: ALT 150 U/L on 2026-11-10 is above 3x its "
        "upper limit (40 U/L)"
    )
    derived = _derived(r.text)
    assert fact in derived and "Asked for by" in derived[fact]
    assert not any(k.startswith("hepatic impairment none:") for k in derived)


def test_no_derived_block_when_everything_is_entered(client: TestClient) -> None:
    r = client.post("/assess", data={**FORM, "csrf_token": csrf_of(client)})
    assert r.status_code == 200, r.text
    assert "Derived from your record" not in r.text


# ------------------------------------------------------------------ uploaded vignette patients


def _upload(client: TestClient, case: str) -> tuple[dict[str, Any], str]:
    data = load_case(CASES / case)
    request = data["request"]
    text = yaml.safe_dump(data["patient"], sort_keys=False)
    r = client.post(
        "/assess",
        data={
            "condition": request["condition"],
            "region": request["region"],
            "as_of": str(data["as_of"]),
            "csrf_token": csrf_of(client),
        },
        files={"patient_file": (Path(case).name, text.encode(), "application/yaml")},
    )
    assert r.status_code == 200, r.text
    assert "For the uploaded patient file." in r.text
    return data, r.text


def test_same_day_haemoglobin_finding_and_the_worse_value_used(client: TestClient) -> None:
    _, page = _upload(client, "labs/us-same-day-hemoglobin-worse-used.yaml")
    assert _statuses(page)["tofacitinib"] == "not-recommended"
    row = _row(page, "tofacitinib")
    assert (
        "hemoglobin 14.2 g/dL and 7.1 g/dL on 2026-11-01; the worse value (7.1 g/dL) is used" in row
    )


def test_first_low_lymphocytes_recheck_within_two_weeks(client: TestClient) -> None:
    _, page = _upload(client, "story/us-tofacitinib-first-low-lymphocytes-recheck.yaml")
    rows = re.findall(
        r'<tr data-analyte="lymphocytes" data-status="([a-z]+)">(.*?)</tr>', page, re.S
    )
    due = [(status, html.unescape(body)) for status, body in rows if "18 Nov 2026" in body]
    assert due, rows
    status, body = due[0]
    assert status == "due"
    assert "2 Dec 2026" in body  # due by: 14 days after the result, before the routine plan


def test_pasi_90_responder_not_caution_for_the_review_point(client: TestClient) -> None:
    _, page = _upload(client, "story/eu-deucravacitinib-pasi90-review-met-info.yaml")
    assert _statuses(page)["deucravacitinib"] == "eligible"
    assert "response met" in _row(page, "deucravacitinib").lower()


def test_alt_8x_uln_evaluate_finding(client: TestClient) -> None:
    _, page = _upload(client, "story/us-upadacitinib-alt-8x-uln-evaluate.yaml")
    row = _row(page, "upadacitinib")
    assert "drug-induced liver injury" in row and "8.0x" in row


def test_record_page_assessment_shows_what_was_derived(client: TestClient) -> None:
    """A stored record with no dialysis status: its assessment page shows the derivation."""
    patient = {
        "birth_date": "1981-04-12",
        "sex": "male",
        "conditions": ["ankylosing-spondylitis"],
        "history": [],
        "active_infections": [],
        "medications": [],
        "prior_therapies": [{"drug": "Humira", "outcome": "inadequate-response"}],
        "labs": [
            {"analyte": "lymphocytes", "value": 1.8, "unit": "10*9/L", "date": "2026-11-01"},
            {"analyte": "neutrophils", "value": 4.1, "unit": "10*9/L", "date": "2026-11-01"},
            {"analyte": "hemoglobin", "value": 14.2, "unit": "g/dL", "date": "2026-11-01"},
            {"analyte": "egfr", "value": 98, "unit": "mL/min/{1.73_m2}", "date": "2026-11-10"},
        ],
    }
    r = client.post(
        "/api/patients/import",
        params={"label": "REC-EGFR-98"},
        json=patient,
        headers={"X-CSRF-Token": csrf_of(client)},
    )
    assert r.status_code == 201, r.text
    pid = r.json()["patient"]["id"]
    page = client.get(f"/patients/{pid}/assess", params={"as_of": "2026-11-21"})
    assert page.status_code == 200, page.text
    assert _statuses(page.text)["upadacitinib"] == "eligible"
    assert "not on dialysis: eGFR 98 mL/min/1.73 m2 on 2026-11-10" in _derived(page.text)
    assert "input derived from your record" in page.text or "inputs derived" in page.text
