"""One derived input (``rules.derive``): kept apart so ``rules.context`` can hold them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jakguide.kb.schema import Citation

__all__ = ["Derivation"]


@dataclass(frozen=True)
class Derivation:
    """An input settled by other recorded data: its value, the fact shown, and the sources."""

    key: str
    value: Any
    fact: str
    sources: tuple[Citation, ...]
