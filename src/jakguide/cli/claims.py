"""The ``jakguide check-article`` command: judge an article's claims against the knowledge.

Exit 0 whatever the verdicts (findings are results); 2 for an unreadable file.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from jakguide.cli._common import KnowledgeOpt, RegionOpt, RegionOption, guarded, knowledge


class ArticleFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


def check_article(
    file: Annotated[
        Path,
        typer.Argument(
            help="The article as plain text (UTF-8).", metavar="FILE", show_default=False
        ),
    ],
    region: RegionOption = RegionOpt.US,
    fmt: Annotated[
        ArticleFormat, typer.Option("--format", help="text, json or html.")
    ] = ArticleFormat.text,
    knowledge_dir: KnowledgeOpt = None,
) -> None:
    """Find the claims about JAK-family agents in an article and judge each against the labels."""

    def body() -> None:
        import sys

        from jakguide.claims import check_text
        from jakguide.claims.render import to_html, to_json, to_text
        from jakguide.errors import InputError

        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise InputError(
                "FILE", str(file), f"cannot read: {why}; give a UTF-8 text file"
            ) from None
        report = check_text(text, knowledge(knowledge_dir), region.value)
        if fmt is ArticleFormat.json:
            page = to_json(report) + "\n"
        elif fmt is ArticleFormat.html:
            page = to_html(report, text)
        else:
            page = to_text(report)
        sys.stdout.write(page)

    guarded(body)


def register(app: typer.Typer) -> None:
    """Add ``check-article`` to the main CLI."""
    app.command("check-article")(check_article)
