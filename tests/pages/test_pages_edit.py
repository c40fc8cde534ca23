"""Edit forms on the record pages honour the record's version (issue 19, lost updates).

Each form carries the version (the API's ETag) in a hidden field. A fresh submit saves; a submit
made after another change to the record answers 409 with "changed by someone else", the
person's input kept, the record's values now, and the new version (saving again then works).
In process here; two real browsers do the same in test_pages_browser.py.
"""

from __future__ import annotations

import re
from html import unescape

from starlette.testclient import TestClient

from jakguide.kb.base import Knowledge
from jakguide.web.pages.human import unit_text
from pages_support import Site, assert_page, csrf_of

CONFLICT = "Changed by someone else since you opened this form"


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found is not None, name
    return unescape(found.group(1))


def _value(html: str, name: str) -> str:
    found = re.search(rf'id="{name}" name="{name}"[^>]*value="([^"]*)"', html)
    assert found is not None, name
    return unescape(found.group(1))


def _selected(html: str, name: str) -> str:
    select = re.search(rf'<select id="{name}" name="{name}".*?</select>', html, re.S)
    assert select is not None, name
    found = re.search(r'<option value="([^"]*)" selected>', select.group(0))
    assert found is not None, name
    return unescape(found.group(1))


def _current(html: str) -> dict[str, str]:
    block = re.search(r'<dl class="current" id="current">(.*?)</dl>', html, re.S)
    assert block is not None
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block.group(1))
    return {unescape(k): unescape(v) for k, v in pairs}


def _details(html: str, **change: str) -> dict[str, str]:
    """The details form as the page filled it, with ``change`` typed over it."""
    data = {"csrf_token": _hidden(html, "csrf_token"), "version": _hidden(html, "version")}
    data["label"] = _value(html, "label")
    data["birth_date"] = _value(html, "birth_date")
    for name in ("sex", "smoking", "pregnancy", "breastfeeding", "reproductive_potential",
                 "hepatic_impairment", "on_dialysis"):  # fmt: skip
        data[name] = _selected(html, name)
    data.update(change)
    return data


