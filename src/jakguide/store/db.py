"""Engines and sessions: SQLite (WAL, foreign keys, full sync) by default, PostgreSQL by URL.

Why ``synchronous=FULL``: an acknowledged write must survive the server being killed; WAL with
FULL sync commits are durable against process and power loss at the cost of one fsync per commit.

Why ``BEGIN IMMEDIATE``: a deferred SQLite transaction that reads first and writes later cannot
wait for the write lock; if another writer committed since its first read it fails at once with
``SQLITE_BUSY_SNAPSHOT`` ("database is locked") and the busy timeout never applies. So every
transaction that may write takes the write lock when it begins (and waits up to the busy timeout
for it). Reads use a *read session* instead (:meth:`Database.read_session`): a deferred
transaction that never writes; the audit rows of a read are kept aside and written after the read
ends, in a short transaction of their own (:class:`StoreSession`), so a read never upgrades to a
write and reads never queue behind each other for the write lock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from jakguide.store.settings import Settings

BUSY_TIMEOUT_MS = 10_000
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
)
#: Execution option naming how a SQLite transaction begins (``IMMEDIATE`` unless told).
BEGIN_OPTION = "jakguide_begin"
#: ``Session.info`` keys of a read session.
READ_ONLY = "jakguide_read_only"
DEFERRED_WRITES = "jakguide_deferred_writes"
WRITE_ENGINE = "jakguide_write_engine"
#: Seconds a request waits for a pooled connection before it gives up (503 upstream).
POOL_TIMEOUT = 10

DeferredWrite = Callable[[Session], None]


class ReadOnlySessionError(RuntimeError):
    """A read session was asked to write (a programming error: use a write session)."""


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # The stdlib driver opens transactions lazily; let SQLAlchemy issue BEGIN itself so that
    # a transaction is one unit from its first read (see "Serializable isolation" in SA docs).
    dbapi_connection.isolation_level = None
    # Text that is not UTF-8 (written by another tool) reads as U+FFFD instead of failing the
    # whole query: one bad row must never break a list.
    dbapi_connection.text_factory = _lenient_text
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _lenient_text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _sqlite_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get(BEGIN_OPTION, "IMMEDIATE")
    conn.exec_driver_sql("BEGIN" if mode == "DEFERRED" else "BEGIN IMMEDIATE")


def pool_size(settings: Settings) -> int:
    """Connections kept per engine: one per request slot (see ``max_concurrent_requests``)."""
    return settings.max_concurrent_requests


def make_engine(settings: Settings, size: int | None = None) -> Engine:
    """An engine for ``settings.url``; creates the SQLite data directory when needed.

    The pool holds a connection for every request slot plus as many again for short overlaps
    (a request's audit write while its session still holds a connection), so a request never
    waits for a connection held by a request that waits for it. ``size`` overrides the slots
    (the health check has an engine of its own with one connection).
    """
    url = settings.url
    size = size or pool_size(settings)
    pool = {"pool_size": size, "max_overflow": size, "pool_timeout": POOL_TIMEOUT}
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pool)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


class StoreSession(Session):
    """A session whose read mode keeps writes (audit rows, counters) for after the read.

    In a read session (``info[READ_ONLY]``) nothing may be flushed; :func:`defer_write` queues
    the write instead, and :meth:`commit` ends the read and then runs the queued writes in one
    write transaction. Closing without a commit drops them, as a rollback would.
    """

    def commit(self) -> None:
        super().commit()
        pending: list[DeferredWrite] = self.info.get(DEFERRED_WRITES) or []
        if not pending:
            return
        self.info[DEFERRED_WRITES] = []
        engine: Engine = self.info[WRITE_ENGINE]
        with Session(engine) as session, session.begin():
            for write in pending:
                write(session)

    def close(self) -> None:
        if self.info.get(DEFERRED_WRITES):
            self.info[DEFERRED_WRITES] = []
        super().close()


def _refuse_writes(session: Session, _flush_context: Any, _instances: Any) -> None:
    if session.info.get(READ_ONLY) and (session.new or session.dirty or session.deleted):
        raise ReadOnlySessionError("a read session cannot write; use defer_write()")


event.listen(StoreSession, "before_flush", _refuse_writes)


def is_read_only(session: Session) -> bool:
    return bool(session.info.get(READ_ONLY))


def defer_write(session: Session, write: DeferredWrite) -> None:
    """Run ``write`` in this session now, or, in a read session, after its read commits."""
    if is_read_only(session):
        session.info.setdefault(DEFERRED_WRITES, []).append(write)
    else:
        write(session)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, class_=StoreSession)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception."""
    with factory() as session, session.begin():
        yield session


def sqlite_version() -> str:
    return sqlite3.sqlite_version


class Database:
    """An engine and its session factories for one settings object."""

    def __init__(self, settings: Settings, migrate: bool = False) -> None:
        self.settings = settings
        self.engine = make_engine(settings)
        self.sessions = make_sessionmaker(self.engine)
        self.read_engine = self.engine.execution_options(**{BEGIN_OPTION: "DEFERRED"})
        self._reads = sessionmaker(
            bind=self.read_engine, expire_on_commit=False, class_=StoreSession
        )
        self._health = make_engine(settings, size=1).execution_options(**{BEGIN_OPTION: "DEFERRED"})
        if migrate:
            self.upgrade()

    def upgrade(self) -> None:
        from jakguide.store.migrate import upgrade

        upgrade(self.engine)

    def transaction(self) -> AbstractContextManager[Session]:
        return transaction(self.sessions)

    def health(self) -> str | None:
        """``SELECT 1`` and the schema revision, on a connection of its own (so it answers
        while the request pool is busy; a read, never waiting for SQLite's write lock)."""
        from alembic.runtime.migration import MigrationContext
        from sqlalchemy import text

        with self._health.connect() as conn:
            conn.execute(text("SELECT 1"))
            revision: str | None = MigrationContext.configure(conn).get_current_revision()
            return revision

    def read_session(self) -> Session:
        """A session for a request that only reads (its audit rows are written after it)."""
        return self._reads(info={READ_ONLY: True, WRITE_ENGINE: self.engine})

    def dispose(self) -> None:
        self.engine.dispose()
        self._health.engine.dispose()
