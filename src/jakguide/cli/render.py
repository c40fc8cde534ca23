"""Rich text rendering for the CLI (tables of options, checklist, monitoring, labs)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from jakguide.kb.base import Knowledge
from jakguide.model import STATUS_ORDER, Assessment, Finding, LabsReport

STATUS_STYLE = {
    "eligible": "bold green",
    "caution": "bold yellow",
    "needs-data": "bold magenta",
    "not-recommended": "bold red",
    "not-indicated": "dim",
    "contraindicated": "bold white on red",
}
SEVERITY_STYLE = {"info": "cyan", "warning": "yellow", "critical": "bold red"}
ACTION_STYLE = {
    "continue": "green",
    "recheck": "yellow",
    "do-not-start": "bold red",
    "interrupt": "bold red",
    "discontinue": "bold white on red",
}
MONITOR_STYLE = {"done": "green", "upcoming": "cyan", "due": "yellow", "overdue": "bold red"}


def _footer(console: Console, version: str, disclaimer: str) -> None:
    console.print(Text(disclaimer, style="italic"))
    console.print(Text(f"Knowledge version {version}", style="dim"))


def drugs_table(
    console: Console, kb: Knowledge, region: str, condition: str | None, rows: list[dict[str, Any]]
) -> None:
    title = f"JAK/TYK2 inhibitors marketed in the {region}"
    if condition:
        title += f", approved for {kb.conditions[condition].name}"
    table = Table(title=title, show_lines=False)
    for col in ("Drug", "Targets", "Route", "Frequency", "Approved for", "Boxed warning"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["drug"],
            ", ".join(r["targets"]),
            r["route"],
            r["frequency"],
            ", ".join(r["approved_conditions"]),
            "yes" if r["boxed_warning"] else "no",
        )
    console.print(table)
    if not rows:
        console.print("No agent matches.")
    console.print(Text(f"Region {region}; knowledge version {kb.version}", style="dim"))


def monograph_text(console: Console, data: dict[str, Any]) -> None:
    console.print(
        Text(f"{data['inn']} (RxNorm {data['rxnorm']}, ATC {data.get('atc', '-')})", style="bold")
    )
    console.print(f"Targets: {data['target']['text']}", markup=False)
    for region, label in data["regions"].items():
        console.print(Text(f"\n{region}: {', '.join(label['brands'])}", style="bold"))
        if label.get("boxed_warning"):
            console.print(f"  Boxed warning: {label['boxed_warning']['title']}", markup=False)
        for ind in label["indications"]:
            src = ind["source"]
            console.print(
                f"  - {ind['condition']}: {ind['text']}  [{src['doc']} {src['section']}]",
                markup=False,
            )
            for reg in ind["regimens"]:
                console.print(f"      {reg['phase']}: {reg['text']}", markup=False)
    console.print(Text("\nSources:", style="bold"))
    for s in data["sources"]:
        console.print(f"  {s['id']}: {s['title']} ({s.get('revision', 'undated')})", markup=False)
    console.print(Text(f"Knowledge version {data['knowledge_version']}", style="dim"))


def _top(findings: list[Finding], n: int = 3) -> str:
    """The findings that explain the status first (status-setting, then warnings)."""
    ranked = sorted(
        findings,
        key=lambda f: (f.status is None, f.severity == "info", f.kind == "boxed-warning"),
    )
    picked = [f for f in ranked if f.status is not None or f.severity != "info"][:n]
    return "\n".join(f"• {f.message}" for f in picked or ranked[:1])


def assessment_text(console: Console, kb: Knowledge, a: Assessment, *, explain: bool) -> None:
    cond = kb.conditions[a.condition].name
    console.print(Text(f"{cond} — region {a.region} — as of {a.as_of}", style="bold"))
    table = Table(show_lines=True)
    table.add_column("Drug", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Regimen")
    table.add_column("Top findings")
    best_first = sorted(a.options, key=lambda o: -STATUS_ORDER.index(o.status))
    shown = [o for o in best_first if o.status != "not-indicated"]
    for o in shown:
        regimen = o.regimen.text if o.regimen else "—"
        if len(o.regimens) > 1:
            regimen += "\n(also: " + "; ".join(r.text for r in o.regimens[1:]) + ")"
        table.add_row(
            o.drug, Text(o.status, style=STATUS_STYLE[o.status]), regimen, _top(o.findings)
        )
    if shown:
        console.print(table)
    # Implied inputs (rules.derive), once each: what the record did not say but settles.
    derived = dict.fromkeys(
        fact for o in shown for f in o.findings if f.rule.startswith("derive.") for fact in f.facts
    )
    if derived:
        console.print(Text("Derived from other recorded data (not entered):", style="cyan"))
        for fact in derived:
            console.print(Text(f"  • {fact}", style="cyan"))
    not_indicated = [o.drug for o in best_first if o.status == "not-indicated"]
    if not_indicated:
        console.print(
            Text(
                f"Not indicated here (see --explain or JSON for why): {', '.join(not_indicated)}",
                style="dim",
            )
        )
    if a.screening:
        st = Table(title="Before the first dose")
        st.add_column("Item")
        st.add_column("Status")
        st.add_column("Detail")
        for s in a.screening:
            style = {"done": "green", "due": "yellow", "action-needed": "bold red"}.get(
                s.status, ""
            )
            st.add_row(s.item, Text(s.status, style=style), s.detail)
        console.print(st)
    if a.monitoring:
        mt = Table(title="Monitoring")
        for col in ("Drug", "Analyte", "Status", "Due from", "Due by", "Why"):
            mt.add_column(col)
        for m in a.monitoring:
            mt.add_row(
                m.drug or "",
                m.analyte,
                Text(m.status, style=MONITOR_STYLE[m.status]),
                str(m.due_from or "—"),
                str(m.due_by or "—"),
                m.why,
            )
        console.print(mt)
    shown_warnings = a.warnings if explain else a.warnings[:3]
    for w in shown_warnings:
        console.print(Text(f"input warning: {w}", style="yellow"))
    if len(a.warnings) > len(shown_warnings):
        more = len(a.warnings) - len(shown_warnings)
        console.print(
            Text(f"... and {more} more input warnings (--explain lists them)", style="yellow")
        )
    if explain:
        for o in a.options:
            console.print(Text(f"\n{o.drug}: {o.status}", style=STATUS_STYLE[o.status]))
            for f in o.findings:
                console.print(
                    Text(f"  [{f.severity}] {f.rule} ({f.kind})", style=SEVERITY_STYLE[f.severity])
                )
                console.print(f"    {f.message}", markup=False)
                for fact in f.facts:
                    console.print(f"    fact: {fact}", markup=False)
                for ref in f.sources:
                    ver = "" if ref.verified else " (unverified)"
                    console.print(f"    source: {ref.doc} §{ref.section}{ver}", markup=False)
    _footer(console, a.knowledge_version, a.disclaimer)


def labs_text(console: Console, r: LabsReport) -> None:
    console.print(Text(f"Labs for {r.drug} — region {r.region} — as of {r.as_of}", style="bold"))
    table = Table()
    for col in ("Date", "Analyte", "Entered", "Canonical", "Action", "Rule / why"):
        table.add_column(col)
    for res in r.results:
        table.add_row(
            str(res.date),
            res.analyte,
            f"{res.value_entered:g} {res.unit_entered}",
            f"{res.value:g} {res.unit}",
            Text(res.action, style=ACTION_STYLE[res.action]),
            res.message,
        )
    console.print(table)
    if r.monitoring:
        mt = Table(title="Monitoring")
        for col in ("Analyte", "Status", "Due from", "Due by", "Why"):
            mt.add_column(col)
        for m in r.monitoring:
            mt.add_row(
                m.analyte,
                Text(m.status, style=MONITOR_STYLE[m.status]),
                str(m.due_from or "—"),
                str(m.due_by or "—"),
                m.why,
            )
        console.print(mt)
    for f in r.findings:
        console.print(Text(f"warning: {f.message}", style="yellow"))
    _footer(console, r.knowledge_version, r.disclaimer)
