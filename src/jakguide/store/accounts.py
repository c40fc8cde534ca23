"""Clinics, clinician accounts, passwords (argon2id) and login/API tokens.

Why tokens are stored hashed: a copy of the database must not let anyone log in; the raw token
only ever exists in the client's cookie or ``Authorization`` header.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from jakguide.errors import InputError
from jakguide.store.models import AuthToken, Clinic, Clinician, utcnow

TokenKind = Literal["session", "api"]
MIN_PASSWORD = 8
MAX_CLINIC_NAME = 200
#: Issued tokens are far shorter; longer input is never looked up.
_MAX_TOKEN_CHARS = 200
USERNAME = re.compile(r"^[A-Za-z0-9._@+-]{1,200}$")

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both paths cost one argon2 verification.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError("timezone", name, "not an IANA time zone, e.g. Europe/Berlin") from None
    return name


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InputError("password", "***", f"too short; use at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def get_clinic(session: Session, name: str) -> Clinic | None:
    return session.scalar(select(Clinic).where(Clinic.name == name))


def ensure_clinic(session: Session, name: str, timezone: str | None, default_tz: str) -> Clinic:
    """The clinic called ``name``; created (in ``timezone`` or the default) when missing."""
    if not name.strip() or len(name) > MAX_CLINIC_NAME:
        raise InputError("--clinic", name, f"a clinic name of 1-{MAX_CLINIC_NAME} characters")
    clinic = get_clinic(session, name)
    if clinic is None:
        clinic = Clinic(name=name, timezone=check_timezone(timezone or default_tz))
        session.add(clinic)
        session.flush()
    elif timezone is not None and timezone != clinic.timezone:
        clinic.timezone = check_timezone(timezone)
    return clinic


def add_clinician(
    session: Session, clinic: Clinic, username: str, password: str, display_name: str | None
) -> Clinician:
    if not USERNAME.match(username):
        raise InputError("username", username, "1-200 of letters, digits and . _ @ + -")
    if session.scalar(select(Clinician).where(Clinician.username == username)) is not None:
        raise InputError("username", username, "already taken; choose another")
    user = Clinician(
        clinic_id=clinic.id,
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> Clinician | None:
    """The active clinician with this username and password, else None (constant work)."""
    user = session.scalar(select(Clinician).where(Clinician.username == username))
    stored = user.password_hash if user is not None and user.active else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(stored):
        user.password_hash = _hasher.hash(password)
    return user


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(
    session: Session,
    user: Clinician,
    kind: TokenKind,
    lifetime: dt.timedelta,
    name: str | None = None,
) -> tuple[str, AuthToken]:
    """A new random token; returns the raw value (shown once) and its stored row."""
    raw = secrets.token_urlsafe(32)
    row = AuthToken(
        token_hash=token_digest(raw),
        clinician_id=user.id,
        kind=kind,
        name=name,
        csrf_token=secrets.token_urlsafe(24) if kind == "session" else None,
        expires_at=utcnow() + lifetime,
    )
    session.add(row)
    session.flush()
    return raw, row


def resolve_token(session: Session, raw: str, kind: TokenKind) -> AuthToken | None:
    """The unexpired token row of this kind whose owner is active, else None."""
    if not raw or len(raw) > _MAX_TOKEN_CHARS:
        return None
    row = session.scalar(select(AuthToken).where(AuthToken.token_hash == token_digest(raw)))
    if row is None or row.kind != kind or row.expires_at <= utcnow():
        return None
    if not row.clinician.active:
        return None
    return row


def revoke_token(session: Session, raw: str) -> None:
    session.execute(delete(AuthToken).where(AuthToken.token_hash == token_digest(raw)))


def purge_expired(session: Session) -> int:
    result = session.execute(delete(AuthToken).where(AuthToken.expires_at <= utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)