def test_a_fresh_details_form_saves(client: TestClient, site: Site, kb: Knowledge) -> None:
    pid = site.patient("DEMO-PSO-2")
    record = client.get(f"/patients/{pid}").text
    assert f'href="/patients/{pid}/edit"' in record
    form = client.get(f"/patients/{pid}/edit")
    assert form.status_code == 200
    assert_page(form.text, kb)
    assert re.fullmatch(r'"\d+"', _hidden(form.text, "version"))
    r = client.post(
        f"/patients/{pid}/edit",
        data=_details(form.text, smoking="former", label="DEMO-PSO-2b"),
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    page = client.get(r.headers["location"]).text
    assert "<h1>DEMO-PSO-2b</h1>" in page and "Saved: patient details." in page
    again = client.get(f"/patients/{pid}/edit").text
    assert _selected(again, "smoking") == "former"
    assert _hidden(again, "version") != _hidden(form.text, "version")


def test_a_stale_details_form_shows_the_change_and_keeps_the_input(
    client: TestClient, site: Site
) -> None:
    pid = site.patient("DEMO-AS-1")
    first = client.get(f"/patients/{pid}/edit").text  # one clinician opens the form
    second = client.get(f"/patients/{pid}/edit").text  # another opens it too
    saved = client.post(
        f"/patients/{pid}/edit", data=_details(first, smoking="current"), follow_redirects=False
    )
    assert saved.status_code == 303
    stale = client.post(
        f"/patients/{pid}/edit", data=_details(second, label="AS-1 typed", sex="female")
    )
    assert stale.status_code == 409
    html = stale.text
    assert CONFLICT in html and "not saved" in html
    assert _value(html, "label") == "AS-1 typed" and _selected(html, "sex") == "female"
    now = _current(html)
    assert now["Smoking"] == "Current" and now["Clinic reference"] == "DEMO-AS-1"
    assert "Sex" not in now or now["Sex"] != "female"
    assert "Birth date" not in now  # the same in both: not listed
    kept = client.get(f"/patients/{pid}/edit").text
    assert _selected(kept, "smoking") == "current"  # nothing of the stale submit was written
    assert _hidden(html, "version") == _hidden(kept, "version")  # the version now
    resent = client.post(
        f"/patients/{pid}/edit", data=_details(html, smoking="current"), follow_redirects=False
    )
    assert resent.status_code == 303  # saving again, knowingly, works
    assert "<h1>AS-1 typed</h1>" in client.get(f"/patients/{pid}").text


def _lab_edit_link(html: str) -> str:
    found = re.search(r'<a class="edit" href="(/patients/[^/]+/labs/\d+/edit)">', html)
    assert found is not None
    return found.group(1)


def _lab(html: str, **change: str) -> dict[str, str]:
    data = {"csrf_token": _hidden(html, "csrf_token"), "version": _hidden(html, "version")}
    data["analyte"] = _selected(html, "analyte")
    for name in ("value", "date"):
        data[name] = _value(html, name)
    data["unit"] = _selected(html, "unit")
    data.update(change)
    return data


def test_a_lab_row_is_edited_with_its_version(client: TestClient, site: Site) -> None:
    pid = site.patient("DEMO-PSO-1")
    link = _lab_edit_link(client.get(f"/patients/{pid}").text)
    opened = client.get(link).text
    other = client.get(link).text
    unit = unit_text(_selected(opened, "unit"))
    r = client.post(link, data=_lab(opened, value="1.23"), follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    assert f"1.23 {unit}" in client.get(f"/patients/{pid}").text
    stale = client.post(link, data=_lab(other, value="4.56"))
    assert stale.status_code == 409
    assert CONFLICT in stale.text
    assert _value(stale.text, "value") == "4.56"
    assert _current(stale.text)["Value"] == "1.23"
    bad = client.post(link, data=_lab(stale.text, unit="furlong", date="2026-02-30"))
    assert bad.status_code == 422
    assert _selected(bad.text, "unit") == "furlong"
    assert 'id="date-error">Enter a date as YYYY-MM-DD.' in bad.text
    bad_unit = client.post(link, data=_lab(stale.text, unit="furlong"))
    assert bad_unit.status_code == 422 and 'id="unit-error"' in bad_unit.text
    not_number = client.post(link, data=_lab(stale.text, value="1,2,3"))
    assert not_number.status_code == 422 and 'id="value-error">Enter a number' in not_number.text
    assert _value(client.get(link).text, "value") == "1.23"  # none of the bad input was saved


def test_a_condition_row_cannot_become_a_duplicate(client: TestClient, site: Site) -> None:
    pid = site.patient("DEMO-PSA-1")
    record = client.get(f"/patients/{pid}").text
    links = re.findall(r'href="(/patients/[^/]+/conditions/\d+/edit)"', record)
    assert len(links) >= 2  # psoriatic arthritis and plaque psoriasis
    first, second = (client.get(link).text for link in links[:2])
    held = {_selected(first, "condition"), _selected(second, "condition")}
    data = {"csrf_token": csrf_of(client), "version": _hidden(first, "version")}
    r = client.post(links[0], data={**data, "condition": _selected(second, "condition")})
    assert r.status_code == 422
    assert 'id="condition-error">The record already has this condition.' in r.text
    new = next(c for c in ("rheumatoid-arthritis", "atopic-dermatitis") if c not in held)
    r = client.post(links[0], data={**data, "condition": new}, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    assert _selected(client.get(links[0]).text, "condition") == new


def test_forms_without_csrf_or_version_are_refused(client: TestClient, site: Site) -> None:
    pid = site.patient("DEMO-PSO-2")
    form = client.get(f"/patients/{pid}/edit").text
    no_csrf = _details(form)
    del no_csrf["csrf_token"]
    assert client.post(f"/patients/{pid}/edit", data=no_csrf).status_code == 403
    no_version = _details(form)
    del no_version["version"]
    r = client.post(f"/patients/{pid}/edit", data=no_version)
    assert r.status_code == 422 and "does not say which version" in r.text
    assert client.get(f"/patients/{site.other_patient}/edit").status_code == 404
    assert client.get(f"/patients/{pid}/scores/1/edit").status_code == 404
    assert client.get(f"/patients/{pid}/labs/{2**63}/edit").status_code == 422
