"""Durability: SIGKILL the real server in the middle of a stream of writes; after a restart every
acknowledged write is still there. Also: a fresh store starts empty and serves the OpenAPI docs."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from jakguide.kb.base import Knowledge
from jakguide.store import Database, Settings, accounts

WRITERS = 4
KILL_AFTER = 60  # acknowledged writes before the kill


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    def __init__(self, data_dir: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("JAKGUIDE_")}
        self.log = log.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from jakguide.cli import main; main()",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--data-dir",
                str(data_dir),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"server exited with {self.proc.returncode}; see {log}")
            try:
                if httpx.get(self.url + "/api/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        pytest.fail("server did not become healthy in 60 s")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.log.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


def test_acknowledged_writes_survive_sigkill(tmp_path: Path, kb: Knowledge) -> None:
    data = tmp_path / "data"
    db = Database(Settings(data_dir=data), migrate=True)
    with db.transaction() as s:
        clinic = accounts.ensure_clinic(s, "Durable", None, "UTC")
        user = accounts.add_clinician(s, clinic, "dur", "correct horse battery", None)
        token, _ = accounts.issue_token(s, user, "api", dt.timedelta(hours=1))
    db.dispose()
    headers = {"Authorization": f"Bearer {token}"}
    analyte = kb.analyte("lymphocytes")
    assert analyte is not None

    server = Server(data, tmp_path / "server.log")
    try:
        assert httpx.get(server.url + "/openapi.json").status_code == 200
        assert httpx.get(server.url + "/docs").status_code == 200
        r = httpx.post(server.url + "/api/patients", json={"label": "d"}, headers=headers)
        assert r.status_code == 201
        pid = r.json()["id"]
        acked: dict[int, float] = {}
        lock = threading.Lock()
        enough = threading.Event()

        def writer(offset: int) -> None:
            with httpx.Client(base_url=server.url, headers=headers, timeout=10) as client:
                for i in range(offset, 100_000, WRITERS):
                    body: dict[str, Any] = {
                        "analyte": "lymphocytes",
                        "value": 1000 + i,
                        "unit": analyte.canonical_unit,
                        "date": "2026-01-01",
                    }
                    try:
                        r = client.post(f"/api/patients/{pid}/labs", json=body)
                    except httpx.TransportError:
                        return  # the server is gone
                    if r.status_code != 201:
                        return
                    with lock:
                        acked[r.json()["id"]] = body["value"]
                        if len(acked) >= KILL_AFTER:
                            enough.set()

        threads = [threading.Thread(target=writer, args=(k,)) for k in range(WRITERS)]
        for t in threads:
            t.start()
        assert enough.wait(timeout=60), "writes did not get acknowledged"
        server.kill()  # mid-stream: the writers still have requests in flight
        for t in threads:
            t.join(timeout=30)
    finally:
        server.stop()

    assert len(acked) >= KILL_AFTER
    again = Server(data, tmp_path / "server.log")
    try:
        r = httpx.get(f"{again.url}/api/patients/{pid}/labs", headers=headers)
        assert r.status_code == 200
        stored = {row["id"]: row["value_entered"] for row in r.json()}
    finally:
        again.stop()
    missing = {k: v for k, v in acked.items() if stored.get(k) != v}
    assert not missing, f"{len(missing)} acknowledged writes lost"
