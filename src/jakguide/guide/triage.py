"""Symptom triage for people taking a JAK-family medicine: symptoms -> how urgent, why, sources.

The warning signs, their urgency and the words people use for them are data
(``knowledge/triage.yaml``); the explanations are guide wording; the label facts behind each sign
come from the monograph (``FactResolver``). Conservative by design: a symptom takes the most urgent
sign it may belong to, words it does not recognise give ``today`` naming them, and every answer
says to call the region's emergency number when very unwell. Information, not a diagnosis.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from jakguide.errors import InputError
from jakguide.guide.facts import FactResolver
from jakguide.guide.wording import Footnotes, Wording
from jakguide.kb.base import Knowledge
from jakguide.kb.schema import Citation
from jakguide.kb.schema_triage import Symptom, TriageFile, Urgency

ORDER: tuple[Urgency, ...] = ("emergency", "today", "next-visit")
INTENDED_USE = (
    "Information for people taking a JAK-family medicine, from its label. It is not a diagnosis "
    "and does not replace your care team."
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reason(_Strict):
    symptom: str  # the words given
    matched: str | None  # the symptom id, or None when not recognised
    sign: str | None  # the warning sign it may be
    urgency: Urgency
    text: str
    sources: list[int]


class Source(_Strict):
    number: int
    doc: str
    section: str
    title: str
    verified: bool


class TriageResult(_Strict):
    drug: str
    region: str
    urgency: Urgency
    reasons: list[Reason]
    emergency: str  # what to do when very unwell, with the region's number
    emergency_number: str
    intended_use: str
    sources: list[Source]


def triage_data(kb: Knowledge) -> TriageFile:
    if kb.triage is None:
        raise InputError("knowledge", str(kb.folder), "has no triage.yaml; triage needs it")
    return kb.triage


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower()).strip()


def _clauses(text: str) -> list[list[str]]:
    """The words of each clause: punctuation ends the reach of a negation cue."""
    parts = re.split(r"[,.;:!?()/\n]+", text.lower())
    return [words for p in parts if (words := _norm(p).split())]


def _spans(words: list[str], phrase: list[str]) -> list[tuple[int, int]]:
    n = len(phrase)
    return [(i, i + n) for i in range(len(words) - n + 1) if words[i : i + n] == phrase]


def _denied(data: TriageFile, words: list[str], start: int) -> bool:
    """Whether a phrase starting at ``start`` comes right after a cue (and only fillers)."""
    cues, fillers = set(data.negation.cues), set(data.negation.fillers)
    j = start - 1
    while j >= 0 and words[j] in fillers:
        j -= 1
    # a cue after another cue ("not without fever") is ambiguous: keep the urgent reading
    return j >= 0 and words[j] in cues and not (j > 0 and words[j - 1] in cues)


def match(data: TriageFile, text: str) -> list[Symptom]:
    """The symptoms ``text`` names: an id, or any of its words as whole words, not denied.

    A mention is denied only when it lies inside a symptom phrase that starts right after a
    negation cue ("a cold without fever", "no high temperature"); any other mention counts.
    """
    if (said := _norm(text)) in {s.id for s in data.symptoms}:
        return [s for s in data.symptoms if s.id == said]
    phrases = {p for s in data.symptoms for w in s.words if (p := tuple(_norm(w).split()))}
    found: list[Symptom] = []
    for words in _clauses(text):
        denied = [
            span
            for p in phrases
            for span in _spans(words, list(p))
            if _denied(data, words, span[0])
        ]
        for s in data.symptoms:
            if s in found:
                continue
            for w in s.words:
                for a, b in _spans(words, _norm(w).split()):
                    if not any(x <= a and b <= y for x, y in denied):
                        found.append(s)
                        break
                if s in found:
                    break
    return found


def triage(drug: str, symptoms: list[str], region: str, kb: Knowledge) -> TriageResult:
    """How urgent these symptoms are for someone taking ``drug`` (``InputError`` on bad input)."""
    mono = kb.require_drug(drug, "drug")
    data = triage_data(kb)
    if region not in data.emergency_numbers:
        raise InputError(
            "region",
            region,
            "unknown region; accepted: " + ", ".join(sorted(data.emergency_numbers)),
        )
    cleaned = [s.strip() for s in symptoms if s.strip()]
    if not cleaned:
        raise InputError("symptoms", "", "give at least one symptom (an id or your own words)")
    label = mono.regions.get(region)
    if label is None:
        raise InputError(
            "drug",
            drug,
            f"not marketed in {region}; marketed in: {', '.join(sorted(mono.regions))}",
        )
    notes = Footnotes(kb)
    facts = FactResolver(kb, mono, label, region, "", None)
    w = Wording(kb, mono.id, "", facts, notes, {})
    signs = {s.id: s for s in data.signs}
    reasons: list[Reason] = []
    for said in cleaned:
        hits = match(data, said)
        if not hits:
            st = w.must("triage.unknown", {"words": f"'{said}'"})
            reasons.append(
                Reason(
                    symptom=said,
                    matched=None,
                    sign=None,
                    urgency="today",
                    text=st.text,
                    sources=list(st.refs),
                )
            )
            continue
        seen: set[str] = set()
        for sym in hits:
            for sign in (signs[i] for i in sym.signs if i not in seen):
                seen.add(sign.id)
                cites: list[Citation] = [sign.source]
                on_label = not sign.facts and not sign.labels
                for key in sign.facts:
                    fact = facts.resolve(key)
                    if fact is not None:
                        on_label = True
                        cites += fact.citations
                for ls in sign.labels:
                    if ls.drug == mono.id and ls.region == region:
                        on_label = True
                        cites.append(
                            Citation(
                                doc=ls.doc or label.label,
                                section=ls.section,
                                quote=ls.quote,
                                verified=ls.verified,
                                verified_on=ls.verified_on,
                                note=ls.note,
                            )
                        )
                parts = [w.must(sign.wording, cites=cites)]
                if not on_label:
                    parts.append(w.must("triage.not-on-label"))
                joined = w.join(sign.wording, parts)
                assert joined is not None
                st = joined
                reasons.append(
                    Reason(
                        symptom=sym.words[0] if _norm(said) == _norm(sym.id) else said,
                        matched=sym.id,
                        sign=sign.id,
                        urgency=sign.urgency,
                        text=st.text,
                        sources=list(st.refs),
                    )
                )
    reasons = _merged(reasons)
    number = data.emergency_numbers[region]
    very = w.must("triage.very-unwell", {"number": number.number}, [number.source])
    overall = min((r.urgency for r in reasons), key=ORDER.index)
    reasons.sort(key=lambda r: ORDER.index(r.urgency))
    sources = [
        Source(number=n.number, doc=n.doc, section=n.section, title=n.title, verified=n.verified)
        for n in notes.notes
    ]
    return TriageResult(
        drug=mono.id,
        region=region,
        urgency=overall,
        reasons=reasons,
        emergency=very.text,
        emergency_number=number.number,
        intended_use=INTENDED_USE,
        sources=sources,
    )


def _merged(reasons: list[Reason]) -> list[Reason]:
    """One reason per warning sign, naming every symptom that pointed to it (input order)."""
    out: dict[str, Reason] = {}
    for r in reasons:
        key = r.sign or f"unknown:{r.symptom}"
        if key in out:
            old = out[key]
            if r.symptom not in old.symptom.split(", "):
                out[key] = old.model_copy(update={"symptom": f"{old.symptom}, {r.symptom}"})
        else:
            out[key] = r
    return list(out.values())
