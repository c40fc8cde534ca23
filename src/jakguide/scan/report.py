"""``report.html``: the scan's figures as one self-contained page.

Inline SVG, no script, no network; laid out for a phone first (no sideways scroll at 390 px:
tables wrap their long ids). Rates carry their bar inside their table cell, so no chart repeats
a table; each rule is named in words (``scan.describe``) with its id small beneath, and every
section says what a row counts. Counts of patients from 1 to
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
FOLD_RULES = 6  # a kind with more rules than this shows its per-rule table folded
# The kinds of finding the report names, with what a row counts ({as_of}: the scan date); the
# screening kind has its own section (split by result); any other kind gets a generic one.
KIND_SECTIONS = (
    (
        "lab",
        "thresholds",
        "Threshold crossings",
        "Patients taking a JAK agent on {as_of} whose latest result of an analyte crosses a "
        "lab rule of the agent's label (the on-therapy rules for a result after the start, the "
        "initiation rules for one on or before it). Critical: the action interrupts or "
        "discontinues the agent. Rows: one per patient, agent and rule.",
    ),
    (
        "risk-group",
        "risk-groups",
        "Risk groups",
        "Patients taking a JAK agent on {as_of} in a label's risk population (US: singled out "
        "by the boxed warning; EU: the Article 20 risk group): warning when a criterion holds; "
        "info (EU) when none holds but age, smoking or history is not recorded. Rows: one per "
        "patient and agent.",
    ),
    (
        "interaction",
        "interactions",
        "Interactions",
        "Patients taking a JAK agent on {as_of} who also take, that day, a medicine of a class "
        "a row of the agent's label names. Severity follows the row's action (critical: "
        "contraindicated; info: no change; warning: the others). Rows: one per patient, agent "
        "and label row.",
    ),
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
    "lab_days_read": "Usable lab results the rules read (patient, analyte, day)",
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
small.rid{display:block;font-size:.72rem;color:#5a5a5a;font-family:ui-monospace,monospace;
overflow-wrap:anywhere}h3 small.rid{font-weight:400}
span.v{display:block}span.v+span.v{margin-top:.25rem}span.ag{color:#555;font-size:.85rem}
th.none{font-weight:400}th.group span.d{font-weight:400}th.none details{margin:0}
th.none summary{font-weight:400;color:#444}th.none ul{margin:.2rem 0;padding-left:1.1rem}
td svg.bar{display:block;width:4rem;height:.5rem;margin:.2rem 0 0 auto}
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


def _table(head: Iterable[str], rows: Iterable[str], caption: str = "", cls: str = "") -> str:
    """A table; ``~`` in a heading is a soft hyphen (narrow screens break long words there)."""
    cap = f"<caption class=sr>{_e(caption)}</caption>" if caption else ""
    cols = "".join(f"<th scope=col>{_e(h).replace('~', '&shy;')}</th>" for h in head)
    body = "".join(rows)
    if not body:
        return "<p>None.</p>"
    klass = f' class="{cls}"' if cls else ""
    return f"<table{klass}>{cap}<thead><tr>{cols}</tr></thead><tbody>{body}</tbody></table>"


def _bar(value: float | None, top: float, label: str) -> str:
    """A rate's bar inside its table cell (inline SVG, full width = ``top``); none when the
    rate is hidden or there is nothing to scale against."""
    if value is None or top <= 0:
        return ""
    width = max(0.0, min(100.0, 100 * value / top))
    return (
        f'<svg class="bar" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" '
        f'aria-label="{_e(label)}"><rect width="100" height="8" fill="#e3e8ef"/>'
        f'<rect width="{width:.1f}" height="8" fill="#3b6ea5"/></svg>'
    )


def _rate_cell(c: Cells, num: int, base: int, label: str) -> str:
    """A percentage and its bar (0-100 %), both hidden when they would reveal a small cell."""
    text = c.rate(num, base)
    value = PERCENT * num / base if base > 0 and text != "-" else None
    return f"<td>{text}{_bar(value, PERCENT, label)}</td>"


def _rule_th(result: ScanResult, rule: str, agent: str | None = None) -> str:
    """A rule's row heading: what it checks in words, for which agents, then its id (small; the
    worklist's ``rule`` column holds it)."""
    text = result.rules.get(rule)
    if text is None:
        words = ""
    elif agent is not None:
        words = _e(text.text_for(agent))
    else:
        words = "".join(
            f'<span class="v">{_e(v.text)} <span class="ag">({_e(", ".join(v.agents))})'
            "</span></span>"
            for v in text.variants
        )
    return f'<th scope=row>{words}<small class="rid">{_e(rule)}</small></th>'


