"""A patient on therapy whose response falls short: the guide builds, and cites the instrument."""

from __future__ import annotations

import pytest

from guide_support import AS_OF, BASE
from jakguide.adapters.native import patient_from_data
from jakguide.engine import assess
from jakguide.guide import GuideRequest, render_guide_html
from jakguide.kb.base import Knowledge
from jakguide.model import AssessRequest


def test_guide_for_a_patient_whose_asdas_improvement_is_below_the_cut_off(kb: Knowledge) -> None:
    data = {
        **BASE,
        "conditions": ["ankylosing-spondylitis"],
        "therapy": {
            "drug": "upadacitinib",
            "dose_mg": 15,
            "per_day": 1,
            "start_date": "2026-07-01",
        },
        "scores": [
            {"instrument": "asdas-crp", "date": "2026-06-25", "value": 3.0},
            {"instrument": "asdas-crp", "date": "2026-10-20", "value": 2.5},
        ],
    }
    patient = patient_from_data(data, kb)
    request = AssessRequest(condition="ankylosing-spondylitis", as_of=AS_OF, drugs=["upadacitinib"])
    option = assess(patient, request, kb).options[0]
    response = [f for f in option.findings if f.rule == "response.asdas-crp"]
    assert response and response[0].severity == "warning"  # delta 0.5 < 1.1: not important
    assert all(kb.source(s.doc) is not None for f in option.findings for s in f.sources)
    html = render_guide_html(
        patient,
        GuideRequest(drug="upadacitinib", condition="ankylosing-spondylitis", as_of=AS_OF),
        kb,
    )
    assert "Rinvoq" in html
    # the guide says what the engine says: the improvement is not (yet) a response
    assert "That is not yet a good response." in html
    assert "went from 3 on 25 June 2026 to 2.5 on 20 October 2026" in html


def test_guide_says_so_when_the_response_is_met(kb: Knowledge) -> None:
    data = {
        **BASE,
        "conditions": ["ankylosing-spondylitis"],
        "therapy": {
            "drug": "upadacitinib",
            "dose_mg": 15,
            "per_day": 1,
            "start_date": "2026-07-01",
        },
        "scores": [
            {"instrument": "asdas-crp", "date": "2026-06-25", "value": 3.6},
            {"instrument": "asdas-crp", "date": "2026-10-20", "value": 1.5},
        ],
    }
    patient = patient_from_data(data, kb)
    request = AssessRequest(condition="ankylosing-spondylitis", as_of=AS_OF, drugs=["upadacitinib"])
    option = assess(patient, request, kb).options[0]
    (finding,) = [f for f in option.findings if f.rule == "response.asdas-crp"]
    assert finding.severity == "info" and "ASDAS major improvement met" in finding.message
    html = render_guide_html(
        patient,
        GuideRequest(drug="upadacitinib", condition="ankylosing-spondylitis", as_of=AS_OF),
        kb,
    )
    assert "That counts as a good response." in html


def test_engine_target_findings_come_from_the_guideline_numbers(kb: Knowledge) -> None:
    """A psoriasis patient on deucravacitinib with BSA scores: the NPF check cites the merged
    source id and the message carries the knowledge's numbers."""
    data = {
        **BASE,
        "conditions": ["plaque-psoriasis"],
        "therapy": {
            "drug": "deucravacitinib",
            "dose_mg": 6,
            "per_day": 1,
            "start_date": "2026-07-01",
        },
        "scores": [
            {"instrument": "bsa", "date": "2026-06-25", "value": 12},
            {"instrument": "bsa", "date": "2026-10-20", "value": 2.5},
        ],
    }
    patient = patient_from_data(data, kb)
    request = AssessRequest(condition="plaque-psoriasis", as_of=AS_OF, drugs=["deucravacitinib"])
    option = assess(patient, request, kb).options[0]
    (finding,) = [f for f in option.findings if f.rule.startswith("response.target.")]
    assert finding.rule == "response.target.npf-bsa-acceptable"
    assert [s.doc for s in finding.sources] == ["npf-t2t-2017"]
    assert "BSA <= 3% or >= 75% improvement" in finding.message


@pytest.mark.parametrize(
    ("condition", "drug", "instrument", "before", "after", "good"),
    [
        ("rheumatoid-arthritis", "upadacitinib", "das28-crp", 5.4, 3.0, True),  # EULAR good
        ("rheumatoid-arthritis", "upadacitinib", "das28-crp", 5.4, 4.9, False),  # fall 0.5
        ("atopic-dermatitis", "abrocitinib", "easi", 24, 6, True),  # EASI-75
        ("atopic-dermatitis", "abrocitinib", "easi", 24, 10, False),  # EASI-50 only
        ("alopecia-areata", "baricitinib", "salt", 80, 20, True),  # SALT <= 20
        ("alopecia-areata", "baricitinib", "salt", 80, 21, False),
    ],
)
def test_is_it_working_for_the_other_conditions(
    kb: Knowledge,
    condition: str,
    drug: str,
    instrument: str,
    before: float,
    after: float,
    good: bool,
) -> None:
    """The guide's "so far" words the criterion the labels' trials used (EASI-75, not any
    EASI response), the same the record page's badge shows."""
    data = {
        **BASE,
        "conditions": [condition],
        "therapy": {"drug": drug, "start_date": "2026-05-01"},
        "scores": [
            {"instrument": instrument, "date": "2026-04-25", "value": before},
            {"instrument": instrument, "date": "2026-10-20", "value": after},
        ],
    }
    patient = patient_from_data(data, kb)
    html = render_guide_html(patient, GuideRequest(drug=drug, condition=condition, as_of=AS_OF), kb)
    assert f"your {instrument.upper()} score went from" in html
    assert ("That counts as a good response." in html) == good
    assert ("That is not yet a good response." in html) == (not good)
