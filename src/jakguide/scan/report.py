"""``report.html``: the scan's figures as one self-contained page.

Inline SVG charts, no script, no network; laid out for a phone first (no sideways scroll at
390 px: tables wrap their long ids, charts scale to the width). Counts of patients from 1 to
``SMALL_CELL - 1`` are shown as ``<10`` by default (as Cumulus does), with the rates and bars
they would reveal; ``suppress=False`` shows them.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from jakguide.scan.run import ScanResult

SMALL_CELL = 10  # disclosure control: counts of fewer patients than this are not shown
PERCENT = 100
# Headings for the kinds of finding the report names; any other kind gets a generic section.
KIND_SECTIONS = (
    ("lab", "thresholds", "Threshold crossings"),
    ("risk-group", "risk-groups", "Risk groups"),
    ("interaction", "interactions", "Interactions"),
    ("screening", "screening-findings", "Screening missing before the start"),
)
COUNT_LABELS = {
    "patients": "Patients",
    "patients_on_jak": "Patients on a JAK agent (as_of)",
    "patients_on_jak_condition_not_recorded": (
        "Of them, no labelled condition of the agent recorded (first indication assumed)"
    ),
    "medication_requests": "MedicationRequest records",
    "medication_statements": "MedicationStatement records",
    "observations": "Observations",
    "usable_lab_days": "Usable lab results (patient, analyte, day)",
}
STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1b1b;
line-height:1.45;background:#fff}
main{max-width:66rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.2rem 0 .6rem}h2{font-size:1.2rem;margin:2rem 0 .5rem;
border-bottom:2px solid #3b6ea5;padding-bottom:.2rem}h3{font-size:1rem;margin:1.2rem 0 .4rem}
p,li,dd{max-width:48rem}
.note{background:#f3f6fa;border-left:4px solid #3b6ea5;padding:.5rem .75rem}
nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3rem .9rem}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.3rem 0 1rem}
th,td{padding:.3rem .4rem;border-bottom:1px solid #d9dee5;vertical-align:top}
td{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap;width:1%}
th{text-align:left;font-weight:600}
th[scope=row]{font-weight:400;overflow-wrap:break-word}
thead th{text-align:right;font-size:.8rem;color:#444;font-weight:600;hyphens:manual}
thead th:first-child{text-align:left}
@media (max-width:30rem){table{font-size:.82rem}th,td{padding:.25rem .2rem}}
small{color:#555}
th.group{background:#f3f6fa;font-size:.85rem;overflow-wrap:break-word}
svg{display:block;width:100%;max-width:30rem;height:auto;margin:.3rem 0 1rem}
details{margin:.4rem 0}summary{cursor:pointer;font-weight:600;padding:.3rem 0}
dl{display:grid;grid-template-columns:minmax(0,1fr);gap:.1rem}dt{font-weight:600;
overflow-wrap:anywhere}dd{margin:0 0 .5rem}
@media (min-width:48rem){main{padding:1.5rem 2rem}dl{grid-template-columns:16rem minmax(0,1fr)}
table{width:auto;min-width:34rem;max-width:100%}td{width:auto;padding-left:1.2rem}}
"""


def _e(text: object) -> str:
    return html.escape(str(text))


class Cells:
    """How counts are shown: small cells suppressed or not."""

    def __init__(self, suppress: bool) -> None:
        self.suppress = suppress

    def hidden(self, n: int) -> bool:
        return self.suppress and 0 < n < SMALL_CELL

    def n(self, n: int) -> str:
        return f"&lt;{SMALL_CELL}" if self.hidden(n) else f"{n:,}"

    def rate(self, num: int, base: int) -> str:
        """num / base as a percentage; '-' when it would reveal a small cell or has no base."""
        if base <= 0 or self.hidden(num) or self.hidden(base):
            return "-"
        return f"{PERCENT * num / base:.1f} %"

    def shown(self, *counts: int) -> bool:
        return not any(self.hidden(c) for c in counts)


def _table(head: Iterable[str], rows: Iterable[str], caption: str = "") -> str:
    """A table; ``~`` in a heading is a soft hyphen (narrow screens break long words there)."""
    cap = f"<caption class=sr>{_e(caption)}</caption>" if caption else ""
    cols = "".join(f"<th scope=col>{_e(h).replace('~', '&shy;')}</th>" for h in head)
    body = "".join(rows)
    if not body:
        return "<p>None.</p>"
    return f"<table>{cap}<thead><tr>{cols}</tr></thead><tbody>{body}</tbody></table>"


