"""A dependency's warning never fails a PDF: WeasyPrint's import-time warnings are logged.

WeasyPrint 70 warns on import when HarfBuzz-Subset is missing; where warnings are errors that
warning used to escape from the first PDF request as an exception, and the page answered 500.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from jakguide.guide.render import import_quietly

NOISY = "jakguide_test_noisy_dependency"


def _write_module(folder: Path, body: str) -> None:
    (folder / f"{NOISY}.py").write_text(textwrap.dedent(body), "utf-8")


@pytest.fixture
def noisy_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, NOISY, raising=False)  # removed again afterwards
    return tmp_path


def test_import_warnings_are_logged_not_raised(
    noisy_folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _write_module(
        noisy_folder,
        """
        import warnings
        warnings.warn("Foo will be required by future versions", DeprecationWarning)
        VALUE = 42
        """,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        before = list(warnings.filters)
        with caplog.at_level(logging.WARNING, logger="jakguide.guide"):
            module = import_quietly(NOISY)
        assert warnings.filters == before  # the process-wide filters are restored
    assert module.VALUE == 42
    assert f"importing {NOISY}: DeprecationWarning: Foo will be required" in caplog.text
    assert import_quietly(NOISY) is module  # later calls: the module already imported


def test_a_failing_import_still_raises_and_logs_its_warnings(
    noisy_folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _write_module(
        noisy_folder,
        """
        import warnings
        warnings.warn("libfoo is old", UserWarning)
        raise OSError("cannot load library 'libfoo.so.0'")
        """,
    )
    with caplog.at_level(logging.WARNING, logger="jakguide.guide"), pytest.raises(OSError):
        import_quietly(NOISY)
    assert "UserWarning: libfoo is old" in caplog.text


def test_a_pdf_renders_where_every_warning_is_an_error() -> None:
    """A fresh interpreter with ``-W error``: importing jakguide and WeasyPrint, writing a PDF."""
    code = (
        "import sys; from jakguide.guide.render import html_to_pdf; "
        "sys.stdout.buffer.write(html_to_pdf('<p>Hello</p>')[:5])"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-3000:]
    assert done.stdout == b"%PDF-"
