"""``jakguide demo``: the command's options, the demo clinic's contents, a fresh store only;
and the docs name every page route and the demo's options."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jakguide.cli import app
from jakguide.kb.base import Knowledge
from jakguide.store import Database, Records, Settings, to_patient
from jakguide.store.audit import Actor
from jakguide.store.models import Clinician
from pages_support import AS_OF, Site

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_demo_options_match_serve() -> None:
    runner = CliRunner()
    demo = runner.invoke(app, ["demo", "--help"], terminal_width=200).stdout
    for option in ("--as-of", "--host", "--port", "--data-dir"):
        assert option in demo, option
    serve = runner.invoke(app, ["serve", "--help"], terminal_width=200).stdout
    assert "--host" in serve and "--port" in serve


def test_demo_refuses_a_store_that_is_not_fresh(site: Site) -> None:
    result = CliRunner().invoke(
        app, ["demo", "--data-dir", str(site.data_dir), "--as-of", AS_OF.isoformat()]
    )
    assert result.exit_code == 2
    assert "already holds a store" in result.stderr
    result = CliRunner().invoke(app, ["demo", "--as-of", "21/11/2026"])
    assert result.exit_code == 2 and "--as-of" in result.stderr


def test_demo_clinic(site: Site, kb: Knowledge) -> None:
    db = Database(Settings(data_dir=site.data_dir))
    try:
        with db.sessions() as s:
            user = s.query(Clinician).filter_by(username="demo").one()
            records = Records(s, Actor(user.id, user.clinic_id), kb)
            patients = [
                to_patient(records.load(pid), kb, AS_OF) for pid, _, _ in site.demo.patients
            ]
    finally:
        db.dispose()
    assert len(patients) == 5
    conditions = {c for p in patients for c in p.conditions or []}
    assert {"plaque-psoriasis", "psoriatic-arthritis", "ankylosing-spondylitis"} <= conditions
    for p in patients:
        assert p.therapy is not None
        dates = [lab.date for lab in p.labs or []] + [s.date for s in p.scores or []]
        assert max(dates) <= AS_OF
        assert (AS_OF - min(dates)).days >= 90, "months of labs and scores"


def test_demo_dates_follow_as_of(tmp_path: Path, kb: Knowledge) -> None:
    from jakguide.store.demo import build_demo

    later = AS_OF + dt.timedelta(days=400)
    made = build_demo(Settings(data_dir=tmp_path), kb, later, password="long enough 1")
    db = Database(Settings(data_dir=tmp_path))
    try:
        with db.sessions() as s:
            user = s.query(Clinician).one()
            records = Records(s, Actor(user.id, user.clinic_id), kb)
            pid = next(p for p, label, _ in made.patients if label == "DEMO-PSA-1")
            patient = to_patient(records.load(pid), kb, later)
    finally:
        db.dispose()
    assert patient.therapy is not None
    assert patient.therapy.start_date == later - dt.timedelta(days=150)


@pytest.mark.parametrize(
    "path",
    [
        "/login",
        "/logout",
        "/patients",
        "/patients/new",
        "/patients/{id}",
        "/patients/{id}/assess",
        "/patients/{id}/guide",
        "/patients/{id}/guide.html",
        "/patients/{id}/guide.pdf",
        "/patients/{id}/scores/new",
        "/patients/{id}/links",
        "/patients/{id}/links/{link_id}/revoke",
        "/assess",
        "/drugs",
        "/sources",
        "/sources/{doc}",
        "/p/{token}",
        "/p/{token}/guide",
        "/p/{token}/guide.pdf",
        "/p/{token}/report",
    ],
)
def test_every_page_is_documented(path: str) -> None:
    assert f"`{path}`" in (DOCS / "pages.md").read_text()


def test_every_page_route_is_in_the_list_above(site: Site) -> None:
    documented = (DOCS / "pages.md").read_text()
    for route in site.app.routes:
        path = str(getattr(route, "path", ""))
        if path.startswith(("/api", "/openapi", "/docs", "/redoc", "/static")) or path == "/":
            continue
        path = path.replace("{patient_id}", "{id}").replace("{doc_id}", "{doc}")
        assert f"`{path}`" in documented, path


def test_demo_is_documented() -> None:
    text = (DOCS / "pages.md").read_text()
    for words in ("jakguide demo", "--as-of", "--host", "--port", "--data-dir"):
        assert words in text
