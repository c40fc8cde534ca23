"""A patient on therapy whose response falls short: the guide builds, and cites the instrument."""

from __future__ import annotations

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
