"""Test helpers for the CDS Hooks services: an app trusting a real signed issuer, EHR-shaped
requests built from the vignette patients (their FHIR form, as an EHR would prefetch it), and
draft orders."""

from __future__ import annotations

import copy
import datetime as dt
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from cds_conformance import (
    check_request,
    check_response,
    explain,
    failures_request,
    failures_response,
)
from cds_support import Issuer, write_clients_file
from jakguide.adapters.fhir import patient_to_bundle
from jakguide.cds.app import register
from jakguide.cds.config import CdsConfig
from jakguide.cds.security import CdsSecurity
from jakguide.kb.base import Knowledge
from jakguide.model import Patient
from jakguide.store.settings import Settings
from jakguide.web.app import create_app
from vignettes import base_patient, merge

with warnings.catch_warnings():
    # Starlette >= 1.x prefers the httpx2 fork for its TestClient and warns once at import.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

AS_OF = dt.date(2026, 11, 21)  # the vignettes' date (tests/conftest.py)
HTTP_OK = 200
PATIENT_ID = "pat-1"


def fhir_authorization(token: str = "secret-access-token") -> dict[str, Any]:
    """A complete ``fhirAuthorization`` (SMART patient scopes name the patient)."""
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "patient/*.read",
        "subject": "jakguide-client",
        "patient": PATIENT_ID,
    }


RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
PREFETCH_KEYS = {
    "Condition": "conditions",
    "MedicationRequest": "medicationRequests",
    "MedicationStatement": "medicationStatements",
    "Observation": "observations",
    "Procedure": "procedures",
    "Immunization": "immunizations",
}


@dataclass
class CdsApp:
    app: FastAPI
    issuer: Issuer
    client: TestClient
    base: str = "http://testserver"

    def headers(self, path: str, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.issuer.token(self.base + path, **claims)}"}

    def call(self, service: str, body: dict[str, Any], **claims: Any) -> Any:
        """POST a hook call; a 200 answer (and its request) must pass the CDS Hooks 3.0 IG
        invariants and shapes (``tests/cds_conformance.py``)."""
        path = f"/cds-services/{service}"
        response = self.client.post(path, json=body, headers=self.headers(path, **claims))
        if response.status_code == HTTP_OK:
            assert check_request(body) == [], explain(failures_request(body))
            answer = response.json()
            assert check_response(answer) == [], explain(failures_response(answer))
        return response


@contextmanager
def cds_app(
    tmp_path: Path,
    kb: Knowledge,
    as_of: dt.date,
    fhir_servers: tuple[str, ...] = (),
    database_url: str | None = None,
    issuer: Issuer | None = None,
    **config: Any,
) -> Iterator[CdsApp]:
    issuer = issuer or Issuer()
    clients = write_clients_file(tmp_path / "clients.json", [issuer], fhir_servers=fhir_servers)
    security = CdsSecurity.from_file(clients)
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
    mount = partial(register, config=CdsConfig(as_of=as_of, **config), security=security)
    app = create_app(settings, knowledge=kb, cds=mount)
    with TestClient(app) as client:
        yield CdsApp(app, issuer, client)


def patient(base: str, changes: dict[str, Any] | None = None) -> Patient:
    return Patient.model_validate(merge(base_patient(base), changes or {}))


def fhir_resources(p: Patient, kb: Knowledge) -> list[dict[str, Any]]:
    """The patient's FHIR resources as an EHR holds them: ids, ``Patient/<id>`` references."""
    bundle = patient_to_bundle(p, kb)
    patient_url = next(
        e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    out = []
    for i, entry in enumerate(bundle["entry"]):
        resource = copy.deepcopy(entry["resource"])
        if resource["resourceType"] == "Patient":
            resource["id"] = PATIENT_ID
        else:
            resource.setdefault("id", f"r{i}")
            for key in ("subject", "patient"):
                if resource.get(key, {}).get("reference") == patient_url:
                    resource[key] = {"reference": f"Patient/{PATIENT_ID}"}
        out.append(resource)
    return out


def prefetch(p: Patient, kb: Knowledge) -> dict[str, Any]:
    """The service's prefetch keys filled from the patient's resources (searchset Bundles)."""
    resources = fhir_resources(p, kb)
    out: dict[str, Any] = {"patient": next(r for r in resources if r["resourceType"] == "Patient")}
    for rtype, key in PREFETCH_KEYS.items():
        found = [r for r in resources if r["resourceType"] == rtype]
        out[key] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(found),
            "entry": [{"resource": r} for r in found],
        }
    return out


