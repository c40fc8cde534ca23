"""``kb check-label``: which facts' quotes a new label no longer holds.

The fixtures are written for the tests: two hand-written skeleton labels with invented text
(``fixtures/``), and labels generated from the knowledge's own short quotes, one section per
cited section number, then edited the way a label update would edit them.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections import defaultdict
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from typer.testing import CliRunner

from jakguide.cli import app
from jakguide.kb.base import Knowledge
from jakguide.kb.check_label import (
    _quoted,
    check_label,
    normalise,
    quote_in,
    read_smpc,
    read_spl,
)
from jakguide.kb.status import cited_sections

FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()


# --------------------------------------------------------------------------- reading labels


def test_spl_sections_are_keyed_by_title_number_and_include_subsections() -> None:
    label = read_spl((FIXTURES / "mini-spl.xml").read_bytes())
    assert set(label.sections) == {"boxed-warning", "1", "2", "2.1", "2.3", "5", "5.1"}
    assert "every other day" in label.sections["2"]  # 2.3 lies inside 2
    assert "every other day" not in label.sections["2.1"]
    assert "increased risk of example events" in label.sections["boxed-warning"]


def test_quotes_match_across_cells_typography_and_spacing() -> None:
    label = read_spl((FIXTURES / "mini-spl.xml").read_bytes())
    assert quote_in("Severe RI (CLcr <30 mL/min) | Not recommended", label.sections["2.3"])
    assert quote_in("5 mg once daily", label.sections["2.1"])  # a no-break space in the file
    assert quote_in("serious infection - including localized", label.sections["5.1"])  # em dash
    assert quote_in("Patients treated ... are at increased risk", label.whole)  # omission
    assert not quote_in("Severe RI (CLcr <15 mL/min)", label.sections["2.3"])


def test_smpc_headings_increase_and_doses_at_line_start_are_not_headings() -> None:
    label = read_smpc((FIXTURES / "mini-smpc.txt").read_text(encoding="utf-8"))
    assert set(label.sections) == {"1", "4", "4.1", "4.2", "4.3", "4.4"}
    assert quote_in("creatinine clearance >= 30 mL/min", label.sections["4.2"])
    assert quote_in("5 mg may be taken with or without food", label.sections["4.2"])
    assert "hypersensitivity" in label.sections["4"]


def test_normalise_folds_case_quotes_and_comparators() -> None:
    assert normalise("“CLcr ≥30”\u00a0|  mL") == normalise('"clcr >= 30" ml')


# --------------------------------------------------------------------------- generated labels


def _facts(kb: Knowledge, drug: str, region: str) -> dict[str, list[tuple[str, str]]]:
    """Section key -> [(fact, quote)] of the drug's quoted label facts."""
    by_section: dict[str, list[tuple[str, str]]] = defaultdict(list)
    label = kb.drugs[drug].regions[region]  # type: ignore[index]
    for fact, cit in _quoted(label, f"regions.{region}", None):
        doc = kb.sources[cit.doc]
        if not doc.is_label or cit.quote is None or cit.relayed_by is not None:
            continue
        keys = sorted(cited_sections(cit.section))
        by_section[keys[0] if keys else ""].append((fact, cit.quote))
    return by_section


def _spl(sections: dict[str, list[tuple[str, str]]]) -> str:
    parts = []
    for key, items in sections.items():
        if key == "boxed-warning":
            title = "WARNING: EXAMPLE"
        elif key:
            title = f"{key} SECTION {key}"
        else:
            title = "HIGHLIGHTS"
        rows = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in quote.split("|")) + "</tr>"
            for _, quote in items
        )
        parts.append(
            f"<component><section><title>{escape(title)}</title>"
            f"<text><table><tbody>{rows}</tbody></table></text></section></component>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><document xmlns="urn:hl7-org:v3">'
        f"<component><structuredBody>{''.join(parts)}</structuredBody></component></document>"
    )


