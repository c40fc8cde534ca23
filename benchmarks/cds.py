"""Benchmark the CDS Hooks order-select service (issue 13, item 7).

Starts ``jakguide serve`` (one worker) on a free loopback port, trusting one EHR issuer through a
clients file (``JAKGUIDE_CDS_CLIENTS``) and with the assessment date pinned
(``JAKGUIDE_CDS_AS_OF``). The call is ``jakguide-order-select`` with full prefetch (Patient,
Conditions, MedicationRequests, MedicationStatements, Observations, Procedures, Immunizations)
for a patient taking oral ketoconazole whose draft order is tofacitinib 5 mg twice daily: the
answer is a warning card with a dose suggestion and the boxed-warning info card, so the
measured path is the whole one (JWT check, prefetch reading, engine, cards).

Every call carries its own ES384-signed JWT (a fresh ``jti``: the service rejects replays),
minted before the load starts so the load process spends no CPU on signatures. The load runs in
a separate process (asyncio, keep-alive HTTP/1.1):

1. fixed rate, open loop: ``--rate`` (100) calls/s for ``--duration`` s (30) from ``--clients``
   (50) clients, client k sending calls k, k + 50, ... at their scheduled times; latency is
   measured from the scheduled time, so a slow answer delays the clock, never hides.
2. saturation, reported separately: ``--clients`` clients calling back to back for
   ``--saturation`` s (15): the most calls/s one worker answers, and the latency then;
3. one client calling back to back for ``--serial`` s (5): the time of one call alone.

Results go to ``benchmarks/results/cds.json``. Run: ``.venv/bin/python benchmarks/cds.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from http import HTTPStatus
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(ROOT / "tests"))
from api import Pool, free_port, serve, summary  # noqa: E402

RESULTS = HERE / "results" / "cds.json"
SERVICE = "jakguide-order-select"
PATH = f"/cds-services/{SERVICE}"
AS_OF = "2026-11-21"
TOKENS_PER_SECOND_AT_SATURATION = 600  # minted ahead for the saturation phase (upper bound)


# --------------------------------------------------------------------------- setup


def call_body() -> dict[str, Any]:
    """order-select, full prefetch: the ketoconazole patient ordering tofacitinib 5 mg BID."""
    from cds_service_support import draft, order_request, patient, prefetch
    from jakguide.kb import load_knowledge

    kb = load_knowledge()
    p = patient("as-man-tnf-ir", {"medications": [{"drug": "ketoconazole", "route": "oral"}]})
    body = order_request(
        "order-select", [draft("tofacitinib 5 MG Oral Tablet", 5, 2)], prefetch(p, kb)
    )
    body["hookInstance"] = "5b6f3f0e-8a2c-4c43-9d4e-3c1f0e7b2a11"
    return body


def start(port: int, clients: Path, log: Path, data: Path) -> subprocess.Popen[bytes]:
    env = {"JAKGUIDE_CDS_CLIENTS": str(clients), "JAKGUIDE_CDS_AS_OF": AS_OF}
    return serve(data, port, log, env_extra=env, wait_s=90)


def check_answer(url: str, body: dict[str, Any], token: str) -> dict[str, Any]:
    """One call before the load: the answer the benchmark repeats, checked for conformance."""
    from cds_conformance import check_response

    r = httpx.post(url + PATH, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    if r.status_code != HTTPStatus.OK:
        raise SystemExit(f"order-select answered {r.status_code}: {r.text[:500]}")
    cards = r.json()["cards"]
    failed = check_response(r.json())
    if failed:
        raise SystemExit(f"order-select answer is not conformant: {failed}")
    return {
        "cards": [{"indicator": c["indicator"], "summary": c["summary"]} for c in cards],
        "response_bytes": len(r.content),
        "conformance_failures": failed,
    }


# --------------------------------------------------------------------------- load process


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (Linux /proc), to cost a call in CPU."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


async def costed(pid: int, phase: Any) -> dict[str, Any]:
    """Run ``phase`` and add the server's CPU milliseconds per answered call."""
    before = cpu_seconds(pid)
    result: dict[str, Any] = await phase
    used = cpu_seconds(pid) - before
    result["server_cpu_s"] = round(used, 2)
    result["server_cpu_ms_per_call"] = round(1000 * used / max(1, result["ok"]), 2)
    return result


