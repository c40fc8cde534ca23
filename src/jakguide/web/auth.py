"""Login, logout, API tokens and "who am I".

Sessions are cookies (HttpOnly, SameSite=Lax, Secure when the request came over TLS, Max-Age =
the session lifetime) with a CSRF token that cookie-authenticated writes must echo in
``X-CSRF-Token``; API clients use bearer tokens instead and need no CSRF token. Failed logins are
rate limited per account and per client address (429 with Retry-After).
"""

from __future__ import annotations

import datetime as dt
import time

from fastapi import Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from jakguide.store import accounts, audit
from jakguide.store.audit import Actor
from jakguide.store.models import AuthToken, Clinician
from jakguide.web.bodies import api_router
from jakguide.web.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    AppState,
    AuthDep,
    SessionDep,
    StateDep,
)
from jakguide.web.problems import PROBLEM_RESPONSES, ProblemError

router = api_router(prefix="/api/auth", tags=["auth"], responses=PROBLEM_RESPONSES)


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)


class TokenRequest(Credentials):
    name: str | None = Field(default=None, max_length=200, description="A label for the token.")


class Me(BaseModel):
    id: int
    username: str
    display_name: str | None
    clinic: str
    clinic_id: int
    timezone: str


class LoginOut(BaseModel):
    clinician: Me
    csrf_token: str = Field(description="Send it as X-CSRF-Token with every write.")
    expires_at: dt.datetime


class TokenOut(BaseModel):
    token: str = Field(description="Shown once; send as 'Authorization: Bearer <token>'.")
    expires_at: dt.datetime
    clinician: Me


def _me(user: Clinician) -> Me:
    return Me(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        clinic=user.clinic.name,
        clinic_id=user.clinic_id,
        timezone=user.clinic.timezone,
    )


def _check(app: AppState, request: Request, session: Session, cred: Credentials) -> Clinician:
    """The clinician for these credentials, or 401/429.

    The attempt is counted before the password hash is verified, atomically with the check of
    the limit, so parallel guesses cannot all slip past it; a right password takes the count
    back. A failure is audited without the username (it would tell whether an account exists)
    and never with the password.
    """
    limit = app.settings.login_max_failures
    client = request.client.host if request.client else "unknown"
    user_key, ip_key = f"user:{cred.username.lower()}", f"ip:{client}"
    wait, stamp = app.limiter.attempt([(user_key, limit), (ip_key, 4 * limit)])
    if wait is not None:
        raise ProblemError(
            429,
            "rate-limited",
            f"Too many failed logins; retry in {wait} s.",
            headers={"Retry-After": str(wait)},
        )
    user = accounts.authenticate(session, cred.username, cred.password)
    if user is None:
        audit.record(session, None, "login-failed", "session", outcome="bad-credentials")
        session.commit()
        raise ProblemError(
            401,
            "bad-credentials",
            "Unknown username or wrong password.",
            field="username/password",
            value=cred.username,
            reason="no active account with this username and password",
        )
    app.limiter.forgive([ip_key], stamp)
    app.limiter.succeeded(user_key)
    _purge_expired_tokens(app, session)
    return user


PURGE_EVERY_SECONDS = 3600.0


def _purge_expired_tokens(app: AppState, session: Session) -> None:
    """Delete expired sessions and API tokens, at most once an hour (on a login)."""
    now = time.monotonic()
    if app.tokens_purged_at is not None and now - app.tokens_purged_at < PURGE_EVERY_SECONDS:
        return
    app.tokens_purged_at = now
    accounts.purge_expired(session)


def _actor(user: Clinician) -> Actor:
    return Actor(user.id, user.clinic_id, user.clinic.timezone)


def check_credentials(
    app: AppState, request: Request, session: Session, username: str, password: str
) -> Clinician:
    """The clinician for a username and password, else ``ProblemError`` 401/429 (rate limited
    like the login endpoint; used by the HTML login form)."""
    return _check(app, request, session, Credentials(username=username, password=password))


def start_session(
    app: AppState, request: Request, response: Response, session: Session, user: Clinician
) -> AuthToken:
    """Issue a session for ``user``, commit it (audited) and set its cookies on ``response``."""
    lifetime = dt.timedelta(hours=app.settings.session_hours)
    raw, token = accounts.issue_token(session, user, "session", lifetime)
    audit.record(session, _actor(user), "login", "session", token.id)
    session.commit()
    secure = request.url.scheme == "https"
    max_age = int(lifetime.total_seconds())
    response.set_cookie(
        SESSION_COOKIE,
        raw,
        max_age=max_age,
        httponly=True,
        secure=secure,
        samesite="lax",
        path="/",
    )
    assert token.csrf_token is not None
    response.set_cookie(
        CSRF_COOKIE,
        token.csrf_token,
        max_age=max_age,
        httponly=False,
        secure=secure,
        samesite="lax",
        path="/",
    )
    return token


@router.post("/login", response_model=LoginOut)
def login(
    cred: Credentials, request: Request, response: Response, app: StateDep, session: SessionDep
) -> LoginOut:
    """Start a browser session: sets the session and CSRF cookies."""
    user = _check(app, request, session, cred)
    token = start_session(app, request, response, session, user)
    assert token.csrf_token is not None
    return LoginOut(clinician=_me(user), csrf_token=token.csrf_token, expires_at=token.expires_at)


@router.post("/tokens", response_model=TokenOut, status_code=201)
def create_token(
    body: TokenRequest, request: Request, app: StateDep, session: SessionDep
) -> TokenOut:
    """Exchange a username and password for an API bearer token."""
    user = _check(app, request, session, body)
    lifetime = dt.timedelta(days=app.settings.token_days)
    raw, token = accounts.issue_token(session, user, "api", lifetime, body.name)
    audit.record(session, _actor(user), "login", "api-token", token.id)
    session.commit()
    return TokenOut(token=raw, expires_at=token.expires_at, clinician=_me(user))


@router.post("/logout", status_code=204)
def logout(auth: AuthDep, session: SessionDep) -> Response:
    """End the session (or revoke the bearer token used)."""
    session.delete(auth.token)
    session.commit()
    out = Response(status_code=204)
    out.delete_cookie(SESSION_COOKIE, path="/")
    out.delete_cookie(CSRF_COOKIE, path="/")
    return out


@router.get("/me", response_model=Me)
def me(auth: AuthDep) -> Me:
    """The logged-in clinician and their clinic."""
    return _me(auth.clinician)
