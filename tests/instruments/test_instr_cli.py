"""CLI: `score` and `response` mounted on a small Typer app with `register`."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from jakguide.cli import instruments as cli_instruments
from jakguide.cli.instruments import parse_assessment, parse_inputs, register
from jakguide.instruments import InstrumentInputError, response, score
from jakguide.instruments.docs import cli_command
from jakguide.instruments.registry import INSTRUMENTS, RESPONSES

runner = CliRunner()


def make_app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


APP = make_app()


def run(*args: str) -> Any:
    return runner.invoke(APP, list(args))


def assert_one_line_error(result: Any, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_register_adds_score_and_response() -> None:
    names = {c.name for c in APP.registered_commands}
    assert names == {"score", "response"}
    assert callable(cli_instruments.score_command)
    assert callable(cli_instruments.response_command)
    # The module-level app is usable as well.
    assert runner.invoke(cli_instruments.app, ["score", "pga", "grade=2"]).exit_code == 0


@pytest.mark.parametrize(
    ("name", "index"),
    [(name, i) for name, entry in INSTRUMENTS.items() for i in range(len(entry.doc.examples))],
)
def test_every_documented_score_example_runs_on_the_cli(name: str, index: int) -> None:
    example = INSTRUMENTS[name].doc.examples[index]
    args = shlex.split(cli_command("score", name, example.inputs))[1:]
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    expected = score(name, **example.inputs).to_dict() | {"instrument": name}
    assert json.loads(result.stdout) == expected


@pytest.mark.parametrize(
    ("name", "index"),
    [(name, i) for name, entry in RESPONSES.items() for i in range(len(entry.doc.examples))],
)
def test_every_documented_response_example_runs_on_the_cli(name: str, index: int) -> None:
    example = RESPONSES[name].doc.examples[index]
    args = shlex.split(cli_command("response", name, example.inputs))[1:]
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    expected = response(name, example.inputs["baseline"], example.inputs["current"]).to_dict()
    assert data == expected | {"instrument": name}


def test_acceptance_values_on_the_cli() -> None:
    out = run(
        "score",
        "asdas-crp",
        "back_pain=5",
        "morning_stiffness_duration=5",
        "patient_global=5",
        "peripheral_pain_swelling=5",
        "crp_mg_l=0.5",
        "--format",
        "json",
    )
    data = json.loads(out.stdout)
    assert data["components"]["crp_used_mg_l"] == 2.0
    assert data["category"] == "high"
    pasi = json.loads(
        run("response", "pasi", "--baseline", "13.2", "--current", "3.3", "--format", "json").stdout
    )
    assert pasi["pasi75"] is True
    assert pasi["instrument"] == "pasi"


def test_text_output_uses_rich_table() -> None:
    result = run("score", "basdai", "q1=4", "q2=4", "q3=4", "q4=4", "q5=4", "q6=4")
    assert result.exit_code == 0
    assert "BASDAI" in result.stdout
    assert "active" in result.stdout
    assert "garrett-1994" in result.stdout
    dlqi = run("score", "dlqi", "answers=3,2,1,0,2,not-relevant,no:a-little,0,0,2")
    assert "very-large" in dlqi.stdout
    assert "Finlay" in dlqi.stdout
    resp = run(
        "response",
        "asas",
        "--baseline",
        "patient_global=6,pain=7,function=5,inflammation=6",
        "--current",
        "patient_global=4,pain=5,function=3.5,inflammation=6.5",
    )
    assert resp.exit_code == 0
    assert "asas20" in resp.stdout


def test_inputs_from_json_file_with_override(tmp_path: Path) -> None:
    path = tmp_path / "inputs.json"
    path.write_text(json.dumps({"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "q6": 1}))
    result = run("score", "basdai", f"@{path}", "q1=6", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["value"] == 2.0
    base = tmp_path / "base.json"
    base.write_text(json.dumps({"patient_global": 6, "pain": 7, "function": 5, "inflammation": 6}))
    result = run(
        "response",
        "asas",
        "--baseline",
        f"@{base}",
        "--current",
        "patient_global=1,pain=1,function=1,inflammation=1",
        "--format",
        "json",
    )
    assert json.loads(result.stdout)["asas40"] is True


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("score", "pasi", "head.erythema=5"), ("pasi", "head.erythema", "'5'", "integer 0-4")),
        (("score", "basdai", "q1=1", "q2=1", "q3=1", "q4=1", "q5=1"), ("q6: missing",)),
        (("score", "basdai", "q1=11"), ("q1", "'11'", "number 0-10")),
        (("score", "dapsa-x"), ("instrument", "'dapsa-x'", "one of:", "dapsa")),
        (("score",), ("instrument: missing",)),
        (("score", "basdai", "q1"), ("argument", "key=value")),
        (("score", "basdai", "--fromat", "json"), ("--fromat",)),
        (("score", "pga", "grade=1", "--format", "xml"), ("--format", "'xml'", "text or json")),
        (("score", "pga", "grade=1", "grade.x=2"), ("grade",)),
        (("score", "dlqi", "answers=1,2,3"), ("answers", "exactly 10")),
        (("score", "pga", "@/nonexistent/inputs.json"), ("file", "readable JSON")),
        (("response", "pasi", "--baseline", "13.2"), ("--current: missing",)),
        (("response", "pasi", "--current", "13.2"), ("--baseline: missing",)),
        (("response", "pasi", "--baseline", "80", "--current", "1"), ("baseline", "number 0-72")),
        (("response", "acr20", "--baseline", "1", "--current", "1"), ("response", "'acr20'")),
        (("response", "asas", "--baseline", "pain=1,x", "--current", "1"), ("argument", "'x'")),
        (("response", "pasi", "extra", "--baseline", "1", "--current", "1"), ("argument", "extra")),
        (("response",), ("response: missing",)),
    ],
)
def test_invalid_input_is_one_line_on_stderr_with_exit_2(
    args: tuple[str, ...], fragments: tuple[str, ...]
) -> None:
    assert_one_line_error(run(*args), *fragments)


def test_bad_json_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    assert_one_line_error(run("score", "pga", f"@{path}"), "file", "valid JSON")
    path.write_text("[1, 2]")
    assert_one_line_error(run("score", "pga", f"@{path}"), "JSON object")


def test_parse_inputs() -> None:
    assert parse_inputs(["head.erythema=2", "head.area=3", "x=a,,null, b"]) == {
        "head": {"erythema": "2", "area": "3"},
        "x": ["a", None, None, "b"],
    }
    assert parse_inputs(["a="]) == {"a": None}
    with pytest.raises(InstrumentInputError):
        parse_inputs(["a..b=1"])


def test_parse_assessment() -> None:
    assert parse_assessment(" 13.2 ") == "13.2"
    assert parse_assessment("a=1,b.c=2") == {"a": "1", "b": {"c": "2"}}
