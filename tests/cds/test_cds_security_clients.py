"""The trusted-clients file (``JAKGUIDE_CDS_CLIENTS``): JSON and YAML, and every bad entry is an
InputError naming field, value and what is accepted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from cds_support import Issuer, write_clients_file
from jakguide.cds.clients import ENV_VAR
from jakguide.cds.security import CdsSecurity
from jakguide.errors import InputError

ISSUER = Issuer(iss="https://ehr.example.org", kid="k1")


def entry(**kw: Any) -> dict[str, Any]:
    return {"iss": "https://ehr.example.org", "jwks": ISSUER.jwks(), **kw}


def bad(data: Any) -> InputError:
    with pytest.raises(InputError) as caught:
        CdsSecurity.from_data(data)
    return caught.value


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml"])
def test_json_and_yaml_files_load(tmp_path: Path, suffix: str) -> None:
    path = write_clients_file(
        tmp_path / f"clients{suffix}",
        [ISSUER],
        ["https://fhir.example.org/r4/"],
        ["https://ehr.example.org"],
        clock_skew_seconds=30,
    )
    security = CdsSecurity.from_file(path)
    client = security.config.clients[ISSUER.iss]
    assert client.fhir_servers == ("https://fhir.example.org/r4",)
    assert security.cors_origins == ("https://ehr.example.org",)
    assert security.config.settings.clock_skew_seconds == 30
    assert security.config.settings.jwks_ttl_seconds == 300  # default


def test_from_env(tmp_path: Path) -> None:
    assert CdsSecurity.from_env({}) is None
    assert CdsSecurity.from_env({ENV_VAR: ""}) is None
    path = write_clients_file(tmp_path / "c.yaml", [ISSUER])
    found = CdsSecurity.from_env({ENV_VAR: str(path)})
    assert found is not None and ISSUER.iss in found.config.clients
    with pytest.raises(InputError) as caught:
        CdsSecurity.from_env({ENV_VAR: str(tmp_path / "absent.yaml")})
    assert caught.value.field == ENV_VAR
    assert "cannot read the clients file" in caught.value.reason


def test_bad_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text('{"clients": [}')
    with pytest.raises(InputError) as caught:
        CdsSecurity.from_file(path)
    assert caught.value.field == "c.json" and "invalid JSON" in caught.value.reason


def _p256_jwk() -> dict[str, Any]:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return {**ECAlgorithm.to_jwk(key, as_dict=True), "kid": "p256"}


def _rsa1024_jwk() -> dict[str, Any]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    return {**RSAAlgorithm.to_jwk(key, as_dict=True), "kid": "small"}


def _private_jwk() -> dict[str, Any]:
    assert isinstance(ISSUER.key, ec.EllipticCurvePrivateKey)
    return {**ECAlgorithm.to_jwk(ISSUER.key, as_dict=True), "kid": "k1"}


@pytest.mark.parametrize(
    ("data", "field", "why"),
    [
        ({}, "clients", "Field required"),
        ([], "clients file", "must be a mapping"),
        ({"clients": [entry()], "extra": 1}, "extra", "unknown field"),
        ({"clients": [entry(color="red")]}, "clients[0].color", "unknown field"),
        ({"clients": [{"iss": "x"}]}, "clients[0]", "needs its keys"),
        ({"clients": [entry(), entry()]}, "clients[1].iss", "only once"),
        (
            {"clients": [entry(jwks_url="https://ehr.example.org/jwks")]},
            "clients[0].jwks",
            "not both",
        ),
        (
            {"clients": [entry(jwks_url="http://ehr.example.org/jwks")]},
            "clients[0].jwks_url",
            "must use https (http is accepted on loopback only)",
        ),
        ({"clients": [entry(jwks_url="ftp://x/jwks")]}, "clients[0].jwks_url", "absolute https"),
        ({"clients": [entry(jku_allow=["jwks.json"])]}, "clients[0].jku_allow", "absolute https"),
        (
            {"clients": [entry(fhir_servers=["http://fhir.example.org"])]},
            "clients[0].fhir_servers",
            "https",
        ),
        ({"clients": [entry(jwks={"keys": []})]}, "clients[0].jwks", "JWK Set"),
        ({"clients": [entry(jwks={"keys": [_private_jwk()]})]}, "clients[0].jwks", "private key"),
        ({"clients": [entry(jwks={"keys": [_p256_jwk()]})]}, "clients[0].jwks", "P-384"),
        ({"clients": [entry(jwks={"keys": [_rsa1024_jwk()]})]}, "clients[0].jwks", "2048"),
        (
            {"clients": [entry(jwks={"keys": [{"kty": "oct", "kid": "s", "k": "c2VjcmV0"}]})]},
            "clients[0].jwks",
            "kty 'oct' not accepted",
        ),
        (
            {"clients": [entry(jwks={"keys": [{**ISSUER.jwk(), "kid": None}]})]},
            "clients[0].jwks",
            "needs a kid",
        ),
        (
            {"clients": [entry(jwks={"keys": [{**ISSUER.jwk(), "alg": "RS384"}]})]},
            "clients[0].jwks",
            "does not fit kty EC",
        ),
        (
            {"clients": [entry()], "cors_origins": ["https://ehr.example.org/app"]},
            "cors_origins",
            "must be an origin",
        ),
        ({"clients": [entry()], "clock_skew_seconds": -1}, "clock_skew_seconds", "greater than"),
        ({"clients": [entry()], "jwks_timeout_seconds": 99}, "jwks_timeout_seconds", "less than"),
    ],
)
def test_bad_files_name_field_value_and_what_is_accepted(data: Any, field: str, why: str) -> None:
    error = bad(data)
    assert error.field == field
    assert why in error.reason


def test_the_error_does_not_echo_a_whole_key_set() -> None:
    error = bad({"clients": [entry(jwks={"keys": [_private_jwk()]})]})
    assert error.value == "<JWK Set>"
    assert "'d'" not in str(error)


def test_loopback_http_is_accepted_for_tests_and_sidecars() -> None:
    data = {"clients": [{"iss": "x", "jwks_url": "http://127.0.0.1:8080/jwks"}]}
    assert CdsSecurity.from_data(json.loads(json.dumps(data))).config.clients["x"].jwks_url
