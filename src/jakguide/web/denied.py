"""Auditing lookups that found nothing in the caller's clinic (probing shows in the log).

A module of its own so that ``web.problems`` (which maps ``RecordNotFoundError`` to 404) and the
pages can both use it without importing ``web.deps`` (which imports ``web.problems``).
"""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from jakguide.store import audit
from jakguide.store.audit import Actor
from jakguide.store.db import Database
from jakguide.store.records import RecordNotFoundError


async def audit_denied(request: Request, exc: RecordNotFoundError) -> None:
    """Record a lookup that found nothing in the caller's clinic (ids only)."""
    actor: Actor | None = getattr(request.state, "actor", None)
    if actor is None:
        return
    db: Database = request.app.state.jakguide.db
    resource_id = str(exc.ident)[:64]

    def write() -> None:
        with db.transaction() as session:
            audit.record(session, actor, "read", exc.resource, resource_id, None, "not-found")

    await run_in_threadpool(write)
