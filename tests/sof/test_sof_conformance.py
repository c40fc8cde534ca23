"""The SQL on FHIR v2 conformance suite on DuckDB and on Spark.

Each engine runs all 134 tests once (a session fixture), writes
``artifacts/sof/<engine>/test_report.json`` in the suite's report format, and each test case is
one pytest item. The pass count must not drop below the floor in ``docs/conformance.md``.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest

import sof_support as suite
from jakguide.sof.engines import DuckDBEngine, SparkEngine
from jakguide.sof.view import load_view
from sof_support import REPO

CASES = suite.cases()
ARTIFACTS = REPO / "artifacts" / "sof"


def _runner(make: Any) -> Any:
    def run(case: suite.Case) -> tuple[list[dict[str, Any]], list[str]]:
        view = load_view(case.view)
        with tempfile.TemporaryDirectory() as tmp:
            suite.write_ndjson(case.resources, Path(tmp))
            engine = make()
            try:
                engine.load(Path(tmp))
                return engine.rows(view), view.columns()
            finally:
                engine.close()

    return run


def _run_all(engine: str, make: Any) -> dict[str, suite.Outcome]:
    run = _runner(make)
    outcomes = [suite.run_case(case, run) for case in CASES]
    out = ARTIFACTS / engine
    out.mkdir(parents=True, exist_ok=True)
    (out / "test_report.json").write_text(json.dumps(suite.report(outcomes), indent=2) + "\n")
    return {o.case.id: o for o in outcomes}


@pytest.fixture(scope="session")
def duckdb_results() -> dict[str, suite.Outcome]:
    return _run_all("duckdb", DuckDBEngine)


@pytest.fixture(scope="session")
def spark_results(spark: Any) -> dict[str, suite.Outcome]:
    return _run_all("spark", lambda: SparkEngine(session=spark))


def floors() -> dict[str, int]:
    """Pass-count floors recorded in docs/conformance.md (``<!-- floor: duckdb=N spark=M -->``)."""
    text = (REPO / "docs" / "conformance.md").read_text()
    m = re.search(r"<!-- floor: (.*?) -->", text)
    assert m, "docs/conformance.md has no floor comment"
    return {k: int(v) for k, v in (p.split("=") for p in m.group(1).split())}


def test_suite_has_134_tests() -> None:
    assert len(CASES) == 134
    assert len({c.id for c in CASES}) == 134


@pytest.mark.parametrize("case_id", [c.id for c in CASES])
def test_duckdb(case_id: str, duckdb_results: dict[str, suite.Outcome]) -> None:
    outcome = duckdb_results[case_id]
    assert outcome.passed, outcome.reason


@pytest.mark.parametrize("case_id", [c.id for c in CASES])
def test_spark(case_id: str, spark_results: dict[str, suite.Outcome]) -> None:
    outcome = spark_results[case_id]
    assert outcome.passed, outcome.reason


def test_duckdb_floor(duckdb_results: dict[str, suite.Outcome]) -> None:
    passed = sum(o.passed for o in duckdb_results.values())
    assert passed >= floors()["duckdb"], f"DuckDB passes {passed} of 134"


def test_spark_floor(spark_results: dict[str, suite.Outcome]) -> None:
    passed = sum(o.passed for o in spark_results.values())
    assert passed >= floors()["spark"], f"Spark passes {passed} of 134"


def test_reports_follow_the_schema(duckdb_results: dict[str, suite.Outcome]) -> None:
    report = json.loads((ARTIFACTS / "duckdb" / "test_report.json").read_text())
    assert sum(len(f["tests"]) for f in report.values()) == 134
    for entry in report.values():
        for test in entry["tests"]:
            assert set(test) == {"name", "result"}
            assert isinstance(test["result"]["passed"], bool)


@pytest.mark.parametrize("case_id", [c.id for c in CASES if c.expect_error])
def test_expected_errors_are_clear(case_id: str) -> None:
    """Every expectError case raises a one-line ViewError that names a JSON path."""
    from jakguide.sof.errors import ViewError

    case = next(c for c in CASES if c.id == case_id)
    with pytest.raises(ViewError) as info:
        _runner(DuckDBEngine)(case)
    text = str(info.value)
    assert "\n" not in text
    assert re.match(r"^(\$|resource|select|where|constant|view)", text), text
