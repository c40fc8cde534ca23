"""``jakguide db upgrade|backup|restore`` and ``user add`` through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from jakguide.cli import app
from jakguide.store import Database, Settings
from jakguide.store.models import Clinician


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("JAKGUIDE_DATABASE_URL", raising=False)
    monkeypatch.setenv("JAKGUIDE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def users(data: Path) -> int:
    db = Database(Settings(data_dir=data))
    with db.transaction() as s:
        n = s.scalar(select(func.count()).select_from(Clinician))
    db.dispose()
    return int(n or 0)


def test_user_add_backup_restore_round_trip(data_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app,
        ["user", "add", "ann", "--clinic", "North", "--password-stdin"],
        input="correct horse battery\n",
    )
    assert result.exit_code == 0, result.output
    assert "correct horse" not in result.output
    backup = tmp_path / "backup.sqlite3"
    assert runner.invoke(app, ["db", "backup", str(backup)]).exit_code == 0
    assert runner.invoke(app, ["db", "backup", str(backup)]).exit_code == 2  # never overwrite
    result = runner.invoke(
        app, ["user", "add", "bob", "--clinic", "North", "--password-stdin"], input="long enough\n"
    )
    assert result.exit_code == 0 and users(data_dir) == 2
    result = runner.invoke(app, ["db", "restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert users(data_dir) == 1


def test_bad_input_exits_2_with_one_line(data_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["user", "add", "ann", "--clinic", "N", "--password-stdin"], input="short\n"
    )
    assert (
        result.exit_code == 2 and "at least 8" in result.output and "short\n" not in result.output
    )
    not_a_db = tmp_path / "junk.sqlite3"
    not_a_db.write_text("hello")
    result = runner.invoke(app, ["db", "restore", str(not_a_db), "--yes"])
    assert result.exit_code == 2 and "not a jakguide SQLite store" in result.output


def test_backup_refuses_postgresql(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JAKGUIDE_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    result = CliRunner().invoke(app, ["db", "backup", str(tmp_path / "b")])
    assert result.exit_code == 2 and "pg_dump" in result.output


def test_user_add_prompts_for_the_password_without_echo(data_dir: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["user", "add", "zed", "--clinic", "Z", "--timezone", "Europe/Berlin"],
        input="hidden password\nhidden password\n",
    )
    assert result.exit_code == 0, result.output
    assert "hidden password" not in result.output and "Europe/Berlin" in result.output
