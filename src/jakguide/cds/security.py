"""Who may call the CDS services: the EHR's Bearer JWT, checked on every service and feedback call.

Why each check (CDS Hooks 2.0.1 "Trusting CDS Clients" and the 3.0 ballot's security text):

- ``alg`` is ES384 or RS384 only, and the key's type must fit it (EC P-384 or RSA): ``none``,
  HMAC and algorithm confusion (an HS256 token "signed" with our copy of a public key) are refused
  before any key is touched.
- ``kid`` is required and resolved only through the issuer's configured JWK Set (inline or
  ``jwks_url``) or a ``jku`` header URL on that issuer's ``jku_allow`` list (exact match).
- ``iss`` must be a configured client; ``aud`` must be the URL of the endpoint called (see
  :func:`endpoint_url`); ``exp``, ``iat`` and ``nbf`` are checked with a small clock skew; ``jti``
  is required and a second use is refused while the token lives (:mod:`jakguide.cds.replay`).
- Other claims (Epic's ``sub``, ``tenant``, ...) are kept in :attr:`Caller.claims`, not judged.

A refusal is a :class:`CdsAuthError` whose ``reason`` names the check that failed; it is logged
(logger ``jakguide.cds.security``) with that reason only: never the token, never patient data.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jwt
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from jakguide.cds.clients import (
    ENV_VAR,
    KEY_TYPES,
    ClientsConfig,
    TrustedClient,
    config_from_data,
    load_config,
)
from jakguide.cds.jwks import JwksCache, KeySetError, keys_by_kid
from jakguide.cds.replay import ReplayStore

__all__ = [
    "CORS_PREFIX",
    "Caller",
    "CdsAuthError",
    "CdsSecurity",
    "TrustedClient",
    "endpoint_url",
    "install_cors",
    "refusal",
]

LOG = logging.getLogger("jakguide.cds.security")
CORS_PREFIX = "/cds-services"
MAX_TOKEN_CHARS = 16 * 1024
MAX_SHOWN_CHARS = 120
MAX_JTI_CHARS = 256
ACCEPTED_ALGS = ", ".join(KEY_TYPES)


class CdsAuthError(Exception):
    """A call refused (HTTP 401); ``reason`` says which check failed, without token or patient
    data, and is the text of the OperationOutcome the service answers with."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)

    def operation_outcome(self) -> dict[str, Any]:
        """The FHIR R4 OperationOutcome body of the 401 (CDS Hooks 3.0 recommends one)."""
        return {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "error",
                    "code": "security",
                    "details": {"text": self.reason},
                    "diagnostics": self.reason,
                }
            ],
        }

    @property
    def www_authenticate(self) -> str:
        """The RFC 6750 challenge: ``Bearer error="invalid_token"`` with the reason."""
        text = self.reason.replace("\\", "\\\\").replace('"', "'")
        return f'Bearer error="invalid_token", error_description="{text}"'


def refusal(exc: CdsAuthError) -> JSONResponse:
    """The 401 answer to a refused call: OperationOutcome body and a Bearer challenge."""
    return JSONResponse(
        exc.operation_outcome(),
        status_code=401,
        headers={"WWW-Authenticate": exc.www_authenticate, "Cache-Control": "no-store"},
    )


@dataclass(frozen=True)
class Caller:
    """A verified call: the client it came from and the token's claims (all of them)."""

    client: TrustedClient
    claims: Mapping[str, Any]


def _show(value: object) -> str:
    """A value from a token as it may appear in a reason and a log line: printable, short."""
    text = repr(value)
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    if len(text) > MAX_SHOWN_CHARS:
        text = text[: MAX_SHOWN_CHARS - 3] + "..."
    return text


def _time(claims: Mapping[str, Any], name: str) -> float:
    """A required NumericDate claim."""
    found = _optional_time(claims, name)
    if found is None:
        raise CdsAuthError(f"{name} claim missing (required)")
    return found


def _optional_time(claims: Mapping[str, Any], name: str) -> float | None:
    """A NumericDate claim if present: a finite number (JSON parsers accept NaN and Infinity,
    which would pass every comparison)."""
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CdsAuthError(
            f"{name} claim must be a number of seconds since 1970, got {_show(value)}"
        )
    return float(value)


def endpoint_url(request: Request, public_url: str | None) -> str:
    """The URL a token's ``aud`` must equal for this request: the endpoint's path under the
    configured public URL (``--public-url`` / ``JAKGUIDE_PUBLIC_URL``, as the EHR registered it),
    else under the address this server listens on. Never the request's ``Host`` header: anyone
    can send any Host, which would let a token minted for another service be replayed here.
    Behind a proxy, set the public URL (else every token's ``aud`` mismatches and calls get 401).
    The query string is not part of it.
    """
    root, path = str(request.scope.get("root_path", "")), str(request.scope["path"])
    if root and not path.startswith(root):  # ASGI servers differ on whether path holds it
        path = root + path
    if public_url:
        return public_url.rstrip("/") + path
    host, port = request.scope.get("server") or ("127.0.0.1", 80)
    scheme = request.url.scheme
    default = (scheme, port) in (("http", 80), ("https", 443))
    return f"{scheme}://{host}" + ("" if default else f":{port}") + path


