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
    "server",
    "demo",
    "views",
    "synth",
    "claims",
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
    "serve": "server",
    "db": "server",
    "user": "server",
    "demo": "demo",
    "views": "views",
    "synth": "synth",
    "check-article": "claims",
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


# Groups whose commands answer and exit. They skip two start-up costs: cycle collection while
# they import and unpickle (reference counting still frees memory), and pydantic's plugin
# discovery (a scan of every installed package's entry points, ~25 ms; Typer disables it for
# its own adapters the same way; an explicit PYDANTIC_DISABLE_PLUGINS is kept). The servers and
# the guide's PDF keep both.
_SHORT_LIVED = frozenset({"kb", "assess", "instruments"})


def main() -> None:
    """Console-script entry point: only the named command's group is imported."""
    group = COMMANDS.get(sys.argv[1]) if len(sys.argv) > 1 else None
    if group in _SHORT_LIVED:
        gc.disable()
        os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    (build_app((group,)) if group else build_app())()


__all__ = ["COMMANDS", "GROUPS", "app", "build_app", "main"]
