"""Patient pages for patients (issue 12): the guide a patient opens through their link, for a
patient on a JAK agent with a low lymphocyte count, reads at Flesch-Kincaid grade 8 or below
on its whole visible text and carries no label-table wording ("discontinue", "interrupt",
"Table of ...") and no clinician disclaimer; the clinician's copy still quotes the label.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import textstat
from starlette.testclient import TestClient

from pages_support import Site, csrf_of

MAX_GRADE = 8.0
LABEL_WORDS = re.compile(r"discontinu|interrupt|\btable\b|decision support", re.I)


class _Visible(HTMLParser):
    """The text a reader sees: everything but scripts, styles and the document title."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "title", "head"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title", "head"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def test_visible_text_leaves_out_scripts_and_styles() -> None:
    html = "<html><head><title>T</title><style>p{}</style></head><body><p>Hi <b>you</b>.</p>"
    assert visible_text(html + "<script>x()</script></body></html>") == "Hi you ."


def test_grade_of_plain_and_hard_text() -> None:
    """textstat's Flesch-Kincaid grade tells plain words from label wording (the measure the
    acceptance line uses)."""
    plain = "Take one pill each day. Call your care team if you feel sick. " * 5
    hard = (
        "Interrupt treatment if absolute lymphocyte count is less than 500 cells/mm3; "
        "treatment may be restarted once the absolute lymphocyte count returns above this "
        "value, as described in the prescribing information's table of dose interruptions. "
    ) * 3
    assert textstat.flesch_kincaid_grade(plain) <= 4
    assert textstat.flesch_kincaid_grade(hard) > 12


def _patient_with_low_lymphocytes(client: TestClient) -> str:
    csrf = csrf_of(client)
    r = client.post(
        "/patients/new",
        data={"csrf_token": csrf, "label": "WORDS-1", "birth_date": "1980-05-01",
              "sex": "male", "condition": "ankylosing-spondylitis"},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303, r.text[:500]
    pid = r.headers["location"].rsplit("/", 1)[1]
    version = re.search(
        r'name="version" value="([^"]+)"', client.get(f"/patients/{pid}/labs/new").text
    )
    assert version is not None
    rows = {
        "therapies": {"drug": "Rinvoq", "dose_mg": "15", "per_day": "1",
                      "start_date": "2026-06-01", "stop_date": "", "stop_reason": ""},
        "labs": {"analyte": "lymphocytes", "value": "0.4", "unit": "10*9/L",
                 "date": "2026-11-01"},
    }  # fmt: skip
    for kind, fields in rows.items():
        sent = {"csrf_token": csrf, "version": version.group(1).replace("&#34;", '"'), **fields}
        r = client.post(f"/patients/{pid}/{kind}/new", data=sent, follow_redirects=False)
        assert r.status_code == 303, r.text[-3000:]
    return str(pid)


def test_the_patients_guide_has_plain_words_only(
    client: TestClient, anon: TestClient, site: Site
) -> None:
    pid = _patient_with_low_lymphocytes(client)
    clinician_copy = visible_text(client.get(f"/patients/{pid}/guide.html").text)
    assert re.search(r"interrupt", clinician_copy, re.I)  # the label, quoted for clinicians
    r = client.post(
        f"/patients/{pid}/links",
        data={"csrf_token": csrf_of(client), "questionnaire": "basdai", "drug": "upadacitinib",
              "days": "30", "region": "US"},
    )  # fmt: skip
    found = re.search(r'data-link-url="([^"]+)"', r.text)
    assert found is not None, r.text[-2000:]
    token_path = "/p/" + found.group(1).rsplit("/p/", 1)[1]
    html = anon.get(token_path + "/guide").text
    text = visible_text(html)
    assert "blood test result" in text and "Call them today" in text
    assert LABEL_WORDS.findall(text) == []
    assert textstat.lexicon_count(text) > 500
    assert textstat.flesch_kincaid_grade(text) <= MAX_GRADE
