"""The report as text, JSON or a self-contained HTML page (the article, claims highlighted).

The article is untrusted input: every piece of it is escaped; the page loads nothing from the
network (inline CSS only) and carries the disclaimer.
"""

from __future__ import annotations

import json
from html import escape

from jakguide.claims.model import DISCLAIMER, Claim, Report

_ORDER = {"false": 0, "partly-true": 1, "not-checkable": 2, "true": 3}


def to_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False)


def to_text(report: Report) -> str:
    lines = [
        f"check-article: {len(report.claims)} claims, region {report.region}, "
        f"knowledge {report.knowledge_version}"
    ]
    for c in report.claims:
        where = f"[{c.start}:{c.end}]"
        cond = f" / {c.condition}" if c.condition else ""
        lines.append(f"{c.verdict.upper():<14} {c.kind:<14} {c.agent}{cond} ({c.region}) {where}")
        lines.append(f"    says: {c.asserted}: {_short(c.text)}")
        for e in c.evidence[:2]:
            src = (
                f" [{e.source.get('doc')}, {e.source.get('section')}]"
                if e.source.get("doc")
                else ""
            )
            lines.append(f"    evidence: {_short(e.fact, 200)}{src}")
        if c.correction:
            lines.append(f"    correction: {c.correction}")
    s = report.summary()["verdicts"]
    lines.append("summary: " + ", ".join(f"{k} {v}" for k, v in s.items()))
    lines.append(DISCLAIMER)
    return "\n".join(lines) + "\n"


def _short(text: str, n: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def _worst(claims: list[Claim]) -> str:
    return min((c.verdict for c in claims), key=lambda v: _ORDER[v])


def highlighted(text: str, claims: list[Claim]) -> str:
    """``text`` escaped, each claimed span in a ``<mark>`` coloured by its worst verdict."""
    spans: dict[tuple[int, int], list[Claim]] = {}
    for c in claims:
        spans.setdefault((c.start, c.end), []).append(c)
    out: list[str] = []
    pos = 0
    for (start, end), group in sorted(spans.items()):
        if start < pos:  # overlapping span (a two-sentence claim): already marked
            continue
        out.append(escape(text[pos:start]))
        verdict = _worst(group)
        tip = "; ".join(
            f"{c.agent}: {c.verdict}" + (f" ({c.correction})" if c.correction else "")
            for c in group
        )
        ids = " ".join(f"c{claims.index(c) + 1}" for c in group)
        out.append(
            f'<mark class="v-{verdict}" title="{escape(tip)}" data-claims="{ids}">'
            f"{escape(text[start:end])}</mark>"
        )
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


CSS = """
body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:1rem;color:#1a1a1a;background:#fff}
main{max-width:60rem;margin:0 auto}
.article{white-space:pre-wrap;overflow-wrap:anywhere;border:1px solid #ccc;padding:1rem;
border-radius:.4rem;background:#fafafa}
mark{padding:0 .1em;border-radius:.2em}
.v-false{background:#f8c9c4}.v-partly-true{background:#fbe3a5}
.v-not-checkable{background:#dde3ea}.v-true{background:#cdeccf}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid #ddd;padding:.35rem;text-align:left;vertical-align:top}
td{overflow-wrap:anywhere}
.disclaimer{font-size:.9rem;color:#444;border-left:4px solid #888;padding-left:.6rem}
.legend span{display:inline-block;margin:.1rem .3rem;padding:0 .3rem;border-radius:.2rem}
@media (max-width:600px){thead{display:none}tr{display:block;border-bottom:2px solid #bbb;
padding:.4rem 0}td{display:block;border:0;padding:.1rem 0}}
"""


def claims_table(report: Report) -> str:
    rows = []
    for n, c in enumerate(report.claims, 1):
        ev = "<br>".join(
            escape(e.fact)
            + (
                f" <small>[{escape(e.source.get('doc', ''))}, "
                f"{escape(e.source.get('section', ''))}]</small>"
                if e.source.get("doc")
                else ""
            )
            for e in c.evidence[:3]
        )
        rows.append(
            f'<tr id="c{n}"><td>{n}</td><td><mark class="v-{c.verdict}">{escape(c.verdict)}</mark>'
            f"</td><td>{escape(c.kind)}</td><td>{escape(c.agent)}</td>"
            f"<td>{escape(c.condition or '')}</td><td>{escape(c.asserted)}</td>"
            f"<td>{escape(c.correction or '')}</td><td>{ev}</td></tr>"
        )
    return (
        "<table><thead><tr><th>#</th><th>Verdict</th><th>Kind</th><th>Agent</th>"
        "<th>Condition</th><th>Says</th><th>Correction</th><th>Evidence</th></tr></thead>"
        "<tbody>" + "".join(rows) + "</tbody></table>"
    )


def to_html(report: Report, text: str) -> str:
    s = report.summary()
    counts = ", ".join(f"{k}: {v}" for k, v in s["verdicts"].items())
    kinds = "".join(
        f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in s["kinds_checked"].items()
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Claim check</title><style>{CSS}</style></head><body><main>"
        "<h1>Claim check</h1>"
        f'<p class="disclaimer">{escape(DISCLAIMER)}</p>'
        f"<p>Region {escape(report.region)}; knowledge {escape(report.knowledge_version)}; "
        f"{len(report.claims)} claims ({escape(counts)}).</p>"
        '<p class="legend"><span class="v-false">false</span><span class="v-partly-true">'
        'partly true</span><span class="v-not-checkable">not checkable</span>'
        '<span class="v-true">true</span></p>'
        f'<div class="article">{highlighted(text, report.claims)}</div>'
        f"<h2>Claims</h2>{claims_table(report)}"
        f"<h2>What is checked</h2><ul>{kinds}</ul><p>{escape(s['not_looked_for'])}</p>"
        "</main></body></html>\n"
    )
