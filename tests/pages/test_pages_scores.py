"""Score entry: fields from the instruments' declared inputs, messages next to the field, the
stored value computed by the instrument, DLQI item scores with the notice and no question text."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from jakguide.instruments import DLQI_NOTICE, score
from jakguide.web.pages.scores import FORM_TITLES, form_fields
from pages_support import AS_OF, Site, csrf_of

PASI_FORM = {
    **{f"{r}.{p}": "2" for r in ("head", "upper_limbs", "trunk", "lower_limbs")
       for p in ("erythema", "induration", "desquamation")},
    **{f"{r}.area_percent": "20" for r in ("head", "upper_limbs", "trunk", "lower_limbs")},
}  # fmt: skip


def scores_of(client: TestClient, pid: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = client.get(f"/api/patients/{pid}/scores").json()
    return rows


@pytest.mark.parametrize("instrument", [k for k, _ in FORM_TITLES])
def test_every_form_shows_its_fields(client: TestClient, site: Site, instrument: str) -> None:
    pid = site.patient("DEMO-PSO-2")
    r = client.get(f"/patients/{pid}/scores/new", params={"instrument": instrument})
    assert r.status_code == 200
    for f in form_fields(instrument):
        assert f'id="{f.name}"' in r.text, f.name
        if f.high is not None and not f.choices:
            assert f'max="{f.high:g}"' in r.text


def test_pasi_has_four_regions(client: TestClient, site: Site) -> None:
    page = client.get(f"/patients/{site.patient('DEMO-PSO-2')}/scores/new?instrument=pasi").text
    legends = re.findall(r"<legend>([^<]+)</legend>", page)
    assert legends == ["Head", "Upper limbs", "Trunk", "Lower limbs"]


def test_dlqi_shows_the_notice_and_never_the_questions(client: TestClient, site: Site) -> None:
    page = client.get(f"/patients/{site.patient('DEMO-PSO-2')}/scores/new?instrument=dlqi").text
    assert DLQI_NOTICE in page
    assert "Item 1 score" in page and "Item 10 score" in page
    for words in ("itchy", "embarrassed", "shopping", "clothes", "sexual", "garden"):
        assert words not in page.lower(), words


def test_saved_pasi_is_the_instruments_score_and_bsa_is_kept(
    client: TestClient, site: Site
) -> None:
    pid = site.patient("DEMO-PSO-2")
    before = len(scores_of(client, pid))
    data = {**PASI_FORM, "bsa_percent": "12", "date": AS_OF.isoformat(),
            "csrf_token": csrf_of(client)}  # fmt: skip
    r = client.post(
        f"/patients/{pid}/scores/new?instrument=pasi", data=data, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    rows = scores_of(client, pid)
    assert len(rows) == before + 2
    pasi = next(s for s in rows[::-1] if s["instrument"] == "pasi")
    region = {"erythema": 2, "induration": 2, "desquamation": 2, "area_percent": 20.0}
    expected = score(
        "pasi", head=region, upper_limbs=region, trunk=region, lower_limbs=region
    ).value
    assert pasi["value"] == pytest.approx(float(expected))
    severity = next(s for s in rows[::-1] if s["instrument"] == "psoriasis-severity")
    assert severity["inputs"]["bsa_percent"] == 12 and severity["category"] == "severe"
    page = client.get(r.headers["location"]).text
    assert "Saved: PASI" in page


def test_messages_next_to_the_field(client: TestClient, site: Site) -> None:
    pid = site.patient("DEMO-AS-2")
    before = len(scores_of(client, pid))
    data = {"q1": "11", "q2": "x", "q3": "", "q4": "2", "q5": "2", "q6": "2",
            "csrf_token": csrf_of(client)}  # fmt: skip
    r = client.post(f"/patients/{pid}/scores/new?instrument=basdai", data=data)
    assert r.status_code == 422
    for name in ("q1", "q2", "q3"):
        assert f'id="{name}-error"' in r.text, name
    assert 'id="q4-error"' not in r.text
    assert 'value="11"' in r.text  # kept for correction
    # A cross-field error comes from the instrument and lands on its field (DLQI: 2 missing).
    dlqi = {f"q{i}": "1" for i in range(1, 9)} | {"csrf_token": csrf_of(client)}
    r = client.post(f"/patients/{pid}/scores/new?instrument=dlqi", data=dlqi)
    assert r.status_code == 422 and "-error" in r.text
    assert len(scores_of(client, pid)) == before


def test_asdas_and_dapsa_take_crp_in_either_unit(client: TestClient, site: Site) -> None:
    pid = site.patient("DEMO-PSA-1")
    data = {"tender_joints": "3", "swollen_joints": "1", "patient_global": "2", "pain": "2",
            "crp": "0.5", "crp_unit": "mg/dL", "csrf_token": csrf_of(client)}  # fmt: skip
    r = client.post(
        f"/patients/{pid}/scores/new?instrument=dapsa", data=data, follow_redirects=False
    )
    assert r.status_code == 303
    last = scores_of(client, pid)[-1]
    assert last["inputs"]["crp_mg_dl"] == 0.5
    expected = score("dapsa", tender_joints=3, swollen_joints=1, patient_global=2, pain=2,
                     crp_mg_dl=0.5).value  # fmt: skip
    assert last["value"] == pytest.approx(float(expected))


def test_unknown_form(client: TestClient, site: Site) -> None:
    r = client.get(f"/patients/{site.patient('DEMO-AS-2')}/scores/new?instrument=napsi")
    assert r.status_code == 404
