"""Hostile documents against a real server: the YAML alias bomb and a 10,000-Observation Bundle.

The red-team run: a 292-byte alias bomb to the public ``POST /api/assess`` took 6.4 s and
blocked ``/api/health`` for 6.2 s (one more level: 70 s); 10,000 Observations took 41 s
(quadratic FHIR reading). Now the bomb is refused before the document is built, documents are
parsed and mapped off the event loop, and reading is linear.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from jakguide.adapters.fhir import read_bundle
from jakguide.kb.base import Knowledge
from live_support import Live

HEALTH_LIMIT = 1.0
BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
)


def bundle(observations: int) -> dict[str, Any]:
    entries: list[dict[str, Any]] = [
        {
            "resource": {
                "resourceType": "Patient",
                "id": "p1",
                "birthDate": "1970-01-01",
                "gender": "female",
            }
        }
    ]
    for i in range(observations):
        day = dt.date(2020, 1, 1) + dt.timedelta(days=i % 2000)
        entries.append(
            {
                "resource": {
                    "resourceType": "Observation",
                    "id": f"o{i}",
                    "status": "final",
                    "subject": {"reference": "Patient/p1"},
                    "code": {"coding": [{"system": "http://loinc.org", "code": "731-0"}]},
                    "effectiveDateTime": day.isoformat(),
                    "valueQuantity": {"value": 1000 + i, "unit": "/uL",
                                      "system": "http://unitsofmeasure.org", "code": "/uL"},
                }
            }
        )  # fmt: skip
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


class HealthProbe:
    """Polls /api/health every 100 ms in a thread; records the slowest answer."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.slowest = 0.0
        self.answers = 0
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as c:
            while not self._stop.is_set():
                started = time.monotonic()
                r = c.get("/api/health")
                self.slowest = max(self.slowest, time.monotonic() - started)
                self.answers += 1
                if r.status_code != 200:
                    self.errors.append(str(r.status_code))
                time.sleep(0.1)

    def __enter__(self) -> HealthProbe:
        self._thread.start()
        time.sleep(0.3)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def test_alias_bomb_is_refused_at_once_and_health_is_unaffected(
    live: Callable[..., Live],
) -> None:
    server = live()
    with HealthProbe(server.url) as probe, httpx.Client(base_url=server.url, timeout=30) as c:
        for _ in range(5):
            started = time.monotonic()
            r = c.post(
                "/api/assess?condition=plaque-psoriasis",
                content=BOMB,
                headers={"Content-Type": "application/yaml"},
            )
            took = time.monotonic() - started
            assert r.status_code == 422 and r.json()["limit"] == "yaml_aliases"
            assert took < 1.0, f"alias bomb took {took:.2f} s"
    assert not probe.errors and probe.slowest < HEALTH_LIMIT, probe.slowest


def test_fhir_reading_is_linear(kb: Knowledge) -> None:
    """Four times the Observations take about four times the time; quadratic reading took
    16x (the bound leaves room for a busy machine)."""
    day = dt.date(2026, 1, 1)

    def timed(n: int) -> float:
        data = bundle(n)
        started = time.perf_counter()
        read = read_bundle(data, kb, day)
        took = time.perf_counter() - started
        assert len(read.patient.labs or []) == n
        return took

    timed(200)  # warm-up
    small, large = min(timed(1000) for _ in range(3)), min(timed(4000) for _ in range(3))
    assert large < 10 * small, f"1,000: {small:.2f} s, 4,000: {large:.2f} s (not linear)"


def test_ten_thousand_observations_import_without_blocking_health(
    live: Callable[..., Live],
) -> None:
    """Health keeps answering while the import runs. A blocked event loop answers once, after
    the whole import; the bound is relative to the import's own time, so a busy machine (the
    full suite on two cores) slows both without failing the test."""
    server = live()
    data = bundle(10_000)
    with HealthProbe(server.url) as probe, server.client(timeout=120) as c:
        before = probe.answers
        started = time.monotonic()
        r = c.post("/api/patients/import", json=data)
        took = time.monotonic() - started
        during = probe.answers - before
    assert r.status_code == 201, r.text[:300]
    assert r.json()["added"] == 10_000
    assert not probe.errors
    assert during >= 3, f"health answered {during} times during a {took:.2f} s import"
    assert probe.slowest < max(HEALTH_LIMIT, took / 4), (probe.slowest, took)
    print(f"10,000-Observation import: {took:.2f} s; slowest health {probe.slowest:.3f} s")
