"""Public pages without login: condition guides, symptom triage and the decision aid. The two
forms work by POST without JavaScript, and nothing they receive is stored or logged."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from starlette.testclient import TestClient

from jakguide.web.deps import AppState


def _row_counts(app: FastAPI) -> dict[str, int]:
    state: AppState = app.state.jakguide
    engine = state.db.engine
    names = sa.inspect(engine).get_table_names()
    with engine.connect() as conn:
        return {
            n: int(conn.execute(sa.text(f'SELECT COUNT(*) FROM "{n}"')).scalar_one()) for n in names
        }


def test_guides_index_and_a_guide_without_login(client: TestClient) -> None:
    index = client.get("/guides")
    assert index.status_code == 200
    assert "/guides/plaque-psoriasis?region=US" in index.text
    page = client.get("/guides/plaque-psoriasis", params={"region": "US", "as_of": "2026-12-01"})
    assert page.status_code == 200
    assert "Sotyktu (deucravacitinib) is approved for plaque psoriasis" in page.text
    assert "<script" not in page.text
    bad = client.get("/guides/nothing")
    assert bad.status_code == 404


def test_triage_page_post_without_js(client: TestClient) -> None:
    form = client.get("/triage")
    assert form.status_code == 200 and "Intended use" in form.text
    got = client.post(
        "/triage",
        data={"drug": "tofacitinib", "region": "EU", "symptom": ["chest-pain", "breathless"]},
    )
    assert got.status_code == 200
    assert "Get emergency help now" in got.text and "112" in got.text
    bad = client.post("/triage", data={"drug": "", "words": "fever"})
    assert bad.status_code == 422 and "drug" in bad.text


def test_decide_gives_points_without_a_verdict(client: TestClient) -> None:
    got = client.post("/decide", data={"smoking": "yes", "clots": "yes"})
    assert got.status_code == 200
    assert "Points to talk about" in got.text
    assert "blood clots" in got.text
    for verdict in ("You should", "not right for you", "is right for you"):
        assert verdict not in got.text


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/decide", {"smoking": "yes", "heart": "yes", "pregnancy": "yes"}),
        ("/triage", {"drug": "upadacitinib", "words": "secretword pain\nfever"}),
    ],
)
def test_nothing_is_stored_or_logged(
    app: FastAPI,
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
    path: str,
    data: dict[str, str],
) -> None:
    before = _row_counts(app)
    with caplog.at_level(logging.DEBUG):
        got = client.post(path, data=data)
    assert got.status_code == 200
    assert _row_counts(app) == before
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for value in data.values():
        for word in str(value).split():
            if word not in ("yes",):
                assert word not in logged
    assert "yes" not in logged and "secretword" not in logged
