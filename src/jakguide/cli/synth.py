"""``jakguide synth``: write synthetic clinic records (native YAML or FHIR R4 bundles)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from jakguide.cli._common import AsOfOpt, KnowledgeOpt, guarded, knowledge, out, parse_as_of


class SynthFormatOpt(StrEnum):
    native = "native"
    fhir = "fhir"


def synth(
    patients: Annotated[
        int, typer.Option("--patients", help="How many patients to write.", min=1, max=100_000)
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder to write to (created if missing).")
    ],
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same records.")] = 0,
    fmt: Annotated[
        SynthFormatOpt,
        typer.Option("--format", help="native (one YAML file each) or fhir (one R4 Bundle each)."),
    ] = SynthFormatOpt.native,
    as_of: AsOfOpt = None,
    knowledge_dir: KnowledgeOpt = None,
) -> None:
    """Write realistic clinic records (brand names, mixed units, the fields clinics never record
    left out), deterministic by seed and --as-of."""

    def body() -> None:
        from jakguide.synth import records
        from jakguide.synth.write import write_records

        day = parse_as_of(as_of)
        kb = knowledge(knowledge_dir)
        paths = write_records(records(patients, seed, day), out_dir, fmt.value, kb)
        out.print(
            f"wrote {len(paths)} {fmt.value} records to {out_dir} (seed {seed}, as of {day})",
            markup=False,
            highlight=False,
        )

    guarded(body)


def register(app: typer.Typer) -> None:
    """Add ``synth`` to the main CLI."""
    app.command("synth")(synth)