def request_bytes(host: str, port: int, body: bytes, token: str) -> bytes:
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class Requests:
    """The pre-built requests, each with its own token, handed out once each."""

    def __init__(self, host: str, port: int, body: bytes, tokens: list[str]) -> None:
        self.items = [request_bytes(host, port, body, t) for t in tokens]
        self.next = 0

    def take(self) -> bytes:
        if self.next >= len(self.items):
            raise SystemExit("ran out of pre-minted tokens; raise TOKENS_PER_SECOND_AT_SATURATION")
        item = self.items[self.next]
        self.next += 1
        return item


async def fixed_rate(
    host: str, port: int, requests: Requests, rate: float, duration: float, clients: int
) -> dict[str, Any]:
    total = int(rate * duration)
    latencies: list[float] = []
    service: list[float] = []
    statuses: Counter[str] = Counter()
    start = time.perf_counter() + 0.3
    schedule = [start + i / rate for i in range(total)]
    payloads = [requests.take() for _ in range(total)]

    async def client(k: int) -> None:
        pool = Pool(host, port, b"")
        for i in range(k, total, clients):
            await asyncio.sleep(max(0.0, schedule[i] - time.perf_counter()))
            sent = time.perf_counter()
            try:
                status = await asyncio.wait_for(pool.post(payloads[i]), timeout=60)
            except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError) as exc:
                statuses[type(exc).__name__] += 1
                pool.idle.clear()
                continue
            done = time.perf_counter()
            statuses[str(status)] += 1
            if status == HTTPStatus.OK:
                latencies.append(done - schedule[i])
                service.append(done - sent)
        await pool.close()

    await asyncio.gather(*(client(k) for k in range(clients)))
    elapsed = time.perf_counter() - start
    ok = len(latencies)
    return {
        "rate_cps": rate,
        "duration_s": duration,
        "clients": clients,
        "sent": total,
        "ok": ok,
        "statuses": dict(sorted(statuses.items())),
        "achieved_cps": round(ok / elapsed, 1),
        **summary(latencies),
        "service_time": summary(service),
    }


async def saturation(
    host: str, port: int, requests: Requests, clients: int, duration: float
) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    stop = time.perf_counter() + duration

    async def client() -> None:
        pool = Pool(host, port, b"")
        while time.perf_counter() < stop:
            payload = requests.take()
            sent = time.perf_counter()
            try:
                status = await asyncio.wait_for(pool.post(payload), timeout=60)
            except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError) as exc:
                statuses[type(exc).__name__] += 1
                pool.idle.clear()
                continue
            statuses[str(status)] += 1
            if status == HTTPStatus.OK:
                latencies.append(time.perf_counter() - sent)
        await pool.close()

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    return {
        "clients": clients,
        "duration_s": duration,
        "ok": len(latencies),
        "statuses": dict(sorted(statuses.items())),
        "throughput_cps": round(len(latencies) / elapsed, 1),
        **summary(latencies),
    }


def load_main(args: argparse.Namespace) -> None:
    host, port = args.url.removeprefix("http://").split(":")
    body = Path(args.body).read_bytes()
    tokens: list[str] = json.loads(Path(args.tokens).read_text())
    requests = Requests(host, int(port), body, tokens)

    async def run() -> dict[str, Any]:
        pid, at = args.server_pid, (host, int(port), requests)
        warm = await fixed_rate(*at, args.rate, args.warmup, args.clients)
        fixed = await costed(pid, fixed_rate(*at, args.rate, args.duration, args.clients))
        sat = await costed(pid, saturation(*at, args.clients, args.saturation))
        serial = await costed(pid, saturation(*at, 1, args.serial))
        return {"warmup": {"sent": warm["sent"], "ok": warm["ok"]}, "fixed_rate": fixed,
                "saturation": sat, "one_client": serial}  # fmt: skip

    Path(args.out).write_text(json.dumps(asyncio.run(run())))


