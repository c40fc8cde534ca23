"""Fixtures for the SQL on FHIR runner: one Spark session for the whole run, data folders."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def spark_available() -> bool:
    """PySpark importable and a java on PATH."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return shutil.which("java") is not None


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session (2 cores, UI off) shared by every Spark test."""
    if not spark_available():
        pytest.skip("PySpark or Java is not installed")
    from jakguide.sof.engines import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()


def shared_data(name: str) -> Path:
    """A data set vendored under tests/data/<name>, else ../shared/data/<name>."""
    for candidate in (REPO / "tests" / "data" / name, REPO.parent / "shared" / "data" / name):
        if candidate.is_dir():
            return candidate
    pytest.skip(f"data set {name} not found under tests/data or ../shared/data")
