"""Sources say what they are; no denied host anywhere; ``kb sources`` and ``kb status``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jakguide.cli import app
from jakguide.kb.base import Knowledge
from jakguide.kb.loader import default_knowledge_dir
from jakguide.kb.schema import denied_host, denied_urls

runner = CliRunner()


@pytest.mark.parametrize(
    ("host", "denied"),
    [
        ("stage.abbviepro.com", True),
        ("uat.mims.com", True),
        ("sit.mimsdev.com", True),
        ("www.test-moh-ndf-staging.isomer.gov.sg", True),
        ("dev.example.org", True),
        ("47.251.13.51", True),
        ("[::1]", True),
        ("m.laoslucius.com", True),
        ("otc-online-store.com", True),
        ("dailymed.nlm.nih.gov", False),
        ("www.ema.europa.eu", False),
        ("www.visitsite.com", False),  # "sit" and "test" only as whole labels or parts
        ("latest.example.org", False),
        ("developer.example.org", False),
    ],
)
def test_deny_list(host: str, denied: bool) -> None:
    assert (denied_host(host) is not None) is denied


def test_no_denied_host_anywhere_in_the_knowledge_files() -> None:
    hits = [
        (str(p.relative_to(default_knowledge_dir())), address)
        for p in sorted(default_knowledge_dir().rglob("*.yaml"))
        for address, _ in denied_urls(p.read_text(encoding="utf-8"))
    ]
    assert hits == []


def test_every_label_names_its_regulator_document_and_its_copy_is_read_via(
    kb: Knowledge,
) -> None:
    for doc in kb.sources.values():
        if doc.authority in ("regulator-label", "manufacturer-label", "other-country-label"):
            assert doc.document is not None, doc.id
            assert doc.url is None, doc.id  # the copy goes under read_via
            assert doc.read_via is not None, doc.id


def test_region_labels_point_to_the_regulator_label_of_their_region(kb: Knowledge) -> None:
    regulator = {"US": "FDA", "EU": "EMA"}
    for mono in kb.drugs.values():
        for region, label in mono.regions.items():
            doc = kb.sources[label.label]
            assert doc.authority == "regulator-label", (mono.id, region, doc.id)
            assert doc.document is not None
            assert doc.document.regulator == regulator[region], (mono.id, region)
            assert doc.document.kind != "package-leaflet", (mono.id, region)


def test_us_labels_name_the_fda_application_where_it_is_known(kb: Knowledge) -> None:
    for mono in kb.drugs.values():
        us = mono.regions.get("US")
        if us is None or mono.id in ("ritlecitinib", "delgocitinib"):  # number not in a source read
            continue
        document = kb.sources[us.label].document
        assert document is not None and document.application, mono.id


def test_kb_sources_by_authority_prints_the_counts(kb: Knowledge) -> None:
    result = runner.invoke(app, ["kb", "sources", "--by-authority"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["authority", "sources", "citations"]
    for authority in ("regulator-label", "manufacturer-label", "monograph", "news"):
        assert any(line.split()[0] == authority for line in lines), authority
    total = lines[-1].split()
    assert total[0] == "total" and int(total[1]) == len(kb.sources)
    data = json.loads(
        runner.invoke(app, ["kb", "sources", "--by-authority", "--format", "json"]).stdout
    )
    assert sum(r["sources"] for r in data["authorities"]) == len(kb.sources)


def test_kb_sources_lists_each_source_with_its_document() -> None:
    result = runner.invoke(app, ["kb", "sources"])
    assert result.exit_code == 0
    assert "xeljanz-uspi  [regulator-label]  FDA prescribing information, NDA 203214" in (
        result.stdout
    )


def test_kb_status_shows_revisions_and_counts() -> None:
    result = runner.invoke(app, ["kb", "status", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {(r["drug"], r["region"]): r for r in json.loads(result.stdout)["labels"]}
    assert ("tofacitinib", "US") in rows and ("filgotinib", "EU") in rows
    for row in rows.values():
        assert row["facts"] >= row["unverified"] >= 0
        assert row["facts"] >= row["superseded"] >= 0
    text = runner.invoke(app, ["kb", "status"]).stdout
    assert "tofacitinib US: read" in text


def test_kb_files_mention_no_copy_address_in_guide(tmp_path: Path) -> None:
    """Guard for the renderers: a label's copy address is data, never a citation."""
    assert denied_urls("see https://stage.abbviepro.com/x and uat.mims.com") == [
        ("https://stage.abbviepro.com/x", "a pre-production host ('stage')"),
        ("uat.mims.com", "a pre-production host ('uat')"),
    ]


def test_derivation_boundaries_and_local_policies_cite_a_guideline_or_the_policy(
    kb: Knowledge,
) -> None:
    for gid, guideline in kb.guidelines.items():
        if guideline.topic in ("policy", "renal-function"):
            authority = kb.sources[guideline.source.doc].authority
            assert authority in ("guideline", "local-policy"), (gid, authority)
