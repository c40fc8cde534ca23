"""Failed patient-link opens: throttled per client address, audited in aggregate.

Why not one audit row per failure: an unknown token names no clinic and no patient, so a row per
attempt tells an administrator nothing a count does not, while letting anyone on the network make
the server fsync a row per request (unbounded growth, a cheap denial of service). Unknown tokens
are counted in memory and written as one row per interval (``detail`` = ``attempts=N``); a client
address with too many failures in the window gets 429 before any lookup. Expired and revoked
links still get a row each: they name the link, the clinic and the patient.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from jakguide.store import audit
from jakguide.store.db import Database
from jakguide.store.models import AuditRow, utcnow
from jakguide.web.ratelimit import LoginLimiter

#: Failed opens allowed per client address within the window before 429.
MAX_FAILURES = 20
WINDOW_SECONDS = 900
#: Seconds between aggregated audit rows.
FLUSH_SECONDS = 60.0
RESOURCE = "patient-link"


class LinkFailures:
    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_seconds: float = WINDOW_SECONDS,
        interval: float = FLUSH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limiter = LoginLimiter(max_failures, window_seconds, clock)
        self.max_failures = max_failures
        self.interval = interval
        self.clock = clock
        self._count = 0
        self._last_flush = clock()
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int | None:
        """Seconds this client must wait (too many failures), else None."""
        return self.limiter.retry_after([(f"link:{client}", self.max_failures)])

    def failed(self, client: str, db: Database) -> None:
        """Count one unknown token from ``client``; write the aggregate when it is due."""
        self.limiter.failed([f"link:{client}"])
        with self._lock:
            self._count += 1
            due = self.clock() - self._last_flush >= self.interval
        if due:
            self.flush(db)

    def flush(self, db: Database) -> int:
        """Write the attempts counted so far as one audit row; returns how many."""
        with self._lock:
            count, self._count = self._count, 0
            self._last_flush = self.clock()
        if count:
            row = AuditRow(
                at=utcnow(),
                clinic_id=None,
                clinician_id=None,
                action="read",
                resource=RESOURCE,
                resource_id=None,
                patient_id=None,
                outcome="not-found",
                detail=f"attempts={count}",
            )
            with db.transaction() as session:
                audit.add(session, row)
        return count
