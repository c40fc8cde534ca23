"""The ``jakguide guide`` command: the plain-language patient guide as HTML or PDF.

HTML goes to standard output unless ``--output FILE`` is given. A PDF is binary: it goes to
``--output FILE``, or to standard output only when standard output is not a terminal (a pipe or a
redirect); on a terminal the command refuses with exit 2 instead of printing binary. Errors follow
the CLI's exit codes: 2 and one line naming the offending value for bad input.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from jakguide.cli._common import (
    KnowledgeOpt,
    RegionOpt,
    RegionOption,
    err,
    guarded,
    knowledge,
    parse_as_of,
)


class GuideFormat(StrEnum):
    html = "html"
    pdf = "pdf"


def guide(
    patient: Annotated[
        Path,
        typer.Argument(
            help="Native patient file (YAML/JSON) or FHIR Bundle (JSON).",
            metavar="PATIENT",
            show_default=False,
        ),
    ],
    drug: Annotated[str, typer.Option("--drug", help="The medicine the guide is about (INN).")],
    condition: Annotated[
        str | None,
        typer.Option(
            "--condition",
            help="Condition id. Default: the patient's recorded condition the drug's label "
            "names (or the only one recorded).",
            show_default=False,
        ),
    ] = None,
    region: RegionOption = RegionOpt.US,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The patient's 'today' (YYYY-MM-DD); default: today."),
    ] = None,
    fmt: Annotated[
        GuideFormat, typer.Option("--format", help="html (default) or pdf.")
    ] = GuideFormat.html,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file. Without it: HTML to standard output; PDF to standard "
            "output only when that is redirected.",
            show_default=False,
        ),
    ] = None,
    knowledge_dir: KnowledgeOpt = None,
) -> None:
    """A plain-language guide for one patient and one drug, with sources (HTML or PDF)."""

    def body() -> None:
        from jakguide.adapters.native import load_patient_file
        from jakguide.errors import InputError
        from jakguide.guide import GuideRequest, build_guide, default_condition
        from jakguide.guide.render import guide_html, guide_pdf

        kb = knowledge(knowledge_dir)
        day = parse_as_of(as_of)
        if fmt is GuideFormat.pdf and output is None and stdout_is_terminal():
            raise InputError(
                "--output", None, "a PDF is binary; give --output FILE or redirect standard output"
            )
        loaded = load_patient_file(patient, kb, day)
        cond = condition or default_condition(loaded.patient, drug, region.value, kb)
        request = GuideRequest(drug=drug, condition=cond, region=region.value, as_of=day)
        built = build_guide(loaded.patient, request, kb, warnings=loaded.warnings)
        for warning in built.warnings:
            err.print(f"warning: {warning}", markup=False, highlight=False)
        data = guide_pdf(built) if fmt is GuideFormat.pdf else guide_html(built).encode("utf-8")
        _emit(data, output, fmt.value)

    guarded(body)


def _emit(data: bytes, output: Path | None, fmt: str) -> None:
    """Write a guide to ``output`` (saying so on standard error) or to standard output."""
    from jakguide.errors import InputError

    if output is not None:
        try:
            output.write_bytes(data)
        except OSError as exc:
            raise InputError("--output", str(output), f"cannot write: {exc.strerror}") from None
        err.print(f"wrote {output} ({fmt}, {len(data)} bytes)", markup=False)
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def stdout_is_terminal() -> bool:
    """Whether standard output is a terminal (a PDF is not written there)."""
    return sys.stdout.isatty()


class ConditionGuideFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    md = "md"


def condition_guide(
    condition: Annotated[
        str, typer.Argument(help="Condition id from the knowledge.", metavar="CONDITION")
    ],
    region: RegionOption = RegionOpt.US,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The guide's date (YYYY-MM-DD); default: today.")
    ] = None,
    fmt: Annotated[
        ConditionGuideFormat, typer.Option("--format", help="html (default), pdf or md.")
    ] = ConditionGuideFormat.html,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file. Without it: HTML or Markdown to standard output; PDF to "
            "standard output only when that is redirected.",
            show_default=False,
        ),
    ] = None,
    knowledge_dir: KnowledgeOpt = None,
) -> None:
    """A public guide to the JAK-family medicines for one condition in one region, with sources."""

    def body() -> None:
        from jakguide.errors import InputError
        from jakguide.guide.condition import (
            build_condition_guide,
            condition_guide_html,
            condition_guide_markdown,
            condition_guide_pdf,
        )

        kb = knowledge(knowledge_dir)
        day = parse_as_of(as_of)
        if fmt is ConditionGuideFormat.pdf and output is None and stdout_is_terminal():
            raise InputError(
                "--output", None, "a PDF is binary; give --output FILE or redirect standard output"
            )
        built = build_condition_guide(condition, region.value, day, kb)
        if fmt is ConditionGuideFormat.pdf:
            data = condition_guide_pdf(built)
        elif fmt is ConditionGuideFormat.md:
            data = condition_guide_markdown(built).encode("utf-8")
        else:
            data = condition_guide_html(built).encode("utf-8")
        _emit(data, output, fmt.value)

    guarded(body)


def register(app: typer.Typer) -> None:
    """Add ``guide`` and ``condition-guide`` to the main CLI."""
    app.command("guide")(guide)
    app.command("condition-guide")(condition_guide)
