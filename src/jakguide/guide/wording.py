"""Statements from the guide wording: placeholders filled, facts checked, sources numbered.

``Wording.say(id, ...)`` builds a statement from one wording entry; ``Wording.listed(topic)``
builds every entry of a listed topic that applies. Each statement cites the wording's own source
(usually the editorial wording), its ``more_sources``, the monograph facts it rests on, and any
citations the caller adds (e.g. the label section of a dose). Values filled into placeholders are
plain text (``str``) or typed runs (``Run``) for quotes, names and numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from jakguide.errors import JakguideError
from jakguide.guide.facts import FactResolver
from jakguide.guide.model import Footnote, Run, Statement
from jakguide.kb.base import Knowledge
from jakguide.kb.schema import Citation
from jakguide.kb.schema_guide import PLACEHOLDER, GuideStatement
from jakguide.model import SourceRef

Value = str | Run | Sequence[Run]
Cite = Citation | SourceRef | tuple[Citation | SourceRef, str]  # (citation, note)


class GuideWordingError(JakguideError):
    """The knowledge lacks wording the guide needs, or the wording is inconsistent."""


class Footnotes:
    """Numbers each distinct (document, section, note) in order of first use."""

    def __init__(self, kb: Knowledge) -> None:
        self.kb = kb
        self._numbers: dict[tuple[str, str, str | None], int] = {}
        self._notes: list[Footnote] = []

    def cite(self, citations: Iterable[Cite]) -> tuple[int, ...]:
        out: list[int] = []
        for item in citations:
            cit, note = item if isinstance(item, tuple) else (item, None)
            key = (cit.doc, cit.section, note)
            if key not in self._numbers:
                doc = self.kb.source(cit.doc)
                if doc is None:
                    raise GuideWordingError(
                        f"source {cit.doc!r} is cited but not in the knowledge's sources"
                    )
                number = len(self._notes) + 1
                self._numbers[key] = number
                self._notes.append(
                    Footnote(
                        number=number,
                        doc=doc.id,
                        section=cit.section,
                        title=doc.title,
                        publisher=doc.publisher,
                        type=doc.authority,
                        revision=doc.revision,
                        revision_note=doc.revision_note,
                        url=doc.cite_url(),
                        document=doc.document.reference() if doc.document else None,
                        verified=cit.verified,
                        note=note,
                    )
                )
            if self._numbers[key] not in out:
                out.append(self._numbers[key])
        return tuple(out)

    @property
    def notes(self) -> tuple[Footnote, ...]:
        return tuple(self._notes)


class Wording:
    def __init__(
        self,
        kb: Knowledge,
        drug: str,
        condition: str,
        facts: FactResolver,
        footnotes: Footnotes,
        context: Mapping[str, Value],
    ) -> None:
        self.kb = kb
        self.drug = drug
        self.condition = condition
        self.facts = facts
        self.footnotes = footnotes
        self.context = dict(context)

    # -- lookups ------------------------------------------------------------------------------

    def entry(self, sid: str) -> GuideStatement:
        found = self.kb.guide.get(sid)
        if found is None:
            raise GuideWordingError(
                f"guide wording {sid!r} is missing from the knowledge (knowledge/guide/*.yaml)"
            )
        return found

    def has(self, sid: str) -> bool:
        return sid in self.kb.guide

    def applies(self, st: GuideStatement) -> bool:
        if st.drugs is not None and self.drug not in st.drugs:
            return False
        if st.conditions is not None and self.condition not in st.conditions:
            return False
        return all(self.facts.resolve(k) is not None for k in st.facts)

    def glossary(self, topic: str, ident: str) -> GuideStatement | None:
        return self.kb.guide.get(f"{topic}.{ident}")

    def matching(self, topic: str, label_text: str) -> GuideStatement | None:
        """The term/endpoint entry whose ``matches`` include ``label_text`` (normalised)."""
        wanted = normalise(label_text)
        for st in self.kb.guide.values():
            if st.topic == topic and st.matches and wanted in {normalise(m) for m in st.matches}:
                return st
        return None

    # -- building -----------------------------------------------------------------------------

    def runs(self, st: GuideStatement, values: Mapping[str, Value] | None = None) -> list[Run]:
        merged: dict[str, Value] = {**self.context}
        for key in st.facts:
            fact = self.facts.resolve(key)
            if fact is not None:
                merged.update(fact.values)
        merged.update(values or {})
        out: list[Run] = []
        pos = 0
        for m in PLACEHOLDER.finditer(st.text):
            if m.start() > pos:
                out.append(Run(st.text[pos : m.start()]))
            name = m.group(1)
            if name not in merged:
                raise GuideWordingError(f"guide wording {st.id!r}: no value for {{{name}}}")
            value = merged[name]
            if isinstance(value, str):
                out.append(Run(value))
            elif isinstance(value, Run):
                out.append(value)
            else:
                out.extend(value)
            pos = m.end()
        if pos < len(st.text):
            out.append(Run(st.text[pos:]))
        return _merge(out)

    def citations(self, st: GuideStatement) -> list[Cite]:
        cites: list[Cite] = [st.source, *st.more_sources]
        for key in st.facts:
            fact = self.facts.resolve(key)
            if fact is not None:
                cites += fact.citations
        return cites

    def say(
        self,
        sid: str,
        values: Mapping[str, Value] | None = None,
        cites: Iterable[Cite] = (),
        *,
        check: bool = True,
    ) -> Statement | None:
        """The statement for wording ``sid``; None if it does not apply (drug, condition, facts)."""
        st = self.entry(sid)
        if check and not self.applies(st):
            return None
        return self.build(st, values, cites)

    def must(
        self, sid: str, values: Mapping[str, Value] | None = None, cites: Iterable[Cite] = ()
    ) -> Statement:
        """Like ``say`` for wording that applies to every drug (facts are not checked)."""
        st = self.say(sid, values, cites, check=False)
        assert st is not None
        return st

    def build(
        self,
        st: GuideStatement,
        values: Mapping[str, Value] | None = None,
        cites: Iterable[Cite] = (),
        *,
        sid: str | None = None,
    ) -> Statement:
        refs = self.footnotes.cite([*self.citations(st), *cites])
        return Statement(sid or st.id, tuple(self.runs(st, values)), tuple(sorted(refs)))

    def join(self, sid: str, parts: Sequence[Statement | None]) -> Statement | None:
        """Several statements shown as one (e.g. a test's schedule and its status)."""
        present = [p for p in parts if p is not None]
        if not present:
            return None
        runs: list[Run] = []
        refs: list[int] = []
        for i, p in enumerate(present):
            if i:
                runs.append(Run(" "))
            runs += p.runs
            refs += [r for r in p.refs if r not in refs]
        return Statement(sid, tuple(_merge(runs)), tuple(sorted(refs)))

    def listed(self, topic: str, skip: Iterable[str] = ()) -> list[Statement]:
        """Every entry of a listed topic that applies, in file order (ids in ``skip`` left out)."""
        leave_out = set(skip)
        return [
            self.build(st)
            for st in self.kb.guide.values()
            if st.topic == topic and st.id not in leave_out and self.applies(st)
        ]


def normalise(text: str) -> str:
    """Lowercase, parentheses removed, spaces collapsed (how label terms are matched)."""
    out, depth = [], 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    return " ".join("".join(out).lower().split())


def _merge(runs: list[Run]) -> list[Run]:
    out: list[Run] = []
    for r in runs:
        if not r.text:
            continue
        if out and out[-1].kind == r.kind == "text":
            out[-1] = Run(out[-1].text + r.text)
        else:
            out.append(r)
    return out
