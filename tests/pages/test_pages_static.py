"""Offline assets: every vendored file is named (with version, registry and licence) in the
vendor README and ships its licence; the style sheet's colour pairs meet WCAG AA contrast; the
templates load nothing from another origin."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

import jakguide.web

WEB = Path(jakguide.web.__file__).parent
STATIC = WEB / "static"
VENDOR = STATIC / "vendor"


def test_every_vendored_file_is_documented_with_its_licence() -> None:
    readme = (VENDOR / "README.md").read_text()
    files = [p for p in VENDOR.rglob("*") if p.is_file() and p.name != "README.md"]
    assert files
    for path in files:
        rel = path.relative_to(VENDOR).as_posix()
        assert f"`{rel}`" in readme, rel
    for folder in {p.parent for p in files}:
        assert any(p.name.upper().startswith("LICENSE") for p in folder.iterdir()), folder
    assert "chart.js` 4.6.1" in readme and "npm" in readme and "MIT" in readme
    head = (VENDOR / "chart.js" / "chart.umd.min.js").read_text()[:200]
    assert "Chart.js v4.6.1" in head


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_colour_pairs_meet_wcag_aa() -> None:
    css = (STATIC / "app.css").read_text()
    colours = dict(re.findall(r"--([a-z]+-(?:fg|bg)):\s*(#[0-9a-fA-F]{6});", css))
    names = {k[:-3] for k in colours}
    assert len(names) >= 10
    for name in sorted(names):
        fg, bg = colours[f"{name}-fg"], colours[f"{name}-bg"]
        assert contrast(fg, bg) >= 4.5, (name, fg, bg, round(contrast(fg, bg), 2))
    # Muted text and links also sit on the note banner.
    for fg in ("muted-fg", "link-fg"):
        assert contrast(colours[fg], colours["note-bg"]) >= 4.5, fg


def test_templates_load_nothing_from_elsewhere() -> None:
    for path in (WEB / "templates").glob("*.j2"):
        text = path.read_text()
        for attr in re.findall(r'(?:src|href)="([^"]*)"', text):
            if attr.startswith("{{ doc.url }}"):
                continue  # a source's address, shown as a link (rel=noreferrer)
            assert not re.match(r"(https?:)?//", attr), (path.name, attr)
        assert "<style" not in text and " style=" not in text, path.name
        assert "<script>" not in text, path.name


def test_api_docs_page_loads_only_vendored_assets(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    html = response.text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "https://" not in html and "http://" not in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"):
        assert client.get(f"/static/vendor/swagger-ui/{asset}").status_code == 200
