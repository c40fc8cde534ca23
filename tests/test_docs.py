"""Docs that keep the code honest: generated references must equal the committed files."""

from __future__ import annotations

import json
from pathlib import Path

import jakguide
from jakguide.cli.docs import render
from jakguide.model import Patient

DOCS = Path(__file__).parent.parent / "docs"


def test_cli_reference_is_current() -> None:
    committed = (DOCS / "cli.md").read_text()
    assert committed == render(), "regenerate: python -m jakguide.cli.docs > docs/cli.md"


def test_every_command_is_documented() -> None:
    text = (DOCS / "cli.md").read_text()
    for command in (
        "assess",
        "labs",
        "drugs",
        "drug",
        "kb validate",
        "kb facts",
        "score",
        "response",
        "guide",
        "serve",
        "db upgrade",
        "user add",
    ):
        assert f"## `jakguide {command}`" in text, command


def test_patient_json_schema_is_current() -> None:
    committed = json.loads((DOCS / "patient.schema.json").read_text())
    generated = Patient.model_json_schema()
    committed.pop("$schema")
    committed.pop("$id")
    assert committed == json.loads(json.dumps(generated)), "regenerate docs/patient.schema.json"


def test_patient_format_doc_names_every_field() -> None:
    text = (DOCS / "patient-format.md").read_text()
    for field in Patient.model_fields:
        assert f"`{field}`" in text, field


def test_public_api_is_small_and_sorted() -> None:
    assert jakguide.__all__ == sorted(jakguide.__all__)
    for name in jakguide.__all__:
        assert hasattr(jakguide, name), name


def test_instrument_publications_resolve_in_the_knowledge_sources() -> None:
    """Response findings cite instrument publications; they must resolve like label sources."""
    import yaml

    from jakguide.instruments.sources import PUBLICATIONS
    from jakguide.kb.base import bundled_knowledge

    kb = bundled_knowledge()
    mirrored = yaml.safe_load((kb.folder / "sources" / "instruments.yaml").read_text())["sources"]
    mirror_titles = {s["id"]: s["title"] for s in mirrored}
    for doc, pub in PUBLICATIONS.items():
        assert kb.source(doc) is not None, f"add {doc} to knowledge/sources/instruments.yaml"
        if doc in mirror_titles:  # others (e.g. NICE TA383) are shared with the label sources
            assert mirror_titles[doc] == pub.title, doc
