"""The patient record page on the demo clinic: overdue monitoring, label actions, response
badges, plot setup (data from the timeline API) and the visits; clinic isolation."""

from __future__ import annotations

import json
import re
from html import unescape

from starlette.testclient import TestClient

from jakguide.kb.base import Knowledge
from pages_support import AS_OF, Site


def badges(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-badge="([^"]+)" data-state="([a-z-]+)"', html))


def config(html: str) -> dict[str, object]:
    found = re.search(r"data-config='([^']+)'", html)
    assert found is not None
    data: dict[str, object] = json.loads(unescape(found.group(1)))
    return data


def test_overdue_lipid_check_is_highlighted_for_one_patient(client: TestClient, site: Site) -> None:
    listing = client.get("/patients").text
    assert listing.count("data-overdue=") == 1
    assert 'data-overdue="ldl-cholesterol"' in listing
    for pid, label, _ in site.demo.patients:
        page = client.get(f"/patients/{pid}").text
        overdue = 'id="overdue"' in page
        assert overdue == (label == "DEMO-PSA-1"), label
    page = client.get(f"/patients/{site.patient('DEMO-PSA-1')}").text
    assert "OVERDUE: LDL cholesterol" in page
    assert 'data-analyte="ldl-cholesterol" data-status="overdue" class="overdue"' in page


def test_low_lymphocyte_count_calls_for_action(client: TestClient, site: Site) -> None:
    page = client.get(f"/patients/{site.patient('DEMO-AS-1')}").text
    assert 'id="lab-actions"' in page
    assert re.search(r'data-analyte="lymphocytes">Lymphocytes[^<]*0\.45 10\^9/L: recheck', page)
    assert "label action: recheck" in page  # the visit is flagged too
    listing = client.get("/patients").text
    assert listing.count("data-alert=") == 1


def test_response_badges(client: TestClient, site: Site) -> None:
    expected = {
        "DEMO-PSO-1": {"PASI 75": "reached"},
        "DEMO-PSO-2": {"PASI 75": "not-reached"},
        "DEMO-PSA-1": {"DAPSA response": "reached", "PASI 75": "not-evaluable"},
        "DEMO-AS-1": {"ASDAS clinically important improvement": "reached", "ASAS40": "reached"},
        "DEMO-AS-2": {"ASDAS clinically important improvement": "reached", "ASAS40": "not-reached"},
    }
    for label, want in expected.items():
        page = client.get(f"/patients/{site.patient(label)}").text
        assert badges(page) == want, label


def test_plots_are_set_up_from_the_timeline_api(
    client: TestClient, site: Site, kb: Knowledge
) -> None:
    pid = site.patient("DEMO-AS-1")
    page = client.get(f"/patients/{pid}").text
    cfg = config(page)
    keys = [c["key"] for c in cfg["scores"]]  # type: ignore[attr-defined]
    assert keys == ["basdai", "asdas-crp"]
    labs = [a["analyte"] for a in cfg["labs"]]  # type: ignore[attr-defined]
    assert {"lymphocytes", "neutrophils", "hemoglobin", "ldl-cholesterol"} <= set(labs)
    for key in keys:
        assert f'id="chart-{key}"' in page
    for analyte in labs:
        assert f'id="chart-lab-{analyte}"' in page
    basdai = cfg["scores"][0]  # type: ignore[index]
    assert [b["high"] for b in basdai["bands"]] == [4.0, None]
    timeline = client.get(str(cfg["timeline"]))
    assert timeline.status_code == 200
    data = timeline.json()
    assert data["as_of"] == AS_OF.isoformat() and data["drug"] == "tofacitinib"
    assert {s["instrument"] for s in data["scores"]} >= {"basdai", "asdas-crp", "basfi"}
    assert any(t["analyte"] == "lymphocytes" for t in data["thresholds"])
    assert all("inputs" in s for s in data["scores"])
    assert '<script src="/static/vendor/chart.js/chart.umd.min.js"></script>' in page


def test_psoriasis_plots_include_bsa(client: TestClient, site: Site) -> None:
    cfg = config(client.get(f"/patients/{site.patient('DEMO-PSO-1')}").text)
    charts = {c["key"]: c for c in cfg["scores"]}  # type: ignore[attr-defined]
    assert list(charts) == ["pasi", "bsa", "dlqi"]
    assert charts["bsa"]["input"] == "bsa_percent"
    assert charts["dlqi"]["max"] == 30.0


def test_visits_are_listed_newest_first(client: TestClient, site: Site) -> None:
    page = client.get(f"/patients/{site.patient('DEMO-PSO-1')}").text
    dates = re.findall(r'<li data-date="(\d{4}-\d\d-\d\d)">', page)
    assert dates == sorted(dates, reverse=True) and len(dates) >= 6
    assert "Started deucravacitinib 6 mg" in page


def test_another_clinics_patient_is_not_found_and_audited(client: TestClient, site: Site) -> None:
    for path in [
        f"/patients/{site.other_patient}",
        f"/patients/{site.other_patient}/assess",
        f"/patients/{site.other_patient}/guide.pdf?drug=deucravacitinib",
        f"/patients/{site.other_patient}/scores/new?instrument=pasi",
    ]:
        r = client.get(path)
        assert r.status_code == 404, path
        assert "no such patient in your clinic" in r.text
    log = client.get("/api/audit", params={"limit": 20}).json()
    assert any(e["outcome"] == "not-found" and e["resource_id"] == site.other_patient for e in log)


def test_page_reads_are_audited(client: TestClient, site: Site) -> None:
    pid = site.patient("DEMO-PSO-2")
    client.get(f"/patients/{pid}")
    log = client.get("/api/audit", params={"limit": 5}).json()
    assert any(e["resource"] == "record-page" and e["patient_id"] == pid for e in log)


def test_new_patient(client: TestClient, kb: Knowledge) -> None:
    token = client.cookies.get("jakguide_csrf")
    r = client.post(
        "/patients/new",
        data={"label": "", "birth_date": "1990-02-30", "sex": "female", "csrf_token": token},
    )
    assert r.status_code == 422
    assert 'id="label-error"' in r.text and 'id="birth_date-error"' in r.text
    r = client.post(
        "/patients/new",
        data={"label": "NEW-1", "birth_date": "1990-02-03", "sex": "female",
              "condition": "psoriatic-arthritis", "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "NEW-1" in page and "Psoriatic arthritis" in page
    assert badges(page) == {"DAPSA response": "not-evaluable"}
