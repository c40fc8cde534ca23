"""jakguide: sourced decision support for the JAK/TYK2-inhibitor treatment pathway.

The small public API: load the knowledge, build a ``Patient``, ``assess`` it for a condition or
``evaluate_labs`` for a drug. Everything else is internal and may change.

The names load on first use (PEP 562), so ``from jakguide import __version__`` (the CLI's
``--help``) does not import the engine, the knowledge schema or pydantic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from jakguide.engine import assess, evaluate_labs
    from jakguide.errors import InputError, JakguideError, KnowledgeError
    from jakguide.kb.base import Knowledge, bundled_knowledge, load_knowledge
    from jakguide.model import (
        Assessment,
        AssessRequest,
        LabsReport,
        LabsRequest,
        Patient,
    )

# Where each public name lives (the module is imported when the name is first read).
_HOME = {
    "AssessRequest": "jakguide.model",
    "Assessment": "jakguide.model",
    "InputError": "jakguide.errors",
    "JakguideError": "jakguide.errors",
    "Knowledge": "jakguide.kb.base",
    "KnowledgeError": "jakguide.errors",
    "LabsReport": "jakguide.model",
    "LabsRequest": "jakguide.model",
    "Patient": "jakguide.model",
    "assess": "jakguide.engine",
    "bundled_knowledge": "jakguide.kb.base",
    "evaluate_labs": "jakguide.engine",
    "load_knowledge": "jakguide.kb.base",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'jakguide' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOME])


__all__ = [
    "AssessRequest",
    "Assessment",
    "InputError",
    "JakguideError",
    "Knowledge",
    "KnowledgeError",
    "LabsReport",
    "LabsRequest",
    "Patient",
    "__version__",
    "assess",
    "bundled_knowledge",
    "evaluate_labs",
    "load_knowledge",
]
