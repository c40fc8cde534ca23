"""The same API on PostgreSQL (JAKGUIDE_DATABASE_URL): records, views and isolation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from jakguide.kb.base import Knowledge


@pytest.mark.postgres
def test_records_on_postgresql(
    new_app: Callable[..., FastAPI],
    new_user: Callable[..., Any],
    postgres_url: str,
    kb: Knowledge,
) -> None:
    app = new_app(database_url=postgres_url)
    a, b = new_user(app, "PG A"), new_user(app, "PG B")
    analyte = kb.analyte("lymphocytes")
    assert analyte is not None
    with TestClient(app) as c:
        assert c.get("/api/health").json()["database"] == "postgresql"
        pid = c.post("/api/patients", json={"label": "pg"}, headers=a.headers).json()["id"]
        for body in ({"condition": "rheumatoid-arthritis"},):
            assert (
                c.post(f"/api/patients/{pid}/conditions", json=body, headers=a.headers).status_code
                == 201
            )
        lab = {
            "analyte": "lymphocytes",
            "value": 1000,
            "unit": analyte.canonical_unit,
            "date": "2026-01-01",
        }
        assert c.post(f"/api/patients/{pid}/labs", json=lab, headers=a.headers).status_code == 201
        bad = {**lab, "value": -1}
        assert c.post(f"/api/patients/{pid}/labs", json=bad, headers=a.headers).status_code == 422
        r = c.get(
            f"/api/patients/{pid}/assessment", params={"as_of": "2026-11-21"}, headers=a.headers
        )
        assert r.status_code == 200 and r.json()["condition"] == "rheumatoid-arthritis"
        assert len(c.get(f"/api/patients/{pid}/labs", headers=a.headers).json()) == 1
        assert c.get(f"/api/patients/{pid}", headers=b.headers).status_code == 404
        assert c.get("/api/audit", headers=b.headers).json()[0]["outcome"] == "not-found"
