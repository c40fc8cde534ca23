"""The ``jakguide`` command line (Typer + Rich): one module per command group.

Exit codes (DESIGN): 0 success; 1 the command found the problems it was asked to find (e.g.
``kb validate`` on invalid knowledge); 2 bad input or usage, as one line naming the offending value.
Command modules import their heavy dependencies (web stack, database, PDF) inside the command, so
``jakguide --help`` and ``jakguide assess`` load none of them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from jakguide import __version__
from jakguide.cli import assess, claims, demo, guide, instruments, kb, server
from jakguide.cli._common import out

app = typer.Typer(
    name="jakguide",
    help="Sourced decision support for JAK/TYK2 inhibitors. Not a substitute for clinical "
    "judgement.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _group in (kb, assess, instruments, guide, server, demo, claims):
    _group.register(app)


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Show the version.")] = False,
) -> None:
    if version:
        out.print(f"jakguide {__version__}", markup=False)
        raise typer.Exit(0)


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