def _measure_th(m: dict[str, Any]) -> str:
    name = m.get("name", "")
    return f'<th scope=row>{_e(name)}<small class="rid">{_e(m["id"])}</small></th>'


def _screening(result: ScanResult, c: Cells) -> str:
    rows = []
    for m in result.measures:
        n, d, e = m["numerator"], m["denominator"], m["exclusions"]
        rows.append(
            f"<tr>{_measure_th(m)}<td>{c.n(n)}</td><td>{c.n(d)}</td><td>{c.n(e)}</td>"
            f"{_rate_cell(c, n, d - e, m['id'])}</tr>"
        )
    return (
        '<h2 id="screening">Screening before the first course</h2>'
        "<p><strong>Patients</strong> in the whole export, not only those taking a JAK agent "
        "on the scan date. Denominator: the adults at their index date (their first course of "
        "the measure's drugs on record); numerator: those with the tests in the measure's "
        "window before it; exclusions (within the denominator): the measure's exception. Rate "
        "= numerator / (denominator - exclusions); its bar is full at 100 %. "
        "<strong>Rates count only what the export documents</strong>: a test done elsewhere "
        "and not in the export counts as not done.</p>"
        + _table(("measure", "numer~ator", "denom~inator", "exclu~sions", "rate"), rows)
    )


def _monitoring(result: ScanResult, monitoring: list[dict[str, Any]], c: Cells) -> str:
    by_agent: dict[str, list[tuple[str, int, int]]] = {}
    for m in monitoring:
        rule, _, drug = m["id"].partition(".overdue.")
        by_agent.setdefault(drug, []).append((rule, m["numerator"], m["denominator"]))
    rows = []
    for drug, items in sorted(by_agent.items()):
        on = items[0][2]
        rows.append(
            f'<tr><th colspan="3" class="group">{_e(drug)}: {c.n(on)} patients on it</th></tr>'
        )
        for rule, n, d in items:
            if n > 0:
                rows.append(
                    f"<tr>{_rule_th(result, rule, drug)}<td>{c.n(n)}</td>"
                    f"{_rate_cell(c, n, d, rule)}</tr>"
                )
        none = [rule for rule, n, _ in items if n == 0]
        if none:  # folded: an item nobody is overdue for is listed, not drawn
            listed = "".join(
                f"<li>{_e(result.rules[r].text_for(drug)) if r in result.rules else ''}"
                f'<small class="rid">{_e(r)}</small></li>'
                for r in none
            )
            more = " more" if len(none) < len(items) else ""
            rows.append(
                f'<tr><th colspan="3" class="none"><details><summary>{len(none)}{more} '
                f"item{'s' if len(none) > 1 else ''}: none overdue</summary><ul>{listed}</ul>"
                "</details></th></tr>"
            )
    return (
        '<h2 id="monitoring">Monitoring adherence per label item</h2>'
        f"<p>Per monitoring item of each agent's {_e(result.region)} label: the <strong>"
        f"patients</strong> taking the agent on {_e(result.as_of)} whose next check of the item "
        "is past its date (a missing baseline, the first check after the start, or the "
        "repeat), and their share of the patients on the agent (its bar is full at 100 %). "
        "Items nobody is overdue for are folded under their agent.</p>"
        + _table(("label item", "overdue", "share overdue"), rows)
        + '<h3 id="monitoring-findings">Monitoring findings (due and overdue)</h3>'
        + _kind_block(
            result,
            "monitoring",
            c,
            f"Patients taking a JAK agent on {_e(result.as_of)} with a label monitoring item "
            "overdue (warning) or due now (info); one id can name different schedules in "
            "different labels. Rows: one per patient, agent and item.",
        )
    )


