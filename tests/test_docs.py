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
        "kb sources",
        "kb status",
        "kb check-label",
        "score",
        "response",
        "guide",
        "serve",
        "db upgrade",
        "user add",
        "synth",
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


def test_instruments_cite_the_knowledge_source_table() -> None:
    """One source table: every instrument citation is an entry of knowledge/sources, with the
    title and year written there (the instruments keep no copy)."""
    from jakguide.instruments.registry import INSTRUMENTS, RESPONSES
    from jakguide.kb.base import bundled_knowledge

    kb = bundled_knowledge()
    cited = [s for e in INSTRUMENTS.values() for s in e.doc.sources]
    cited += [s for e in RESPONSES.values() for s in e.doc.sources]
    assert cited
    for ref in cited:
        doc = kb.source(ref["doc"])
        assert doc is not None, ref["doc"]
        assert (ref["title"], ref["year"]) == (doc.title, doc.year), ref["doc"]
    assert not (kb.folder.parent / "instruments" / "sources.py").exists()
