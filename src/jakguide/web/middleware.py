"""ASGI middleware: request body limits (413) and the last-resort 500 problem.

Why our own body limit: the limit must hold for chunked uploads too (no Content-Length), so the
byte count is enforced while the body streams in, and the FHIR import gets a larger limit than the
JSON endpoints. Why a catch-all here: Starlette's server-error handler re-raises, and the server
would then log a traceback whose messages may hold patient data; we log the type and route only.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jakguide.web.problems import ProblemError, problem

log = logging.getLogger("jakguide.web")


class BodyTooLargeError(ProblemError):
    def __init__(self, limit: int) -> None:
        detail = f"The request body is larger than {limit} bytes."
        super().__init__(413, "too-large", detail, field="body", value=f"> {limit} bytes")
        self.limit = limit


class BodyLimit:
    """Answer 413 when a request body exceeds the limit of its path (first pattern that matches)."""

    def __init__(
        self, app: ASGIApp, default: int, overrides: Sequence[tuple[str, int]] = ()
    ) -> None:
        self.app = app
        self.default = default
        self.overrides = [(re.compile(p), limit) for p, limit in overrides]

    def limit_for(self, path: str) -> int:
        for pattern, limit in self.overrides:
            if pattern.fullmatch(path):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            error = BodyTooLargeError(limit)
            response = problem(413, error.slug, str(error.detail), error.errors)
            await response(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLargeError(limit)
            return message

        await self.app(scope, limited, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class CatchAll:
    """Turn any unhandled exception into a 500 problem, logging only its type and route."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:
            route = scope.get("route")
            log.error(
                "unexpected %s on %s %s",
                type(exc).__name__,
                scope.get("method"),
                getattr(route, "path", "?"),
            )
            if started:
                return
            response = problem(500, "internal-error", "Unexpected error; it has been logged.")
            await response(scope, receive, send)


class AccessLog:
    """One line per request: method, route template, status, milliseconds.

    Why templates: ``/api/patients/{patient_id}`` says what was done without an id, and query
    strings (which may carry a clinic's patient reference) are never logged.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = logging.getLogger("jakguide.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 0

        async def tracking(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        finally:
            route = scope.get("route")
            self.log.info(
                "%s %s %d %.1fms",
                scope.get("method"),
                getattr(route, "path", "<unmatched>"),
                status,
                (time.perf_counter() - start) * 1000,
            )


class NoStore:
    """``Cache-Control: no-store`` on every API response (they may carry patient data; a
    shared or browser cache must never keep one). Pages set it themselves."""

    def __init__(self, app: ASGIApp, prefix: str = "/api/") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(self.prefix):
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"
                ]
                headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)
