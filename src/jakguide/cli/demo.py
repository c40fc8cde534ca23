"""``jakguide demo``: a demo clinic in a fresh SQLite store, served with the pages and the API.

The main CLI mounts it with :func:`register`. The clinician login is printed on standard output
(a new random password each run); the server's own lines go to standard error.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Annotated

import typer

from jakguide.cli._common import guarded, parse_as_of
from jakguide.cli.server import KnowledgeOpt, _log_config, _settings

DemoDataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder for the demo's fresh SQLite store (it must not hold a store yet); "
        "default: a new temporary folder. The demo never uses JAKGUIDE_DATABASE_URL.",
        show_default=False,
    ),
]


def demo(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="The demo's 'today' (YYYY-MM-DD): every date is relative to it, and the pages "
            "open on it; default: today.",
        ),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.", min=0, max=65535)] = (
        8000
    ),
    data_dir: DemoDataDirOpt = None,
    knowledge: KnowledgeOpt = None,
) -> None:
    """Create a demo clinic (five synthetic patients) in a fresh SQLite store and serve it."""

    def body() -> None:
        import tempfile

        import uvicorn

        from jakguide.kb.base import load_knowledge
        from jakguide.store.demo import build_demo
        from jakguide.web.app import create_app
        from jakguide.web.pages import set_default_as_of

        day = parse_as_of(as_of)
        folder = data_dir or Path(tempfile.mkdtemp(prefix="jakguide-demo-"))
        # Always SQLite: the demo never writes into a configured PostgreSQL server.
        settings = _settings(folder, knowledge).model_copy(update={"database_url": None})
        kb = load_knowledge(settings.knowledge)
        made = build_demo(settings, kb, day)
        base = f"http://{host}:{port}"
        typer.echo(f"jakguide demo: {made.clinic} in a fresh store at {settings.sqlite_path}")
        typer.echo(f"  {len(made.patients)} synthetic patients, dated relative to {day}:")
        for _, label, story in made.patients:
            typer.echo(f"    {label}: {story}")
        typer.echo(f"  open      {base}/login")
        typer.echo(f"  username  {made.username}")
        typer.echo(f"  password  {made.password}")
        typer.echo("  (knowledge " + kb.version + "; stop with Ctrl+C)", nl=True)
        app = create_app(settings.model_copy(update={"migrate_on_start": False}), knowledge=kb)
        if as_of is not None:
            set_default_as_of(app, day)
        gc.collect()
        gc.freeze()
        uvicorn.run(app, host=host, port=port, access_log=False, log_config=_log_config())

    guarded(body)


def register(app: typer.Typer) -> None:
    """Add ``demo`` to the main CLI."""
    app.command("demo")(demo)