# --------------------------------------------------------------------------- orchestration


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode")
    load = sub.add_parser("load", help="(internal) the load process")
    for p in (parser, load):
        p.add_argument("--rate", type=float, default=100.0, help="calls per second")
        p.add_argument("--clients", type=int, default=50)
        p.add_argument("--duration", type=float, default=30.0)
        p.add_argument("--warmup", type=float, default=3.0)
        p.add_argument("--saturation", type=float, default=15.0)
        p.add_argument("--serial", type=float, default=5.0, help="one client, back to back")
    parser.add_argument("--out", type=Path, default=RESULTS)
    load.add_argument("--url", required=True)
    load.add_argument("--body", required=True)
    load.add_argument("--tokens", required=True)
    load.add_argument("--out", required=True)
    load.add_argument("--server-pid", type=int, required=True)
    args = parser.parse_args()
    if args.mode == "load":
        load_main(args)
        return

    from cds_support import Issuer, write_clients_file

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        issuer = Issuer(iss="https://ehr.bench.example", alg="ES384", kid="bench-1")
        clients = write_clients_file(tmpdir / "clients.json", [issuer])
        body = call_body()
        (tmpdir / "body.json").write_text(json.dumps(body))
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        aud = url + PATH
        count = int(args.rate * (args.warmup + args.duration))
        count += int(TOKENS_PER_SECOND_AT_SATURATION * (args.saturation + args.serial))
        t0 = time.perf_counter()
        tokens = [issuer.token(aud) for _ in range(count + 1)]
        mint_s = time.perf_counter() - t0
        (tmpdir / "tokens.json").write_text(json.dumps(tokens[1:]))
        server = start(port, clients, tmpdir / "server.log", tmpdir / "data")
        try:
            answer = check_answer(url, body, tokens[0])
            raw = tmpdir / "load.json"
            subprocess.run(
                [sys.executable, __file__, "load", "--url", url,
                 "--body", str(tmpdir / "body.json"), "--tokens", str(tmpdir / "tokens.json"),
                 "--out", str(raw), "--server-pid", str(server.pid),
                 "--rate", str(args.rate), "--clients", str(args.clients),
                 "--duration", str(args.duration), "--warmup", str(args.warmup),
                 "--saturation", str(args.saturation), "--serial", str(args.serial)],
                check=True,
            )  # fmt: skip
            results = json.loads(raw.read_text())
        finally:
            server.terminate()
            server.wait(timeout=30)
    out = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "call": {
            "service": SERVICE,
            "request_bytes": len(json.dumps(body)),
            "prefetch_keys": sorted(body.get("prefetch", {})),
            "jwt": "ES384, one per call (fresh jti)",
            "tokens_minted": len(tokens),
            "mint_seconds": round(mint_s, 2),
            **answer,
        },
        **results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    fixed, sat, one = results["fixed_rate"], results["saturation"], results["one_client"]
    print(
        f"fixed {fixed['rate_cps']:g}/s x {fixed['duration_s']:g} s, {fixed['clients']} clients: "
        f"{fixed['ok']}/{fixed['sent']} OK, p50 {fixed['p50_ms']} ms, p99 {fixed['p99_ms']} ms; "
        f"saturation {sat['throughput_cps']} calls/s (p50 {sat['p50_ms']} ms, "
        f"p99 {sat['p99_ms']} ms); one client p50 {one['p50_ms']} ms; "
        f"load before {load_before[0]:.2f}"
    )


if __name__ == "__main__":
    main()
