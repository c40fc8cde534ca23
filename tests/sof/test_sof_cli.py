"""`jakguide views` end to end: every conformance test through the CLI alone.

Each test's resources are written as NDJSON and its view as a file; `jakguide views run ...
--format json` must print exactly the expected rows (all 134 tests, on DuckDB and on Spark),
and every expectError case must exit 2 with one line on standard error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import sof_support as suite
from jakguide.cli import app

runner = CliRunner()
CASES = suite.cases()


def _invoke(case: suite.Case, tmp: Path, engine: str) -> Any:
    data = tmp / "data"
    suite.write_ndjson(case.resources, data)
    (data / "notes.txt").write_text("not a bulk file; ignored\n")
    view = tmp / "view.json"
    view.write_text(json.dumps(case.view))
    return runner.invoke(
        app,
        ["views", "run", str(view), "--input", str(data), "--engine", engine, "--format", "json"],
    )


def _check(case: suite.Case, result: Any) -> None:
    if case.expect_error:
        assert result.exit_code == 2, result.stdout
        lines = result.stderr.strip().splitlines()
        assert lines[-1].startswith("error: "), result.stderr
        assert result.stdout == ""
        return
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    columns = list(rows[0]) if rows else []
    if rows:
        assert all(list(r) == columns for r in rows), "every row has every column"
    why = suite.compare(case, rows, columns if rows else [])
    assert why is None, why


@pytest.mark.parametrize("case_id", [c.id for c in CASES])
def test_cli_duckdb(case_id: str, tmp_path: Path) -> None:
    case = next(c for c in CASES if c.id == case_id)
    _check(case, _invoke(case, tmp_path, "duckdb"))


@pytest.mark.parametrize("case_id", [c.id for c in CASES])
def test_cli_spark(case_id: str, tmp_path: Path, spark: Any) -> None:
    case = next(c for c in CASES if c.id == case_id)
    _check(case, _invoke(case, tmp_path, "spark"))


def test_views_sql_prints_both_dialects() -> None:
    duck = runner.invoke(app, ["views", "sql", "observation", "--engine", "duckdb"])
    spark = runner.invoke(app, ["views", "sql", "observation", "--engine", "spark"])
    assert duck.exit_code == 0 and spark.exit_code == 0
    assert "list_transform" in duck.stdout or "json_extract" in duck.stdout
    assert "variant_get" in spark.stdout
    assert "dialect spark-sql" in spark.stdout


def test_views_list() -> None:
    result = runner.invoke(app, ["views", "list"])
    assert result.exit_code == 0
    assert "observation: Observation" in result.stdout


def test_out_files(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.id == "foreach.json:forEach: normal")
    data = tmp_path / "data"
    suite.write_ndjson(case.resources, data)
    view = tmp_path / "view.json"
    view.write_text(json.dumps(case.view))
    for name in ("rows.parquet", "rows.csv", "rows.ndjson"):
        target = tmp_path / name
        result = runner.invoke(
            app, ["views", "run", str(view), "--input", str(data), "--out", str(target)]
        )
        assert result.exit_code == 0, result.stderr
        assert target.stat().st_size > 0
    lines = (tmp_path / "rows.ndjson").read_text().splitlines()
    assert len(lines) == 4
    bad = runner.invoke(
        app, ["views", "run", str(view), "--input", str(data), "--out", str(tmp_path / "x.xlsx")]
    )
    assert bad.exit_code == 2
    assert "--out" in bad.stderr


def test_gzip_and_numbered_files(tmp_path: Path) -> None:
    import gzip

    data = tmp_path / "data"
    data.mkdir()
    lines = [json.dumps({"resourceType": "Patient", "id": f"p{i}"}) for i in range(5)]
    (data / "Patient.000.ndjson").write_text("\n".join(lines[:2]) + "\n")
    with gzip.open(data / "Patient.001.ndjson.gz", "wt") as fh:
        fh.write("\n".join(lines[2:]) + "\n")
    (data / "log.ndjson").write_text('{"not": "a resource"}\n')
    result = runner.invoke(
        app, ["views", "run", "patient", "--input", str(data), "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    assert sorted(r["id"] for r in json.loads(result.stdout)) == [f"p{i}" for i in range(5)]


def test_cli_import_loads_neither_engine() -> None:
    import subprocess
    import sys

    code = (
        "import sys, jakguide.cli; "
        "assert 'duckdb' not in sys.modules and 'pyspark' not in sys.modules, 'engine imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_views_sql_as_a_sqlquery_library() -> None:
    import base64

    result = runner.invoke(app, ["views", "sql", "patient", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    library = json.loads(result.stdout)
    assert library["resourceType"] == "Library"
    content = library["content"][0]
    assert content["contentType"] == "application/sql;dialect=duckdb"
    assert base64.b64decode(content["data"]).decode().startswith("WITH ")
