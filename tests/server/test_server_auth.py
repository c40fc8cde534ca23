"""Concurrency at the login door, and the edges the red-team run used: parallel password
guesses, a forged X-Forwarded-For, failed logins in the audit log, links from the public URL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from jakguide.store import accounts
from jakguide.store.models import AuditRow
from live_support import Live

GUESSES = 60


def test_parallel_wrong_passwords_get_at_most_the_limit_of_checks(
    live: Callable[..., Live], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = live()
    checks = 0
    lock = threading.Lock()
    real = accounts.authenticate

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal checks
        with lock:
            checks += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(accounts, "authenticate", counting)
    statuses: list[int] = []
    start = threading.Barrier(GUESSES)

    def guess(k: int) -> None:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            start.wait()
            r = c.post("/api/auth/login", json={"username": "live0", "password": f"wrong {k}"})
            with lock:
                statuses.append(r.status_code)

    threads = [threading.Thread(target=guess, args=(k,)) for k in range(GUESSES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    limit = server.state.settings.login_max_failures
    assert checks <= limit, f"{checks} password checks for {GUESSES} parallel guesses"
    assert statuses.count(401) == checks and statuses.count(429) == GUESSES - checks
    # The right password is refused too while the account is locked out.
    with httpx.Client(base_url=server.url) as c:
        right = c.post("/api/auth/login", json={"username": "live0", "password": "x" * 21})
        assert right.status_code == 429
    with server.state.db.sessions() as s:
        failed = s.query(AuditRow).filter(AuditRow.action == "login-failed").all()
        assert len(failed) == checks
        assert all(r.clinician_id is None and r.clinic_id is None for r in failed)
        assert all("live0" not in (r.detail or "") + (r.resource_id or "") for r in failed)


def test_x_forwarded_for_is_not_trusted_by_default(live: Callable[..., Live]) -> None:
    """Each guess claims another address; the per-address limit still counts them together."""
    server = live(login_max_failures=100)  # per-account budget out of the way: 400 per address
    limiter = server.state.limiter
    with httpx.Client(base_url=server.url) as c:
        for k in range(3):
            c.post(
                "/api/auth/login",
                json={"username": f"nobody{k}", "password": "wrong password"},
                headers={"X-Forwarded-For": f"10.0.0.{k}"},
            )
    keys = [k for k in limiter._failures if k.startswith("ip:")]
    assert keys == ["ip:127.0.0.1"]
