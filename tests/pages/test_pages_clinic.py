"""Issue 12 acceptance: a clinic keeps the record in the app, through the pages alone.

A real uvicorn server over an empty clinic (no demo patients) and the distribution's Chromium:
create a patient, record everything an AS assessment reads (details, background, therapies,
medicines, labs, screening, a measurement), assess, save the assessment, edit a lab, re-run and
see the status change; then a patient link opened at 390x844 sends a self-report that shows on
the record and in the list's "needs attention". Screenshots go to ``tests/artifacts/screens/``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from jakguide.kb.base import Knowledge
from jakguide.store import Settings
from jakguide.web import create_app
from jakguide.web.pages import set_default_as_of
from live_support import PASSWORD, make_user, start, stop

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENS = Path(__file__).resolve().parents[1] / "artifacts" / "screens"
AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
AS_OF = dt.date(2026, 12, 1)
PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1366, "height": 900}


@dataclass
class Clinic:
    url: str
    username: str


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory, kb: Knowledge) -> Iterator[Clinic]:
    """An empty clinic with one clinician, served on a free loopback port."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:  # pragma: no cover - the project's venv has it
        pytest.fail("Playwright for Python is not installed", pytrace=False)
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing", pytrace=False)
        pytest.skip(f"{CHROMIUM} is missing (Debian package chromium)")
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("clinic")), knowledge=kb)
    set_default_as_of(app, AS_OF)
    make_user(app, "New clinic", "newclin")
    server, url = start(app)
    try:
        yield Clinic(url, "newclin")
    finally:
        stop(server)
        app.state.jakguide.db.dispose()


