"""The CDS Hooks service contract: discovery, errors as OperationOutcome, prefetch and the
fhirServer fallback (a real, sometimes slow, local FHIR server), duplicates, patient-view."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from cds_conformance import check_discovery
from cds_service_support import (
    AS_OF,
    PATIENT_ID,
    cds_app,
    draft,
    fhir_authorization,
    fhir_resources,
    fhir_server,
    order_request,
    patient,
    prefetch,
)
from jakguide.cds.prefetch import dedupe
from jakguide.kb.base import Knowledge

TOFA_BID = ("tofacitinib 5 MG Oral Tablet", 5, 2)
KETOCONAZOLE = {"medications": [{"drug": "ketoconazole", "route": "oral"}]}


def _outcome(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    text: str = body["issue"][0]["details"]["text"]
    return text


def test_discovery_lists_the_three_services_without_a_token(tmp_path: Path, kb: Knowledge) -> None:
    with cds_app(tmp_path, kb, AS_OF) as cds:
        response = cds.client.get("/cds-services")
    assert response.status_code == 200
    assert check_discovery(response.json()) == []
    services = {s["id"]: s for s in response.json()["services"]}
    assert set(services) == {
        "jakguide-order-select",
        "jakguide-order-sign",
        "jakguide-patient-view",
    }
    assert {s["hook"] for s in services.values()} == {"order-select", "order-sign", "patient-view"}
    for s in services.values():
        assert s["description"] and s["title"]
        assert s["prefetch"]["patient"] == "Patient/{{context.patientId}}"
        assert s["prefetch"]["conditions"] == "Condition?patient={{context.patientId}}"
        assert set(s["prefetch"]) >= {
            "medicationRequests",
            "medicationStatements",
            "observations",
            "procedures",
            "immunizations",
        }
        assert "module" not in s
        assert s["version"] == "1.0.0" and s["hookVersion"]


def test_calls_need_a_token_and_a_known_service(tmp_path: Path, kb: Knowledge) -> None:
    body = order_request("order-select", [draft(*TOFA_BID)], None)
    with cds_app(tmp_path, kb, AS_OF) as cds:
        refused = cds.client.post("/cds-services/jakguide-order-select", json=body)
        assert "Authorization" in _outcome(refused, 401) or "Bearer" in _outcome(refused, 401)
        assert _outcome(cds.call("no-such-service", body), 404).startswith("no CDS service")
        wrong_hook = {**body, "hook": "patient-view"}
        assert "order-select" in _outcome(cds.call("jakguide-order-select", wrong_hook), 400)
        not_uuid = {**body, "hookInstance": "call-1"}
        assert _outcome(cds.call("jakguide-order-select", not_uuid), 400).startswith(
            "hookInstance: 'call-1'"
        )
        no_context = {k: v for k, v in body.items() if k != "context"}
        assert "context" in _outcome(cds.call("jakguide-order-select", no_context), 400)


def test_no_prefetch_and_no_server_is_412(tmp_path: Path, kb: Knowledge) -> None:
    body = order_request("order-select", [draft(*TOFA_BID)], None)
    with cds_app(tmp_path, kb, AS_OF) as cds:
        assert "prefetch 'patient'" in _outcome(cds.call("jakguide-order-select", body), 412)
        null_patient = order_request(
            "order-select",
            [draft(*TOFA_BID)],
            {"patient": {"resourceType": "OperationOutcome", "issue": []}},
        )
        assert "no fhirServer" in _outcome(cds.call("jakguide-order-select", null_patient), 412)


def test_missing_prefetch_is_fetched_from_an_allow_listed_fhir_server(
    tmp_path: Path, kb: Knowledge
) -> None:
    p = patient("as-man-tnf-ir", KETOCONAZOLE)
    with fhir_server(fhir_resources(p, kb)) as fhir:
        partial = {"patient": None, "conditions": {"resourceType": "OperationOutcome"}}
        body = order_request(
            "order-sign",
            [draft(*TOFA_BID)],
            partial,
            fhirServer=fhir.url,
            fhirAuthorization=fhir_authorization(),
        )
        with cds_app(tmp_path, kb, AS_OF, fhir_servers=(fhir.url,)) as cds:
            fetched = cds.call("jakguide-order-sign", body).json()["cards"]
            full = order_request("order-sign", [draft(*TOFA_BID)], prefetch(p, kb))
            expected = cds.call("jakguide-order-sign", full).json()["cards"]
        assert fhir.requests and len(fhir.requests) == 7  # every prefetch key, once
        assert set(fhir.seen_authorization or []) == {"Bearer secret-access-token"}
        assert any(r.startswith(f"/fhir/Patient/{PATIENT_ID}") for r in fhir.requests)
    keys = ("summary", "detail", "indicator", "source")
    assert [[c[k] for k in keys] for c in fetched] == [[c[k] for k in keys] for c in expected]
    assert [c["indicator"] for c in fetched].count("warning") == 1


def test_a_server_not_allow_listed_for_the_client_is_never_called(
    tmp_path: Path, kb: Knowledge
) -> None:
    p = patient("as-man-tnf-ir")
    with fhir_server(fhir_resources(p, kb)) as fhir:
        body = order_request(
            "order-sign",
            [draft(*TOFA_BID)],
            None,
            fhirServer=fhir.url,
            fhirAuthorization=fhir_authorization("t"),
        )
        with cds_app(tmp_path, kb, AS_OF, fhir_servers=("https://other.example/fhir",)) as cds:
            text = _outcome(cds.call("jakguide-order-sign", body), 412)
        assert "not allow-listed" in text and "secret" not in text
        assert fhir.requests == []


def test_a_slow_fhir_server_gives_one_info_card_in_time(tmp_path: Path, kb: Knowledge) -> None:
    p = patient("as-man-tnf-ir")
    with fhir_server(fhir_resources(p, kb), delay_seconds=3.0) as fhir:
        body = order_request(
            "order-select",
            [draft(*TOFA_BID)],
            {"patient": fhir_resources(p, kb)[0]},
            fhirServer=fhir.url,
            fhirAuthorization=fhir_authorization("t"),
        )
        with cds_app(
            tmp_path, kb, AS_OF, fhir_servers=(fhir.url,), fhir_timeout_seconds=0.5
        ) as cds:
            start = time.monotonic()
            response = cds.call("jakguide-order-select", body)
            elapsed = time.monotonic() - start
    assert response.status_code == 200
    [card] = response.json()["cards"]
    assert card["indicator"] == "info"
    assert "unavailable" in card["summary"]
    for key in ("conditions", "observations", "medicationRequests"):
        assert key in card["detail"]
    assert elapsed < 2.5


def test_the_same_resource_under_several_keys_counts_once(tmp_path: Path, kb: Knowledge) -> None:
    p = patient("as-man-tnf-ir", KETOCONAZOLE)
    pre = prefetch(p, kb)
    doubled = dict(pre)
    # The EHR sends the MedicationStatements again under the MedicationRequest key.
    doubled["medicationRequests"] = pre["medicationStatements"]
    with cds_app(tmp_path, kb, AS_OF) as cds:
        once = cds.call("jakguide-order-sign", order_request("order-sign", [draft(*TOFA_BID)], pre))
        twice = cds.call(
            "jakguide-order-sign", order_request("order-sign", [draft(*TOFA_BID)], doubled)
        )
    assert [c["summary"] for c in once.json()["cards"]] == [
        c["summary"] for c in twice.json()["cards"]
    ]
    r = {"resourceType": "Condition", "id": "c1"}
    assert dedupe([r, dict(r), {"resourceType": "Observation", "id": "c1"}]) == [
        r,
        {"resourceType": "Observation", "id": "c1"},
    ]


def _patient_view(pre: dict[str, Any]) -> dict[str, Any]:
    return {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {"userId": "Practitioner/dr-1", "patientId": PATIENT_ID},
        "prefetch": pre,
    }


def test_patient_view_is_silent_for_a_patient_not_on_a_jak_inhibitor(
    tmp_path: Path, kb: Knowledge
) -> None:
    p = patient("as-man-tnf-ir")
    with cds_app(tmp_path, kb, AS_OF) as cds:
        response = cds.call("jakguide-patient-view", _patient_view(prefetch(p, kb)))
    assert response.status_code == 200 and response.json() == {"cards": []}


def test_patient_view_shows_overdue_monitoring(tmp_path: Path, kb: Knowledge) -> None:
    base = patient("as-man-tnf-ir")
    # Baseline labs before the start, none since: the on-therapy checks are overdue.
    labs = [{**lab.model_dump(mode="json"), "date": "2026-04-20"} for lab in base.labs or []]
    therapy = {"drug": "tofacitinib", "dose_mg": 5, "per_day": 2, "start_date": "2026-05-01"}
    p = patient("as-man-tnf-ir", {"therapy": therapy, "labs": labs})
    with cds_app(tmp_path, kb, AS_OF) as cds:
        response = cds.call("jakguide-patient-view", _patient_view(prefetch(p, kb)))
    cards = response.json()["cards"]
    monitoring = [c for c in cards if c["source"]["topic"]["code"].startswith("monitoring:")]
    assert len(monitoring) == 1, [c["summary"] for c in cards]
    assert monitoring[0]["indicator"] == "warning"
    assert "overdue" in monitoring[0]["summary"]
    [suggestion] = monitoring[0]["suggestions"]
    assert suggestion["actions"][0]["resource"]["resourceType"] == "CarePlan"


def test_orders_of_other_medicines_are_ignored(tmp_path: Path, kb: Knowledge) -> None:
    p = patient("as-man-tnf-ir")
    body = order_request(
        "order-sign", [draft("ibuprofen 400 MG Oral Tablet", 400, 3)], prefetch(p, kb)
    )
    with cds_app(tmp_path, kb, AS_OF) as cds:
        response = cds.call("jakguide-order-sign", body)
    assert response.status_code == 200 and response.json() == {"cards": []}


def test_bad_input_is_a_400_naming_the_field(tmp_path: Path, kb: Knowledge) -> None:
    p = patient("as-man-tnf-ir")
    pre = prefetch(p, kb)
    pre["patient"] = {**pre["patient"], "birthDate": "not a date"}
    body = order_request("order-sign", [draft(*TOFA_BID)], pre)
    no_patient_id = order_request("order-sign", [draft(*TOFA_BID)], {"patient": None})
    del no_patient_id["context"]["patientId"]
    no_patient_id["fhirServer"] = "https://ehr.example.org/fhir"
    with cds_app(tmp_path, kb, AS_OF, fhir_servers=("https://ehr.example.org/fhir",)) as cds:
        assert "birthDate" in _outcome(cds.call("jakguide-order-sign", body), 400)
        text = _outcome(cds.call("jakguide-order-sign", no_patient_id), 400)
        assert text.startswith("context.patientId: missing")
        not_json = cds.client.post(
            "/cds-services/jakguide-order-sign",
            content=b"{not json",
            headers=cds.headers("/cds-services/jakguide-order-sign"),
        )
        assert _outcome(not_json, 400).startswith("body: not JSON")


def test_an_unexpected_failure_is_an_info_card_not_a_500(
    tmp_path: Path, kb: Knowledge, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from jakguide.cds.services import order_sign

    def broken(call: object) -> list[object]:
        raise RuntimeError(f"secret detail about {PATIENT_ID}")

    monkeypatch.setattr(order_sign, "cards", broken)
    p = patient("as-man-tnf-ir")
    body = order_request("order-sign", [draft(*TOFA_BID)], prefetch(p, kb))
    with cds_app(tmp_path, kb, AS_OF) as cds:
        response = cds.call("jakguide-order-sign", body)
    assert response.status_code == 200
    [card] = response.json()["cards"]
    assert card["indicator"] == "info" and "checked nothing" in card["summary"]
    assert "RuntimeError" in caplog.text and PATIENT_ID not in caplog.text


def test_every_setting_and_service_is_documented() -> None:
    from jakguide.cds.config import settings_table
    from jakguide.cds.definitions import definitions

    page = (Path(__file__).parents[2] / "docs" / "cds.md").read_text(encoding="utf-8")
    for row in settings_table():
        assert f"`{row['env']}`" in page
    for service in definitions().services:
        assert f"`{service.id}`" in page
        for key, template in service.prefetch.items():
            assert f"`{key}` | `{template}`" in page


def test_partial_prefetch_without_a_server_is_412_naming_the_keys(
    tmp_path: Path, kb: Knowledge
) -> None:
    """Checking half a record would read a test that was not sent as "not on record"."""
    p = patient("as-man-tnf-ir")
    pre = prefetch(p, kb)
    del pre["observations"]
    pre["immunizations"] = None
    body = order_request("order-select", [draft(*TOFA_BID)], pre)
    with cds_app(tmp_path, kb, AS_OF) as cds:
        text = _outcome(cds.call("jakguide-order-select", body), 412)
    assert "immunizations, observations" in text and "no fhirServer" in text


def test_patient_view_shows_a_confirmed_lab_threshold(tmp_path: Path, kb: Knowledge) -> None:
    """Lymphocytes below 500 cells/uL on two dates while on tofacitinib: a critical card."""
    therapy = {"drug": "tofacitinib", "dose_mg": 5, "per_day": 2, "start_date": "2026-05-01"}
    low = [
        {"analyte": "lymphocytes", "value": 0.45, "unit": "10*9/L", "date": day}
        for day in ("2026-11-01", "2026-11-15")
    ]
    base = patient("as-man-tnf-ir")
    others = [
        lab.model_dump(mode="json") for lab in base.labs or [] if lab.analyte != "lymphocytes"
    ]
    p = patient("as-man-tnf-ir", {"therapy": therapy, "labs": others + low})
    with cds_app(tmp_path, kb, AS_OF) as cds:
        cards = cds.call("jakguide-patient-view", _patient_view(prefetch(p, kb))).json()["cards"]
    [lab] = [c for c in cards if c["source"]["topic"]["code"].startswith("lab:")]
    assert lab["indicator"] == "critical"
    assert "ymphocyte" in lab["summary"] and len(lab["summary"]) < 140
    assert "section" in lab["source"]["label"]
