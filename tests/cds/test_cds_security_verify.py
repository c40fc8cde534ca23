"""CdsSecurity.verify with real signed JWTs: the accepted calls and every refusal, each naming
the check that failed (CDS Hooks 2.0.1 "Trusting CDS Clients", issue 13 acceptance line 2)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import Request

from cds_support import (
    DROP,
    Issuer,
    JwksServer,
    hs256_token,
    jwks_server,
    unsigned_token,
    write_clients_file,
)
from jakguide.cds.security import Caller, CdsAuthError, CdsSecurity, endpoint_url

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


def test_not_yet_valid_is_refused(security: CdsSecurity, es: Issuer) -> None:
    now = int(time.time())
    assert "not yet valid (nbf" in refused(security, es.token(AUD, nbf=now + 600))


def test_future_iat_is_refused(security: CdsSecurity, es: Issuer) -> None:
    now = int(time.time())
    token = es.token(AUD, iat=now + 600, exp=now + 900)
    assert "iat is in the future" in refused(security, token)


def test_small_clock_skew_is_tolerated(security: CdsSecurity, es: Issuer) -> None:
    """An EHR clock 30 s off either way still works (default skew 60 s)."""
    now = int(time.time())
    verify(security, es.token(AUD, iat=now - 300, exp=now - 30))
    verify(security, es.token(AUD, iat=now + 30, nbf=now + 30, exp=now + 330))


def test_a_token_living_too_long_is_refused(security: CdsSecurity, es: Issuer) -> None:
    now = int(time.time())
    reason = refused(security, es.token(AUD, exp=now + 7 * 86400))
    assert "token lifetime" in reason and "longer than 3600 s" in reason


def test_epic_shaped_claims_are_tolerated(security: CdsSecurity, rs: Issuer) -> None:
    """Epic signs RS384 and adds nbf and sub; CDS Hooks 3.0 adds tenant: kept, not judged."""
    now = int(time.time())
    token = rs.token([AUD, "urn:other"], nbf=now, sub="epic-client-id-1234", tenant="clinic-7")
    caller = verify(security, token)
    assert caller.claims["sub"] == "epic-client-id-1234"
    assert caller.claims["tenant"] == "clinic-7"


def test_unknown_kid_is_refused(security: CdsSecurity, es: Issuer) -> None:
    reason = refused(security, es.token(AUD, headers={"kid": "nobody"}))
    assert reason == f"kid 'nobody' not found in the configured JWK Set of iss {es.iss!r}"


def test_missing_kid_is_refused(security: CdsSecurity, es: Issuer) -> None:
    assert "kid header missing" in refused(security, es.token(AUD, headers={"kid": DROP}))


def test_another_key_under_a_trusted_kid_is_refused(security: CdsSecurity, es: Issuer) -> None:
    impostor = Issuer(iss=es.iss, alg="ES384", kid=es.kid)  # same iss and kid, its own key
    assert (
        refused(security, impostor.token(AUD)) == f"signature does not verify with key {es.kid!r}"
    )


def test_a_tampered_payload_is_refused(security: CdsSecurity, es: Issuer) -> None:
    head, _, sig = es.token(AUD).split(".")
    other = es.token(AUD, sub="someone-else").split(".")[1]
    assert "signature does not verify" in refused(security, f"{head}.{other}.{sig}")


def test_alg_must_fit_the_key_type(security: CdsSecurity, es: Issuer, rs: Issuer) -> None:
    """Algorithm confusion: an RS384 token naming the EC key's kid never reaches the key."""
    forger = Issuer(iss=es.iss, alg="RS384", kid=es.kid)
    reason = refused(security, forger.token(AUD))
    assert reason == f"key {es.kid!r} of {es.iss!r} is EC ES384; alg RS384 needs an RSA key"


@pytest.mark.parametrize("alg", ["ES256", "RS256", "PS384", "EdDSA", "HS384", "HS512", "NONE"])
def test_other_algorithms_are_refused(security: CdsSecurity, es: Issuer, alg: str) -> None:
    token = unsigned_token({"alg": alg, "kid": es.kid}, es.claims(AUD))
    assert f"alg {alg!r} not accepted; accepted: ES384, RS384" in refused(security, token)