@pytest.fixture(scope="module")
def browser(clinic: Clinic) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    SCREENS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def _login(page: Page, clinic: Clinic) -> None:
    page.goto(clinic.url + "/login")
    page.fill("#username", clinic.username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/patients")


def _save(page: Page, form: str = "#edit-form") -> None:
    with page.expect_navigation():
        page.click(f"{form} button[type=submit]")
    assert page.locator(".alert-ok").count() == 1, page.inner_text("main")[:1500]


def _add(page: Page, url: str, rows: str, **fields: str) -> None:
    page.goto(f"{url}/{rows}/new")
    for name, value in fields.items():
        if page.locator(f"select#{name}").count():
            page.select_option(f"#{name}", value)
        else:
            page.fill(f"#{name}", value)
    _save(page)


LABS = [
    ("lymphocytes", "1.8", "10*9/L"),
    ("neutrophils", "4.1", "10*9/L"),
    ("hemoglobin", "14.2", "g/dL"),
    ("platelets", "250", "10*9/L"),
    ("alt", "22", "U/L"),
    ("ast", "25", "U/L"),
    ("creatinine", "0.9", "mg/dL"),
    ("creatinine-clearance", "105", "mL/min"),
    ("egfr", "102", "mL/min/{1.73_m2}"),
    ("ldl-cholesterol", "110", "mg/dL"),
    ("crp", "12", "mg/L"),
]
SCREENING = ["tb:negative", "hbsag:negative", "anti-hbc:negative", "hcv:negative"]


def _statuses(page: Page) -> dict[str, str]:
    rows = page.locator("table.options tbody tr")
    out = {}
    for i in range(rows.count()):
        row = rows.nth(i)
        out[row.get_attribute("data-drug") or ""] = row.get_attribute("data-status") or ""
    return out


def _no_sideways(page: Page, where: str) -> None:
    page.wait_for_load_state("load")
    wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert not wide, f"{where} scrolls sideways ({width} px)"


def test_a_new_clinic_keeps_an_as_record_in_the_app(browser: Browser, clinic: Clinic) -> None:
    context = browser.new_context(viewport=WIDE)  # type: ignore[arg-type]
    page = context.new_page()
    _login(page, clinic)
    assert "No patients yet" in page.inner_text("main")

    page.goto(clinic.url + "/patients/new")
    page.fill("#label", "AS-NEW-1")
    page.fill("#birth_date", "1981-04-12")
    page.select_option("#sex", "male")
    page.select_option("#condition", "ankylosing-spondylitis")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    url = page.url.split("?")[0]
    pid = url.rsplit("/", 1)[1]
    assert page.locator("#add-lab").inner_text() == "Add a lab result"

    page.goto(f"{url}/edit")
    for name, value in (("smoking", "never"), ("hepatic_impairment", "none"),
                        ("on_dialysis", "no")):  # fmt: skip
        page.select_option(f"#{name}", value)
    _save(page)

    page.goto(f"{url}/background")
    for name in ("history", "cv_risk_factors"):
        page.check(f"#{name} input[value=none]")
    page.select_option("#infection", "no")
    page.select_option("#crp_elevated", "yes")
    page.select_option("#mri", "yes")
    _save(page, "#background-form")

    _add(page, url, "therapies", drug="naproxen", start_date="2024-01-10",
         stop_date="2024-06-01", stop_reason="inadequate-response")  # fmt: skip
    _add(page, url, "therapies", drug="Humira", start_date="2024-06-15",
         stop_date="2025-09-01", stop_reason="inadequate-response")  # fmt: skip
    _add(page, url, "medications", drug="paracetamol", dose="1 g as needed")
    for analyte, value, unit in LABS:
        _add(page, url, "labs", analyte=analyte, value=value, unit=unit, date="2026-11-01")
    for finding in SCREENING:
        _add(page, url, "screening", finding=finding, date="2026-10-20")
    _add(page, url, "screening", finding="zoster-vaccine:done", date="2026-09-01")
    _add(page, url, "measurements", kind="weight_kg", value="82", date="2026-11-01")
    record = page.inner_text("#record")
    assert "adalimumab" in record and "did not work well enough" in record  # brand -> INN
    assert "1.8 10^9/L" in record and "10*9/L" not in record
    page.screenshot(path=str(SCREENS / "acceptance-record-wide.png"), full_page=True)

    page.goto(f"{url}/assess?condition=ankylosing-spondylitis&region=US&as_of={AS_OF}")
    before = _statuses(page)
    assert before, page.inner_text("main")[:2000]
    assert "needs-data" not in before.values(), before
    with page.expect_navigation():
        page.click("#save-assessment button[type=submit]")
    assert "Saved: assessment for Ankylosing spondylitis" in page.inner_text("main")

    # Edit a lab through "edit and re-run": lymphocytes fall below the label's threshold.
    page.goto(f"{url}/assess?condition=ankylosing-spondylitis&region=US&as_of={AS_OF}")
    page.click("#edit-and-rerun")
    page.locator("section[data-kind=labs] li", has_text="1.8 10^9/L").locator("a.edit").click()
    page.fill("#value", "0.4")
    _save(page)
    page.goto(f"{url}/assess?condition=ankylosing-spondylitis&region=US&as_of={AS_OF}")
    after = _statuses(page)
    changed = {d for d in before if before[d] != after.get(d)}
    assert changed, (before, after)
    page.screenshot(path=str(SCREENS / "acceptance-rerun-wide.png"), full_page=True)

    # The patient link, on a phone.
    page.goto(url)
    page.select_option("#l-questionnaire", "basdai")
    page.click("#new-link button[type=submit]")
    link = page.inner_text("#link-url").strip()
    qr = page.locator("#link-qr")
    assert (qr.get_attribute("src") or "").startswith("data:image/svg+xml")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")  # the QR code drew
    assert page.locator("#copy-link").is_visible() or not page.evaluate("!!navigator.clipboard")
    page.emulate_media(media="print")
    assert not page.locator("header").is_visible() and page.locator("#slip").is_visible()
    assert not page.locator(".actions").is_visible()
    page.screenshot(path=str(SCREENS / "link-slip-print.png"), full_page=True)
    page.emulate_media(media="screen")
    phone = browser.new_context(viewport=PHONE)  # type: ignore[arg-type]
    mobile = phone.new_page()
    mobile.goto(link)
    _no_sideways(mobile, "the patient's home page")
    mobile.click("#open-report")
    mobile.locator("#q1").wait_for()  # the form page has loaded (a click starts a navigation)
    _no_sideways(mobile, "the self-report form")
    for i in range(1, 7):
        field = mobile.locator(f"#q{i}")
        if field.evaluate("e => e.tagName") == "SELECT":
            mobile.select_option(f"#q{i}", "3")
        else:
            field.fill("3")
    mobile.check("input[name=side_effects] >> nth=0")
    mobile.screenshot(path=str(SCREENS / "acceptance-self-report-phone.png"), full_page=True)
    mobile.click("#report-submit")
    assert "Your answers were sent" in mobile.inner_text("#sent")
    phone.close()

    page.goto(url)
    latest = page.locator("#visits > li").first.inner_text()
    assert "Patient-reported" in latest and "side effects noticed" in latest
    page.goto(clinic.url + "/patients")
    row = page.locator(f"li[data-patient='{pid}']").inner_text()
    assert "New self-report" in row and "side effects noticed" in row, row
    assert re.search(r"nothing overdue", row, re.I) is None
    context.close()


def _pages(page: Page, clinic: Clinic) -> list[str]:
    """A patient with a lab, a therapy and a link, and every page a clinic or patient opens."""
    page.goto(clinic.url + "/patients/new")
    page.fill("#label", "SCREENS-1")
    page.select_option("#sex", "female")
    page.select_option("#condition", "ankylosing-spondylitis")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    url = page.url.split("?")[0]
    path = url.removeprefix(clinic.url)
    _add(page, url, "therapies", drug="upadacitinib", dose_mg="15", per_day="1",
         start_date="2026-06-01")  # fmt: skip
    _add(page, url, "labs", analyte="lymphocytes", value="0.4", unit="10*9/L", date="2026-11-01")
    _add(page, url, "labs", analyte="crp", value="1.2", unit="mg/dL", date="2026-11-01")
    page.goto(url)
    lab_edit = page.locator("section[data-kind=labs] a.edit").first.get_attribute("href")
    page.select_option("#l-questionnaire", "basdai")
    page.click("#new-link button[type=submit]")
    link = page.inner_text("#link-url").strip().removeprefix(clinic.url)
    kinds = ("labs", "therapies", "medications", "screening", "measurements", "conditions")
    return [
        "/patients", "/patients/new", path, f"{path}/edit", f"{path}/background",
        *(f"{path}/{k}/new" for k in kinds), str(lab_edit),
        f"{path}/assess?condition=ankylosing-spondylitis", f"{path}/guide",
        f"{path}/scores/new?instrument=basdai",
        f"{path}/scores/new?instrument=asdas-crp&date=2026-11-01",
        "/assess", "/drugs", "/sources", "/claims",
        link, f"{link}/report", f"{link}/guide",
    ]  # fmt: skip


def _axe(page: Page) -> list[str]:
    """axe-core's violations on the page (vendored copy, injected; nothing leaves the machine)."""
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
        ".map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)})))"
    )
    return [f"{v['id']} {v['nodes']}" for v in found]


