"""Server and store settings, declared as data: each has a name, an env var, a default and help.

Why one table: ``jakguide serve --help``, ``docs/store.md`` and the environment all read the same
declarations, so a setting cannot exist without its documentation (datasette habit).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jakguide.errors import InputError

ENV_PREFIX = "JAKGUIDE_"
MIB = 1024 * 1024
SQLITE_FILE = "jakguide.sqlite3"


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/jakguide`` (``~/.local/share/jakguide`` when unset)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "jakguide"


class Settings(BaseModel):
    """Everything the server and the store need; build with :meth:`from_env`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Folder of the embedded SQLite store (created when missing).",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of a PostgreSQL server, e.g. "
        "postgresql://user@host/db; unset: SQLite in the data directory.",
    )
    knowledge: Path | None = Field(
        default=None, description="Knowledge folder to use instead of the bundled one."
    )
    session_hours: float = Field(
        default=12.0, gt=0, description="Lifetime of a login session cookie, in hours."
    )
    token_days: float = Field(
        default=90.0, gt=0, description="Lifetime of an API bearer token, in days."
    )
    max_body_bytes: int = Field(
        default=1 * MIB, gt=0, description="Largest request body for JSON endpoints (413 past it)."
    )
    max_import_bytes: int = Field(
        default=25 * MIB, gt=0, description="Largest FHIR Bundle accepted by the import endpoints."
    )
    login_max_failures: int = Field(
        default=5, gt=0, description="Failed logins allowed per account (and 4x per client) ..."
    )
    login_window_seconds: int = Field(
        default=900, gt=0, description="... within this window before logins answer 429."
    )
    default_timezone: str = Field(
        default="UTC", description="Time zone of clinics created without one (IANA name)."
    )
    migrate_on_start: bool = Field(
        default=True, description="Run database migrations when the server starts."
    )
    max_concurrent_requests: int = Field(
        default=16,
        gt=0,
        le=1000,
        description="Requests worked on at once; the thread pool and the database pool are "
        "sized from it (see docs/store.md).",
    )
    max_queued_requests: int = Field(
        default=64,
        ge=0,
        le=100_000,
        description="Requests allowed to wait for a free slot; more answer 503 at once.",
    )
    queue_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        le=600,
        description="Longest wait for a free slot before a request answers 503 (Retry-After).",
    )
    request_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="Per-request deadline: a request not answered by then gets 503.",
    )
    public_url: str | None = Field(
        default=None,
        description="The address people use to reach the server (https://jak.example.org); "
        "patient links are built from it, never from the request's Host header.",
        pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$",
    )
    trusted_proxies: str = Field(
        default="",
        max_length=2000,
        description="Comma-separated proxy addresses whose X-Forwarded-For/-Proto headers "
        "are believed; empty: never (the login rate limit uses the peer address).",
    )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``JAKGUIDE_<NAME>`` variables, then explicit overrides.

        Raises:
            InputError: a variable that does not parse (names the variable and the value).
        """
        source = os.environ if env is None else env
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            raw = source.get(ENV_PREFIX + name.upper())
            if raw not in (None, ""):
                values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            err = exc.errors()[0]
            name = str(err["loc"][0]) if err["loc"] else "settings"
            raise InputError(ENV_PREFIX + name.upper(), err.get("input"), err["msg"]) from None

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / SQLITE_FILE

    @property
    def url(self) -> str:
        """The database URL actually used (PostgreSQL driver pinned to psycopg 3)."""
        if self.database_url:
            return normalize_url(self.database_url)
        return f"sqlite:///{self.sqlite_path}"

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


def normalize_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` mean psycopg 3 (the only driver we ship)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def settings_table() -> list[dict[str, str]]:
    """Name, env var, default and help of every setting (for docs and ``--help``)."""
    rows = []
    for name, info in Settings.model_fields.items():
        if info.default_factory is not None:
            default = "$XDG_DATA_HOME/jakguide or ~/.local/share/jakguide"
        else:
            default = "" if info.default is None else str(info.default)
        rows.append(
            {
                "name": name,
                "env": ENV_PREFIX + name.upper(),
                "default": default,
                "help": info.description or "",
            }
        )
    return rows
