"""Run compiled views on DuckDB (embedded) or Apache Spark (local or a cluster).

Input is a folder of FHIR Bulk Data NDJSON: ``<ResourceType>[.<n>].ndjson[.gz]``; other files
are ignored. Each resource type becomes a table with one column, ``resource``, without any
per-resource schema (DuckDB ``read_json_objects`` into JSON, which keeps each line's text;
Spark text lines through ``parse_json`` into VARIANT, with the line kept as a second column,
``json``, for the views that need a decimal's digits as written). DuckDB reads out of core under
a memory limit and never installs an extension (JSON and Parquet are built into its Python
wheels); Spark needs PySpark >= 4.1 and Java 17.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jakguide.sof.compiler import Compiled, compile_view, runtime_error
from jakguide.sof.errors import ViewError
from jakguide.sof.view import View

if TYPE_CHECKING:
    import duckdb
    from pyspark.sql import SparkSession

BULK_FILE = re.compile(r"^([A-Z][A-Za-z]+)(?:\.(\d+))?\.ndjson(?:\.gz)?$")
FORMATS = ("parquet", "csv", "ndjson")


def bulk_files(folder: Path) -> dict[str, list[Path]]:
    """Bulk Data files of ``folder`` by resource type (other files are ignored)."""
    if not folder.is_dir():
        raise ViewError("not a folder", "--input", str(folder))
    found: dict[str, list[Path]] = {}
    for path in sorted(folder.iterdir()):
        m = BULK_FILE.match(path.name)
        if m and path.is_file():
            found.setdefault(m.group(1), []).append(path)
    return found


def out_format(out: Path) -> str:
    """The output format of a file name (.parquet, .csv, .ndjson)."""
    suffix = out.suffix.lower().lstrip(".")
    if suffix == "jsonl":
        suffix = "ndjson"
    if suffix not in FORMATS:
        raise ViewError("the output file must end in .parquet, .csv or .ndjson", "--out", str(out))
    return suffix


@dataclass
class DuckDBEngine:
    """DuckDB in process; ``memory_limit`` like ``4GB``."""

    memory_limit: str | None = None
    threads: int | None = None
    name: str = "duckdb"
    con: duckdb.DuckDBPyConnection = field(init=False)
    loaded: set[str] = field(default_factory=set)
    files: dict[str, list[Path]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        import duckdb

        config: dict[str, Any] = {"autoinstall_known_extensions": False}
        if self.memory_limit:
            config["memory_limit"] = self.memory_limit
        if self.threads:
            config["threads"] = self.threads
        try:
            self.con = duckdb.connect(config=config)
        except duckdb.Error as err:
            raise ViewError(str(err).splitlines()[0], "--memory-limit", self.memory_limit) from None

    def load(self, folder: Path) -> dict[str, int]:
        """Register every resource type of ``folder`` as a view; returns file counts."""
        files = bulk_files(folder)
        for rtype, paths in files.items():
            listing = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
            self.con.execute(
                f'CREATE OR REPLACE VIEW "{rtype}" AS SELECT json AS resource FROM '
                f"read_json_objects([{listing}], format = 'newline_delimited')"
            )
            self.loaded.add(rtype)
            self.files[rtype] = paths
        return {k: len(v) for k, v in files.items()}

    def _ensure(self, rtype: str) -> None:
        if rtype not in self.loaded:
            empty = "SELECT CAST(NULL AS JSON) AS resource WHERE FALSE"
            self.con.execute(f'CREATE OR REPLACE VIEW "{rtype}" AS {empty}')
            self.loaded.add(rtype)

    def compile(self, view: View) -> Compiled:
        """The view as DuckDB SQL.

        When the view reads only top-level members of the resource (no ``repeat``, no whole
        resource), the files are read with ``read_json`` and one JSON column per member, so
        each line is parsed once, in parallel, by the reader.
        """
        paths = self.files.get(view.resource)
        if paths:
            probe = compile_view(view, "duckdb", table="_prefetched", prefetched=True)
            if not probe.uses_resource and probe.fields:
                listing = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
                spec = ", ".join(f"'{n}': 'JSON'" for n in probe.fields)
                renames = ", ".join(f'"{n}" AS "{c}"' for n, c in probe.fields.items())
                relation = (
                    f"(SELECT {renames} FROM read_json([{listing}], format = 'newline_delimited', "
                    f"columns = {{{spec}}}))"
                )
                return compile_view(view, "duckdb", table=relation, prefetched=True)
        return compile_view(view, "duckdb")

    def _run(self, view: View, action: str) -> duckdb.DuckDBPyRelation | None:
        import duckdb

        self._ensure(view.resource)
        compiled = self.compile(view)
        try:
            if action:
                self.con.execute(action.format(sql=compiled.sql))
                return None
            return self.con.sql(compiled.sql)
        except duckdb.Error as err:
            raise _engine_error(str(err)) from None

    def rows(self, view: View) -> list[dict[str, Any]]:
        """All rows as dicts (column order kept)."""
        import duckdb

        self._ensure(view.resource)
        compiled = self.compile(view)
        try:
            cur = self.con.execute(compiled.sql)
            data = cur.fetchall()
        except duckdb.Error as err:
            raise _engine_error(str(err)) from None
        return [dict(zip(compiled.columns, row, strict=True)) for row in data]

    def write(self, view: View, out: Path) -> None:
        """Write the rows to ``out`` (format from its suffix)."""
        import duckdb

        fmt = out_format(out)
        self._ensure(view.resource)
        compiled = self.compile(view)
        options = {
            "parquet": "FORMAT parquet",
            "csv": "FORMAT csv, HEADER",
            "ndjson": "FORMAT json",
        }
        target = str(out).replace("'", "''")
        try:
            self.con.execute(f"COPY ({compiled.sql}) TO '{target}' ({options[fmt]})")
        except duckdb.Error as err:
            raise _engine_error(str(err)) from None

    def close(self) -> None:
        """Close the connection."""
        self.con.close()


def spark_session(master: str = "local[2]") -> SparkSession:
    """A Spark session for views: UI off, few shuffle partitions."""
    from pyspark.sql import SparkSession

    if master.startswith("local"):
        # Local mode talks over loopback only; without this, a machine whose own name does not
        # resolve (a container or chroot without its hostname in /etc/hosts) stops the JVM at start.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("SPARK_LOCAL_HOSTNAME", "localhost")
    builder = SparkSession.builder.master(master)
    if master.startswith("local"):
        # The driver is the only executor: a broadcast table is built in the same heap as
        # every cached stage, so join by sorting and keep the heap for the stages.
        builder = builder.config("spark.sql.autoBroadcastJoinThreshold", "-1")
    return (
        builder.appName("jakguide-sof")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.driver.memory", "4g")
        .config("spark.sql.warehouse.dir", str(Path(tempfile.gettempdir()) / "jakguide-spark"))
        .getOrCreate()
    )


@dataclass
class SparkEngine:
    """Spark SQL on a session (``master``: ``local[2]`` or a cluster URL)."""

    session: SparkSession | None = None
    master: str = "local[2]"
    name: str = "spark"
    loaded: set[str] = field(default_factory=set)
    spark: SparkSession = field(init=False)

    def __post_init__(self) -> None:
        self.spark = self.session or spark_session(self.master)
        self.spark.sparkContext.setLogLevel("FATAL")
        # PySpark logs every failed query as JSON before raising; the error reaches the user once.
        logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)

    def load(self, folder: Path) -> dict[str, int]:
        """Register every resource type of ``folder`` as a temp view; returns file counts.

        Columns: ``resource`` (VARIANT) and ``json`` (the line); a query reads only the one its
        SQL names (Spark prunes the other), see ``Compiled.input_column``.
        """
        files = bulk_files(folder)
        for rtype, paths in files.items():
            frame = self.spark.read.text([str(p) for p in paths])
            frame.where("trim(value) <> ''").selectExpr(
                "parse_json(value) AS resource", "value AS json"
            ).createOrReplaceTempView(rtype)
            self.loaded.add(rtype)
        return {k: len(v) for k, v in files.items()}

    def _ensure(self, rtype: str) -> None:
        if rtype not in self.loaded:
            self.spark.sql(
                "SELECT CAST(NULL AS VARIANT) AS resource, CAST(NULL AS STRING) AS json WHERE FALSE"
            ).createOrReplaceTempView(rtype)
            self.loaded.add(rtype)

    def compile(self, view: View) -> Compiled:
        """The view as Spark SQL."""
        return compile_view(view, "spark-sql")

    def _frame(self, view: View) -> Any:
        self._ensure(view.resource)
        compiled = self.compile(view)
        try:
            return self.spark.sql(compiled.sql), compiled
        except Exception as err:  # pyspark raises many exception types
            raise _engine_error(str(err)) from None

    def rows(self, view: View) -> list[dict[str, Any]]:
        """All rows as dicts."""
        frame, compiled = self._frame(view)
        try:
            data = frame.collect()
        except Exception as err:
            raise _engine_error(str(err)) from None
        return [dict(zip(compiled.columns, list(r), strict=True)) for r in data]

    def write(self, view: View, out: Path) -> None:
        """Write one file ``out`` (Spark writes a folder; its single part file is moved)."""
        fmt = out_format(out)
        frame, _ = self._frame(view)
        tmp = Path(
            tempfile.mkdtemp(prefix="sof-spark-", dir=out.parent if out.parent.exists() else None)
        )
        try:
            writer = frame.coalesce(1).write.mode("overwrite")
            target = str(tmp / "out")
            if fmt == "parquet":
                writer.parquet(target)
            elif fmt == "csv":
                writer.option("header", "true").csv(target)
            else:
                writer.json(target)
            parts = sorted((tmp / "out").glob("part-*"))
            if parts:
                shutil.move(str(parts[0]), out)
            else:
                out.write_bytes(b"")
        except ViewError:
            raise
        except Exception as err:
            raise _engine_error(str(err)) from None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def close(self) -> None:
        """Leave the session running (it may be shared); drop our views."""
        for rtype in self.loaded:
            self.spark.catalog.dropTempView(rtype)
        self.loaded.clear()


Engine = DuckDBEngine | SparkEngine


def _engine_error(message: str) -> ViewError:
    found = runtime_error(message)
    if found is not None:
        return found
    first = next((line for line in message.splitlines() if line.strip()), message)
    return ViewError(f"the engine failed: {first[:300]}", "view")


def make_engine(name: str, memory_limit: str | None = None, master: str | None = None) -> Engine:
    """An engine by name: ``duckdb`` or ``spark``."""
    if name == "duckdb":
        return DuckDBEngine(memory_limit=memory_limit)
    if name == "spark":
        try:
            import pyspark  # noqa: F401
        except ImportError:
            raise ViewError(
                "PySpark is not installed; install jakguide[spark] (needs Java 17+)",
                "--engine",
                name,
            ) from None
        return SparkEngine(master=master or "local[2]")
    raise ViewError("unknown engine; use duckdb or spark", "--engine", name)


def iter_rows(engine: Engine, view: View) -> Iterator[dict[str, Any]]:
    """Rows of ``view`` on ``engine``."""
    yield from engine.rows(view)
