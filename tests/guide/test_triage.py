"""Symptom triage: every warning sign on every label it applies to, the acceptance cases, the
conservative rules (unknown words -> today, the region's emergency number in every answer), and
the CLI. Urgencies are read from the knowledge, never restated here."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from jakguide.errors import InputError
from jakguide.guide.facts import FactResolver
from jakguide.guide.triage import ORDER, match, triage, triage_data
from jakguide.kb.base import Knowledge, load_knowledge
from jakguide.kb.schema import Citation

KB = load_knowledge()
DATA = triage_data(KB)
SIGNS = {s.id: s for s in DATA.signs}


def _on_label(drug: str, region: str, sign_id: str) -> bool:
    sign = SIGNS[sign_id]
    mono = KB.drugs[drug]
    label = mono.regions[region]  # type: ignore[index]
    facts = FactResolver(KB, mono, label, region, "", None)
    return any(facts.resolve(k) is not None for k in sign.facts) or any(
        ls.drug == drug and ls.region == region for ls in sign.labels
    )


# Every (drug, region, sign) where the label carries the sign, with one symptom that names it.
CASES = [
    (drug, region, sign.id, next(s.words[0] for s in DATA.symptoms if sign.id in s.signs))
    for drug, mono in sorted(KB.drugs.items())
    for region in sorted(mono.regions)
    for sign in DATA.signs
    if (sign.facts or sign.labels) and _on_label(drug, region, sign.id)
]


def test_every_sign_is_named_by_a_symptom_and_every_label_has_signs() -> None:
    for sign in DATA.signs:
        assert any(sign.id in s.signs for s in DATA.symptoms), sign.id
    labelled = {(d, r) for d, r, _, _ in CASES}
    oral = {
        (d, r)
        for d, m in KB.drugs.items()
        for r in m.regions
        if any(f.route == "oral" for f in m.forms)
    }
    assert oral <= labelled  # every tablet's label carries warning signs


@pytest.mark.parametrize(
    ("drug", "region", "sign", "words"), CASES, ids=["-".join(c[:3]) for c in CASES]
)
def test_warning_sign_on_its_label(
    kb: Knowledge, drug: str, region: str, sign: str, words: str
) -> None:
    result = triage(drug, [words], region, kb)
    hit = next(r for r in result.reasons if r.sign == sign)
    # the sign's urgency from the knowledge, and at least that urgent overall
    assert hit.urgency == SIGNS[sign].urgency
    assert ORDER.index(result.urgency) <= ORDER.index(SIGNS[sign].urgency)
    docs = {s.doc for s in result.sources if s.number in hit.sources}
    read = {ls.doc for ls in SIGNS[sign].labels if ls.drug == drug and ls.region == region}
    assert KB.drugs[drug].regions[region].label in docs or any(  # type: ignore[index]
        s.doc in {c.doc for c in _label_docs(drug, region)} | read
        for s in result.sources
        if s.number in hit.sources
    )
    # every label document cited for the sign is a label of this region
    for doc in docs & read:
        src = KB.sources[doc]
        assert src.is_label and src.region == region
    assert result.emergency_number in result.emergency


def _label_docs(drug: str, region: str) -> list[Citation]:
    mono = KB.drugs[drug]
    label = mono.regions[region]  # type: ignore[index]
    facts = FactResolver(KB, mono, label, region, "", None)
    out: list[Citation] = []
    for sign in DATA.signs:
        for key in sign.facts:
            fact = facts.resolve(key)
            if fact is not None:
                out += [c for c in fact.citations if isinstance(c, Citation)]
    return out


LABELS = [(d, r) for d, m in sorted(KB.drugs.items()) for r in sorted(m.regions)]


@pytest.mark.parametrize(("drug", "region"), LABELS, ids=["-".join(x) for x in LABELS])
def test_chest_pain_with_breathlessness_is_an_emergency_on_any_agent(
    kb: Knowledge, drug: str, region: str
) -> None:
    result = triage(drug, ["chest pain", "short of breath"], region, kb)
    assert result.urgency == "emergency"


@pytest.mark.parametrize("drug", ["tofacitinib", "upadacitinib", "deucravacitinib", "ruxolitinib"])
def test_a_cold_without_fever_is_never_an_emergency(kb: Knowledge, drug: str) -> None:
    result = triage(drug, ["a cold without fever"], "US", kb)
    assert result.urgency in ("today", "next-visit")
    result = triage(drug, ["runny nose"], "US", kb)
    assert result.urgency in ("today", "next-visit")


def test_a_ticked_symptom_is_shown_in_words_not_as_its_id(kb: Knowledge) -> None:
    """The page's checkboxes send ids; the answer names the symptom as people say it."""
    by_id = {s.id: s for s in DATA.symptoms}
    result = triage("upadacitinib", ["chest-pain", "breathless"], "US", kb)
    shown = " ".join(r.symptom for r in result.reasons)
    assert "chest-pain" not in shown and by_id["chest-pain"].words[0] in shown
    assert by_id["breathless"].words[0] in shown


