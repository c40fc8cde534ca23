"""The patient list scales (issue 12): search, filter and sort are ``/patients?...`` links; a
self-report with side effects needs attention. Read on the demo clinic (five patients)."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from jakguide.kb.base import Knowledge
from jakguide.web.pages.scores import FORM_TITLES
from pages_support import Site


def _labels(html: str) -> list[str]:
    return re.findall(r'<p class="p-name"><a href="/patients/[^"]+">([^<]+)</a>', html)


def test_search_filter_and_sort(client: TestClient, site: Site) -> None:
    everyone = _labels(client.get("/patients?sort=label").text)
    assert everyone == sorted(everyone, key=str.lower) and len(everyone) >= 5
    assert _labels(client.get("/patients?q=psa&sort=label").text) == [
        x for x in everyone if "psa" in x.lower()
    ]
    axial = _labels(client.get("/patients?condition=ankylosing-spondylitis").text)
    assert axial and all(x.startswith("DEMO-AS") for x in axial)
    overdue = client.get("/patients?show=overdue").text
    assert _labels(overdue) == ["DEMO-PSA-1"] and "1 of " in overdue
    flags = re.findall(r'data-attention="(yes|no)"', client.get("/patients?sort=attention").text)
    assert "yes" in flags and flags == sorted(flags, reverse=True)  # needs attention first
    none = client.get("/patients?q=no-such-patient").text
    assert _labels(none) == [] and "No patient matches" in none


def test_bad_list_queries_are_refused(client: TestClient) -> None:
    for query in ("show=everything", "sort=age", "page=0", "q=" + "x" * 101):
        r = client.get("/patients?" + query)
        assert r.status_code == 422, query


def _buttons(html: str) -> list[str]:
    block = re.search(r'<ul class="badges" id="score-forms">(.*?)</ul>', html, re.S)
    assert block is not None
    return re.findall(r"instrument=([a-z-]+)", block.group(1))


def _listed(kb: Knowledge, condition: str) -> list[str]:
    """The forms the knowledge lists for ``condition``, in its order."""
    forms = dict(FORM_TITLES)
    return [i for i in kb.conditions[condition].instruments if i in forms]


def test_score_buttons_fit_the_patients_condition(
    client: TestClient, site: Site, kb: Knowledge
) -> None:
    axial = client.get(f"/patients/{site.patient('DEMO-AS-1')}").text
    assert _buttons(axial) == _listed(kb, "ankylosing-spondylitis")
    assert {"basdai", "asdas-crp", "basfi"} <= set(_buttons(axial))
    assert "pasi" not in _buttons(axial)
    assert 'value="dlqi"' not in axial.split('id="l-questionnaire"')[1].split("</select>")[0]
    skin = client.get(f"/patients/{site.patient('DEMO-PSO-1')}").text
    assert _buttons(skin) == _listed(kb, "plaque-psoriasis")
    assert "pasi" in _buttons(skin) and "basdai" not in _buttons(skin)
