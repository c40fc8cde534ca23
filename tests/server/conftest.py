"""Server fixtures: ``live(**settings)`` starts a real server on a fresh store; ``database_url``
runs a test on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from jakguide.kb.base import Knowledge
from jakguide.store import Settings
from jakguide.web import create_app
from live_support import Live, make_user, start, stop


@pytest.fixture
def live(tmp_path: Path, kb: Knowledge) -> Iterator[Callable[..., Live]]:
    """``live(database_url=None, **settings)``: a real server on a fresh store."""
    made: list[Live] = []

    def build(**overrides: Any) -> Live:
        settings = Settings(data_dir=tmp_path / f"data{len(made)}", **overrides)
        app = create_app(settings, knowledge=kb)
        token = make_user(app, f"Clinic {len(made)}", f"live{len(made)}")
        server, url = start(app)
        found = Live(app, url, token, server)
        made.append(found)
        return found

    yield build
    for found in made:
        stop(found.server)
        found.state.db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None (the default SQLite store) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield None
        return
    from jakguide.store.testing import temporary_database, unreachable_reason

    problem = unreachable_reason()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{problem} (CI must run the PostgreSQL tests)", pytrace=False)
        pytest.skip(problem)
    with temporary_database() as url:
        yield url
