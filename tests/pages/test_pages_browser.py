"""Browser tests: the distribution's Chromium (``/usr/bin/chromium``, never a downloaded build)
driven by Playwright against a real ``jakguide demo`` server on a free loopback port.

They log in, fill the assessment form and read the statuses, check that the timeline plots are
drawn with data, download the guide PDF and read its text, send a self-report through a patient
link and find it on the timeline, and check that a link opens nothing else. Every request must
go to the demo server (the app works offline). Screenshots are saved to
``artifacts/screenshots/`` (git-ignored) as test artefacts.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from jakguide.kb.base import Knowledge
from pages_support import AS_OF, FORM, NATIVE

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Response, ViewportSize

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


def _require_browser() -> None:
    problem = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problem = "Playwright for Python is not installed (pip install playwright)"
    if problem is None and not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (Debian package chromium)"
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{problem}; CI must run the browser tests", pytrace=False)
    pytest.skip(problem)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class DemoServer:
    url: str
    password: str
    output: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """``jakguide demo --as-of`` on a free port, in a fresh data folder."""
    _require_browser()
    folder = tmp_path_factory.mktemp("demo")
    port = free_port()
    out, err = folder / "stdout.txt", folder / "stderr.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAKGUIDE_")}
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from jakguide.cli import main; main()", "demo",
             "--as-of", AS_OF.isoformat(), "--host", "127.0.0.1", "--port", str(port),
             "--data-dir", str(folder / "data")],
            stdout=stdout, stderr=stderr, env=env,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"demo exited with {proc.returncode}: {err.read_text()[-2000:]}")
            try:
                if httpx.get(url + "/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the demo server did not answer in 60 s")
            time.sleep(0.1)
        text = out.read_text()
        found = re.search(r"password\s+(\S+)", text)
        assert found is not None, text
        assert "username  demo" in text and "5 synthetic patients" in text
        yield DemoServer(url, found.group(1), text)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(server: DemoServer) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Session:
    """A browser context that records every request and page error (offline check)."""

    def __init__(self, browser: Browser, server: DemoServer, viewport: ViewportSize) -> None:
        self.server = server
        self.context = browser.new_context(viewport=viewport, accept_downloads=True)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.expect_http_errors = False  # a test that opens forbidden pages on purpose
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on(
            "console",
            lambda m: self.errors.append(m.text) if m.type == "error" else None,
        )

    def goto(self, path: str) -> Response | None:
        return self.page.goto(self.server.url + path)

    def login(self) -> None:
        self.goto("/patients")
        assert "/login" in self.page.url
        self.page.fill("#username", "demo")
        self.page.fill("#password", self.server.password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url("**/patients")

    def shot(self, name: str, full: bool = True) -> None:
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)

    def patient_id(self, label: str) -> str:
        self.goto("/patients")
        href = self.page.get_attribute(f"a:text-is('{label}')", "href")
        assert href is not None
        return href.rsplit("/", 1)[1]

    def close(self) -> None:
        self.context.close()
        outside = [
            u for u in self.requests if not u.startswith((self.server.url, "data:", "blob:"))
        ]
        assert outside == [], "requests left the app (it must work offline)"
        errors = [
            e
            for e in self.errors
            if not (self.expect_http_errors and e.startswith("Failed to load resource"))
        ]
        assert errors == [], errors


@pytest.fixture
def clinician(browser: Browser, server: DemoServer) -> Iterator[Session]:
    s = Session(browser, server, DESKTOP)
    s.login()
    yield s
    s.close()


@pytest.fixture
def patient_browser(browser: Browser, server: DemoServer) -> Iterator[Session]:
    s = Session(browser, server, PHONE)
    yield s
    s.close()


def test_login_and_the_patient_list(browser: Browser, server: DemoServer, kb: Knowledge) -> None:
    s = Session(browser, server, DESKTOP)
    s.goto("/patients")
    s.page.keyboard.press("Tab")
    assert s.page.evaluate("document.activeElement.className") == "skip"
    s.shot("login", full=False)
    s.login()
    row = s.page.locator("#patient-list > li", has_text="DEMO-PSA-1")
    assert "OVERDUE: LDL cholesterol" in row.inner_text()
    assert "recheck" in s.page.locator("#patient-list > li", has_text="DEMO-AS-1").inner_text()
    assert s.page.locator("[data-knowledge-version]").first.inner_text() == kb.version
    assert "not a substitute for clinical judgement" in s.page.inner_text("[data-disclaimer]")
    s.shot("patients")
    s.close()


def test_assessment_form_gives_the_statuses(
    clinician: Session, server: DemoServer, kb: Knowledge
) -> None:
    page = clinician.page
    clinician.goto("/assess")
    for name, value in FORM.items():
        field = page.locator(f'[name="{name}"]')
        tag = field.evaluate("e => e.tagName + ':' + (e.type || '')")
        if tag.startswith("SELECT"):
            field.select_option(value)
        elif tag.endswith("checkbox"):
            field.check()
        else:
            field.fill(value)
    page.click("#assess-submit")
    page.wait_for_selector("table.options")
    shown = {
        row.get_attribute("data-drug"): row.get_attribute("data-status")
        for row in page.locator("table.options tr[data-drug]").all()
    }
    api = httpx.post(
        server.url + "/api/assess",
        params={"condition": FORM["condition"], "as_of": AS_OF.isoformat()},
        content=json.dumps(NATIVE),
        headers={"Content-Type": "application/json"},
    ).json()
    assert shown == {o["drug"]: o["status"] for o in api["options"]}
    assert shown["upadacitinib"] == "eligible"
    badge = page.locator('tr[data-drug="upadacitinib"] .badge').first.inner_text()
    assert badge == "Eligible"
    page.locator('tr[data-drug="tofacitinib"] details').first.click()
    clinician.shot("assessment-results")


def _charts(page: Page) -> dict[str, dict[str, Any]]:
    page.wait_for_selector("#plots[data-ready='true']", timeout=15000)
    found: list[dict[str, Any]] = page.evaluate(
        """() => Array.from(document.querySelectorAll('canvas[id^="chart-"]')).map(c => {
             const chart = Chart.getChart(c);
             const o = chart ? chart.options.plugins.jgOverlay : {};
             return {id: c.id, width: c.clientWidth, height: c.clientHeight,
                     datasets: chart ? chart.data.datasets.length : 0,
                     points: chart ? chart.data.datasets[0].data.length : 0,
                     bands: (o.bands || []).length, lines: (o.lines || []).length};
           })"""
    )
    return {c["id"]: c for c in found}


def test_timeline_plots_render_with_data(clinician: Session) -> None:
    pid = clinician.patient_id("DEMO-AS-1")
    clinician.goto(f"/patients/{pid}")
    charts = _charts(clinician.page)
    assert {"chart-basdai", "chart-asdas-crp", "chart-lab-lymphocytes"} <= set(charts)
    for c in charts.values():
        assert c["width"] > 100 and c["height"] > 100 and c["datasets"] == 1, c
    assert charts["chart-basdai"]["points"] == 4 and charts["chart-basdai"]["bands"] == 2
    assert charts["chart-asdas-crp"]["bands"] == 4
    assert charts["chart-lab-lymphocytes"]["points"] >= 5
    assert charts["chart-lab-lymphocytes"]["lines"] >= 1  # the label's threshold
    status = clinician.page.inner_text("#plots-status")
    assert status.startswith("Plotted 8 scores")
    clinician.shot("record-as1")
    clinician.page.locator("#plots").screenshot(path=str(SHOTS / "plots-as1.png"))

    pid = clinician.patient_id("DEMO-PSO-1")
    clinician.goto(f"/patients/{pid}")
    charts = _charts(clinician.page)
    for key in ("chart-pasi", "chart-bsa", "chart-dlqi"):
        assert charts[key]["points"] == 4, key
    clinician.shot("record-pso1")


def test_record_on_a_phone(browser: Browser, server: DemoServer) -> None:
    s = Session(browser, server, PHONE)
    s.login()
    pid = s.patient_id("DEMO-PSA-1")
    s.goto(f"/patients/{pid}")
    charts = _charts(s.page)
    assert all(c["width"] <= PHONE["width"] for c in charts.values())
    width = s.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"
    assert s.page.locator("#overdue").is_visible()
    s.shot("record-psa1-phone", full=False)
    s.close()


def test_guide_pdf_download(clinician: Session, kb: Knowledge) -> None:
    from pypdf import PdfReader

    pid = clinician.patient_id("DEMO-PSO-1")
    clinician.goto(f"/patients/{pid}")
    clinician.page.click("text=Patient guide")
    frame = clinician.page.frame_locator("iframe.guide-frame")
    frame.locator("h1").wait_for()
    clinician.shot("guide-page", full=False)
    with clinician.page.expect_download() as info:
        clinician.page.click("#guide-pdf")
    download = info.value
    assert download.suggested_filename == f"guide-deucravacitinib-{AS_OF.isoformat()}.pdf"
    data = Path(download.path()).read_bytes()
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Sotyktu" in text and "deucravacitinib" in text
    assert f"Knowledge version {kb.version}" in text
    assert "not a substitute for clinical judgement" in text


def _new_link(clinician: Session, label: str, questionnaire: str) -> tuple[str, str]:
    pid = clinician.patient_id(label)
    clinician.goto(f"/patients/{pid}")
    clinician.page.select_option("#l-questionnaire", questionnaire)
    clinician.page.click("#new-link button[type=submit]")
    url = clinician.page.inner_text("#link-url").strip()
    assert re.fullmatch(rf"{re.escape(clinician.server.url)}/p/[A-Za-z0-9_-]{{43,}}", url)
    return pid, url


def test_self_report_through_a_patient_link(clinician: Session, patient_browser: Session) -> None:
    pid, url = _new_link(clinician, "DEMO-PSO-2", "dlqi")
    clinician.shot("link-created", full=False)
    clinician.goto(f"/patients/{pid}")
    before = _charts(clinician.page)["chart-dlqi"]["points"]

    page = patient_browser.page
    response = page.goto(url)
    assert response is not None
    assert response.headers["referrer-policy"] == "no-referrer"
    patient_browser.shot("patient-home", full=False)
    page.click("#open-report")
    assert "DLQI" in page.inner_text("main") and "Item 10 score" in page.inner_text("main")
    for i, value in enumerate(["2", "1", "1", "0", "0", "1", "0", "0", "0", "not-relevant"]):
        page.select_option(f"#q{i + 1}", value)
    page.select_option("#itch", "6")
    page.check("input[value='headache']")
    page.fill("#note", "Itch worse at night")
    patient_browser.shot("patient-report-form")
    page.click("#report-submit")
    assert "Your answers were sent" in page.inner_text("#sent")

    clinician.goto(f"/patients/{pid}")
    after = _charts(clinician.page)["chart-dlqi"]["points"]
    assert after == before + 1
    latest = clinician.page.locator("#visits > li").first
    text = latest.inner_text()
    assert "Patient-reported" in text and "DLQI 5 (small)" in text
    assert "itch 6/10" in text and "headache" in text
    latest.screenshot(path=str(SHOTS / "timeline-self-report.png"))


def test_a_link_cannot_open_other_patients_pages(
    clinician: Session, patient_browser: Session
) -> None:
    other = clinician.patient_id("DEMO-AS-1")
    _, url = _new_link(clinician, "DEMO-PSO-1", "dlqi")
    patient_browser.expect_http_errors = True
    page = patient_browser.page
    page.goto(url)
    assert "Your pages" in page.inner_text("h1")
    patient_browser.goto(f"/patients/{other}")
    assert "/login" in page.url and page.inner_text("h1") == "Log in"
    status = page.evaluate(
        "id => fetch('/api/patients/' + id + '/timeline').then(r => r.status)", other
    )
    assert status == 401
    page.goto(url + "?patient_id=" + other)
    page.click("#open-guide")
    assert "Sotyktu" in page.content() and "Xeljanz" not in page.content()
    response = page.goto(url[:-2] + "xx")
    assert response is not None
    assert response.status == 404 and "This link does not work" in page.inner_text("main")
    patient_browser.shot("patient-bad-link", full=False)


WIDE: ViewportSize = {"width": 1366, "height": 900}
CONFLICT = "Changed by someone else since you opened this form"


def _submit(s: Session) -> int:
    """Send the edit form; the status of the page that comes back."""
    with s.page.expect_navigation() as nav:
        s.page.click("#edit-form button[type=submit]")
    response = nav.value
    assert response is not None
    return response.status


def _no_sideways_scroll(s: Session, width: int) -> None:
    scroll = s.page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways at {width} px ({scroll} px)"


def test_two_clinicians_edit_one_record(browser: Browser, server: DemoServer) -> None:
    """Two browser contexts open the same record's forms; the second to save is told the
    record changed, keeps what it typed, sees the values now, and can save on purpose."""
    wide, phone = Session(browser, server, WIDE), Session(browser, server, PHONE)
    phone.expect_http_errors = wide.expect_http_errors = True  # 409 pages are expected
    for s in (wide, phone):
        s.login()
    pid = wide.patient_id("DEMO-AS-2")
    for s in (wide, phone):
        s.goto(f"/patients/{pid}")
        s.page.click("#edit-details")
        s.page.wait_for_url(f"**/patients/{pid}/edit")
    wide.shot("edit-details-1366")
    phone.shot("edit-details-390")

    wide.page.select_option("#smoking", "current")
    assert _submit(wide) == 200  # 303 to the record
    assert "Saved: patient details." in wide.page.inner_text("main")

    phone.page.fill("#label", "AS-2 from the phone")
    phone.page.select_option("#sex", "female")
    assert _submit(phone) == 409
    assert CONFLICT in phone.page.inner_text("#conflict")
    assert phone.page.input_value("#label") == "AS-2 from the phone"
    assert phone.page.input_value("#sex") == "female"
    now = phone.page.inner_text("#current")
    assert "Smoking\nCurrent" in now and "DEMO-AS-2" in now
    _no_sideways_scroll(phone, PHONE["width"])
    phone.shot("edit-conflict-390")
    assert _submit(phone) == 200  # saving again, knowingly
    assert phone.page.inner_text("h1") == "AS-2 from the phone"

    # and a lab row, the other way round: the phone saves first, the wide screen is stale
    phone.goto(f"/patients/{pid}")
    link = phone.page.get_attribute("#visits li[data-kind=lab] a.edit", "href")
    assert link is not None
    for s in (wide, phone):
        s.goto(link)
    phone.page.fill("#value", "1.11")
    assert _submit(phone) == 200
    wide.page.fill("#value", "2.22")
    assert _submit(wide) == 409
    assert wide.page.input_value("#value") == "2.22"
    assert "Value\n1.11" in wide.page.inner_text("#current")
    _no_sideways_scroll(wide, WIDE["width"])
    wide.shot("edit-conflict-1366")
    wide.close()
    phone.close()


def _import_patient(s: Session, label: str, body: dict[str, Any]) -> str:
    token = next(c["value"] for c in s.context.cookies() if c["name"] == "jakguide_csrf")
    r = s.page.request.post(
        s.server.url + f"/api/patients/import?label={label}",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRF-Token": token},
    )
    assert r.status == 201, r.text()
    pid: str = r.json()["patient"]["id"]
    return pid


def test_score_entry_and_plots_for_ra_and_alopecia(browser: Browser, server: DemoServer) -> None:
    """An RA patient: the DAS28-CRP form is offered first, a DAS28 entered in the browser is the
    instrument's score, the plot shows both points on the DAS28 bands and the badge says the
    EULAR response is reached; an AA patient's SALT plot and badge likewise; at 390 and 1366 px
    nothing scrolls sideways."""
    start = "2026-06-01"
    ra = {
        "sex": "female",
        "birth_date": "1970-05-04",
        "conditions": ["rheumatoid-arthritis"],
        "therapy": {"drug": "upadacitinib", "start_date": start},
        "scores": [{"instrument": "das28-crp", "date": "2026-05-28", "value": 5.6}],
    }
    aa = {
        "sex": "male",
        "birth_date": "1990-01-02",
        "conditions": ["alopecia-areata"],
        "therapy": {"drug": "baricitinib", "start_date": start},
        "scores": [
            {"instrument": "salt", "date": "2026-05-30", "value": 85},
            {"instrument": "salt", "date": "2026-09-01", "value": 40},
            {"instrument": "salt", "date": "2026-11-10", "value": 18},
        ],
    }
    for name, viewport in (("wide", WIDE), ("phone", PHONE)):
        s = Session(browser, server, viewport)
        s.login()
        pid = _import_patient(s, f"BROWSER-RA-{name}", ra)
        s.goto(f"/patients/{pid}")
        first = s.page.locator("#score-forms a").first
        assert first.inner_text() == "DAS28-CRP"
        first.click()
        s.page.wait_for_selector("#tender_28")
        values = {"tender_28": "2", "swollen_28": "1", "patient_global": "20", "crp": "4"}
        for field, value in values.items():
            s.page.fill(f"#{field}", value)
        s.page.fill("#date", "2026-11-15")
        s.shot(f"score-form-das28-{name}")
        s.page.click("#score-submit")
        s.page.wait_for_url(f"**/patients/{pid}?*")
        charts = _charts(s.page)
        assert charts["chart-das28-crp"]["points"] == 2 and charts["chart-das28-crp"]["bands"] == 4
        badge = s.page.locator('[data-badge="DAS28-CRP EULAR moderate or good response"]')
        assert badge.get_attribute("data-state") == "reached"
        width = s.page.evaluate("document.documentElement.scrollWidth")
        s.shot(f"record-ra-{name}")
        wide = s.page.evaluate(
            """(w) => Array.from(document.querySelectorAll('body *'))
                 .filter(e => e.getBoundingClientRect().right > w)
                 .map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' +
                      Math.round(e.getBoundingClientRect().right)).slice(0, 8)""",
            viewport["width"],
        )
        assert width <= viewport["width"], f"the page scrolls sideways: {wide}"

        pid = _import_patient(s, f"BROWSER-AA-{name}", aa)
        s.goto(f"/patients/{pid}")
        charts = _charts(s.page)
        assert charts["chart-salt"]["points"] == 3 and charts["chart-salt"]["bands"] == 5
        badge = s.page.locator('[data-badge="SALT <= 20"]')
        assert badge.get_attribute("data-state") == "reached"
        assert s.page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        s.shot(f"record-aa-{name}")
        s.close()


def _fill(page: Page, form: dict[str, str]) -> None:
    for name, value in form.items():
        field = page.locator(f'[name="{name}"]')
        tag = field.evaluate("e => e.tagName + ':' + (e.type || '')")
        if tag.startswith("SELECT"):
            field.select_option(value)
        elif tag.endswith("checkbox"):
            field.check()
        else:
            field.fill(value)


def test_derived_inputs_block_on_phone_and_desktop(browser: Browser, server: DemoServer) -> None:
    """Issue 10: an eGFR of 98 with no dialysis status gives a dose, and the page says what it
    derived, from what, with the source, at 390 px and 1366 px without sideways scrolling."""
    unset = {"on_dialysis", "hepatic_impairment", "pregnancy", "breastfeeding"}
    form = {k: v for k, v in FORM.items() if k not in unset and "creatinine" not in k}
    form.update({"lab_egfr_value": "98", "lab_egfr_date": "2026-11-10"})
    fact = "not on dialysis: eGFR 98 mL/min/1.73 m2 on 2026-11-10"
    for name, viewport in (("phone", PHONE), ("desktop", WIDE)):
        s = Session(browser, server, viewport)
        s.login()
        s.goto("/assess")
        _fill(s.page, form)
        s.page.click("#assess-submit")
        s.page.wait_for_selector("table.options")
        row = s.page.locator('tr[data-drug="upadacitinib"]')
        assert row.get_attribute("data-status") == "eligible"
        assert "15 mg once daily" in row.inner_text()
        block = s.page.locator("section.derived")
        assert block.is_visible()
        item = block.locator("li[data-rule='derive.on-dialysis']")
        assert fact in item.inner_text()
        item.locator("summary").click()
        assert item.locator("a[href^='/sources/']").first.is_visible()
        width = s.page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"the results page scrolls sideways at {width} px"
        block.scroll_into_view_if_needed()
        s.shot(f"derived-{name}", full=False)
        s.shot(f"assessment-derived-{name}")
        s.close()


def test_not_derived_block_on_a_phone(browser: Browser, server: DemoServer) -> None:
    """ALT 150 U/L with no hepatic class: the page names the value that kept "none" from being
    derived, beside what was derived."""
    unset = {"on_dialysis", "hepatic_impairment", "pregnancy", "breastfeeding"}
    form = {k: v for k, v in FORM.items() if k not in unset}
    form.update({"lab_alt_value": "150", "lab_alt_unit": "U/L"})
    s = Session(browser, server, PHONE)
    s.login()
    s.goto("/assess")
    _fill(s.page, form)
    s.page.click("#assess-submit")
    s.page.wait_for_selector("table.options")
    assert s.page.locator('tr[data-drug="tofacitinib"]').get_attribute("data-status") == (
        "needs-data"
    )
    blocked = s.page.locator("ul.not-derived li[data-rule='derive.not-derived.hepatic-impairment']")
    assert "ALT 150 U/L" in blocked.inner_text()
    assert s.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    s.page.locator("#not-derived-h").scroll_into_view_if_needed()
    s.shot("not-derived-phone", full=False)
    s.close()


# --- public pages (issue 16): the decision aid, symptom triage and a condition guide ----------
@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["390", "1366"])
def test_triage_on_a_phone_without_javascript(
    browser: Browser, server: DemoServer, viewport: ViewportSize
) -> None:
    s = Session(browser, server, viewport)
    s.context.close()
    s.context = browser.new_context(viewport=viewport, java_script_enabled=False)
    s.context.on("request", lambda r: s.requests.append(r.url))
    s.page = s.context.new_page()
    s.goto("/triage")
    assert s.page.is_visible("#very-unwell")
    s.page.select_option("#drug", "upadacitinib")
    s.page.check("input[value=chest-pain]")
    s.page.check("input[value=breathless]")
    s.page.click("#triage-form button[type=submit]")
    s.page.wait_for_selector("#triage-result")
    assert "Get emergency help now" in s.page.inner_text("#triage-result h2")
    _no_sideways_scroll(s, viewport["width"])
    s.shot(f"triage-{viewport['width']}")
    s.page.fill("#words", "a cold")
    s.page.uncheck("input[value=chest-pain]")
    s.page.uncheck("input[value=breathless]")
    s.page.click("#triage-form button[type=submit]")
    s.page.wait_for_selector("#triage-result")
    assert "emergency help" not in s.page.inner_text("#triage-result h2")
    s.close()


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["390", "1366"])
def test_decision_aid_on_a_phone(
    browser: Browser, server: DemoServer, viewport: ViewportSize
) -> None:
    s = Session(browser, server, viewport)
    s.goto("/decide")
    s.page.check("input[name=smoking]")
    s.page.check("input[name=clots]")
    s.page.click("#decide-form button[type=submit]")
    s.page.wait_for_selector("#points")
    text = s.page.inner_text("#points")
    assert "blood clots" in text and "Nothing you ticked was kept" in text
    _no_sideways_scroll(s, viewport["width"])
    s.shot(f"decide-{viewport['width']}")
    s.close()


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["390", "1366"])
def test_condition_guide_on_a_phone(
    browser: Browser, server: DemoServer, viewport: ViewportSize
) -> None:
    s = Session(browser, server, viewport)
    s.goto("/guides")
    s.page.click("a[href='/guides/ankylosing-spondylitis?region=US']")
    s.page.wait_for_selector("#approved")
    assert "TNF blockers" in s.page.inner_text("#approved")
    _no_sideways_scroll(s, viewport["width"])
    s.shot(f"condition-guide-{viewport['width']}", full=False)
    s.close()
