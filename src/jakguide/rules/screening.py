"""Pre-treatment screening checklist (TB, viral hepatitis, vaccines, pregnancy, lipids).

Checklist inputs do not set an option's status while missing: they are ``due``. A positive or
indeterminate result is ``action-needed`` and adds a finding to every option whose label asks for
that screening (DESIGN).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jakguide.kb.schema import Citation, ScreeningItem
from jakguide.model import Finding, Screening, ScreeningOut
from jakguide.rules import story
from jakguide.rules.base import make, source_ref
from jakguide.rules.context import Context, OptionContext

DISPLAY = {"tb": "TB", "hbsag": "HBsAg", "anti-hbc": "Anti-HBc", "hcv": "HCV", "hiv": "HIV"}
DONE_RESULTS = {"negative", "done", "ltbi-treated"}
ACTION_RESULTS = {"positive", "indeterminate"}
# Screening items whose status is a record of something given/done, not a test result.
_LAB_BACKED = {"lipids": ("ldl-cholesterol", "total-cholesterol")}


@dataclass
class ScreeningEntry:
    item: str
    texts: list[str] = field(default_factory=list)
    on_positive: str | None = None
    citations: list[Citation] = field(default_factory=list)
    drugs: list[str] = field(default_factory=list)


def _latest(ctx: Context, item: str) -> Screening | None:
    results = [
        s
        for s in ctx.patient.screening or []
        if s.item == item and (s.date is None or s.date <= ctx.as_of)
    ]
    if not results:
        return None
    return max(results, key=lambda s: (s.date is not None, s.date))


def applies(ctx: Context, item: str) -> bool:
    p = ctx.patient
    if item == "pregnancy-test":
        return p.sex != "male" and p.reproductive_potential is not False
    if item == "hbv-dna":
        anti = _latest(ctx, "anti-hbc")
        return anti is not None and anti.result in ACTION_RESULTS
    return True


def collect(ctx: Context, per_drug: dict[str, list[ScreeningItem]]) -> dict[str, ScreeningEntry]:
    entries: dict[str, ScreeningEntry] = {}
    for drug, items in per_drug.items():
        for it in items:
            if not applies(ctx, it.item):
                continue
            e = entries.setdefault(it.item, ScreeningEntry(it.item))
            if it.text not in e.texts:
                e.texts.append(it.text)
            e.on_positive = e.on_positive or it.on_positive
            if it.source not in e.citations:
                e.citations.append(it.source)
            e.drugs.append(drug)
    for g in ctx.kb.guidelines.values():
        if g.topic not in ("screening", "vaccination"):
            continue
        # guideline ids name the item they support, e.g. "tb-screening" -> tb
        item = next((i for i in entries if g.id.startswith(i + "-") or g.id == i), None)
        if item is not None and g.source not in entries[item].citations:
            entries[item].citations.append(g.source)
    return entries


def status_of(ctx: Context, entry: ScreeningEntry) -> ScreeningOut:
    kb = ctx.kb
    refs = [source_ref(kb, c) for c in entry.citations]
    text = " ".join(entry.texts)
    if entry.item in _LAB_BACKED:
        points = [ctx.latest(a) for a in _LAB_BACKED[entry.item]]
        found = [p for p in points if p is not None]
        if found:
            last = max(found, key=lambda p: p.date)
            return ScreeningOut(
                item=entry.item,
                status="done",
                detail=f"On record: {last.analyte} {last.value_entered} "
                f"{last.unit_entered} ({last.date}). {text}",
                sources=refs,
            )
        missing = story.on_therapy_status(ctx, entry.item, None, text, refs)
        return missing or ScreeningOut(item=entry.item, status="due", detail=text, sources=refs)
    if entry.item == "pregnancy-test" and ctx.patient.pregnancy == "not-pregnant":
        result = _latest(ctx, entry.item)
        if result is None or result.result not in ACTION_RESULTS:
            return ScreeningOut(
                item=entry.item,
                status="done",
                detail=f"Recorded as not pregnant. {text}",
                sources=refs,
            )
    result = _latest(ctx, entry.item)
    if entry.item == "live-vaccines" and result is not None:
        dated = story.live_vaccine_status(ctx, result, text, refs)
        if dated is not None:
            return dated
    on_therapy = story.on_therapy_status(ctx, entry.item, result, text, refs)
    if on_therapy is not None:
        return on_therapy
    if result is None or result.result == "unknown":
        return ScreeningOut(item=entry.item, status="due", detail=text, sources=refs)
    when = f" ({result.date})" if result.date else ""
    if result.result in DONE_RESULTS:
        return ScreeningOut(
            item=entry.item, status="done", detail=f"{result.result}{when}. {text}", sources=refs
        )
    action = entry.on_positive or "Act on this result before starting treatment."
    return ScreeningOut(
        item=entry.item,
        status="action-needed",
        detail=f"{result.result}{when}: {action}",
        sources=refs,
    )


def positive_findings(ctx: Context, opt: OptionContext) -> list[Finding]:
    """A finding on this option for each of its screening items with a positive result."""
    out: list[Finding] = []
    for it in opt.label.screening:
        result = _latest(ctx, it.item)
        if result is None or result.result not in ACTION_RESULTS or not applies(ctx, it.item):
            continue
        action = it.on_positive or "Act on this result before starting treatment."
        out.append(
            make(
                ctx.kb,
                f"screening.{it.item}",
                "screening",
                "warning",
                f"{DISPLAY.get(it.item, it.item)}: {result.result}. {action}",
                [it.source],
                [f"{it.item} {result.result} ({result.date})"],
                status="not-recommended" if it.blocks_start_on_positive else None,
            )
        )
    return out
