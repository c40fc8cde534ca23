"""A whole-word alternation of names, compiled on first use.

Why: the knowledge and its name table each hold a regular expression of every name they know
(thousands of alternatives). Compiling one takes milliseconds, and a pickled ``re.Pattern`` is
recompiled when the knowledge snapshot is read (``jakguide.cli.snapshot``), on every CLI run,
even by the runs that never search free text. This pattern pickles as its source and compiles
when it is first searched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

__all__ = ["LazyPattern"]


class LazyPattern:
    """``re.compile(source, flags)``, deferred to the first search."""

    __slots__ = ("_compiled", "flags", "source")

    def __init__(self, source: str, flags: int = 0) -> None:
        self.source = source
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.source, self.flags)
        return self._compiled

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.compiled().finditer(text)

    def __reduce__(self) -> tuple[Any, ...]:
        return (LazyPattern, (self.source, self.flags))
