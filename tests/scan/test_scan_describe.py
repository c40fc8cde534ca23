"""Rule ids in words (``scan.describe``) and what the report counts with them: every rule a scan
reports has a description naming the label's facts and agents; the screening findings split by
result; every label monitoring item of an agent taken is measured."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest

from jakguide.kb.base import Knowledge
from jakguide.model import Region
from jakguide.scan.describe import describe_rules
from jakguide.scan.engines import DuckScan
from jakguide.scan.inputs import find_inputs
from jakguide.scan.output import measures
from jakguide.scan.report import render
from jakguide.scan.run import ScanResult, run_scan
from jakguide.synth.bulk import write_bulk

AS_OF = dt.date(2026, 6, 1)


@pytest.fixture(scope="module", params=["US", "EU"])
def result(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, kb: Knowledge
) -> ScanResult:
    region: Region = request.param
    folder = tmp_path_factory.mktemp("bulk")
    write_bulk(kb, folder, 1_200, 6, AS_OF)
    engine = DuckScan()
    try:
        return run_scan(engine, find_inputs(folder), kb, AS_OF, region)
    finally:
        engine.close()


def test_every_reported_rule_is_described_with_its_agents(result: ScanResult) -> None:
    assert result.worklist
    for row in result.worklist:
        text = result.rules.get(row["rule"])
        assert text is not None, row["rule"]
        assert text.kind == row["kind"], row["rule"]
        assert row["drug"] in text.agents, (row["rule"], row["drug"])
        assert text.text_for(row["drug"]) and row["rule"] not in text.text_for(row["drug"])


def test_lab_rules_say_analyte_threshold_and_action(kb: Knowledge) -> None:
    for region in ("US", "EU"):
        rules = describe_rules(kb, region)
        for mono in kb.marketed(region):
            for lab in mono.regions[region].labs:
                words = rules[f"labs.{lab.id}"].text_for(mono.id)
                analyte = kb.analytes[lab.analyte].name.split(" (")[0]
                assert words.startswith(analyte), words
                assert f"{lab.value:g}" in words and lab.action.replace("-", " ") in words
                if lab.upper is not None:
                    assert f"{lab.upper:g}" in words


def test_shared_ids_keep_each_labels_wording(kb: Knowledge) -> None:
    """One id, two labels with different schedules: one variant each, with its own agents."""
    rules = describe_rules(kb, "US")
    shared = [
        (rule, text)
        for rule, text in rules.items()
        if text.kind == "monitoring" and len(text.variants) > 1
    ]
    assert shared
    for rule, text in shared:
        for variant in text.variants:
            for agent in variant.agents:
                item = next(
                    i
                    for i in kb.drugs[agent].regions["US"].monitoring
                    if f"monitoring.{i.id}" == rule
                )
                if item.first_from_weeks is not None:
                    assert f"{item.first_from_weeks}" in variant.text
                if item.every_months is not None:
                    assert f"every {item.every_months} months" in variant.text


def test_interaction_rows_name_their_classes(kb: Knowledge) -> None:
    for region in ("US", "EU"):
        rules = describe_rules(kb, region)
        for mono in kb.marketed(region):
            for adj in mono.regions[region].adjustments:
                if adj.kind != "interaction" or not adj.when.classes:
                    continue
                words = rules[f"interactions.{adj.id}"].text_for(mono.id)
                assert all(kb.classes[c].name in words for c in adj.when.classes), words


def _state_in_words(row: dict[str, Any]) -> str:
    """The state a screening row's severity and detail say (the engine's own state is not a
    worklist column)."""
    detail = str(row["detail"] or "")
    if row["severity"] == "warning" and detail.startswith("no "):
        return "missing"
    if row["severity"] == "warning" and detail.endswith("act on this result"):
        return "positive"
    if row["severity"] == "info" and "repeat on therapy due by" in detail:
        return "due"
    return "other"


def test_screening_findings_split_by_result(result: ScanResult) -> None:
    """Each screening row is missing, positive (or indeterminate) or due, never unclassified;
    the split the report shows (from the engine's states) agrees with the rows' own words and
    adds up to the rows per rule, and the page shows the three columns."""
    split: dict[tuple[str, str], int] = {}
    patients: dict[tuple[str, str], set[str]] = {}
    for row in result.worklist:
        if row["kind"] == "screening":
            key = (row["rule"], _state_in_words(row))
            split[key] = split.get(key, 0) + 1
            patients.setdefault(key, set()).add(row["patient_id"])
    assert {state for _, state in split} == {"missing", "positive", "due"}
    reported = result.breakdowns["worklist"]["screening_state"]
    assert {(r["rule"], r["state"]): r["rows"] for r in reported} == split
    assert {(r["rule"], r["state"]): r["patients"] for r in reported} == {
        k: len(v) for k, v in patients.items()
    }
    totals = {
        r["rule"]: r["rows"]
        for r in result.breakdowns["worklist"]["kind_rule"]
        if r["kind"] == "screening"
    }
    for rule, rows in totals.items():
        assert sum(n for (r, _), n in split.items() if r == rule) == rows
    page = render(result, measures(result), suppress=False)
    section = page.split('id="screening-findings"')[1].split("<h2")[0]
    assert "no result" in section and "positive or indet." in section and "repeat due" in section
    assert "TB test" in section


def test_monitoring_adherence_lists_every_item_of_an_agent_taken(
    result: ScanResult, kb: Knowledge
) -> None:
    found = {m["id"]: m for m in measures(result)}
    overdue = sum(
        1 for r in result.worklist if r["kind"] == "monitoring" and r["severity"] == "warning"
    )
    assert sum(m["numerator"] for m in found.values()) == overdue
    for drug, on in result.counts_by_drug.items():
        label = kb.drugs[drug].regions.get(result.region)
        for item in label.monitoring if label is not None else []:
            m = found[f"monitoring.{item.id}.overdue.{drug}"]
            assert m["denominator"] == on and m["name"]
    assert any(m["numerator"] == 0 for m in found.values())


def test_report_names_rules_in_words_beside_their_ids(result: ScanResult) -> None:
    """In the kind sections, each rule's heading cell holds its words (every variant, with the
    agents) before its id."""
    page = render(result, measures(result), suppress=True)
    kinds = page.split('id="thresholds"')[0].split('id="monitoring-findings"')[1]
    kinds += page.split('id="thresholds"')[1].split('id="events"')[0]
    for r in result.breakdowns["worklist"]["kind_rule"]:
        at = kinds.index(f'<small class="rid">{r["rule"]}</small>')
        cell = kinds[kinds.rindex("<th", 0, at) : at]
        for variant in result.rules[r["rule"]].variants:
            assert html.escape(variant.text) in cell, r["rule"]
            assert all(agent in cell for agent in variant.agents), r["rule"]
    assert "Per rule (" in page  # long per-rule tables are folded
    assert page.count("<svg") >= len(result.measures)  # a bar per shown rate
