"""Benchmark the server under concurrency and overload (issue 19), on the default SQLite store.

Starts ``jakguide serve`` (one worker) on a temporary store and a free loopback port, then:

1. mixed: ``--clients`` (20) clients for ``--mixed`` s (20) each looping over: create a patient,
   add a lab to a shared patient, list its labs, list patients, read a record. Counts every
   status; then SIGKILLs the server *while the clients are still writing*, restarts it and checks
   that every acknowledged lab is stored.
2. overload: ``--rate`` (200) requests/s for ``--duration`` s (30) to a record page (the HTML
   page of a patient with 40 labs), open loop; a prober reads ``/api/health`` every 250 ms during
   the load and for 15 s after it. Every request must be answered (200 or 503 with
   Retry-After); the recovery time is from the end of the load until five record pages in a row
   answer 200.

Results go to ``benchmarks/results/load.json``. Run: ``.venv/bin/python benchmarks/load.py``
(``--database-url postgresql://...`` runs both on a throw-away database on that server).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from http import HTTPStatus
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from api import Pool, free_port, summary  # noqa: E402

RESULTS = HERE / "results" / "load.json"
SERVER_ERROR = HTTPStatus.INTERNAL_SERVER_ERROR
RECOVERY_STREAK = 5  # record pages in a row answered 200: recovered


def setup(data: Path, database_url: str | None) -> dict[str, str]:
    """A clinic, a clinician with an API token and a session, and a patient with 40 labs."""
    from jakguide.kb import load_knowledge
    from jakguide.store import Actor, Database, Records, Settings, accounts
    from jakguide.store.kinds import KINDS
    from jakguide.store.schemas import ConditionIn, PatientIn

    kb = load_knowledge()
    db = Database(Settings(data_dir=data, database_url=database_url), migrate=True)
    unit = kb.analyte("lymphocytes").canonical_unit  # type: ignore[union-attr]
    with db.transaction() as s:
        clinic = accounts.ensure_clinic(s, "Load", None, "UTC")
        user = accounts.add_clinician(s, clinic, "load", "correct horse battery", None)
        api, _ = accounts.issue_token(s, user, "api", dt.timedelta(hours=3))
        cookie, _ = accounts.issue_token(s, user, "session", dt.timedelta(hours=3))
        records = Records(s, Actor(user.id, clinic.id), kb)
        page = records.create_patient(PatientIn(label="page", sex="female", age_years=50))
        records.add_row(page.id, "conditions", ConditionIn(condition="rheumatoid-arthritis"))
        for i in range(40):
            body = KINDS["labs"].model_in.model_validate(
                {"analyte": "lymphocytes", "value": 1000 + 10 * i, "unit": unit,
                 "date": (dt.date(2023, 1, 1) + dt.timedelta(days=30 * i)).isoformat()}
            )  # fmt: skip
            records.add_row(page.id, "labs", body)
        shared = records.create_patient(PatientIn(label="shared")).id
        out = {"api": api, "cookie": cookie, "page": page.id, "shared": shared, "unit": unit}
    db.dispose()
    return out


def start(data: Path, port: int, log: Path, database_url: str | None) -> Any:
    from api import serve

    env = {"JAKGUIDE_DATABASE_URL": database_url} if database_url else None
    return serve(data, port, log, env_extra=env, append=True)


def mixed(url: str, ctx: dict[str, str], clients: int, seconds: float, proc: Any) -> dict[str, Any]:
    """Phase 1: mixed writes and reads, then SIGKILL during the writes."""
    headers = {"Authorization": f"Bearer {ctx['api']}"}
    statuses: Counter[int] = Counter()
    acked: dict[int, float] = {}
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    killed = threading.Event()
    shared = ctx["shared"]

    def client(k: int) -> None:
        i = 0
        with httpx.Client(base_url=url, headers=headers, timeout=30) as c:
            while not killed.is_set():
                i += 1
                value = 1000 + 20_000 * k + i  # unique per write, within the plausible range
                lab = {"analyte": "lymphocytes", "value": value, "unit": ctx["unit"],
                       "date": "2026-01-01"}  # fmt: skip
                calls = [
                    ("POST", "/api/patients", {"label": f"c{k}-{i}"}),
                    ("POST", f"/api/patients/{shared}/labs", lab),
                    ("GET", f"/api/patients/{shared}/labs?x={i}", None),
                    ("GET", "/api/patients?limit=50", None),
                    ("GET", f"/api/patients/{ctx['page']}/record", None),
                ]
                for method, path, body in calls:
                    started = time.perf_counter()
                    try:
                        r = c.request(method, path, json=body)
                    except httpx.TransportError:
                        return  # killed
                    took = time.perf_counter() - started
                    with lock:
                        statuses[r.status_code] += 1
                        latencies.append(took)
                        if r.status_code == HTTPStatus.CREATED and "/labs" in path:
                            acked[r.json()["id"]] = value

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    time.sleep(max(0.0, stop - time.monotonic()))
    with lock:
        before_kill = dict(statuses)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    killed.set()
    for t in threads:
        t.join(timeout=60)
    return {
        "clients": clients,
        "duration_s": seconds,
        "requests": sum(before_kill.values()),
        "statuses": {str(k): v for k, v in sorted(before_kill.items())},
        "server_errors": sum(v for k, v in before_kill.items() if k >= SERVER_ERROR),
        "throughput_rps": round(sum(before_kill.values()) / seconds, 1),
        **summary(latencies),
        "acknowledged_labs": len(acked),
        "_acked": acked,
    }


async def overload(url: str, ctx: dict[str, str], rate: float, seconds: float) -> dict[str, Any]:
    """Phase 2: open-loop load on a record page, health probed during and after."""
    host, port = url.removeprefix("http://").split(":")
    request = (
        f"GET /patients/{ctx['page']} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Cookie: jakguide_session={ctx['cookie']}\r\n\r\n"
    ).encode()
    pool = Pool(host, int(port), request)
    statuses: Counter[str] = Counter()
    ok_latency: list[float] = []
    health: list[tuple[float, float]] = []  # (seconds since load start, answer time)
    total = int(rate * seconds)
    start = time.perf_counter() + 0.5
    end = start + seconds

    async def one(at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        try:
            status = await asyncio.wait_for(pool.post(), timeout=120)
        except TimeoutError:
            statuses["unanswered"] += 1
            return
        except (OSError, asyncio.IncompleteReadError, ValueError):
            statuses["connection error"] += 1
            return
        statuses[str(status)] += 1
        if status == HTTPStatus.OK:
            ok_latency.append(time.perf_counter() - at)

    async def probe() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=30) as c:
            while time.perf_counter() < end + 15:
                t0 = time.perf_counter()
                try:
                    r = await c.get("/api/health")
                    ok = r.status_code == HTTPStatus.OK
                    took = time.perf_counter() - t0 if ok else float("inf")
                except httpx.TransportError:
                    took = float("inf")
                health.append((t0 - start, took))
                await asyncio.sleep(0.25)

    prober = asyncio.create_task(probe())
    await asyncio.gather(*(one(start + i / rate) for i in range(total)))
    load_done = time.perf_counter()
    recovered_at = None
    async with httpx.AsyncClient(base_url=url, timeout=30,
                                 cookies={"jakguide_session": ctx["cookie"]}) as c:  # fmt: skip
        streak = 0
        while time.perf_counter() < load_done + 60:
            r = await c.get(f"/patients/{ctx['page']}")
            streak = streak + 1 if r.status_code == HTTPStatus.OK else 0
            if streak == RECOVERY_STREAK:
                recovered_at = time.perf_counter()
                break
    await prober
    during = [t for s, t in health if s <= seconds]
    after = [t for s, t in health if s > seconds]
    return {
        "rate_rps": rate,
        "duration_s": seconds,
        "sent": total,
        "answered": statuses["200"] + statuses["503"],
        "statuses": dict(statuses),
        "ok_latency": summary(ok_latency),
        "health_max_during_ms": round(max(during) * 1000, 1) if during else None,
        "health_max_after_ms": round(max(after) * 1000, 1) if after else None,
        "health_probes": len(health),
        "recovery_s_after_load": (
            round(recovered_at - load_done, 2) if recovered_at is not None else None
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--mixed", type=float, default=20.0)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        if args.database_url:  # a throw-away database on that server, dropped afterwards
            from jakguide.store.testing import temporary_database

            args.database_url = stack.enter_context(temporary_database(args.database_url))
        data, log = Path(tmp) / "data", Path(tmp) / "server.log"
        ctx = setup(data, args.database_url)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        proc = start(data, port, log, args.database_url)
        first = mixed(url, ctx, args.clients, args.mixed, proc)
        acked = first.pop("_acked")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        proc = start(data, port, log, args.database_url)
        try:
            auth = {"Authorization": f"Bearer {ctx['api']}"}
            r = httpx.get(f"{url}/api/patients/{ctx['shared']}/labs", headers=auth, timeout=60)
            stored = {row["id"]: row["value_entered"] for row in r.json()}
            first["lost_after_sigkill"] = sum(1 for k, v in acked.items() if stored.get(k) != v)
            second = asyncio.run(overload(url, ctx, args.rate, args.duration))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    from jakguide import __version__

    result = {
        "benchmark": "server under concurrency and overload (issue 19)",
        "date": dt.date.today().isoformat(),
        "jakguide": __version__,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "loadavg_1min_before": round(load_before, 2),
        },
        "server": {
            "command": "jakguide serve",
            "workers": 1,
            "store": "postgresql" if args.database_url else "sqlite",
        },
        "mixed": first,
        "overload": second,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
