"""Every body the real service sends or accepts, checked against the IG invariants and shapes.

Discovery, each hook (cards with dose and test-order suggestions, monitoring, the quiet answer)
and feedback, over signed calls to the app; the requests themselves are checked too, so a test
helper that built a non-conformant request would show here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

from cds_conformance import (
    check_discovery,
    check_feedback,
    check_request,
    check_response,
    explain,
    failures_response,
)
from cds_service_support import PATIENT_ID, cds_app, draft, order_request, patient, prefetch
from jakguide.kb.base import Knowledge

AS_OF = dt.date(2026, 11, 21)  # as tests/conftest.py (not imported: several conftest modules)
TOFA_BID = ("tofacitinib 5 MG Oral Tablet", 5, 2)
KETOCONAZOLE = {"medications": [{"drug": "ketoconazole", "route": "oral"}]}
NO_SCREENING = {
    "screening": {
        "remove": [{"item": "tb"}, {"item": "hbsag"}, {"item": "anti-hbc"}, {"item": "hcv"}]
    }
}


def conformant(body: Any) -> list[dict[str, Any]]:
    """The cards of a conformant response; every suggested resource valid FHIR R4."""
    assert check_response(body) == [], explain(failures_response(body))
    cards: list[dict[str, Any]] = body["cards"]
    for card in cards:
        for suggestion in card.get("suggestions", []):
            for action in suggestion["actions"]:
                if "resource" in action:
                    rtype = action["resource"]["resourceType"]
                    get_fhir_model_class(rtype).model_validate(action["resource"])
    return cards


def test_every_hook_answer_and_the_feedback_conform(tmp_path: Path, kb: Knowledge) -> None:
    ketoconazole = patient("as-man-tnf-ir", KETOCONAZOLE)
    unscreened = patient("as-man-tnf-ir", NO_SCREENING)
    therapy = {"drug": "tofacitinib", "dose_mg": 5, "per_day": 2, "start_date": "2026-05-01"}
    on_therapy = patient("as-man-tnf-ir", {"therapy": therapy})
    eligible = patient("as-man-tnf-ir")

    def order(hook: str, who: Any) -> tuple[str, dict[str, Any]]:
        return hook, order_request(hook, [draft(*TOFA_BID)], prefetch(who, kb))

    calls = [
        order("order-select", ketoconazole),
        order("order-sign", unscreened),
        order("order-select", eligible),
        (
            "patient-view",
            {
                "hook": "patient-view",
                "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
                "context": {"userId": "Practitioner/dr-1", "patientId": PATIENT_ID},
                "prefetch": prefetch(on_therapy, kb),
            },
        ),
    ]  # fmt: skip
    with cds_app(tmp_path, kb, AS_OF) as cds:
        discovery = cds.client.get("/cds-services")
        assert discovery.status_code == 200
        assert check_discovery(discovery.json()) == []
        answered: list[tuple[str, list[dict[str, Any]]]] = []
        for hook, body in calls:
            assert check_request(body) == [], hook
            response = cds.call(f"jakguide-{hook}", body)
            assert response.status_code == 200, response.text
            answered.append((hook, conformant(response.json())))
        kinds = {
            a["type"]
            for _, cards in answered
            for c in cards
            for s in c.get("suggestions", [])
            for a in s["actions"]
        }
        assert {"update", "create"} <= kinds, "a dose change and a test order were suggested"
        with_suggestion = [c for _, cards in answered for c in cards if c.get("suggestions")]
        card = with_suggestion[0]
        feedback = {
            "feedback": [
                {
                    "card": card["uuid"],
                    "outcome": "accepted",
                    "acceptedSuggestions": [{"id": card["suggestions"][0]["uuid"]}],
                    "outcomeTimestamp": "2026-11-21T10:15:00Z",
                },
                {
                    "card": card["uuid"],
                    "outcome": "overridden",
                    "overrideReason": {
                        "reason": card["overrideReasons"][0],
                        "userComment": "seen by rheumatology",
                    },
                    "outcomeTimestamp": "2026-11-21T10:16:00Z",
                },
            ]
        }
        assert check_feedback(feedback) == []
        path = "/cds-services/jakguide-order-select/feedback"
        stored = cds.client.post(path, json=feedback, headers=cds.headers(path))
        assert stored.status_code == 200, stored.text
