"""The worklist as a file, not as Python rows.

A million-patient scan has about a million worklist rows: held as Python dicts they pushed the
scan over its ``--memory-limit`` (4,072 MiB at 4 GB, BENCHMARKS.md). So the rows stay on the engine
(``s_worklist``) and leave it once, sorted, as a Parquet file (``export``); the figures about
them are SQL on the engine (``breakdown``), and ``worklist.csv`` and ``worklist.parquet`` are
written from that file by one DuckDB writer, streaming (``write``). Both engines' files come out
of the same writer from the same sorted rows, so a DuckDB scan and a Spark scan give the same
bytes.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jakguide.scan.engines import DuckScan, SparkScan
from jakguide.scan.kinds.base import FINDING_COLUMNS

# Every kind's finding columns, then the two the worklist adds to each row.
COLUMNS = (*FINDING_COLUMNS, "knowledge_version", "as_of")
TYPES = {"due_by": "DATE", "overdue_days": "INTEGER", "as_of": "DATE"}
# The file's order: the key first, then every other column, so that the order is total
# (nulls last, as DuckDB sorts them by default and Spark does not).
ORDER = ", ".join(
    f"{c} NULLS LAST"
    for c in ("patient_id", "drug", "kind", "rule", "due_by", "detail", "severity",
              "overdue_days", "sources")
)  # fmt: skip


def _typed(table: str) -> str:
    """The worklist's columns with the file's types, from ``table``."""
    cols = ", ".join(f"CAST({c} AS {TYPES.get(c, 'VARCHAR')}) AS {c}" for c in COLUMNS)
    return f"SELECT {cols} FROM {table}"


def _count(con: Any, relation: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0])


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


@dataclass
class Worklist:
    """The sorted worklist in a Parquet file of its own folder (removed with this object)."""

    path: Path
    size: int
    _folder: Path = field(repr=False, compare=False)

    @classmethod
    def empty_folder(cls) -> Path:
        return Path(tempfile.mkdtemp(prefix="jakguide-worklist-"))

    def __post_init__(self) -> None:
        weakref.finalize(self, shutil.rmtree, self._folder, True)

    def rows(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The rows as dicts, in order: for tests and small scans (a million rows is a lot of
        Python objects; write the files instead)."""
        import duckdb

        con = duckdb.connect(config={"autoinstall_known_extensions": False})
        try:
            tail = f" LIMIT {int(limit)}" if limit is not None else ""
            got = con.execute(f"SELECT * FROM read_parquet({_quote(self.path)}){tail}").fetchall()
        finally:
            con.close()
        return [dict(zip(COLUMNS, r, strict=True)) for r in got]


def export(engine: DuckScan | SparkScan, table: str = "s_worklist") -> Worklist:
    """The engine's worklist table as a sorted Parquet file.

    DuckDB sorts and writes it itself, within its memory limit. Spark's rows come to the driver
    one partition at a time (``toLocalIterator``), as NDJSON, and DuckDB sorts and writes them."""
    import duckdb

    folder = Worklist.empty_folder()
    path = folder / "worklist.parquet"
    typed = _typed(table)
    if isinstance(engine, DuckScan):
        con = engine.con
        con.execute(f"COPY ({typed} ORDER BY {ORDER}) TO {_quote(path)} (FORMAT parquet)")
        size = _count(con, table)
        return Worklist(path, size, folder)
    rows = folder / "rows.ndjson"
    spark = engine.spark
    with rows.open("w", encoding="utf-8") as fh:
        for r in spark.sql(f"SELECT {', '.join(COLUMNS)} FROM {table}").toLocalIterator():
            fh.write(json.dumps(dict(zip(COLUMNS, r, strict=True)), default=str))
            fh.write("\n")
    spec = ", ".join(f"'{c}': '{TYPES.get(c, 'VARCHAR')}'" for c in COLUMNS)
    local = duckdb.connect(config={"autoinstall_known_extensions": False})
    try:
        source = f"read_json({_quote(rows)}, format = 'newline_delimited', columns = {{{spec}}})"
        local.execute(
            f"COPY ({_typed(source)} ORDER BY {ORDER}) TO {_quote(path)} (FORMAT parquet)"
        )
        size = _count(local, f"read_parquet({_quote(path)})")
    finally:
        local.close()
        rows.unlink()
    return Worklist(path, size, folder)


def write(worklist: Worklist, out: Path) -> dict[str, Path]:
    """``worklist.csv`` and ``worklist.parquet`` in ``out``: the same rows in the same order,
    streamed from the sorted file (one thread keeps the order and the bytes the same on every
    machine)."""
    import duckdb

    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "threads": 1})
    paths = {"csv": out / "worklist.csv", "parquet": out / "worklist.parquet"}
    try:
        for fmt, path in paths.items():
            option = "FORMAT csv, HEADER" if fmt == "csv" else "FORMAT parquet"
            con.execute(
                f"COPY (SELECT * FROM read_parquet({_quote(worklist.path)})) "
                f"TO {_quote(path)} ({option})"
            )
    finally:
        con.close()
    return paths
