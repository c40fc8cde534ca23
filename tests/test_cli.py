"""The CLI on real output: exit codes, one-line errors, JSON shapes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from jakguide.cli import app

EXAMPLES = Path(__file__).parent.parent / "examples"
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0
    assert out.startswith("jakguide ")


def test_kb_validate_bundled_is_valid() -> None:
    code, out, _ = run("kb", "validate")
    assert code == 0, out
    assert out.startswith("valid: knowledge ")


BROKEN: dict[str, tuple[str, str | None, str]] = {
    "duplicate key": (
        "conditions.yaml",
        "conditions:\n  - id: a\n    id: b\n",
        "conditions.yaml:3: conditions[0].id: duplicate key",
    ),
    "unknown key": ("index.yaml", None, ""),
    "bad date": ("index.yaml", None, ""),
}


def _broken_folder(tmp_path: Path, case: str) -> tuple[Path, str]:
    from jakguide.kb.loader import default_knowledge_dir

    folder = tmp_path / "kb"
    shutil.copytree(default_knowledge_dir(), folder)
    name, content, expect = BROKEN[case]
    index = (folder / "index.yaml").read_text()
    if case == "unknown key":
        content = index.rstrip("\n") + "\ncolour: blue\n"
        expect = f"index.yaml:{len(content.splitlines())}: colour: unknown key"
    elif case == "bad date":
        content = re.sub(r"(?m)^release_date: .*$", "release_date: 2026-02-30", index)
        line = content.splitlines().index("release_date: 2026-02-30") + 1
        expect = f"index.yaml:{line}: release_date: Input should be a valid date"
    assert content is not None
    (folder / name).write_text(content)
    return folder, expect


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_kb_validate_broken_folder_exits_1_naming_file_line_key(tmp_path: Path, case: str) -> None:
    folder, expect = _broken_folder(tmp_path, case)
    code, _, err = run("kb", "validate", "--knowledge", str(folder))
    assert code == 1
    assert expect in err
    assert "Traceback" not in err


@pytest.mark.parametrize("case", sorted(BROKEN))
@pytest.mark.parametrize(
    "command",
    [
        ["drugs"],
        ["drug", "tofacitinib"],
        ["kb", "facts", "--unsourced"],
        ["assess", str(EXAMPLES / "as-tnf-ir.yaml"), "--condition", "ankylosing-spondylitis"],
        ["labs", str(EXAMPLES / "as-tnf-ir.yaml"), "--drug", "tofacitinib"],
    ],
    ids=lambda c: c[0] if isinstance(c, list) else c,
)
def test_other_commands_exit_2_with_the_same_message(
    tmp_path: Path, case: str, command: list[str]
) -> None:
    folder, expect = _broken_folder(tmp_path, case)
    code, _, err = run(*command, "--knowledge", str(folder))
    assert code == 2
    assert expect in err
    assert "Traceback" not in err


def test_env_var_selects_knowledge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, expect = _broken_folder(tmp_path, "unknown key")
    monkeypatch.setenv("JAKGUIDE_KNOWLEDGE", str(folder))
    code, _, err = run("drugs")
    assert code == 2
    assert expect in err


def _patient(tmp_path: Path, **changes: object) -> Path:
    data = yaml.safe_load((EXAMPLES / "as-tnf-ir.yaml").read_text())
    data.update(changes)
    path = tmp_path / "patient.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_unknown_unit_exits_2_with_one_line(tmp_path: Path) -> None:
    data = yaml.safe_load((EXAMPLES / "as-tnf-ir.yaml").read_text())
    data["labs"][0]["unit"] = "furlongs"
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data))
    code, out, err = run("assess", str(path), "--condition", "ankylosing-spondylitis")
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert "labs[0].unit" in lines[0] and "furlongs" in lines[0] and "accepted" in lines[0]


def test_impossible_value_exits_2(tmp_path: Path) -> None:
    data = yaml.safe_load((EXAMPLES / "as-tnf-ir.yaml").read_text())
    data["labs"][2]["value"] = 140  # hemoglobin 140 g/dL
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data))
    code, _, err = run("assess", str(path), "--condition", "ankylosing-spondylitis")
    assert code == 2
    assert "labs[2].value" in err and "hemoglobin" in err


def test_unknown_condition_exits_2(tmp_path: Path) -> None:
    code, _, err = run(
        "assess", str(EXAMPLES / "as-tnf-ir.yaml"), "--condition", "psoriasis-of-the-soul"
    )
    assert code == 2
    assert "condition" in err and "psoriasis-of-the-soul" in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_condition_in_patient_file_exits_2(tmp_path: Path) -> None:
    path = _patient(tmp_path, conditions=["spondylitis-maybe"])
    code, _, err = run("assess", str(path), "--condition", "ankylosing-spondylitis")
    assert code == 2
    assert "conditions[0]" in err and "spondylitis-maybe" in err


def test_unknown_field_exits_2(tmp_path: Path) -> None:
    path = _patient(tmp_path, favourite_colour="blue")
    code, _, err = run("assess", str(path), "--condition", "ankylosing-spondylitis")
    assert code == 2
    assert "favourite_colour" in err and "unknown field" in err


def test_bad_as_of_exits_2() -> None:
    code, _, err = run(
        "assess",
        str(EXAMPLES / "as-tnf-ir.yaml"),
        "--condition",
        "ankylosing-spondylitis",
        "--as-of",
        "yesterday",
    )
    assert code == 2
    assert "--as-of" in err and "yesterday" in err


def test_missing_file_exits_2(tmp_path: Path) -> None:
    code, _, err = run("assess", str(tmp_path / "nope.yaml"), "--condition", "plaque-psoriasis")
    assert code == 2
    assert "file not found" in err


def test_malformed_json_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"sex": "male",')
    code, _, err = run("assess", str(path), "--condition", "plaque-psoriasis")
    assert code == 2
    assert "invalid JSON" in err


def test_assess_json_echoes_region_and_as_of() -> None:
    code, out, _ = run(
        "assess",
        str(EXAMPLES / "as-tnf-ir.yaml"),
        "--condition",
        "ankylosing-spondylitis",
        "--as-of",
        "2026-11-21",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["region"] == "US"
    assert data["as_of"] == "2026-11-21"
    assert data["condition"] == "ankylosing-spondylitis"
    assert data["knowledge_version"]
    assert data["disclaimer"].startswith("Decision support")
