"""Knowledge commands: ``kb validate``, ``kb facts``, ``drugs``, ``drug``."""

from __future__ import annotations

from typing import Annotated

import typer

from jakguide.cli._common import (
    Fmt,
    FormatOpt,
    KnowledgeOpt,
    RegionOpt,
    RegionOption,
    emit_json,
    err,
    guarded,
    knowledge,
    out,
)
from jakguide.errors import InputError, KnowledgeError

kb_app = typer.Typer(help="Validate and inspect the knowledge base.", no_args_is_help=True)
# --------------------------------------------------------------------------- kb


@kb_app.command("validate")
def kb_validate(knowledge_dir: KnowledgeOpt = None) -> None:
    """Validate a knowledge folder; exit 1 listing file:line: key: message for each issue."""
    from jakguide.kb.base import load_knowledge  # always the files themselves, never a snapshot

    try:
        kb = load_knowledge(knowledge_dir)
    except KnowledgeError as exc:
        for issue in exc.issues:
            err.print(str(issue), markup=False, highlight=False)
        err.print(f"{len(exc.issues)} issue(s) found", markup=False)
        raise typer.Exit(1) from None
    out.print(
        f"valid: knowledge {kb.version} ({len(kb.drugs)} drugs, {len(kb.sources)} sources, "
        f"{len(kb.conditions)} conditions, {len(kb.classes)} classes, "
        f"{len(kb.analytes)} analytes)",
        markup=False,
    )


@kb_app.command("facts")
def kb_facts(
    unsourced: Annotated[bool, typer.Option("--unsourced", help="Facts without a source.")] = False,
    unverified: Annotated[
        bool, typer.Option("--unverified", help="Facts marked verified: false.")
    ] = False,
    fmt: FormatOpt = Fmt.text,
    knowledge_dir: KnowledgeOpt = None,
) -> None:
    """List facts without a source, or facts not verified against a label copy."""
    from jakguide.kb.facts import unsourced_facts, unverified_facts

    def body() -> None:
        if unsourced == unverified:
            raise InputError("--unsourced/--unverified", None, "give exactly one of the two")
        kb = knowledge(knowledge_dir)
        rows = unsourced_facts(kb) if unsourced else unverified_facts(kb)
        if fmt is Fmt.json:
            emit_json(rows)
            return
        for row in rows:
            out.print(
                f"{row['file']}: {row['path']}: {row.get('doc', '')} {row.get('section', '')}"
                f"{' - ' + str(row['note']) if row.get('note') else ''}",
                markup=False,
            )
        out.print(f"{len(rows)} fact(s)", markup=False)

    guarded(body)


# --------------------------------------------------------------------------- drugs


def drugs_cmd(
    region: RegionOption = RegionOpt.US,
    condition: Annotated[
        str | None, typer.Option("--condition", help="Only agents approved for it.")
    ] = None,
    fmt: FormatOpt = Fmt.text,
    knowledge_dir: KnowledgeOpt = None,
) -> None:
    """List the agents marketed in a region (optionally: approved there for a condition)."""
    from jakguide.kb.listing import drug_rows

    def body() -> None:
        kb = knowledge(knowledge_dir)
        rows = drug_rows(kb, region.value, condition)
        if fmt is Fmt.json:
            emit_json(
                {
                    "knowledge_version": kb.version,
                    "region": region.value,
                    "condition": condition,
                    "drugs": rows,
                }
            )
            return
        from jakguide.cli.render import drugs_table

        drugs_table(out, kb, region.value, condition, rows)

    guarded(body)


def drug_cmd(
    inn: Annotated[str, typer.Argument(help="Drug INN, e.g. tofacitinib.")],
    region: Annotated[
        RegionOpt | None, typer.Option("--region", help="Only this region's label.")
    ] = None,
    fmt: FormatOpt = Fmt.text,
    knowledge_dir: KnowledgeOpt = None,
) -> None:
    """Show a drug's monograph with sources."""
    from jakguide.kb.listing import monograph_dict

    def body() -> None:
        kb = knowledge(knowledge_dir)
        data = monograph_dict(kb, inn, region.value if region else None)
        if fmt is Fmt.json:
            emit_json(data)
            return
        from jakguide.cli.render import monograph_text

        monograph_text(out, data)

    guarded(body)


def register(root: typer.Typer) -> None:
    root.add_typer(kb_app, name="kb")
    root.command("drugs")(drugs_cmd)
    root.command("drug")(drug_cmd)
