"""Request bodies read within limits: every JSON body (pydantic-typed or raw) is decoded by one
checked parser, so no door accepts a lone surrogate, a control character, a 5,000-digit integer,
a non-finite number or a document nested deeper than the limit.

Why a route class: FastAPI parses typed JSON bodies itself (``await request.json()``); the route
hands the endpoint a request whose ``json()`` is the checked parser, so the limits hold for every
API route without a second parse. A limit is a 413 (too many values) or a 422 naming the limit
and the path of the offending value.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute

from jakguide.adapters.native import DocumentLimitError, parse_json
from jakguide.errors import InputError
from jakguide.web.problems import ProblemError


def limit_problem(exc: DocumentLimitError) -> ProblemError:
    """The problem for a document over a limit (413 for size, else 422)."""
    return ProblemError(
        413 if exc.too_large else 422,
        "document-limit",
        f"The document exceeds the {exc.limit} limit.",
        field=exc.field,
        value=exc.value,
        reason=exc.reason,
        extra={"limit": exc.limit},
    )


def decode_utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProblemError(
            400,
            "malformed-json",
            "The body is not UTF-8.",
            field="body",
            value=f"byte {exc.start}",
            reason="not UTF-8 text",
        ) from None


def checked_json(raw: bytes, name: str = "body") -> Any:
    """A JSON body as plain data, within the document limits; problems otherwise."""
    text = decode_utf8(raw)
    try:
        return parse_json(text, name)
    except DocumentLimitError as exc:
        raise limit_problem(exc) from None
    except InputError as exc:
        raise ProblemError(
            400,
            "malformed-json",
            "The request body is not valid JSON.",
            field="body",
            value=exc.value,
            reason=f"malformed JSON: {exc.reason.removeprefix('invalid JSON: ')}",
        ) from None


class CheckedRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = checked_json(await self.body())
        return self._json


class CheckedRoute(APIRoute):
    """An API route whose JSON body goes through :func:`checked_json`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            return await original(CheckedRequest(request.scope, request.receive))

        return handler


def api_router(**kwargs: Any) -> APIRouter:
    """An ``APIRouter`` of :class:`CheckedRoute` routes."""
    return APIRouter(route_class=CheckedRoute, **kwargs)
