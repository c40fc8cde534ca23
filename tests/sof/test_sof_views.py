"""The shipped views over the Synthea samples: expected row counts, same rows on both engines.

Expected counts come from plain Python over the NDJSON (not from the runner).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jakguide.sof.engines import DuckDBEngine, SparkEngine, bulk_files
from jakguide.sof.view import read_view
from jakguide.sof.views import VIEWS, view_path
from sof_support import shared_data

DATASETS = ("synthea-bulk-10-patients", "synthea-r4-sample")


def _resources(folder: Path, rtype: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in bulk_files(folder).get(rtype, []):
        out.extend(json.loads(line) for line in path.read_text().splitlines() if line.strip())
    return out


def _codings(getter: Callable[[dict[str, Any]], Any], or_null: bool = False) -> Any:
    def count(res: dict[str, Any]) -> int:
        n = len((getter(res) or {}).get("coding", []))
        return max(n, 1) if or_null else n

    return count


EXPECTED: dict[str, tuple[str, Callable[[dict[str, Any]], int]]] = {
    "patient": ("Patient", lambda r: 1),
    "condition": ("Condition", _codings(lambda r: r.get("code"))),
    "medication_request": (
        "MedicationRequest",
        _codings(lambda r: r.get("medicationCodeableConcept"), or_null=True),
    ),
    "medication_statement": (
        "MedicationStatement",
        _codings(lambda r: r.get("medicationCodeableConcept"), or_null=True),
    ),
    "observation": ("Observation", lambda r: 1),
    "immunization": ("Immunization", _codings(lambda r: r.get("vaccineCode"))),
    "procedure": ("Procedure", _codings(lambda r: r.get("code"))),
}


def test_every_view_has_an_expectation() -> None:
    assert set(VIEWS) == set(EXPECTED)


def _norm(row: dict[str, Any]) -> tuple[Any, ...]:
    def one(v: Any) -> Any:
        if isinstance(v, float):
            return round(v, 9) if math.isfinite(v) else v
        return v

    return tuple(sorted((k, repr(one(v))) for k, v in row.items()))


@pytest.fixture(scope="module")
def duckdb_rows() -> dict[tuple[str, str], list[dict[str, Any]]]:
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for data in DATASETS:
        engine = DuckDBEngine()
        engine.load(shared_data(data))
        for name in VIEWS:
            out[(data, name)] = engine.rows(read_view(view_path(name)))
        engine.close()
    return out


@pytest.mark.parametrize("data", DATASETS)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_row_counts(
    data: str, name: str, duckdb_rows: dict[tuple[str, str], list[dict[str, Any]]]
) -> None:
    rtype, count = EXPECTED[name]
    expected = sum(count(r) for r in _resources(shared_data(data), rtype))
    assert len(duckdb_rows[(data, name)]) == expected


def test_observation_values(duckdb_rows: dict[tuple[str, str], list[dict[str, Any]]]) -> None:
    """LOINC code, value and UCUM unit match a plain reading of each Observation."""
    rows = {r["id"]: r for r in duckdb_rows[("synthea-r4-sample", "observation")]}
    for res in _resources(shared_data("synthea-r4-sample"), "Observation"):
        row = rows[res["id"]]
        loinc = [c for c in res["code"]["coding"] if c.get("system") == "http://loinc.org"]
        assert row["loinc"] == (loinc[0]["code"] if loinc else None)
        quantity = res.get("valueQuantity", {})
        assert row["value"] == quantity.get("value")
        ucum = quantity.get("system") == "http://unitsofmeasure.org"
        assert row["unit"] == (quantity.get("code") if ucum else None)
        assert row["effective"] == res.get("effectiveDateTime")
        assert row["patient_id"] == res["subject"]["reference"].split("/")[-1]


def test_same_rows_on_spark(
    spark: Any, duckdb_rows: dict[tuple[str, str], list[dict[str, Any]]]
) -> None:
    for data in DATASETS:
        engine = SparkEngine(session=spark)
        engine.load(shared_data(data))
        for name in VIEWS:
            got = engine.rows(read_view(view_path(name)))
            want = duckdb_rows[(data, name)]
            assert Counter(map(_norm, got)) == Counter(map(_norm, want)), (data, name)
        engine.close()
