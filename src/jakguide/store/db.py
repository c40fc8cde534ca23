"""Engines and sessions: SQLite (WAL, foreign keys, full sync) by default, PostgreSQL by URL.

Why ``synchronous=FULL``: an acknowledged write must survive the server being killed; WAL with
FULL sync commits are durable against process and power loss at the cost of one fsync per commit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from jakguide.store.settings import Settings

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # The stdlib driver opens transactions lazily; let SQLAlchemy issue BEGIN itself so that
    # a transaction is one unit from its first read (see "Serializable isolation" in SA docs).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def make_engine(settings: Settings) -> Engine:
    """An engine for ``settings.url``; creates the SQLite data directory when needed."""
    url = settings.url
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception."""
    with factory() as session, session.begin():
        yield session


def sqlite_version() -> str:
    return sqlite3.sqlite_version


class Database:
    """An engine and its session factory for one settings object."""

    def __init__(self, settings: Settings, migrate: bool = False) -> None:
        self.settings = settings
        self.engine = make_engine(settings)
        self.sessions = make_sessionmaker(self.engine)
        if migrate:
            self.upgrade()

    def upgrade(self) -> None:
        from jakguide.store.migrate import upgrade

        upgrade(self.engine)

    def transaction(self) -> AbstractContextManager[Session]:
        return transaction(self.sessions)

    def dispose(self) -> None:
        self.engine.dispose()
