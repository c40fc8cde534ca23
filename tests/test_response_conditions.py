"""On-therapy response findings for the RA, atopic dermatitis, alopecia areata and Crohn's
instruments: the engine judges them through ``rules.outcome`` like the psoriasis and axSpA ones."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from jakguide.adapters.native import patient_from_data
from jakguide.engine import assess
from jakguide.kb.base import Knowledge
from jakguide.model import AssessRequest, Finding

BASES = Path(__file__).parent / "cases" / "_bases"

AS_OF = dt.date(2026, 11, 21)
START = dt.date(2026, 6, 1)


def _patient(base: str, condition: str, drug: str, scores: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((BASES / f"{base}.yaml").read_text())
    data["conditions"] = [condition]
    data["therapy"] = {"drug": drug, "start_date": START}
    data["scores"] = scores
    return data


def _response(kb: Knowledge, data: dict[str, Any], condition: str, drug: str) -> list[Finding]:
    patient = patient_from_data(data, kb)
    result = assess(patient, AssessRequest(condition=condition, as_of=AS_OF, drugs=[drug]), kb)
    (option,) = result.options
    return [
        f
        for f in option.findings
        if f.rule.startswith("response.")
        and not f.rule.startswith(("response.review", "response.target"))
    ]


@pytest.mark.parametrize(
    ("base", "condition", "drug", "instrument", "before", "after", "met"),
    [
        (
            "ra-man-mtx-ir",
            "rheumatoid-arthritis",
            "upadacitinib",
            "das28-crp",
            5.4,
            3.1,
            ["EULAR moderate or good response", "EULAR good response"],
        ),
        ("ra-man-mtx-ir", "rheumatoid-arthritis", "upadacitinib", "das28-esr", 6.3, 5.2, []),
        (
            "ad-man-severe",
            "atopic-dermatitis",
            "upadacitinib",
            "easi",
            24,
            6,
            ["EASI-50", "EASI-75"],
        ),
        ("aa-man-severe", "alopecia-areata", "baricitinib", "salt", 80, 20, ["SALT <= 20"]),
        (
            "ra-man-mtx-ir",
            "crohns-disease",
            "upadacitinib",
            "hbi",
            9,
            4,
            ["HBI response", "HBI remission"],
        ),
    ],
)
def test_response_is_judged_for_the_condition(
    kb: Knowledge,
    base: str,
    condition: str,
    drug: str,
    instrument: str,
    before: float,
    after: float,
    met: list[str],
) -> None:
    scores = [
        {"instrument": instrument, "date": START - dt.timedelta(days=10), "value": before},
        {"instrument": instrument, "date": AS_OF - dt.timedelta(days=5), "value": after},
    ]
    findings = _response(kb, _patient(base, condition, drug, scores), condition, drug)
    (finding,) = findings
    assert finding.rule == f"response.{instrument}"
    assert finding.sources, "the response cites its definition"
    for name in met:  # people's names for the criteria, never code ("easi75=True")
        assert f"{name}: met" in finding.facts and name in finding.message
    shown = " ".join([finding.message, *finding.facts])
    assert not re.search(r"=(True|False|true|false)|[a-z]+_[a-z0-9]", shown), shown
    if met:
        assert finding.severity == "info" and "met" in finding.message
    else:
        assert finding.severity == "warning" and "none of" in finding.message


def test_every_reported_criterion_has_a_display_name() -> None:
    """Each criterion a response reports has the name people write, held once with its
    definition (``ResponseDoc.shown_as``), so no page or guide falls back to the key."""
    from jakguide.instruments.registry import get_response
    from jakguide.rules.outcome import ASAS_CRITERIA, RESPONSES

    pairs = [*((name, c) for name, crits in RESPONSES.values() for c in crits)]
    pairs += [("asas", c) for c in ASAS_CRITERIA]
    for name, criterion in pairs:
        shown = get_response(name).doc.label(criterion)
        assert shown and shown != criterion and "_" not in shown, (name, criterion, shown)
