"""Names as people type them: brands, misspellings, synonyms and RxNorm codes to INNs.

Resolution is exact and case-insensitive, through the curated names table (``products.yaml``
``names``), the monographs' regional brands, the interaction classes and the product codes. Fuzzy
matching (rapidfuzz) only ever *suggests*: a suggestion never identifies a medicine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from jakguide.kb.pattern import LazyPattern
from jakguide.kb.schema import Monograph, NameEntry


class Knowledge(Protocol):
    """What name resolution reads of ``kb.base.Knowledge`` (a protocol, so that ``kb.base``,
    which resolves names, and this module do not import each other)."""

    @property
    def drugs(self) -> Mapping[str, Monograph]: ...

    @property
    def names(self) -> Sequence[NameEntry]: ...

    @property
    def ingredient_names(self) -> frozenset[str]: ...

    def ingredients_for_code(self, rxnorm: str) -> list[str]: ...

    def route_for_code(self, rxnorm: str) -> str | None: ...


# String-similarity settings (not clinical numbers): how many suggestions to offer and the
# rapidfuzz WRatio score (0-100) below which a name is not offered as a suggestion.
SUGGESTIONS = 3
SUGGEST_MIN_SCORE = 80.0

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Alias:
    inn: str
    how: str  # inn | brand | misspelling | synonym
    kind: str  # medicine | non-drug
    route: str | None = None


@dataclass(frozen=True)
class NameMatch:
    """What a name resolved to. ``inn`` is None when it could not be identified."""

    entered: str
    inn: str | None
    how: str  # inn | brand | misspelling | synonym | rxnorm | text | "" (not identified)
    kind: str = "medicine"
    route: str | None = None
    suggestions: tuple[str, ...] = ()

    @property
    def identified(self) -> bool:
        return self.inn is not None

    def describe(self) -> str:
        """``"Humira" (brand of adalimumab)``, or the nearest matches when not identified."""
        if self.inn is not None:
            if self.how in ("inn", "rxnorm") and self.entered.lower() == self.inn:
                return self.inn
            return f"{self.entered!r} ({self.how} of {self.inn})"
        near = ", ".join(self.suggestions) if self.suggestions else "none close"
        return f"{self.entered!r} not identified (nearest: {near})"


def key(text: str) -> str:
    return _SPACE.sub(" ", text.strip().lower())


class NameTable:
    """Every spelling the knowledge holds, mapped to an INN (built once per Knowledge)."""

    def __init__(self, kb: Knowledge) -> None:
        aliases: dict[str, Alias] = {}

        def add(name: str, alias: Alias) -> None:
            aliases.setdefault(key(name), alias)

        for inn in sorted(kb.ingredient_names):
            add(inn, Alias(inn, "inn", "medicine"))
        for entry in kb.names:
            add(entry.inn, Alias(entry.inn, "inn", entry.kind, entry.route))
        for entry in kb.names:
            for brands in entry.brands.values():
                for b in brands:
                    add(b, Alias(entry.inn, "brand", entry.kind, entry.route))
            for m in entry.misspellings:
                add(m, Alias(entry.inn, "misspelling", entry.kind, entry.route))
            for s in entry.synonyms:
                add(s, Alias(entry.inn, "synonym", entry.kind, entry.route))
        for mono in kb.drugs.values():
            for label in mono.regions.values():
                for b in label.brands:
                    add(b, Alias(mono.id, "brand", "medicine"))
        self.aliases = aliases
        self._choices = sorted(aliases)
        self._pattern = LazyPattern(
            r"(?<![\w-])("
            + "|".join(re.escape(n) for n in sorted(aliases, key=len, reverse=True))
            + r")(?![\w-])",
            re.IGNORECASE,
        )

    def exact(self, text: str) -> Alias | None:
        return self.aliases.get(key(text))

    def in_text(self, text: str) -> list[Alias]:
        """Aliases found as whole words in free text (e.g. "Humira 40 MG/0.4ML Pen")."""
        found = {key(m.group(1)) for m in self._pattern.finditer(text)}
        return [self.aliases[f] for f in sorted(found)]

    def suggest(self, text: str) -> tuple[str, ...]:
        """The nearest INNs to ``text`` (by the spellings that lead to them); suggestions only."""
        from rapidfuzz import fuzz, process  # only for a name not found: kept out of start-up

        hits = process.extract(key(text), self._choices, scorer=fuzz.WRatio, limit=SUGGESTIONS * 4)
        out: list[str] = []
        for choice, score, _ in hits:
            inn = self.aliases[choice].inn
            if score >= SUGGEST_MIN_SCORE and inn not in out:
                out.append(inn)
        return tuple(out[:SUGGESTIONS])


def names(kb: Knowledge) -> NameTable:
    table = getattr(kb, "_name_table", None)
    if table is None:
        table = NameTable(kb)
        kb._name_table = table  # type: ignore[attr-defined]
    return table


def resolve(kb: Knowledge, text: str, rxnorm: str | None = None) -> NameMatch:
    """Resolve a medicine name (or RxNorm code) to its INN; suggest when it cannot."""
    code = rxnorm or (text.strip() if text.strip().isdigit() else None)
    if code:
        ingredients = kb.ingredients_for_code(code)
        if len(ingredients) == 1:
            return NameMatch(text, ingredients[0], "rxnorm", route=kb.route_for_code(code))
    table = names(kb)
    alias = table.exact(text)
    if alias is not None:
        return NameMatch(text, alias.inn, alias.how, alias.kind, alias.route)
    found = table.in_text(text)
    inns = {a.inn for a in found}
    if len(inns) == 1:
        a = found[0]
        return NameMatch(text, a.inn, "text", a.kind, a.route)
    return NameMatch(text, None, "", suggestions=table.suggest(text))


def resolve_ingredients(kb: Knowledge, text: str, rxnorm: str | None = None) -> list[str]:
    """All ingredients a medicine entry names (combination products have several)."""
    code = rxnorm or (text.strip() if text.strip().isdigit() else None)
    if code:
        ingredients = kb.ingredients_for_code(code)
        if ingredients:
            return ingredients
    table = names(kb)
    alias = table.exact(text)
    if alias is not None:
        return [alias.inn] if alias.kind == "medicine" else []
    return sorted({a.inn for a in table.in_text(text) if a.kind == "medicine"})
