"""Fetched JWK Sets, cached per URL with a time to live and refreshed on an unknown ``kid``.

Why a cache: an EHR signs every call, and fetching its keys each time would put the EHR's key
server in every call's path. Why refresh on an unknown ``kid``: that is how key rotation shows
(the EHR publishes a new key and starts signing with it before our copy expires); a cool-down
keeps tokens with made-up ``kid`` values from turning the service into a fetch loop. A fetch that
fails while a copy is cached keeps the copy (the EHR's key server being down must not stop
calls signed with keys we already hold).

The only outbound requests: GET of the configured ``jwks_url`` and allow-listed ``jku`` URLs,
under a short timeout, no redirects, at most :data:`MAX_JWKS_BYTES`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx

from jakguide.cds.clients import check_public_jwk

MAX_JWKS_BYTES = 256 * 1024
LOG = logging.getLogger("jakguide.cds.security")


class KeySetError(Exception):
    """A JWK Set that could not be fetched or read; ``str()`` says why (no secrets in it)."""


def keys_by_kid(data: Any) -> dict[str, dict[str, Any]]:
    """The usable public signing keys of a JWK Set, by ``kid`` (others are skipped, not fatal:
    a set may also hold encryption keys or curves we do not take).

    Raises:
        KeySetError: not a JWK Set at all.
    """
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise KeySetError("not a JWK Set (a JSON object with a keys list)")
    found: dict[str, dict[str, Any]] = {}
    for i, jwk in enumerate(data["keys"]):
        try:
            key = check_public_jwk(jwk, f"keys[{i}]")
        except ValueError:
            continue
        found.setdefault(key["kid"], key)
    return found


@dataclass
class _Entry:
    keys: dict[str, dict[str, Any]]
    fetched_at: float
    last_attempt: float
    last_error: str | None = None  # the failed refresh since fetched_at, if any


@dataclass
class JwksCache:
    """Key sets by URL. ``clock`` is monotonic seconds (tests move it)."""

    ttl_seconds: float
    refresh_cooldown_seconds: float
    timeout_seconds: float
    clock: Callable[[], float] = time.monotonic
    fetches: int = 0
    _entries: dict[str, _Entry] = field(default_factory=dict)
    _inflight: dict[str, asyncio.Task[None]] = field(default_factory=dict)

    async def key(self, url: str, kid: str) -> dict[str, Any] | None:
        """The JWK with this ``kid`` at ``url``, or None when the (refreshed) set lacks it.

        Raises:
            KeySetError: ``kid`` is not in the set we hold and the last fetch failed (so the
                set may have rotated without our knowing).
        """
        entry = self._entries.get(url)
        stale = entry is not None and self.clock() - entry.fetched_at >= self.ttl_seconds
        if url in self._inflight or entry is None or (stale and self._may_refetch(entry)):
            entry = await self._refresh(url)
        if kid not in entry.keys and self._may_refetch(entry):
            entry = await self._refresh(url)  # an unknown kid: the keys may have rotated
        if kid in entry.keys:
            return entry.keys[kid]
        if entry.last_error is not None:
            raise KeySetError(entry.last_error)
        return None

    def _may_refetch(self, entry: _Entry) -> bool:
        return self.clock() - entry.last_attempt >= self.refresh_cooldown_seconds

    async def _refresh(self, url: str) -> _Entry:
        """Fetch the set, or join the fetch already running for ``url`` (50 EHR calls arriving
        together make one request to the key server, not 50); the entry afterwards."""
        loop = asyncio.get_running_loop()
        task = self._inflight.get(url)
        if task is None or task.done() or task.get_loop() is not loop:
            task = loop.create_task(self._fetch_and_store(url))
            self._inflight[url] = task
            task.add_done_callback(partial(self._forget, url))
        # shield: a caller that gives up (client gone) does not cancel the others' fetch
        await asyncio.shield(task)
        return self._entries[url]

    def _forget(self, url: str, task: asyncio.Task[None]) -> None:
        if self._inflight.get(url) is task:
            del self._inflight[url]

    async def _fetch_and_store(self, url: str) -> None:
        """Fetch and store the set; a failure is recorded in the entry (the old keys stay)."""
        started = self.clock()
        old = self._entries.get(url)
        if old is not None:
            old.last_attempt = started
        try:
            keys = await self._fetch(url)
        except KeySetError as exc:
            if old is None:  # a first fetch that fails still starts the cool-down
                self._entries[url] = _Entry({}, -math.inf, started, str(exc))
            else:
                old.last_error = str(exc)
                if old.keys:
                    LOG.warning(
                        "cds: JWKS %s not refreshed (%s); keeping the cached keys", url, exc
                    )
            return
        now = self.clock()
        self._entries[url] = _Entry(keys, now, now)

    async def _fetch(self, url: str) -> dict[str, dict[str, Any]]:
        self.fetches += 1
        try:
            async with (
                httpx.AsyncClient(timeout=self.timeout_seconds, follow_redirects=False) as client,
                client.stream("GET", url, headers={"Accept": "application/json"}) as response,
            ):
                if response.status_code != httpx.codes.OK:
                    raise KeySetError(f"JWKS {url} answered HTTP {response.status_code}")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_JWKS_BYTES:
                        raise KeySetError(f"JWKS {url} is larger than {MAX_JWKS_BYTES} bytes")
        except httpx.TimeoutException:
            raise KeySetError(
                f"JWKS {url} did not answer within {self.timeout_seconds:g} s"
            ) from None
        except httpx.HTTPError as exc:
            raise KeySetError(f"JWKS {url} could not be fetched ({type(exc).__name__})") from None
        try:
            data = json.loads(bytes(body))
        except ValueError:
            raise KeySetError(f"JWKS {url} is not JSON") from None
        try:
            return keys_by_kid(data)
        except KeySetError as exc:
            raise KeySetError(f"JWKS {url}: {exc}") from None