def test_unknown_words_give_today_naming_them(kb: Knowledge) -> None:
    result = triage("baricitinib", ["wobbly zorp"], "EU", kb)
    assert result.urgency == "today"
    assert "wobbly zorp" in result.reasons[0].text
    assert result.emergency_number == DATA.emergency_numbers["EU"].number


def test_a_minor_symptom_waits_but_doubt_goes_up(kb: Knowledge) -> None:
    assert triage("upadacitinib", ["headache"], "US", kb).urgency == "next-visit"
    assert triage("upadacitinib", ["headache", "fever"], "US", kb).urgency == "today"


def test_bad_input_names_the_field(kb: Knowledge) -> None:
    with pytest.raises(InputError) as e:
        triage("upadacitinib", ["  "], "US", kb)
    assert e.value.field == "symptoms"
    with pytest.raises(InputError) as e:
        triage("nosuchdrug", ["fever"], "US", kb)
    assert e.value.field == "drug"


def test_cli_json() -> None:
    got = subprocess.run(
        [
            sys.executable,
            "-m",
            "jakguide.cli",
            "triage",
            "--drug",
            "Rinvoq",
            "--format",
            "json",
            "chest pain",
            "short of breath",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert got.returncode == 0, got.stderr
    data = json.loads(got.stdout)
    assert data["urgency"] == "emergency" and data["reasons"] and data["sources"]
    bad = subprocess.run(
        [sys.executable, "-m", "jakguide.cli", "triage", "--drug", "xx", "fever"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


@pytest.mark.parametrize(
    "said",
    ["no fever", "without fever", "not feverish", "I don't have a fever", "no high temperature"],
)
def test_a_denied_symptom_is_not_matched(said: str) -> None:
    assert "fever" not in {s.id for s in match(DATA, said)}


@pytest.mark.parametrize(
    ("said", "named"),
    [
        ("fever", "fever"),
        ("a cold and a fever", "fever"),
        ("no fever or chills", "fever"),  # chills is not denied: the urgent reading stays
        ("fever? no", "fever"),  # a cue after the symptom denies nothing
        ("not without fever", "fever"),  # a double negative is ambiguous
        ("no, chest pain", "chest-pain"),  # punctuation ends the cue's reach
        ("no chest pain but short of breath", "breathless"),
        ("without fever chest pain", "chest-pain"),  # only the phrase right after the cue
    ],
)
def test_ambiguous_or_affirmed_symptoms_keep_the_urgent_reading(said: str, named: str) -> None:
    assert named in {s.id for s in match(DATA, said)}


def test_a_cold_without_fever_is_the_cold_only(kb: Knowledge) -> None:
    result = triage("tofacitinib", ["a cold without fever"], "US", kb)
    assert [r.matched for r in result.reasons] == ["cold"]
    assert result.urgency == SIGNS["infection"].urgency
    assert triage("tofacitinib", ["no chest pain", "short of breath"], "US", kb).urgency == (
        "emergency"
    )


def test_hypoglycaemia_is_cited_only_where_a_label_was_read_to_warn_of_it(kb: Knowledge) -> None:
    sign = SIGNS["low-blood-sugar"]
    read = [ls for ls in sign.labels if ls.verified]
    assert read and all(ls.doc and ls.quote and ls.verified_on for ls in read)
    for drug, region in LABELS:
        result = triage(drug, ["low blood sugar"], region, kb)
        hit = next(r for r in result.reasons if r.sign == "low-blood-sugar")
        cited = {s.doc for s in result.sources if s.number in hit.sources}
        listed = {
            ls.doc or KB.drugs[drug].regions[region].label
            for ls in sign.labels
            if ls.drug == drug and ls.region == region
        }
        if listed:
            assert listed <= cited
        else:  # not on this label: no label cited, and the answer says so
            assert all(not KB.sources[d].is_label for d in cited), (drug, region, cited)
            assert kb.guide["triage.not-on-label"].text in hit.text


def test_liver_signs_cite_the_labels_liver_test_monitoring(kb: Knowledge) -> None:
    for drug, region in LABELS:
        mono = KB.drugs[drug]
        label = mono.regions[region]
        items = [m for m in label.monitoring if m.analyte in ("alt", "ast")]
        result = triage(drug, ["yellow skin"], region, kb)
        hit = next(r for r in result.reasons if r.sign == "liver-injury")
        cited = {s.doc for s in result.sources if s.number in hit.sources}
        assert (
            ({items[0].source.doc} <= cited)
            if items
            else not any(KB.sources[d].is_label for d in cited)
        )
