"""The CDS Hooks conformance checker: the spec's own examples, and one broken body per check.

Each invariant is shown to fail on a body that breaks it and to pass on the same body mended,
so a checker that accepted everything (or nothing) would fail here.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from cds_conformance import (
    HERE,
    SUMMARY_MAX,
    check_discovery,
    check_feedback,
    check_request,
    check_response,
    explain,
    failures_response,
    invariants,
)

EXAMPLES = HERE / "examples"
UUID1 = "4e0a3a1e-3283-4575-ab82-028d55fe2719"
UUID2 = "9368d37b-283f-44a0-93ea-547cebab93ed"
# The one published example that breaks the IG's own response model (no card indicator).
KNOWN_BAD = {"response-example-2.json": ["shape:card.indicator"]}
CHECKS = {
    "request": check_request,
    "response": check_response,
    "feedback": check_feedback,
    "discovery": check_discovery,
}


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text())["body"]


def test_invariants_are_vendored_with_their_source() -> None:
    data = json.loads((HERE / "invariants.json").read_text())
    assert data["source"]["repository"] == "https://github.com/HL7/cds-hooks"
    assert len(data["source"]["commit"]) == 40
    ids = [i.id for i in invariants()]
    assert ids == [
        *[f"cds-r-{n}" for n in (1, 2)],
        *[f"cds-resp-{n}" for n in range(1, 8)],
        *[f"cds-fb-{n}" for n in (1, 2, 3)],
    ]
    assert all(i.contexts for i in invariants()), "every invariant is attached somewhere"
    assert "Apache License" in (HERE / "LICENSE").read_text()
    assert data["source"]["commit"] in (HERE / "README.md").read_text()


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_published_examples(path: Path) -> None:
    kind = path.name.split("-")[0].removesuffix(".json")
    body = json.loads(path.read_text())["body"]
    assert CHECKS[kind](body) == KNOWN_BAD.get(path.name, [])


def test_published_example_mended_is_conformant() -> None:
    body = example("response-example-2.json")
    body["cards"][0]["indicator"] = "info"
    assert check_response(body) == []


# --------------------------------------------------------------------------- request


def request() -> dict[str, Any]:
    return copy.deepcopy(example("request-patient-view.json"))


def test_cds_r_1_authorization_needs_a_server() -> None:
    body = request()
    del body["fhirServer"]
    assert check_request(body) == ["cds-r-1"]
    del body["fhirAuthorization"]
    assert check_request(body) == []


def test_cds_r_2_patient_scopes_name_the_patient() -> None:
    body = request()
    body["fhirAuthorization"]["scope"] = "patient/Patient.read patient/Observation.read"
    assert check_request(body) == ["cds-r-2"]
    body["fhirAuthorization"]["patient"] = "1288992"
    assert check_request(body) == []


@pytest.mark.parametrize(
    ("change", "failed"),
    [
        ({"hook": None}, "shape:request.hook"),
        ({"hookInstance": "not-a-uuid"}, "shape:request.hookInstance"),
        ({"hookInstance": None}, "shape:request.hookInstance"),
        ({"context": None}, "shape:request.context"),
        ({"context": "Patient/1"}, "shape:request.context"),
        ({"fhirServer": "hooks.example.org"}, "shape:request.fhirServer"),
        ({"prefetch": {"patient": "Patient/1"}}, "shape:request.prefetch"),
    ],
)
def test_request_shapes(change: dict[str, Any], failed: str) -> None:
    body = request()
    for key, value in change.items():
        if value is None:
            del body[key]
        else:
            body[key] = value
    assert failed in check_request(body)


def test_request_token_fields() -> None:
    body = request()
    body["fhirAuthorization"]["token_type"] = "MAC"
    del body["fhirAuthorization"]["expires_in"]
    assert check_request(body) == ["shape:request.fhirAuthorization"]
    body = request()
    body["prefetch"]["patientToGreet"] = None  # a prefetch the client could not fill
    assert check_request(body) == []


# --------------------------------------------------------------------------- response


def card(**extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "uuid": UUID1,
        "summary": "Reduce tofacitinib to 5 mg once daily with ketoconazole",
        "indicator": "warning",
        "source": {"label": "XELJANZ prescribing information", "url": "https://example.org/pi"},
    }
    out.update(extra)
    return out


def update_action(**extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "update",
        "description": "Change the dose",
        "resource": {"resourceType": "MedicationRequest", "id": "draft-1"},
    }
    out.update(extra)
    return out


def suggestion(**extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"label": "5 mg once daily", "uuid": UUID2, "actions": [update_action()]}
    out.update(extra)
    return out


def test_a_full_card_is_conformant() -> None:
    body = {
        "cards": [
            card(
                detail="**Label 2.x**: ...",
                selectionBehavior="at-most-one",
                suggestions=[suggestion(isRecommended=True)],
                overrideReasons=[
                    {"system": "urn:example", "code": "patient-declined", "display": "Declined"}
                ],
                links=[{"label": "Record", "url": "https://ehr.example/launch", "type": "smart"}],
            )
        ]
    }
    assert check_response(body) == [], explain(failures_response(body))
    assert check_response({"cards": []}) == []


@pytest.mark.parametrize(
    ("bad", "good", "failed"),
    [
        (  # cds-resp-1: at-most-one with two recommended suggestions
            card(
                selectionBehavior="at-most-one",
                suggestions=[suggestion(isRecommended=True), suggestion(isRecommended=True)],
            ),
            card(
                selectionBehavior="any",
                suggestions=[suggestion(isRecommended=True), suggestion(isRecommended=True)],
            ),
            "cds-resp-1",
        ),
        (  # cds-resp-2: delete carries a resourceId, not a resource
            card(
                selectionBehavior="any",
                suggestions=[
                    suggestion(
                        actions=[
                            {
                                "type": "delete",
                                "description": "Cancel",
                                "resourceId": "MedicationRequest/1",
                                "resource": {"resourceType": "MedicationRequest"},
                            }
                        ]
                    )
                ],
            ),
            card(
                selectionBehavior="any",
                suggestions=[
                    suggestion(
                        actions=[
                            {
                                "type": "delete",
                                "description": "Cancel",
                                "resourceId": "MedicationRequest/1",
                            }
                        ]
                    )
                ],
            ),
            "cds-resp-2",
        ),
        (  # cds-resp-3: appContext only on smart links
            card(
                links=[
                    {
                        "label": "x",
                        "url": "https://a.example",
                        "type": "absolute",
                        "appContext": "{}",
                    }
                ]
            ),
            card(
                links=[
                    {"label": "x", "url": "https://a.example", "type": "smart", "appContext": "{}"}
                ]
            ),
            "cds-resp-3",
        ),
        (  # cds-resp-4: override reasons carry a display
            card(overrideReasons=[{"system": "urn:example", "code": "r1"}]),
            card(overrideReasons=[{"system": "urn:example", "code": "r1", "display": "R1"}]),
            "cds-resp-4",
        ),
        (  # cds-resp-5: every action has a description
            card(
                selectionBehavior="any",
                suggestions=[
                    suggestion(
                        actions=[{"type": "create", "resource": {"resourceType": "ServiceRequest"}}]
                    )
                ],
            ),
            card(
                selectionBehavior="any",
                suggestions=[
                    suggestion(
                        actions=[
                            {
                                "type": "create",
                                "description": "Order IGRA",
                                "resource": {"resourceType": "ServiceRequest"},
                            }
                        ]
                    )
                ],
            ),
            "cds-resp-5",
        ),
        (  # cds-resp-6: suggestions need a selectionBehavior
            card(suggestions=[suggestion()]),
            card(selectionBehavior="at-most-one", suggestions=[suggestion()]),
            "cds-resp-6",
        ),
        (  # cds-resp-7: actionSelectionBehavior enumeration
            card(selectionBehavior="any", suggestions=[suggestion(actionSelectionBehavior="some")]),
            card(
                selectionBehavior="any",
                suggestions=[suggestion(actionSelectionBehavior="at-most-one")],
            ),
            "cds-resp-7",
        ),
    ],
)
def test_response_invariants(bad: dict[str, Any], good: dict[str, Any], failed: str) -> None:
    assert check_response({"cards": [bad]}) == [failed]
    assert check_response({"cards": [good]}) == [], explain(failures_response({"cards": [good]}))


@pytest.mark.parametrize(
    ("bad", "failed"),
    [
        (card(summary="x" * (SUMMARY_MAX + 1)), "shape:card.summary-length"),
        (card(summary=""), "shape:card.summary"),
        (card(indicator="hard-stop"), "shape:card.indicator"),
        (card(uuid="card-1"), "shape:card.uuid"),
        (card(source={"url": "https://example.org"}), "shape:card.source.label"),
        (card(source=None), "shape:card.source"),
        (card(selectionBehavior="all"), "shape:card.selectionBehavior"),
        (
            card(selectionBehavior="any", suggestions=[suggestion(label=None)]),
            "shape:suggestion.label",
        ),
        (
            card(selectionBehavior="any", suggestions=[suggestion(uuid="s1")]),
            "shape:suggestion.uuid",
        ),
        (
            card(
                selectionBehavior="any",
                suggestions=[suggestion(actions=[update_action(type="replace")])],
            ),
            "shape:action.type",
        ),
        (
            card(
                selectionBehavior="any",
                suggestions=[suggestion(actions=[update_action(resource=None)])],
            ),
            "shape:action.resource",
        ),
        (
            card(links=[{"label": "x", "url": "https://a.example", "type": "iframe"}]),
            "shape:link.type",
        ),
        (card(links=[{"label": "x", "url": "/relative", "type": "absolute"}]), "shape:link.url"),
    ],
)
def test_response_shapes(bad: dict[str, Any], failed: str) -> None:
    bad = {k: v for k, v in bad.items() if v is not None}
    for s in bad.get("suggestions", []):
        for key in [k for k, v in s.items() if v is None]:
            del s[key]
        for a in s.get("actions", []):
            for key in [k for k, v in a.items() if v is None]:
                del a[key]
    assert failed in check_response({"cards": [bad]})


def test_response_needs_cards_and_checks_system_actions() -> None:
    assert check_response({}) == ["shape:response.cards"]
    body = {"cards": [], "systemActions": [{"type": "delete", "resource": {"resourceType": "X"}}]}
    assert check_response(body) == ["cds-resp-2", "shape:action.resourceId"]


def test_summary_of_exactly_the_limit_is_accepted() -> None:
    assert check_response({"cards": [card(summary="x" * SUMMARY_MAX)]}) == []


# --------------------------------------------------------------------------- feedback


def entry(**extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "card": UUID1,
        "outcome": "accepted",
        "acceptedSuggestions": [{"id": UUID2}],
        "outcomeTimestamp": "2026-11-21T09:30:00Z",
    }
    out.update(extra)
    return {k: v for k, v in out.items() if v is not None}


@pytest.mark.parametrize(
    ("bad", "good", "failed"),
    [
        (
            entry(outcome="dismissed"),
            entry(outcome="overridden", acceptedSuggestions=None),
            "cds-fb-1",
        ),
        (entry(acceptedSuggestions=None), entry(), "cds-fb-2"),
        (
            entry(outcome="overridden", acceptedSuggestions=None, overrideReason={}),
            entry(
                outcome="overridden",
                acceptedSuggestions=None,
                overrideReason={"userComment": "patient declined"},
            ),
            "cds-fb-3",
        ),
    ],
)
def test_feedback_invariants(bad: dict[str, Any], good: dict[str, Any], failed: str) -> None:
    assert failed in check_feedback({"feedback": [bad]})
    assert check_feedback({"feedback": [good]}) == []


@pytest.mark.parametrize(
    ("bad", "failed"),
    [
        (entry(card="card-1"), "shape:feedback.card"),
        (entry(card=None), "shape:feedback.card"),
        (entry(outcomeTimestamp="2026-11-21"), "shape:feedback.outcomeTimestamp"),
        (entry(outcomeTimestamp=None), "shape:feedback.outcomeTimestamp"),
        (entry(acceptedSuggestions=[{"id": "s1"}]), "shape:feedback.acceptedSuggestions"),
        (
            entry(
                outcome="overridden",
                acceptedSuggestions=None,
                overrideReason={"reason": {"display": "no code"}},
            ),
            "shape:feedback.overrideReason",
        ),
    ],
)
def test_feedback_shapes(bad: dict[str, Any], failed: str) -> None:
    assert failed in check_feedback({"feedback": [bad]})


def test_feedback_needs_an_array_and_missing_outcome_fails_cds_fb_1() -> None:
    assert check_feedback({}) == ["shape:feedback.feedback"]
    assert "cds-fb-1" in check_feedback({"feedback": [entry(outcome=None)]})


# --------------------------------------------------------------------------- discovery


def test_discovery_shapes() -> None:
    good = example("discovery.json")
    assert check_discovery(good) == []
    bad = copy.deepcopy(good)
    bad["services"].append(copy.deepcopy(bad["services"][0]))
    del bad["services"][0]["description"]
    bad["services"][0]["prefetch"] = {"patient": 7}
    assert check_discovery(bad) == [
        "shape:discovery.prefetch",
        "shape:discovery.service.description",
        "shape:discovery.service.id",
    ]
    assert check_discovery({}) == ["shape:discovery.services"]
