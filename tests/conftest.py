"""Shared fixtures: the bundled knowledge, loaded once; a pinned as_of date; one Spark session
for the SQL on FHIR runner and the scan."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jakguide.kb.base import Knowledge, load_knowledge
from jakguide.kb.loader import default_knowledge_dir

AS_OF = dt.date(2026, 11, 21)

# The CLI's knowledge snapshot (jakguide.cli.snapshot) stays off in tests: nothing is written to
# the home directory; tests/test_cli_snapshot.py switches it on in a temporary folder.
os.environ["JAKGUIDE_CACHE_DIR"] = ""


@pytest.fixture(scope="session")
def kb() -> Knowledge:
    return load_knowledge(default_knowledge_dir())


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled knowledge folder."""
    dest = tmp_path / "knowledge"
    shutil.copytree(default_knowledge_dir(), dest)
    return dest


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session (2 cores, UI off) shared by every Spark test (SQL on FHIR
    conformance, the scan).

    Skipped only when PySpark is not installed (it is in the dev extra, so CI runs it); a missing
    Java fails, so that the Spark conformance count cannot vanish silently.
    """
    try:
        import pyspark  # noqa: F401
    except ImportError:
        pytest.skip("PySpark is not installed (pip install -e '.[dev]')")
    if shutil.which("java") is None:
        pytest.fail(
            "the Spark tests need Java 17+ on PATH (apt-get install openjdk-17-jre-headless)"
        )
    from jakguide.sof.engines import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()
