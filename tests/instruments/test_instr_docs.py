"""The committed docs/instruments pages equal the text generated from the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from jakguide.instruments import instrument_names, response_names
from jakguide.instruments.docs import OTHER_PAGES, PAGES, page_names, render, render_all

DOCS = Path(__file__).resolve().parents[2] / "docs" / "instruments"
REGENERATE = "python -m jakguide.instruments.docs docs/instruments"


@pytest.mark.parametrize("page", page_names())
def test_committed_page_equals_generated(page: str) -> None:
    path = DOCS / f"{page}.md"
    assert path.exists(), f"{path} missing; run: {REGENERATE}"
    assert path.read_text(encoding="utf-8") == render(page), f"{path} is stale; run: {REGENERATE}"


def test_no_stray_pages() -> None:
    assert {p.name for p in DOCS.glob("*.md")} == set(render_all()) | set(OTHER_PAGES)


def test_every_instrument_and_response_has_a_page() -> None:
    instruments_on_pages = {inst for inst, _ in PAGES.values() if inst}
    responses_on_pages = {r for _, rs in PAGES.values() for r in rs}
    assert instruments_on_pages == set(instrument_names())
    assert responses_on_pages == set(response_names())
    for name in instrument_names():
        assert f"`{name}`" in render("index")


@pytest.mark.parametrize("page", list(PAGES))
def test_page_has_the_required_sections(page: str) -> None:
    text = render(page)
    for heading in ("Worked examples", "Sources"):
        assert heading in text
    if PAGES[page][0] is not None:
        for heading in ("## Formula", "## Inputs", "## Categories", "Range:"):
            assert heading in text
