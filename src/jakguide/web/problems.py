"""RFC 9457 problem details: every 4xx/5xx body says type, title, status and, for bad input,
the field, the value received and the reason (``errors`` lists them all, the first is repeated at
the top level).

Why one module: the API promises that no input gives a 5xx or an HTML error page; mapping every
error class in one place keeps that promise checkable.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as SqlTimeoutError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from jakguide.errors import InputError, UnknownIdError
from jakguide.store.records import RecordNotFoundError, VersionConflictError
from jakguide.web.denied import audit_denied

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "urn:jakguide:problem:"
MAX_VALUE_CHARS = 200
RETRY_AFTER_SECONDS = 2
log = logging.getLogger("jakguide.web")

_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class FieldError(BaseModel):
    field: str
    value: Any = None
    reason: str


class Problem(BaseModel):
    """The body of every error response (``application/problem+json``)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    field: str | None = None
    value: Any = None
    reason: str | None = None
    errors: list[FieldError] = Field(default_factory=list)


class ProblemError(StarletteHTTPException):
    """Raise from an endpoint to answer with a problem (status, slug, field/value/reason)."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        *,
        field: str | None = None,
        value: Any = None,
        reason: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(status_code=status, detail=detail, headers=headers)
        self.slug = slug
        self.extra = extra or {}
        self.errors = (
            [FieldError(field=field, value=_short(value), reason=reason or detail)]
            if (field is not None)
            else []
        )


def _short(value: Any) -> Any:
    """Echo a received value, but never a whole document."""
    try:
        text = json.dumps(jsonable_encoder(value), ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
        value = text
    if len(text) > MAX_VALUE_CHARS:
        return text[: MAX_VALUE_CHARS - 3] + "..."
    return jsonable_encoder(value)


def problem(
    status: int,
    slug: str | None,
    detail: str | None,
    errors: list[FieldError] | None = None,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    """A problem response; ``extra``: RFC 9457 extension members (e.g. the existing row)."""
    errors = errors or []
    first = errors[0] if errors else None
    body = Problem(
        type=TYPE_BASE + slug if slug else "about:blank",
        title=_TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        instance=instance,
        field=first.field if first else None,
        value=first.value if first else None,
        reason=first.reason if first else None,
        errors=errors,
    )
    content = jsonable_encoder(body)
    if extra:
        content.update(jsonable_encoder(dict(extra)))
    return JSONResponse(
        content,
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=dict(headers) if headers else None,
    )


def _loc(loc: tuple[Any, ...] | list[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    malformed = False
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            malformed = True
            ctx = err.get("ctx") or {}
            errors.append(
                FieldError(
                    field="body",
                    value=f"at character {err['loc'][-1]}" if err.get("loc") else None,
                    reason=f"malformed JSON: {ctx.get('error', err.get('msg'))}",
                )
            )
            continue
        loc = [p for p in err.get("loc", ()) if not (isinstance(p, str) and "[" in p)]
        reason = "unknown field" if err.get("type") == "extra_forbidden" else str(err.get("msg"))
        errors.append(FieldError(field=_loc(loc), value=_short(err.get("input")), reason=reason))
    if malformed:
        return problem(400, "malformed-json", "The request body is not valid JSON.", errors[:1])
    return problem(422, "invalid-input", "The request has invalid values.", errors)


async def _input_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InputError)
    slug = "unknown-id" if isinstance(exc, UnknownIdError) else "invalid-input"
    err = FieldError(field=exc.field, value=_short(exc.value), reason=exc.reason)
    return problem(422, slug, exc.detail, [err])


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RecordNotFoundError)
    await audit_denied(request, exc)
    err = FieldError(field=exc.resource, value=_short(exc.ident), reason="not found")
    return problem(404, "not-found", f"No such {exc.resource}.", [err])


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc, ProblemError):
        return problem(
            exc.status_code,
            exc.slug,
            str(exc.detail),
            exc.errors,
            headers=exc.headers,
            extra=exc.extra,
        )
    detail = exc.detail if isinstance(exc.detail, str) else None
    return problem(exc.status_code, None, detail, headers=exc.headers)


async def _version_conflict(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, VersionConflictError)
    err = FieldError(
        field="If-Match",
        value=_short(exc.sent),
        reason=f'the {exc.resource} changed since it was read (now "{exc.current}"); read it '
        "again and reapply the change",
    )
    return problem(
        412,
        "changed-by-someone-else",
        f"The {exc.resource} was changed by someone else.",
        [err],
        headers={"ETag": f'"{exc.current}"'},
    )


async def _stale(request: Request, exc: Exception) -> JSONResponse:
    """A concurrent update won the race (the row's version moved under this transaction)."""
    err = FieldError(field="If-Match", value=None, reason="the record changed while saving")
    return problem(412, "changed-by-someone-else", "The record was changed by someone else.", [err])


async def _integrity(request: Request, exc: Exception) -> JSONResponse:
    """A constraint the checks before it did not catch (e.g. a row added concurrently)."""
    log.warning("integrity error on %s %s", request.method, request.url.path)
    err = FieldError(field="body", value=None, reason="conflicts with a row the record holds")
    return problem(409, "conflict", "The change conflicts with the stored record.", [err])


async def _busy(request: Request, exc: Exception) -> JSONResponse:
    """The store is busy (SQLite lock or pool wait past its timeout): 503, try again."""
    if isinstance(exc, OperationalError) and not _is_busy(exc):
        raise exc
    log.warning("store busy on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return overloaded()


def _is_busy(exc: OperationalError) -> bool:
    text = str(exc.orig).lower() if exc.orig is not None else ""
    return "locked" in text or "busy" in text or "could not serialize" in text


def overloaded(retry_after: int = RETRY_AFTER_SECONDS, detail: str | None = None) -> JSONResponse:
    """503 with ``Retry-After``: the server is saturated; the request was not carried out."""
    return problem(
        503,
        "overloaded",
        detail or "The server is busy; the request was not carried out. Retry after a moment.",
        headers={"Retry-After": str(retry_after), "Cache-Control": "no-store"},
    )


def install(app: FastAPI) -> None:
    """Register the handlers (the HTML pages may install their own for non-API paths)."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(RecordNotFoundError, _not_found)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(VersionConflictError, _version_conflict)
    app.add_exception_handler(StaleDataError, _stale)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(OperationalError, _busy)
    app.add_exception_handler(SqlTimeoutError, _busy)


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "model": Problem,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        "description": _TITLES[status],
    }
    for status in (400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 503)
}