def _smpc(sections: dict[str, list[tuple[str, str]]]) -> str:
    def order(key: str) -> tuple[int, ...]:
        return tuple(int(p) for p in key.split(".")) if key else ()

    lines = ["Written for the tests from the knowledge's own quotes."]
    for key in sorted(sections, key=order):
        if key:
            lines.append(f"{key} Section {key}")
        lines += [f"- {quote}" for _, quote in sections[key]]
    return "\n".join(lines) + "\n"


def _renal(sections: dict[str, list[tuple[str, str]]], old: str, new: str) -> set[str]:
    """Edit the renal paragraph: every quote naming the renal measure changes; its facts."""
    edited: set[str] = set()
    for items in sections.values():
        for i, (fact, quote) in enumerate(items):
            if old in quote:
                items[i] = (fact, quote.replace(old, new))
                edited.add(fact)
    return edited


def test_unchanged_spl_has_nothing_to_review(kb: Knowledge) -> None:
    sections = _facts(kb, "tofacitinib", "US")
    checks = check_label(kb, "tofacitinib", "US", read_spl(_spl(sections).encode()))
    assert checks
    assert [c for c in checks if not c.found] == []


def test_spl_with_an_edited_renal_paragraph_names_the_renal_facts(
    kb: Knowledge, tmp_path: Path
) -> None:
    sections = _facts(kb, "tofacitinib", "US")
    edited = _renal(sections, "CLcr", "eGFR")
    assert {"us-renal-moderate", "us-renal-severe"} <= edited
    path = tmp_path / "label.xml"
    path.write_text(_spl(sections), encoding="utf-8")
    result = runner.invoke(app, ["kb", "check-label", "tofacitinib", str(path), "--region", "US"])
    assert result.exit_code == 1, result.output
    named = {line.split("  ")[0] for line in result.stdout.splitlines()[:-1]}
    assert named == edited
    assert "2.3" in result.stdout
    # the DailyMed ZIP holding the SPL reads the same
    zipped = tmp_path / "label.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.write(path, "spl/label.xml")
        zf.writestr("spl/image.jpg", b"\xff\xd8")
    again = runner.invoke(app, ["kb", "check-label", "tofacitinib", str(zipped)])
    assert again.exit_code == 1
    assert again.stdout == result.stdout


def test_all_lists_found_facts_and_exit_0_when_nothing_changed(
    kb: Knowledge, tmp_path: Path
) -> None:
    path = tmp_path / "label.xml"
    path.write_text(_spl(_facts(kb, "tofacitinib", "US")), encoding="utf-8")
    result = runner.invoke(app, ["kb", "check-label", "tofacitinib", str(path), "--all"])
    assert result.exit_code == 0, result.output
    assert "found    us-renal-severe" in result.stdout
    assert re.fullmatch(r"0 of [0-9]+ quoted fact\(s\) to review", result.stdout.splitlines()[-1])


def test_smpc_with_an_edited_renal_paragraph_names_the_renal_facts(
    kb: Knowledge, tmp_path: Path
) -> None:
    sections = _facts(kb, "baricitinib", "EU")
    clean = tmp_path / "clean.txt"
    clean.write_text(_smpc(sections), encoding="utf-8")
    ok = runner.invoke(app, ["kb", "check-label", "baricitinib", str(clean), "--region", "EU"])
    assert ok.exit_code == 0, ok.output
    edited = _renal(sections, "glomerular filtration", "creatinine clearance")
    edited |= _renal(sections, "eGFR", "CrCl")
    assert edited
    path = tmp_path / "smpc.txt"
    path.write_text(_smpc(sections), encoding="utf-8")
    result = runner.invoke(
        app, ["kb", "check-label", "baricitinib", str(path), "--region", "EU", "--format", "json"]
    )
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert {f["fact"] for f in data["facts"]} == edited
    assert all(not f["found"] for f in data["facts"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuchinib", "label.xml"], "unknown drug"),
        (["filgotinib", "label.xml", "--region", "US"], "has no label there"),
        (["tofacitinib", "missing.xml"], "cannot read"),
        (["tofacitinib", "notxml.xml"], "not well-formed XML"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "label.xml").write_text(_spl({}), encoding="utf-8")
    (tmp_path / "notxml.xml").write_text("<document", encoding="utf-8")
    result = runner.invoke(app, ["kb", "check-label", *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
