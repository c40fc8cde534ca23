"""Public condition guides: approvals per region as the knowledge holds them, the acceptance
wording (US plaque psoriasis, the axSpA rules), trial numbers only beside placebo, every statement
sourced, grade 8 or below, and the ``condition-guide`` command."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import textstat

from jakguide.guide import body_text
from jakguide.guide.condition import (
    SHARED,
    build_condition_guide,
    condition_guide_html,
    condition_guide_markdown,
)
from jakguide.kb.base import Knowledge, load_knowledge
from jakguide.kb.listing import approved_conditions

AS_OF = dt.date(2026, 12, 1)
MAX_GRADE = 8.0
GUIDE_CONDITIONS = (
    "plaque-psoriasis",
    "psoriatic-arthritis",
    "ankylosing-spondylitis",
    "non-radiographic-axial-spondyloarthritis",
    "rheumatoid-arthritis",
    "atopic-dermatitis",
    "alopecia-areata",
    "vitiligo",
    "ulcerative-colitis",
    "crohns-disease",
    "chronic-hand-eczema",
)
CASES = [(c, r) for c in GUIDE_CONDITIONS for r in sorted(load_knowledge().index.regions)]


class _Visible(HTMLParser):
    """All text a reader sees in <body> (no style, no footnote markers)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "sup", "head"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "sup", "head"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    p = _Visible()
    p.feed(html)
    return re.sub(r"\s+", " ", " ".join(p.parts))


@pytest.mark.parametrize(("condition", "region"), CASES, ids=["-".join(c) for c in CASES])
def test_approvals_match_the_knowledge(kb: Knowledge, condition: str, region: str) -> None:
    guide = build_condition_guide(condition, region, AS_OF, kb)
    shared = SHARED.get(condition, (condition,))
    expected = [
        m.id
        for m in kb.marketed(region)  # type: ignore[arg-type]
        if set(approved_conditions(m.regions[region])) & set(shared)  # type: ignore[index]
    ]
    assert list(guide.approved) == expected
    assert set(guide.not_approved) == {m.id for m in kb.marketed(region)} - set(expected)  # type: ignore[arg-type]
    text = condition_guide_markdown(guide)
    for drug in guide.not_approved:
        label = kb.drugs[drug].regions[region]  # type: ignore[index]
        line = next(x for x in text.splitlines() if f"({kb.drugs[drug].inn}) is not approved" in x)
        for cid in approved_conditions(label):
            plain = kb.guide.get(f"condition.{cid}")
            assert (plain.text if plain else kb.conditions[cid].name) in line


@pytest.mark.parametrize(("condition", "region"), CASES, ids=["-".join(c) for c in CASES])
def test_every_statement_is_sourced_and_reads_at_grade_8(
    kb: Knowledge, condition: str, region: str
) -> None:
    guide = build_condition_guide(condition, region, AS_OF, kb)
    numbers = {fn.number for fn in guide.footnotes}
    for st in guide.statements():
        assert st.refs, st.id
        assert set(st.refs) <= numbers
    html = condition_guide_html(guide)
    assert "<script" not in html and "http" not in html.split("<main", 1)[0]  # offline page
    assert textstat.flesch_kincaid_grade(body_text(html)) <= MAX_GRADE
    assert textstat.flesch_kincaid_grade(visible(html).rsplit(" Sources ", 1)[0]) <= MAX_GRADE


@pytest.mark.parametrize(("condition", "region"), CASES, ids=["-".join(c) for c in CASES])
def test_trial_numbers_only_beside_placebo(kb: Knowledge, condition: str, region: str) -> None:
    guide = build_condition_guide(condition, region, AS_OF, kb)
    for st in guide.statements():
        if any(r.kind == "value" for r in st.runs):
            assert "On a dummy pill, it was" in st.text or "no drug in it, it was" in st.text


def test_us_plaque_psoriasis_names_deucravacitinib_and_not_the_others(kb: Knowledge) -> None:
    guide = build_condition_guide("plaque-psoriasis", "US", AS_OF, kb)
    assert guide.approved == ("deucravacitinib",)
    text = condition_guide_markdown(guide)
    assert "Sotyktu (deucravacitinib) is approved for plaque psoriasis" in text
    for inn in ("tofacitinib", "upadacitinib", "abrocitinib"):
        assert inn in guide.not_approved
        assert (
            f"({inn}) is not approved for plaque psoriasis here. It is used for other things"
            in text
        )


def _approval_line(text: str, inn: str, condition_word: str) -> str:
    return next(x for x in text.splitlines() if f"({inn}) is approved for {condition_word}" in x)


def test_axspa_guide_explains_the_us_and_eu_rules(kb: Knowledge) -> None:
    us = condition_guide_markdown(build_condition_guide("ankylosing-spondylitis", "US", AS_OF, kb))
    eu = condition_guide_markdown(build_condition_guide("ankylosing-spondylitis", "EU", AS_OF, kb))
    for region, text in (("US", us), ("EU", eu)):
        label = kb.drugs["upadacitinib"].regions[region]  # type: ignore[index]
        ind = next(i for i in label.indications if i.condition == "ankylosing-spondylitis")
        line = _approval_line(text, "upadacitinib", "ankylosing spondylitis")
        assert ind.prerequisites
        for pre in ind.prerequisites:
            for cid in pre.classes:
                assert kb.classes[cid].name in line
    assert "TNF blockers" in _approval_line(us, "upadacitinib", "ankylosing spondylitis")
    assert "TNF blockers" not in _approval_line(eu, "upadacitinib", "ankylosing spondylitis")


def test_cli_markdown_to_stdout_and_bad_condition_exit_2() -> None:
    run = [sys.executable, "-m", "jakguide.cli", "condition-guide"]
    ok = subprocess.run(
        [*run, "vitiligo", "--region", "EU", "--format", "md", "--as-of", "2026-12-01"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("# JAK medicines for vitiligo")
    bad = subprocess.run([*run, "psoriasiss"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    assert "psoriasiss" in bad.stderr and "plaque-psoriasis" in bad.stderr
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize(
    "condition", ["ankylosing-spondylitis", "non-radiographic-axial-spondyloarthritis"]
)
def test_axspa_guide_names_exercise_and_physiotherapy_with_the_guideline(
    kb: Knowledge, condition: str
) -> None:
    guide = build_condition_guide(condition, "EU", AS_OF, kb)
    other = next(s for s in guide.sections if s.id == "other")
    exercise = next(p for p in other.paragraphs if p.id == "cg.other.axspa-exercise")
    assert "exercise" in exercise.text and "physio" in exercise.text
    docs = {fn.doc for fn in guide.footnotes if fn.number in exercise.refs}
    assert "asas-eular-2022-axspa" in docs
    psoriasis = build_condition_guide("plaque-psoriasis", "EU", AS_OF, kb)
    assert "other" not in {s.id for s in psoriasis.sections}


def test_cli_pdf_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "guide.pdf"
    got = subprocess.run(
        [sys.executable, "-m", "jakguide.cli", "condition-guide", "rheumatoid-arthritis",
         "--region", "US", "--format", "pdf", "--as-of", "2026-12-01", "--output", str(target)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert got.returncode == 0, got.stderr
    assert target.read_bytes().startswith(b"%PDF")
