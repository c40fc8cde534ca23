"""The scan's files: ``worklist.csv``, ``worklist.parquet``, ``measures.json``, ``report.html``.

Both engines' worklists are written by the same DuckDB writer from the same rows, so the files
of a DuckDB scan and a Spark scan are byte for byte comparable. Small cells (fewer than
``SMALL_CELL`` patients) are suppressed in the report by default, as Cumulus does.
"""

from __future__ import annotations

import html
import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from jakguide.scan.run import WORKLIST_COLUMNS, ScanResult

SMALL_CELL = 10  # disclosure control: counts of fewer patients than this are not shown
_TYPES = {
    "due_by": "DATE",
    "overdue_days": "INTEGER",
    "as_of": "DATE",
}


def write_worklist(result: ScanResult, out: Path) -> dict[str, Path]:
    """Write the worklist as CSV and Parquet (same rows, same order)."""
    import duckdb

    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    try:
        # The rows go to DuckDB as one NDJSON file (nulls, quotes and dates exact): inserting
        # them one by one (executemany) took minutes for a 1M-patient worklist.
        spec = ", ".join(f"'{c}': '{_TYPES.get(c, 'VARCHAR')}'" for c in WORKLIST_COLUMNS)
        with tempfile.TemporaryDirectory(prefix="jakguide-worklist-") as tmp:
            rows = Path(tmp) / "rows.ndjson"
            with rows.open("w", encoding="utf-8") as fh:
                for r in result.worklist:
                    fh.write(json.dumps({c: r[c] for c in WORKLIST_COLUMNS}, default=str))
                    fh.write("\n")
            source = str(rows).replace("'", "''")
            con.execute(
                f"CREATE TABLE w AS SELECT * FROM read_json('{source}', "
                f"format = 'newline_delimited', columns = {{{spec}}})"
            )
        paths = {"csv": out / "worklist.csv", "parquet": out / "worklist.parquet"}
        order = "ORDER BY patient_id, drug, kind, rule, due_by"
        for fmt, path in paths.items():
            target = str(path).replace("'", "''")
            option = "FORMAT csv, HEADER" if fmt == "csv" else "FORMAT parquet"
            con.execute(f"COPY (SELECT * FROM w {order}) TO '{target}' ({option})")
    finally:
        con.close()
    return paths


def measures(result: ScanResult) -> list[dict[str, Any]]:
    """The monitoring-adherence measures: per label item, patients on therapy with it due or
    overdue (numerator) among the patients on that agent (denominator)."""
    on_drug = result.counts_by_drug
    found: Counter[tuple[str, str]] = Counter()
    for row in result.worklist:
        if row["kind"] == "monitoring" and row["severity"] == "warning":
            found[(row["drug"], row["rule"])] += 1
    out = []
    for (drug, rule), n in sorted(found.items()):
        out.append(
            {
                "id": f"{rule}.overdue.{drug}",
                "numerator": n,
                "denominator": on_drug.get(drug, 0),
                "exclusions": 0,
            }
        )
    return out


def write_measures(result: ScanResult, out: Path) -> Path:
    path = out / "measures.json"
    body = {
        "as_of": result.as_of.isoformat(),
        "region": result.region,
        "knowledge_version": result.knowledge_version,
        "note": "Rates count only what the export documents.",
        "measures": result.measures + measures(result),
        "counts": result.counts,
        "data_quality": result.quality,
    }
    path.write_text(json.dumps(body, indent=2, default=str) + "\n")
    return path


def _cell(n: int, suppress: bool) -> str:
    return f"&lt;{SMALL_CELL}" if suppress and 0 < n < SMALL_CELL else str(n)


def _rate(m: dict[str, Any], suppress: bool) -> str:
    """numerator / (denominator - exclusions), as a percentage; hidden with a small cell."""
    base = m["denominator"] - m["exclusions"]
    if base <= 0 or (suppress and (0 < m["numerator"] < SMALL_CELL or base < SMALL_CELL)):
        return "-"
    return f"{100 * m['numerator'] / base:.1f} %"


def _bars(rows: list[tuple[str, int]], suppress: bool) -> str:
    """A horizontal bar chart as inline SVG (no script, no network)."""
    if not rows:
        return "<p>None.</p>"
    top = max(n for _, n in rows) or 1
    height = 22 * len(rows) + 4
    parts = [f'<svg role="img" width="640" height="{height}" viewBox="0 0 640 {height}">']
    for i, (label, n) in enumerate(rows):
        shown = 0 if suppress and n < SMALL_CELL else n
        width = int(360 * shown / top)
        y = 22 * i + 2
        parts.append(
            f'<text x="0" y="{y + 15}" font-size="12">{html.escape(label)}</text>'
            f'<rect x="240" y="{y + 3}" width="{width}" height="16" fill="#3b6ea5"/>'
            f'<text x="{246 + width}" y="{y + 15}" font-size="12">{_cell(n, suppress)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def write_report(result: ScanResult, out: Path, suppress: bool = True) -> Path:
    """A self-contained HTML report: counts, monitoring adherence, data quality."""
    per_rule: Counter[str] = Counter()
    per_drug: Counter[str] = Counter()
    for row in result.worklist:
        per_rule[f"{row['rule']} ({row['severity']})"] += 1
        per_drug[row["drug"]] += 1
    counts = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{_cell(v, suppress)}</td></tr>"
        for k, v in result.counts.items()
    )
    quality = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{html.escape(json.dumps(v))}</td></tr>"
        for k, v in result.quality.items()
    )
    screening = "".join(
        f"<tr><td>{html.escape(m['id'])}</td><td>{_cell(m['numerator'], suppress)}</td>"
        f"<td>{_cell(m['denominator'], suppress)}</td><td>{_cell(m['exclusions'], suppress)}</td>"
        f"<td>{_rate(m, suppress)}</td></tr>"
        for m in result.measures
    )
    note = (
        f"Cells under {SMALL_CELL} patients are shown as &lt;{SMALL_CELL}."
        if suppress
        else "Small cells are shown (suppression off)."
    )
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>jakguide population scan</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto}}td{{padding:2px 8px}}</style>
</head><body>
<h1>Population scan, {result.as_of} ({result.region})</h1>
<p>Knowledge {html.escape(result.knowledge_version)}. Rates count only what the export documents.
{note}</p>
<h2>Counts</h2><table>{counts}</table>
<h2>Screening before the first course (docs/scan.md, "Measures")</h2>
<table><tr><th>measure</th><th>numerator</th><th>denominator</th><th>exclusions</th>
<th>rate</th></tr>{screening}</table>
<h2>Monitoring findings per label item</h2>{_bars(sorted(per_rule.items()), suppress)}
<h2>Findings per agent</h2>{_bars(sorted(per_drug.items()), suppress)}
<h2>Data quality</h2><table>{quality}</table>
</body></html>
"""
    path = out / "report.html"
    path.write_text(body)
    return path
