"""``jakguide synth``: deterministic by seed, loadable, assessable, clinic-like (issue 10)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from jakguide.adapters.fhir import read_bundle
from jakguide.adapters.native import patient_from_data
from jakguide.cli import app
from jakguide.engine import assess
from jakguide.kb.base import Knowledge
from jakguide.model import AssessRequest
from jakguide.synth import records

AS_OF = dt.date(2026, 11, 21)
runner = CliRunner()
NEVER_RECORDED = ("on_dialysis", "hepatic_impairment", "reproductive_potential", "breastfeeding")


def test_same_seed_same_records() -> None:
    assert records(40, 3, AS_OF) == records(40, 3, AS_OF)
    assert records(40, 3, AS_OF) != records(40, 4, AS_OF)
    # a record does not depend on how many others are drawn
    assert records(5, 3, AS_OF) == records(40, 3, AS_OF)[:5]


def test_cli_writes_the_same_files_for_the_same_seed(tmp_path: Path) -> None:
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        args = ["synth", "--patients", "12", "--seed", "9", "--as-of", "2026-11-21"]
        result = runner.invoke(app, [*args, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "wrote 12 native records" in result.output
        outs.append({p.name: p.read_text() for p in sorted(out.iterdir())})
    assert outs[0] == outs[1]
    assert len(outs[0]) == 12


def test_records_load_and_assess(kb: Knowledge) -> None:
    for record in records(60, 1, AS_OF):
        patient = patient_from_data(record, kb)
        request = AssessRequest(condition=record["conditions"][0], as_of=AS_OF)
        assessment = assess(patient, request, kb)
        assert assessment.options, record["id"]


def test_records_look_like_a_clinic_list() -> None:
    batch = records(300, 1, AS_OF)
    assert not [r["id"] for r in batch for key in NEVER_RECORDED if key in r]
    assert not [r["id"] for r in batch if "severity" in r.get("disease", {})]
    priors = {p["drug"] for r in batch for p in r.get("prior_therapies", [])}
    assert {"Humira", "adalimumb"} <= priors  # brands and misspellings, as typed
    units = {(lab["analyte"], lab["unit"]) for r in batch for lab in r.get("labs", [])}
    assert {("lymphocytes", "/uL"), ("lymphocytes", "10*9/L")} <= units  # mixed units
    assert {("creatinine", "mg/dL"), ("creatinine", "umol/L")} <= units
    assert len({r["conditions"][0] for r in batch}) >= 6
    assert any("therapy" in r for r in batch)


def test_fhir_format_round_trips(tmp_path: Path, kb: Knowledge) -> None:
    args = ["synth", "--patients", "4", "--seed", "2", "--as-of", "2026-11-21", "--format", "fhir"]
    result = runner.invoke(app, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("*.json"))
    assert len(files) == 4
    native = records(4, 2, AS_OF)
    for path, record in zip(files, native, strict=True):
        bundle = json.loads(path.read_text())
        assert bundle["resourceType"] == "Bundle"
        patient = read_bundle(bundle, kb, AS_OF).patient
        assert patient.conditions == record["conditions"]


def test_bad_count_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synth", "--patients", "0", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
