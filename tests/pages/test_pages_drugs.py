"""The drug comparison table: filters by condition and region, every cell links to its source,
and every source link opens a page naming the document and the cited section."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from starlette.testclient import TestClient

from jakguide.kb.base import Knowledge
from jakguide.kb.listing import drug_rows


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-drug="([a-z]+)">', html)


def test_filters_match_the_drug_listing(client: TestClient, kb: Knowledge) -> None:
    for region in ("US", "EU"):
        for condition in (
            None,
            "plaque-psoriasis",
            "psoriatic-arthritis",
            "ankylosing-spondylitis",
        ):
            params = {"region": region, **({"condition": condition} if condition else {})}
            html = client.get("/drugs", params=params).text
            expected = sorted(r["drug"] for r in drug_rows(kb, region, condition))
            assert sorted(rows(html)) == expected, (region, condition)
    both = rows(client.get("/drugs", params={"region": "all"}).text)
    assert set(both) == set(kb.drugs)


def test_every_cell_links_to_its_source(client: TestClient, kb: Knowledge) -> None:
    html = client.get("/drugs", params={"region": "all"}).text
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    for row in re.findall(r"<tr data-drug=.*?</tr>", body, flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        assert len(cells) == 6
        for cell in cells:
            if "not recorded" in cell:  # no adverse-reaction data in the knowledge
                continue
            assert 'class="src" href="/sources/' in cell, cell[:200]
    links = set(re.findall(r'class="src" href="([^"]+)"', body))
    assert len(links) > 50
    for link in sorted(links)[:400]:
        parts = urlsplit(unescape(link))
        doc = parts.path.rsplit("/", 1)[1]
        assert doc in kb.sources, link
        section = parse_qs(parts.query)["section"][0]
        page = client.get(parts.path, params={"section": section})
        assert page.status_code == 200
        assert "Cited section" in page.text


def test_table_columns_show_the_label_facts(client: TestClient, kb: Knowledge) -> None:
    html = client.get("/drugs", params={"region": "US"}).text
    row = re.search(r'<tr data-drug="upadacitinib">.*?</tr>', html, flags=re.S)
    assert row is not None
    text = row.group(0)
    label = kb.label("upadacitinib", "US")
    assert label is not None and label.boxed_warning is not None
    assert label.boxed_warning.title in unescape(text)
    assert "JAK1" in text and "oral" in text and "once daily" in text
    assert "Ankylosing spondylitis" in text
    assert re.search(r"\d+(\.\d+)? %", text)  # adverse reactions with frequency
    deucra = re.search(r'<tr data-drug="deucravacitinib">.*?</tr>', html, flags=re.S)
    assert deucra is not None and "None in this label" in deucra.group(0)