class CdsSecurity:
    """Verifies CDS Hooks JWTs against the trusted clients of one clients file.

    Args:
        config: the trusted clients, CORS origins and policy numbers.
        clock: wall-clock seconds since 1970, for ``exp``/``iat``/``nbf`` (tests move it).
        monotonic: seconds for the JWK Set cache's time to live and cool-down.
    """

    def __init__(
        self,
        config: ClientsConfig,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.cors_origins: tuple[str, ...] = config.cors_origins
        self._clock = clock
        policy = config.settings
        self.jwks = JwksCache(
            ttl_seconds=policy.jwks_ttl_seconds,
            refresh_cooldown_seconds=policy.jwks_refresh_cooldown_seconds,
            timeout_seconds=policy.jwks_timeout_seconds,
            clock=monotonic,
        )
        self.replay = ReplayStore()
        self._inline = {
            iss: keys_by_kid(client.jwks)
            for iss, client in config.clients.items()
            if client.jwks is not None
        }

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> CdsSecurity | None:
        """From the file named by ``JAKGUIDE_CDS_CLIENTS``; None when it is unset or empty.

        Raises:
            InputError: the file cannot be read or is invalid (field, value, what is accepted).
        """
        source = os.environ if env is None else env
        name = source.get(ENV_VAR, "").strip()
        return cls.from_file(Path(name)) if name else None

    @classmethod
    def from_file(cls, path: Path) -> CdsSecurity:
        """From a JSON (``.json``) or YAML clients file.

        Raises:
            InputError: the file cannot be read or is invalid (field, value, what is accepted).
        """
        return cls(load_config(path))

    @classmethod
    def from_data(cls, data: Any, **kwargs: Any) -> CdsSecurity:
        """From already parsed clients data (a mapping shaped as the file).

        Raises:
            InputError: invalid content.
        """
        return cls(config_from_data(data), **kwargs)

    def allows_fhir_server(self, caller: Caller, url: str) -> bool:
        """Whether ``url`` (a request's ``fhirServer``) is on the caller's list (exact, trailing
        ``/`` ignored): the service sends the EHR's access token only to those servers."""
        return url.rstrip("/") in caller.client.fhir_servers

    async def verify(self, authorization: str | None, audience: str) -> Caller:
        """Check the ``Authorization`` header of a call to the endpoint ``audience``.

        Raises:
            CdsAuthError: the first check that failed (logged without token or patient data).
        """
        try:
            return await self._verify(authorization, audience)
        except CdsAuthError as exc:
            LOG.warning("cds: call to %s refused (401): %s", audience, exc.reason)
            raise

    async def _verify(self, authorization: str | None, audience: str) -> Caller:
        token = _bearer_token(authorization)
        header, unverified = _unverified_parts(token)
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in KEY_TYPES:
            raise CdsAuthError(
                f"alg {_show(alg)} not accepted; accepted: {ACCEPTED_ALGS} (never none or HMAC)"
            )
        if "crit" in header:
            raise CdsAuthError("crit header not supported")
        typ = header.get("typ")
        if typ is not None and (not isinstance(typ, str) or typ.upper() != "JWT"):
            raise CdsAuthError(f"typ {_show(typ)} not accepted; accepted: JWT")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise CdsAuthError("kid header missing (CDS Hooks requires kid)")
        iss = unverified.get("iss")
        if not isinstance(iss, str) or not iss:
            raise CdsAuthError("iss claim missing (required)")
        client = self.config.clients.get(iss)
        if client is None:
            raise CdsAuthError(f"iss {_show(iss)} is not a trusted client")
        jwk = await self._key(client, header, kid)
        if jwk.get("kty") != KEY_TYPES[alg] or jwk.get("alg") not in (None, alg):
            raise CdsAuthError(
                f"key {_show(kid)} of {_show(iss)} is {jwk.get('kty')} "
                f"{jwk.get('alg') or ''}; alg {alg} needs an {KEY_TYPES[alg]} key".replace(
                    "  ", " "
                )
            )
        claims = _verified_claims(token, jwk, alg, kid)
        if claims.get("iss") != iss:  # the signed iss, not the one we peeked at
            raise CdsAuthError("iss claim changed under the signature")
        self._check_claims(claims, audience)
        return Caller(client=client, claims=MappingProxyType(claims))

    async def _key(
        self, client: TrustedClient, header: Mapping[str, Any], kid: str
    ) -> dict[str, Any]:
        jku = header.get("jku")
        if jku is not None:
            if not isinstance(jku, str) or jku not in client.jku_allow:
                raise CdsAuthError(f"jku {_show(jku)} is not allowed for iss {_show(client.iss)}")
            url: str | None = jku
        else:
            url = client.jwks_url
        if url is None:
            inline = self._inline.get(client.iss)
            if inline is None:
                raise CdsAuthError(
                    f"no jku header, and iss {_show(client.iss)} has no configured JWK Set"
                )
            found = inline.get(kid)
            where = "the configured JWK Set"
        else:
            try:
                found = await self.jwks.key(url, kid)
            except KeySetError as exc:
                raise CdsAuthError(f"kid {_show(kid)} could not be resolved: {exc}") from None
            where = url
        if found is None:
            raise CdsAuthError(f"kid {_show(kid)} not found in {where} of iss {_show(client.iss)}")
        return found

    def _check_claims(self, claims: Mapping[str, Any], audience: str) -> None:
        policy = self.config.settings
        skew = policy.clock_skew_seconds
        now = self._clock()
        aud = claims.get("aud")
        if aud is None:
            raise CdsAuthError("aud claim missing (required)")
        auds = aud if isinstance(aud, list) else [aud]
        if audience not in auds:
            raise CdsAuthError(f"aud {_show(aud)} is not this endpoint ({audience})")
        exp, iat, nbf = _time(claims, "exp"), _time(claims, "iat"), _optional_time(claims, "nbf")
        if now > exp + skew:
            raise CdsAuthError(f"token expired (exp {now - exp:.0f} s ago; skew {skew:g} s)")
        if iat > now + skew:
            raise CdsAuthError(f"iat is in the future ({iat - now:.0f} s ahead; skew {skew:g} s)")
        if nbf is not None and nbf > now + skew:
            raise CdsAuthError(
                f"token not yet valid (nbf {nbf - now:.0f} s ahead; skew {skew:g} s)"
            )
        if exp - iat > policy.max_token_lifetime_seconds:
            raise CdsAuthError(
                f"token lifetime exp - iat = {exp - iat:.0f} s is longer than "
                f"{policy.max_token_lifetime_seconds:g} s"
            )
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise CdsAuthError("jti claim missing (required, a unique token id)")
        if len(jti) > MAX_JTI_CHARS:
            raise CdsAuthError(f"jti longer than {MAX_JTI_CHARS} characters")
        iss = str(claims["iss"])
        if not self.replay.remember(iss, jti, until=exp + skew, now=now):
            raise CdsAuthError(f"jti {_show(jti)} already used (replayed token)")


def _bearer_token(authorization: str | None) -> str:
    if authorization is None or not authorization.strip():
        raise CdsAuthError("Authorization header missing (Bearer JWT required)")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise CdsAuthError("Authorization is not a Bearer token")
    if len(token) > MAX_TOKEN_CHARS:
        raise CdsAuthError(f"token longer than {MAX_TOKEN_CHARS} characters")
    if token.count(".") != 2:  # noqa: PLR2004 - header.payload.signature
        raise CdsAuthError("token is not a signed JWT (JWS compact form: header.payload.signature)")
    return token


def _unverified_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims before the signature is checked: only to pick the client and key
    (read here rather than by PyJWT so that each unusual header gets its own reason)."""
    parts = []
    for segment in token.split(".")[:2]:
        try:
            value = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
        except (ValueError, binascii.Error):
            raise CdsAuthError(
                "token is not a well-formed JWT (unreadable header or payload)"
            ) from None
        if not isinstance(value, dict):
            raise CdsAuthError("token header and payload must be JSON objects")
        parts.append(value)
    return parts[0], parts[1]


def _verified_claims(token: str, jwk: Mapping[str, Any], alg: str, kid: str) -> dict[str, Any]:
    try:
        key = jwt.PyJWK(dict(jwk), algorithm=alg)
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        raise CdsAuthError(f"key {_show(kid)} cannot verify {alg}") from None
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key,
            algorithms=[alg],
            options={
                # Signature only here; the claims are checked by CdsSecurity._check_claims,
                # so that each refusal names its claim.
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "verify_aud": False,
                "verify_iss": False,
            },
        )
    except jwt.InvalidSignatureError:
        raise CdsAuthError(f"signature does not verify with key {_show(kid)}") from None
    except jwt.PyJWTError as exc:
        raise CdsAuthError(f"token rejected: {type(exc).__name__}") from None
    return claims


# --------------------------------------------------------------------------- CORS


class _CdsCors:
    """CORS for the CDS Hooks paths only (browser-based EHRs call from their own origin); the
    rest of the app keeps the browser's same-origin default."""

    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=list(origins),
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type"],
            allow_credentials=False,  # Bearer tokens, never cookies
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        ours = path == CORS_PREFIX or path.startswith(CORS_PREFIX + "/")
        if scope["type"] == "http" and ours:
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def install_cors(app: FastAPI, security: CdsSecurity | None) -> None:
    """Answer CORS (preflight and headers) on ``/cds-services*`` for the configured origins only;
    nothing is installed without a clients file or without ``cors_origins``.

    Call it after the app's other middleware, so that refusals (401) carry the CORS headers too
    and a browser-based EHR can read why it was refused.
    """
    if security is None or not security.cors_origins:
        return
    app.add_middleware(_CdsCors, origins=security.cors_origins)
