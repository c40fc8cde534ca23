"""Issue 3 acceptance lines, one test each (plus the CLI checks the issue names).

Expected values come from the labels as the knowledge base encodes them (Xeljanz USPI 1.3, 2.2/2.3
Table 1, 7 Table 6; Rinvoq USPI 1, 2.1; Olumiant, Cibinqo and Sotyktu USPI section 1), not from
whatever the engine prints.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from jakguide.adapters.native import patient_from_data
from jakguide.cli import app
from jakguide.engine import assess
from jakguide.kb.base import Knowledge
from jakguide.model import Assessment, AssessRequest, Option

AS_OF = dt.date(2026, 11, 21)
runner = CliRunner()

# US, ankylosing spondylitis, adult with inadequate response to adalimumab, normal labs and organ
# function, lists reviewed, screening done.
AS_TNF_IR: dict[str, Any] = {
    "birth_date": "1981-04-12",
    "sex": "male",
    "smoking": "never",
    "measurements": [{"kind": "weight_kg", "value": 82, "date": "2026-11-01"}],
    "conditions": ["ankylosing-spondylitis"],
    "history": [],
    "active_infections": [],
    "cv_risk_factors": [],
    "hepatic_impairment": "none",
    "on_dialysis": False,
    "allergies": [],
    "pharmacogenomics": {"cyp2c9": "normal", "cyp2c19": "normal"},
    "medications": [],
    "prior_therapies": [
        {"drug": "naproxen", "outcome": "inadequate-response"},
        {"drug": "adalimumab", "outcome": "inadequate-response"},
    ],
    "labs": [
        {"analyte": "lymphocytes", "value": 1.8, "unit": "10*9/L", "date": "2026-11-01"},
        {"analyte": "neutrophils", "value": 4.1, "unit": "10*9/L", "date": "2026-11-01"},
        {"analyte": "hemoglobin", "value": 14.2, "unit": "g/dL", "date": "2026-11-01"},
        {"analyte": "platelets", "value": 250, "unit": "10*9/L", "date": "2026-11-01"},
        {"analyte": "alt", "value": 22, "unit": "U/L", "date": "2026-11-01"},
        {"analyte": "ast", "value": 25, "unit": "U/L", "date": "2026-11-01"},
        {"analyte": "creatinine", "value": 0.9, "unit": "mg/dL", "date": "2026-11-01"},
        {"analyte": "creatinine-clearance", "value": 105, "unit": "mL/min", "date": "2026-11-01"},
        {"analyte": "egfr", "value": 102, "unit": "mL/min/{1.73_m2}", "date": "2026-11-01"},
        {"analyte": "ldl-cholesterol", "value": 110, "unit": "mg/dL", "date": "2026-11-01"},
    ],
    "screening": [
        {"item": "tb", "result": "negative", "date": "2026-10-20"},
        {"item": "hbsag", "result": "negative", "date": "2026-10-20"},
        {"item": "anti-hbc", "result": "negative", "date": "2026-10-20"},
        {"item": "hcv", "result": "negative", "date": "2026-10-20"},
        {"item": "zoster-vaccine", "result": "done", "date": "2026-09-01"},
    ],
}


def variant(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(AS_TNF_IR)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def run(kb: Knowledge, data: dict[str, Any], region: str = "US") -> Assessment:
    patient = patient_from_data(data, kb)
    request = AssessRequest(condition="ankylosing-spondylitis", region=region, as_of=AS_OF)
    return assess(patient, request, kb)


def option(result: Assessment, drug: str) -> Option:
    found = [o for o in result.options if o.drug == drug]
    assert found, (drug, [o.drug for o in result.options])
    return found[0]


# --------------------------------------------------------------------------- acceptance 1


def test_us_as_tnf_ir_upadacitinib_eligible_15_mg_once_daily(kb: Knowledge) -> None:
    upa = option(run(kb, AS_TNF_IR), "upadacitinib")
    assert upa.status == "eligible", upa.findings
    assert upa.regimen is not None
    assert (upa.regimen.dose_mg, upa.regimen.per_day) == (15, 1)
    assert upa.regimen.text == "15 mg once daily"


def test_us_as_tnf_ir_tofacitinib_5_mg_bid_preferred_with_xr_11_mg(kb: Knowledge) -> None:
    tofa = option(run(kb, AS_TNF_IR), "tofacitinib")
    assert tofa.status == "eligible", tofa.findings
    assert tofa.regimen is not None
    assert (tofa.regimen.dose_mg, tofa.regimen.per_day) == (5, 2)
    assert tofa.regimen.form == "ir-tablet"
    assert tofa.regimens[0] == tofa.regimen  # the preferred regimen comes first
    xr = [r for r in tofa.regimens if r.form == "xr-tablet"]
    assert [(r.dose_mg, r.per_day) for r in xr] == [(11, 1)], tofa.regimens


@pytest.mark.parametrize("drug", ["deucravacitinib", "baricitinib", "abrocitinib"])
def test_us_as_tnf_ir_agents_without_as_approval_not_indicated(kb: Knowledge, drug: str) -> None:
    opt = option(run(kb, AS_TNF_IR), drug)
    assert opt.status == "not-indicated"
    assert opt.regimen is None and opt.regimens == []
    assert any(f.rule == "indication.not-approved" and f.sources for f in opt.findings)


# --------------------------------------------------------------------------- acceptance 2


@pytest.mark.parametrize("drug", ["upadacitinib", "tofacitinib"])
def test_no_tnf_blocker_not_indicated_naming_the_prerequisite(kb: Knowledge, drug: str) -> None:
    data = variant(prior_therapies=[{"drug": "naproxen", "outcome": "inadequate-response"}])
    opt = option(run(kb, data), drug)
    assert opt.status == "not-indicated"
    assert opt.regimen is None
    unmet = [
        f for f in opt.findings if f.rule == "indication.prerequisite" and f.kind == "indication"
    ]
    assert unmet, opt.findings
    assert "TNF blocker" in unmet[0].message
    assert unmet[0].sources


# --------------------------------------------------------------------------- acceptance 3


def test_tofacitinib_with_oral_ketoconazole_5_mg_once_daily(kb: Knowledge) -> None:
    data = variant(medications=[{"drug": "ketoconazole", "route": "oral"}])
    tofa = option(run(kb, data), "tofacitinib")
    assert tofa.regimen is not None
    assert (tofa.regimen.dose_mg, tofa.regimen.per_day) == (5, 1)
    assert tofa.regimen.text.startswith("5 mg once daily")
    assert [(r.dose_mg, r.per_day) for r in tofa.regimens] == [(5, 1)]  # no XR, no 5 mg BID
    interactions = [f for f in tofa.findings if f.kind == "interaction"]
    assert interactions, tofa.findings
    hit = interactions[0]
    assert hit.rule.startswith("interactions.")
    assert any("ketoconazole" in fact for fact in hit.facts), hit.facts
    # The finding cites the Xeljanz label (Table 1 / section 7), not a secondary source.
    assert any(s.doc.startswith("xeljanz-uspi") and s.section for s in hit.sources), hit.sources


# --------------------------------------------------------------------------- acceptance 4


def test_tofacitinib_without_renal_function_needs_data(kb: Knowledge) -> None:
    renal = {"creatinine", "creatinine-clearance", "egfr"}
    labs = [lab for lab in AS_TNF_IR["labs"] if lab["analyte"] not in renal]
    tofa = option(run(kb, variant(labs=labs)), "tofacitinib")
    assert tofa.status == "needs-data"
    assert tofa.regimen is None and tofa.regimens == []
    missing = [f for f in tofa.findings if f.kind == "missing-data"]
    assert any("creatinine clearance" in f.message for f in missing), missing


# --------------------------------------------------------------------------- acceptance 5


def test_lymphocytes_045_before_start_upadacitinib_not_recommended(kb: Knowledge) -> None:
    labs = [lab for lab in AS_TNF_IR["labs"] if lab["analyte"] != "lymphocytes"]
    labs.append({"analyte": "lymphocytes", "value": 0.45, "unit": "10*9/L", "date": "2026-11-01"})
    upa = option(run(kb, variant(labs=labs)), "upadacitinib")
    assert upa.status == "not-recommended"
    assert upa.regimen is None
    lab = [f for f in upa.findings if f.kind == "lab"]
    assert lab and lab[0].rule.startswith("labs.") and lab[0].sources, upa.findings


# --------------------------------------------------------------------------- acceptance 6 (CLI)


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "patient.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _assert_one_clear_line(result: Any, offending: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output)
    text = (result.stderr or result.output).strip()
    assert "Traceback" not in result.output + (result.stderr or "")
    assert len(text.splitlines()) == 1, text
    assert offending in text, text


def test_cli_unknown_unit_exit_2_one_line(tmp_path: Path) -> None:
    labs = [dict(lab) for lab in AS_TNF_IR["labs"]]
    labs[0]["unit"] = "furlongs/uL"
    path = _write(tmp_path, variant(labs=labs))
    result = runner.invoke(app, ["assess", str(path), "--condition", "ankylosing-spondylitis"])
    _assert_one_clear_line(result, "furlongs/uL")
    assert "lymphocytes" in result.stderr


def test_cli_unknown_condition_in_file_exit_2_one_line(tmp_path: Path) -> None:
    path = _write(tmp_path, variant(conditions=["ankylosing-spondylitis", "martian-flu"]))
    result = runner.invoke(app, ["assess", str(path), "--condition", "ankylosing-spondylitis"])
    _assert_one_clear_line(result, "martian-flu")


def test_cli_unknown_condition_option_exit_2_one_line(tmp_path: Path) -> None:
    path = _write(tmp_path, AS_TNF_IR)
    result = runner.invoke(app, ["assess", str(path), "--condition", "martian-flu"])
    _assert_one_clear_line(result, "martian-flu")


def test_cli_assess_json_gives_the_acceptance_answer(tmp_path: Path) -> None:
    path = _write(tmp_path, AS_TNF_IR)
    result = runner.invoke(
        app,
        [
            "assess",
            str(path),
            "--condition",
            "ankylosing-spondylitis",
            "--as-of",
            "2026-11-21",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["region"], data["as_of"]) == ("US", "2026-11-21")
    options = {o["drug"]: o for o in data["options"]}
    assert options["tofacitinib"]["regimen"]["dose_mg"] == 5
    assert options["tofacitinib"]["regimen"]["per_day"] == 2
    assert options["upadacitinib"]["status"] == "eligible"


# --------------------------------------------------------------------------- drugs / kb facts


def _drugs(*args: str) -> list[str]:
    result = runner.invoke(app, ["drugs", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return [d["drug"] for d in json.loads(result.stdout)["drugs"]]


def test_drugs_plaque_psoriasis_us() -> None:
    drugs = _drugs("--condition", "plaque-psoriasis", "--region", "US")
    assert "deucravacitinib" in drugs
    for drug in ("tofacitinib", "upadacitinib", "abrocitinib", "ruxolitinib", "baricitinib"):
        assert drug not in drugs, drugs


@pytest.mark.parametrize("region", ["US", "EU"])
def test_drugs_ankylosing_spondylitis(region: str) -> None:
    drugs = _drugs("--condition", "ankylosing-spondylitis", "--region", region)
    assert {"tofacitinib", "upadacitinib"} <= set(drugs), drugs


def test_filgotinib_listed_for_eu_only() -> None:
    assert "filgotinib" in _drugs("--region", "EU")
    assert "filgotinib" not in _drugs("--region", "US")
    assert "filgotinib" in _drugs("--condition", "rheumatoid-arthritis", "--region", "EU")
    assert "filgotinib" not in _drugs("--condition", "rheumatoid-arthritis", "--region", "US")


def test_kb_facts_unsourced_is_empty() -> None:
    result = runner.invoke(app, ["kb", "facts", "--unsourced", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


# --------------------------------------------------------------------------- deliverable 4


def test_cockcroft_gault_reported_as_derived_value(kb: Knowledge) -> None:
    """Issue 3 deliverable 4: CrCl by Cockcroft-Gault is reported as a derived value in a finding.

    Man, 70 y, 60 kg, creatinine 1.6 mg/dL: (140 - 70) * 60 / (72 * 1.6) = 36.5 mL/min, moderate
    renal impairment (CLcr 30-50) -> tofacitinib 5 mg once daily (Xeljanz USPI 2.3 Table 1).
    """
    renal = {"creatinine", "creatinine-clearance", "egfr"}
    labs = [lab for lab in AS_TNF_IR["labs"] if lab["analyte"] not in renal]
    labs.append({"analyte": "creatinine", "value": 1.6, "unit": "mg/dL", "date": "2026-11-01"})
    data = variant(
        birth_date="1956-06-01",
        measurements=[{"kind": "weight_kg", "value": 60, "date": "2026-11-01"}],
        labs=labs,
    )
    tofa = option(run(kb, data), "tofacitinib")
    assert tofa.regimen is not None and (tofa.regimen.dose_mg, tofa.regimen.per_day) == (5, 1)
    facts = [fact for f in tofa.findings if f.rule.startswith("dosing.") for fact in f.facts]
    assert any("Cockcroft-Gault" in fact and "36.5" in fact for fact in facts), facts
