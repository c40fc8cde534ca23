"""Rich text rendering for the CLI (tables of options, checklist, monitoring, labs)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.padding import Padding
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


# A column that is wrapped needs at least this many cells to stay readable; each column costs
# three more (padding and border), the table one (its right border).
_MIN_WRAPPED = 10
_PER_COLUMN = 3


@dataclass(frozen=True)
class Col:
    """A column of :func:`fit_table`; ``keep`` columns (drug, status, date...) are never cut."""

    header: str
    keep: bool = False


Cell = str | Text


def _widest_line(cell: Cell) -> int:
    text = cell.plain if isinstance(cell, Text) else cell
    return max((cell_len(line) for line in text.split("\n")), default=0)


def fit_table(
    console: Console,
    title: str | None,
    cols: Sequence[Col],
    rows: Sequence[Sequence[Cell]],
    *,
    lines: bool = False,
) -> None:
    """Rows as a table whose ``keep`` columns show whole and whose other columns wrap; when
    that cannot fit the console's width, one block per row instead (the ``keep`` fields on
    the first line, each other field below it, wrapped). Nothing is ever cut with an ellipsis.
    """
    keep = [
        max([_widest_line(c.header)] + [_widest_line(r[i]) for r in rows]) if c.keep else 0
        for i, c in enumerate(cols)
    ]
    others = sum(1 for c in cols if not c.keep)
    needed = sum(keep) + others * _MIN_WRAPPED + _PER_COLUMN * len(cols) + 1
    if needed <= console.width:
        table = Table(title=title, show_lines=lines)
        for c, width in zip(cols, keep, strict=True):
            if c.keep:
                table.add_column(c.header, no_wrap=True, min_width=width)
            else:
                table.add_column(c.header, overflow="fold")
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    if title:
        console.print(Text(title, style="italic"), soft_wrap=False)
    for row in rows:
        head = Text("  ").join(_one_line(cell) for c, cell in zip(cols, row, strict=True) if c.keep)
        console.print(Text.assemble("• ", head), soft_wrap=False)
        for c, cell in zip(cols, row, strict=True):
            if not c.keep:
                body = Text.assemble((f"{c.header}: ", "dim"), cell)
                console.print(Padding(body, (0, 0, 0, 2), expand=False), soft_wrap=False)


def _one_line(cell: Cell) -> Text:
    text = cell.copy() if isinstance(cell, Text) else Text(cell)
    text.plain = text.plain.replace("\n", " ")
    return text


def _footer(console: Console, version: str, disclaimer: str) -> None:
    console.print(Text(disclaimer, style="italic"), soft_wrap=False)
    console.print(Text(f"Knowledge version {version}", style="dim"), soft_wrap=False)


def drugs_table(
    console: Console, kb: Knowledge, region: str, condition: str | None, rows: list[dict[str, Any]]
) -> None:
    title = f"JAK/TYK2 inhibitors marketed in the {region}"
    if condition:
        title += f", approved for {kb.conditions[condition].name}"
    cols = [
        Col("Drug", keep=True),
        Col("Targets"),
        Col("Route", keep=True),
        Col("Frequency"),
        Col("Approved for"),
        Col("Boxed\nwarning", keep=True),
    ]
    cells: list[list[Cell]] = [
        [
            r["drug"],
            ", ".join(r["targets"]),
            r["route"],
            r["frequency"],
            ", ".join(r["approved_conditions"]),
            "yes" if r["boxed_warning"] else "no",
        ]
        for r in rows
    ]
    fit_table(console, title, cols, cells)
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


def _due(due_from: object, due_by: object) -> str:
    """A due window on two lines (``from`` / ``by``), so the column stays narrow."""
    if due_from is None and due_by is None:
        return "—"
    return f"from {due_from or '—'}\nby {due_by or '—'}"


def _value(entered: float, entered_unit: str, value: float, unit: str) -> str:
    """The value as entered, and in the canonical unit when that differs."""
    shown = f"{entered:g} {entered_unit}"
    canonical = f"{value:g} {unit}"
    return shown if canonical == shown else f"{shown}\n= {canonical}"


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
    console.print(
        Text(f"{cond} — region {a.region} — as of {a.as_of}", style="bold"), soft_wrap=False
    )
    best_first = sorted(a.options, key=lambda o: -STATUS_ORDER.index(o.status))
    shown = [o for o in best_first if o.status != "not-indicated"]
    rows: list[list[Cell]] = []
    for o in shown:
        regimen = o.regimen.text if o.regimen else "—"
        if len(o.regimens) > 1:
            regimen += "\n(also: " + "; ".join(r.text for r in o.regimens[1:]) + ")"
        rows.append(
            [o.drug, Text(o.status, style=STATUS_STYLE[o.status]), regimen, _top(o.findings)]
        )
    if shown:
        cols = [
            Col("Drug", keep=True),
            Col("Status", keep=True),
            Col("Regimen"),
            Col("Top findings"),
        ]
        fit_table(console, None, cols, rows, lines=True)
    # Implied inputs (rules.derive), once each: what the record did not say but settles.
    derived = dict.fromkeys(
        fact
        for o in shown
        for f in o.findings
        if f.rule.startswith("derive.") and not f.rule.startswith("derive.not-derived.")
        for fact in f.facts
    )
    blocked = dict.fromkeys(
        fact
        for o in shown
        for f in o.findings
        if f.rule.startswith("derive.not-derived.")
        for fact in f.facts
    )
    if derived:
        console.print(
            Text("Derived from other recorded data (not entered):", style="cyan"), soft_wrap=False
        )
        for fact in derived:
            console.print(
                Padding(Text(f"• {fact}", style="cyan"), (0, 0, 0, 2), expand=False),
                soft_wrap=False,
            )
    if blocked:
        console.print(Text("Not derived (a recorded value disagrees):", style="yellow"))
        for fact in blocked:
            console.print(
                Padding(Text(f"• {fact}", style="yellow"), (0, 0, 0, 2), expand=False),
                soft_wrap=False,
            )
    not_indicated = [o.drug for o in best_first if o.status == "not-indicated"]
    if not_indicated:
        console.print(
            Text(
                f"Not indicated here (see --explain or JSON for why): {', '.join(not_indicated)}",
                style="dim",
            ),
            soft_wrap=False,
        )
    if a.screening:
        screening_style = {"done": "green", "due": "yellow", "action-needed": "bold red"}
        fit_table(
            console,
            "Before the first dose",
            [Col("Item", keep=True), Col("Status", keep=True), Col("Detail")],
            [
                [s.item, Text(s.status, style=screening_style.get(s.status, "")), s.detail]
                for s in a.screening
            ],
        )
    if a.monitoring:
        fit_table(
            console,
            "Monitoring",
            [
                Col("Drug", keep=True),
                Col("Analyte"),
                Col("Status", keep=True),
                Col("Due", keep=True),
                Col("Why"),
            ],
            [
                [
                    m.drug or "",
                    m.analyte,
                    Text(m.status, style=MONITOR_STYLE[m.status]),
                    _due(m.due_from, m.due_by),
                    m.why,
                ]
                for m in a.monitoring
            ],
        )
    shown_warnings = a.warnings if explain else a.warnings[:3]
    for w in shown_warnings:
        console.print(Text(f"input warning: {w}", style="yellow"), soft_wrap=False)
    if len(a.warnings) > len(shown_warnings):
        more = len(a.warnings) - len(shown_warnings)
        console.print(
            Text(f"... and {more} more input warnings (--explain lists them)", style="yellow"),
            soft_wrap=False,
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
    console.print(
        Text(f"Labs for {r.drug} — region {r.region} — as of {r.as_of}", style="bold"),
        soft_wrap=False,
    )
    fit_table(
        console,
        None,
        [
            Col("Date", keep=True),
            Col("Analyte"),
            Col("Value"),
            Col("Action", keep=True),
            Col("Rule / why"),
        ],
        [
            [
                str(res.date),
                res.analyte,
                _value(res.value_entered, res.unit_entered, res.value, res.unit),
                Text(res.action, style=ACTION_STYLE[res.action]),
                res.message,
            ]
            for res in r.results
        ],
    )
    if r.monitoring:
        fit_table(
            console,
            "Monitoring",
            [Col("Analyte"), Col("Status", keep=True), Col("Due", keep=True), Col("Why")],
            [
                [
                    m.analyte,
                    Text(m.status, style=MONITOR_STYLE[m.status]),
                    _due(m.due_from, m.due_by),
                    m.why,
                ]
                for m in r.monitoring
            ],
        )
    for f in r.findings:
        console.print(Text(f"warning: {f.message}", style="yellow"), soft_wrap=False)
    _footer(console, r.knowledge_version, r.disclaimer)
