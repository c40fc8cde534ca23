"""``jakguide cds``: the CDS Hooks door's commands (feedback report).

Why a report: alerts that fire on everything are overridden most of the time; the override rate
per card type and rule shows a clinic which cards are noise.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

import typer

from jakguide.cli._common import emit_json, guarded, store_settings
from jakguide.errors import InputError

cds_app = typer.Typer(help="CDS Hooks services for EHRs: feedback.", no_args_is_help=True)


@cds_app.command("feedback-report")
def feedback_report(
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only cards and feedback from this day on (YYYY-MM-DD)."),
    ] = None,
    output: Annotated[
        Literal["text", "json"], typer.Option("--format", help="text or json.")
    ] = "text",
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Folder of the SQLite store (also JAKGUIDE_DATA_DIR); JAKGUIDE_DATABASE_URL "
            "selects PostgreSQL instead.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Override rates of the CDS cards, per service, card type and rule, from stored feedback."""

    def body() -> None:
        from jakguide.cds.feedback import report
        from jakguide.store.db import Database

        start = None
        if since is not None:
            try:
                start = dt.datetime.combine(dt.date.fromisoformat(since), dt.time(), dt.UTC)
            except ValueError:
                raise InputError("--since", since, "not a date; use YYYY-MM-DD") from None
        db = Database(store_settings(data_dir), migrate=True)
        try:
            rows = report(db, start)
        finally:
            db.dispose()
        if output == "json":
            emit_json([r.as_dict() for r in rows])
            return
        if not rows:
            typer.echo("No CDS cards or feedback stored yet.")
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(title="CDS card feedback: override rate per card type and rule")
        for column in ("Service", "Card type", "Rule", "Shown", "Accepted", "Overridden"):
            table.add_column(
                column, justify="right" if column[0] in "SAO" and column != "Service" else "left"
            )
        table.add_column("Override rate", justify="right")
        table.add_column("Top override reason")
        for r in rows:
            rate = r.override_rate
            table.add_row(
                r.service_id,
                r.card_type,
                r.rule,
                str(r.shown),
                str(r.accepted),
                str(r.overridden),
                "-" if rate is None else f"{rate:.0%}",
                r.top_reason or "",
            )
        Console(width=160).print(table)

    guarded(body)


def register(app: typer.Typer) -> None:
    """Add the ``cds`` group to the main CLI."""
    app.add_typer(cds_app, name="cds")
