"""Benchmark ``POST /api/assess``: fixed-rate latency and saturation throughput on loopback.

Starts ``jakguide serve`` on a temporary SQLite store and a free loopback port, then runs the
load from a separate process (plain asyncio streams, keep-alive HTTP/1.1):

1. fixed rate: ``--rate`` requests/s (default 200) for ``--duration`` s (default 30), open loop.
   Latency is measured from each request's *scheduled* send time, so a stalled server cannot
   hide queueing (no coordinated omission); the service time from the actual send is also given.
2. saturation: ``--concurrency`` clients (default 32) send back to back for ``--saturation`` s;
   the throughput is completed (200) requests per second.

Answers are counted by kind: 200 (latency percentiles are of these), 503 shed by the server's
admission control (``shed_503``, with their own latency: a busy server says "retry" at once, as
designed, which is not an error), and errors (any other status, or no answer). The 1-minute
load average before and after is recorded: on a shared machine the latencies are pessimistic.

Results go to ``benchmarks/results/api.json``. Run: ``.venv/bin/python benchmarks/api.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from http import HTTPStatus
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "api.json"
CONDITION = "rheumatoid-arthritis"
AS_OF = "2026-11-21"
TARGET_P99_MS = 50.0


def patient() -> dict[str, Any]:
    """A realistic native patient (units read from the knowledge so it stays valid)."""
    from jakguide.kb import load_knowledge

    kb = load_knowledge()

    def unit(analyte: str) -> str:
        found = kb.analyte(analyte)
        assert found is not None
        return found.canonical_unit

    labs = [
        ("lymphocytes", 1400),
        ("neutrophils", 3500),
        ("hemoglobin", 13.1),
        ("alt", 22),
        ("ast", 25),
        ("ldl-cholesterol", 110),
    ]
    return {
        "birth_date": "1968-04-02",
        "sex": "female",
        "reproductive_potential": False,
        "smoking": "former",
        "measurements": [{"kind": "weight_kg", "value": 71, "date": "2026-10-01"}],
        "conditions": [CONDITION],
        "history": [],
        "active_infections": [],
        "cv_risk_factors": ["hypertension"],
        "hepatic_impairment": "none",
        "medications": ["methotrexate", "amlodipine"],
        "prior_therapies": [{"drug": "adalimumab", "outcome": "inadequate-response"}],
        "labs": [
            {"analyte": a, "value": v, "unit": unit(a), "date": "2026-10-01"} for a, v in labs
        ],
        "screening": [
            {"item": "tb", "result": "negative", "date": "2026-09-01"},
            {"item": "hbsag", "result": "negative", "date": "2026-09-01"},
        ],
    }


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def summary(latencies: list[float]) -> dict[str, float | None]:
    """Percentiles in ms; None for each when nothing was measured (JSON has no NaN)."""
    ms = [x * 1000 for x in latencies]
    if not ms:
        return dict.fromkeys(("p50_ms", "p90_ms", "p99_ms", "max_ms", "mean_ms"))
    return {
        "p50_ms": round(pct(ms, 50), 2),
        "p90_ms": round(pct(ms, 90), 2),
        "p99_ms": round(pct(ms, 99), 2),
        "max_ms": round(max(ms), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
    }


# --------------------------------------------------------------------------- load process


class Pool:
    """Keep-alive HTTP/1.1 connections on raw asyncio streams.

    Why not an HTTP client library: at a few hundred requests per second a general client costs
    as much CPU as the server under test; on a 2-core machine that would measure the client.
    """

    def __init__(self, host: str, port: int, request: bytes) -> None:
        self.host, self.port, self.request = host, port, request
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post(self, request: bytes | None = None) -> int:
        """Send ``request`` (default: the pool's) on an idle connection or a new one."""
        data = self.request if request is None else request
        if self.idle:
            reader, writer = self.idle.pop()
            try:
                return await self._send(reader, writer, data)
            except (OSError, asyncio.IncompleteReadError):
                writer.close()  # the server closed an idle keep-alive connection: retry once
        reader, writer = await asyncio.open_connection(self.host, self.port)
        return await self._send(reader, writer, data)

    async def _send(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes
    ) -> int:
        writer.write(data)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await reader.readexactly(length)
        self.idle.append((reader, writer))
        return status

    async def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
            await writer.wait_closed()
        self.idle.clear()


def request_bytes(host: str, port: int, path: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class Tally:
    """Answers by kind: 200 (latency kept), 503 shed by admission control (counted apart: the
    server said "busy, retry" as designed), anything else or no answer (an error)."""

    def __init__(self) -> None:
        self.ok: list[float] = []
        self.shed: list[float] = []
        self.errors = 0
        self.statuses: dict[str, int] = {}

    async def send(self, pool: Pool, since: float) -> float:
        """One request; its latency counted from ``since``; returns when it ended."""
        try:
            status = await pool.post()
        except (OSError, asyncio.IncompleteReadError, ValueError):
            status = 0  # no answer
        done = time.perf_counter()
        key = str(status) if status else "no answer"
        self.statuses[key] = self.statuses.get(key, 0) + 1
        if status == HTTPStatus.OK:
            self.ok.append(done - since)
        elif status == HTTPStatus.SERVICE_UNAVAILABLE:
            self.shed.append(done - since)
        else:
            self.errors += 1
        return done

    def report(self) -> dict[str, Any]:
        return {
            "ok": len(self.ok),
            "shed_503": len(self.shed),
            "errors": self.errors,
            "statuses": dict(sorted(self.statuses.items())),
            "shed_latency": summary(self.shed),
        }


async def fixed_rate(pool: Pool, rate: float, duration: float) -> dict[str, Any]:
    total = int(rate * duration)
    tally = Tally()
    service_lat: list[float] = []

    async def one(at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        sent = time.perf_counter()
        answered = len(tally.ok)
        done = await tally.send(pool, at)
        if len(tally.ok) > answered:
            service_lat.append(done - sent)

    start = time.perf_counter() + 0.2
    tasks = [asyncio.create_task(one(start + i / rate)) for i in range(total)]
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    return {
        "rate_rps": rate,
        "duration_s": duration,
        "sent": total,
        **tally.report(),
        "achieved_rps": round(len(tally.ok) / elapsed, 1),
        **summary(tally.ok),
        "service_time": summary(service_lat),
    }


async def saturation(pool: Pool, concurrency: int, duration: float) -> dict[str, Any]:
    tally = Tally()
    stop = time.perf_counter() + duration

    async def worker() -> None:
        while time.perf_counter() < stop:
            await tally.send(pool, time.perf_counter())

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    return {
        "concurrency": concurrency,
        "duration_s": duration,
        **tally.report(),
        "throughput_rps": round(len(tally.ok) / elapsed, 1),
        **summary(tally.ok),
    }


def load_main(args: argparse.Namespace) -> None:
    body = Path(args.body).read_bytes()
    host, port = args.url.removeprefix("http://").split(":")
    path = f"/api/assess?condition={CONDITION}&as_of={AS_OF}"
    request = request_bytes(host, int(port), path, body)

    async def run() -> dict[str, Any]:
        pool = Pool(host, int(port), request)
        await fixed_rate(pool, args.rate, min(3.0, args.duration))  # warm-up
        fixed = await fixed_rate(pool, args.rate, args.duration)
        sat = await saturation(pool, args.concurrency, args.saturation)
        await pool.close()
        return {"fixed_rate": fixed, "saturation": sat}

    Path(args.out).write_text(json.dumps(asyncio.run(run())))


# --------------------------------------------------------------------------- orchestration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def serve(
    data: Path,
    port: int,
    log: Path,
    *,
    args: tuple[str, ...] = (),
    env_extra: dict[str, str] | None = None,
    wait_s: float = 60,
    append: bool = False,
) -> subprocess.Popen[bytes]:
    """`jakguide serve` in its own process (no JAKGUIDE_* settings but ``env_extra``), returned
    once `/api/health` answers; the benchmarks share it (api, cds, load)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAKGUIDE_")}
    env.update(env_extra or {})
    cmd = [sys.executable, "-c", "from jakguide.cli import main; main()", "serve",
           "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data), *args]  # fmt: skip
    out = log.open("ab" if append else "wb")
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited; see {log}")
        try:
            health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1)
            if health.status_code == HTTPStatus.OK:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


def start_server(data: Path, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    return serve(data, port, log, args=("--workers", str(workers)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode")
    load = sub.add_parser("load", help="(internal) the load process")
    for p in (parser, load):
        p.add_argument("--rate", type=float, default=200.0)
        p.add_argument("--duration", type=float, default=30.0)
        p.add_argument("--saturation", type=float, default=15.0)
        p.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--out", type=Path, default=RESULTS)
    load.add_argument("--url", required=True)
    load.add_argument("--body", required=True)
    load.add_argument("--out", required=True)
    args = parser.parse_args()
    if args.mode == "load":
        load_main(args)
        return

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        body = tmpdir / "patient.json"
        body.write_text(json.dumps(patient()))
        port = free_port()
        server = start_server(tmpdir / "data", port, args.workers, tmpdir / "server.log")
        try:
            raw = tmpdir / "load.json"
            subprocess.run(
                [sys.executable, __file__, "load", "--url", f"http://127.0.0.1:{port}",
                 "--body", str(body), "--out", str(raw), "--rate", str(args.rate),
                 "--duration", str(args.duration), "--saturation", str(args.saturation),
                 "--concurrency", str(args.concurrency)],
                check=True,
            )  # fmt: skip
            measured = json.loads(raw.read_text())
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)
    from jakguide import __version__

    result = {
        "benchmark": "POST /api/assess (native JSON patient, condition rheumatoid-arthritis)",
        "date": dt.date.today().isoformat(),
        "jakguide": __version__,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            # Other work on the machine skews latency; a 1-minute load above ~0.5 before the
            # run means the numbers are not representative.
            "loadavg_1min_before": round(load_before, 2),
            "loadavg_1min_after": round(os.getloadavg()[0], 2),
        },
        "server": {"command": "jakguide serve", "workers": args.workers, "store": "sqlite"},
        "load": "separate process, asyncio streams (keep-alive HTTP/1.1), loopback",
        "target_p99_ms": TARGET_P99_MS,
        **measured,
        "p99_within_target": (measured["fixed_rate"]["p99_ms"] or float("inf")) < TARGET_P99_MS,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    fixed, sat = result["fixed_rate"], result["saturation"]
    print(
        f"fixed {fixed['rate_rps']:.0f} rps x {fixed['duration_s']:.0f} s: "
        f"{fixed['ok']} OK, {fixed['shed_503']} shed (503), {fixed['errors']} errors, "
        f"p50 {fixed['p50_ms']} ms, p99 {fixed['p99_ms']} ms; "
        f"saturation ({sat['concurrency']} clients): {sat['throughput_rps']} rps OK, "
        f"{sat['shed_503']} shed, {sat['errors']} errors, p99 {sat['p99_ms']} ms; "
        f"load average {load_before:.2f} before -> {args.out}"
    )


if __name__ == "__main__":
    main()
