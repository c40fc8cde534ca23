"""The ``jakguide`` command line (Typer + Rich): one module per command group.

Exit codes (DESIGN): 0 success; 1 the command found the problems it was asked to find (e.g.
``kb validate`` on invalid knowledge); 2 bad input or usage, as one line naming the offending value.

Start-up is kept short (BENCHMARKS.md, "CLI start-up"): command modules import their heavy
dependencies (web stack, database, PDF) inside the command, and :func:`main` imports only the
command group a command line names (``jakguide assess ...`` never imports the server, guide or
instrument commands). ``app``, the whole application with every group, is built on first use.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from jakguide import __version__

if TYPE_CHECKING:
    app: typer.Typer

# The command groups in the order ``--help`` lists them, and the module that registers each
# top-level command (a test checks this table against the whole app).
GROUPS = (
    "kb",
    "assess",
    "instruments",
    "guide",
    "triage",
    "server",
    "demo",
    "views",
    "synth",
    "claims",
    "cds",
    "scan",
)
COMMANDS = {
    "kb": "kb",
    "drugs": "kb",
    "drug": "kb",
    "assess": "assess",
    "labs": "assess",
    "score": "instruments",
    "response": "instruments",
    "guide": "guide",
    "condition-guide": "guide",
    "triage": "triage",
    "serve": "server",
    "db": "server",
    "user": "server",
    "demo": "demo",
    "views": "views",
    "synth": "synth",
    "check-article": "claims",
    "cds": "cds",
    "scan": "scan",
}


def _root(
    version: Annotated[bool, typer.Option("--version", help="Show the version.")] = False,
) -> None:
    if version:
        typer.echo(f"jakguide {__version__}")
        raise typer.Exit(0)


def build_app(groups: tuple[str, ...] = GROUPS) -> typer.Typer:
    """The Typer application with the given command groups (default: all of them)."""
    root = typer.Typer(
        name="jakguide",
        help="Sourced decision support for JAK/TYK2 inhibitors. Not a substitute for clinical "
        "judgement.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    root.callback(invoke_without_command=True)(_root)
    for group in groups:
        importlib.import_module(f"jakguide.cli.{group}").register(root)
    return root


def __getattr__(name: str) -> Any:
    if name == "app":
        whole = build_app()
        globals()["app"] = whole
        return whole
    raise AttributeError(f"module 'jakguide.cli' has no attribute {name!r}")


# Groups whose commands answer and exit (and a command line that names no group: help, version,
# a usage error). They skip three start-up and shut-down costs: cycle collection (reference
# counting still frees memory), pydantic's plugin discovery (a scan of every installed package's
# entry points, ~25 ms; Typer disables it for its own adapters the same way; an explicit
# PYDANTIC_DISABLE_PLUGINS is kept), and the interpreter's teardown after the answer is written
# (collecting and freeing every module's objects: a tenth of such a run). The servers and the
# guide's PDF keep all three.
_SHORT_LIVED = frozenset({"kb", "assess", "instruments"})


def _exit_now(done: SystemExit) -> None:
    """End the process with ``done``'s exit code once the output is flushed, without the
    interpreter's teardown; returns (and the caller exits the ordinary way) when the code is
    not a number or the output cannot be flushed (e.g. a closed pipe, reported as usual)."""
    code = 0 if done.code is None else done.code
    if not isinstance(code, int):
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


def main() -> None:
    """Console-script entry point: only the named command's group is imported."""
    group = COMMANDS.get(sys.argv[1]) if len(sys.argv) > 1 else None
    short_lived = group is None or group in _SHORT_LIVED
    if short_lived:
        gc.disable()
        os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    command = build_app((group,)) if group else build_app()
    try:
        command()
    except SystemExit as done:
        if short_lived:
            _exit_now(done)
        raise


__all__ = ["COMMANDS", "GROUPS", "app", "build_app", "main"]
