"""``jakguide synth``: write synthetic clinic records (native YAML or FHIR R4 bundles)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from jakguide.cli._common import AsOfOpt, KnowledgeOpt, guarded, knowledge, out, parse_as_of
from jakguide.errors import InputError


class SynthFormatOpt(StrEnum):
    native = "native"
    fhir = "fhir"
    bulk = "bulk"


PER_FILE_MAX = 100_000  # native/fhir write one file per patient; bulk streams any number


def synth(
    patients: Annotated[
        int,
        typer.Option("--patients", help="How many patients (native/fhir: up to 100,000).", min=1),
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder to write to (created if missing).")
    ],
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same records.")] = 0,
    fmt: Annotated[
        SynthFormatOpt,
        typer.Option(
            "--format",
            help="native (one YAML file each), fhir (one R4 Bundle each) or bulk (FHIR Bulk "
            "NDJSON per resource type plus generator-truth.json; docs/scan.md).",
        ),
    ] = SynthFormatOpt.native,
    gzip: Annotated[
        bool, typer.Option("--gzip/--no-gzip", help="bulk: gzip the NDJSON files.")
    ] = True,
    chunk_size: Annotated[
        int,
        typer.Option("--chunk-size", help="bulk: resources per file.", min=1),
    ] = 1_000_000,
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
        if fmt is SynthFormatOpt.bulk:
            from jakguide.synth.bulk import write_bulk

            result = write_bulk(kb, out_dir, patients, seed, day, gz=gzip, chunk_size=chunk_size)
            counts = ", ".join(f"{n} {rt}" for rt, n in result.counts.items())
            out.print(
                f"wrote {patients} patients as FHIR Bulk NDJSON to {out_dir} (seed {seed}, as of "
                f"{day}): {counts}; {len(result.files)} files, {result.bytes:,} bytes on disk; "
                f"truth in {out_dir / 'generator-truth.json'}",
                markup=False,
                highlight=False,
            )
            return
        if patients > PER_FILE_MAX:
            raise InputError(
                "--patients",
                str(patients),
                f"native and fhir write one file per patient: at most {PER_FILE_MAX:,}; "
                "use --format bulk for larger populations",
            )
        paths = write_records(
            records(patients, seed, day),
            out_dir,
            "native" if fmt is SynthFormatOpt.native else "fhir",
            kb,
        )
        out.print(
            f"wrote {len(paths)} {fmt.value} records to {out_dir} (seed {seed}, as of {day})",
            markup=False,
            highlight=False,
        )

    guarded(body)


def register(app: typer.Typer) -> None:
    """Add ``synth`` to the main CLI."""
    app.command("synth")(synth)
