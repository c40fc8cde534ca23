"""Docs and code keep each other honest: every setting and server command is documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from jakguide.store.settings import settings_table

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("row", settings_table(), ids=lambda r: r["env"])
def test_every_setting_is_documented(row: dict[str, str]) -> None:
    assert f"`{row['env']}`" in (DOCS / "store.md").read_text()


@pytest.mark.parametrize(
    "command",
    [
        "jakguide serve",
        "jakguide db upgrade",
        "jakguide db backup",
        "jakguide db restore",
        "jakguide user add",
    ],
)
def test_every_server_command_is_documented(command: str) -> None:
    assert command in (DOCS / "store.md").read_text() + (DOCS / "api.md").read_text()


def test_every_api_path_is_documented() -> None:
    from jakguide.web import auth
    from jakguide.web.api import record_views
    from jakguide.web.api import stateless as api

    text = (DOCS / "api.md").read_text()
    for router in (api.router, auth.router, record_views.router):
        for route in router.routes:
            path = str(getattr(route, "path", "")).replace("{patient_id}", "{id}")
            path = path.replace("/{row_id}", "")
            assert path in text, path
