"""Requests shaped as real clients send them: the cds-hooks sandbox (its published request
structure), Epic (RS384 with nbf/sub, opaque ids, data fetched from its FHIR server) and Oracle
Health (patient-view only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cds_service_support import (
    AS_OF,
    PATIENT_ID,
    RXNORM,
    cds_app,
    draft,
    fhir_resources,
    fhir_server,
    patient,
    prefetch,
)
from cds_support import Issuer
from jakguide.kb.base import Knowledge

KETOCONAZOLE = {"medications": [{"drug": "ketoconazole", "route": "oral"}]}


def _warnings(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in cards if c["indicator"] != "info"]


def test_a_sandbox_style_order_select_end_to_end(tmp_path: Path, kb: Knowledge) -> None:
    """The sandbox's "Rx View": ES384 token from https://sandbox.cds-hooks.org, context with
    userId, patientId, selections and a draftOrders Bundle, every prefetch key filled."""
    p = patient("as-man-tnf-ir", KETOCONAZOLE)
    order = draft("Xeljanz 5 MG Oral Tablet", 5, 2, rxnorm="1357541", rid="request-123")
    body = {
        "hookInstance": "23f1a303-991f-4118-86c5-11d99a39222e",
        "fhirServer": "https://launch.smarthealthit.org/v/r4/fhir",
        "hook": "order-select",
        "context": {
            "userId": "Practitioner/COREPRACTITIONER1",
            "patientId": PATIENT_ID,
            "selections": ["MedicationRequest/request-123"],
            "draftOrders": {
                "resourceType": "Bundle",
                "entry": [{"resource": order}],
            },
        },
        "prefetch": prefetch(p, kb),
    }
    sandbox = Issuer(iss="https://sandbox.cds-hooks.org", alg="ES384", kid="sandbox-1")
    with cds_app(tmp_path, kb, AS_OF, issuer=sandbox) as cds:
        response = cds.call("jakguide-order-select", body)
        assert response.status_code == 200, response.text
        cards = response.json()["cards"]
    [card] = _warnings(cards)
    action = card["suggestions"][0]["actions"][0]
    assert action["type"] == "update" and action["resource"]["id"] == "request-123"
    assert action["resource"]["medicationCodeableConcept"]["coding"][0]["system"] == RXNORM
    assert "links" not in card  # no SMART launch configured: no links


def test_an_epic_style_order_sign_fetching_from_its_fhir_server(
    tmp_path: Path, kb: Knowledge
) -> None:
    """Epic: RS384, extra claims (nbf five minutes before iat, sub, tenant), PractitionerRole
    user, opaque ids, encounterId, no prefetch: the record comes from its FHIR server."""
    p = patient("as-man-tnf-ir", {**KETOCONAZOLE, "screening": {"remove": [{"item": "tb"}]}})
    order = draft("tofacitinib 5 MG Oral Tablet", 5, 2, rxnorm="1357541", rid="eIdRHpjeEzbLS3Zc")
    epic = Issuer(iss="https://fhir.epic.example.org/interconnect-fhir-oauth", alg="RS384")
    with fhir_server(fhir_resources(p, kb)) as fhir:
        body = {
            "hookInstance": "1f49a608-fc9e-11ec-8db3-f203ed674d20",
            "fhirServer": fhir.url,
            "fhirAuthorization": {
                "access_token": "epic-access-token",
                "token_type": "Bearer",
                "expires_in": 300,
                "scope": "user/Patient.read user/Observation.read",
                "subject": "jakguide-client-id",
            },
            "hook": "order-sign",
            "context": {
                "patientId": PATIENT_ID,
                "encounterId": "eLpmT6.mtTSVA4r7aKiaomQ3",
                "userId": "PractitionerRole/e7v8x8KnybWo0qlpVS6j9Ig3",
                "draftOrders": {
                    "resourceType": "Bundle",
                    "type": "collection",
                    "entry": [{"resource": order}],
                },
            },
        }
        with cds_app(tmp_path, kb, AS_OF, fhir_servers=(fhir.url,), issuer=epic) as cds:
            path = "/cds-services/jakguide-order-sign"
            token = epic.token(
                cds.base + path,
                nbf=epic.claims("x")["iat"] - 300,
                sub="jakguide-client-id",
                tenant="epic-tenant",
            )
            response = cds.client.post(
                path, json=body, headers={"Authorization": f"Bearer {token}"}
            )
        assert set(fhir.seen_authorization or []) == {"Bearer epic-access-token"}
    assert response.status_code == 200, response.text
    warnings = _warnings(response.json()["cards"])
    assert len(warnings) == 2  # the dose card and the missing TB test card
    kinds = sorted(c["source"]["topic"]["code"].split(":")[0] for c in warnings)
    assert kinds == ["dose", "screening"]


def test_an_oracle_health_style_patient_view(tmp_path: Path, kb: Knowledge) -> None:
    """Oracle Health (Millennium) calls patient-view only; its iss and a full prefetch."""
    base = patient("as-man-tnf-ir")
    labs = [{**lab.model_dump(mode="json"), "date": "2026-04-20"} for lab in base.labs or []]
    therapy = {"drug": "tofacitinib", "dose_mg": 5, "per_day": 2, "start_date": "2026-05-01"}
    p = patient("as-man-tnf-ir", {"therapy": therapy, "labs": labs})
    oracle = Issuer(iss="https://cds-hooks.cerner.com", alg="RS384", kid="cerner-1")
    body = {
        "hookInstance": "a1b2c3d4-0000-4000-8000-000000000001",
        "hook": "patient-view",
        "fhirServer": "https://fhir-ehr.cerner.com/r4/ec2458f2-1e24-41c8-b71b-0e701af7583d",
        "context": {
            "patientId": PATIENT_ID,
            "userId": "Practitioner/4464007",
            "encounterId": "97939518",
        },
        "prefetch": prefetch(p, kb),
    }
    with cds_app(tmp_path, kb, AS_OF, issuer=oracle) as cds:
        response = cds.call("jakguide-patient-view", body)
        assert response.status_code == 200, response.text
        cards = response.json()["cards"]
        order = {**body, "hook": "order-select"}
        assert cds.call("jakguide-patient-view", order).status_code == 400
    assert [c["source"]["topic"]["code"] for c in cards] == ["monitoring:monitoring.overdue"]
    assert all("links" not in c for c in cards)


def test_links_only_when_a_smart_launch_url_is_configured(tmp_path: Path, kb: Knowledge) -> None:
    p = patient("as-man-tnf-ir")
    body = {
        "hookInstance": "5c5b0b4e-6f0a-4bb5-9f1b-6d1f0f0c6e11",
        "hook": "order-select",
        "context": {
            "userId": "Practitioner/1",
            "patientId": PATIENT_ID,
            "draftOrders": {
                "resourceType": "Bundle",
                "entry": [{"resource": draft("tofacitinib 5 MG Oral Tablet", 5, 2)}],
            },
        },
        "prefetch": prefetch(p, kb),
    }
    launch = "https://jak.example.org/smart/launch"
    with cds_app(tmp_path, kb, AS_OF, smart_launch_url=launch) as cds:
        cards = cds.call("jakguide-order-select", body).json()["cards"]
    assert cards and all(
        c["links"] == [{"label": "Open in jakguide", "url": launch, "type": "smart"}] for c in cards
    )