def test_no_page_scrolls_sideways(browser: Browser, clinic: Clinic) -> None:
    """Every page at 390x844 and 1366x900: no sideways scroll, no axe-core violation; a
    screenshot of each. (CSP is bypassed in this context only so that axe can be injected.)"""
    context = browser.new_context(viewport=WIDE, bypass_csp=True)  # type: ignore[arg-type]
    page = context.new_page()
    _login(page, clinic)
    paths = _pages(page, clinic)
    wide: list[str] = []
    violations: list[str] = []
    for size in (PHONE, WIDE):
        page.set_viewport_size(size)  # type: ignore[arg-type]
        for path in paths:
            response = page.goto(clinic.url + path)
            assert response is not None and response.status == 200, path
            name = re.sub(r"[^a-z0-9]+", "-", re.sub(r"/p/[^/]+", "/p/link", path).lower())
            name = re.sub(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", "id", name).strip("-")
            page.screenshot(path=str(SCREENS / f"{name}-{size['width']}.png"), full_page=True)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
                culprit = page.evaluate(
                    "() => [...document.querySelectorAll('main *')].filter(e => "
                    "e.getBoundingClientRect().right > window.innerWidth"
                    " && !e.closest('.table-wrap'))"
                    ".slice(0, 3)"
                    ".map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40))"
                )
                wide.append(f"{path} at {size['width']}: {scroll} px {culprit}")
            if size is WIDE:
                violations.extend(f"{path}: {v}" for v in _axe(page))
    context.close()
    assert wide == [], wide
    assert violations == [], violations
