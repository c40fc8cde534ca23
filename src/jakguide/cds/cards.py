"""CDS Hooks cards from engine results: summary, markdown detail, indicator, source, uuid.

Why deterministic uuids: the same ``hookInstance`` with the same data must return the same
cards (an EHR may call twice), and feedback names a card by its uuid; so the uuid is a UUIDv5 of
the service, the hookInstance and the card's content. Every card carries a ``topic`` naming its
card type and the rule behind it, which is what ``jakguide cds feedback-report`` groups by.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from jakguide.cds.definitions import definitions
from jakguide.model import Finding, SourceRef

Indicator = Literal["info", "warning", "critical"]
CardType = Literal[
    "finding", "dose", "screening", "boxed-warning", "monitoring", "lab", "data-unavailable"
]
SUMMARY_MAX = 139  # the spec: "<140 characters"
TOPIC_SYSTEM = "urn:jakguide:cds:card"
_NAMESPACE = uuid.UUID("6f1d3c52-7a59-5d5b-9a7e-2f0e3c1b8d41")
_SOURCE_LABEL = "jakguide"


@dataclass(frozen=True)
class Suggestion:
    label: str
    actions: list[dict[str, Any]]
    recommended: bool = True


@dataclass(frozen=True)
class CardSpec:
    """A card before its uuid: what it says, why, and what it suggests."""

    card_type: CardType
    rule: str
    summary: str
    detail: str
    indicator: Indicator
    sources: list[SourceRef] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    selection: Literal["at-most-one", "any"] = "any"


_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)[.!?](?=\s|$)")


def first_sentence(text: str) -> str:
    """The first sentence of a finding's message (the one thing to know; the rest, such as a
    note on the label copy, goes to the detail)."""
    match = _SENTENCE_END.search(text)
    return text[: match.end()] if match else text


def summary(text: str) -> str:
    """``text`` cut at a word boundary to fit the spec's summary limit."""
    text = " ".join(text.split())
    if len(text) <= SUMMARY_MAX:
        return text
    cut = text[: SUMMARY_MAX - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def cite(ref: SourceRef) -> str:
    """One markdown line citing a source: title (linked), section, revision."""
    title = ref.title or ref.doc
    named = f"[{title}]({ref.url})" if ref.url else title
    revision = f" (revision {ref.revision.isoformat()})" if ref.revision else ""
    unverified = " (unverified)" if not ref.verified else ""
    return f"{named}, section {ref.section}{revision}{unverified}"


def finding_detail(finding: Finding, knowledge_version: str, lead: str = "") -> str:
    """Markdown: the finding's message, its facts, the sources and the knowledge version."""
    parts = [lead] if lead else []
    parts.append(finding.message)
    if finding.facts:
        parts.append("\n".join(f"- {fact}" for fact in finding.facts))
    parts.append(sources_block(finding.sources, knowledge_version))
    return "\n\n".join(parts)


def sources_block(sources: list[SourceRef], knowledge_version: str) -> str:
    lines = [f"- {cite(s)}" for s in sources]
    lines.append(f"- jakguide knowledge {knowledge_version}")
    return "**Sources**\n\n" + "\n".join(lines)


def _source(spec: CardSpec) -> dict[str, Any]:
    topic = {"system": TOPIC_SYSTEM, "code": f"{spec.card_type}:{spec.rule}"}
    if not spec.sources:
        return {"label": _SOURCE_LABEL, "topic": topic}
    ref = spec.sources[0]
    label = f"{ref.title or ref.doc}, section {ref.section}"
    out: dict[str, Any] = {"label": label, "topic": topic}
    if ref.url:
        out["url"] = ref.url
    return out


def card_type_and_rule(card: dict[str, Any]) -> tuple[str, str]:
    """(card type, rule) from a card's topic (what feedback statistics group by)."""
    code = str(card.get("source", {}).get("topic", {}).get("code", "unknown:unknown"))
    card_type, _, rule = code.partition(":")
    return card_type, rule or "unknown"


def render(
    spec: CardSpec, service_id: str, hook_instance: str, smart_launch_url: str | None
) -> dict[str, Any]:
    """The wire card, with a uuid that depends only on service, hookInstance and content."""
    card: dict[str, Any] = {
        "summary": summary(spec.summary),
        "detail": spec.detail,
        "indicator": spec.indicator,
        "source": _source(spec),
    }
    if spec.suggestions:
        card["suggestions"] = [
            {"label": s.label, "isRecommended": s.recommended, "actions": s.actions}
            for s in spec.suggestions
        ]
        card["selectionBehavior"] = spec.selection
    card["overrideReasons"] = [r.coding() for r in definitions().overrideReasons]
    if smart_launch_url:
        card["links"] = [{"label": "Open in jakguide", "url": smart_launch_url, "type": "smart"}]
    content = json.dumps([service_id, hook_instance, card], sort_keys=True, default=str)
    card_id = uuid.uuid5(_NAMESPACE, content)
    card["uuid"] = str(card_id)
    for i, suggestion in enumerate(card.get("suggestions", [])):
        suggestion["uuid"] = str(uuid.uuid5(card_id, str(i)))
    return card
