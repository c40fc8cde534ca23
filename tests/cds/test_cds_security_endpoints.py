"""Acceptance line 2 end to end: the real CDS endpoints on a real uvicorn server refuse
unsigned, ``alg: none``, HS256, wrong-audience, expired and replayed calls with 401 (an
OperationOutcome naming the failed check) and answer valid ES384 and RS384 calls; the audience
is the endpoint URL (the public URL when configured, never the Host header); CORS per origin."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from cds_service_support import AS_OF, draft, order_request, patient, prefetch
from cds_support import DROP, Issuer, hs256_token, unsigned_token, write_clients_file
from jakguide.cds.app import register
from jakguide.cds.config import CdsConfig
from jakguide.cds.security import CdsSecurity
from jakguide.kb.base import Knowledge
from jakguide.store.settings import Settings
from jakguide.web.app import create_app
from live_support import start, stop

SERVICE = "/cds-services/jakguide-order-select"
FEEDBACK = "/cds-services/jakguide-order-select/feedback"
EHR_ORIGIN = "https://ehr.example.org"
PUBLIC = "https://cds.example.org/jak"


@dataclass
class Live:
    url: str
    es: Issuer
    rs: Issuer
    body: dict[str, Any]

    def post(self, path: str, token: str | None, body: Any = None, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers.update(kw.pop("headers", {}))
        return httpx.post(
            self.url + path, json=self.body if body is None else body, headers=headers, timeout=30
        )


def _serve(
    root: Path, kb: Knowledge, issuers: list[Issuer], public_url: str | None = None
) -> Iterator[str]:
    clients = write_clients_file(root / "clients.yaml", issuers, cors_origins=[EHR_ORIGIN])
    security = CdsSecurity.from_file(clients)
    settings = Settings(data_dir=root / "data", public_url=public_url)
    mount = partial(register, config=CdsConfig(as_of=AS_OF), security=security)
    server, url = start(create_app(settings, knowledge=kb, cds=mount))
    try:
        yield url
    finally:
        stop(server)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, kb: Knowledge) -> Iterator[Live]:
    es = Issuer(iss="https://ehr-es.example.org", alg="ES384", kid="es-1")
    rs = Issuer(iss="https://ehr-rs.example.org", alg="RS384", kid="rs-1")
    body = order_request(
        "order-select",
        [draft("tofacitinib 5 MG Oral Tablet", 5, 2)],
        prefetch(patient("as-man-tnf-ir"), kb),
    )
    for url in _serve(tmp_path_factory.mktemp("cds"), kb, [es, rs]):
        yield Live(url, es, rs, body)


def _refused(response: httpx.Response) -> str:
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == "security"
    text: str = body["issue"][0]["details"]["text"]
    return text


def test_a_valid_es384_call_succeeds(live: Live) -> None:
    response = live.post(SERVICE, live.es.token(live.url + SERVICE))
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["cards"], list)


def test_a_valid_rs384_call_succeeds(live: Live) -> None:
    response = live.post(SERVICE, live.rs.token(live.url + SERVICE))
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["cards"], list)


def test_unsigned_is_refused(live: Live) -> None:
    assert _refused(live.post(SERVICE, None)).startswith("Authorization header missing")
    token = unsigned_token({"alg": "ES384", "kid": "es-1"}, live.es.claims(live.url + SERVICE))
    assert _refused(live.post(SERVICE, token)) == "signature does not verify with key 'es-1'"


def test_alg_none_is_refused(live: Live) -> None:
    token = unsigned_token({"alg": "none", "kid": "es-1"}, live.es.claims(live.url + SERVICE))
    assert _refused(live.post(SERVICE, token)).startswith("alg 'none' not accepted")


def test_hs256_is_refused(live: Live) -> None:
    claims = live.rs.claims(live.url + SERVICE)
    for secret in (b"secret", live.rs.public_pem()):
        token = hs256_token({"alg": "HS256", "kid": "rs-1"}, claims, secret)
        assert _refused(live.post(SERVICE, token)).startswith("alg 'HS256' not accepted")


def test_wrong_audience_is_refused(live: Live) -> None:
    other = live.url + "/cds-services/jakguide-patient-view"
    reason = _refused(live.post(SERVICE, live.es.token(other)))
    assert reason == f"aud {other!r} is not this endpoint ({live.url + SERVICE})"


def test_expired_is_refused(live: Live) -> None:
    now = int(time.time())
    token = live.es.token(live.url + SERVICE, iat=now - 900, exp=now - 600)
    assert _refused(live.post(SERVICE, token)).startswith("token expired")


def test_replayed_is_refused(live: Live) -> None:
    token = live.rs.token(live.url + SERVICE)
    assert live.post(SERVICE, token).status_code == 200
    assert _refused(live.post(SERVICE, token)).startswith("jti '")


def test_a_spoofed_host_header_does_not_change_the_audience(live: Live) -> None:
    """A token minted for another service cannot be replayed here by sending its Host."""
    token = live.es.token("http://other-cds.example.org" + SERVICE)
    response = live.post(SERVICE, token, headers={"Host": "other-cds.example.org"})
    assert "is not this endpoint" in _refused(response)


def test_feedback_needs_a_token_for_its_own_url(live: Live) -> None:
    feedback = {
        "feedback": [
            {
                "card": "9b0c6c0e-5c2a-4c9b-9d1e-1f0f2b7e0a11",
                "outcome": "accepted",
                "outcomeTimestamp": "2026-11-21T10:00:00Z",
            }
        ]
    }
    assert "Authorization header missing" in _refused(live.post(FEEDBACK, None, feedback))
    wrong = live.es.token(live.url + SERVICE)  # the service's URL, not the feedback URL
    assert "is not this endpoint" in _refused(live.post(FEEDBACK, wrong, feedback))
    response = live.post(FEEDBACK, live.es.token(live.url + FEEDBACK), feedback)
    assert response.status_code == 200, response.text


def test_discovery_needs_no_token(live: Live) -> None:
    assert httpx.get(live.url + "/cds-services", timeout=30).status_code == 200


def test_a_refusal_is_logged_without_token_or_patient_data(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    token = live.es.token(live.url + SERVICE, exp=DROP)
    with caplog.at_level(logging.INFO):
        assert _refused(live.post(SERVICE, token)) == "exp claim missing (required)"
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("jakguide.cds")]
    assert any("refused (401): exp claim missing" in line for line in lines)
    text = "\n".join(lines)
    for part in token.split("."):
        assert part not in text
    for private in ("pat-1", "as-man", "tofacitinib"):
        assert private not in text


# --------------------------------------------------------------------------- CORS


def test_cors_preflight_for_the_configured_origin(live: Live) -> None:
    preflight = {
        "Origin": EHR_ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    ok = httpx.options(live.url + SERVICE, headers=preflight, timeout=30)
    assert ok.status_code == 200
    assert ok.headers["Access-Control-Allow-Origin"] == EHR_ORIGIN
    assert "authorization" in ok.headers["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Credentials" not in ok.headers

    other = httpx.options(
        live.url + SERVICE, headers={**preflight, "Origin": "https://evil.example.org"}, timeout=30
    )
    assert other.status_code == 400
    assert "Access-Control-Allow-Origin" not in other.headers


def test_cors_headers_on_answers_and_refusals_but_not_elsewhere(live: Live) -> None:
    origin = {"Origin": EHR_ORIGIN}
    refused = live.post(SERVICE, None, headers=origin)
    assert refused.status_code == 401
    assert refused.headers["Access-Control-Allow-Origin"] == EHR_ORIGIN  # the EHR can read why
    answered = live.post(SERVICE, live.rs.token(live.url + SERVICE), headers=origin)
    assert answered.headers["Access-Control-Allow-Origin"] == EHR_ORIGIN
    evil = live.post(SERVICE, None, headers={"Origin": "https://evil.example.org"})
    assert "Access-Control-Allow-Origin" not in evil.headers
    api = httpx.get(live.url + "/api/health", headers=origin, timeout=30)
    assert "Access-Control-Allow-Origin" not in api.headers


# --------------------------------------------------------------------------- behind a proxy


def test_behind_a_proxy_the_audience_is_the_public_url(
    tmp_path: Path, kb: Knowledge, live: Live
) -> None:
    for url in _serve(tmp_path, kb, [live.es], public_url=PUBLIC):
        proxied = Live(url, live.es, live.rs, live.body)
        response = proxied.post(SERVICE, live.es.token(PUBLIC + SERVICE))
        assert response.status_code == 200, response.text
        reason = _refused(proxied.post(SERVICE, live.es.token(url + SERVICE)))
        assert reason.endswith(f"is not this endpoint ({PUBLIC + SERVICE})")
