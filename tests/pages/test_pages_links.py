"""Patient links and self-report: 256-bit tokens stored hashed, expiring and revocable,
no-referrer pages, every open audited, reports on the clinician's timeline, and a link that
reaches its own patient only."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sqlite3
from contextlib import closing

from starlette.testclient import TestClient

from jakguide.store.links import PatientLink, SelfReport
from jakguide.store.models import AuditRow
from pages_support import AS_OF, Site, csrf_of


def create_link(client: TestClient, pid: str, **fields: str) -> str:
    data = {"questionnaire": "dlqi", "days": "30", "drug": "", "region": "US",
            "csrf_token": csrf_of(client), **fields}  # fmt: skip
    r = client.post(f"/patients/{pid}/links", data=data)
    assert r.status_code == 200, r.text
    assert r.headers["referrer-policy"] == "no-referrer"
    found = re.search(r'data-link-url="[^"]*/p/([A-Za-z0-9_-]+)"', r.text)
    assert found is not None
    return found.group(1)


def audit_rows(site: Site, patient_id: str | None = None) -> list[AuditRow]:
    with site.app.state.jakguide.db.sessions() as s:
        q = s.query(AuditRow).order_by(AuditRow.id)
        if patient_id is not None:
            q = q.filter(AuditRow.patient_id == patient_id)
        return list(q)


def test_token_is_random_long_and_stored_hashed(client: TestClient, site: Site) -> None:
    pid = site.patient("DEMO-PSO-1")
    tokens = {create_link(client, pid) for _ in range(3)}
    assert len(tokens) == 3
    for token in tokens:
        assert len(token) >= 43  # 32 random bytes, URL-safe base64: 256 bits
    with site.app.state.jakguide.db.sessions() as s:
        stored = {link.token_hash for link in s.query(PatientLink)}
    for token in tokens:
        assert hashlib.sha256(token.encode()).hexdigest() in stored
    with closing(sqlite3.connect(site.data_dir / "jakguide.sqlite3")) as db:
        dump = "\n".join(db.iterdump())
    for token in tokens:
        assert token not in dump
    # The link is shown once: the record page lists it without the token.
    page = client.get(f"/patients/{pid}").text
    assert all(token not in page for token in tokens)


def test_patient_pages_are_no_referrer_and_every_open_is_audited(
    client: TestClient, anon: TestClient, site: Site
) -> None:
    pid = site.patient("DEMO-AS-2")
    token = create_link(client, pid, questionnaire="basdai", drug="upadacitinib")
    before = len(audit_rows(site, pid))
    for path in ("", "/guide", "/report"):
        r = anon.get(f"/p/{token}{path}")
        assert r.status_code == 200, path
        assert r.headers["referrer-policy"] == "no-referrer"
        assert "noindex" in r.headers["x-robots-tag"]
        assert r.headers["cache-control"] == "no-store"
        assert "set-cookie" not in r.headers
    r = anon.get(f"/p/{token}/guide.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert r.headers["referrer-policy"] == "no-referrer"
    opens = [a for a in audit_rows(site, pid)[before:] if a.resource.startswith("patient-link")]
    assert [a.resource for a in opens] == [
        "patient-link:home",
        "patient-link:guide-html",
        "patient-link:report",
        "patient-link:guide-pdf",
    ]
    assert all(a.clinician_id is None and a.outcome == "ok" for a in opens)
    home = anon.get(f"/p/{token}").text
    assert "Decision support for clinicians" in home and 'content="no-referrer"' in home


def test_self_report_reaches_the_clinicians_timeline(
    client: TestClient, anon: TestClient, site: Site
) -> None:
    pid = site.patient("DEMO-AS-2")
    token = create_link(client, pid, questionnaire="basdai")
    form = anon.get(f"/p/{token}/report").text
    assert "Question 1: fatigue" in form and "itch" not in form.lower()  # BASDAI: no itch
    bad = anon.post(f"/p/{token}/report", data={"q1": "12", "itch": "11"})
    assert bad.status_code == 422
    assert 'id="q1-error"' in bad.text and 'id="itch-error"' in bad.text
    data = {
        "q1": "3",
        "q2": "4",
        "q3": "2",
        "q4": "2",
        "q5": "3",
        "q6": "3",
        "itch": "4",
        "side_effects": ["headache", "acne or spots"],
        "note": "tired in the mornings",
    }
    r = anon.post(f"/p/{token}/report", data=data, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/p/{token}?sent=1"
    assert "Your answers were sent" in anon.get(r.headers["location"]).text
    with site.app.state.jakguide.db.sessions() as s:
        report = s.query(SelfReport).filter(SelfReport.patient_id == pid).one()
        assert report.instrument == "basdai" and report.value == 2.8
        assert report.itch == 4 and report.side_effects == ["headache", "acne or spots"]
        assert report.date == AS_OF and report.score_id is not None
    page = client.get(f"/patients/{pid}").text
    assert "Patient-reported" in page
    assert "BASDAI 2.8 (not-active); itch 4/10; side effects noticed: headache, acne or spots" in (
        page
    )
    timeline = client.get(f"/api/patients/{pid}/timeline", params={"as_of": AS_OF.isoformat()})
    assert any(s["instrument"] == "basdai" and s["value"] == 2.8 for s in timeline.json()["scores"])
    creates = [a for a in audit_rows(site, pid) if a.resource == "self-report"]
    assert len(creates) == 1 and creates[0].action == "create"


def test_dlqi_report_has_the_notice_and_item_scores(
    client: TestClient, anon: TestClient, site: Site
) -> None:
    from jakguide.instruments import DLQI_NOTICE

    pid = site.patient("DEMO-PSO-2")
    token = create_link(client, pid)
    form = anon.get(f"/p/{token}/report").text
    assert DLQI_NOTICE in form and "Item 10 score" in form and "itchy" not in form.lower()
    data = {f"q{i}": "1" for i in range(1, 11)} | {"q7": "not-relevant"}
    r = anon.post(f"/p/{token}/report", data=data, follow_redirects=False)
    assert r.status_code == 303
    assert "DLQI 9 (moderate)" in client.get(f"/patients/{pid}").text


def test_link_reaches_its_own_patient_only(
    client: TestClient, anon: TestClient, site: Site
) -> None:
    mine, theirs = site.patient("DEMO-PSO-1"), site.patient("DEMO-AS-1")
    token = create_link(client, mine, drug="deucravacitinib")
    # The link's pages ignore any patient named in the request.
    guide = anon.get(f"/p/{token}/guide", params={"patient_id": theirs, "drug": "tofacitinib"})
    assert "Sotyktu" in guide.text and "Xeljanz" not in guide.text
    # Without a clinician's session, nothing else opens.
    for path in (f"/patients/{theirs}", f"/patients/{theirs}/guide.pdf", "/patients"):
        r = anon.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
    for path in (f"/api/patients/{theirs}/timeline", f"/api/patients/{mine}/record"):
        assert anon.get(path).status_code == 401
    # Changing the token opens nothing, and the attempt is audited.
    for bad in (token[:-1], token + "x", token.upper(), "x" * 300):
        r = anon.get(f"/p/{bad}")
        assert r.status_code == 404 and r.headers["referrer-policy"] == "no-referrer"
        assert "does not work" in r.text
    # Unknown tokens name no clinic: they are counted and written as one aggregated row.
    site.app.state.jakguide.link_failures.flush(site.app.state.jakguide.db)
    failed = [a for a in audit_rows(site) if a.outcome == "not-found" and a.clinic_id is None]
    assert sum(int((a.detail or "attempts=1").split("=")[1]) for a in failed) >= 4
    # A report sent through the link lands on its own patient.
    with site.app.state.jakguide.db.sessions() as s:
        before = s.query(SelfReport).filter(SelfReport.patient_id == theirs).count()
    data = {f"q{i}": "0" for i in range(1, 11)}
    anon.post(f"/p/{token}/report", data=data | {"patient_id": theirs})
    with site.app.state.jakguide.db.sessions() as s:
        assert s.query(SelfReport).filter(SelfReport.patient_id == theirs).count() == before
        assert s.query(SelfReport).filter(SelfReport.patient_id == mine).count() >= 1


def test_revoked_and_expired_links_stop_working(
    client: TestClient, anon: TestClient, site: Site
) -> None:
    pid = site.patient("DEMO-PSA-1")
    revoked, expired = create_link(client, pid), create_link(client, pid)
    with site.app.state.jakguide.db.sessions() as s:
        links = {link.token_hash: link for link in s.query(PatientLink).filter_by(patient_id=pid)}
        row = links[hashlib.sha256(revoked.encode()).hexdigest()]
        link_id = row.id
        stale = links[hashlib.sha256(expired.encode()).hexdigest()]
        stale.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        s.commit()
    assert anon.get(f"/p/{revoked}").status_code == 200
    r = client.post(
        f"/patients/{pid}/links/{link_id}/revoke",
        data={"csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    for token, outcome in ((revoked, "revoked"), (expired, "expired")):
        r = anon.get(f"/p/{token}/report")
        assert r.status_code == 404, outcome
        assert anon.post(f"/p/{token}/report", data={}).status_code == 404
        last = audit_rows(site, pid)[-1]
        assert last.outcome == outcome and last.resource == "patient-link:report-submit"
    page = client.get(f"/patients/{pid}").text
    assert f'data-link="{link_id}" data-state="revoked"' in page
    # A clinician of another clinic cannot revoke it; neither can a wrong patient id.
    r = client.post(
        f"/patients/{site.patient('DEMO-AS-1')}/links/{link_id}/revoke",
        data={"csrf_token": csrf_of(client)},
    )
    assert r.status_code == 404


def test_link_options_are_checked(client: TestClient, site: Site) -> None:
    pid = site.patient("DEMO-PSO-1")
    for fields in ({"days": "0"}, {"days": "91"}, {"questionnaire": "x"}, {"drug": "nope"},
                   {"days": "two"}):  # fmt: skip
        data = {"questionnaire": "dlqi", "days": "30", "csrf_token": csrf_of(client), **fields}
        r = client.post(f"/patients/{pid}/links", data=data)
        assert r.status_code == 422, fields


def test_deleting_a_patient_deletes_links_and_reports(
    client: TestClient, anon: TestClient, site: Site
) -> None:
    r = client.post(
        "/patients/new",
        data={"label": "GONE-1", "sex": "male", "condition": "ankylosing-spondylitis",
              "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )  # fmt: skip
    pid = r.headers["location"].rsplit("/", 1)[1]
    token = create_link(client, pid, questionnaire="basdai")
    data = {f"q{i}": "2" for i in range(1, 7)}
    assert anon.post(f"/p/{token}/report", data=data, follow_redirects=False).status_code == 303
    assert (
        client.delete(f"/api/patients/{pid}", headers={"X-CSRF-Token": csrf_of(client)}).status_code
        == 204
    )
    with site.app.state.jakguide.db.sessions() as s:
        assert s.query(PatientLink).filter_by(patient_id=pid).count() == 0
        assert s.query(SelfReport).filter_by(patient_id=pid).count() == 0
    assert anon.get(f"/p/{token}").status_code == 404
