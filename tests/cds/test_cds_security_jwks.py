"""Keys fetched from a real HTTP server: ``jwks_url``, allow-listed ``jku``, caching, key
rotation, a key server that is slow, down or hostile."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from cds_support import Issuer, JwksServer, jwks_server, write_clients_file
from jakguide.cds.clients import load_config
from jakguide.cds.security import Caller, CdsAuthError, CdsSecurity

AUD = "https://cds.example.org/cds-services/jakguide-patient-view"


class Clock:
    """Monotonic seconds the test moves (the JWK Set cache's TTL and cool-down)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def server() -> Iterator[JwksServer]:
    with jwks_server() as running:
        yield running


def security_for(path: Path, clock: Clock | None = None) -> CdsSecurity:
    return CdsSecurity(load_config(path), monotonic=clock or Clock())


def verify(security: CdsSecurity, token: str) -> Caller:
    return asyncio.run(security.verify(f"Bearer {token}", AUD))


def refused(security: CdsSecurity, token: str) -> str:
    with pytest.raises(CdsAuthError) as caught:
        verify(security, token)
    return caught.value.reason


def test_key_rotation_new_kid_appears_at_jwks_url(tmp_path: Path, server: JwksServer) -> None:
    old = Issuer(alg="RS384", kid="2026-01")
    old.jwks_url = server.publish("/jwks", old)
    clock = Clock()
    security = security_for(write_clients_file(tmp_path / "c.yaml", [old]), clock)
    verify(security, old.token(AUD))
    assert server.hits["/jwks"] == 1

    new = old.rotated("2026-02")
    server.publish("/jwks", old, new)  # the EHR publishes its next key, then signs with it
    clock.now += 11  # past the 10 s cool-down between forced refreshes
    assert verify(security, new.token(AUD)).client.iss == old.iss
    assert server.hits["/jwks"] == 2  # one refresh for the unknown kid
    verify(security, old.token(AUD))  # the old key still works while published
    verify(security, new.token(AUD))
    assert server.hits["/jwks"] == 2


def test_made_up_kids_do_not_make_a_fetch_loop(tmp_path: Path, server: JwksServer) -> None:
    issuer = Issuer(kid="k1")
    issuer.jwks_url = server.publish("/jwks", issuer)
    clock = Clock()
    security = security_for(write_clients_file(tmp_path / "c.yaml", [issuer]), clock)
    verify(security, issuer.token(AUD))
    for i in range(20):
        reason = refused(security, issuer.token(AUD, headers={"kid": f"bogus-{i}"}))
        assert reason == f"kid 'bogus-{i}' not found in {issuer.jwks_url} of iss {issuer.iss!r}"
    assert server.hits["/jwks"] == 1  # within the cool-down: no refetch
    clock.now += 11
    refused(security, issuer.token(AUD, headers={"kid": "bogus-x"}))
    assert server.hits["/jwks"] == 2


def test_the_cached_set_is_refetched_after_its_ttl(tmp_path: Path, server: JwksServer) -> None:
    issuer = Issuer(kid="k1")
    issuer.jwks_url = server.publish("/jwks", issuer)
    clock = Clock()
    path = write_clients_file(tmp_path / "c.yaml", [issuer], jwks_ttl_seconds=60)
    security = security_for(path, clock)
    verify(security, issuer.token(AUD))
    clock.now += 59
    verify(security, issuer.token(AUD))
    assert server.hits["/jwks"] == 1
    clock.now += 2
    verify(security, issuer.token(AUD))
    assert server.hits["/jwks"] == 2


def test_a_key_server_down_keeps_the_cached_copy(tmp_path: Path, server: JwksServer) -> None:
    issuer = Issuer(kid="k1")
    issuer.jwks_url = server.publish("/jwks", issuer)
    clock = Clock()
    security = security_for(write_clients_file(tmp_path / "c.yaml", [issuer]), clock)
    verify(security, issuer.token(AUD))
    server.status = 503
    clock.now += 3600
    verify(security, issuer.token(AUD))  # stale but known keys keep working
    assert server.hits["/jwks"] == 2
    # An unknown kid while the key server is down: the reason says why it is unknown.
    expected = f"kid 'new' could not be resolved: JWKS {issuer.jwks_url} answered HTTP 503"
    assert refused(security, issuer.token(AUD, headers={"kid": "new"})) == expected
    clock.now += 11  # past the cool-down: tried again, still down
    assert refused(security, issuer.token(AUD, headers={"kid": "new"})) == expected
    assert server.hits["/jwks"] == 3
    server.status = 200
    clock.now += 11
    verify(security, issuer.token(AUD))
    assert server.hits["/jwks"] == 4  # the stale copy is replaced once the server answers
    verify(security, issuer.token(AUD))
    assert server.hits["/jwks"] == 4


def test_a_slow_key_server_is_given_up_on(tmp_path: Path, server: JwksServer) -> None:
    issuer = Issuer(kid="k1")
    issuer.jwks_url = server.publish("/jwks", issuer)
    server.delay_seconds = 1.0
    path = write_clients_file(tmp_path / "c.yaml", [issuer], jwks_timeout_seconds=0.2)
    security = security_for(path)
    reason = refused(security, issuer.token(AUD))
    assert (
        reason
        == f"kid 'k1' could not be resolved: JWKS {issuer.jwks_url} did not answer within 0.2 s"
    )


def test_an_unreachable_or_bad_key_set_is_a_refusal(tmp_path: Path, server: JwksServer) -> None:
    issuer = Issuer(kid="k1")
    issuer.jwks_url = server.url + "/missing"
    security = security_for(write_clients_file(tmp_path / "c.yaml", [issuer]))
    assert "answered HTTP 404" in refused(security, issuer.token(AUD))

    server.documents["/not-a-set"] = {"hello": "world"}
    issuer.jwks_url = server.url + "/not-a-set"
    security = security_for(write_clients_file(tmp_path / "d.yaml", [issuer]))
    assert "not a JWK Set" in refused(security, issuer.token(AUD))


def test_private_or_symmetric_keys_in_a_fetched_set_are_ignored(
    tmp_path: Path, server: JwksServer
) -> None:
    """A set that also holds an HMAC secret (kty oct) under the kid cannot turn into a verifier."""
    issuer = Issuer(kid="k1")
    server.documents["/jwks"] = {"keys": [{"kty": "oct", "kid": "k1", "k": "c2VjcmV0"}]}
    issuer.jwks_url = server.url + "/jwks"
    security = security_for(write_clients_file(tmp_path / "c.yaml", [issuer]))
    assert "not found" in refused(security, issuer.token(AUD))


def test_an_allow_listed_jku_is_used(tmp_path: Path, server: JwksServer) -> None:
    """Epic and Oracle Health name their key set in the token's jku header."""
    issuer = Issuer(alg="RS384", kid="epic-1")
    jku = server.publish("/epic/jwks", issuer)
    issuer.jku_allow = (jku,)
    security = security_for(write_clients_file(tmp_path / "c.yaml", [issuer]))
    assert verify(security, issuer.token(AUD, headers={"jku": jku})).client.iss == issuer.iss
    assert server.hits["/epic/jwks"] == 1


def test_a_jku_not_allowed_is_refused_without_fetching(tmp_path: Path, server: JwksServer) -> None:
    issuer = Issuer(alg="RS384", kid="epic-1")
    allowed = server.publish("/epic/jwks", issuer)
    issuer.jku_allow = (allowed,)
    evil = server.publish("/attacker/jwks", issuer)
    security = security_for(write_clients_file(tmp_path / "c.yaml", [issuer]))
    for jku in (evil, allowed + "?x=1", allowed.upper(), allowed + "/"):
        reason = refused(security, issuer.token(AUD, headers={"jku": jku}))
        assert reason == f"jku {jku!r} is not allowed for iss {issuer.iss!r}"
    assert server.hits == {}


def test_jku_only_client_needs_the_header(tmp_path: Path, server: JwksServer) -> None:
    issuer = Issuer(kid="k1")
    issuer.jku_allow = (server.publish("/jwks", issuer),)
    security = security_for(write_clients_file(tmp_path / "c.yaml", [issuer]))
    assert "no jku header" in refused(security, issuer.token(AUD))


def test_concurrent_first_calls_share_one_fetch(tmp_path: Path, server: JwksServer) -> None:
    issuer = Issuer(kid="k1")
    issuer.jwks_url = server.publish("/jwks", issuer)
    server.delay_seconds = 0.2  # every call arrives while the first fetch is running
    security = security_for(write_clients_file(tmp_path / "c.yaml", [issuer]))

    async def many() -> list[Caller]:
        return await asyncio.gather(
            *(security.verify(f"Bearer {issuer.token(AUD)}", AUD) for _ in range(50))
        )

    assert len(asyncio.run(many())) == 50
    assert server.hits["/jwks"] == 1


def test_a_key_server_down_at_start_is_not_asked_on_every_call(
    tmp_path: Path, server: JwksServer
) -> None:
    issuer = Issuer(kid="k1")
    issuer.jwks_url = server.publish("/jwks", issuer)
    server.status = 500
    clock = Clock()
    security = security_for(write_clients_file(tmp_path / "c.yaml", [issuer]), clock)
    expected = f"kid 'k1' could not be resolved: JWKS {issuer.jwks_url} answered HTTP 500"
    for _ in range(10):
        assert refused(security, issuer.token(AUD)) == expected
    assert server.hits["/jwks"] == 1
    server.status = 200
    clock.now += 11
    verify(security, issuer.token(AUD))
    assert server.hits["/jwks"] == 2
