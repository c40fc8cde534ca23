"""One response judgement: the record page's badges say what the engine's response findings say,
for every demo patient (both come from ``rules.outcome``)."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from jakguide.engine import assess
from jakguide.kb.base import Knowledge
from jakguide.model import AssessRequest, Patient
from pages_support import AS_OF, Site

# badge name -> (response finding of the engine, the criteria that make the badge "reached")
BADGES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "PASI 75": (("response.pasi",), ("PASI 75",)),
    "ASDAS clinically important improvement": (
        ("response.asdas-crp", "response.asdas-esr"),
        ("ASDAS clinically important improvement",),
    ),
    "DAPSA response": (
        ("response.dapsa",),
        ("DAPSA minor response", "DAPSA moderate response", "DAPSA major response"),
    ),
}


def _badges(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-badge="([^"]+)" data-state="([a-z-]+)"', html))


def _engine_states(patient: Patient, kb: Knowledge) -> dict[str, str]:
    assert patient.therapy is not None and patient.conditions
    request = AssessRequest(
        condition=patient.conditions[0], as_of=AS_OF, drugs=[patient.therapy.drug]
    )
    (option,) = assess(patient, request, kb).options
    states: dict[str, str] = {}
    for badge, (rules, criteria) in BADGES.items():
        found = [f for f in option.findings if f.rule in rules and f.kind == "response"]
        if not found:
            states[badge] = "not-evaluable"
            continue
        facts = set(found[0].facts)
        if found[0].message.startswith("Response not evaluable"):
            states[badge] = "not-evaluable"
        elif any(f"{c}: met" in facts for c in criteria):
            states[badge] = "reached"
        else:
            states[badge] = "not-reached"
    return states


def test_page_badges_agree_with_the_engine(client: TestClient, site: Site, kb: Knowledge) -> None:
    compared = 0
    for pid, label, _ in site.demo.patients:
        page = _badges(client.get(f"/patients/{pid}").text)
        data = client.get(f"/api/patients/{pid}/snapshot").json()
        patient = Patient.model_validate(data)
        if patient.therapy is None:
            continue
        engine = _engine_states(patient, kb)
        for badge, state in page.items():
            if badge in engine:
                assert state == engine[badge], (label, badge)
                compared += 1
    assert compared >= 5, compared  # PASI, ASDAS and DAPSA badges of the demo clinic


# Criterion keys and Python booleans are code: a page shows "EASI-75: met" (issue 12).
MACHINE = re.compile(
    r"=(True|False|true|false)\b|\b(clinically_important|salt_le_20|eular_moderate_or_good"
    r"|eular_good|easi\d\d|pasi\d\d|asas\d\d|basdai50|clinical_response|partial_remission)\b"
)


def test_record_and_guide_pages_show_no_criterion_code(client: TestClient, site: Site) -> None:
    shown = 0
    for pid, label, _ in site.demo.patients:
        for url in (f"/patients/{pid}", f"/patients/{pid}/guide.html"):
            r = client.get(url)
            if r.status_code != 200:  # a guide needs a drug: patients without a therapy
                continue
            shown += "guide" in url
            text = re.sub(r"<[^>]+>", " ", r.text)  # attributes (handles) are not shown
            found = MACHINE.search(text)
            assert found is None, (label, url, text[max(0, found.start() - 80) : found.end() + 40])
    assert shown >= 3, shown  # the guides of the treated demo patients were read
