"""Hostile-input fuzz run: generated requests across every operation of the API with the inputs
the red-team run used (lone surrogates, control characters, huge and non-finite numbers, deep
nesting, YAML aliases, dates at and past the limits, ids past 2^63, blank text). No response may
be a 5xx, every 4xx is a problem document, and nothing may raise.

In-process (ASGI) and derandomized so that it runs in CI in about a minute; ``REQUESTS`` (default
10,000; ``JAKGUIDE_FUZZ_REQUESTS``) sets the count. ``test_web_schemathesis.py`` adds schemathesis'
schema-driven cases for the same operations.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from jakguide.kb.base import Knowledge
from jakguide.store import Actor, Records, Settings, accounts
from jakguide.store.schemas import PatientIn
from jakguide.web import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

REQUESTS = int(os.environ.get("JAKGUIDE_FUZZ_REQUESTS", "10000"))
BATCH = 50  # requests per generated example

# JSON text fragments (raw, so that they can hold what json.dumps would refuse or escape).
HOSTILE_JSON = [
    '"\\ud800"',
    '"x\\udfff"',
    '"\\ud83d"',
    '"\\u0000"',
    '"a\\u0001b"',
    '"\\u007f"',
    '"   "',
    '""',
    '"' + "x" * 5000 + '"',
    "1" + "0" * 5000,
    "-" + "9" * 30,
    str(2**63),
    str(-(2**63) - 1),
    "1e400",
    "-1e400",
    "1e-400",
    "NaN",
    "Infinity",
    "[" * 3000 + "]" * 3000,
    '{"a":' * 80 + "1" + "}" * 80,
    '"9999-12-31"',
    '"0001-01-01"',
    '"1899-12-31"',
    '"2201-01-01"',
    '"1900-01-01"',
    '"2200-12-31"',
    '"2026-02-30"',
    "null",
    "true",
    "[]",
    "{}",
    "0",
    "-1",
]
HOSTILE_QUERY = [
    "9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01", "2200-12-31", "1900-01-01",
    "\udcff", "\x00", "\x01", "   ", "x" * 3000, str(2**63), "-1", "1e400", "NaN", "",
]  # fmt: skip
YAML_BODIES = [
    'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
    "c: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n",
    "age_years: 1" + "0" * 5000 + "\n",
    'label: "\\ud800"\n',
    "x: " + "[" * 200 + "]" * 200 + "\n",
    "birth_date: 9999-12-31\n",
    "!!python/object:os.system\n",
]
PARAM = re.compile(r"\{([^}]+)\}")


class Target:
    def __init__(self, tmp: Path, kb: Knowledge) -> None:
        self.app = create_app(Settings(data_dir=tmp), knowledge=kb)
        self.db = self.app.state.jakguide.db
        self.kb = kb
        with self.db.transaction() as s:
            clinic = accounts.ensure_clinic(s, "Hostile", None, "UTC")
            user = accounts.add_clinician(s, clinic, "hostile", "correct horse battery", None)
            self.actor = Actor(user.id, clinic.id)
            import datetime as dt

            token, _ = accounts.issue_token(s, user, "api", dt.timedelta(hours=4))
        self.headers = {"Authorization": f"Bearer {token}"}
        with self.db.transaction() as s:
            self.patient = Records(s, self.actor, kb).create_patient(PatientIn(label="fuzz")).id
        spec = self.app.openapi()
        self.operations: list[tuple[str, str, dict[str, Any]]] = [
            (method.upper(), path, op)
            for path, methods in spec["paths"].items()
            for method, op in methods.items()
            if path.startswith("/api/") and path != "/api/auth/logout"
        ]


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory, kb: Knowledge) -> Any:
    made = Target(tmp_path_factory.mktemp("hostile"), kb)
    yield made
    made.db.dispose()


def _body(op: dict[str, Any], draw: Any) -> tuple[bytes | None, str]:
    content = (op.get("requestBody") or {}).get("content") or {}
    if not content:
        return None, "application/json"
    if "application/yaml" in content and draw(st.booleans()):
        return draw(st.sampled_from(YAML_BODIES)).encode(
            "utf-8", "surrogatepass"
        ), "application/yaml"
    schema = content.get("application/json", {}).get("schema", {})
    names = sorted((schema.get("properties") or {}).keys()) or [
        "label", "age_years", "value", "date", "drug", "baseline", "current", "resourceType",
    ]  # fmt: skip
    shape = draw(st.integers(0, 3))
    if shape == 0:  # one hostile document
        return draw(st.sampled_from(HOSTILE_JSON)).encode(), "application/json"
    picked = draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))
    parts = []
    for name in picked:
        if draw(st.booleans()):
            fragment = draw(st.sampled_from(HOSTILE_JSON))
        else:
            fragment = json.dumps(draw(st.sampled_from(["2026-01-01", "x", 1, 1.5, [], None])))
        parts.append(f"{json.dumps(name)}: {fragment}")
    return ("{" + ", ".join(parts) + "}").encode(), "application/json"


@st.composite
def requests(draw: Any, target: Target) -> dict[str, Any]:
    method, path, op = draw(st.sampled_from(target.operations))
    url = path
    for name in PARAM.findall(path):
        if name == "patient_id" and draw(st.integers(0, 3)) > 0:
            value = target.patient
        elif name in ("row_id", "link_id"):
            value = draw(st.sampled_from([str(2**63), "0", "-1", "1", "1" + "0" * 40, "x"]))
        else:
            value = draw(st.sampled_from([*HOSTILE_QUERY[:6], "pasi", "tofacitinib", "x"]))
        url = url.replace("{" + name + "}", quote(value, safe="", errors="surrogatepass") or "x")
    params = {}
    for param in op.get("parameters", []):
        if param.get("in") == "query" and draw(st.booleans()):
            params[param["name"]] = draw(
                st.sampled_from([*HOSTILE_QUERY, "US", "plaque-psoriasis"])
            )
    body, media = _body(op, draw) if method in ("POST", "PUT") else (None, "application/json")
    headers = {**target.headers, "Content-Type": media}
    if method in ("PUT", "DELETE") and draw(st.booleans()):
        headers["If-Match"] = draw(st.sampled_from(['"1"', '"999"', "*", "W/x", '"\\x01"']))
    if params:  # encoded here: a lone surrogate goes out as the bytes a client would send
        url += "?" + "&".join(
            f"{quote(k)}={quote(v, safe='', errors='surrogatepass')}" for k, v in params.items()
        )
    return {"method": method, "url": url, "content": body, "headers": headers}


def test_hostile_requests_never_give_a_server_error(target: Target) -> None:
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    with TestClient(target.app, raise_server_exceptions=True) as client:

        @given(batch=st.lists(requests(target), min_size=BATCH, max_size=BATCH))
        @settings(
            max_examples=max(1, REQUESTS // BATCH),
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=(Phase.explicit, Phase.generate),  # failures are collected, not shrunk
        )
        def run(batch: list[dict[str, Any]]) -> None:
            for req in batch:
                r = client.request(
                    req["method"],
                    req["url"],
                    content=req["content"],
                    headers=req["headers"],
                )
                statuses[r.status_code] += 1
                kind = r.headers.get("content-type", "")
                where = f"{req['method']} {req['url'][:80]}"
                if r.status_code >= 500:
                    failures.append(f"{where}: {r.status_code} {r.text[:200]}")
                elif r.status_code >= 400 and kind != "application/problem+json":
                    failures.append(f"{where}: {r.status_code} as {kind}")
                elif "Traceback" in r.text:
                    failures.append(f"{where}: traceback in the body")

        run()
    assert sum(statuses.values()) >= REQUESTS
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(sorted(set(failures))[:40])
