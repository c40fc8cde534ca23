"""Issue 10 on the assessment form: a unit slip is refused at its field with the suggestion and
what was typed is kept; a brand or a misspelling of a prior therapy is resolved or suggested."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from pages_support import FORM, csrf_of


def _statuses(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-drug="([a-z]+)" data-status="([a-z-]+)"', html))


def test_unit_slip_message_at_the_field(client: TestClient) -> None:
    form = {**FORM, "lab_lymphocytes_unit": "/uL", "csrf_token": csrf_of(client)}
    r = client.post("/assess", data=form)
    assert r.status_code == 422
    assert 'id="lab_lymphocytes_value-error"' in r.text
    assert "did you mean 1.8 10*3/uL or 1.8 10*9/L?" in r.text
    assert 'value="1.8"' in r.text  # what was typed is kept


def test_brand_and_misspelled_prior_therapy(client: TestClient) -> None:
    r = client.post(
        "/assess", data={**FORM, "prior_drug_0": "Humira", "csrf_token": csrf_of(client)}
    )
    assert r.status_code == 200, r.text
    assert _statuses(r.text)["upadacitinib"] == "eligible"
    r = client.post(
        "/assess", data={**FORM, "prior_drug_0": "adalimumb", "csrf_token": csrf_of(client)}
    )
    assert r.status_code == 200, r.text
    assert _statuses(r.text)["upadacitinib"] == "needs-data"
    assert "nearest: adalimumab" in r.text
