"""Every statement in a rendered guide has a footnote, and every footnote resolves in the knowledge.

Also checks the guide wording itself: every source, drug id and fact key it names exists, and the
glossary covers every label term, endpoint, analyte, form and check the monographs use (a term
without plain words would show as a bare quote).
"""

from __future__ import annotations

import re

import pytest

from guide_support import approved_pairs, complete_patient, footnotes, html_for, parse, statements
from jakguide.guide.effects import split_terms
from jakguide.guide.facts import known_key
from jakguide.guide.wording import normalise
from jakguide.kb.base import Knowledge, load_knowledge
from jakguide.kb.schema_guide import LISTED_TOPICS, PLACEHOLDER

PAIRS = approved_pairs(load_knowledge())
FN = re.compile(r"^#fn-(\d+)$")


def check_sources(kb: Knowledge, html: str) -> None:
    notes = footnotes(html)
    assert notes, "no footnotes"
    assert [int(k.removeprefix("fn-")) for k in notes] == list(range(1, len(notes) + 1))
    for note in notes.values():
        doc = note.attrs["data-doc"]
        assert doc in kb.sources, doc
        assert note.attrs["data-section"].strip()
        src = kb.sources[doc]
        text = " ".join(note.text.split())
        if src.document is not None:  # a label: the regulator document, never the copy read
            assert src.document.reference() in text
            if src.read_via is not None and src.read_via.url:
                assert src.read_via.url not in html
            if src.revision is not None:
                assert "Revision:" in note.text
        else:
            assert src.title in text
    cited: set[str] = set()
    sts = statements(html)
    assert sts
    for st in sts:
        assert st.links, f"statement {st.attrs['data-statement']!r} has no footnote: {st.text!r}"
        for link in st.links:
            m = FN.match(link)
            assert m and f"fn-{m.group(1)}" in notes, link
            cited.add(f"fn-{m.group(1)}")
    assert cited == set(notes), "a footnote no statement cites"
    # Nothing in <main> but statements: every paragraph and list item outside the sources is one.
    for el in parse(html):
        if el.in_main and not el.in_sources and el.tag in ("p", "li"):
            assert "data-statement" in el.attrs, el.text


@pytest.mark.parametrize(("drug", "condition", "region"), PAIRS, ids=["-".join(p) for p in PAIRS])
def test_every_statement_has_a_resolving_footnote(
    kb: Knowledge, drug: str, condition: str, region: str
) -> None:
    check_sources(kb, html_for(kb, complete_patient(kb, condition), drug, condition, region))


def test_banner_statements_cite_the_findings_sources(kb: Knowledge) -> None:
    patient = complete_patient(kb, "ankylosing-spondylitis")
    html = html_for(kb, patient, "baricitinib", "ankylosing-spondylitis")
    check_sources(kb, html)
    notes = footnotes(html)
    finding = next(s for s in statements(html) if s.attrs["data-statement"] == "banner.finding")
    docs = {notes[link.removeprefix("#")].attrs["data-doc"] for link in finding.links}
    assert "jakguide-guide-wording" in docs
    assert docs & {d for d, s in kb.sources.items() if s.is_label}


def test_editorial_wording_is_its_own_source_type_and_says_it_is_not_reviewed(
    kb: Knowledge,
) -> None:
    src = kb.sources["jakguide-guide-wording"]
    assert src.authority == "local-policy"
    assert "not yet clinically reviewed" in src.title
    for st in kb.guide.values():
        assert st.source.doc in kb.sources, st.id
        for extra in st.more_sources:
            assert extra.doc in kb.sources, (st.id, extra.doc)


def test_wording_names_only_known_drugs_conditions_and_facts(kb: Knowledge) -> None:
    for st in kb.guide.values():
        for drug in st.drugs or []:
            assert drug in kb.drugs, (st.id, drug)
        for cond in st.conditions or []:
            assert cond in kb.conditions, (st.id, cond)
        for key in st.facts:
            assert known_key(key), (st.id, key)
    listed = {st.topic for st in kb.guide.values()} & set(LISTED_TOPICS)
    assert listed == set(LISTED_TOPICS)


def test_listed_wording_uses_only_guide_wide_placeholders(kb: Knowledge) -> None:
    allowed = {"brand", "inn", "condition", "region_name", "today", "kinases"}
    allowed |= {"contraception_weeks"}
    for st in kb.guide.values():
        if st.topic in LISTED_TOPICS:
            assert set(PLACEHOLDER.findall(st.text)) <= allowed, st.id


def _glossary(kb: Knowledge, topic: str) -> set[str]:
    return {normalise(m) for st in kb.guide.values() if st.topic == topic for m in st.matches or []}


def test_every_adverse_reaction_term_has_plain_words(kb: Knowledge) -> None:
    known = _glossary(kb, "term")
    missing = {
        normalise(part)
        for mono in kb.drugs.values()
        for ar in mono.adverse_reactions
        for part in split_terms(ar.term)
        if normalise(part) not in known
    }
    assert not missing


def test_every_trial_endpoint_has_plain_words(kb: Knowledge) -> None:
    known = _glossary(kb, "endpoint")
    missing = {
        e.endpoint
        for mono in kb.drugs.values()
        for e in mono.efficacy
        if normalise(e.endpoint) not in known
    }
    assert not missing


def test_every_analyte_form_condition_and_check_has_plain_words(kb: Knowledge) -> None:
    ids = set(kb.guide)
    for mono in kb.drugs.values():
        for form in mono.forms:
            assert f"form.{form.id}" in ids
        for label in mono.regions.values():
            for item in label.monitoring:
                assert f"analyte.{item.analyte}" in ids
            for s in label.screening:
                if s.item not in ("zoster-vaccine", "immunizations", "live-vaccines"):
                    assert f"screening.{s.item}" in ids
    for cond in kb.conditions:
        assert f"condition.{cond}" in ids
