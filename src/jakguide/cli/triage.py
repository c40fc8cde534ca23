"""The ``jakguide triage`` command: how urgent symptoms are for someone taking a JAK-family
medicine (emergency, today, next-visit), with the reasons and the label sources.

Information for people taking the drug, not a diagnosis (docs/clinical-safety.md).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from jakguide.cli._common import (
    Fmt,
    KnowledgeOpt,
    RegionOpt,
    RegionOption,
    guarded,
    knowledge,
    out,
)

_SAY = {
    "emergency": "EMERGENCY NOW: call the emergency number or go to an emergency department.",
    "today": "CONTACT THE CLINIC TODAY.",
    "next-visit": "MENTION IT AT THE NEXT VISIT.",
}


def triage(
    symptoms: Annotated[
        list[str],
        typer.Argument(
            help="Symptoms: ids from the knowledge or your own words.", metavar="SYMPTOM..."
        ),
    ],
    drug: Annotated[str, typer.Option("--drug", help="The medicine taken (INN or brand).")],
    region: RegionOption = RegionOpt.US,
    fmt: Annotated[Fmt, typer.Option("--format", help="text (default) or json.")] = Fmt.text,
    knowledge_dir: KnowledgeOpt = None,
) -> None:
    """How urgent these symptoms are on this medicine, why, and the label sources."""

    def body() -> None:
        from jakguide.guide.triage import triage as run

        result = run(drug, symptoms, region.value, knowledge(knowledge_dir))
        if fmt is Fmt.json:
            typer.echo(json.dumps(result.model_dump(mode="json"), indent=2))
            return
        lines = [_SAY[result.urgency], result.emergency, ""]
        for r in result.reasons:
            refs = "".join(f"[{n}]" for n in r.sources)
            lines.append(f"- {r.symptom}: {r.urgency}. {r.text} {refs}")
        lines += ["", "Sources:"]
        for s in result.sources:
            flag = "" if s.verified else " (not checked against a label copy)"
            lines.append(f"[{s.number}] {s.title}. Section: {s.section}.{flag}")
        lines += ["", f"Intended use: {result.intended_use}"]
        out.print("\n".join(lines), markup=False, highlight=False)

    guarded(body)


def register(app: typer.Typer) -> None:
    """Add ``triage`` to the main CLI."""
    app.command("triage")(triage)
