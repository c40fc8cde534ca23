"""``jakguide demo``: a demo clinic in a fresh SQLite store, served with the pages and the API.

The main CLI mounts it with :func:`register`. The clinician login is printed on standard output
(a new random password each run); the server's own lines go to standard error.

Manners: the port is taken (bound) before anything is printed, so the login lines never
advertise a server that cannot start. An explicit ``--port`` is used as given, and a taken one is
one line and exit 2; without ``--port`` the demo tries 8000 and, if that is taken, serves on a
free port and says so. A temporary store (no ``--data-dir``) is removed on every exit: normal
stop, Ctrl+C, SIGTERM or an error.
"""

from __future__ import annotations

import datetime as dt
import errno
import gc
import signal
import socket
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from jakguide.cli._common import (
    DEFAULT_PORT,
    HostOpt,
    KnowledgeOpt,
    guarded,
    log_config,
    parse_as_of,
    store_settings,
)
from jakguide.errors import InputError

DemoDataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder for the demo's fresh SQLite store (it must not hold a store yet); "
        "default: a new temporary folder, removed when the demo stops. The demo never uses "
        "JAKGUIDE_DATABASE_URL.",
        show_default=False,
    ),
]
DemoPortOpt = Annotated[
    int | None,
    typer.Option(
        "--port",
        help=f"Port to listen on, used as given (exit 2 if taken); default: {DEFAULT_PORT}, "
        "or a free port (said so) when that is taken.",
        min=0,
        max=65535,
        show_default=False,
    ),
]


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (raises ``OSError`` when the port is taken)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def listen(host: str, port: int | None) -> tuple[socket.socket, str | None]:
    """Take the demo's port before anything is printed; a note when it fell back to another.

    Raises:
        InputError: the explicit ``--port`` is taken, or the address cannot be listened on.
    """
    wanted = DEFAULT_PORT if port is None else port
    try:
        return _bind(host, wanted), None
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise InputError(
                "--host", host, f"cannot listen on {host}:{wanted} ({exc.strerror})"
            ) from None
        if port is not None:
            raise InputError(
                "--port", port, f"{host}:{port} is already in use; give another --port"
            ) from None
    sock = _bind(host, 0)
    free = sock.getsockname()[1]
    return sock, f"port {DEFAULT_PORT} is in use; serving on port {free} instead"


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # one way out for Ctrl+C and SIGTERM: the cleanup below runs


def demo(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="The demo's 'today' (YYYY-MM-DD): every date is relative to it, and the pages "
            "open on it; default: today.",
        ),
    ] = None,
    host: HostOpt = "127.0.0.1",
    port: DemoPortOpt = None,
    data_dir: DemoDataDirOpt = None,
    knowledge: KnowledgeOpt = None,
) -> None:
    """Create a demo clinic (five synthetic patients) in a fresh SQLite store and serve it."""

    def body() -> None:
        import shutil
        import tempfile

        day = parse_as_of(as_of)
        sock, note = listen(host, port)
        folder = data_dir or Path(tempfile.mkdtemp(prefix="jakguide-demo-"))
        previous = signal.signal(signal.SIGTERM, _stop)
        try:
            _serve(sock, note, folder, day, knowledge, set_as_of=as_of is not None)
        except KeyboardInterrupt:
            typer.echo("jakguide demo: stopped", err=True)
        finally:
            sock.close()
            signal.signal(signal.SIGTERM, previous)
            if data_dir is None:
                shutil.rmtree(folder, ignore_errors=True)

    guarded(body)


def _serve(
    sock: socket.socket,
    note: str | None,
    folder: Path,
    day: dt.date,
    knowledge: Path | None,
    *,
    set_as_of: bool,
) -> None:
    import uvicorn

    from jakguide.kb.base import load_knowledge
    from jakguide.store.demo import build_demo
    from jakguide.web.app import create_app
    from jakguide.web.pages import set_default_as_of

    # Always SQLite: the demo never writes into a configured PostgreSQL server.
    settings = store_settings(folder, knowledge).model_copy(update={"database_url": None})
    kb = load_knowledge(settings.knowledge)
    made = build_demo(settings, kb, day)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{port}"
    typer.echo(f"jakguide demo: {made.clinic} in a fresh store at {settings.sqlite_path}")
    if note:
        typer.echo(f"  {note}")
    typer.echo(f"  {len(made.patients)} synthetic patients, dated relative to {day}:")
    for _, label, story in made.patients:
        typer.echo(f"    {label}: {story}")
    typer.echo(f"  open      {base}/login")
    typer.echo(f"  username  {made.username}")
    typer.echo(f"  password  {made.password}")
    typer.echo("  (knowledge " + kb.version + "; stop with Ctrl+C)", nl=True)
    app = create_app(settings.model_copy(update={"migrate_on_start": False}), knowledge=kb)
    if set_as_of:
        set_default_as_of(app, day)
    gc.collect()
    gc.freeze()
    config = uvicorn.Config(app, access_log=False, log_config=log_config())
    uvicorn.Server(config).run(sockets=[sock])


def register(app: typer.Typer) -> None:
    """Add ``demo`` to the main CLI."""
    app.command("demo")(demo)
