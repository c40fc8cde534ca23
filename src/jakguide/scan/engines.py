"""Where the scan's SQL runs: DuckDB (default, out of core) or Spark (local or a cluster).

Both get the same tables under the same names: the scan views compiled by ``sof`` (``v_*``),
the knowledge tables (``k_*``) and the rule stages (``s_*``). Malformed lines are skipped by the
readers (DuckDB counts them per file in the same read; ``inputs.name_malformed`` names them); a
resource type with no file is an empty table.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from jakguide.errors import InputError
from jakguide.scan.inputs import read_error
from jakguide.scan.tables import Table
from jakguide.sof import View, compile_view

if TYPE_CHECKING:
    import duckdb
    from pyspark.sql import SparkSession


class ScanEngine(Protocol):
    dialect: str

    def load(self, files: dict[str, list[Path]]) -> None: ...
    def view(self, name: str, view: View) -> None: ...
    def table(self, table: Table) -> None: ...
    def stage(self, name: str, sql: str) -> None: ...
    def rows(self, sql: str) -> list[tuple[Any, ...]]: ...
    def close(self) -> None: ...


# The reader's column for ``resourceType`` (NULL on a malformed line) and the view tables' column
# that names the file of a malformed line until it is counted and dropped.
_TYPE = "resourceType"
_BAD = "_malformed_file"


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?i?B)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}
_UNITS.update({"KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40})
# DuckDB's share of --memory-limit: the limit is for the whole process, and besides DuckDB's
# buffer pool (tables, hash tables, sorts) it holds Python, the knowledge and memory DuckDB
# allocates outside the pool (readers' buffers, per-thread state). The worklist stays on the
# engine (scan.worklist). At 0.6 a 1M scan peaked at 2,774 MiB under a 4 GB limit; at 0.4 (with
# the worklist then held in Python) it stopped inside DuckDB.
DUCKDB_SHARE = 0.6


_INSERT_ROWS = 500


def _duck_limit(limit: str) -> str:
    """DuckDB's memory_limit for a process limit written as DuckDB reads it (4GB, 512MiB)."""
    m = _SIZE.match(limit)
    if m is None:
        raise InputError("--memory-limit", limit, "give a size, e.g. 4GB or 512MiB")
    unit = (m.group(2) or "").upper()
    if unit not in _UNITS:
        raise InputError("--memory-limit", limit, "give a size, e.g. 4GB or 512MiB")
    size = float(m.group(1)) * _UNITS[unit]
    return f"{max(int(size * DUCKDB_SHARE) // 2**20, 1)}MiB"


def _listing(paths: list[Path]) -> str:
    return ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)


def _fail(exc: Exception) -> InputError:
    first = next((line for line in str(exc).splitlines() if line.strip()), str(exc))
    return InputError("DIR", "export", f"the engine could not read it: {first[:300]}")


