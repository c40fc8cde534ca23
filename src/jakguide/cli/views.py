"""SQL on FHIR commands: ``views run``, ``views sql``, ``views list``.

DuckDB and PySpark are imported inside the commands (``jakguide --help`` loads neither). Errors
(a malformed ViewDefinition, an unknown element, a column that gets more than one value) are one
line naming the JSON path, exit 2. With ``--format json`` standard output holds only the JSON
array of rows; progress and messages go to standard error.
"""

from __future__ import annotations

import json
import math
import sys
import threading
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from jakguide.cli._common import Fmt, FormatOpt, err, guarded, out

if TYPE_CHECKING:
    from jakguide.sof.engines import Engine
    from jakguide.sof.view import View

views_app = typer.Typer(
    help="SQL on FHIR v2 ViewDefinitions: flatten Bulk Data NDJSON into tables (DuckDB or Spark).",
    no_args_is_help=True,
)


TEXT_ROWS = 50  # rows shown as a table; files and JSON get all of them


class EngineOpt(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


ViewArg = Annotated[
    str,
    typer.Argument(
        help="A ViewDefinition JSON file, or the name of a shipped view (see `views list`).",
        show_default=False,
    ),
]
EngineOption = Annotated[EngineOpt, typer.Option("--engine", help="SQL engine to run on.")]


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def _run_with_progress(engine: Engine, view: View, action: Any) -> Any:
    """Run ``action`` while a progress bar on standard error follows the query."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    result: dict[str, Any] = {}

    def work() -> None:
        try:
            result["value"] = action()
        except BaseException as exc:  # re-raised in the caller's thread
            result["error"] = exc

    thread = threading.Thread(target=work, daemon=True)
    progress = Progress(
        TextColumn(f"view {view.name or view.resource} on {engine.name}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    con = getattr(engine, "con", None)
    with progress:
        task = progress.add_task("run", total=100)
        thread.start()
        while thread.is_alive():
            thread.join(0.2)
            if con is not None:
                try:
                    done = float(con.query_progress())
                except Exception:
                    done = -1.0
                if done >= 0:
                    progress.update(task, completed=done)
            time.sleep(0)
        progress.update(task, completed=100)
    if "error" in result:
        raise result["error"]
    return result.get("value")


@views_app.command("run")
def views_run(
    view: ViewArg,
    input_dir: Annotated[
        Path,
        typer.Option(
            "--input",
            help="Folder of Bulk Data NDJSON: <ResourceType>[.<n>].ndjson[.gz]; "
            "other files are ignored.",
            show_default=False,
        ),
    ],
    engine: EngineOption = EngineOpt.duckdb,
    memory_limit: Annotated[
        str | None,
        typer.Option("--memory-limit", help="DuckDB memory limit, e.g. 4GB (spills to disk)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--out", help="Write the rows to FILE.parquet, FILE.csv or FILE.ndjson."),
    ] = None,
    master: Annotated[
        str | None,
        typer.Option("--spark-master", help="Spark master URL (default local[2])."),
    ] = None,
    fmt: FormatOpt = Fmt.text,
) -> None:
    """Run a ViewDefinition over a folder of NDJSON; print the rows or write a file."""
    from jakguide.sof.compiler import compile_view
    from jakguide.sof.engines import make_engine, out_format
    from jakguide.sof.view import read_view
    from jakguide.sof.views import view_path

    def body() -> None:
        parsed = read_view(view_path(view))
        compile_view(parsed, "duckdb" if engine is EngineOpt.duckdb else "spark-sql")
        if output is not None:
            out_format(output)
        runner = make_engine(engine.value, memory_limit=memory_limit, master=master)
        try:
            files = runner.load(input_dir)
            err.print(
                f"{input_dir}: {sum(files.values())} NDJSON file(s), {len(files)} resource type(s)",
                markup=False,
                highlight=False,
            )
            if output is not None:
                _run_with_progress(runner, parsed, lambda: runner.write(parsed, output))
                err.print(f"wrote {output}", markup=False, highlight=False)
                return
            rows = _run_with_progress(runner, parsed, lambda: runner.rows(parsed))
        finally:
            runner.close()
        columns = parsed.columns()
        if fmt is Fmt.json:
            data = [{c: _json_value(r.get(c)) for c in columns} for r in rows]
            sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
            return
        from rich.table import Table

        table = Table(*columns, title=parsed.name or parsed.resource)
        for r in rows[:TEXT_ROWS]:
            table.add_row(*("" if r[c] is None else str(r[c]) for c in columns))
        out.print(table)
        more = len(rows) - TEXT_ROWS
        tail = f" ({more} not shown; use --out FILE or --format json)" if more > 0 else ""
        err.print(f"{len(rows)} row(s){tail}", markup=False)

    guarded(body)


SQLQUERY_PROFILE = "http://hl7.org/fhir/uv/sql-on-fhir/StructureDefinition/SQLQuery"
LIBRARY_TYPES = "http://hl7.org/fhir/uv/sql-on-fhir/CodeSystem/LibraryTypesCodes"


@views_app.command("sql")
def views_sql(
    view: ViewArg, engine: EngineOption = EngineOpt.duckdb, fmt: FormatOpt = Fmt.text
) -> None:
    """Print the SQL a view compiles to (dialect duckdb or spark-sql); --format json prints it
    as a SQLQuery Library (the SQL base64 in content, contentType application/sql;dialect=...)."""
    from jakguide.sof.compiler import compile_view
    from jakguide.sof.view import read_view
    from jakguide.sof.views import view_path

    def body() -> None:
        parsed = read_view(view_path(view))
        dialect = "duckdb" if engine is EngineOpt.duckdb else "spark-sql"
        compiled = compile_view(parsed, dialect)
        column = compiled.input_column
        if column == "resource":
            kind = "JSON" if dialect == "duckdb" else "VARIANT"
        else:
            kind = "STRING: the resource's JSON text, so that decimals keep their digits"
        if fmt is Fmt.json:
            import base64

            library = {
                "resourceType": "Library",
                "meta": {"profile": [SQLQUERY_PROFILE]},
                "name": parsed.name or parsed.resource,
                "status": "draft",
                "type": {"coding": [{"system": LIBRARY_TYPES, "code": "sql-query"}]},
                "description": f"ViewDefinition {parsed.name or parsed.resource} compiled by "
                f"jakguide; input: a table {parsed.resource} with a column {column} "
                f"({kind}), one row per resource.",
                "content": [
                    {
                        "contentType": f"application/sql;dialect={dialect}",
                        "data": base64.b64encode(compiled.sql.encode()).decode(),
                    }
                ],
            }
            sys.stdout.write(json.dumps(library, indent=2) + "\n")
            return
        sys.stdout.write(
            f"-- SQL on FHIR view {parsed.name or parsed.resource}, dialect {dialect}\n"
            f"-- input: a table named {parsed.resource} with a column {column} ({kind}), "
            "one row per resource\n"
            f"{compiled.sql};\n"
        )

    guarded(body)


@views_app.command("list")
def views_list() -> None:
    """List the ViewDefinitions jakguide ships."""
    from jakguide.sof.view import read_view
    from jakguide.sof.views import VIEWS, view_path

    def body() -> None:
        for name in VIEWS:
            parsed = read_view(view_path(name))
            out.print(f"{name}: {parsed.resource}, {len(parsed.columns())} columns", markup=False)

    guarded(body)


def register(root: typer.Typer) -> None:
    root.add_typer(views_app, name="views")
