"""Prefetch: what the client sent, and what is missing fetched from ``fhirServer`` in time.

Why a hard budget: an EHR waits a few seconds at most and suppresses services that time out, so
a slow FHIR server yields an info card naming what was unavailable, never a late answer or a
500. Only servers allow-listed for the calling client are contacted; the access token goes in
the ``Authorization`` header of those requests and nowhere else (never logged or stored).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeGuard
from urllib.parse import quote

import httpx

from jakguide.cds.definitions import ServiceDefinition
from jakguide.cds.wire import HookRequest, IssueCode

PRECONDITION_FAILED = 412
BAD_REQUEST = 400
_TOKEN = re.compile(r"\{\{\s*context\.([A-Za-z]+)\s*\}\}")
_ACCEPT = "application/fhir+json, application/json;q=0.9"


class PrefetchError(Exception):
    """The data cannot be had: 412 (nothing usable, no usable server) or 400 (a bad request)."""

    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        self.reason = reason
        # The OperationOutcome issue type: data that could not be had, or a bad request.
        self.code: IssueCode = "incomplete" if status == PRECONDITION_FAILED else "invalid"
        super().__init__(reason)


@dataclass
class Gathered:
    """The resources of the call (each type and id once) and the keys that could not be had."""

    resources: list[dict[str, Any]] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)  # prefetch keys, with why
    fetched: list[str] = field(default_factory=list)  # prefetch keys fetched from the server


def usable(value: object) -> TypeGuard[dict[str, Any]]:
    """A prefetch value the service can read: a resource or Bundle, not null/OperationOutcome."""
    return isinstance(value, dict) and value.get("resourceType") not in (None, "OperationOutcome")


def render(template: str, context: dict[str, Any], key: str) -> str:
    """A prefetch template with its ``{{context.x}}`` tokens filled (URL-quoted)."""

    def fill(match: re.Match[str]) -> str:
        value = context.get(match.group(1))
        if not isinstance(value, str) or not value:
            raise PrefetchError(
                BAD_REQUEST, f"context.{match.group(1)}: missing; needed to fetch prefetch {key!r}"
            )
        return quote(value, safe="")

    return _TOKEN.sub(fill, template)


def _next_link(bundle: dict[str, Any]) -> str | None:
    for link in bundle.get("link") or []:
        if isinstance(link, dict) and link.get("relation") == "next":
            url = link.get("url")
            return url if isinstance(url, str) else None
    return None


def _resources(value: dict[str, Any]) -> list[dict[str, Any]]:
    if value.get("resourceType") != "Bundle":
        return [value]
    out = []
    for entry in value.get("entry") or []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if usable(resource):
            out.append(resource)
    return out


def dedupe(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each resource once: the same type and id under several keys (or pages) counts once."""
    seen: set[str] = set()
    out = []
    for r in resources:
        rid = r.get("id")
        ident = (
            f"{r.get('resourceType')}/{rid}"
            if isinstance(rid, str)
            else json.dumps(r, sort_keys=True)
        )
        if ident not in seen:
            seen.add(ident)
            out.append(r)
    return out


async def gather(
    service: ServiceDefinition,
    request: HookRequest,
    server_allowed: Callable[[str], bool],
    timeout: float,
    max_pages: int,
) -> Gathered:
    """The call's resources from prefetch, fetching what is absent, null, an OperationOutcome or
    paged (a Bundle with a ``next`` link) from ``fhirServer`` within ``timeout`` seconds.

    Raises:
        PrefetchError: 412 when data are missing and there is no usable server to fetch them
            from; 400 when a template needs a context value the request lacks.
    """
    sent = request.prefetch or {}
    got: list[dict[str, Any]] = []
    wanted: dict[str, str] = {}  # key -> URL to fetch (a template or a next page)
    for key, template in service.prefetch.items():
        value = sent.get(key)
        if usable(value):
            got += _resources(value)
            nxt = _next_link(value)
            if nxt is not None:
                wanted[key] = nxt
        else:
            wanted[key] = render(template, request.context, key)
    result = Gathered()
    server = request.fhirServer
    if wanted and server is not None and not server_allowed(server):
        raise PrefetchError(
            PRECONDITION_FAILED,
            f"fhirServer {server!r} is not allow-listed for this client, and the prefetch lacks "
            f"{', '.join(sorted(wanted))}",
        )
    if wanted and server is None:
        # Checking with part of the record would be worse than not checking: a test result
        # that was simply not sent would read as "not on record" and prompt a needless order.
        what = (
            "prefetch 'patient' is absent, null or an OperationOutcome"
            if "patient" in wanted
            else f"prefetch {', '.join(sorted(wanted))} absent, null, an OperationOutcome or paged"
        )
        raise PrefetchError(
            PRECONDITION_FAILED,
            f"{what}, and no fhirServer was given to fetch it from; send the prefetch, or "
            "fhirServer with fhirAuthorization",
        )
    if wanted and server is not None:
        token = request.fhirAuthorization.access_token if request.fhirAuthorization else None
        fetched, failed = await _fetch_all(server, token, wanted, timeout, max_pages)
        got += fetched
        result.fetched = sorted(k for k in wanted if k not in failed)
        result.unavailable = [f"{k} ({why})" for k, why in sorted(failed.items())]
    result.resources = dedupe(got)
    return result


async def _fetch_all(
    server: str, token: str | None, wanted: dict[str, str], timeout: float, max_pages: int
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    base = server.rstrip("/") + "/"
    headers = {"Accept": _ACCEPT}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    failed: dict[str, str] = {}
    found: list[dict[str, Any]] = []
    async with httpx.AsyncClient(
        headers=headers, timeout=timeout, follow_redirects=False, trust_env=False
    ) as client:
        tasks = {
            key: asyncio.create_task(_fetch(client, base, url, max_pages))
            for key, url in wanted.items()
        }
        _done, pending = await asyncio.wait(tasks.values(), timeout=timeout)
        for task in pending:
            task.cancel()
        for key, task in tasks.items():
            if task in pending:
                failed[key] = f"fhirServer did not answer within {timeout:g} s"
            elif (exc := task.exception()) is not None:
                failed[key] = str(exc) if isinstance(exc, _FetchError) else type(exc).__name__
            else:
                found += task.result()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
    return found, failed


class _FetchError(Exception):
    """A fetch that failed: the message says why (never the token or the URL's query)."""


async def _fetch(
    client: httpx.AsyncClient, base: str, url: str, max_pages: int
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    next_url: str | None = url if url.startswith(("http://", "https://")) else base + url
    pages = 0
    while next_url is not None and pages < max_pages:
        if not next_url.startswith(base):
            raise _FetchError("a next page outside fhirServer; not followed")
        try:
            response = await client.get(next_url)
        except httpx.HTTPError as exc:
            raise _FetchError(f"fhirServer unreachable ({type(exc).__name__})") from None
        if response.status_code != httpx.codes.OK:
            raise _FetchError(f"fhirServer answered HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise _FetchError("fhirServer answered with something other than JSON") from None
        if not usable(body):
            raise _FetchError("fhirServer answered with an OperationOutcome or no resource")
        out += _resources(body)
        pages += 1
        next_url = _next_link(body) if body.get("resourceType") == "Bundle" else None
    return out
