"""Issue 10 acceptance (derive): the implied-input examples in the CLI (text and JSON) and the API.

Each record leaves out an input no clinician records; the other recorded data settle it, the
option is not asked for it, and the derivation is shown with its source.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from jakguide.cli import app as cli

AS_OF = "2026-11-21"
LABS = [
    {"analyte": "lymphocytes", "value": 1.8, "unit": "10*9/L", "date": "2026-11-01"},
    {"analyte": "neutrophils", "value": 4.1, "unit": "10*9/L", "date": "2026-11-01"},
    {"analyte": "hemoglobin", "value": 14.2, "unit": "g/dL", "date": "2026-11-01"},
    {"analyte": "egfr", "value": 98, "unit": "mL/min/{1.73_m2}", "date": "2026-11-10"},
]


def record(condition: str, **changes: Any) -> dict[str, Any]:
    """An ordinary clinic record: no dialysis status, no hepatic class, no severity."""
    p: dict[str, Any] = {
        "birth_date": "1981-04-12",
        "sex": "male",
        "conditions": [condition],
        "history": [],
        "active_infections": [],
        "allergies": [],
        "medications": [],
        "prior_therapies": [
            {"drug": "methotrexate", "outcome": "inadequate-response"},
            {"drug": "naproxen", "outcome": "inadequate-response"},
            {"drug": "adalimumab", "outcome": "inadequate-response"},
        ],
        "labs": list(LABS),
        "disease": {"candidate_for": ["systemic"]},
    }
    p.update(changes)
    return p


# (name, condition, region, record, drug, derivation rule, fact shown, status not wanted)
EXAMPLES: list[tuple[str, str, str, dict[str, Any], str, str, str]] = [
    (
        "egfr-98-not-on-dialysis",
        "rheumatoid-arthritis",
        "US",
        record("rheumatoid-arthritis", disease={"severity": "moderate"}),
        "upadacitinib",
        "derive.on-dialysis",
        "not on dialysis: eGFR 98 mL/min/1.73 m2 on 2026-11-10",
    ),
    (
        "pasi-18-bsa-20-severity",
        "plaque-psoriasis",
        "US",
        record(
            "plaque-psoriasis",
            disease={"pasi": 18.0, "bsa_percent": 20.0, "candidate_for": ["systemic"]},
        ),
        "deucravacitinib",
        "derive.severity",
        "moderate to severe disease (guideline): PASI 18 (> 10), BSA % 20 (> 10)",
    ),
    (
        "woman-70-pregnancy",
        "ankylosing-spondylitis",
        "EU",
        record("ankylosing-spondylitis", sex="female", birth_date="1956-03-03"),
        "upadacitinib",
        "derive.reproductive-potential",
        "no reproductive potential: age 70 years (from 55)",
    ),
    (
        "crp-18-inflammation",
        "non-radiographic-axial-spondyloarthritis",
        "US",
        record(
            "non-radiographic-axial-spondyloarthritis",
            labs=[*LABS, {"analyte": "crp", "value": 18, "unit": "mg/L", "date": "2026-11-01"}],
        ),
        "upadacitinib",
        "derive.objective-inflammation",
        "objective inflammation: CRP 18 mg/L on 2026-11-01, above the reference limit 5 mg/L",
    ),
    (
        "das28-4.2-severity",
        "rheumatoid-arthritis",
        "US",
        record(
            "rheumatoid-arthritis",
            scores=[{"instrument": "das28-crp", "date": "2026-11-15", "value": 4.2}],
        ),
        "tofacitinib",
        "derive.severity",
        "moderate to severe disease (instrument bands): DAS28-CRP 4.2 on 2026-11-15 (> 3.2)",
    ),
    (
        "easi-22-severity",
        "atopic-dermatitis",
        "US",
        record(
            "atopic-dermatitis", scores=[{"instrument": "easi", "date": "2026-11-15", "value": 22}]
        ),
        "upadacitinib",
        "derive.severity",
        "moderate to severe disease (label trial entry): EASI 22 on 2026-11-15 (>= 16)",
    ),
]


@pytest.mark.parametrize(
    ("name", "condition", "region", "patient", "drug", "rule", "fact"),
    EXAMPLES,
    ids=[e[0] for e in EXAMPLES],
)
def test_implied_input_is_known_and_shown(
    client: TestClient,
    tmp_path: Path,
    name: str,
    condition: str,
    region: str,
    patient: dict[str, Any],
    drug: str,
    rule: str,
    fact: str,
) -> None:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(patient))
    args = ["assess", str(path), "--condition", condition, "--region", region, "--as-of", AS_OF]
    result = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    cli_json = json.loads(result.stdout)
    api = client.post(
        "/api/assess",
        params={"condition": condition, "region": region, "as_of": AS_OF},
        json=patient,
    )
    assert api.status_code == 200, api.text
    assert api.json() == cli_json
    option = next(o for o in cli_json["options"] if o["drug"] == drug)
    assert option["status"] in ("eligible", "caution"), (option["status"], option["findings"])
    shown = [f for f in option["findings"] if f["rule"] == rule]
    assert shown and shown[0]["facts"] == [fact], [f["rule"] for f in option["findings"]]
    assert shown[0]["sources"], "a derivation names its source"
    assert not any(
        f["kind"] == "missing-data"
        and f["rule"] != rule
        and not f["rule"].startswith("derive.")
        and f.get("severity") != "info"
        for f in option["findings"]
    )
    text = CliRunner().invoke(cli, args)
    assert text.exit_code == 0
    assert fact.split(":", maxsplit=1)[0] in text.stdout  # the plain table lists what was derived


def test_cli_text_keeps_derived_and_not_derived_apart(tmp_path: Path) -> None:
    """A contrary value (ALT 150 U/L) is listed as "not derived", never as derived."""
    patient = record(
        "ankylosing-spondylitis",
        labs=[*LABS, {"analyte": "alt", "value": 150, "unit": "U/L", "date": "2026-11-10"}],
    )
    path = tmp_path / "alt.json"
    path.write_text(json.dumps(patient))
    args = ["assess", str(path), "--condition", "ankylosing-spondylitis", "--as-of", AS_OF]
    text = CliRunner().invoke(cli, args).stdout
    derived, _, blocked = text.partition("Not derived (a recorded value disagrees):")
    assert "hepatic impairment none not derived: ALT 150 U/L" in " ".join(blocked.split())
    assert "not on dialysis: eGFR 98" in " ".join(derived.split())
    assert "hepatic impairment none" not in derived