def _kind_rows(result: ScanResult, kind: str) -> list[dict[str, Any]]:
    return [
        r for r in result.breakdowns.get("worklist", {}).get("kind_rule", []) if r["kind"] == kind
    ]


def _severities(result: ScanResult, kind: str, c: Cells) -> str:
    work = result.breakdowns.get("worklist", {})
    parts = [
        f"<strong>{_e(r['severity'])}</strong> {c.n(r['patients'])} patients "
        f"({c.n(r['rows'])} rows)"
        for r in work.get("kind_severity", [])
        if r["kind"] == kind
    ]
    return "By severity: " + "; ".join(parts) + "." if parts else ""


def _kind_block(result: ScanResult, kind: str, c: Cells, intro: str) -> str:
    """A kind's rules with their counts: a sentence saying what is counted, the severity totals,
    then the per-rule table (folded when long)."""
    found = _kind_rows(result, kind)
    if not found:
        return (
            f"<p>{intro}</p><p>No worklist rows of kind <code>{_e(kind)}</code> in this scan "
            "(none found, or this kind is not covered by the scan yet; see docs/scan.md).</p>"
        )
    rows = [
        f"<tr>{_rule_th(result, r['rule'])}<td>{c.n(r['patients'])}</td>"
        f"<td>{c.n(r['rows'])}</td></tr>"
        for r in found
    ]
    table = _table(("rule", "patients", "rows"), rows, cls="rules")
    if len(rows) > FOLD_RULES:
        table = f"<details><summary>Per rule ({len(rows)} rules)</summary>{table}</details>"
    return f"<p>{intro}</p><p>{_severities(result, kind, c)}</p>{table}"


def _screening_findings(result: ScanResult, c: Cells) -> str:
    anchor, title = "screening-findings", "Screening tests on therapy: missing, positive or due"
    intro = (
        f"<strong>Patients</strong> taking a JAK agent on {_e(result.as_of)}, per screening "
        "test their agent's label asks for, by the latest interpretable result on record: "
        "<em>no result</em> at all (warning); <em>positive or indeterminate</em> (warning); "
        "<em>repeat due</em>: TB negative and its repeat on therapy reached (info). A test "
        "done, or negative and not yet due again, is not counted."
    )
    states = {
        (r["rule"], r["state"]): r["patients"]
        for r in result.breakdowns.get("worklist", {}).get("screening_state", [])
    }
    if not states:
        return f'<h2 id="{anchor}">{title}</h2>' + _kind_block(result, "screening", c, intro)
    columns = [("missing", "no result"), ("positive", "positive or indet."),
               ("due", "repeat due")]  # fmt: skip
    rows = []
    for rule in sorted({r for r, _ in states}):
        cells = "".join(f"<td>{c.n(states.get((rule, s), 0))}</td>" for s, _ in columns)
        rows.append(f"<tr>{_rule_th(result, rule)}{cells}</tr>")
    return (
        f'<h2 id="{anchor}">{title}</h2><p>{intro}</p>'
        f"<p>{_severities(result, 'screening', c)}</p>"
        + _table(("test", *(h for _, h in columns)), rows, cls="rules")
    )


def _kinds(result: ScanResult, c: Cells) -> str:
    out = []
    for kind, anchor, title, intro in KIND_SECTIONS:
        words = intro.format(as_of=_e(result.as_of))
        out.append(f'<h2 id="{anchor}">{_e(title)}</h2>{_kind_block(result, kind, c, words)}')
    out.append(_screening_findings(result, c))
    named = {k for k, _, _, _ in KIND_SECTIONS} | {"monitoring", "screening"}
    found = {r["kind"] for r in result.breakdowns.get("worklist", {}).get("kind_rule", [])}
    for kind in sorted(found - named):
        intro = (
            f"Patients taking a JAK agent on {_e(result.as_of)} with a finding of kind "
            f"<code>{_e(kind)}</code>; rows: worklist rows (one per patient, agent and rule)."
        )
        block = _kind_block(result, kind, c, intro)
        out.append(f'<h2 id="kind-{_e(kind)}">Findings: {_e(kind)}</h2>{block}')
    return "".join(out)


