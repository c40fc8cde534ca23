"""Readability: the guide's body text is at Flesch-Kincaid grade 8 or below (textstat).

Body text is every statement's own wording (``jakguide.guide.body_text``): label quotes, trial and
study-arm names and footnote markers are not ours to simplify and are left out. Every indication
in the knowledge is covered (drug x condition x region), plus patients that reach the banner,
the pregnancy section and the on-therapy wording.
"""

from __future__ import annotations

from typing import Any

import pytest
import textstat

from guide_support import approved_pairs, complete_patient, html_for, patient_data
from jakguide.adapters.native import patient_from_data
from jakguide.guide import body_text
from jakguide.kb.base import Knowledge, load_knowledge

MAX_GRADE = 8.0
MIN_WORDS = 250  # a guide measured on a handful of words would prove nothing

PAIRS = approved_pairs(load_knowledge())


def grade(html: str) -> float:
    text = body_text(html)
    assert textstat.lexicon_count(text) >= MIN_WORDS, text
    return float(textstat.flesch_kincaid_grade(text))


@pytest.mark.parametrize(("drug", "condition", "region"), PAIRS, ids=["-".join(p) for p in PAIRS])
def test_every_indication_guide_reads_at_grade_8_or_below(
    kb: Knowledge, drug: str, condition: str, region: str
) -> None:
    html = html_for(kb, complete_patient(kb, condition), drug, condition, region)
    assert grade(html) <= MAX_GRADE


VARIANTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "not-indicated": ("baricitinib", "ankylosing-spondylitis", {}),
    "contraindicated": (
        "upadacitinib",
        "rheumatoid-arthritis",
        {"allergies": [{"drug": "upadacitinib"}]},
    ),
    "not-recommended": (
        "tofacitinib",
        "rheumatoid-arthritis",
        {"active_infections": [{"name": "pneumonia", "serious": True}]},
    ),
    "needs-data": ("upadacitinib", "psoriatic-arthritis", {"labs": None}),
    "caution-interaction": (
        "upadacitinib",
        "rheumatoid-arthritis",
        {"medications": [{"drug": "ketoconazole", "route": "oral"}]},
    ),
    "pregnant-breastfeeding": (
        "abrocitinib",
        "atopic-dermatitis",
        {"pregnancy": "pregnant", "breastfeeding": "yes"},
    ),
    "male": (
        "deucravacitinib",
        "plaque-psoriasis",
        {"sex": "male", "reproductive_potential": None},
    ),
    "on-therapy": (
        "tofacitinib",
        "ulcerative-colitis",
        {"therapy": {"drug": "tofacitinib", "start_date": "2026-03-02"}},
    ),
}


@pytest.mark.parametrize("case", sorted(VARIANTS))
def test_variant_guides_read_at_grade_8_or_below(kb: Knowledge, case: str) -> None:
    drug, condition, changes = VARIANTS[case]
    data = patient_data(condition, **changes)
    data = {k: v for k, v in data.items() if v is not None}
    html = html_for(kb, patient_from_data(data, kb), drug, condition)
    assert grade(html) <= MAX_GRADE


def test_quotes_and_names_are_not_body_text(kb: Knowledge) -> None:
    html = html_for(
        kb, complete_patient(kb, "ankylosing-spondylitis"), "upadacitinib", "ankylosing-spondylitis"
    )
    text = body_text(html)
    assert "SELECT-AXIS 1" in html and "SELECT-AXIS 1" not in text
    assert "15 mg once daily" in html and "Label summary:" in text
    assert "upadacitinib 15 mg once daily" not in text
    assert "Rinvoq" in text
