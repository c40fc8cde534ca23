"""The drug comparison table and the sources pages.

Every cell of the table links to the source of its fact: ``/sources/{doc}?section=...`` shows the
document (title, publisher, revision, address) with the cited section and every fact of the
knowledge that cites it, so a reader can check a cell offline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from jakguide.kb.base import Knowledge
from jakguide.kb.listing import frequency
from jakguide.kb.schema import Citation, Monograph, RegionLabel
from jakguide.web.deps import KbDep
from jakguide.web.pages.common import (
    ClinDep,
    PageError,
    condition_name,
    page_context,
    page_router,
    render_html,
)

router = page_router()
REGION_CHOICES = ("US", "EU", "all")
TOP_ADVERSE = 6


@dataclass(frozen=True)
class Cite:
    doc: str
    section: str
    quote: str | None = None
    verified: bool = True

    @classmethod
    def of(cls, c: Citation) -> Cite:
        return cls(c.doc, c.section, c.quote, c.verified)


@dataclass
class RegionCell:
    region: str
    brands: list[str]
    label: Cite
    frequency: str
    frequency_cite: Cite | None
    approved: list[tuple[str, str, Cite]]  # id, name, source
    boxed_warning: str | None
    boxed_cite: Cite


@dataclass
class DrugRow:
    drug: str
    selectivity: str
    kinases: list[str]
    target_cite: Cite
    routes: list[tuple[str, Cite]]
    regions: list[RegionCell]
    adverse: list[tuple[str, str, str, Cite]] = field(default_factory=list)  # term, freq, pop


def _region_cell(kb: Knowledge, mono: Monograph, region: str, label: RegionLabel) -> RegionCell:
    approved: list[tuple[str, str, Cite]] = []
    seen: set[str] = set()
    for ind in label.indications:
        if ind.source.verified and ind.condition not in seen:
            seen.add(ind.condition)
            approved.append((ind.condition, condition_name(kb, ind.condition), Cite.of(ind.source)))
    regimens = [r for i in label.indications for r in i.regimens]
    maintenance = [r for r in regimens if r.phase in ("maintenance", "single")] or regimens
    preferred = [r for r in maintenance if r.preferred] or maintenance
    bw = label.boxed_warning
    label_cite = Cite(label.label, "Label")
    return RegionCell(
        region=region,
        brands=list(label.brands),
        label=label_cite,
        frequency=frequency(mono, label),
        frequency_cite=Cite.of(preferred[0].source) if preferred else None,
        approved=approved,
        boxed_warning=bw.title if bw else None,
        boxed_cite=Cite.of(bw.source) if bw else label_cite,
    )


def _frequency_text(percent: float | None, text: str | None) -> str:
    if percent is not None:
        shown = f"{percent:g}"
        return f"{shown} %"
    return text or "frequency not stated"


def drug_table(kb: Knowledge, region: str, condition: str | None) -> list[DrugRow]:
    """Rows of the comparison table: drugs marketed in the region(s), optionally only those
    approved there for ``condition``."""
    wanted = ("US", "EU") if region == "all" else (region,)
    rows = []
    for inn in sorted(kb.drugs):
        mono = kb.drugs[inn]
        cells = [
            _region_cell(kb, mono, r, label)
            for r in wanted
            if (label := mono.regions.get(r)) is not None  # type: ignore[call-overload]
        ]
        if not cells:
            continue
        if condition and not any(condition in [a[0] for a in c.approved] for c in cells):
            continue
        routes: dict[str, Cite] = {}
        for form in mono.forms:
            routes.setdefault(form.route, Cite.of(form.source))
        adverse = [
            a for a in mono.adverse_reactions if a.region is None or region in ("all", a.region)
        ]
        adverse.sort(key=lambda a: -(a.frequency_percent or 0.0))
        unique: dict[str, Any] = {}  # the highest frequency of each term (its source names
        for a in adverse:  # the study population)
            unique.setdefault(a.term.lower(), a)
        adverse = list(unique.values())
        rows.append(
            DrugRow(
                drug=mono.id,
                selectivity=mono.target.text,
                kinases=list(mono.target.kinases),
                target_cite=Cite.of(mono.target.source),
                routes=sorted(routes.items()),
                regions=cells,
                adverse=[
                    (
                        a.term,
                        _frequency_text(a.frequency_percent, a.frequency_text),
                        a.population,
                        Cite.of(a.source),
                    )
                    for a in adverse[:TOP_ADVERSE]
                ],
            )
        )
    return rows


@router.get("/drugs")
def drugs_page(
    clin: ClinDep,
    kb: KbDep,
    region: str = "US",
    condition: str = "",
) -> Response:
    if region not in REGION_CHOICES:
        raise PageError(422, "Invalid region", f"region {region[:20]!r}: use US, EU or all.")
    if condition and condition not in kb.conditions:
        raise PageError(422, "Unknown condition", f"condition {condition[:60]!r} is not known.")
    rows = drug_table(kb, region, condition or None)
    conditions = sorted(kb.conditions.values(), key=lambda c: c.name)
    return render_html(
        kb,
        "drugs.html.j2",
        page_context(
            clin,
            "drugs",
            "Drug comparison",
            rows=rows,
            region=region,
            condition=condition,
            conditions=conditions,
            regions=REGION_CHOICES,
        ),
    )


# --------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class CitedFact:
    where: str
    section: str
    quote: str | None


@lru_cache(maxsize=4)
def citations_by_doc(kb: Knowledge) -> dict[str, list[CitedFact]]:
    """Every citation in the monographs, conditions and guidelines, by document id."""
    out: dict[str, list[CitedFact]] = {}

    def walk(obj: Any, where: str) -> None:
        if isinstance(obj, dict):
            if isinstance(obj.get("doc"), str) and isinstance(obj.get("section"), str):
                out.setdefault(obj["doc"], []).append(
                    CitedFact(where, obj["section"], obj.get("quote"))
                )
            for key, value in obj.items():
                walk(value, f"{where} › {key}")
        elif isinstance(obj, list):
            for i, value in enumerate(obj):
                if isinstance(value, dict):
                    label = value.get("id") or value.get("condition") or value.get("term") or i
                    walk(value, f"{where} › {label}")
                else:
                    walk(value, where)

    for inn, mono in sorted(kb.drugs.items()):
        walk(mono.model_dump(mode="json", exclude_none=True), inn)
    for cid, cond in sorted(kb.conditions.items()):
        walk(cond.source.model_dump(mode="json", exclude_none=True), f"condition {cid}")
    for gid, guideline in sorted(kb.guidelines.items()):
        walk(guideline.source.model_dump(mode="json", exclude_none=True), f"guideline {gid}")
    return out


@router.get("/sources")
def sources_page(clin: ClinDep, kb: KbDep) -> Response:
    docs = sorted(kb.sources.values(), key=lambda d: d.id)
    return render_html(kb, "sources.html.j2", page_context(clin, "sources", "Sources", docs=docs))


@router.get("/sources/{doc_id}")
def source_page(
    request: Request, clin: ClinDep, kb: KbDep, doc_id: str, section: str = ""
) -> Response:
    doc = kb.sources.get(doc_id)
    if doc is None:
        raise PageError(404, "Unknown source", f"No source {doc_id[:80]!r} in the knowledge.")
    facts = citations_by_doc(kb).get(doc_id, [])
    if section:
        facts = sorted(facts, key=lambda f: f.section != section)
    return render_html(
        kb,
        "source.html.j2",
        page_context(clin, "sources", doc.title, doc=doc, section=section[:300], facts=facts),
    )
