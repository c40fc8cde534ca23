"""The trusted CDS clients (EHRs) and the trust settings, read from one JSON or YAML file.

Why a file: an operator (and a test) sets trust without code, and the file is the one place
that says which issuers may call, where their keys are, which FHIR servers they may send and
which browser origins may call. The file is named by ``JAKGUIDE_CDS_CLIENTS``::

    clients:
      - iss: https://ehr.example.org            # the JWT's iss, exactly
        jwks_url: https://ehr.example.org/jwks   # or jwks: {keys: [...]} (public keys, inline)
        jku_allow: [https://ehr.example.org/jwks]  # jku header URLs accepted, exact match
        fhir_servers: [https://ehr.example.org/fhir/R4]
    cors_origins: [https://ehr.example.org]
    clock_skew_seconds: 60                       # the other settings are optional

A bad file is an :class:`~jakguide.errors.InputError` naming the field (``clients[0].jwks_url``),
the value and what is accepted.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from jakguide.adapters.native import parse_json, parse_yaml
from jakguide.errors import InputError

ENV_VAR = "JAKGUIDE_CDS_CLIENTS"
# The JWS algorithms a CDS client may sign with (CDS Hooks: ES384 or RS384; never none or HMAC),
# each with the JWK key type its key must have (no algorithm confusion).
KEY_TYPES: Mapping[str, str] = {"ES384": "EC", "RS384": "RSA"}
EC_CURVE = "P-384"
MIN_RSA_BITS = 2048
LOOPBACK_NAMES = frozenset({"localhost"})


@dataclass(frozen=True)
class TrustedClient:
    """One EHR allowed to call: its issuer, where its keys are, the FHIR servers it may name.

    ``jwks`` is an inline JWK Set (public keys); ``jwks_url`` a JWK Set fetched (and cached);
    ``jku_allow`` the ``jku`` header URLs accepted for this issuer (exact match).
    """

    iss: str
    fhir_servers: tuple[str, ...] = ()
    jwks_url: str | None = None
    jwks: Mapping[str, Any] | None = field(default=None, hash=False, compare=False)
    jku_allow: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrustSettings:
    """Numbers of the trust policy (seconds); defaults suit EHRs that sign 5-minute tokens."""

    clock_skew_seconds: float = 60.0
    max_token_lifetime_seconds: float = 3600.0
    jwks_ttl_seconds: float = 300.0
    jwks_refresh_cooldown_seconds: float = 10.0
    jwks_timeout_seconds: float = 3.0


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(value: str, *, what: str) -> str:
    """An absolute https URL (http only on loopback: keys over plain HTTP could be swapped)."""
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"{what} must be an absolute https URL")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(f"{what} must use https (http is accepted on loopback only)")
    if parts.fragment:
        raise ValueError(f"{what} must not have a #fragment")
    return value


def check_public_jwk(jwk: Any, where: str) -> dict[str, Any]:
    """A public EC P-384 or RSA (>= 2048 bits) signing key with a ``kid``.

    Raises:
        ValueError: naming what is wrong (``where`` locates the key).
    """
    if not isinstance(jwk, dict):
        raise ValueError(f"{where}: a JWK must be a JSON object")
    kty, kid = jwk.get("kty"), jwk.get("kid")
    if not isinstance(kid, str) or not kid:
        raise ValueError(f"{where}: every key needs a kid (CDS Hooks requires kid)")
    if kty not in KEY_TYPES.values():
        raise ValueError(f"{where}: kty {kty!r} not accepted; accepted: EC (P-384), RSA")
    if "d" in jwk:
        raise ValueError(f"{where}: private key material (d) found; give the public key only")
    if kty == "EC" and jwk.get("crv") != EC_CURVE:
        raise ValueError(f"{where}: EC curve {jwk.get('crv')!r} not accepted; accepted: P-384")
    alg = jwk.get("alg")
    if alg is not None and KEY_TYPES.get(alg) != kty:
        raise ValueError(f"{where}: alg {alg!r} does not fit kty {kty}; accepted: ES384, RS384")
    if jwk.get("use") not in (None, "sig"):
        raise ValueError(f"{where}: use {jwk.get('use')!r} is not a signing key (use: sig)")
    try:
        parsed = jwt.PyJWK(jwk, algorithm="ES384" if kty == "EC" else "RS384")
    except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"{where}: not a usable public key ({exc})") from None
    if kty == "RSA" and parsed.key.key_size < MIN_RSA_BITS:
        raise ValueError(f"{where}: RSA key of {parsed.key.key_size} bits; at least 2048 needed")
    return jwk


class _ClientModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    iss: str = Field(min_length=1, max_length=2000)
    jwks_url: str | None = None
    jwks: dict[str, Any] | None = None
    jku_allow: list[str] = []
    fhir_servers: list[str] = []

    @field_validator("jwks_url")
    @classmethod
    def _jwks_url(cls, value: str | None) -> str | None:
        return None if value is None else check_url(value, what="jwks_url")

    @field_validator("jku_allow")
    @classmethod
    def _jku(cls, value: list[str]) -> list[str]:
        return [check_url(v, what="every jku_allow entry") for v in value]

    @field_validator("fhir_servers")
    @classmethod
    def _fhir(cls, value: list[str]) -> list[str]:
        return [check_url(v, what="every fhir_servers entry").rstrip("/") for v in value]

    @field_validator("jwks")
    @classmethod
    def _jwks(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        keys = value.get("keys")
        if not isinstance(keys, list) or not keys:
            raise ValueError("jwks must be a JWK Set: {keys: [ ...public keys... ]}")
        for i, key in enumerate(keys):
            check_public_jwk(key, f"keys[{i}]")
        return value


class _FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    clients: list[_ClientModel]
    cors_origins: list[str] = []
    clock_skew_seconds: float = Field(default=TrustSettings.clock_skew_seconds, ge=0, le=600)
    max_token_lifetime_seconds: float = Field(
        default=TrustSettings.max_token_lifetime_seconds, gt=0, le=86400
    )
    jwks_ttl_seconds: float = Field(default=TrustSettings.jwks_ttl_seconds, ge=0, le=86400)
    jwks_refresh_cooldown_seconds: float = Field(
        default=TrustSettings.jwks_refresh_cooldown_seconds, ge=0, le=3600
    )
    jwks_timeout_seconds: float = Field(default=TrustSettings.jwks_timeout_seconds, gt=0, le=30)

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin == "*":
                continue
            parts = urlsplit(origin)
            if (
                parts.scheme not in ("https", "http")
                or not parts.hostname
                or parts.path
                or parts.query
                or parts.fragment
            ):
                raise ValueError(
                    "every cors_origins entry must be an origin: scheme://host[:port], "
                    "no path (or * for any origin)"
                )
        return value


@dataclass(frozen=True)
class ClientsConfig:
    """The whole trust file: clients by ``iss``, CORS origins and the policy numbers."""

    clients: Mapping[str, TrustedClient]
    cors_origins: tuple[str, ...]
    settings: TrustSettings


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "<file>"


def config_from_data(data: Any, name: str = "clients file") -> ClientsConfig:
    """Validate parsed trust data.

    Raises:
        InputError: the first problem, with its field path, value and what is accepted.
    """
    if not isinstance(data, dict):
        raise InputError(name, type(data).__name__, "the clients file must be a mapping")
    try:
        model = _FileModel.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        msg = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        value = err.get("input")
        if isinstance(value, dict) and "keys" in value:
            value = "<JWK Set>"
        raise InputError(_loc(loc), value, msg.removeprefix("Value error, ")) from None
    clients: dict[str, TrustedClient] = {}
    for i, c in enumerate(model.clients):
        if c.iss in clients:
            raise InputError(f"clients[{i}].iss", c.iss, "each iss may appear only once")
        if c.jwks_url is not None and c.jwks is not None:
            raise InputError(
                f"clients[{i}].jwks", "<JWK Set>", "give jwks_url or jwks for a client, not both"
            )
        if c.jwks_url is None and c.jwks is None and not c.jku_allow:
            raise InputError(
                f"clients[{i}]",
                c.iss,
                "a client needs its keys: jwks_url, jwks (inline JWK Set) or jku_allow",
            )
        clients[c.iss] = TrustedClient(
            iss=c.iss,
            fhir_servers=tuple(c.fhir_servers),
            jwks_url=c.jwks_url,
            jwks=c.jwks,
            jku_allow=tuple(c.jku_allow),
        )
    settings = TrustSettings(
        clock_skew_seconds=model.clock_skew_seconds,
        max_token_lifetime_seconds=model.max_token_lifetime_seconds,
        jwks_ttl_seconds=model.jwks_ttl_seconds,
        jwks_refresh_cooldown_seconds=model.jwks_refresh_cooldown_seconds,
        jwks_timeout_seconds=model.jwks_timeout_seconds,
    )
    return ClientsConfig(clients, tuple(model.cors_origins), settings)


def load_config(path: Path) -> ClientsConfig:
    """Read the trust file (``.json`` as JSON, anything else as YAML).

    Raises:
        InputError: unreadable file, bad JSON/YAML or bad content (field, value, reason).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(
            ENV_VAR, str(path), f"cannot read the clients file: {exc.strerror}"
        ) from None
    except UnicodeDecodeError:
        raise InputError(ENV_VAR, str(path), "the clients file must be UTF-8 text") from None
    name = path.name
    data = parse_json(text, name) if path.suffix.lower() == ".json" else parse_yaml(text, name)
    return config_from_data(data, name)
