"""Alembic environment: runs online against the engine the caller put in ``attributes``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from jakguide.store.models import Base

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):  # pragma: no cover - only reachable through the alembic CLI
    raise RuntimeError("run migrations through jakguide.store.migrate.upgrade")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
