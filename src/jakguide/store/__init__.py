"""Patient records on a real database: SQLite (WAL) by default, PostgreSQL by URL.

Public API::

    Settings.from_env()            data directory, database URL, limits (docs/store.md)
    Database(settings, migrate)    engine + sessions; ``upgrade()`` runs the Alembic migrations
    Records(session, actor, kb)    clinic-scoped, audited CRUD of patients and their rows
    to_patient(record, kb, as_of)  a stored record as the engine's ``Patient`` on a day
    links                          patient links and self-reports (tables registered here)
"""

from jakguide.store import links as links  # registers its tables on the models' metadata
from jakguide.store.audit import Actor
from jakguide.store.convert import Record, from_patient, to_patient
from jakguide.store.db import Database
from jakguide.store.records import RecordNotFoundError, Records
from jakguide.store.settings import Settings

__all__ = [
    "Actor",
    "Database",
    "Record",
    "RecordNotFoundError",
    "Records",
    "Settings",
    "from_patient",
    "to_patient",
]