@dataclass
class DuckScan:
    """DuckDB in process, spilling to disk beyond ``memory_limit``."""

    memory_limit: str | None = None
    threads: int | None = None
    dialect: str = "duckdb"
    files: dict[str, list[Path]] = field(default_factory=dict)
    # Malformed lines per file (by path) and the resource types whose files were counted, both
    # found while the views read the files.
    malformed: dict[str, int] = field(default_factory=dict)
    counted_types: set[str] = field(default_factory=set)
    workdir: Path | None = field(default=None, init=False)  # the database file's folder
    con: duckdb.DuckDBPyConnection = field(init=False)

    def __post_init__(self) -> None:
        import duckdb

        config: dict[str, Any] = {"autoinstall_known_extensions": False}
        database = ":memory:"
        if self.memory_limit:
            # Out of core: the tables live in a database file of their own (compressed, so a
            # tenth of their size in memory, and evicted to it under pressure), and DuckDB gets
            # the share of the limit that leaves the rest of the process room (see _duck_limit).
            config["memory_limit"] = _duck_limit(self.memory_limit)
            self.workdir = Path(tempfile.mkdtemp(prefix="jakguide-scan-"))
            database = str(self.workdir / "scan.duckdb")
            config["temp_directory"] = str(self.workdir / "spill")
        if self.threads:
            config["threads"] = self.threads
        try:
            self.con = duckdb.connect(database, config=config)
        except duckdb.Error as exc:
            self._remove()
            first = str(exc).splitlines()[0]
            raise InputError("--memory-limit", self.memory_limit, first) from None
        # Insertion order is not needed, and dropping it lets big sorts and joins spill.
        self.con.execute("SET preserve_insertion_order = false")
        # The CLI draws its own progress bar; DuckDB's would interleave with it on stderr.
        self.con.execute("SET enable_progress_bar = false")

    def _remove(self) -> None:
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def load(self, files: dict[str, list[Path]]) -> None:
        self.files = files

    def view(self, name: str, view: View) -> None:
        import duckdb

        paths = self.files.get(view.resource)
        counting = False
        if not paths:
            empty = "(SELECT CAST(NULL AS JSON) AS resource WHERE FALSE)"
            compiled = compile_view(view, "duckdb", table=empty)
        else:
            probe = compile_view(view, "duckdb", table="_p", prefetched=True, keep=(_BAD,))
            if not probe.uses_resource and probe.fields:
                # Only the members the view reads are kept (as JSON); a line that is not one
                # resource comes out of the reader as a row without resourceType, which is
                # named by its file here and counted below, in the same read.
                members = dict.fromkeys([*probe.fields, _TYPE])
                spec = ", ".join(f"'{n}': 'JSON'" for n in members)
                renames = ", ".join(f'"{n}" AS "{c}"' for n, c in probe.fields.items())
                counting = bool(probe.kept) and view.resource not in self.counted_types
                bad = (
                    f', CASE WHEN "{_TYPE}" IS NULL THEN filename END AS "{_BAD}"'
                    if counting
                    else ""
                )
                where = "" if counting else f' WHERE "{_TYPE}" IS NOT NULL'
                relation = (
                    f"(SELECT {renames}{bad} FROM read_json([{_listing(paths)}], "
                    f"format = 'newline_delimited', ignore_errors = true, filename = true, "
                    f"columns = {{{spec}}}){where})"
                )
                keep = (_BAD,) if counting else ()
                compiled = compile_view(view, "duckdb", table=relation, prefetched=True, keep=keep)
            else:
                relation = (
                    f"(SELECT json AS resource FROM read_json_objects([{_listing(paths)}], "
                    "format = 'newline_delimited', ignore_errors = true) "
                    "WHERE json_type(json) = 'OBJECT' AND json_exists(json, '$.resourceType'))"
                )
                compiled = compile_view(view, "duckdb", table=relation)
        try:
            self.con.execute(f"CREATE OR REPLACE TABLE {name} AS {compiled.sql}")
        except duckdb.Error as exc:
            named = [p for p in paths or [] if str(p) in str(exc)]
            raise (read_error(exc, named, Path()) if named else _fail(exc)) from None
        if counting:
            assert paths is not None
            rows = self.con.execute(
                f'SELECT "{_BAD}", count(*) FROM {name} WHERE "{_BAD}" IS NOT NULL GROUP BY 1'
            ).fetchall()
            self.malformed.update({str(r[0]): int(r[1]) for r in rows})
            if rows:
                self.con.execute(f'DELETE FROM {name} WHERE "{_BAD}" IS NOT NULL')
            self.con.execute(f'ALTER TABLE {name} DROP COLUMN "{_BAD}"')
            self.counted_types.add(view.resource)

    def table(self, table: Table) -> None:
        cols = ", ".join(f"{n} {t}" for n, t in table.columns)
        self.con.execute(f"CREATE OR REPLACE TABLE {table.name} ({cols})")
        # Many rows per INSERT: DuckDB's executemany costs about half a millisecond a row.
        row = "(" + ", ".join("?" for _ in table.columns) + ")"
        for i in range(0, len(table.rows), _INSERT_ROWS):
            chunk = table.rows[i : i + _INSERT_ROWS]
            marks = ", ".join(row for _ in chunk)
            params = [v for r in chunk for v in r]
            self.con.execute(f"INSERT INTO {table.name} VALUES {marks}", params)

    def stage(self, name: str, sql: str) -> None:
        # Temporary: a stage lives for one scan, and a temporary table skips the database
        # file's checkpoint (compressing and writing every block); it still spills to
        # temp_directory under the memory limit. At 1M patients s_lab took 13.3 s, now 9.2 s.
        self._run(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self._run(sql).fetchall()

    def _run(self, sql: str) -> duckdb.DuckDBPyConnection:
        """A value the rules cannot take (a conversion, an overflow) is one clear line, exit 2,
        not a traceback."""
        import duckdb

        try:
            return self.con.execute(sql)
        except duckdb.Error as exc:
            raise _fail(exc) from None

    def close(self) -> None:
        self.con.close()
        self._remove()


_SPARK_TYPES = {"VARCHAR": "STRING", "INTEGER": "INT", "BOOLEAN": "BOOLEAN", "DOUBLE": "DOUBLE"}


@dataclass
class SparkScan:
    """Spark SQL (``master`` ``local[2]`` or a cluster URL); each stage is computed once and
    kept as a local checkpoint (``localCheckpoint``), a temp view without its lineage.

    Cached views (``cache()``) kept the lineage: every later query re-analysed the plans of all
    the stages before it, and a 400-patient scan took 360 s; with checkpoints, 50 s."""

    master: str = "local[2]"
    session: SparkSession | None = None
    dialect: str = "spark"
    spark: SparkSession = field(init=False)
    files: dict[str, list[Path]] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)  # the ids of the checkpoints' RDDs

    def __post_init__(self) -> None:
        from jakguide.sof.engines import spark_session

        try:
            import pyspark  # noqa: F401
        except ImportError:
            raise InputError(
                "--engine", "spark", "PySpark is not installed; install jakguide[spark] (Java 17+)"
            ) from None
        self.spark = self.session or spark_session(self.master)
        self.spark.sparkContext.setLogLevel("FATAL")

    def load(self, files: dict[str, list[Path]]) -> None:
        self.files = files
        for rtype, paths in files.items():
            frame = self.spark.read.text([str(p) for p in paths])
            frame.where("trim(value) <> ''").selectExpr("try_parse_json(value) AS resource").where(
                "resource IS NOT NULL"
            ).createOrReplaceTempView(rtype)
            self.names.append(rtype)

    def view(self, name: str, view: View) -> None:
        if view.resource not in self.files:
            self.spark.sql(
                "SELECT CAST(NULL AS VARIANT) AS resource WHERE FALSE"
            ).createOrReplaceTempView(view.resource)
            self.names.append(view.resource)
        try:
            self.stage(name, compile_view(view, "spark-sql").sql)
        except Exception as exc:  # pyspark raises many exception types
            raise _fail(exc) from None

    def table(self, table: Table) -> None:
        schema = ", ".join(f"{n} {_SPARK_TYPES[t]}" for n, t in table.columns)
        frame = self.spark.createDataFrame(table.rows, schema=schema)
        frame.createOrReplaceTempView(table.name)
        self.names.append(table.name)

    def stage(self, name: str, sql: str) -> None:
        before = self._persisted()
        frame = self.spark.sql(sql).localCheckpoint(eager=True)
        frame.createOrReplaceTempView(name)
        self.names.append(name)
        self.kept.extend(sorted(self._persisted() - before))

    def _persisted(self) -> set[int]:
        return {int(i) for i in self.spark.sparkContext._jsc.getPersistentRDDs().keySet()}

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.spark.sql(sql).collect()]

    def close(self) -> None:
        # Dropping a view leaves its checkpoint in the block manager: release it too, so that
        # several scans on one session (the tests, a notebook) do not run out of memory.
        persisted = self.spark.sparkContext._jsc.getPersistentRDDs()
        for rdd_id in self.kept:
            rdd = persisted.get(rdd_id)
            if rdd is not None:
                rdd.unpersist(False)
        self.kept.clear()
        for name in self.names:
            self.spark.catalog.dropTempView(name)
        self.names.clear()


def make_scan_engine(
    name: str, memory_limit: str | None = None, master: str | None = None
) -> DuckScan | SparkScan:
    if name == "duckdb":
        return DuckScan(memory_limit=memory_limit)
    if name == "spark":
        return SparkScan(master=master or "local[2]")
    raise InputError("--engine", name, "unknown engine; use duckdb or spark")
