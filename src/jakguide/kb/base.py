"""The loaded knowledge base: validated facts and the lookups rules need.

``load_knowledge`` is the only way to build one; it raises ``KnowledgeError`` listing every problem
(file, line, key) rather than the first one, so an author can fix a file in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jakguide.errors import KnowledgeError, KnowledgeIssue, UnknownIdError
from jakguide.kb.loader import (
    RawKnowledge,
    _Doc,
    default_knowledge_dir,
    read_folder,
    resolve_knowledge_dir,
    walk,
)
from jakguide.kb.pattern import LazyPattern
from jakguide.kb.schema import (
    REGIONS,
    Analyte,
    Condition,
    DrugClass,
    KnowledgeIndex,
    Monograph,
    NameEntry,
    ProductCode,
    Region,
    RegionLabel,
    SourceDocument,
    SourceFile,
)
from jakguide.kb.schema_derive import DerivationFile
from jakguide.kb.schema_guide import GuideStatement
from jakguide.kb.schema_guidelines import Guideline
from jakguide.kb.schema_measures import MeasureFile
from jakguide.kb.schema_triage import TriageFile

_CITATION_KEYS = {"source", "codes_source"}
_CLASS_KEYS = {"classes", "all_classes", "includes"}


class Knowledge:
    """Immutable, validated knowledge with fast lookups. Build it with ``load_knowledge``."""

    def __init__(
        self,
        *,
        folder: Path,
        index: KnowledgeIndex,
        sources: dict[str, SourceDocument],
        conditions: dict[str, Condition],
        classes: dict[str, DrugClass],
        products: dict[str, ProductCode],
        analytes: dict[str, Analyte],
        guidelines: dict[str, Guideline],
        drugs: dict[str, Monograph],
        guide: dict[str, GuideStatement] | None = None,
        name_entries: list[NameEntry] | None = None,
        derivations: DerivationFile | None = None,
        triage: TriageFile | None = None,
        measures: MeasureFile | None = None,
    ) -> None:
        self.folder = folder
        self.index = index
        self.sources = sources
        self.conditions = conditions
        self.classes = classes
        self.products = products
        self.analytes = analytes
        self.guidelines = guidelines
        self.drugs = drugs
        self.guide = guide or {}
        self.names = name_entries or []
        self.derivations = derivations  # boundaries of implied facts (rules.derive)
        self.triage = triage  # warning signs and symptom words (guide.triage)
        self.measures = measures  # population measures and event categories (scan, synth)
        self._members = {cid: frozenset(self._resolve_members(cid, set())) for cid in classes}
        self._classes_of: dict[str, set[str]] = {}
        for cid, members in self._members.items():
            for ingredient in members:
                self._classes_of.setdefault(ingredient, set()).add(cid)
        self._loinc = {code: a for a in analytes.values() for code in a.loinc}
        names = set(self._classes_of) | set(drugs)
        for product in products.values():
            names.update(product.ingredients)
        names.update(e.inn for e in self.names if e.kind == "medicine")
        self.ingredient_names = frozenset(names)
        self._ingredient_rxnorm: dict[str, str] = {}
        for cls in classes.values():
            for m in cls.members:
                if m.rxnorm:
                    self._ingredient_rxnorm[m.rxnorm] = m.ingredient
        for mono in drugs.values():
            if mono.rxnorm:
                self._ingredient_rxnorm[mono.rxnorm] = mono.id
        for entry in self.names:
            for code in entry.rxnorm:
                self._ingredient_rxnorm.setdefault(code, entry.inn)
        self._name_pattern = LazyPattern(
            r"\b("
            + "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
            + r")\b",
            re.IGNORECASE,
        )

    # -- identity ---------------------------------------------------------------------------

    @property
    def version(self) -> str:
        return self.index.version

    def _resolve_members(self, cid: str, seen: set[str]) -> set[str]:
        if cid in seen:
            return set()
        seen.add(cid)
        cls = self.classes[cid]
        out = {m.ingredient for m in cls.members}
        for inc in cls.includes:
            out |= self._resolve_members(inc, seen)
        return out

    # -- drugs ------------------------------------------------------------------------------

    def drug(self, inn: str) -> Monograph | None:
        return self.drugs.get(inn)

    def require_drug(self, inn: str, field: str = "drug") -> Monograph:
        """The monograph of ``inn`` (or of the INN a brand, misspelling or code names).

        ``UnknownIdError`` on ``field`` lists the known drugs and, when a name is close, the
        nearest matches (a suggestion is never taken as the answer).
        """
        mono = self.drugs.get(inn)
        if mono is not None:
            return mono
        from jakguide.kb.names import resolve

        match = resolve(self, inn)
        if match.inn is not None and match.inn in self.drugs:
            return self.drugs[match.inn]
        accepted = ", ".join(sorted(self.drugs))
        if match.inn is not None:
            why = f"{inn!r} is {match.inn}, which has no monograph here; accepted: {accepted}"
        elif match.suggestions:
            why = (
                f"unknown drug; did you mean {' or '.join(match.suggestions)}? accepted: {accepted}"
            )
        else:
            why = f"unknown drug; accepted: {accepted}"
        raise UnknownIdError(field, inn, why)

    def marketed(self, region: Region) -> list[Monograph]:
        """Monographs with a label in ``region``, in id order."""
        return [m for _, m in sorted(self.drugs.items()) if region in m.regions]

    def label(self, inn: str, region: Region) -> RegionLabel | None:
        mono = self.drugs.get(inn)
        return mono.regions.get(region) if mono else None

    # -- classes and medicines -------------------------------------------------------------

    def class_members(self, class_id: str) -> frozenset[str]:
        return self._members.get(class_id, frozenset())

    def classes_of(self, ingredient: str) -> frozenset[str]:
        return frozenset(self._classes_of.get(ingredient, set()))

    def ingredients_for_code(self, rxnorm: str) -> list[str]:
        """Ingredients of an RxNorm code (ingredient, clinical or branded drug), or []."""
        product = self.products.get(rxnorm)
        if product is not None:
            return list(product.ingredients)
        ingredient = self._ingredient_rxnorm.get(rxnorm)
        return [ingredient] if ingredient else []

    def route_for_code(self, rxnorm: str) -> str | None:
        product = self.products.get(rxnorm)
        return product.route if product else None

    def ingredients_in_text(self, text: str) -> list[str]:
        """Known ingredient names found as whole words in free text (e.g. a FHIR display)."""
        found = {m.group(1).lower() for m in self._name_pattern.finditer(text)}
        return sorted(found)

    # -- analytes ---------------------------------------------------------------------------

    def analyte(self, analyte_id: str) -> Analyte | None:
        return self.analytes.get(analyte_id)

    def analyte_by_loinc(self, code: str) -> Analyte | None:
        return self._loinc.get(code)

    def factor(self, analyte_id: str, unit: str) -> Decimal | None:
        """Factor to the canonical unit, accepting UCUM codes and listed aliases exactly."""
        return _factor_table(self).get((analyte_id, unit))

    # -- sources ----------------------------------------------------------------------------

    def source(self, doc_id: str) -> SourceDocument | None:
        return self.sources.get(doc_id)


def _factor_table(kb: Knowledge) -> dict[tuple[str, str], Decimal]:
    table = getattr(kb, "_factors", None)
    if table is None:
        table = {}
        for analyte in kb.analytes.values():
            for conv in analyte.units:
                for spelling in (conv.unit, *conv.aliases):
                    table[(analyte.id, spelling)] = Decimal(conv.factor)
        kb._factors = table  # type: ignore[attr-defined]
    return table


def _unique(
    items: Iterable[Any], key: str, doc: _Doc | None, list_key: str, issues: list[KnowledgeIssue]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i, item in enumerate(items):
        ident = getattr(item, key)
        if ident in out:
            issues.append(
                doc.issue((list_key, i, key), f"duplicate id {ident!r}")
                if doc
                else KnowledgeIssue(list_key, None, str(ident), "duplicate id")
            )
            continue
        out[ident] = item
    return out


def _cross_check(raw: RawKnowledge, kb: Knowledge) -> list[KnowledgeIssue]:
    """References between files: every id used must exist, every lab unit must convert."""
    issues: list[KnowledgeIssue] = []
    for rel, doc in raw.docs.items():
        if doc.data is None or doc.issues:
            continue
        for path, value in walk(doc.data):
            if not path or not isinstance(path[-1], str):
                continue
            key = path[-1]
            if key in _CITATION_KEYS and isinstance(value, dict):
                ref = value.get("doc")
                if isinstance(ref, str) and ref not in kb.sources:
                    issues.append(doc.issue((*path, "doc"), f"unknown source {ref!r}"))
            elif (
                key in {"relayed_by", "superseded_by"}
                or (key == "label" and rel.startswith("drugs/"))
            ) and isinstance(value, str):
                if value not in kb.sources:
                    issues.append(doc.issue(path, f"unknown source {value!r}"))
            elif key in {"condition", "conditions"} and rel != "conditions.yaml":
                for cond in [value] if isinstance(value, str) else (value or []):
                    if isinstance(cond, str) and cond not in kb.conditions:
                        issues.append(doc.issue(path, f"unknown condition {cond!r}"))
            elif key in _CLASS_KEYS:
                for cid in value or []:
                    if isinstance(cid, str) and cid not in kb.classes:
                        issues.append(doc.issue(path, f"unknown drug class {cid!r}"))
            elif key == "analyte" and isinstance(value, str) and value not in kb.analytes:
                issues.append(doc.issue(path, f"unknown analyte {value!r}"))
    for doc, mono in raw.drugs:
        forms = {f.id for f in mono.forms}
        for region, label in mono.regions.items():
            base: tuple[str | int, ...] = ("regions", region)
            for i, ind in enumerate(label.indications):
                for j, reg in enumerate(ind.regimens):
                    if reg.form not in forms:
                        issues.append(
                            doc.issue(
                                (*base, "indications", i, "regimens", j, "form"),
                                f"unknown form {reg.form!r} (forms: {sorted(forms)})",
                            )
                        )
            for i, adj in enumerate(label.adjustments):
                if adj.regimen is not None and adj.regimen.form not in forms:
                    issues.append(
                        doc.issue(
                            (*base, "adjustments", i, "regimen", "form"),
                            f"unknown form {adj.regimen.form!r}",
                        )
                    )
            for i, rule in enumerate(label.labs):
                if rule.analyte in kb.analytes and kb.factor(rule.analyte, rule.unit) is None:
                    issues.append(
                        doc.issue(
                            (*base, "labs", i, "unit"),
                            f"unit {rule.unit!r} is not accepted for analyte {rule.analyte!r}",
                        )
                    )
    analytes_doc = raw.docs.get("analytes.yaml")
    for i, analyte in enumerate(kb.analytes.values()):
        for j, conv in enumerate(analyte.units):
            if Decimal(conv.factor) != 1 and conv.source is None and analytes_doc is not None:
                issues.append(
                    analytes_doc.issue(
                        ("analytes", i, "units", j, "source"),
                        "a conversion factor other than 1 needs a source",
                    )
                )
    return issues


def load_knowledge(folder: str | Path | None = None) -> Knowledge:
    """Load and validate a knowledge folder (default: ``--knowledge``/env/bundled).

    Raises:
        KnowledgeError: with every issue found, each naming file, line and key.
    """
    path = resolve_knowledge_dir(folder)
    raw, issues = read_folder(path)
    if issues or None in (
        raw.index,
        raw.sources,
        raw.conditions,
        raw.classes,
        raw.products,
        raw.analytes,
        raw.guidelines,
    ):
        raise KnowledgeError(issues or [KnowledgeIssue(str(path), None, "<folder>", "invalid")])
    assert raw.index and raw.sources and raw.conditions and raw.classes  # narrowed above
    assert raw.products and raw.analytes and raw.guidelines
    sources: dict[str, SourceDocument] = {}
    source_lists = [
        ("sources.yaml", raw.sources),
        *((f"sources/{i}", s) for i, s in enumerate(raw.extra_sources)),
    ]
    for _, sf in source_lists:
        for s in sf.sources:
            if s.id in sources:
                issues.append(KnowledgeIssue("sources", None, s.id, "duplicate source id"))
            sources[s.id] = s
    kb = Knowledge(
        folder=path,
        index=raw.index,
        sources=sources,
        conditions=_unique(
            raw.conditions.conditions, "id", raw.docs.get("conditions.yaml"), "conditions", issues
        ),
        classes=_unique(
            raw.classes.classes, "id", raw.docs.get("drug_classes.yaml"), "classes", issues
        ),
        products=_unique(
            raw.products.products, "rxnorm", raw.docs.get("products.yaml"), "products", issues
        ),
        analytes=_unique(
            raw.analytes.analytes, "id", raw.docs.get("analytes.yaml"), "analytes", issues
        ),
        guidelines=_unique(
            raw.guidelines.guidelines, "id", raw.docs.get("guidelines.yaml"), "guidelines", issues
        ),
        drugs={m.id: m for _, m in raw.drugs},
        guide=_unique(
            [s for g in raw.guide for s in g.statements], "id", None, "statements", issues
        ),
        name_entries=raw.products.names,
        derivations=raw.derivations,
        triage=raw.triage,
        measures=raw.measures,
    )
    issues.extend(_cross_check(raw, kb))
    for _doc, mono in raw.drugs:
        for region in mono.regions:
            if region not in REGIONS:  # pragma: no cover - schema restricts keys already
                issues.append(KnowledgeIssue(_doc.rel, None, "regions", f"bad region {region}"))
    if issues:
        raise KnowledgeError(issues)
    return kb


@cache
def bundled_knowledge() -> Knowledge:
    """The packaged knowledge base, loaded once per process."""
    return load_knowledge(default_knowledge_dir())


# The bundled source table, when a caller already holds the bundled knowledge (see below).
_PRIMED: dict[str, dict[str, SourceDocument]] = {}


def prime_bundled_sources(kb: Knowledge) -> None:
    """Let :func:`bundled_sources` answer from ``kb`` when ``kb`` is the bundled knowledge.

    ``load_knowledge`` reads the same files (``sources.yaml`` and ``sources/*.yaml``), so its
    table is the same; the CLI calls this with its knowledge snapshot, before the instruments
    cite their sources, to skip a second read of those files.
    """
    if Path(kb.folder).resolve() == default_knowledge_dir().resolve():
        _PRIMED["bundled"] = kb.sources


@cache
def bundled_sources() -> dict[str, SourceDocument]:
    """The packaged source table alone (id -> document), read once per process.

    For code that cites documents but has no ``Knowledge`` (the instruments, the docs generator);
    it reads ``sources.yaml`` and ``sources/*.yaml`` only. An invalid or duplicated entry raises
    ``KnowledgeError``, as the full loader would.
    """
    if "bundled" in _PRIMED:
        return _PRIMED["bundled"]
    folder = default_knowledge_dir()
    issues: list[KnowledgeIssue] = []
    table: dict[str, SourceDocument] = {}
    paths = [folder / "sources.yaml", *sorted((folder / "sources").glob("*.yaml"))]
    for path in paths:
        doc = _Doc(path, str(path.relative_to(folder)))
        found = doc.validate(SourceFile)
        issues.extend(doc.issues)
        for source in found.sources if found is not None else []:
            if source.id in table:
                issues.append(KnowledgeIssue(doc.rel, None, source.id, "duplicate source id"))
            table[source.id] = source
    if issues:
        raise KnowledgeError(issues)
    return table
