"""order-select and order-sign end to end, over signed calls (acceptance lines 1 of issue 13)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cds_service_support import AS_OF, cds_app, draft, order_request, patient, prefetch
from jakguide.kb.base import Knowledge

KETOCONAZOLE = {"medications": [{"drug": "ketoconazole", "route": "oral"}]}
TOFA_BID = ("tofacitinib 5 MG Oral Tablet", 5, 2)


def _cards(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    for card in cards:
        assert len(card["summary"]) < 140
        assert card["indicator"] in ("info", "warning", "critical")
        assert card["source"]["label"]
    return cards


@pytest.mark.parametrize("hook", ["order-select", "order-sign"])
def test_ketoconazole_one_warning_card_replacing_the_draft_with_5_mg_once_daily(
    tmp_path: Path, kb: Knowledge, hook: str
) -> None:
    p = patient("as-man-tnf-ir", KETOCONAZOLE)
    body = order_request(hook, [draft(*TOFA_BID)], prefetch(p, kb))
    with cds_app(tmp_path, kb, AS_OF) as cds:
        cards = _cards(cds.call(f"jakguide-{hook}", body))
    warnings = [c for c in cards if c["indicator"] != "info"]
    assert len(warnings) == 1, [c["summary"] for c in cards]
    card = warnings[0]
    assert card["indicator"] == "warning"
    assert "ketoconazole" in card["detail"]
    assert "2.2 Table 1" in card["source"]["label"]
    [suggestion] = card["suggestions"]
    [action] = suggestion["actions"]
    assert action["type"] == "update"
    resource = action["resource"]
    assert resource["resourceType"] == "MedicationRequest" and resource["id"] == "draft-1"
    [dosage] = resource["dosageInstruction"]
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 5
    assert dosage["timing"]["repeat"]["frequency"] == 1
    assert dosage["timing"]["repeat"]["period"] == 1
    assert dosage["timing"]["repeat"]["periodUnit"] == "d"
    # The rest: the single boxed-warning info card, nothing else.
    assert [c["source"]["topic"]["code"].split(":")[0] for c in cards if c is not card] == [
        "boxed-warning"
    ]


def test_no_tb_result_gives_a_card_suggesting_the_tb_test(tmp_path: Path, kb: Knowledge) -> None:
    p = patient("as-man-tnf-ir", {"screening": {"remove": [{"item": "tb"}]}})
    body = order_request("order-select", [draft(*TOFA_BID)], prefetch(p, kb))
    with cds_app(tmp_path, kb, AS_OF) as cds:
        cards = _cards(cds.call("jakguide-order-select", body))
    [card] = [c for c in cards if c["indicator"] == "warning"]
    assert "TB" in card["summary"]
    [suggestion] = card["suggestions"]
    [action] = suggestion["actions"]
    assert action["type"] == "create"
    assert action["resource"]["resourceType"] == "ServiceRequest"
    assert action["resource"]["subject"] == {"reference": "Patient/pat-1"}
    assert action["resource"]["code"]["coding"][0]["system"] == "http://loinc.org"


def test_missing_hepatitis_tests_one_card_one_suggestion_each(
    tmp_path: Path, kb: Knowledge
) -> None:
    p = patient(
        "as-man-tnf-ir",
        {
            "screening": {
                "remove": [
                    {"item": "tb"},
                    {"item": "hbsag"},
                    {"item": "anti-hbc"},
                    {"item": "hcv"},
                    {"item": "zoster-vaccine"},
                ]
            }
        },
    )
    body = order_request("order-sign", [draft(*TOFA_BID)], prefetch(p, kb))
    with cds_app(tmp_path, kb, AS_OF) as cds:
        cards = _cards(cds.call("jakguide-order-sign", body))
    [card] = [c for c in cards if c["indicator"] == "warning"]
    assert len(card["suggestions"]) == 4  # TB, HBsAg, anti-HBc, HCV; the vaccine gives none
    assert card["selectionBehavior"] == "any"


def test_eligible_with_complete_screening_only_the_boxed_warning(
    tmp_path: Path, kb: Knowledge
) -> None:
    p = patient("as-man-tnf-ir")
    body = order_request("order-select", [draft(*TOFA_BID)], prefetch(p, kb))
    with cds_app(tmp_path, kb, AS_OF) as cds:
        cards = _cards(cds.call("jakguide-order-select", body))
        again = _cards(cds.call("jakguide-order-select", body))
    [card] = cards
    assert card["indicator"] == "info"
    assert card["source"]["topic"]["code"].startswith("boxed-warning:")
    assert "Boxed warning" in card["summary"]
    assert again == cards  # same hookInstance, same data: the same cards (uuid included)


def test_eligible_with_complete_screening_no_card_when_boxed_warning_is_off(
    tmp_path: Path, kb: Knowledge
) -> None:
    p = patient("as-man-tnf-ir")
    body = order_request("order-sign", [draft(*TOFA_BID)], prefetch(p, kb))
    with cds_app(tmp_path, kb, AS_OF, boxed_warning_card=False) as cds:
        assert _cards(cds.call("jakguide-order-sign", body)) == []


def test_an_order_already_at_the_adjusted_dose_gets_no_dose_card(
    tmp_path: Path, kb: Knowledge
) -> None:
    """Quiet: tofacitinib 5 mg once daily with ketoconazole already follows the label."""
    p = patient("as-man-tnf-ir", KETOCONAZOLE)
    body = order_request(
        "order-sign", [draft("tofacitinib 5 MG Oral Tablet", 5, 1)], prefetch(p, kb)
    )
    with cds_app(tmp_path, kb, AS_OF) as cds:
        cards = _cards(cds.call("jakguide-order-sign", body))
    assert [c["source"]["topic"]["code"].split(":")[0] for c in cards] == ["boxed-warning"]


def test_a_dose_the_label_does_not_give_this_patient_gets_a_dose_card(
    tmp_path: Path, kb: Knowledge
) -> None:
    """10 mg twice daily for ankylosing spondylitis (the label's AS dose is 5 mg twice daily)."""
    p = patient("as-man-tnf-ir")
    body = order_request(
        "order-select", [draft("tofacitinib 10 MG Oral Tablet", 10, 2)], prefetch(p, kb)
    )
    with cds_app(tmp_path, kb, AS_OF) as cds:
        cards = _cards(cds.call("jakguide-order-select", body))
    [card] = [c for c in cards if c["indicator"] == "warning"]
    assert card["source"]["topic"]["code"] == "dose:dosing.order-differs"
    assert "section" in card["source"]["label"] and card["source"]["url"].startswith("https://")
    resource = card["suggestions"][0]["actions"][0]["resource"]
    assert resource["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 5
    assert resource["dosageInstruction"][0]["timing"]["repeat"]["frequency"] == 2
