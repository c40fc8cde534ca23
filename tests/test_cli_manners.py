"""CLI manners: readable at 80 (and 60) columns; tables wrap or turn into blocks, and never cut a
drug, a status or an action with an ellipsis."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from jakguide.cli import _common, app
from jakguide.cli.render import Col, assessment_text, fit_table, labs_text
from jakguide.kb.base import Knowledge
from jakguide.model import Assessment, LabsReport
from test_cases import run_case
from vignettes import load_case, vignette_paths

ROOT = Path(__file__).parent.parent
EXAMPLE = str(ROOT / "examples" / "as-tnf-ir.yaml")
CASES = [p for p in vignette_paths() if p.parent.name != "errors"]
WIDTHS = (80, 60)


def whole(word: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def render(width: int, draw: object) -> str:
    console = Console(width=width, file=io.StringIO(), color_system=None, soft_wrap=True)
    assert callable(draw)
    draw(console)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(text, str)
    return text


def test_every_drug_and_status_shows_whole_at_80_columns(kb: Knowledge) -> None:
    checked = 0
    for path in CASES:
        case = load_case(path)
        result = run_case(case, kb)
        if isinstance(result, Assessment):
            text = render(80, lambda c, r=result: assessment_text(c, kb, r, explain=False))
            for option in result.options:
                assert whole(option.drug, text), (path.name, option.drug)
                if option.status != "not-indicated":
                    assert whole(option.status, text), (path.name, option.status)
            for item in result.monitoring:
                assert whole(item.status, text), (path.name, item.status)
        elif isinstance(result, LabsReport):
            text = render(80, lambda c, r=result: labs_text(c, r))
            for lab in result.results:
                assert whole(lab.action, text), (path.name, lab.action)
        else:  # pragma: no cover
            continue
        assert "…" not in text, path.name
        assert max(len(line) for line in text.splitlines()) <= 80, path.name
        checked += 1
    assert checked > 100


@pytest.mark.parametrize("width", [100, 80, 60, 40])
def test_fit_table_never_cuts_a_kept_column(width: int) -> None:
    cols = [Col("Drug", keep=True), Col("Status", keep=True), Col("Why"), Col("More")]
    rows = [["deucravacitinib", "not-recommended", "word " * 40, "x" * 50]]
    text = render(width, lambda c: fit_table(c, "T", cols, rows))
    assert "deucravacitinib" in text and "not-recommended" in text
    assert "…" not in text


@pytest.fixture
def columns(monkeypatch: pytest.MonkeyPatch) -> object:
    def set_width(width: int) -> None:
        monkeypatch.setenv("COLUMNS", str(width))
        monkeypatch.setattr(_common.out, "_width", width)

    return set_width


COMMANDS = {
    "assess": ["assess", EXAMPLE, "--condition", "ankylosing-spondylitis", "--as-of", "2026-12-01"],
    "assess-eu": [
        "assess",
        EXAMPLE,
        "--condition",
        "ankylosing-spondylitis",
        "--region",
        "EU",
        "--as-of",
        "2026-12-01",
    ],
    "labs": ["labs", EXAMPLE, "--drug", "tofacitinib", "--as-of", "2026-12-01"],
    "drugs": ["drugs"],
    "drugs-eu": ["drugs", "--region", "EU"],
    "drug": ["drug", "upadacitinib"],
    "score": ["score", "basdai", "q1=5", "q2=4", "q3=3", "q4=2", "q5=6", "q6=4"],
    "response": ["response", "asdas", "--baseline", "3.8", "--current", "1.9"],
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_commands_are_readable_at_narrow_widths(name: str, width: int, columns: object) -> None:
    assert callable(columns)
    columns(width)
    result = CliRunner().invoke(app, COMMANDS[name])
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    if name.startswith("drugs"):
        listed = CliRunner().invoke(app, [*COMMANDS[name], "--format", "json"]).stdout
        for row in json.loads(listed)["drugs"]:
            assert whole(row["drug"], result.stdout), row["drug"]
