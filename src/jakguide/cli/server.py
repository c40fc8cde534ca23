"""CLI commands for the server and store: ``serve``, ``db upgrade|backup|restore``, ``user add``.

The main CLI mounts them with :func:`register`. Errors follow the CLI's exit codes: 2 and one line
naming the offending value for bad input; passwords are read from a hidden prompt or stdin and
never echoed or logged.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from jakguide.cli._common import (
    DEFAULT_PORT,
    HostOpt,
    KnowledgeOpt,
    guarded,
    log_config,
    store_settings,
)

if TYPE_CHECKING:
    from jakguide.store.settings import Settings

DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder of the SQLite store (also JAKGUIDE_DATA_DIR; default "
        "~/.local/share/jakguide). JAKGUIDE_DATABASE_URL selects PostgreSQL instead.",
        show_default=False,
    ),
]


def _where(settings: Settings) -> str:
    if settings.is_sqlite:
        return f"sqlite at {settings.sqlite_path}"
    from sqlalchemy.engine import make_url

    return "postgresql " + make_url(settings.url).render_as_string(hide_password=True)


def _say(text: str) -> None:
    typer.echo(text, err=True)


def serve(
    host: HostOpt = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.", min=0, max=65535)] = (
        DEFAULT_PORT
    ),
    workers: Annotated[
        int, typer.Option("--workers", help="Worker processes (each with its own pool).", min=1)
    ] = 1,
    data_dir: DataDirOpt = None,
    knowledge: KnowledgeOpt = None,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url",
            help="Address people use to reach the server (patient links are built from it; "
            "also JAKGUIDE_PUBLIC_URL).",
            show_default=False,
        ),
    ] = None,
    trusted_proxies: Annotated[
        str | None,
        typer.Option(
            "--trusted-proxies",
            help="Comma-separated proxy addresses whose X-Forwarded-For is believed (also "
            "JAKGUIDE_TRUSTED_PROXIES); default: none.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the REST API (OpenAPI at /openapi.json, docs at /docs); migrates the store first."""

    def body() -> None:
        import os

        import uvicorn

        from jakguide.kb.base import load_knowledge
        from jakguide.store.db import Database
        from jakguide.web.app import create_app

        settings = store_settings(
            data_dir, knowledge, public_url=public_url, trusted_proxies=trusted_proxies
        )
        kb = load_knowledge(settings.knowledge)
        db = Database(settings, migrate=True)
        db.dispose()
        _say(f"jakguide: store {_where(settings)}; knowledge {kb.version}")
        _say(f"jakguide: serving http://{host}:{port} (API docs at /docs)")
        if workers == 1:
            app = create_app(settings.model_copy(update={"migrate_on_start": False}), knowledge=kb)
            # The knowledge is a large, immortal object graph: keep it out of the collector's
            # full passes, which otherwise stall requests for tens of milliseconds.
            gc.collect()
            gc.freeze()
            uvicorn.run(
                app,
                host=host,
                port=port,
                access_log=False,
                log_config=log_config(),
                **proxy_options(settings),
            )
            return
        os.environ["JAKGUIDE_MIGRATE_ON_START"] = "false"
        os.environ["JAKGUIDE_DATA_DIR"] = str(settings.data_dir)
        if settings.public_url:
            os.environ["JAKGUIDE_PUBLIC_URL"] = settings.public_url
        if settings.knowledge is not None:
            os.environ["JAKGUIDE_KNOWLEDGE"] = str(settings.knowledge)
        uvicorn.run(
            "jakguide.web.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,
            log_config=log_config(),
            **proxy_options(settings),
        )

    guarded(body)


def proxy_options(settings: Settings) -> dict[str, Any]:
    """Believe X-Forwarded-* only from the configured proxies (uvicorn's default trusts
    127.0.0.1, which let any local client pick its own address for the login rate limit)."""
    proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    if not proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": proxies}


db_app = typer.Typer(help="The record store: migrations, backup, restore.", no_args_is_help=True)
user_app = typer.Typer(help="Clinician accounts.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDirOpt = None) -> None:
    """Create or migrate the store's schema to this version of jakguide."""

    def body() -> None:
        from jakguide.store.db import Database
        from jakguide.store.migrate import current_revision

        settings = store_settings(data_dir)
        db = Database(settings, migrate=True)
        revision = current_revision(db.engine)
        db.dispose()
        typer.echo(f"store {_where(settings)} at schema revision {revision}")

    guarded(body)


@db_app.command("backup")
def db_backup(
    file: Annotated[Path, typer.Argument(help="New file to write the backup to.")],
    data_dir: DataDirOpt = None,
) -> None:
    """Copy the SQLite store to FILE (consistent while the server runs)."""

    def body() -> None:
        from jakguide.store.backup import backup

        size = backup(store_settings(data_dir), file)
        typer.echo(f"backup written to {file} ({size} bytes)")

    guarded(body)


@db_app.command("restore")
def db_restore(
    file: Annotated[Path, typer.Argument(help="A file written by `jakguide db backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Replace the SQLite store with a backup (then migrates it to this version)."""

    def body() -> None:
        from jakguide.store.backup import check_backup, restore
        from jakguide.store.db import Database

        settings = store_settings(data_dir)
        check_backup(file)
        if not yes and not typer.confirm(
            f"Replace every record in {settings.sqlite_path} with {file}?", err=True
        ):
            raise typer.Exit(1)
        revision = restore(settings, file)
        db = Database(settings, migrate=True)
        db.dispose()
        typer.echo(f"restored {file} (schema {revision}) into {settings.sqlite_path}")

    guarded(body)


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name (letters, digits, . _ @ + -).")],
    clinic: Annotated[
        str, typer.Option("--clinic", help="Clinic name; created when new.", show_default=False)
    ],
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", help="IANA time zone of a new clinic (e.g. Europe/Berlin)."),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Add a clinician account to a clinic (password from a hidden prompt or stdin)."""

    def body() -> None:
        from jakguide.store import accounts
        from jakguide.store.db import Database

        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        settings = store_settings(data_dir)
        db = Database(settings, migrate=True)
        try:
            with db.transaction() as session:
                found = accounts.ensure_clinic(session, clinic, timezone, settings.default_timezone)
                user = accounts.add_clinician(session, found, username, password, name)
                clinic_name, tz, user_id = found.name, found.timezone, user.id
        finally:
            db.dispose()
        typer.echo(f"added {username} (id {user_id}) to clinic {clinic_name!r} ({tz})")

    guarded(body)


def register(app: typer.Typer) -> None:
    """Add ``serve``, ``db`` and ``user`` to the main CLI."""
    app.command("serve")(serve)
    app.add_typer(db_app, name="db")
    app.add_typer(user_app, name="user")
