"""Shared fixtures: the bundled knowledge, loaded once; a pinned as_of date."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

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
