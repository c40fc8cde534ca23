"""Graceful overload: a bounded number of requests worked on at once, a bounded queue with a
bounded wait, a per-request deadline, and 503 with ``Retry-After`` past any of them.

Why: without a bound, a burst (200 req/s on a record page) started more work than the thread
pool and the database pool could hold; requests waited on each other until the pool timed out,
the backlog grew faster than it drained, and ``/api/health`` stayed unanswered minutes after the
load stopped. Here work is admitted up to ``max_concurrent_requests`` (the thread pool and the
database pool are sized from the same number, see ``store.db``), at most ``max_queued_requests``
wait, none longer than ``queue_timeout_seconds``; everything else is answered 503 at once, so
the server sheds load instead of collapsing and is back to normal as soon as the queue drains.
``/api/health`` and static files bypass admission (health has its own threads and connection).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jakguide.web.problems import RETRY_AFTER_SECONDS, overloaded

log = logging.getLogger("jakguide.web")
BYPASS = ("/api/health", "/static/")
BUSY_PAGE = (
    b"<!doctype html><meta charset=utf-8><title>Busy</title>"
    b"<p>The server is busy; nothing was changed. Try again in a moment.</p>"
)


class Admission:
    def __init__(
        self,
        app: ASGIApp,
        slots: int,
        queue: int,
        queue_timeout: float,
        deadline: float,
        bypass: Sequence[str] = BYPASS,
    ) -> None:
        self.app = app
        self.slots = slots
        self.queue = queue
        self.queue_timeout = queue_timeout
        self.deadline = deadline
        self.bypass = tuple(bypass)
        self._sem: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.waiting = 0
        self.active = 0
        self.shed = 0

    def _semaphore(self) -> asyncio.Semaphore:
        # One per event loop (a server has one; in-process test clients may start several).
        loop = asyncio.get_running_loop()
        if self._sem is None or self._loop is not loop:
            self._sem, self._loop = asyncio.Semaphore(self.slots), loop
        return self._sem

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(self.bypass):
            await self.app(scope, receive, send)
            return
        sem = self._semaphore()
        if sem.locked() and self.waiting >= self.queue:
            await self._busy(scope, receive, send, "queue full")
            return
        self.waiting += 1
        try:
            await asyncio.wait_for(sem.acquire(), self.queue_timeout)
        except TimeoutError:
            await self._busy(scope, receive, send, "queue timeout")
            return
        finally:
            self.waiting -= 1
        self.active += 1
        await self._run(scope, receive, send, sem)

    async def _run(
        self, scope: Scope, receive: Receive, send: Send, sem: asyncio.Semaphore
    ) -> None:
        """Run the request; past the deadline answer 503 (if nothing was sent yet) and let the
        work finish in the background, holding its slot until it does."""
        started = False
        abandoned = False

        async def sending(message: Message) -> None:
            nonlocal started
            if abandoned:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        def release(task: asyncio.Task[None]) -> None:
            self.active -= 1
            sem.release()
            if not task.cancelled() and task.exception() is not None:
                log.error("request failed after its deadline: %s", type(task.exception()).__name__)

        task = asyncio.ensure_future(self.app(scope, receive, sending))
        done, _ = await asyncio.wait({task}, timeout=self.deadline)
        if done or started:
            try:
                await task
            finally:
                self.active -= 1
                sem.release()
            return
        abandoned = True
        task.add_done_callback(release)
        await self._busy(scope, receive, send, "deadline")

    async def _busy(self, scope: Scope, receive: Receive, send: Send, why: str) -> None:
        self.shed += 1
        log.info("503 (%s) on %s %s", why, scope.get("method"), scope.get("path", "?")[:40])
        if scope.get("path", "").startswith("/api/"):
            await overloaded()(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
                    (b"cache-control", b"no-store"),
                    (b"content-length", str(len(BUSY_PAGE)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": BUSY_PAGE})
