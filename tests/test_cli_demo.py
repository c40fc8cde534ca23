"""``jakguide demo`` manners: the port is taken before the login is printed (a taken explicit
port is one line and exit 2; a taken default port falls back to a free one, said so), and the
temporary store is removed on every exit: Ctrl+C, SIGTERM, an error."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jakguide.cli import app, demo


@pytest.fixture
def taken() -> Iterator[int]:
    """A port some other program listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield int(sock.getsockname()[1])


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def test_a_taken_explicit_port_is_one_line_and_exit_2(taken: int, temp_root: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--port", str(taken), "--as-of", "2026-11-21"])
    assert result.exit_code == 2
    assert result.stdout == ""  # no login printed for a server that cannot start
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: --port") and "already in use" in lines[0]
    assert list(temp_root.iterdir()) == []


def test_a_taken_default_port_falls_back_to_a_free_one(
    taken: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "DEFAULT_PORT", taken)
    sock, note = demo.listen("127.0.0.1", None)
    with sock:
        port = sock.getsockname()[1]
        assert port != taken
        assert note == f"port {taken} is in use; serving on port {port} instead"


def test_a_free_explicit_port_is_used_as_given() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    sock, note = demo.listen("127.0.0.1", free)
    with sock:
        assert sock.getsockname()[1] == free and note is None


def test_an_address_that_cannot_be_listened_on_is_one_line() -> None:
    result = CliRunner().invoke(app, ["demo", "--host", "192.0.2.1", "--port", "0"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --host") and "cannot listen" in result.stderr


def test_an_error_after_the_store_is_made_removes_it(temp_root: Path, tmp_path: Path) -> None:
    broken = tmp_path / "no-knowledge-here"
    broken.mkdir()
    result = CliRunner().invoke(app, ["demo", "--port", "0", "--knowledge", str(broken)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert list(temp_root.iterdir()) == []


def _start(temp_root: Path) -> tuple[subprocess.Popen[str], Path]:
    env = {
        **os.environ,
        "TMPDIR": str(temp_root),
        "JAKGUIDE_CACHE_DIR": "",
        "PYTHONUNBUFFERED": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", "from jakguide.cli import main; main()", "demo", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    watchdog = threading.Timer(180, proc.kill)  # a hung start fails the test, never the suite
    watchdog.start()
    seen = ""
    try:
        while "Application startup complete" not in seen:
            line = proc.stdout.readline()
            assert line, seen  # the demo ended before serving
            seen += line
    finally:
        watchdog.cancel()
    assert "username  demo" in seen and "password  " in seen
    [store] = list(temp_root.glob("jakguide-demo-*"))
    return proc, store


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_the_temporary_store_is_removed_when_stopped(
    signum: signal.Signals, tmp_path: Path
) -> None:
    temp_root = tmp_path / "tmp"
    temp_root.mkdir()
    proc, store = _start(temp_root)
    try:
        assert store.is_dir()
        proc.send_signal(signum)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:  # pragma: no cover - only when the test fails
            proc.kill()
            proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()
    assert proc.returncode == 0
    assert not store.exists()
    assert list(temp_root.iterdir()) == []
