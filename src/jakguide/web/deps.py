"""FastAPI dependencies: app state, one database session per request, and authentication.

Why explicit commits: an endpoint commits before it returns, so a 2xx means the write is durable;
anything that raises leaves the session to roll back, so a failed write changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from jakguide.kb.base import Knowledge
from jakguide.store.audit import Actor
from jakguide.store.db import Database
from jakguide.store.models import AuthToken, Clinician
from jakguide.store.records import Records
from jakguide.store.settings import Settings
from jakguide.web.linkguard import LinkFailures
from jakguide.web.problems import ProblemError
from jakguide.web.ratelimit import LoginLimiter

SESSION_COOKIE = "jakguide_session"
CSRF_COOKIE = "jakguide_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class AppState:
    """What every request needs; one per app, kept in ``app.state.jakguide``."""

    settings: Settings
    kb: Knowledge
    db: Database
    limiter: LoginLimiter
    link_failures: LinkFailures = field(default_factory=LinkFailures)
    tokens_purged_at: float | None = None  # monotonic time of the last purge of expired tokens


def state(request: Request) -> AppState:
    found: AppState = request.app.state.jakguide
    return found


StateDep = Annotated[AppState, Depends(state)]


def knowledge(request: Request) -> Knowledge:
    return state(request).kb


KbDep = Annotated[Knowledge, Depends(knowledge)]


def db_session(request: Request) -> Iterator[Session]:
    """A session for this request; whatever was not committed is rolled back at the end.

    GET and HEAD get a read session (a deferred SQLite transaction that never writes; its audit
    rows are written after the read commits), every other method a write session (``BEGIN
    IMMEDIATE``): see ``store.db`` for why a read must never upgrade to a write.
    """
    db = state(request).db
    session = db.read_session() if request.method in SAFE_METHODS else db.sessions()
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(db_session)]

bearer_scheme = HTTPBearer(auto_error=False, description="API token from POST /api/auth/tokens.")
cookie_scheme = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description="Session cookie from POST /api/auth/login; writes also need the X-CSRF-Token "
    "header (the csrf_token of the login response, also in the jakguide_csrf cookie).",
)


@dataclass(frozen=True)
class Auth:
    clinician: Clinician
    token: AuthToken
    via: Literal["bearer", "cookie"]
    actor: Actor


def _unauthorized(detail: str) -> ProblemError:
    return ProblemError(
        401, "unauthenticated", detail, headers={"WWW-Authenticate": 'Bearer realm="jakguide"'}
    )


def authenticated(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
    cookie: Annotated[str | None, Security(cookie_scheme)],
) -> Auth:
    """The clinician behind a bearer token or a session cookie (CSRF-checked for writes)."""
    from jakguide.store.accounts import resolve_token

    if bearer is not None:
        token = resolve_token(session, bearer.credentials, "api")
        via: Literal["bearer", "cookie"] = "bearer"
        if token is None:
            raise _unauthorized("The bearer token is unknown or expired.")
    elif cookie:
        token = resolve_token(session, cookie, "session")
        via = "cookie"
        if token is None:
            raise _unauthorized("The session has expired; log in again.")
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not token.csrf_token or not hmac.compare_digest(sent, token.csrf_token):
                raise ProblemError(
                    403,
                    "csrf",
                    f"A cookie-authenticated write needs the {CSRF_HEADER} header.",
                    field=CSRF_HEADER,
                    value="missing" if not sent else "mismatch",
                    reason="must equal the csrf_token issued at login",
                )
    else:
        raise _unauthorized("Log in (session cookie) or send an API bearer token.")
    clinician = token.clinician
    actor = Actor(clinician.id, clinician.clinic_id, clinician.clinic.timezone)
    request.state.actor = actor
    return Auth(clinician, token, via, actor)


AuthDep = Annotated[Auth, Depends(authenticated)]


def records(auth: AuthDep, session: SessionDep, kb: KbDep) -> Records:
    return Records(session, auth.actor, kb)


RecordsDep = Annotated[Records, Depends(records)]


def clinic_today(actor: Actor) -> dt.date:
    """Today in the clinic's time zone (the default ``as_of`` of record endpoints)."""
    return dt.datetime.now(ZoneInfo(actor.timezone)).date()
