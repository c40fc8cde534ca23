"""Login rate limiting: failed attempts per account and per client address in a sliding window.

Why in memory: it needs no table and no clean-up job; a restart forgets the counts, which only
helps an attacker who can restart the server. Behind several workers each keeps its own count
(the limit then applies per worker); the argon2 cost bounds guessing in any case.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable

MAX_KEYS = 100_000


class LoginLimiter:
    def __init__(
        self,
        max_failures: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def retry_after(self, keys: Iterable[tuple[str, int]]) -> int | None:
        """Seconds to wait if any ``(key, allowed)`` is over its budget, else None."""
        now = self.clock()
        with self._lock:
            waits = []
            for key, allowed in keys:
                times = self._recent(key, now)
                if len(times) >= allowed:
                    waits.append(times[len(times) - allowed] + self.window - now)
        return max(1, math.ceil(max(waits))) if waits else None

    def attempt(self, keys: Iterable[tuple[str, int]]) -> tuple[int | None, float]:
        """Check and count one attempt atomically: ``(wait, stamp)``.

        If any ``(key, allowed)`` is over its budget, ``wait`` is the seconds to wait and
        nothing is counted. Otherwise the attempt is counted as a failure *before* the password
        is checked (so 60 parallel guesses get only ``allowed`` checks) and ``wait`` is None;
        call :meth:`forgive` with ``stamp`` when the password was right.
        """
        pairs = list(keys)
        now = self.clock()
        with self._lock:
            waits = []
            for key, allowed in pairs:
                times = self._recent(key, now)
                if len(times) >= allowed:
                    waits.append(times[len(times) - allowed] + self.window - now)
            if waits:
                return max(1, math.ceil(max(waits))), now
            if len(self._failures) > MAX_KEYS:
                self._failures.clear()
            for key, _allowed in pairs:
                self._failures.setdefault(key, deque()).append(now)
        return None, now

    def forgive(self, keys: Iterable[str], stamp: float) -> None:
        """Take back the attempt counted at ``stamp`` (the password was right)."""
        with self._lock:
            for key in keys:
                times = self._failures.get(key)
                if times is not None and stamp in times:
                    times.remove(stamp)
                    if not times:
                        del self._failures[key]

    def failed(self, keys: Iterable[str]) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) > MAX_KEYS:
                self._failures.clear()  # bounded memory beats perfect counts under a flood
            for key in keys:
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
