"""Compiler details: validation errors name the JSON path, element checks, dialects, loading."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jakguide.sof import ViewError, compile_view, load_view
from jakguide.sof.engines import DuckDBEngine, bulk_files
from jakguide.sof.fhirpath import parse
from jakguide.sof.views import VIEWS, view_path


def _view(*columns: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"resource": "Patient", "select": [{"column": list(columns)}], **extra}


def _error(data: dict[str, Any], dialect: str = "duckdb") -> str:
    with pytest.raises(ViewError) as info:
        compile_view(load_view(data), dialect)
    return str(info.value)


def test_misspelt_element_is_an_error_naming_the_path() -> None:
    text = _error(_view({"name": "a", "path": "id"}, {"name": "b", "path": "name.famly"}))
    assert text.startswith("select[0].column[1].path: 'name.famly'")
    assert "HumanName has no element 'famly'" in text


def test_choice_elements_need_a_known_type() -> None:
    obs: dict[str, Any] = {
        "resource": "Observation",
        "select": [{"column": [{"name": "v", "path": ""}]}],
    }
    obs["select"][0]["column"][0]["path"] = "value.ofType(Quantity).value"
    compile_view(load_view(obs))
    obs["select"][0]["column"][0]["path"] = "value.ofType(Money).value"
    with pytest.raises(ViewError, match=r"value\[x\] has no type 'Money'"):
        compile_view(load_view(obs))


def test_where_must_be_boolean() -> None:
    text = _error(_view({"name": "a", "path": "id"}, where=[{"path": "name.family"}]))
    assert text.startswith("where[0].path: ")


def test_malformed_views_name_the_json_path() -> None:
    with pytest.raises(ViewError, match=r"^select\[0\]\.column\[0\]\.name"):
        load_view(_view({"name": "1bad", "path": "id"}))
    with pytest.raises(ViewError, match=r"^select\[0\]\.forEach"):
        load_view({"resource": "Patient", "select": [{"forEach": 1}]})
    with pytest.raises(ViewError, match=r"^resource"):
        load_view({"select": [{"column": [{"name": "a", "path": "id"}]}]})
    with pytest.raises(ViewError, match=r"^select\[0\]\.column\[0\]\.path: '@@'"):
        load_view(_view({"name": "a", "path": "@@"}))
    with pytest.raises(ViewError, match=r"already used"):
        load_view(_view({"name": "a", "path": "id"}, {"name": "a", "path": "gender"}))


def test_undefined_constant() -> None:
    text = _error(_view({"name": "a", "path": "%nope"}))
    assert "constant %nope is not defined" in text


def test_ballot_fields_are_accepted() -> None:
    view = load_view(
        _view(
            {"name": "a", "path": "id"},
            resourceType="ViewDefinition",
            url="http://example.org/ViewDefinition/p",
            identifier=[{"system": "urn:x", "value": "1"}],
            name="p",
            status="draft",
            fhirVersion=["4.0.1"],
        )
    )
    assert view.columns() == ["a"]


def test_repeat_inside_repeat_is_rejected() -> None:
    data: dict[str, Any] = {
        "resource": "QuestionnaireResponse",
        "select": [{"repeat": ["item"], "select": [{"repeat": ["item"], "column": []}]}],
    }
    data["select"][0]["select"][0]["column"] = [{"name": "l", "path": "linkId"}]
    assert "repeat inside repeat" in _error(data)


QR = {
    "resourceType": "QuestionnaireResponse",
    "id": "qr1",
    "status": "completed",
    "item": [
        {
            "linkId": "1",
            "item": [
                {"linkId": "1.1"},
                {"linkId": "1.2", "item": [{"linkId": "1.2.1"}]},
            ],
        },
        {"linkId": "2"},
    ],
}


def test_repeat_inside_foreach(tmp_path: Path) -> None:
    (tmp_path / "QuestionnaireResponse.ndjson").write_text(json.dumps(QR) + "\n")
    view = load_view(
        {
            "resource": "QuestionnaireResponse",
            "select": [
                {
                    "forEachOrNull": "item",
                    "column": [
                        {"name": "top", "path": "linkId"},
                        {"name": "top_index", "path": "%rowIndex"},
                    ],
                    "select": [
                        {
                            "repeat": ["item"],
                            "column": [
                                {"name": "link", "path": "linkId"},
                                {"name": "i", "path": "%rowIndex"},
                            ],
                        }
                    ],
                }
            ],
        }
    )
    engine = DuckDBEngine()
    engine.load(tmp_path)
    rows = engine.rows(view)
    engine.close()
    got = sorted((r["top"], r["top_index"], r["link"], r["i"]) for r in rows)
    assert got == [("1", 0, "1.1", 0), ("1", 0, "1.2", 1), ("1", 0, "1.2.1", 2)]


def test_parser() -> None:
    assert parse("name.where(use = 'official').family.first()") is not None
    assert parse("a.b[0] | c") is not None
    with pytest.raises(ViewError):
        parse("name.(")


@pytest.mark.parametrize("name", VIEWS)
@pytest.mark.parametrize("dialect", ["duckdb", "spark-sql"])
def test_shipped_views_compile(name: str, dialect: str) -> None:
    sql = compile_view(load_view(json.loads(view_path(name).read_text())), dialect).sql
    assert sql.startswith("WITH ")
    assert "INSTALL" not in sql.upper()


def test_bulk_file_names(tmp_path: Path) -> None:
    for name in (
        "Patient.ndjson",
        "Patient.000.ndjson",
        "Observation.12.ndjson.gz",
        "log.ndjson",
        "patient.ndjson",
        "Patient.json",
        "README.md",
    ):
        (tmp_path / name).write_text("")
    found = bulk_files(tmp_path)
    assert {k: [p.name for p in v] for k, v in found.items()} == {
        "Observation": ["Observation.12.ndjson.gz"],
        "Patient": ["Patient.000.ndjson", "Patient.ndjson"],
    }


def test_repeat_has_no_depth_cap(tmp_path: Path) -> None:
    item: dict[str, Any] = {"linkId": "60"}
    for depth in range(59, 0, -1):
        item = {"linkId": str(depth), "item": [item]}
    qr = {"resourceType": "QuestionnaireResponse", "id": "q", "status": "completed", "item": [item]}
    (tmp_path / "QuestionnaireResponse.ndjson").write_text(json.dumps(qr) + "\n")
    view = load_view(
        {
            "resource": "QuestionnaireResponse",
            "select": [
                {
                    "repeat": ["item"],
                    "column": [
                        {"name": "link", "path": "linkId"},
                        {"name": "i", "path": "%rowIndex"},
                    ],
                }
            ],
        }
    )
    engine = DuckDBEngine()
    engine.load(tmp_path)
    rows = engine.rows(view)
    engine.close()
    assert sorted((r["i"], r["link"]) for r in rows) == [(n - 1, str(n)) for n in range(1, 61)]


def test_memory_limit_and_no_autoinstall() -> None:
    engine = DuckDBEngine(memory_limit="256MB")
    limit = engine.con.execute("SELECT current_setting('memory_limit')").fetchone()
    auto = engine.con.execute("SELECT current_setting('autoinstall_known_extensions')").fetchone()
    engine.close()
    assert limit is not None and ("MiB" in str(limit[0]) or "MB" in str(limit[0]))
    assert auto is not None and auto[0] is False


def test_bad_memory_limit_is_an_input_error() -> None:
    with pytest.raises(ViewError, match="--memory-limit"):
        DuckDBEngine(memory_limit="lots")
