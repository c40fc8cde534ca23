"""Fixtures for the scan: one Spark session for the whole run."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session (2 cores, UI off) shared by every Spark test.

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
