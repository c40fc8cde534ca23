"""A real uvicorn server on 127.0.0.1 (a free port, in a thread) over a real store.

Why a real server: the failures these tests guard against (SQLite lock errors under overlapping
requests, pool exhaustion, an event loop blocked by parsing) only show with real sockets, real
threads and a real database file; an in-process test client runs one request at a time.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from jakguide.cli.server import proxy_options
from jakguide.store import accounts
from jakguide.web.deps import AppState

PASSWORD = "correct horse battery"
# The thread serving each started server, so that ``stop`` can wait for it to end.
_THREADS: dict[int, threading.Thread] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Live:
    app: FastAPI
    url: str
    token: str
    server: uvicorn.Server

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def state(self) -> AppState:
        found: AppState = self.app.state.jakguide
        return found

    def client(self, **kw: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=self.headers, **{"timeout": 30, **kw})


def start(app: FastAPI, limit_concurrency: int | None = None) -> tuple[uvicorn.Server, str]:
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        limit_concurrency=limit_concurrency,
        **proxy_options(app.state.jakguide.settings),  # as `jakguide serve` runs it
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    _THREADS[id(server)] = thread
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.started:
            return server, url
        time.sleep(0.05)
    raise RuntimeError("server did not start in 30 s")


def stop(server: uvicorn.Server) -> None:
    """Ask the server to exit and wait for its thread (uvicorn never resets ``started``)."""
    server.should_exit = True
    thread = _THREADS.pop(id(server), None)
    if thread is not None:
        thread.join(timeout=30)


def make_user(app: FastAPI, clinic: str, username: str) -> str:
    state: AppState = app.state.jakguide
    with state.db.transaction() as s:
        c = accounts.ensure_clinic(s, clinic, None, "UTC")
        user = accounts.add_clinician(s, c, username, PASSWORD, None)
        raw, _ = accounts.issue_token(s, user, "api", dt.timedelta(hours=2))
    return raw
