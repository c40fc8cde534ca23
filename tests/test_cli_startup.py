"""A fast CLI: ``jakguide --help`` and ``jakguide assess`` load no web framework, database layer,
PDF library or templating (checked on ``sys.modules`` in a fresh interpreter); only the named
command's group is imported; the lazy public API and command table match the whole app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

import jakguide
from jakguide import cli

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "as-tnf-ir.yaml"
HEAVY = (
    "fastapi",
    "starlette",
    "sqlalchemy",
    "alembic",
    "uvicorn",
    "weasyprint",
    "jinja2",
    "pydyf",
    "fhir",
    "psycopg",
    "argon2",
    "duckdb",
    "pyspark",
    "pyarrow",
)
# The probe reads ``sys.modules`` after ``main()``: it turns the short-lived commands' fast exit
# (``os._exit`` after the output is flushed) back into ``SystemExit``.
PROBE = """
import json, os, sys
from jakguide.cli import main
def _exit(code):
    raise SystemExit(code)
os._exit = _exit
sys.argv = ["jakguide", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stdout.flush()
print("\\nMODULES " + json.dumps(sorted(sys.modules)))
print("CODE " + json.dumps(code))
"""


def _run(args: list[str], tmp_path: Path) -> tuple[int, list[str], str]:
    env = {**os.environ, "JAKGUIDE_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "80"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    lines = done.stdout.splitlines()
    modules = json.loads(next(x for x in lines if x.startswith("MODULES "))[8:])
    code = json.loads(next(x for x in lines if x.startswith("CODE "))[5:])
    return code or 0, modules, done.stdout + done.stderr


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if m.split(".")[0] in HEAVY]


ASSESS = [
    "assess",
    str(EXAMPLE),
    "--condition",
    "ankylosing-spondylitis",
    "--as-of",
    "2026-12-01",
]


@pytest.mark.parametrize(
    "args",
    [["--help"], ASSESS, [*ASSESS, "--format", "json"], ["drugs"], ["score", "--help"]],
    ids=["help", "assess", "assess-json", "drugs", "score-help"],
)
def test_light_commands_load_no_heavy_library(args: list[str], tmp_path: Path) -> None:
    code, modules, output = _run(args, tmp_path)
    assert code == 0, output
    assert _heavy(modules) == []


def test_assess_imports_only_its_own_command_group(tmp_path: Path) -> None:
    code, modules, output = _run(ASSESS, tmp_path)
    assert code == 0, output
    assert "upadacitinib" in output
    for group in ("server", "demo", "guide", "instruments", "kb"):
        assert f"jakguide.cli.{group}" not in modules, group
    # run twice: the second run reads the knowledge snapshot and prints the same
    again = _run(ASSESS, tmp_path)
    assert again[2].split("\nMODULES")[0] == output.split("\nMODULES")[0]


@pytest.mark.parametrize(
    ("args", "code", "stream", "text"),
    [
        (ASSESS, 0, "stdout", "Knowledge version"),
        ([*ASSESS, "--format", "json"], 0, "stdout", '"as_of": "2026-12-01"'),
        ([*ASSESS, "--region", "XX"], 2, "stderr", "'XX' is not one of"),
        (["assess", "no-such-file.yaml", "--condition", "plaque-psoriasis"], 2, "stderr", "error:"),
        (["--version"], 0, "stdout", "jakguide "),
        (["--help"], 0, "stdout", "assess"),
    ],
    ids=["assess", "assess-json", "bad-option", "bad-file", "version", "help"],
)
def test_short_lived_commands_end_with_their_code_and_all_their_output(
    args: list[str], code: int, stream: str, text: str, tmp_path: Path
) -> None:
    """The real entry point, without the probe: the fast exit keeps the exit code and flushes
    everything written (a whole JSON document, the last line of the text output)."""
    env = {**os.environ, "JAKGUIDE_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "80"}
    done = subprocess.run(
        [sys.executable, "-c", "from jakguide.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == code, done.stdout + done.stderr
    assert text in getattr(done, stream)
    if "json" in args:
        assert json.loads(done.stdout)["as_of"] == "2026-12-01"


def test_help_imports_no_engine_and_no_knowledge(tmp_path: Path) -> None:
    _, modules, _ = _run(["--help"], tmp_path)
    for module in ("jakguide.engine", "jakguide.kb.base", "jakguide.model", "yaml"):
        assert module not in modules, module


def test_fhir_is_loaded_only_for_fhir_input(tmp_path: Path) -> None:
    bundle = ROOT / "tests" / "fhir" / "example-bundle.json"
    code, modules, output = _run(
        ["assess", str(bundle), "--condition", "plaque-psoriasis"], tmp_path
    )
    assert code == 0, output
    assert [m for m in modules if m.startswith("fhir")], "a FHIR bundle is read with fhir.resources"


def test_the_command_table_matches_the_whole_app() -> None:
    whole = typer.main.get_command(cli.app)
    ctx = typer.Context(whole)
    names = set(whole.list_commands(ctx))  # type: ignore[attr-defined]
    assert names == set(cli.COMMANDS)
    for name, group in cli.COMMANDS.items():
        alone = typer.main.get_command(cli.build_app((group,)))
        assert name in alone.list_commands(typer.Context(alone)), (name, group)  # type: ignore[attr-defined]
    assert set(cli.COMMANDS.values()) == set(cli.GROUPS)


def test_the_lazy_public_api_names_every_export() -> None:
    assert set(jakguide._HOME) | {"__version__"} == set(jakguide.__all__)
    assert jakguide.assess is jakguide.engine.assess
    with pytest.raises(AttributeError):
        _ = jakguide.no_such_name
