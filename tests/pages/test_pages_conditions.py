"""Score entry, plots and response badges for the conditions beyond psoriasis and axSpA: every
instrument a labelled condition lists has a form built from its declared inputs, the saved score
is the instrument's, and the record page of an RA, AD or UC patient offers its own forms first,
plots its scores with the instrument's bands and shows the response the engine judges."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from starlette.testclient import TestClient

from jakguide.instruments import score
from jakguide.kb.base import Knowledge
from jakguide.web.pages.record import ALL_CHARTS
from jakguide.web.pages.scores import FORM_TITLES, FormField, form_fields, parse_fields
from pages_support import AS_OF, Site, csrf_of

ORIGINAL = {"pasi", "dlqi", "dapsa", "basdai", "asdas-crp", "basfi"}
NEW_FORMS = [k for k, _ in FORM_TITLES if k not in ORIGINAL]


def _value(f: FormField) -> str:
    if f.choices:
        return f.choices[-1][0] if f.name != "crp_unit" else "mg/L"
    low = f.low if f.low is not None else 0
    return f"{max(low, 1):g}" if f.high is None or f.high >= 1 else f"{low:g}"


def _form(instrument: str) -> dict[str, str]:
    return {f.name: _value(f) for f in form_fields(instrument)}


def test_every_listed_instrument_has_a_form_and_a_plot(kb: Knowledge) -> None:
    listed = {i for c in kb.conditions.values() for i in c.instruments}
    forms = {k for k, _ in FORM_TITLES}
    plotted = {c.instrument for c in ALL_CHARTS}
    # PGA, NAPSI and the severity rule are psoriasis extras entered elsewhere; BSA is an input
    # of the PASI form; ASAS is judged from the BASDAI, ASDAS and BASFI forms
    assert listed - forms <= {"napsi", "pga", "psoriasis-severity", "bsa", "mda", "asas"}
    assert listed - plotted - {"gca-sustained-remission"} <= {
        "asas",
        "napsi",
        "pga",
        "bsa",
        "mda",
        "basfi",
        "psoriasis-severity",
    }


@pytest.mark.parametrize("instrument", NEW_FORMS)
def test_each_new_form_saves_the_instruments_score(
    client: TestClient, site: Site, instrument: str
) -> None:
    pid = site.patient("DEMO-PSA-1")
    data = _form(instrument) | {"date": AS_OF.isoformat(), "csrf_token": csrf_of(client)}
    page = client.get(f"/patients/{pid}/scores/new", params={"instrument": instrument}).text
    for f in form_fields(instrument):
        assert f'id="{f.name}"' in page, f.name
    r = client.post(
        f"/patients/{pid}/scores/new",
        params={"instrument": instrument},
        data=data,
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[-2000:]
    saved = client.get(f"/api/patients/{pid}/scores").json()[-1]
    assert saved["instrument"] == instrument
    from starlette.datastructures import FormData

    inputs = parse_fields(instrument, FormData(list(data.items()))).inputs
    assert saved["value"] == pytest.approx(float(score(instrument, **inputs).value))


def test_grouped_forms_and_named_choices(client: TestClient, site: Site) -> None:
    pid = site.patient("DEMO-PSA-1")
    hecsi = client.get(f"/patients/{pid}/scores/new", params={"instrument": "hecsi"}).text
    assert hecsi.count("<legend>") == 5 and "<legend>Palms of the hands</legend>" in hecsi
    niaid = client.get(f"/patients/{pid}/scores/new", params={"instrument": "niaid-os"}).text
    assert "hospitalised, on invasive mechanical ventilation or ECMO" in niaid
    viga = client.get(f"/patients/{pid}/scores/new", params={"instrument": "viga-ad"}).text
    assert 'id="notice"' in viga and "Eli Lilly" in viga


def test_a_refused_value_is_shown_next_to_its_field(client: TestClient, site: Site) -> None:
    pid = site.patient("DEMO-PSA-1")
    data = _form("das28-crp") | {"tender_28": "29", "csrf_token": csrf_of(client)}
    r = client.post(f"/patients/{pid}/scores/new", params={"instrument": "das28-crp"}, data=data)
    assert r.status_code == 422 and 'id="tender_28-error"' in r.text


def _import(client: TestClient, label: str, body: dict[str, Any]) -> str:
    r = client.post(
        "/api/patients/import",
        params={"label": label},
        json=body,
        headers={"X-CSRF-Token": csrf_of(client)},
    )
    assert r.status_code == 201, r.text
    pid: str = r.json()["patient"]["id"]
    return pid


START = AS_OF - dt.timedelta(weeks=20)


def _patient(condition: str, drug: str, scores: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "sex": "female",
        "birth_date": "1975-03-02",
        "conditions": [condition],
        "therapy": {"drug": drug, "start_date": START.isoformat()},
        "scores": scores,
    }


@pytest.mark.parametrize(
    ("condition", "drug", "instrument", "before", "after", "badge", "state"),
    [
        (
            "rheumatoid-arthritis",
            "upadacitinib",
            "das28-crp",
            5.4,
            3.0,
            "DAS28-CRP EULAR moderate or good response",
            "reached",
        ),
        ("atopic-dermatitis", "abrocitinib", "easi", 24, 10, "EASI-75", "not-reached"),
        ("alopecia-areata", "baricitinib", "salt", 80, 15, "SALT &lt;= 20", "reached"),
    ],
)
def test_record_page_of_other_conditions(
    client: TestClient,
    site: Site,
    condition: str,
    drug: str,
    instrument: str,
    before: float,
    after: float,
    badge: str,
    state: str,
) -> None:
    scores = [
        {"instrument": instrument, "date": (START - dt.timedelta(days=3)).isoformat(),
         "value": before},
        {"instrument": instrument, "date": (AS_OF - dt.timedelta(days=2)).isoformat(),
         "value": after},
    ]  # fmt: skip
    pid = _import(client, f"T-{instrument}", _patient(condition, drug, scores))
    page = client.get(f"/patients/{pid}").text
    forms = page.split('id="score-forms"', 1)[1].split("</ul>", 1)[0]
    assert f"instrument={instrument}&" in forms, "the condition's own forms come first"
    assert "instrument=pasi&" not in forms and 'id="other-score-forms"' in page
    assert f'id="chart-{instrument}"' in page
    assert f'"key": "{instrument}"' in page or f'"key":"{instrument}"' in page
    assert f'data-badge="{badge}" data-state="{state}"' in page
