"""ViewDefinitions jakguide ships (JSON files next to this module)."""

from __future__ import annotations

from pathlib import Path

from jakguide.sof.errors import ViewError

FOLDER = Path(__file__).parent
VIEWS = tuple(sorted(p.stem for p in FOLDER.glob("*.json")))


def view_path(name: str) -> Path:
    """The file of a shipped view by name (``observation``), or ``name`` itself if it is a file."""
    if name in VIEWS:
        return FOLDER / f"{name}.json"
    path = Path(name)
    if path.is_file():
        return path
    raise ViewError(f"no such view; shipped views: {', '.join(VIEWS)}", "VIEW", name)
