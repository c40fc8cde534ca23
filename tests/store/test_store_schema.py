"""Migrations: they build the schema the models describe, on SQLite and PostgreSQL, idempotently."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from jakguide.store import Database
from jakguide.store.migrate import current_revision, head_revision
from jakguide.store.models import Base


def test_upgrade_builds_every_table_at_head(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert current_revision(db.engine) == head_revision()


def test_upgrade_is_idempotent(db: Database) -> None:
    db.upgrade()
    db.upgrade()
    assert current_revision(db.engine) == head_revision()


def test_migrations_match_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_sqlite_store_uses_wal_and_full_sync(tmp_path: object) -> None:
    from pathlib import Path

    from jakguide.store import Settings

    data = Path(str(tmp_path)) / "d"
    db = Database(Settings(data_dir=data), migrate=True)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()
    with closing(sqlite3.connect(data / "jakguide.sqlite3")) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
