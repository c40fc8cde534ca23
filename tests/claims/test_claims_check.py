"""The claim checker: issue 17 acceptance, claim shapes, regions, the CLI and the HTML."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from jakguide.claims import KINDS, check_text
from jakguide.claims.render import to_html, to_text
from jakguide.cli import app
from jakguide.kb.base import Knowledge
from jakguide.kb.schema import Region

ARTICLES = Path(__file__).parent / "articles"
ACCEPT = (
    "Tofacitinib, upadacitinib and abrocitinib are approved for plaque psoriasis. "
    "deucravacitinib is approved for plaque psoriasis."
)


def _by_agent(text: str, kb: Knowledge, region: Region = "US") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for c in check_text(text, kb, region).claims:
        out.setdefault(c.agent, []).append(f"{c.kind}:{c.condition}:{c.verdict}")
    return out


def test_acceptance_three_false_with_approved_conditions_one_true(kb: Knowledge) -> None:
    for region in ("US", "EU"):
        report = check_text(ACCEPT, kb, region)
        got = {c.agent: c for c in report.claims if c.kind == "approval"}
        assert set(got) == {"tofacitinib", "upadacitinib", "abrocitinib", "deucravacitinib"}
        for inn in ("tofacitinib", "upadacitinib", "abrocitinib"):
            claim = got[inn]
            assert claim.verdict == "false"
            assert claim.condition == "plaque-psoriasis"
            label = kb.drugs[inn].regions[region]
            listed = claim.evidence[0].fact
            for ind in label.indications:
                assert kb.conditions[ind.condition].name in listed
            assert claim.correction and "not approved for Plaque psoriasis" in claim.correction
        assert got["deucravacitinib"].verdict == "true"


def test_offsets_point_into_the_input(kb: Knowledge) -> None:
    text = (ARTICLES / "us_overview.txt").read_text()
    for c in check_text(text, kb).claims:
        assert text[c.start : c.end] == c.text
        if c.agent != "class":
            names = [kb.drugs[c.agent].inn] + [
                b for lab in kb.drugs[c.agent].regions.values() for b in lab.brands
            ]
            assert any(n.lower() in c.text.lower() for n in names), c


def test_psoriasis_never_matches_psoriatic_arthritis(kb: Knowledge) -> None:
    got = _by_agent("Tofacitinib is approved for psoriatic arthritis.", kb)
    assert got == {"tofacitinib": ["approval:psoriatic-arthritis:true"]}


def test_negation_and_hedge(kb: Knowledge) -> None:
    assert _by_agent("Abrocitinib is not approved for psoriasis.", kb) == {
        "abrocitinib": ["approval:plaque-psoriasis:true"]
    }
    assert _by_agent("Upadacitinib has not been approved for atopic dermatitis.", kb) == {
        "upadacitinib": ["approval:atopic-dermatitis:false"]
    }
    assert _by_agent("Tofacitinib may be used off-label for psoriasis.", kb) == {
        "tofacitinib": ["approval:plaque-psoriasis:not-checkable"]
    }


def test_question_is_not_a_claim(kb: Knowledge) -> None:
    assert check_text("Is tofacitinib approved for psoriasis?", kb).claims == []


def test_region_stated_in_text_wins(kb: Knowledge) -> None:
    # filgotinib has no US label: stated region -> false; unstated -> approved elsewhere
    assert _by_agent("Filgotinib is FDA-approved for rheumatoid arthritis.", kb, "EU") == {
        "filgotinib": ["approval:rheumatoid-arthritis:false"]
    }
    assert _by_agent("Filgotinib is approved for rheumatoid arthritis.", kb, "US") == {
        "filgotinib": ["approval:rheumatoid-arthritis:partly-true"]
    }


def test_cream_brand_settles_what_the_inn_alone_does_not(kb: Knowledge) -> None:
    assert _by_agent("Opzelura is approved for psoriasis.", kb) == {
        "ruxolitinib": ["approval:plaque-psoriasis:false"]
    }
    assert _by_agent("Ruxolitinib is approved for psoriasis.", kb) == {
        "ruxolitinib": ["approval:plaque-psoriasis:not-checkable"]
    }


def test_json_states_what_it_looks_for(kb: Knowledge, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ACCEPT, encoding="utf-8")
    result = CliRunner().invoke(app, ["check-article", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"claims", "summary"}
    assert data["summary"]["kinds_checked"] == KINDS
    assert data["summary"]["verdicts"]["false"] == 3
    first = data["claims"][0]
    assert set(first) >= {
        "text",
        "start",
        "end",
        "agent",
        "condition",
        "kind",
        "verdict",
        "evidence",
        "correction",
    }
    assert first["evidence"][0]["source"]["doc"]


def test_cli_text_and_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ACCEPT, encoding="utf-8")
    result = CliRunner().invoke(app, ["check-article", str(path), "--region", "EU"])
    assert result.exit_code == 0
    assert "FALSE" in result.stdout and "region EU" in result.stdout
    missing = CliRunner().invoke(app, ["check-article", str(tmp_path / "nope.txt")])
    assert missing.exit_code == 2
    assert "Traceback" not in missing.output
    bad = tmp_path / "bin.txt"
    bad.write_bytes(b"\xff\xfe\x00bad")
    assert CliRunner().invoke(app, ["check-article", str(bad)]).exit_code == 2


def test_html_escapes_the_article(kb: Knowledge) -> None:
    text = '<script>alert(1)</script> Tofacitinib is approved for "psoriasis" & more.'
    report = check_text(text, kb)
    page = to_html(report, text)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert '<mark class="v-false"' in page
    assert "not a substitute for clinical judgement" in page
    assert "http" not in page  # nothing loaded from the network
    assert "FALSE" in to_text(report)


def test_help_does_not_import_the_checker() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from jakguide.cli import app\n"
        "CliRunner().invoke(app, ['--help'])\n"
        "print([m for m in sys.modules if m.startswith('jakguide.claims')])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_not_only_and_unclear(kb: Knowledge) -> None:
    assert _by_agent("Tofacitinib is not only approved for RA but also for PsA.", kb) == {
        "tofacitinib": ["approval:rheumatoid-arthritis:true", "approval:psoriatic-arthritis:true"]
    }
    assert _by_agent("It is unclear whether baricitinib is approved for psoriasis.", kb) == {
        "baricitinib": ["approval:plaque-psoriasis:not-checkable"]
    }


def test_patients_condition_is_not_an_indication(kb: Knowledge) -> None:
    text = (
        "Many people with psoriasis also have psoriatic arthritis, "
        "for which upadacitinib is approved."
    )
    assert check_text(text, kb).claims == []
    assert _by_agent(
        "Upadacitinib is approved for psoriatic arthritis in people with psoriasis.", kb
    ) == {"upadacitinib": ["approval:psoriatic-arthritis:true"]}
