"""CdsSecurity.verify with real signed JWTs: the accepted calls and every refusal, each naming
the check that failed (CDS Hooks 2.0.1 "Trusting CDS Clients", issue 13 acceptance line 2)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cds_support import (
    DROP,
    Issuer,
    JwksServer,
    hs256_token,
    jwks_server,
    unsigned_token,
    write_clients_file,
)
from jakguide.cds.security import Caller, CdsAuthError, CdsSecurity

AUD = "https://cds.example.org/cds-services/jakguide-order-select"
FHIR = "https://fhir.example.org/r4"


def verify(security: CdsSecurity, token: str | None, aud: str = AUD) -> Caller:
    header = None if token is None else f"Bearer {token}"
    return asyncio.run(security.verify(header, aud))


def refused(security: CdsSecurity, token: str | None, aud: str = AUD) -> str:
    with pytest.raises(CdsAuthError) as caught:
        verify(security, token, aud)
    return caught.value.reason


@pytest.fixture(scope="module")
def es() -> Issuer:
    return Issuer(iss="https://ehr-es.example.org", alg="ES384", kid="es-1")


@pytest.fixture(scope="module")
def rs() -> Issuer:
    return Issuer(iss="https://ehr-rs.example.org", alg="RS384", kid="rs-1")


@pytest.fixture
def server() -> Iterator[JwksServer]:
    with jwks_server() as running:
        yield running


@pytest.fixture
def security(tmp_path: Path, es: Issuer, rs: Issuer) -> CdsSecurity:
    """Both issuers trusted with inline JWK Sets."""
    return CdsSecurity.from_file(write_clients_file(tmp_path / "c.yaml", [es, rs], [FHIR]))


# --------------------------------------------------------------------------- accepted


def test_a_valid_es384_call_succeeds(security: CdsSecurity, es: Issuer) -> None:
    caller = verify(security, es.token(AUD))
    assert caller.client.iss == es.iss
    assert caller.claims["aud"] == AUD
    assert security.allows_fhir_server(caller, FHIR)
    assert security.allows_fhir_server(caller, FHIR + "/")
    assert not security.allows_fhir_server(caller, "https://evil.example.org/r4")


def test_a_valid_rs384_call_succeeds(security: CdsSecurity, rs: Issuer) -> None:
    caller = verify(security, rs.token(AUD))
    assert caller.client.iss == rs.iss


def test_a_valid_call_through_a_fetched_jwks(tmp_path: Path, server: JwksServer) -> None:
    issuer = Issuer(kid="fetched-1")
    issuer.jwks_url = server.publish("/jwks", issuer)
    security = CdsSecurity.from_file(write_clients_file(tmp_path / "c.json", [issuer]))
    assert verify(security, issuer.token(AUD)).client.iss == issuer.iss
    assert verify(security, issuer.token(AUD)).client.iss == issuer.iss
    assert server.hits["/jwks"] == 1  # cached


# --------------------------------------------------------------------------- refused


def test_no_authorization_is_refused(security: CdsSecurity) -> None:
    assert "Authorization header missing" in refused(security, None)


def test_an_unsigned_token_is_refused(security: CdsSecurity, es: Issuer) -> None:
    token = unsigned_token({"alg": "ES384", "kid": es.kid}, es.claims(AUD))
    assert "signature" in refused(security, token)


def test_alg_none_is_refused(security: CdsSecurity, es: Issuer) -> None:
    token = unsigned_token({"alg": "none", "typ": "JWT", "kid": es.kid}, es.claims(AUD))
    assert "alg 'none' not accepted" in refused(security, token)


def test_hs256_is_refused(security: CdsSecurity, es: Issuer) -> None:
    token = hs256_token({"alg": "HS256", "kid": es.kid}, es.claims(AUD), b"shared secret")
    assert "alg 'HS256' not accepted" in refused(security, token)


def test_hs256_signed_with_the_public_key_is_refused(security: CdsSecurity, rs: Issuer) -> None:
    token = hs256_token({"alg": "HS256", "kid": rs.kid}, rs.claims(AUD), rs.public_pem())
    assert "alg 'HS256' not accepted" in refused(security, token)


def test_wrong_audience_is_refused(security: CdsSecurity, es: Issuer) -> None:
    reason = refused(security, es.token("https://other.example.org/cds-services/x"))
    assert reason.startswith("aud ") and "is not this endpoint" in reason


def test_expired_is_refused(security: CdsSecurity, es: Issuer) -> None:
    now = int(time.time())
    token = es.token(AUD, iat=now - 600, exp=now - 120)
    assert "token expired" in refused(security, token)


def test_replayed_jti_is_refused(security: CdsSecurity, es: Issuer) -> None:
    token = es.token(AUD)
    verify(security, token)
    assert "already used" in refused(security, token)


def test_unknown_iss_is_refused(security: CdsSecurity) -> None:
    stranger = Issuer(iss="https://stranger.example.org")
    assert "is not a trusted client" in refused(security, stranger.token(AUD))


def test_missing_jti_is_refused(security: CdsSecurity, es: Issuer) -> None:
    assert "jti claim missing" in refused(security, es.token(AUD, jti=DROP))
