"""The ``jakguide`` command line (Typer + Rich).

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
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console

from jakguide import __version__
from jakguide.errors import InputError, JakguideError, KnowledgeError
from jakguide.kb.base import Knowledge, load_knowledge
from jakguide.model import AssessRequest, LabsRequest

app = typer.Typer(
    name="jakguide",
    help="Sourced decision support for JAK/TYK2 inhibitors. Not a substitute for clinical "
    "judgement.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
kb_app = typer.Typer(help="Validate and inspect the knowledge base.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


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
        help="Knowledge folder to use instead of the bundled one (also JAKGUIDE_KNOWLEDGE).",
        envvar="JAKGUIDE_KNOWLEDGE",
        show_default=False,
    ),
]
FormatOpt = Annotated[Fmt, typer.Option("--format", help="Output format.")]
RegionOption = Annotated[RegionOpt, typer.Option("--region", help="US (FDA) or EU (EMA).")]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="The patient's 'today' (YYYY-MM-DD); default: today, echoed."),
]

T = TypeVar("T")


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"error: {message}", markup=False, highlight=False)
    raise typer.Exit(code)


def guarded(fn: Callable[[], T]) -> T:
    """Run a command body; turn our errors into one line and the right exit code."""
    try:
        return fn()
    except KnowledgeError as exc:
        for issue in exc.issues:
            err.print(f"error: {issue}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    except InputError as exc:
        fail(str(exc))
    except JakguideError as exc:
        fail(str(exc))


def knowledge(folder: Path | None) -> Knowledge:
    return load_knowledge(folder)


def parse_as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError("--as-of", value, "not a date; use YYYY-MM-DD") from None


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


# --------------------------------------------------------------------------- kb


@kb_app.command("validate")
def kb_validate(knowledge_dir: KnowledgeOpt = None) -> None:
    """Validate a knowledge folder; exit 1 listing file:line: key: message for each issue."""
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


@app.command("drugs")
def drugs_cmd(
    region: RegionOption = RegionOpt.US,
    condition: Annotated[
        str | None, typer.Option("--condition", help="Only agents approved for it.")
    ] = None,
    fmt: FormatOpt = Fmt.text,
    knowledge_dir: KnowledgeOpt = None,
) -> None:
    """List the agents marketed in a region (optionally: approved there for a condition)."""
    from jakguide.views import drug_rows

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
        from jakguide.render import drugs_table

        drugs_table(out, kb, region.value, condition, rows)

    guarded(body)


@app.command("drug")
def drug_cmd(
    inn: Annotated[str, typer.Argument(help="Drug INN, e.g. tofacitinib.")],
    region: Annotated[
        RegionOpt | None, typer.Option("--region", help="Only this region's label.")
    ] = None,
    fmt: FormatOpt = Fmt.text,
    knowledge_dir: KnowledgeOpt = None,
) -> None:
    """Show a drug's monograph with sources."""
    from jakguide.views import monograph_dict

    def body() -> None:
        kb = knowledge(knowledge_dir)
        data = monograph_dict(kb, inn, region.value if region else None)
        if fmt is Fmt.json:
            emit_json(data)
            return
        from jakguide.render import monograph_text

        monograph_text(out, data)

    guarded(body)


# --------------------------------------------------------------------------- assess / labs

PatientArg = Annotated[
    Path | None,
    typer.Argument(
        help="Native patient file (YAML/JSON) or FHIR Bundle (JSON).", show_default=False
    ),
]
NdjsonOpt = Annotated[
    Path | None, typer.Option("--ndjson", help="FHIR Bulk Data export folder (NDJSON).")
]
PatientIdOpt = Annotated[str | None, typer.Option("--patient", help="Patient id within --ndjson.")]


def _load(
    patient: Path | None,
    ndjson: Path | None,
    patient_id: str | None,
    kb: Knowledge,
    as_of: dt.date,
) -> Any:
    from jakguide.patient_io import load_patient_file, load_patient_ndjson

    if ndjson is not None:
        if patient is not None:
            raise InputError("PATIENT", str(patient), "give a patient file or --ndjson, not both")
        if not patient_id:
            raise InputError("--patient", None, "--ndjson needs --patient ID")
        return load_patient_ndjson(ndjson, patient_id, kb, as_of)
    if patient is None:
        raise InputError("PATIENT", None, "give a patient file, or --ndjson DIR --patient ID")
    return load_patient_file(patient, kb, as_of)


@app.command("assess")
def assess_cmd(
    patient: PatientArg = None,
    condition: Annotated[
        str, typer.Option("--condition", help="Condition id, e.g. ankylosing-spondylitis.")
    ] = ...,  # type: ignore[assignment]
    region: RegionOption = RegionOpt.US,
    drug: Annotated[
        list[str] | None, typer.Option("--drug", help="Only these agents (repeatable).")
    ] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Fmt.text,
    explain: Annotated[
        bool, typer.Option("--explain", help="Each finding's facts and sources.")
    ] = False,
    ndjson: NdjsonOpt = None,
    patient_id: PatientIdOpt = None,
    knowledge_dir: KnowledgeOpt = None,
) -> None:
    """Assess which JAK/TYK2 inhibitor suits a patient: status, dose, findings, checklist."""
    from jakguide.engine import assess

    def body() -> None:
        kb = knowledge(knowledge_dir)
        day = parse_as_of(as_of)
        loaded = _load(patient, ndjson, patient_id, kb, day)
        request = AssessRequest(condition=condition, region=region.value, as_of=day, drugs=drug)
        result = assess(loaded.patient, request, kb)
        if loaded.warnings:
            result = result.model_copy(update={"warnings": [*loaded.warnings, *result.warnings]})
        if fmt is Fmt.json:
            emit_json(result.model_dump(mode="json", exclude_none=False))
            return
        from jakguide.render import assessment_text

        assessment_text(out, kb, result, explain=explain)

    guarded(body)


@app.command("labs")
def labs_cmd(
    patient: PatientArg = None,
    drug: Annotated[str, typer.Option("--drug", help="The agent the labs are judged for.")] = ...,  # type: ignore[assignment]
    region: RegionOption = RegionOpt.US,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Fmt.text,
    ndjson: NdjsonOpt = None,
    patient_id: PatientIdOpt = None,
    knowledge_dir: KnowledgeOpt = None,
) -> None:
    """What each lab result means for this drug: action per label rule, and monitoring due."""
    from jakguide.engine import evaluate_labs

    def body() -> None:
        kb = knowledge(knowledge_dir)
        day = parse_as_of(as_of)
        loaded = _load(patient, ndjson, patient_id, kb, day)
        report = evaluate_labs(
            loaded.patient, LabsRequest(drug=drug, region=region.value, as_of=day), kb
        )
        if fmt is Fmt.json:
            emit_json(report.model_dump(mode="json"))
            return
        from jakguide.render import labs_text

        labs_text(out, report)

    guarded(body)


def _register_commands() -> None:
    """Commands defined next to the parts they drive (instruments, guide, server, database)."""
    from jakguide.cli_demo import register as register_demo
    from jakguide.cli_guide import register as register_guide
    from jakguide.cli_instruments import register as register_instruments
    from jakguide.cli_server import register as register_server

    register_instruments(app)
    register_guide(app)
    register_server(app)
    register_demo(app)


_register_commands()


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
