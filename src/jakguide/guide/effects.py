"""Side effects from the monograph's adverse reactions, in plain words, grouped by what to do.

Which entries: those of the guide's region (or of no region); if some name the guide's condition
in their study population, those and the entries that name no condition; otherwise all, with the
population in each footnote. Compound terms ("nausea; headache") are split and each part is
looked up in the glossary (``term`` entries), which gives the plain words and the action
(emergency, today, next visit, or blood test). A term the glossary lacks is shown as a quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from jakguide.guide.model import Run, Statement
from jakguide.guide.wording import Cite, Wording, normalise
from jakguide.kb.base import Knowledge
from jakguide.kb.schema import AdverseReaction, Monograph

# Frequency bands as labels state them -> plain words (first match wins; order matters).
_BANDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r">=\s*(\d+(?:\.\d+)?)\s*%"), "at least {0} in 100 people"),
    (re.compile(r"\bvery common\b"), "more than 1 in 10 people"),
    (re.compile(r"\buncommon\b"), "up to 1 in 100 people"),
    (re.compile(r"\bvery rare\b"), "up to 1 in 10,000 people"),
    (re.compile(r"\brare\b"), "up to 1 in 1,000 people"),
    (re.compile(r"\bcommon\b"), "up to 1 in 10 people"),
    (re.compile(r"\bup to 1 in ([\d,]+)"), "up to 1 in {0} people"),
)
# What a plain band leaves out, if anything: a label text that is only a band and its ratio
# needs no quote; anything else (doses, populations, exceptions) is quoted as well.
_BAND_ONLY = re.compile(
    r"^(most |very )?(common|uncommon|rare)?\s*(\(([<>=≥\d\s/,.%]|to|up|in|every|between|and"
    r"|people)*\))?$|^>=\s*\d+(\.\d+)?\s*%$"
)


def per_100(percent: float) -> str:
    """A percentage as 'N' (exact), 'about N' (rounded half up) or 'fewer than 1' of 100."""
    d = Decimal(str(percent))
    r = d.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if r == d:
        return str(r)
    if d < Decimal("0.5"):
        return "fewer than 1"
    return f"about {r}"


def value_run(percent: float, **data: str) -> Run:
    attrs = (("percent", repr(float(percent))), *sorted(data.items()))
    return Run(per_100(percent), "value", attrs)


def plain_band(text: str) -> tuple[str | None, bool]:
    """(plain band or None, whether the label text says more than the band)."""
    low = text.lower().strip()
    for pattern, words in _BANDS:
        m = pattern.search(low)
        if m:
            return words.format(*m.groups()), not _BAND_ONLY.match(low)
    return None, True


def split_terms(term: str) -> list[str]:
    """'Nausea; headache' and 'cough, pyrexia' -> parts (commas inside parentheses kept)."""
    parts, depth, cur = [], 0, ""
    for ch in term:
        depth += (ch == "(") - (ch == ")")
        if ch in ";," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


_ABBREVIATION_CHARS = 5  # names this short are abbreviations, matched in their exact case


def _mentions(text: str, names: list[str]) -> bool:
    for name in names:
        flags = 0 if len(name) <= _ABBREVIATION_CHARS else re.IGNORECASE
        if re.search(r"(?<![A-Za-z-])" + re.escape(name) + r"(?![A-Za-z-])", text, flags):
            return True
    return False


def select_entries(
    kb: Knowledge, mono: Monograph, region: str, condition: str
) -> list[AdverseReaction]:
    entries = [a for a in mono.adverse_reactions if a.region in (None, region)]
    names = {c.id: [c.name, *c.synonyms] for c in kb.conditions.values()}
    mine = [a for a in entries if _mentions(a.population, names[condition])]
    if not mine:
        return entries
    generic = [a for a in entries if not any(_mentions(a.population, n) for n in names.values())]
    return [a for a in entries if a in mine or a in generic]


@dataclass
class _Item:
    key: str
    action: str
    name: Statement
    entries: list[AdverseReaction] = field(default_factory=list)


def side_effect_items(
    w: Wording, kb: Knowledge, mono: Monograph, region: str, condition: str
) -> dict[str, list[Statement]]:
    """Statements per action ('emergency', 'today', 'next-visit', 'blood-test')."""
    items: dict[str, _Item] = {}
    for entry in select_entries(kb, mono, region, condition):
        for part in split_terms(entry.term):
            st = w.matching("term", part)
            if st is not None:
                key, action = st.id, st.action or "next-visit"
                name = w.build(st)
            else:
                key, action = "unknown:" + normalise(part), "next-visit"
                name = w.must("effects.unknown-term", {"term": Run(part, "quote")})
            item = items.setdefault(key, _Item(key, action, _strong(name)))
            if entry not in item.entries:
                item.entries.append(entry)
    out: dict[str, list[Statement]] = {}
    for item in items.values():
        parts: list[Statement | None] = [item.name]
        for entry in item.entries:
            parts += _frequency(w, entry, item.key)
        joined = w.join(item.key if ":" not in item.key else "effects.unknown-term", parts)
        if joined is not None:
            out.setdefault(item.action, []).append(joined)
    return out


def _strong(st: Statement) -> Statement:
    runs = tuple(Run(r.text, "strong") if r.kind == "text" else r for r in st.runs)
    return Statement(st.id, runs, st.refs)


def _frequency(w: Wording, entry: AdverseReaction, key: str) -> list[Statement | None]:
    cite: list[Cite] = [(entry.source, f"Numbers from: {entry.population}")]
    data = {"term": entry.term}
    if entry.frequency_percent is not None:
        out: list[Statement | None] = [
            w.must(
                "effects.freq.percent",
                {"n": value_run(entry.frequency_percent, **data)},
                cite,
            )
        ]
        if entry.comparator_percent is not None:
            out.append(
                w.must(
                    "effects.freq.comparator",
                    {"n": value_run(entry.comparator_percent, arm="comparator", **data)},
                    cite,
                )
            )
        return out
    if entry.frequency_text:
        band, more = plain_band(entry.frequency_text)
        out = []
        if band is not None:
            out.append(w.must("effects.freq.band", {"band": band}, cite))
        if more:
            out.append(
                w.must("effects.freq.label", {"summary": Run(entry.frequency_text, "quote")}, cite)
            )
        return out
    return [w.must("effects.freq.label", {"summary": Run(entry.term, "quote")}, cite)]
