"""The scan's files: ``worklist.csv``, ``worklist.parquet``, ``measures.json``, ``report.html``.

Both engines' worklists are written by the same DuckDB writer from the same sorted rows
(``scan.worklist``), so the files of a DuckDB scan and a Spark scan are byte for byte the
same. Small cells (fewer than ``SMALL_CELL`` patients) are suppressed in the report by default,
as Cumulus does.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from jakguide.scan import worklist
from jakguide.scan.report import render
from jakguide.scan.run import ScanResult


def write_worklist(result: ScanResult, out: Path) -> dict[str, Path]:
    """Write the worklist as CSV and Parquet (same rows, same order)."""
    return worklist.write(result.worklist_file, out)


def measures(result: ScanResult) -> list[dict[str, Any]]:
    """The monitoring-adherence measures: per label item and agent, the patients on the agent
    with the item overdue (numerator) among the patients on the agent (denominator). Every label
    item of an agent someone takes is listed, an item nobody is overdue for with 0: a missing
    line would read as "not measured"."""
    on_drug = result.counts_by_drug
    found = Counter(result.overdue)
    keys = set(found)
    for text in result.rules.values():
        if text.kind == "monitoring":
            keys.update((agent, text.rule) for agent in text.agents if on_drug.get(agent, 0))
    out = []
    for drug, rule in sorted(keys):
        entry: dict[str, Any] = {
            "id": f"{rule}.overdue.{drug}",
            "numerator": found[(drug, rule)],
            "denominator": on_drug.get(drug, 0),
            "exclusions": 0,
        }
        if rule in result.rules:
            entry["name"] = f"{result.rules[rule].text_for(drug)}: overdue, on {drug}"
        out.append(entry)
    return out


def write_measures(result: ScanResult, out: Path) -> Path:
    """``measures.json``: every measure (id, numerator, denominator, exclusions), the events of
    special interest, the breakdowns, the counts, the data-quality figures (exact counts; the
    report is where small cells are suppressed) and each rule id in words (``scan.describe``)."""
    path = out / "measures.json"
    body = {
        "as_of": result.as_of.isoformat(),
        "region": result.region,
        "knowledge_version": result.knowledge_version,
        "note": "Rates count only what the export documents.",
        "measures": result.measures + measures(result),
        "events_of_special_interest": result.esi,
        "breakdowns": result.breakdowns,
        "counts": result.counts,
        "data_quality": result.quality,
        "rules": {
            rule: {
                "kind": text.kind,
                "description": [{"text": v.text, "agents": list(v.agents)} for v in text.variants],
            }
            for rule, text in result.rules.items()
        },
    }
    path.write_text(json.dumps(body, indent=2, default=str) + "\n")
    return path


def write_report(result: ScanResult, out: Path, suppress: bool = True) -> Path:
    """``report.html``: one self-contained page (inline SVG, no script, no network)."""
    path = out / "report.html"
    path.write_text(render(result, measures(result), suppress))
    return path