def _bars(rows: list[tuple[str, float | None, str]], unit_max: float | None = None) -> str:
    """A horizontal bar chart (inline SVG scaled to the width): (label, value or None, text)."""
    if not rows:
        return ""
    top = unit_max or max((v for _, v, _ in rows if v is not None), default=0) or 1
    row_h, width, bar_w = 38, 400, 300
    height = row_h * len(rows) + 4
    parts = [f'<svg role="img" viewBox="0 0 {width} {height}" aria-label="bar chart">']
    for i, (label, value, text) in enumerate(rows):
        y = row_h * i + 2
        w = 0 if value is None else max(1, round(bar_w * value / top)) if value > 0 else 0
        parts.append(
            f'<text x="0" y="{y + 12}" font-size="12" fill="#1b1b1b">{_e(label)}</text>'
            f'<rect x="0" y="{y + 17}" width="{bar_w}" height="14" fill="#eef1f5"/>'
            f'<rect x="0" y="{y + 17}" width="{w}" height="14" fill="#3b6ea5"/>'
            f'<text x="{bar_w + 6}" y="{y + 29}" font-size="12" fill="#1b1b1b">{text}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _screening(result: ScanResult, c: Cells) -> str:
    rows, bars, names = [], [], []
    for m in result.measures:
        n, d, e = m["numerator"], m["denominator"], m["exclusions"]
        base = d - e
        rate = c.rate(n, base)
        rows.append(
            f"<tr><th scope=row>{_e(m['id'])}</th><td>{c.n(n)}</td><td>{c.n(d)}</td>"
            f"<td>{c.n(e)}</td><td>{rate}</td></tr>"
        )
        value = PERCENT * n / base if base > 0 and rate != "-" else None
        bars.append((m["id"], value, rate))
        names.append(f"<dt>{_e(m['id'])}</dt><dd>{_e(m.get('name', ''))}</dd>")
    return (
        '<h2 id="screening">Screening before the first course</h2>'
        "<p>Numerator: patients with the tests in the 12-month window before their index date; "
        "denominator: adults at their index date; exclusions (within the denominator): the "
        "measure's exception. Rate = numerator / (denominator - exclusions). "
        "<strong>Rates count only what the export documents</strong>: a test done elsewhere "
        "and not in the export counts as not done.</p>"
        + _table(("measure", "numer~ator", "denom~inator", "exclu~sions", "rate"), rows)
        + _bars(bars, PERCENT)
        + f"<dl>{''.join(names)}</dl>"
    )


def _monitoring(result: ScanResult, monitoring: list[dict[str, Any]], c: Cells) -> str:
    rows = []
    for m in monitoring:
        rule, _, drug = m["id"].partition(".overdue.")
        item = rule.removeprefix("monitoring.")
        rows.append(
            f"<tr><th scope=row>{_e(item)}<br><small>{_e(drug)}</small></th>"
            f"<td>{c.n(m['numerator'])}</td><td>{c.n(m['denominator'])}</td>"
            f"<td>{c.rate(m['numerator'], m['denominator'])}</td></tr>"
        )
    return (
        '<h2 id="monitoring">Monitoring adherence per label item</h2>'
        "<p>Patients on each agent with the label item overdue (numerator) among the patients "
        "on that agent (denominator).</p>"
        + _table(("label item, agent", "overdue", "on agent", "rate"), rows)
        + '<h3 id="monitoring-findings">Monitoring findings (due and overdue)</h3>'
        + _kind_table(result, "monitoring", c)
    )


def _kind_table(result: ScanResult, kind: str, c: Cells) -> str:
    work = result.breakdowns.get("worklist", {})
    rows = [
        f"<tr><th scope=row>{_e(r['rule'])}</th><td>{c.n(r['patients'])}</td>"
        f"<td>{c.n(r['rows'])}</td></tr>"
        for r in work.get("kind_rule", [])
        if r["kind"] == kind
    ]
    sev = [
        f"<tr><th scope=row>{_e(r['severity'])}</th><td>{c.n(r['patients'])}</td>"
        f"<td>{c.n(r['rows'])}</td></tr>"
        for r in work.get("kind_severity", [])
        if r["kind"] == kind
    ]
    if not rows:
        return (
            f"<p>No worklist rows of kind <code>{_e(kind)}</code> in this scan (none found, or "
            "this kind is not covered by the scan yet; see docs/scan.md).</p>"
        )
    chart = _bars(
        [
            (r["rule"], None if c.hidden(r["patients"]) else r["patients"], c.n(r["patients"]))
            for r in work.get("kind_rule", [])
            if r["kind"] == kind
        ]
    )
    return (
        _table(("rule", "patients", "rows"), rows)
        + chart
        + "<h3>By severity</h3>"
        + _table(("severity", "patients", "rows"), sev)
    )


def _kinds(result: ScanResult, c: Cells) -> str:
    out = []
    named = {k for k, _, _ in KIND_SECTIONS} | {"monitoring"}
    for kind, anchor, title in KIND_SECTIONS:
        out.append(f'<h2 id="{anchor}">{_e(title)}</h2>{_kind_table(result, kind, c)}')
    found = sorted({r["kind"] for r in result.worklist} - named)
    for kind in found:
        out.append(
            f'<h2 id="kind-{_e(kind)}">Findings: {_e(kind)}</h2>{_kind_table(result, kind, c)}'
        )
    return "".join(out)


def _esi_rows(
    block: dict[str, Any], c: Cells
) -> tuple[list[str], list[tuple[str, float | None, str]]]:
    rows, bars = [], []
    for cat in block["categories"]:
        events, patients = cat["events"], cat["patients"]
        rate = cat["rate_per_100_patient_years"]
        shown = c.shown(events, patients) and rate is not None
        text = f"{rate:.2f}" if shown and rate is not None else "-"
        rows.append(
            f"<tr><th scope=row>{_e(cat['name'])}</th><td>{c.n(patients)}</td>"
            f"<td>{c.n(events)}</td><td>{text}</td></tr>"
        )
        bars.append((cat["name"], rate if shown else None, text))
    return rows, bars


def _esi(result: ScanResult, c: Cells) -> str:
    esi = result.esi
    if not esi:
        return '<h2 id="events">Events of special interest</h2><p>Not counted.</p>'
    total = esi["all_agents"]
    rows, bars = _esi_rows(total, c)
    head = ("category", "patients", "events", "per 100 PY")
    agents = []
    for drug, block in esi["per_agent"].items():
        r, _ = _esi_rows(block, c)
        agents.append(
            f"<details><summary>{_e(drug)}: {c.n(block['patients'])} patients, "
            f"{block['patient_years']:,.1f} patient-years</summary>{_table(head, r)}</details>"
        )
    return (
        '<h2 id="events">Events of special interest after a JAK start</h2>'
        f"<p>{c.n(total['patients'])} patients on a JAK agent, "
        f"{total['patient_years']:,.1f} patient-years of exposure (from the start to as_of or "
        "the documented end). Events: Conditions coded in the category with onset after the "
        "start and within the exposure. Rates per 100 patient-years.</p>"
        + _table(head, rows)
        + (_bars(bars) if total["exposure_days"] > 0 else "")
        + "<h3>Per agent</h3>"
        + ("".join(agents) or "<p>None.</p>")
    )


def _breakdowns(result: ScanResult, c: Cells) -> str:
    out = ['<h2 id="breakdowns">Per agent, condition and region</h2>']
    measures = result.breakdowns.get("measures", {})
    work = result.breakdowns.get("worklist", {})
    titles = {"agent": "agent", "condition": "labelled condition", "region": "region"}
    for dim, title in titles.items():
        blocks = []
        by_id: dict[str, list[dict[str, Any]]] = {}
        for r in measures.get(dim, []):
            by_id.setdefault(r["id"], []).append(r)
        for mid, cells in by_id.items():
            rows = [
                f"<tr><th scope=row>{_e(r[dim])}</th><td>{c.n(r['numerator'])}</td>"
                f"<td>{c.n(r['denominator'])}</td><td>{c.n(r['exclusions'])}</td>"
                f"<td>{c.rate(r['numerator'], r['denominator'] - r['exclusions'])}</td></tr>"
                for r in cells
            ]
            blocks.append(
                f"<h3>{_e(mid)}</h3>"
                + _table((title, "numer~ator", "denom~inator", "exclu~sions", "rate"), rows)
            )
        if not by_id:
            blocks.append("<p>No patient in a screening measure's denominator.</p>")
        wrows, group = [], None
        for r in work.get(dim, []):
            if (r["kind"], r["rule"]) != group:
                group = (r["kind"], r["rule"])
                wrows.append(
                    f'<tr><th colspan="3" class="group">{_e(r["kind"])}: {_e(r["rule"])}</th></tr>'
                )
            wrows.append(
                f"<tr><th scope=row>{_e(r[dim])}</th><td>{c.n(r['patients'])}</td>"
                f"<td>{c.n(r['rows'])}</td></tr>"
            )
        blocks.append("<h3>Worklist</h3>" + _table((title, "patients", "rows"), wrows))
        out.append(
            f"<details><summary>Per {_e(title)}: screening measures and worklist</summary>"
            + "".join(blocks)
            + "</details>"
        )
    return "".join(out)


def _share(part: int, whole: int) -> str:
    return f"{PERCENT * part / whole:.1f} %" if whole else "-"


def _quality(result: ScanResult) -> str:
    q = result.quality
    res = q.get("resources", {})
    files = q.get("files", {})
    types = sorted(set(res) | set(files))
    rows = [
        f"<tr><th scope=row>{_e(t)}</th><td>{files.get(t, 0):,}</td>"
        f"<td>{'-' if t not in res else f'{res[t]:,}'}</td></tr>"
        for t in types
    ]
    dates = [
        ("Observations dated after as_of", q.get("observations_after_as_of", 0)),
        ("Observations without a full date", q.get("observations_without_day", 0)),
        ("Medication records dated after as_of", q.get("medication_records_after_as_of", 0)),
        ("Medication records without a full date", q.get("medication_records_without_day", 0)),
        ("Birth dates after as_of", q.get("birth_dates_after_as_of", 0)),
        (
            "Patients without a full birth date (in no screening measure)",
            q.get("patients_without_birth_date", 0),
        ),
        (
            "Conditions without a full onset date (not counted as events)",
            q.get("conditions_without_onset", 0),
        ),
    ]
    refs = q.get("medication_references", {})
    references = [
        ("References to a patient not in the export", q.get("unresolved_patient_references", 0)),
        ("medicationReference not found (name from its display)", refs.get("unresolved", 0)),
        ("medicationReference to a contained Medication", refs.get("contained", 0)),
        ("medicationReference to a Medication resource", refs.get("resource", 0)),
        ("Malformed NDJSON lines skipped", q.get("malformed_lines", 0)),
    ]
    meds, obs = q.get("medication_records", 0), result.counts.get("observations", 0)
    mapped = [
        (
            "Medication records naming an ingredient the rules know",
            f"{q.get('medication_records_with_known_ingredient', 0):,} of {meds:,} "
            f"({_share(q.get('medication_records_with_known_ingredient', 0), meds)})",
        ),
        (
            "Observations with a code the rules know (lab or screening test)",
            f"{q.get('observations_with_known_code', 0):,} of {obs:,} "
            f"({_share(q.get('observations_with_known_code', 0), obs)})",
        ),
        (
            "Medication records naming a JAK agent",
            f"{q.get('medications_naming_jak_agent', 0):,}",
        ),
    ]

    def simple(items: list[tuple[str, Any]]) -> str:
        body = "".join(
            f"<tr><th scope=row>{_e(k)}</th><td>{v if isinstance(v, str) else f'{v:,}'}</td></tr>"
            for k, v in items
        )
        return f"<table><tbody>{body}</tbody></table>"

    return (
        '<h2 id="quality">Data quality</h2>'
        "<p>Counts of resources and records (not patients; not suppressed).</p>"
        "<h3>Resources per type</h3>"
        + _table(("type", "files", "resources read"), rows)
        + "<h3>Dates out of range</h3>"
        + simple(dates)
        + "<h3>References</h3>"
        + simple(references)
        + "<h3>Mapped to codes the rules know</h3>"
        + simple(mapped)
    )


def render(result: ScanResult, monitoring: list[dict[str, Any]], suppress: bool) -> str:
    """The whole page."""
    c = Cells(suppress)
    note = (
        f"Counts of 1 to {SMALL_CELL - 1} patients are shown as &lt;{SMALL_CELL}, with the rates "
        "and bars they would reveal."
        if suppress
        else "Small cells are shown (suppression off)."
    )
    counts = "".join(
        f"<tr><th scope=row>{_e(COUNT_LABELS.get(k, k.replace('_', ' ')))}</th>"
        f"<td>{c.n(v)}</td></tr>"
        for k, v in result.counts.items()
    )
    sections = [
        ("counts", "Counts"),
        ("screening", "Screening"),
        ("monitoring", "Monitoring"),
        ("thresholds", "Thresholds"),
        ("risk-groups", "Risk groups"),
        ("interactions", "Interactions"),
        ("events", "Events"),
        ("breakdowns", "Breakdowns"),
        ("quality", "Data quality"),
    ]
    nav = "".join(f'<li><a href="#{a}">{_e(t)}</a></li>' for a, t in sections)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>jakguide population scan {_e(result.as_of)}</title>
<style>{STYLE}</style></head><body><main>
<h1>Population scan, {_e(result.as_of)} ({_e(result.region)})</h1>
<p class="note">Knowledge {_e(result.knowledge_version)}. Rates count only what the export
documents. {note}</p>
<nav aria-label="sections"><ul>{nav}</ul></nav>
<h2 id="counts">Counts</h2><table><tbody>{counts}</tbody></table>
{_screening(result, c)}
{_monitoring(result, monitoring, c)}
{_kinds(result, c)}
{_esi(result, c)}
{_breakdowns(result, c)}
{_quality(result)}
</main></body></html>
"""
