"""``contained.ofType(Medication)``: a Resource-typed element filtered to one resource type, then
navigated with that type's elements (the scan reads a request's contained Medication so)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from jakguide.sof import compile_view, load_view

RX = "http://www.nlm.nih.gov/research/umls/rxnorm"
REQUESTS = [
    {
        "resourceType": "MedicationRequest",
        "id": "a",
        "contained": [
            {"resourceType": "Patient", "id": "p"},
            {"resourceType": "Medication", "id": "other", "code": {"text": "Wrong"}},
            {
                "resourceType": "Medication",
                "id": "m",
                "code": {"coding": [{"system": RX, "code": "2196092"}], "text": "Rinvoq"},
            },
        ],
        "medicationReference": {"reference": "#m"},
    },
    {"resourceType": "MedicationRequest", "id": "b", "medicationReference": {"reference": "x"}},
]
MATCH = "contained.ofType(Medication).where(('#' + id) = %resource.medication.ofType(Reference)"


def test_contained_of_type_filters_and_types(tmp_path: Path) -> None:
    path = tmp_path / "MedicationRequest.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in REQUESTS))
    columns = {
        "n": "contained.ofType(Medication).count()",
        "patients": "contained.ofType(Patient).id.first()",
        "text": MATCH + ".reference).code.text.first()",
        "rxnorm": MATCH + f".reference).code.coding.where(system = '{RX}').code.first()",
    }
    view = {
        "resourceType": "ViewDefinition",
        "name": "t",
        "status": "active",
        "resource": "MedicationRequest",
        "select": [{"column": [{"name": k, "path": v} for k, v in columns.items()]}],
    }
    table = (
        f"(SELECT json AS resource FROM read_json_objects('{path}', format = 'newline_delimited'))"
    )
    sql = compile_view(load_view(view), "duckdb", table=table).sql
    assert duckdb.connect().execute(sql).fetchall() == [
        (2, "p", "Rinvoq", "2196092"),
        (0, None, None, None),
    ]
