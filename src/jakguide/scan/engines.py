"""Where the scan's SQL runs: DuckDB (default, out of core) or Spark (local or a cluster).

Both get the same tables under the same names: the scan views compiled by ``sof`` (``v_*``),
the knowledge tables (``k_*``) and the rule stages (``s_*``). Malformed lines are skipped by the
readers (``inputs.check_lines`` names them); a resource type with no file is an empty table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from jakguide.errors import InputError
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
    con: duckdb.DuckDBPyConnection = field(init=False)

    def __post_init__(self) -> None:
        import duckdb

        config: dict[str, Any] = {"autoinstall_known_extensions": False}
        if self.memory_limit:
            config["memory_limit"] = self.memory_limit
        if self.threads:
            config["threads"] = self.threads
        try:
            self.con = duckdb.connect(config=config)
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0]
            raise InputError("--memory-limit", self.memory_limit, first) from None
        # Insertion order is not needed, and dropping it lets big sorts and joins spill.
        self.con.execute("SET preserve_insertion_order = false")
        # The CLI draws its own progress bar; DuckDB's would interleave with it on stderr.
        self.con.execute("SET enable_progress_bar = false")

    def load(self, files: dict[str, list[Path]]) -> None:
        self.files = files

    def view(self, name: str, view: View) -> None:
        import duckdb

        paths = self.files.get(view.resource)
        if not paths:
            empty = "(SELECT CAST(NULL AS JSON) AS resource WHERE FALSE)"
            compiled = compile_view(view, "duckdb", table=empty)
        else:
            probe = compile_view(view, "duckdb", table="_p", prefetched=True)
            if not probe.uses_resource and probe.fields:
                spec = ", ".join(f"'{n}': 'JSON'" for n in probe.fields)
                renames = ", ".join(f'"{n}" AS "{c}"' for n, c in probe.fields.items())
                relation = (
                    f"(SELECT {renames} FROM read_json([{_listing(paths)}], "
                    f"format = 'newline_delimited', ignore_errors = true, columns = {{{spec}}}))"
                )
                compiled = compile_view(view, "duckdb", table=relation, prefetched=True)
            else:
                relation = (
                    f"(SELECT json AS resource FROM read_json_objects([{_listing(paths)}], "
                    "format = 'newline_delimited', ignore_errors = true))"
                )
                compiled = compile_view(view, "duckdb", table=relation)
        try:
            self.con.execute(f"CREATE OR REPLACE TABLE {name} AS {compiled.sql}")
        except duckdb.Error as exc:
            raise _fail(exc) from None

    def table(self, table: Table) -> None:
        cols = ", ".join(f"{n} {t}" for n, t in table.columns)
        self.con.execute(f"CREATE OR REPLACE TABLE {table.name} ({cols})")
        if table.rows:
            marks = ", ".join("?" for _ in table.columns)
            self.con.executemany(f"INSERT INTO {table.name} VALUES ({marks})", table.rows)

    def stage(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(sql).fetchall()

    def close(self) -> None:
        self.con.close()


_SPARK_TYPES = {"VARCHAR": "STRING", "INTEGER": "INT", "BOOLEAN": "BOOLEAN", "DOUBLE": "DOUBLE"}


@dataclass
class SparkScan:
    """Spark SQL (``master`` ``local[2]`` or a cluster URL); stages are cached temp views."""

    master: str = "local[2]"
    session: SparkSession | None = None
    dialect: str = "spark"
    spark: SparkSession = field(init=False)
    files: dict[str, list[Path]] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    cached: list[Any] = field(default_factory=list)

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
        frame = self.spark.sql(sql).cache()
        frame.createOrReplaceTempView(name)
        self.names.append(name)
        self.cached.append(frame)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.spark.sql(sql).collect()]

    def close(self) -> None:
        # Dropping a view leaves its cached frame in the driver's memory: release it too, so that
        # several scans on one session (the tests, a notebook) do not run out of it.
        for frame in self.cached:
            frame.unpersist()
        self.cached.clear()
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
