"""Store fixtures: every store test runs on SQLite and on a real PostgreSQL server.

Each PostgreSQL test gets its own database, dropped afterwards. When the server is unreachable
the PostgreSQL tests skip with the reason locally, and FAIL when ``CI`` is set (``make test``
starts a server first; see .ci/ensure-postgres.sh).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from jakguide.store import Database, Settings
from jakguide.store.testing import temporary_database, unreachable_reason


@cache
def _pg_problem() -> str | None:
    return unreachable_reason()


def require_postgres() -> None:
    problem = _pg_problem()
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{problem} (CI must run the PostgreSQL tests)", pytrace=False)
    pytest.skip(problem)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    if request.param == "sqlite":
        yield Settings(data_dir=tmp_path / "data")
        return
    require_postgres()
    with temporary_database() as url:
        yield Settings(data_dir=tmp_path / "data", database_url=url)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings, migrate=True)
    yield database
    database.dispose()
