"""Names the claim checker recognises, built from the knowledge only (no fuzzy matching).

Agents are found by INN and by the brands the region labels hold; conditions by the name, id
and synonyms in ``conditions.yaml``. Abbreviations (a synonym with a capital letter after its
first character, or of three characters or fewer) match case-sensitively, so "as" is never
ankylosing spondylitis. Alternatives are tried longest first, so "psoriasis with arthropathy"
is psoriatic arthritis and "psoriasis" never matches inside "psoriatic arthritis".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jakguide.kb.base import Knowledge

_SHORT = 3


@dataclass(frozen=True)
class Mention:
    """A name found in the text: ``id`` is the INN or condition id."""

    id: str
    start: int
    end: int
    surface: str
    route: str | None = None  # for agents: the route the name itself implies (brand, "cream")


def _case_sensitive(term: str) -> bool:
    return len(term) <= _SHORT or any(c.isupper() for c in term[1:])


def _alternation(terms: list[str]) -> str:
    return "|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True))


_TOPICAL = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*%\s*)?(cream|ointment|gel|lotion)\b", re.I)
_TOPICAL_BEFORE = re.compile(r"\b(topical)\s+$", re.I)
_ORAL = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*mg\s*)?(tablets?|pills?|capsules?)\b", re.I)
_ORAL_BEFORE = re.compile(r"\b(oral)\s+$", re.I)
_PAREN_BRAND = re.compile(r"^\s*\(([^()]{1,40})\)")


class Lexicon:
    """Agent and condition patterns for one knowledge base."""

    def __init__(self, kb: Knowledge) -> None:
        self.kb = kb
        self.agent_names: dict[str, str] = {}
        self.brand_route: dict[str, str | None] = {}
        for inn, mono in kb.drugs.items():
            self.agent_names[mono.inn.lower()] = inn
            routes = {f.route for f in mono.forms}
            single = next(iter(routes)) if len(routes) == 1 else None
            for label in mono.regions.values():
                for brand in label.brands:
                    self.agent_names[brand.lower()] = inn
                    self.brand_route[brand.lower()] = single
        self._agent_re = re.compile(
            r"(?<![\w-])(" + _alternation(list(self.agent_names)) + r")(?![\w-])", re.I
        )
        sensitive: dict[str, str] = {}
        insensitive: dict[str, str] = {}
        for cond in kb.conditions.values():
            for raw in (cond.name, cond.id.replace("-", " "), *cond.synonyms):
                term = raw.replace("\u2019", "'")
                if _case_sensitive(term):
                    sensitive[term] = cond.id
                else:
                    insensitive[term.lower()] = cond.id
        self._cond_terms = {**{k: v for k, v in insensitive.items()}, **sensitive}
        self._sensitive = sensitive
        self._insensitive = insensitive
        self._cond_re_i = re.compile(
            r"(?<![\w-])(" + _alternation(list(insensitive)) + r")(?![\w-])", re.I
        )
        self._cond_re_s = re.compile(r"(?<![\w-])(" + _alternation(list(sensitive)) + r")(?![\w-])")

    def agents(self, text: str) -> list[Mention]:
        """Agents named in ``text``; "Opzelura (ruxolitinib)" is one mention."""
        found: list[Mention] = []
        for m in self._agent_re.finditer(text):
            name = m.group(1).lower()
            inn = self.agent_names[name]
            route = self.brand_route.get(name)
            after = text[m.end() : m.end() + 40]
            before = text[max(0, m.start() - 12) : m.start()]
            if _TOPICAL.match(after) or _TOPICAL_BEFORE.search(before):
                route = "topical"
            elif _ORAL.match(after) or _ORAL_BEFORE.search(before):
                route = "oral"
            if found and found[-1].id == inn and _adjacent(text, found[-1], m.start()):
                prev = found[-1]
                found[-1] = Mention(
                    inn, prev.start, m.end(), text[prev.start : m.end()], prev.route or route
                )
                continue
            found.append(Mention(inn, m.start(), m.end(), m.group(0), route))
        return found

    def conditions(self, text: str) -> list[Mention]:
        """Conditions named in ``text``, longest match first, no overlaps."""
        norm = text.replace("\u2019", "'")
        hits: list[Mention] = []
        for m in self._cond_re_i.finditer(norm):
            hits.append(
                Mention(self._insensitive[m.group(1).lower()], m.start(), m.end(), m.group(0))
            )
        for m in self._cond_re_s.finditer(norm):
            hits.append(Mention(self._sensitive[m.group(1)], m.start(), m.end(), m.group(0)))
        hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
        out: list[Mention] = []
        for h in hits:
            if out and h.start < out[-1].end:
                continue
            out.append(h)
        return out


def _adjacent(text: str, prev: Mention, start: int) -> bool:
    """``Rinvoq (upadacitinib)``: the second name only restates the first."""
    gap = text[prev.end : start]
    return re.fullmatch(r"\s*[(,\u2013-]?\s*", gap) is not None
