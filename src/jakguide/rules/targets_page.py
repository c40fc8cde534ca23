"""Generate ``docs/instruments/targets.md`` from the guideline numbers in the knowledge.

Why generated: the review points, thresholds and the worked example are rendered by the same
functions the engine uses (``jakguide.rules.targets``) from ``knowledge/guidelines.yaml``; a
test checks the committed page equals :func:`render`.

Regenerate with ``python -m jakguide.rules.targets_page docs/instruments/targets.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from jakguide.kb.base import Knowledge, bundled_knowledge
from jakguide.rules.targets import (
    Entry,
    ReviewPoint,
    entries,
    review_points,
    treat_to_target,
)

__all__ = ["EXAMPLE_CONDITION", "REGENERATE", "render"]

REGENERATE = "python -m jakguide.rules.targets_page docs/instruments/targets.md"
_JSON_INDENT = 2  # presentation only
# Worked example shown on the page (illustrative values and dates).
EXAMPLE_CONDITION = "plaque-psoriasis"
_EXAMPLE_BASELINE = 12
_EXAMPLE_CURRENT = 2.5
_EXAMPLE_START = dt.date(2025, 1, 15)
_EXAMPLE_AS_OF = dt.date(2025, 4, 20)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _conditions(kb: Knowledge) -> list[str]:
    seen: dict[str, None] = {}
    for g in kb.guidelines.values():
        if g.targets is not None:
            seen.update(dict.fromkeys(g.conditions or ()))
    return list(seen)


def _thresholds(e: Entry) -> list[str]:
    t, m = e.targets, e.targets.instrument.upper()
    out: list[str] = []
    for label, th, what, unit in (
        ("target", t.target, m, t.unit),
        ("acceptable", t.acceptable, m, t.unit),
        ("acceptable improvement from baseline", t.acceptable_improvement_percent, "", "%"),
        ("clinically important improvement (fall)", t.clinically_important_decrease, "", ""),
        ("major improvement (fall)", t.major_decrease, "", ""),
    ):
        if th is not None:
            op = "<=" if th.at_most is not None else ">="
            out.append(f"- {t.name} {label}: {what} {op} {th.limit}{unit}".replace(":  ", ": "))
    return out


def render(kb: Knowledge | None = None) -> str:
    """Markdown text of the treat-to-target page."""
    kb = kb or bundled_knowledge()
    lines = [
        "<!-- Generated from the knowledge by jakguide.rules.targets_page.render().",
        f"     Do not edit by hand; regenerate with: {REGENERATE} -->",
        "",
        "# Treat-to-target and review points",
        "",
        "Module: `jakguide.rules.targets`. The numbers are knowledge: `targets` entries of"
        " `knowledge/guidelines.yaml`, each with its source. `review_points(kb, condition)` lists"
        " when to assess the response; `treat_to_target(kb, condition, baseline=, current=,"
        " start=, as_of=)` returns the engine's `response.target.*` findings.",
        "Drug-label review points are read from the monographs by `jakguide.rules.response`.",
        "",
        "## Review points",
        "",
        "| Id | Conditions | When | What | Verified | Sources |",
        "|---|---|---|---|---|---|",
    ]
    points: dict[str, ReviewPoint] = {}
    for condition in _conditions(kb):
        for p in review_points(kb, condition):
            points.setdefault(p.id, p)
    for p in points.values():
        row = (
            p.id,
            ", ".join(p.conditions),
            p.when,
            f"{p.message} {p.note}".strip(),
            "yes" if p.verified else "partial",
            ", ".join(dict.fromkeys(c.doc for c in p.citations)),
        )
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    lines += ["", "## Thresholds", ""]
    seen: set[str] = set()
    for condition in _conditions(kb):
        for e in entries(kb, condition):
            if e.guideline not in seen:
                seen.add(e.guideline)
                lines += _thresholds(e)
    lines += [
        "",
        "## Worked example",
        "",
        "```python",
        f"treat_to_target(kb, {EXAMPLE_CONDITION!r}, baseline={_EXAMPLE_BASELINE},"
        f" current={_EXAMPLE_CURRENT}, start={_EXAMPLE_START!r}, as_of={_EXAMPLE_AS_OF!r})",
        "```",
        "",
    ]
    example = treat_to_target(
        kb,
        EXAMPLE_CONDITION,
        baseline=_EXAMPLE_BASELINE,
        current=_EXAMPLE_CURRENT,
        start=_EXAMPLE_START,
        as_of=_EXAMPLE_AS_OF,
    )
    keys = {"rule", "kind", "severity", "message", "facts"}
    shown = [f.model_dump(mode="json", include=keys) for f in example]
    lines += ["```json", json.dumps(shown, indent=_JSON_INDENT, ensure_ascii=False), "```", ""]
    lines += ["## Sources", ""]
    cited: dict[str, list[str]] = {}
    for p in points.values():
        for c in p.citations:
            cited.setdefault(c.doc, [])
            if c.section not in cited[c.doc]:
                cited[c.doc].append(c.section)
    for doc, sections in cited.items():
        found = kb.source(doc)
        title = found.title if found else doc
        who = f"{found.publisher}. " if found else ""
        lines.append(f"- **{doc}**: {who}*{title}*. Used for: {'; '.join(sections)}.")
    return "\n".join(lines).rstrip("\n") + "\n"


if __name__ == "__main__":  # pragma: no cover - developer entry point
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/instruments/targets.md")
    out.write_text(render(), encoding="utf-8")
    print(out)
