"""Accounts: argon2 passwords, tokens stored hashed, expiry, unique usernames, time zones."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from jakguide.errors import InputError
from jakguide.store import Database, Settings, accounts
from jakguide.store.models import AuthToken, Clinician


def test_passwords_are_argon2_and_verify(db: Database) -> None:
    with db.transaction() as s:
        clinic = accounts.ensure_clinic(s, "A", None, "UTC")
        accounts.add_clinician(s, clinic, "ann", "long enough", "Dr Ann")
    with db.transaction() as s:
        stored = s.scalar(select(Clinician.password_hash))
        assert stored is not None and stored.startswith("$argon2id$")
        assert accounts.authenticate(s, "ann", "long enough") is not None
        assert accounts.authenticate(s, "ann", "wrong one") is None
        assert accounts.authenticate(s, "nobody", "long enough") is None


def test_tokens_are_stored_hashed_and_expire(db: Database) -> None:
    with db.transaction() as s:
        clinic = accounts.ensure_clinic(s, "A", None, "UTC")
        user = accounts.add_clinician(s, clinic, "ann", "long enough", None)
        raw, _ = accounts.issue_token(s, user, "api", dt.timedelta(days=1))
        old, _ = accounts.issue_token(s, user, "session", dt.timedelta(seconds=-1))
    with db.transaction() as s:
        assert raw not in {t.token_hash for t in s.scalars(select(AuthToken))}
        assert accounts.resolve_token(s, raw, "api") is not None
        assert accounts.resolve_token(s, raw, "session") is None  # wrong kind
        assert accounts.resolve_token(s, old, "session") is None  # expired
        assert accounts.purge_expired(s) == 1
        accounts.revoke_token(s, raw)
        assert accounts.resolve_token(s, raw, "api") is None


def test_account_input_is_checked(db: Database) -> None:
    with db.transaction() as s:
        clinic = accounts.ensure_clinic(s, "A", None, "UTC")
        accounts.add_clinician(s, clinic, "ann", "long enough", None)
        with pytest.raises(InputError, match="already taken"):
            accounts.add_clinician(s, clinic, "ann", "long enough", None)
        with pytest.raises(InputError, match="too short") as info:
            accounts.add_clinician(s, clinic, "bob", "short", None)
        assert "short" not in str(info.value.value)  # the password is never echoed
        with pytest.raises(InputError, match="IANA"):
            accounts.ensure_clinic(s, "B", "Mars/Olympus", "UTC")


def test_settings_come_from_the_environment() -> None:
    env = {
        "JAKGUIDE_DATA_DIR": "/x",
        "JAKGUIDE_SESSION_HOURS": "2",
        "JAKGUIDE_DATABASE_URL": "postgres://u@h/db",
    }
    s = Settings.from_env(env)
    assert str(s.data_dir) == "/x" and s.session_hours == 2
    assert s.url == "postgresql+psycopg://u@h/db" and not s.is_sqlite
    assert Settings.from_env({"JAKGUIDE_DATA_DIR": "/y"}).url == "sqlite:////y/jakguide.sqlite3"
    with pytest.raises(InputError, match="JAKGUIDE_MAX_BODY_BYTES"):
        Settings.from_env({"JAKGUIDE_MAX_BODY_BYTES": "lots"})
