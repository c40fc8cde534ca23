"""Helpers for tests/sof: the SQL on FHIR v2 conformance suite (load the vendored tests, run one,
compare, report) and the vendored Synthea data sets."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SUITE = REPO / "tests" / "sof" / "conformance" / "tests"
DATA = REPO / "tests" / "data"


def shared_data(name: str) -> Path:
    """A data set vendored under tests/data/<name>."""
    path = DATA / name
    assert path.is_dir(), f"tests/data/{name} is missing"
    return path


@dataclass(frozen=True)
class Case:
    """One test of a suite file."""

    file: str
    title: str
    view: Any
    resources: list[dict[str, Any]]
    expect: list[dict[str, Any]] | None
    expect_error: bool
    expect_columns: list[str] | None

    @property
    def id(self) -> str:
        return f"{self.file}:{self.title}"


def cases() -> list[Case]:
    """Every test of every suite file, in file order."""
    out = []
    for path in sorted(SUITE.glob("*.json")):
        data = json.loads(path.read_text())
        for test in data["tests"]:
            out.append(
                Case(
                    file=path.name,
                    title=test["title"],
                    view=test["view"],
                    resources=data["resources"],
                    expect=test.get("expect"),
                    expect_error=bool(test.get("expectError")),
                    expect_columns=test.get("expectColumns"),
                )
            )
    return out


def write_ndjson(resources: list[dict[str, Any]], folder: Path) -> None:
    """The resources as Bulk Data NDJSON, one file per type."""
    folder.mkdir(parents=True, exist_ok=True)
    by_type: dict[str, list[str]] = {}
    for res in resources:
        by_type.setdefault(res["resourceType"], []).append(json.dumps(res))
    for rtype, lines in by_type.items():
        (folder / f"{rtype}.ndjson").write_text("\n".join(lines) + "\n")


def _norm(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        f = float(value)
        return round(f, 9) if math.isfinite(f) else f
    if isinstance(value, list | tuple):
        return tuple(_norm(v) for v in value)
    return str(value)


def _row_key(row: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, _norm(v)) for k, v in row.items()))


def compare(case: Case, rows: list[dict[str, Any]], columns: list[str]) -> str | None:
    """None when ``rows`` match the expected rows (an unordered multiset), else why not."""
    assert case.expect is not None
    if case.expect_columns is not None and columns != case.expect_columns:
        return f"columns {columns} != expected {case.expect_columns}"
    expected_cols = {k for r in case.expect for k in r}
    if case.expect and set(columns) != expected_cols:
        return f"columns {sorted(columns)} != expected {sorted(expected_cols)}"
    got = Counter(_row_key(r) for r in rows)
    want = Counter(_row_key(r) for r in case.expect)
    if got != want:
        got_rows, want_rows = sorted(map(repr, got.elements())), sorted(map(repr, want.elements()))
        return f"rows differ: got {got_rows} expected {want_rows}"
    return None


@dataclass
class Outcome:
    """The result of one case."""

    case: Case
    passed: bool
    reason: str = ""


def run_case(case: Case, run: Callable[[Case], tuple[list[dict[str, Any]], list[str]]]) -> Outcome:
    """Run ``case`` with ``run`` (which raises ViewError for a view error)."""
    from jakguide.sof.errors import ViewError

    try:
        rows, columns = run(case)
    except ViewError as err:
        if case.expect_error:
            return Outcome(case, True, str(err))
        return Outcome(case, False, f"unexpected error: {err}")
    if case.expect_error:
        return Outcome(case, False, "expected an error, got rows")
    why = compare(case, rows, columns)
    return Outcome(case, why is None, why or "")


def report(outcomes: list[Outcome]) -> dict[str, Any]:
    """A test_report.json (test-report.schema.json)."""
    out: dict[str, Any] = {}
    for o in outcomes:
        result: dict[str, Any] = {"passed": o.passed}
        if not o.passed:
            result["reason"] = o.reason[:500]
        out.setdefault(o.case.file, {"tests": []})["tests"].append(
            {"name": o.case.title, "result": result}
        )
    return out
