"""Backup and restore of the embedded SQLite store with SQLite's online backup API.

Why the backup API and not a file copy: it copies a consistent snapshot page by page while the
server keeps running (WAL readers and writers included); a plain copy of a WAL database can miss
committed pages that still sit in the -wal file.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from jakguide.errors import InputError
from jakguide.store.migrate import head_revision
from jakguide.store.settings import Settings


def _require_sqlite(settings: Settings) -> Path:
    if not settings.is_sqlite:
        raise InputError(
            "JAKGUIDE_DATABASE_URL",
            "postgresql",
            "backup/restore work for the SQLite store; use pg_dump/pg_restore for PostgreSQL",
        )
    return settings.sqlite_path


def backup(settings: Settings, target: Path) -> int:
    """Write a consistent copy of the store to ``target``; returns its size in bytes."""
    source = _require_sqlite(settings)
    if not source.exists():
        raise InputError("database", str(source), "no store yet; run `jakguide db upgrade`")
    if target.exists():
        raise InputError("FILE", str(target), "exists already; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(source)) as src,
        closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    return target.stat().st_size


def check_backup(path: Path) -> str:
    """The schema revision of a backup file; InputError if it is not a jakguide store."""
    if not path.is_file():
        raise InputError("FILE", str(path), "file not found")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            ok = conn.execute("PRAGMA integrity_check").fetchone()
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise InputError("FILE", str(path), f"not a jakguide SQLite store ({exc})") from None
    if ok is None or ok[0] != "ok":
        raise InputError("FILE", str(path), "integrity check failed")
    if row is None:
        raise InputError("FILE", str(path), "no schema revision recorded")
    revision = str(row[0])
    if revision != head_revision():
        # An older backup is fine (restore then upgrade); a newer one needs a newer jakguide.
        from jakguide.store.migrate import MIGRATIONS

        known = {p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("*.py")}
        if revision not in known:
            raise InputError("FILE", str(path), f"schema {revision} is newer than this jakguide")
    return revision


def restore(settings: Settings, source: Path) -> str:
    """Replace the store's content with the backup in ``source``; returns its revision."""
    target = _require_sqlite(settings)
    revision = check_backup(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
        closing(sqlite3.connect(target)) as dst,
    ):
        dst.execute("PRAGMA journal_mode=WAL")
        src.backup(dst)
    return revision