@pytest.mark.parametrize(
    ("header", "why"),
    [
        ("", "Authorization header missing"),
        ("Basic dXNlcjpwYXNz", "not a Bearer token"),
        ("Bearer", "not a Bearer token"),
        ("Bearer abc.def", "not a signed JWT"),
        ("Bearer a.b.c", "not a well-formed JWT"),
        ("Bearer " + "a" * 20000 + ".b.c", "token longer than"),
    ],
)
def test_malformed_authorization_is_refused(security: CdsSecurity, header: str, why: str) -> None:
    with pytest.raises(CdsAuthError) as caught:
        asyncio.run(security.verify(header, AUD))
    assert why in caught.value.reason


def test_typ_and_crit_headers(security: CdsSecurity, es: Issuer) -> None:
    assert "typ 'at+jwt' not accepted" in refused(
        security, es.token(AUD, headers={"typ": "at+jwt"})
    )
    crit = es.token(AUD, headers={"crit": ["exp"], "exp": 1})
    assert "crit header not supported" in refused(security, crit)


@pytest.mark.parametrize("claim", ["exp", "iat", "aud", "jti"])
def test_required_claims(security: CdsSecurity, es: Issuer, claim: str) -> None:
    dropped: dict[str, Any] = {claim: DROP}
    token = es.token(DROP) if claim == "aud" else es.token(AUD, **dropped)
    assert f"{claim} claim missing" in refused(security, token)


@pytest.mark.parametrize("value", ["tomorrow", True, float("nan"), float("inf")])
def test_exp_must_be_a_finite_number(security: CdsSecurity, es: Issuer, value: object) -> None:
    """NaN would pass every comparison (PyJWT writes it as the JSON extension NaN)."""
    assert "exp claim must be a number" in refused(security, es.token(AUD, exp=value))


def test_the_same_jti_from_two_issuers_is_not_a_replay(
    security: CdsSecurity, es: Issuer, rs: Issuer
) -> None:
    verify(security, es.token(AUD, jti="shared-id"))
    verify(security, rs.token(AUD, jti="shared-id"))
    assert "already used" in refused(security, es.token(AUD, jti="shared-id"))


def test_a_seen_jti_is_forgotten_once_its_token_expired(tmp_path: Path, es: Issuer) -> None:
    """The replay store holds each jti until exp + skew, so it stays small."""
    moment = [time.time()]
    path = write_clients_file(tmp_path / "c.yaml", [es])
    security = CdsSecurity.from_data(
        __import__("yaml").safe_load(path.read_text()), clock=lambda: moment[0]
    )
    verify(security, es.token(AUD, jti="once"))
    assert len(security.replay) == 1
    moment[0] += 10_000
    later = int(moment[0])
    verify(security, es.token(AUD, jti="fresh", iat=later, exp=later + 300))
    assert len(security.replay) == 1  # "once" expired and was dropped


def test_a_refusal_is_logged_without_the_token(
    security: CdsSecurity, es: Issuer, caplog: pytest.LogCaptureFixture
) -> None:
    token = es.token("https://other.example.org/x")
    with caplog.at_level("WARNING", logger="jakguide.cds.security"):
        refused(security, token)
    assert len(caplog.records) == 1
    line = caplog.records[0].getMessage()
    assert "refused (401)" in line and "is not this endpoint" in line
    for part in token.split("."):
        assert part not in caplog.text


def test_the_refusal_body_is_an_operation_outcome(security: CdsSecurity) -> None:
    with pytest.raises(CdsAuthError) as caught:
        verify(security, None)
    body = caught.value.operation_outcome()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["details"]["text"] == caught.value.reason
    assert caught.value.www_authenticate.startswith('Bearer error="invalid_token"')


def _request(path: str, root_path: str = "", scheme: str = "http", port: int = 8000) -> Request:
    return Request(
        {
            "type": "http",
            "method": "POST",
            "path": path,
            "root_path": root_path,
            "scheme": scheme,
            "server": ("127.0.0.1", port),
            "headers": [(b"host", b"attacker.example.org")],
            "query_string": b"x=1",
        }
    )


def test_the_endpoint_url_is_the_public_url_or_the_listening_address() -> None:
    path = "/cds-services/jakguide-order-select"
    assert endpoint_url(_request(path), None) == "http://127.0.0.1:8000" + path
    assert (
        endpoint_url(_request(path, scheme="https", port=443), None) == "https://127.0.0.1" + path
    )
    public = "https://cds.example.org/jak/"
    assert endpoint_url(_request(path), public) == "https://cds.example.org/jak" + path
    # a root path, whether or not the ASGI server already put it in the path
    for given in (path, "/jak" + path):
        assert endpoint_url(_request(given, "/jak"), None) == "http://127.0.0.1:8000/jak" + path
