"""Test helpers for CDS Hooks security: EHR issuers with real keys, signed JWTs, forged tokens,
a real HTTP server publishing JWK Sets, and the clients file that trusts them.

Why real keys and a real server: the checks under test (signature, key type against ``alg``,
``kid`` resolution, rotation, fetch time-outs) are only meaningful against real cryptography and
real sockets; a stub would test the stub.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal

import jwt
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

Alg = Literal["ES384", "RS384"]
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
TOKEN_SECONDS = 300  # CDS Hooks recommends tokens that live 5 minutes
DROP = object()  # a claim or header value meaning "leave this out of the token"


def _new_key(alg: Alg) -> PrivateKey:
    if alg == "ES384":
        return ec.generate_private_key(ec.SECP384R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Issuer:
    """An EHR that signs CDS Hooks calls: its ``iss``, algorithm, key id and private key.

    Where its keys are published decides the clients file entry (:func:`write_clients_file`):
    ``jwks_url`` if set, else only the ``jku_allow`` list if set, else the JWK Set inline.
    """

    iss: str = "https://ehr.example.org"
    alg: Alg = "ES384"
    kid: str = "ehr-key-1"
    jwks_url: str | None = None
    jku_allow: tuple[str, ...] = ()
    key: PrivateKey = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.key = _new_key(self.alg)

    def jwk(self) -> dict[str, Any]:
        """The public key as a JWK (kid, alg, use: sig)."""
        public = self.key.public_key()
        data: dict[str, Any]
        if isinstance(public, ec.EllipticCurvePublicKey):
            data = ECAlgorithm.to_jwk(public, as_dict=True)
        else:
            data = RSAAlgorithm.to_jwk(public, as_dict=True)
        return {**data, "kid": self.kid, "alg": self.alg, "use": "sig"}

    def jwks(self) -> dict[str, Any]:
        """The JWK Set an EHR publishes (this issuer's public key only)."""
        return {"keys": [self.jwk()]}

    def public_pem(self) -> bytes:
        """The public key in PEM (what an attacker signs HS256 with in algorithm confusion)."""
        return self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def claims(self, aud: Any, **override: Any) -> dict[str, Any]:
        """The claims a CDS client sends, with overrides (``DROP`` removes one)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.iss,
            "aud": aud,
            "exp": now + TOKEN_SECONDS,
            "iat": now,
            "jti": str(uuid.uuid4()),
        }
        claims.update(override)
        return {k: v for k, v in claims.items() if v is not DROP}

    def token(self, aud: Any, *, headers: dict[str, Any] | None = None, **claims: Any) -> str:
        """A JWT signed with this issuer's key for the endpoint ``aud`` (a URL, a list of them,
        or ``DROP``).

        ``headers`` adds or replaces header fields (``DROP`` removes one, e.g. ``kid``);
        keyword arguments override claims (``DROP`` removes one).
        """
        header: dict[str, Any] = {"kid": self.kid, "typ": "JWT", **(headers or {})}
        kept = {k: v for k, v in header.items() if v is not DROP}
        return jwt.encode(self.claims(aud, **claims), self.key, algorithm=self.alg, headers=kept)

    def rotated(self, kid: str) -> Issuer:
        """The same EHR with a new key under a new ``kid`` (key rotation)."""
        return Issuer(self.iss, self.alg, kid, self.jwks_url, self.jku_allow)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_token(header: dict[str, Any], claims: dict[str, Any]) -> str:
    """An ``alg: none`` style token: header and claims with an empty signature."""
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}."


def hs256_token(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    """An HMAC-SHA256 token signed with ``secret`` (e.g. the issuer's public key PEM), forged by
    hand because PyJWT rightly refuses to use a public key as an HMAC secret."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


def write_clients_file(
    path: Path,
    issuers: Sequence[Issuer],
    fhir_servers: Sequence[str] = (),
    cors_origins: Sequence[str] = (),
    **settings: Any,
) -> Path:
    """Write the clients file trusting ``issuers`` (JSON for ``.json``, else YAML); ``settings``
    adds top-level policy keys (``clock_skew_seconds``, ``jwks_ttl_seconds``, ...)."""
    clients = []
    for issuer in issuers:
        entry: dict[str, Any] = {"iss": issuer.iss, "fhir_servers": list(fhir_servers)}
        if issuer.jwks_url is not None:
            entry["jwks_url"] = issuer.jwks_url
        elif not issuer.jku_allow:
            entry["jwks"] = issuer.jwks()
        if issuer.jku_allow:
            entry["jku_allow"] = list(issuer.jku_allow)
        clients.append(entry)
    data = {"clients": clients, "cors_origins": list(cors_origins), **settings}
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- a JWKS server


@dataclass
class JwksServer:
    """A real HTTP server on 127.0.0.1 publishing JWK Sets by path; counts requests per path and
    can be told to answer slowly (``delay_seconds``) or with an error status."""

    documents: dict[str, Any] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    delay_seconds: float = 0.0
    status: int = 200
    url: str = ""

    def publish(self, path: str, *issuers: Issuer) -> str:
        """Serve the public keys of ``issuers`` at ``path``; returns the full URL."""
        self.documents[path] = {"keys": [i.jwk() for i in issuers]}
        return self.url + path


@contextmanager
def jwks_server() -> Iterator[JwksServer]:
    """Start a :class:`JwksServer`; stopped (and its thread joined) on exit."""
    state = JwksServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits[self.path] = state.hits.get(self.path, 0) + 1
            if state.delay_seconds:
                time.sleep(state.delay_seconds)
            document = state.documents.get(self.path)
            status = state.status if document is not None else 404
            body = json.dumps(document if status == 200 else {"error": "no"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests read ``hits`` instead."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