def draft(
    name: str,
    dose_mg: float,
    per_day: int,
    rxnorm: str | None = None,
    rid: str = "draft-1",
) -> dict[str, Any]:
    """A draft MedicationRequest as an EHR sends it in ``draftOrders``."""
    concept: dict[str, Any] = {"text": name}
    if rxnorm:
        concept["coding"] = [{"system": RXNORM, "code": rxnorm, "display": name}]
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": "draft",
        "intent": "order",
        "medicationCodeableConcept": concept,
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "dosageInstruction": [
            {
                "text": f"{dose_mg:g} mg, {per_day} times a day",
                "timing": {"repeat": {"frequency": per_day, "period": 1, "periodUnit": "d"}},
                "doseAndRate": [
                    {
                        "doseQuantity": {
                            "value": dose_mg,
                            "unit": "mg",
                            "system": "http://unitsofmeasure.org",
                            "code": "mg",
                        }
                    }
                ],
            }
        ],
    }


def order_request(
    hook: str, drafts: list[dict[str, Any]], pre: dict[str, Any] | None, **extra: Any
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "userId": "Practitioner/dr-1",
        "patientId": PATIENT_ID,
        "draftOrders": {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": d} for d in drafts],
        },
    }
    if hook == "order-select":
        context["selections"] = [f"MedicationRequest/{d['id']}" for d in drafts]
    body: dict[str, Any] = {
        "hook": hook,
        "hookInstance": extra.pop("hookInstance", str(uuid.uuid4())),
        "context": context,
        **extra,
    }
    if pre is not None:
        body["prefetch"] = pre
    return body


# --------------------------------------------------------------------------- a FHIR server


@dataclass
class FhirServer:
    """A real FHIR server on 127.0.0.1 answering reads and searches of one patient's resources;
    it can be slow (``delay_seconds``) and records the Authorization headers it received."""

    resources: list[dict[str, Any]]
    delay_seconds: float = 0.0
    url: str = ""
    seen_authorization: list[str | None] | None = None
    requests: list[str] | None = None


@contextmanager
def fhir_server(
    resources: list[dict[str, Any]], delay_seconds: float = 0.0
) -> Iterator[FhirServer]:
    import json
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import urlsplit

    state = FhirServer(resources, delay_seconds, seen_authorization=[], requests=[])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            assert state.seen_authorization is not None and state.requests is not None
            state.seen_authorization.append(self.headers.get("Authorization"))
            state.requests.append(self.path)
            if state.delay_seconds:
                time.sleep(state.delay_seconds)
            parts = urlsplit(self.path)
            segments = [s for s in parts.path.split("/") if s][-2:]
            body: dict[str, Any]
            if len(segments) == 2 and segments[0] == "Patient":
                found = [r for r in state.resources if r["resourceType"] == "Patient"]
                body = found[0] if found else {"resourceType": "OperationOutcome", "issue": []}
            else:
                rtype = segments[-1] if segments else ""
                matching = [r for r in state.resources if r["resourceType"] == rtype]
                body = {
                    "resourceType": "Bundle",
                    "type": "searchset",
                    "total": len(matching),
                    "entry": [{"resource": r} for r in matching],
                }
            data = json.dumps(body).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/fhir+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the service gave up waiting (the slow-server test)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests read ``requests`` instead."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/fhir"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