def _esi_table(block: dict[str, Any], c: Cells, top: float) -> str:
    rows = []
    for cat in block["categories"]:
        events, patients = cat["events"], cat["patients"]
        rate = cat["rate_per_100_patient_years"]
        shown = c.shown(events, patients) and rate is not None
        text = f"{rate:.2f}" if shown and rate is not None else "-"
        bar = _bar(rate if shown else None, top, cat["name"])
        rows.append(
            f"<tr><th scope=row>{_e(cat['name'])}</th><td>{c.n(patients)}</td>"
            f"<td>{c.n(events)}</td><td>{text}{bar}</td></tr>"
        )
    return _table(("category", "patients", "events", "per 100 PY"), rows)


def _esi(result: ScanResult, c: Cells) -> str:
    esi = result.esi
    if not esi:
        return '<h2 id="events">Events of special interest</h2><p>Not counted.</p>'
    total = esi["all_agents"]
    blocks = [total, *esi["per_agent"].values()]
    top = max(
        (
            cat["rate_per_100_patient_years"] or 0.0
            for b in blocks
            for cat in b["categories"]
            if c.shown(cat["events"], cat["patients"])
        ),
        default=0.0,
    )
    agents = [
        f"<details><summary>{_e(drug)}: {c.n(block['patients'])} patients, "
        f"{block['patient_years']:,.1f} patient-years</summary>{_esi_table(block, c, top)}"
        "</details>"
        for drug, block in esi["per_agent"].items()
    ]
    return (
        '<h2 id="events">Events of special interest after a JAK start</h2>'
        f"<p><strong>Patients</strong> with at least one event, and events, over every course "
        f"of a JAK agent on record up to {_e(result.as_of)} ({c.n(total['patients'])} patients, "
        f"{total['patient_years']:,.1f} patient-years from the start to the scan date or the "
        "documented end). An event: a Condition coded in the category with onset after the "
        "start, within the exposure. Rates per 100 patient-years; the bars share one scale "
        "(full = the highest rate shown, here and per agent).</p>"
        + _esi_table(total, c, top)
        + "<h3>Per agent</h3>"
        + ("".join(agents) or "<p>None.</p>")
    )


def _breakdowns(result: ScanResult, c: Cells) -> str:
    out = [
        '<h2 id="breakdowns">Per agent, condition and region</h2>'
        "<p>The screening measures split by the agent of the index date, the patient's "
        "labelled condition (from coded Conditions; <code>unknown</code> when none) and region "
        "(the address's country); the worklist rules split the same way (patients and rows, "
        f"patients taking a JAK agent on {_e(result.as_of)}).</p>"
    ]
    measures = result.breakdowns.get("measures", {})
    work = result.breakdowns.get("worklist", {})
    names = {m["id"]: m for m in result.measures}
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
            name = names.get(mid, {}).get("name", "")
            blocks.append(
                f'<h3>{_e(name or mid)} <small class="rid">{_e(mid)}</small></h3>'
                + _table((title, "numer~ator", "denom~inator", "exclu~sions", "rate"), rows)
            )
        if not by_id:
            blocks.append("<p>No patient in a screening measure's denominator.</p>")
        wrows, group = [], None
        for r in work.get(dim, []):
            if (r["kind"], r["rule"]) != group:
                group = (r["kind"], r["rule"])
                text = result.rules.get(r["rule"])
                words = _e(text.plain()) if text is not None else ""
                wrows.append(
                    f'<tr><th colspan="3" class="group">{_e(r["kind"])}: '
                    f'<span class="d">{words}</span>'
                    f'<small class="rid">{_e(r["rule"])}</small></th></tr>'
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
        ("screening-findings", "Screening findings"),
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
<h2 id="counts">Counts</h2>
<p>Patients: Patient resources in the export. On a JAK agent: taking, on {_e(result.as_of)},
a JAK agent with a {_e(result.region)} label, started on or before that date; the worklist
sections below count these patients.</p>
<table><tbody>{counts}</tbody></table>
{_screening(result, c)}
{_monitoring(result, monitoring, c)}
{_kinds(result, c)}
{_esi(result, c)}
{_breakdowns(result, c)}
{_quality(result)}
</main></body></html>
"""
