"""Decimals keep their written digits on both engines (``lowBoundary()``/``highBoundary()``).

The precision of a decimal is the number of digits written after the point (``1.50`` has two,
so its boundaries are 1.495 and 1.505). Spark's VARIANT and DuckDB's JSON functions both drop
trailing zeros, so a view that takes a decimal's boundaries parses the JSON text itself and marks
the decimals first (``dialect._LiteralDecimals``). The NDJSON here is written by hand, not by
``json.dumps``, because Python's float would drop the zeros before either engine sees them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jakguide.sof import compile_view, load_view
from jakguide.sof.engines import DuckDBEngine, SparkEngine

# Strings hold decimal-looking text, escaped quotes and backslashes, which the pre-pass must
# leave alone; o6 has two components, for a boundary inside forEach.
LINES = [
    r'{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"ratio: 1.5, '
    r'\"q\": 2.50 \\"},"valueQuantity":{"value":1.50,"unit":"mg"}}',
    r'{"resourceType":"Observation","id":"o2","status":"final","code":{"text":"[0.10]"},'
    r'"valueQuantity":{"value":0.010}}',
    '{"resourceType":"Observation","id":"o3","status":"final","code":{"text":"\\\\"},'
    '"valueQuantity":{"value":12}}',
    '{"resourceType": "Observation", "id": "o4", "status": "final", "code": {"text": "x"}, '
    '"valueQuantity": {"value": -2.0}}',
    '{"resourceType":"Observation","id":"o5","status":"final","code":{"text":"1.0"}}',
    '{"resourceType":"Observation","id":"o7","status":"final","code":{"text":"e"},'
    '"valueQuantity":{"value":1.5e2}}',
    '{"resourceType":"Observation","id":"o6","status":"final","code":{"text":"c"},'
    '"component":[{"code":{"text":"a"},"valueQuantity":{"value":1.0}},'
    '{"code":{"text":"b"},"valueQuantity":{"value":2.500}}]}',
]

VALUE = "value.ofType(Quantity).value"
BOUNDS_VIEW: dict[str, Any] = {
    "resource": "Observation",
    "select": [
        {
            "column": [
                {"name": "id", "path": "id"},
                {"name": "text", "path": "code.text"},
                {"name": "value", "path": VALUE, "type": "decimal"},
                {"name": "low", "path": f"{VALUE}.lowBoundary()", "type": "decimal"},
                {"name": "high", "path": f"{VALUE}.highBoundary()", "type": "decimal"},
                {"name": "quantity", "path": "value.ofType(Quantity)"},
            ]
        }
    ],
}
COMPONENT_VIEW: dict[str, Any] = {
    "resource": "Observation",
    "select": [
        {"column": [{"name": "id", "path": "id"}]},
        {
            "forEach": "component",
            "column": [
                {"name": "part", "path": "code.text"},
                {"name": "low", "path": f"{VALUE}.lowBoundary()", "type": "decimal"},
                {"name": "high", "path": f"{VALUE}.highBoundary()", "type": "decimal"},
            ],
        },
    ],
}
# (low, high) from the digits as written: 1.50 -> 2 digits, 0.010 -> 3, 12 -> 0, -2.0 -> 1,
# 1.5e2 -> -1.
BOUNDS = {
    "o1": (1.495, 1.505),
    "o2": (0.0095, 0.0105),
    "o3": (11.5, 12.5),
    "o4": (-2.05, -1.95),
    "o5": (None, None),
    "o6": (None, None),
    "o7": (145.0, 155.0),  # 1.5e2: the last digit written is in the tens
}
COMPONENT_BOUNDS = {("o6", "a"): (0.95, 1.05), ("o6", "b"): (2.4995, 2.5005)}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("decimals")
    (folder / "Observation.ndjson").write_text("\n".join(LINES) + "\n")
    return folder


def _source() -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in map(json.loads, LINES)}


def _rows(engine: DuckDBEngine | SparkEngine, folder: Path, view: dict[str, Any]) -> Any:
    engine.load(folder)
    try:
        return engine.rows(load_view(view))
    finally:
        engine.close()


def _check_bounds(rows: list[dict[str, Any]]) -> None:
    source = _source()
    assert sorted(r["id"] for r in rows) == sorted(source)
    for row in rows:
        low, high = BOUNDS[row["id"]]
        assert row["low"] == pytest.approx(low), row
        assert row["high"] == pytest.approx(high), row
        res = source[row["id"]]
        assert row["text"] == res["code"]["text"]
        quantity = res.get("valueQuantity")
        assert row["value"] == (quantity or {}).get("value")
        assert (None if row["quantity"] is None else json.loads(row["quantity"])) == quantity


def _check_components(rows: list[dict[str, Any]]) -> None:
    got = {(r["id"], r["part"]): (r["low"], r["high"]) for r in rows}
    assert set(got) == set(COMPONENT_BOUNDS)
    for key, (low, high) in COMPONENT_BOUNDS.items():
        assert got[key] == (pytest.approx(low), pytest.approx(high)), key


def test_duckdb_keeps_the_written_digits(data: Path) -> None:
    _check_bounds(_rows(DuckDBEngine(), data, BOUNDS_VIEW))
    _check_components(_rows(DuckDBEngine(), data, COMPONENT_VIEW))


def test_spark_keeps_the_written_digits(data: Path, spark: Any) -> None:
    """Boundaries from the digits as written, and every other column as Spark reads it."""
    _check_bounds(_rows(SparkEngine(session=spark), data, BOUNDS_VIEW))
    _check_components(_rows(SparkEngine(session=spark), data, COMPONENT_VIEW))
    # The same view without boundaries reads the VARIANT directly and gives the same values.
    plain = dict(BOUNDS_VIEW, select=[{"column": BOUNDS_VIEW["select"][0]["column"][:3]}])
    marked = _rows(SparkEngine(session=spark), data, BOUNDS_VIEW)
    direct = _rows(SparkEngine(session=spark), data, plain)
    assert sorted((r["id"], r["text"], r["value"]) for r in marked) == sorted(
        (r["id"], r["text"], r["value"]) for r in direct
    )


@pytest.mark.parametrize("dialect", ["duckdb", "spark-sql"])
def test_only_decimal_boundaries_parse_the_text(dialect: str) -> None:
    """The pre-pass runs only for a decimal element's boundaries (Spark then reads ``json``)."""
    bounds = compile_view(load_view(BOUNDS_VIEW), dialect)
    assert "chr(2)" in bounds.sql
    assert bounds.input_column == ("json" if dialect == "spark-sql" else "resource")
    dates: dict[str, Any] = {
        "resource": "Patient",
        "select": [{"column": [{"name": "low", "path": "birthDate.lowBoundary()"}]}],
    }
    literal: dict[str, Any] = {
        "resource": "Patient",
        "select": [{"column": [{"name": "low", "path": "1.50.lowBoundary()"}]}],
    }
    for view in (dates, literal):
        compiled = compile_view(load_view(view), dialect)
        assert "chr(2)" not in compiled.sql
        assert compiled.input_column == "resource"


def test_views_sql_names_the_input_column(tmp_path: Path) -> None:
    """`views sql` says which column the SQL reads: the JSON text for decimal boundaries."""
    from typer.testing import CliRunner

    from jakguide.cli import app

    view = tmp_path / "bounds.json"
    view.write_text(json.dumps(BOUNDS_VIEW))
    runner = CliRunner()
    spark = runner.invoke(app, ["views", "sql", str(view), "--engine", "spark"])
    assert spark.exit_code == 0, spark.stderr
    assert "with a column json (STRING" in spark.stdout
    plain = runner.invoke(app, ["views", "sql", "observation", "--engine", "spark"])
    assert "with a column resource (VARIANT)" in plain.stdout
