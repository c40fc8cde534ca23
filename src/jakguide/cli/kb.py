"""Knowledge commands: ``kb validate``, ``kb facts``, ``drugs``, ``drug``."""

from __future__ import annotations

from pathlib import Path
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
from jakguide.errors import InputError, KnowledgeError, UnknownIdError

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


@kb_app.command("sources")
def kb_sources(
    by_authority: Annotated[
        bool, typer.Option("--by-authority", help="Count sources and citations per authority.")
    ] = False,
    fmt: FormatOpt = Fmt.text,
    knowledge_dir: KnowledgeOpt = None,
) -> None:
    """List the sources (id, authority, regulator document), or count them per authority."""
    from jakguide.kb.facts import authority_counts

    def body() -> None:
        kb = knowledge(knowledge_dir)
        if by_authority:
            rows = authority_counts(kb)
            if fmt is Fmt.json:
                emit_json({"knowledge_version": kb.version, "authorities": rows})
                return
            out.print(f"{'authority':26} {'sources':>8} {'citations':>10}", markup=False)
            for row in rows:
                out.print(
                    f"{row['authority']:26} {row['sources']:>8} {row['citations']:>10}",
                    markup=False,
                )
            total_s = sum(r["sources"] for r in rows)
            total_c = sum(r["citations"] for r in rows)
            out.print(f"{'total':26} {total_s:>8} {total_c:>10}", markup=False)
            return
        docs = sorted(kb.sources.values(), key=lambda d: d.id)
        if fmt is Fmt.json:
            emit_json([d.model_dump(mode="json", exclude_none=True) for d in docs])
            return
        for d in docs:
            ref = f"  {d.document.reference()}" if d.document else ""
            out.print(f"{d.id}  [{d.authority}]{ref}", markup=False)

    guarded(body)


@kb_app.command("status")
def kb_status(fmt: FormatOpt = Fmt.text, knowledge_dir: KnowledgeOpt = None) -> None:
    """Per drug and region: label revision read, later revisions not read, fact counts."""
    from jakguide.kb.status import status_rows

    def body() -> None:
        kb = knowledge(knowledge_dir)
        rows = status_rows(kb)
        if fmt is Fmt.json:
            emit_json({"knowledge_version": kb.version, "labels": rows})
            return
        for r in rows:
            read = r["read_revision"] or "undated copy"
            out.print(
                f"{r['drug']} {r['region']}: read {read} ({r['label']}); facts {r['facts']}, "
                f"unverified {r['unverified']}, superseded {r['superseded']}",
                markup=False,
            )
            if r["document"]:
                out.print(f"  document: {r['document']}", markup=False)
            for later in r["later_revisions"]:
                sections = ", ".join(later["sections"]) or "not known"
                out.print(
                    f"  later revision {later['revision']} not read: {later['text']} "
                    f"(sections {sections})",
                    markup=False,
                )

    guarded(body)


@kb_app.command("check-label")
def kb_check_label(
    drug: Annotated[str, typer.Argument(help="Drug INN, e.g. tofacitinib.")],
    file: Annotated[
        Path,
        typer.Argument(
            help="US: FDA SPL XML or the DailyMed ZIP holding it; EU: SmPC as plain text."
        ),
    ],
    region: RegionOption = RegionOpt.US,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list the facts whose quote is still found.")
    ] = False,
    fmt: FormatOpt = Fmt.text,
    knowledge_dir: KnowledgeOpt = None,
) -> None:
    """List the facts whose quote a new label no longer holds (exit 1 when there are any)."""
    from jakguide.kb.check_label import check_label, read_label

    def body() -> int:
        kb = knowledge(knowledge_dir)
        if kb.drug(drug) is None:  # before reading the file: the cheaper error first
            raise UnknownIdError(
                "DRUG", drug, "unknown drug; accepted: " + ", ".join(sorted(kb.drugs))
            )
        checks = check_label(kb, drug, region.value, read_label(file, region.value))
        missing = [c for c in checks if not c.found]
        shown = checks if show_all else missing
        if fmt is Fmt.json:
            emit_json(
                {
                    "knowledge_version": kb.version,
                    "drug": drug,
                    "region": region.value,
                    "checked": len(checks),
                    "to_review": len(missing),
                    "facts": [
                        {
                            "fact": c.fact,
                            "section": c.section,
                            "quote": c.quote,
                            "found": c.found,
                            "looked_in": c.looked_in,
                        }
                        for c in shown
                    ],
                }
            )
        else:
            for c in shown:
                mark = "" if not show_all else ("found    " if c.found else "MISSING  ")
                out.print(f"{mark}{c.fact}  [{c.section}]  {c.quote!r}", markup=False)
            out.print(f"{len(missing)} of {len(checks)} quoted fact(s) to review", markup=False)
        return 1 if missing else 0

    code = guarded(body)
    if code:
        raise typer.Exit(code)


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
