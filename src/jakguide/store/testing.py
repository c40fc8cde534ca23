"""Helpers for tests that need a real PostgreSQL server: a throw-away database per test.

Why in the package: the store tests, the web tests and anyone testing an integration need the
same rule (a fresh database, dropped afterwards, and a clear failure in CI when the server is not
reachable), and test folders cannot import each other.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from jakguide.store.settings import normalize_url

ADMIN_URL_ENV = "JAKGUIDE_TEST_POSTGRES_URL"
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


def admin_url() -> str:
    """The server tests use (a database on it that the user may create databases from)."""
    return normalize_url(os.environ.get(ADMIN_URL_ENV) or DEFAULT_ADMIN_URL)


def unreachable_reason(url: str | None = None) -> str | None:
    """None if PostgreSQL answers at ``url``, else why not (one line)."""
    url = url or admin_url()
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        return f"PostgreSQL not reachable at {make_url(url).render_as_string()}: {first}"
    finally:
        engine.dispose()
    return None


@contextmanager
def temporary_database(url: str | None = None) -> Iterator[str]:
    """Create a uniquely named database, yield its URL, drop it (even if connections remain)."""
    base = make_url(url or admin_url())
    name = f"jakguide_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
