"""Seen token ids (``iss``, ``jti``), each kept until its token expires, to refuse replays.

Why in memory: a token lives minutes, so a process-local set bounded by expiry is enough for
one worker. With several worker processes (``jakguide serve --workers N``) each has its own set,
so a replayed token could be accepted once per worker: see docs/cds.md "Security".
"""

from __future__ import annotations

import heapq
import threading
from dataclasses import dataclass, field


@dataclass
class ReplayStore:
    """``remember`` answers False for an id already seen and not yet expired."""

    _seen: dict[tuple[str, str], float] = field(default_factory=dict)
    _expiry: list[tuple[float, str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def remember(self, iss: str, jti: str, until: float, now: float) -> bool:
        """Record ``jti`` of ``iss`` until ``until`` (epoch seconds); False if it is a replay."""
        with self._lock:
            self._prune(now)
            key = (iss, jti)
            if key in self._seen:
                return False
            self._seen[key] = until
            heapq.heappush(self._expiry, (until, iss, jti))
            return True

    def _prune(self, now: float) -> None:
        while self._expiry and self._expiry[0][0] < now:
            until, iss, jti = heapq.heappop(self._expiry)
            if self._seen.get((iss, jti)) == until:
                del self._seen[(iss, jti)]

    def __len__(self) -> int:
        return len(self._seen)
