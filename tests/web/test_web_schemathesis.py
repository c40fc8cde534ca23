"""Property-based API test: schemathesis generates requests from /openapi.json (valid and invalid)
and no response may be a 5xx. Bounded (``EXAMPLES`` per operation) to keep CI fast."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from jakguide.kb.base import Knowledge
from jakguide.store import Actor, Records, Settings, accounts
from jakguide.store.models import Clinician
from jakguide.store.schemas import PatientIn
from jakguide.web import create_app

EXAMPLES = int(os.environ.get("JAKGUIDE_SCHEMATHESIS_EXAMPLES", "25"))


class Target:
    def __init__(self, tmp: Path, kb: Knowledge) -> None:
        self.app = create_app(Settings(data_dir=tmp), knowledge=kb)
        self.db = self.app.state.jakguide.db
        with self.db.transaction() as s:
            clinic = accounts.ensure_clinic(s, "Fuzz", None, "UTC")
            user = accounts.add_clinician(s, clinic, "fuzz", "correct horse battery", None)
            self.actor = Actor(user.id, clinic.id)
        self.headers = self.fresh_headers()
        self.kb = kb

    def fresh_headers(self) -> dict[str, str]:
        with self.db.transaction() as s:
            user = s.get(Clinician, self.actor.clinician_id)
            assert user is not None
            token, _ = accounts.issue_token(s, user, "api", dt.timedelta(hours=2))
        return {"Authorization": f"Bearer {token}"}

    def new_patient(self) -> str:
        with self.db.transaction() as s:
            return Records(s, self.actor, self.kb).create_patient(PatientIn(label="fuzz")).id


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory, kb: Knowledge) -> Any:
    made = Target(tmp_path_factory.mktemp("fuzz"), kb)
    yield made
    made.db.dispose()


def _check(case: Any, target: Target, failures: list[str]) -> None:
    if case.path_parameters and "patient_id" in case.path_parameters:
        case.path_parameters["patient_id"] = target.new_patient()
    # Logout revokes the token it is called with: give it one of its own.
    auth = target.fresh_headers() if case.path == "/api/auth/logout" else target.headers
    headers = {**(case.headers or {}), **auth}
    response = case.call(headers=headers)
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    if response.status_code >= 500:
        failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")
    elif response.status_code >= 400 and content_type != "application/problem+json":
        failures.append(
            f"{case.method} {case.formatted_path}: {response.status_code} as {content_type}"
        )


def test_no_server_errors(target: Target) -> None:
    """Every operation, valid and invalid inputs: never a 5xx; every 4xx is a problem."""
    api = schemathesis.openapi.from_asgi("/openapi.json", target.app)
    failures: list[str] = []
    operations = []
    for result in api.get_all_operations():
        assert isinstance(result, Ok), result.err()
        operations.append(result.ok())
    assert len(operations) > 50
    for operation in operations:
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            _check(case, target, failures)

        run()
    assert not failures, "\n".join(sorted(set(failures))[:50])
