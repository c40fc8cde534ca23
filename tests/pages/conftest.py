"""Page fixtures: an app on a temporary store holding the demo clinic (as of a fixed day), a
second clinic, and clients logged in through the HTML login form.

The app is built once per test module; tests that change data use their own patients.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from jakguide.kb.base import Knowledge
from jakguide.store import Settings, accounts
from jakguide.store.demo import build_demo
from jakguide.web import create_app
from jakguide.web.pages import set_default_as_of

with warnings.catch_warnings():
    # Starlette >= 1.x prefers the httpx2 fork for its TestClient and warns once at import.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from pages_support import AS_OF, OTHER_PASSWORD, PASSWORD, Site, login


def _other_clinic(app: FastAPI, kb: Knowledge) -> str:
    from jakguide.store.audit import Actor
    from jakguide.store.records import Records
    from jakguide.store.schemas import ConditionIn, PatientIn

    state = app.state.jakguide
    with state.db.transaction() as s:
        clinic = accounts.ensure_clinic(s, "Other clinic", "UTC", "UTC")
        user = accounts.add_clinician(s, clinic, "other", OTHER_PASSWORD, None)
        records = Records(s, Actor(user.id, clinic.id), kb)
        row = records.create_patient(PatientIn(label="OTHER-1", sex="female"))
        records.add_row(row.id, "conditions", ConditionIn(condition="plaque-psoriasis"))
        return row.id


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, kb: Knowledge) -> Iterator[Site]:
    data = tmp_path_factory.mktemp("pages")
    settings = Settings(data_dir=data)
    demo = build_demo(settings, kb, AS_OF, password=PASSWORD)
    app = create_app(settings, knowledge=kb)
    set_default_as_of(app, AS_OF)
    other = _other_clinic(app, kb)
    yield Site(app, demo, other, data)
    app.state.jakguide.db.dispose()


@pytest.fixture(scope="module")
def client(site: Site) -> Iterator[TestClient]:
    """A clinician of the demo clinic, logged in."""
    with TestClient(site.app) as c:
        login(c)
        yield c


@pytest.fixture(scope="module")
def anon(site: Site) -> Iterator[TestClient]:
    """No login (a patient, or someone who is not logged in)."""
    with TestClient(site.app) as c:
        yield c
