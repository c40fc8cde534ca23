"""Web fixtures: an app on a temporary SQLite store, clients, and clinicians with tokens.

Accounts are made through the store (faster than the login endpoint); the auth tests use the
endpoints themselves.
"""

from __future__ import annotations

import datetime as dt
import itertools
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from jakguide.kb.base import Knowledge
from jakguide.store import Settings, accounts
from jakguide.web import create_app
from jakguide.web.deps import AppState

with warnings.catch_warnings():
    # Starlette >= 1.x prefers the httpx2 fork for its TestClient and warns once at import.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


PASSWORD = "correct horse battery"
_names = itertools.count(1)


@dataclass
class User:
    username: str
    clinic: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_app(tmp: Path, kb: Knowledge, **overrides: Any) -> FastAPI:
    return create_app(Settings(data_dir=tmp, **overrides), knowledge=kb)


def add_user(app: FastAPI, clinic: str, timezone: str = "UTC") -> User:
    state: AppState = app.state.jakguide
    username = f"user{next(_names)}"
    with state.db.transaction() as s:
        c = accounts.ensure_clinic(s, clinic, timezone, "UTC")
        user = accounts.add_clinician(s, c, username, PASSWORD, None)
        raw, _ = accounts.issue_token(s, user, "api", dt.timedelta(days=1))
    return User(username, clinic, raw)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, kb: Knowledge) -> FastAPI:
    return make_app(tmp_path_factory.mktemp("store"), kb)


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def user(app: FastAPI) -> User:
    return add_user(app, f"clinic-{next(_names)}")


@pytest.fixture
def new_user() -> Callable[..., User]:
    """``new_user(app, clinic, timezone="UTC")``: a clinician with an API token."""
    return add_user


@pytest.fixture
def new_app(tmp_path: Path, kb: Knowledge) -> Iterator[Callable[..., FastAPI]]:
    """``new_app(**settings)``: an app on a fresh store (disposed after the test)."""
    made: list[FastAPI] = []

    def build(**overrides: Any) -> FastAPI:
        app = make_app(tmp_path / f"store{len(made)}", kb, **overrides)
        made.append(app)
        return app

    yield build
    for app in made:
        app.state.jakguide.db.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database (dropped afterwards); FAILS in CI when unreachable."""
    import os

    from jakguide.store.testing import temporary_database, unreachable_reason

    problem = unreachable_reason()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{problem} (CI must run the PostgreSQL tests)", pytrace=False)
        pytest.skip(problem)
    with temporary_database() as url:
        yield url
