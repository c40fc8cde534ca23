"""``jakguide scan``: the population scan of a FHIR Bulk Data export (DuckDB or Spark).

DuckDB, PySpark and the scan package are imported inside the command. Findings are not an
error: a completed scan exits 0; unreadable input is one line on standard error, exit 2.
Malformed lines and skipped files are notices on standard error.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from jakguide.cli._common import (
    AsOfOpt,
    KnowledgeOpt,
    RegionOpt,
    RegionOption,
    err,
    guarded,
    knowledge,
    out,
    parse_as_of,
)


class ScanEngineOpt(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


def scan(
    folder: Annotated[
        Path, typer.Argument(help="The export folder: <ResourceType>.<n>.ndjson[.gz] files.")
    ],
    engine: Annotated[
        ScanEngineOpt, typer.Option("--engine", help="SQL engine: duckdb (default) or spark.")
    ] = ScanEngineOpt.duckdb,
    region: RegionOption = RegionOpt.US,
    as_of: AsOfOpt = None,
    out_dir: Annotated[
        Path,
        typer.Option("--out", help="Folder for worklist.csv, worklist.parquet, measures.json."),
    ] = Path("scan-out"),
    memory_limit: Annotated[
        str | None, typer.Option("--memory-limit", help="DuckDB memory limit, e.g. 4GB (spills).")
    ] = None,
    spark_master: Annotated[
        str | None, typer.Option("--spark-master", help="Spark master URL (default local[2]).")
    ] = None,
    report: Annotated[bool, typer.Option("--report", help="Also write report.html.")] = False,
    show_small_cells: Annotated[
        bool,
        typer.Option("--show-small-cells", help="Do not suppress report cells under 10 patients."),
    ] = False,
    knowledge_dir: KnowledgeOpt = None,
) -> None:
    """Scan every patient on a JAK agent: monitoring due and overdue, as a worklist."""

    def body() -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from jakguide.scan.engines import make_scan_engine
        from jakguide.scan.inputs import find_inputs
        from jakguide.scan.output import write_measures, write_report, write_worklist
        from jakguide.scan.run import STAGES, run_scan

        day = parse_as_of(as_of)
        kb = knowledge(knowledge_dir)
        inputs = find_inputs(folder)
        for note in inputs.notices:
            err.print(f"notice: {note}", markup=False, highlight=False)
        printed = len(inputs.notices)
        runner = make_scan_engine(engine.value, memory_limit, spark_master)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("scan", total=len(STAGES))

            def step(stage: str) -> None:
                bar.update(task, advance=1, description=f"scan: {stage}")

            try:
                result = run_scan(runner, inputs, kb, day, region.value, step)
            finally:
                runner.close()
        for note in result.notices[printed:]:  # malformed lines, found while reading
            err.print(f"notice: {note}", markup=False, highlight=False)
        paths = write_worklist(result, out_dir)
        write_measures(result, out_dir)
        if report:
            write_report(result, out_dir, suppress=not show_small_cells)
        out.print(
            f"scanned {result.counts.get('patients', 0)} patients "
            f"({result.counts.get('patients_on_jak', 0)} on a JAK agent) as of {day}, "
            f"region {region.value}: {result.worklist_file.size} findings -> {paths['csv'].parent}",
            markup=False,
            highlight=False,
        )

    guarded(body)


def register(app: typer.Typer) -> None:
    """Add ``scan`` to the main CLI."""
    app.command("scan")(scan)
