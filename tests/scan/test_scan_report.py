"""``report.html`` in a real Chromium: every section shown, no sideways scroll on a phone, small
cells suppressed by default, no script and no network."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from jakguide.kb.base import Knowledge
from jakguide.scan.engines import DuckScan
from jakguide.scan.inputs import find_inputs
from jakguide.scan.output import write_report
from jakguide.scan.run import ScanResult, run_scan
from jakguide.synth.bulk import write_bulk

if TYPE_CHECKING:
    from playwright.sync_api import Browser

AS_OF = dt.date(2026, 6, 1)
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
SECTIONS = {
    "counts": "Counts",
    "screening": "Screening before the first course",
    "monitoring": "Monitoring adherence per label item",
    "thresholds": "Threshold crossings",
    "risk-groups": "Risk groups",
    "interactions": "Interactions",
    "screening-findings": "Screening tests on therapy: missing, positive or due",
    "events": "Events of special interest after a JAK start",
    "breakdowns": "Per agent, condition and region",
    "quality": "Data quality",
}


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory, kb: Knowledge) -> ScanResult:
    folder = tmp_path_factory.mktemp("bulk")
    write_bulk(kb, folder, 1_500, 4, AS_OF)
    engine = DuckScan()
    try:
        return run_scan(engine, find_inputs(folder), kb, AS_OF, "US")
    finally:
        engine.close()


def test_small_cells_are_suppressed_by_default(result: ScanResult, tmp_path: Path) -> None:
    page = write_report(result, tmp_path).read_text()
    body = page.split("<body>")[1]
    assert "<script" not in page and "http" not in body and "src=" not in body
    assert "&lt;10" in page
    # every patient count from 1 to 9 is hidden (data quality counts files and resources)
    patients = page.split('id="quality"')[0]
    assert not re.search(r"<td>[1-9]</td>", patients)
    full = write_report(result, tmp_path, suppress=False).read_text()
    assert re.search(r"<td>[1-9]</td>", full.split('id="quality"')[0])
    assert "Small cells are shown" in full


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev extra installs it
        pytest.skip("Playwright for Python is not installed")
    if not CHROMIUM.exists():  # pragma: no cover
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI must run the browser tests")
        pytest.skip(f"{CHROMIUM} is missing (Debian package chromium)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1366])
def test_report_shows_every_section_without_sideways_scroll(
    result: ScanResult, tmp_path: Path, browser: Browser, width: int
) -> None:
    page_path = write_report(result, tmp_path)
    context = browser.new_context(viewport={"width": width, "height": 900})
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.goto(page_path.as_uri())
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    for anchor, title in SECTIONS.items():
        heading = page.locator(f"#{anchor}")
        assert heading.is_visible(), anchor
        assert heading.inner_text().strip() == title
    # rate bars: the screening measures, monitoring adherence and event rates
    assert page.locator("#screening ~ table").first.locator("svg").count() == len(result.measures)
    assert page.locator("svg").count() >= len(result.measures) + 3
    # every rule reads in words, with its agents, above its id (the worklist's rule column)
    shown = 0
    for r in result.breakdowns["worklist"]["kind_rule"]:
        text = result.rules[r["rule"]]
        rid = page.locator("small.rid", has_text=re.compile(f"^{re.escape(r['rule'])}$"))
        cell = page.locator("table.rules th", has=rid)
        words = cell.inner_text()
        assert text.variants[0].text in words and text.variants[0].agents[0] in words
        assert cell.locator("small.rid").is_visible()
        shown += 1
    assert shown >= 10
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"sideways scroll at {width} px: {scroll}"
    assert requests == [page_path.as_uri()]  # nothing fetched beyond the page itself
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"scan-report-{width}.png"), full_page=False)
    context.close()
