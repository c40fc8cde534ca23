"""Feedback: stored (SQLite and PostgreSQL), summarised by ``jakguide cds feedback-report``
(acceptance line 3 of issue 13)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cds_conformance import check_feedback
from cds_service_support import AS_OF, cds_app, draft, order_request, patient, prefetch
from jakguide.cli import build_app
from jakguide.kb.base import Knowledge
from jakguide.store.models import CdsFeedbackRow
from jakguide.store.testing import temporary_database, unreachable_reason

KETOCONAZOLE = {"medications": [{"drug": "ketoconazole", "route": "oral"}]}
TOFA_BID = ("tofacitinib 5 MG Oral Tablet", 5, 2)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    if request.param == "sqlite":
        yield None
        return
    problem = unreachable_reason()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{problem} (CI must run the PostgreSQL tests)", pytrace=False)
        pytest.skip(problem)
    with temporary_database() as url:
        yield url


def _feedback(card: dict[str, Any], outcome: str, reason: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "card": card["uuid"],
        "outcome": outcome,
        "outcomeTimestamp": "2026-11-21T10:15:00Z",
    }
    if outcome == "accepted":
        item["acceptedSuggestions"] = [{"id": card["suggestions"][0]["uuid"]}]
    if reason is not None:
        coding = next(r for r in card["overrideReasons"] if r["code"] == reason)
        item["overrideReason"] = {"reason": coding, "userComment": "seen by rheumatology"}
    return item


def test_feedback_is_stored_and_reported(
    tmp_path: Path, kb: Knowledge, database_url: str | None
) -> None:
    p = patient("as-man-tnf-ir", KETOCONAZOLE)
    path = "/cds-services/jakguide-order-sign/feedback"
    with cds_app(tmp_path, kb, AS_OF, database_url=database_url) as cds:
        cards = []
        for _ in range(3):  # three orders, three hookInstances
            body = order_request("order-sign", [draft(*TOFA_BID)], prefetch(p, kb))
            cards.append(cds.call("jakguide-order-sign", body).json()["cards"])
        dose = [next(c for c in cs if c["indicator"] == "warning") for cs in cards]
        boxed = [next(c for c in cs if c["indicator"] == "info") for cs in cards]
        sent = {
            "feedback": [
                _feedback(dose[0], "accepted"),
                _feedback(dose[1], "overridden", "clinical-judgement"),
                _feedback(boxed[0], "overridden", "already-addressed"),
                _feedback(boxed[1], "overridden", "already-addressed"),
            ]
        }
        assert check_feedback(sent) == []
        response = cds.client.post(path, json=sent, headers=cds.headers(path))
        assert response.status_code == 200, response.text
        assert response.json() == {}
        refused = cds.client.post(path, json=sent)
        assert refused.status_code == 401
        bad = {"feedback": [{**sent["feedback"][0], "outcome": "ignored"}]}
        invalid = cds.client.post(path, json=bad, headers=cds.headers(path))
        assert invalid.status_code == 400
        assert "outcome" in invalid.json()["issue"][0]["details"]["text"]
        db = cds.app.state.jakguide.db
        with db.read_session() as s:
            rows = s.query(CdsFeedbackRow).order_by(CdsFeedbackRow.id).all()
        assert [r.outcome for r in rows] == ["accepted", "overridden", "overridden", "overridden"]
        assert rows[1].reason_code == "clinical-judgement"
        assert rows[0].accepted_suggestions == 1
    env = {"JAKGUIDE_DATA_DIR": str(tmp_path / "data")}
    if database_url:
        env["JAKGUIDE_DATABASE_URL"] = database_url
    runner = CliRunner()
    app = build_app(("cds",))
    result = runner.invoke(app, ["cds", "feedback-report", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    report = {(r["card_type"], r["rule"]): r for r in json.loads(result.output)}
    dose_row = report[("dose", "interactions.us-strong-cyp3a4-inhibitor")]
    assert (dose_row["shown"], dose_row["accepted"], dose_row["overridden"]) == (3, 1, 1)
    assert dose_row["override_rate"] == 0.5
    boxed_row = next(r for (t, _), r in report.items() if t == "boxed-warning")
    assert boxed_row["override_rate"] == 1.0
    assert boxed_row["top_override_reason"] == "Already addressed (done elsewhere or ordered)"
    text = runner.invoke(app, ["cds", "feedback-report"], env=env, terminal_width=200)
    assert text.exit_code == 0
    assert "50%" in text.output and "100%" in text.output
    bad_date = runner.invoke(app, ["cds", "feedback-report", "--since", "yesterday"], env=env)
    assert bad_date.exit_code == 2 and "--since" in bad_date.output


def test_cards_are_written_in_batches_and_at_shutdown(tmp_path: Path, kb: Knowledge) -> None:
    from sqlalchemy import func, select

    from jakguide.cds.feedback import CardLog
    from jakguide.store.db import Database
    from jakguide.store.models import CdsCardRow
    from jakguide.store.settings import Settings

    p = patient("as-man-tnf-ir", KETOCONAZOLE)
    with cds_app(tmp_path, kb, AS_OF) as cds:
        for _ in range(2):
            body = order_request("order-sign", [draft(*TOFA_BID)], prefetch(p, kb))
            assert len(cds.call("jakguide-order-sign", body).json()["cards"]) == 2
    db = Database(Settings(data_dir=tmp_path / "data"))
    try:
        with db.read_session() as s:
            assert s.scalar(select(func.count()).select_from(CdsCardRow)) == 4
        log = CardLog(db, max_rows=3, max_age=3600)
        card = {"indicator": "info", "source": {"topic": {"code": "boxed-warning:r"}}}
        assert not log.add("svc", [{**card, "uuid": "u1"}, {**card, "uuid": "u2"}], None)
        assert log.add("svc", [{**card, "uuid": "u3"}, {**card, "uuid": "u1"}], None)
        log.flush()
        log.flush()  # nothing waiting: no write
        with db.read_session() as s:
            rows = s.scalars(select(CdsCardRow.uuid).where(CdsCardRow.service_id == "svc"))
            assert sorted(rows) == ["u1", "u2", "u3"]  # u1 kept once
    finally:
        db.dispose()
