"""What every command shares: consoles, common options, one error path, JSON output.

Exit codes (DESIGN): 0 success; 1 the command found the problems it was asked to find (e.g.
``kb validate`` on invalid knowledge); 2 bad input or usage, as one line naming the offending value.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console

from jakguide.errors import InputError, JakguideError, KnowledgeError

if TYPE_CHECKING:
    from jakguide.kb.base import Knowledge
    from jakguide.store.settings import Settings

# No emoji codes: a ":name:" in a label quote or a patient's text is printed as written (and the
# emoji table, 3,600 names, is never loaded).
out = Console(soft_wrap=True, emoji=False)
err = Console(stderr=True, soft_wrap=True, emoji=False)


class Fmt(StrEnum):
    text = "text"
    json = "json"


class RegionOpt(StrEnum):
    US = "US"
    EU = "EU"


KnowledgeOpt = Annotated[
    Path | None,
    typer.Option(
        "--knowledge",
        help="Knowledge folder to use instead of the bundled one.",
        envvar="JAKGUIDE_KNOWLEDGE",
        show_default=False,
    ),
]
HostOpt = Annotated[str, typer.Option("--host", help="Address to listen on.")]
DEFAULT_PORT = 8000
FormatOpt = Annotated[Fmt, typer.Option("--format", help="Output format.")]
RegionOption = Annotated[RegionOpt, typer.Option("--region", help="US (FDA) or EU (EMA).")]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="The patient's 'today' (YYYY-MM-DD); default: today, echoed."),
]

T = TypeVar("T")


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"error: {message}", markup=False, highlight=False, emoji=False)
    raise typer.Exit(code)


def guarded(fn: Callable[[], T], where: str | None = None) -> T:
    """Run a command body; turn our errors into one line and the right exit code.

    ``where`` prefixes the line (e.g. the instrument being scored: ``error: basdai: q1: ...``).
    """
    prefix = f"{where}: " if where else ""
    try:
        return fn()
    except KnowledgeError as exc:
        for issue in exc.issues:
            err.print(f"error: {issue}", markup=False, highlight=False, emoji=False)
        raise typer.Exit(2) from None
    except JakguideError as exc:  # InputError (instrument inputs included) and the rest
        fail(prefix + str(exc))


def knowledge(folder: Path | None) -> Knowledge:
    """The knowledge for a command: from the snapshot cache when it is current."""
    from jakguide.cli.snapshot import cached_knowledge

    return cached_knowledge(folder)


def store_settings(
    data_dir: Path | None = None, knowledge: Path | None = None, **overrides: Any
) -> Settings:
    """The store's settings from the environment and the command's options."""
    from jakguide.store.settings import Settings

    return Settings.from_env(data_dir=data_dir, knowledge=knowledge, **overrides)


def log_config() -> dict[str, Any]:
    """Uvicorn's logging plus our ``jakguide`` loggers (access lines carry route templates,
    never ids or query strings; see ``web.middleware.AccessLog``)."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["jakguide"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def parse_as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError("--as-of", value, "not a date; use YYYY-MM-DD") from None


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
