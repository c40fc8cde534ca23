"""Chromium at 390 px (and 1366 px): the decision aid, symptom triage and a condition guide,
offline, without sideways scrolling, forms working by POST with JavaScript off."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from test_pages_browser import PHONE, DemoServer, Session, browser, server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ViewportSize

__all__ = ["browser", "server"]  # the fixtures, shared with the other browser tests

pytestmark = pytest.mark.browser
WIDE: ViewportSize = {"width": 1366, "height": 900}


def _no_sideways_scroll(s: Session) -> None:
    width = s.page.evaluate("document.documentElement.scrollWidth")
    client = s.page.evaluate("document.documentElement.clientWidth")
    assert width <= client, (width, client)


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
    _no_sideways_scroll(s)
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
    _no_sideways_scroll(s)
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
    _no_sideways_scroll(s)
    s.shot(f"condition-guide-{viewport['width']}", full=False)
    s.close()
