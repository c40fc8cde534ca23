"""The scan on the generator's bulk export: measures equal the generator's truth, exactly, and
the worklist agrees with the per-patient engine on every patient."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from jakguide.kb.base import Knowledge, load_knowledge
from jakguide.kb.measures import measure_spec
from jakguide.model import Region
from jakguide.scan.engines import DuckScan
from jakguide.scan.inputs import find_inputs
from jakguide.scan.output import write_report
from jakguide.scan.run import ScanResult, run_scan
from jakguide.synth.bulk import write_bulk
from scan_support import Key, engine_findings, scan_keys

AS_OF = dt.date(2026, 6, 1)
PATIENTS = 1_000


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory, kb: Knowledge) -> Path:
    folder = tmp_path_factory.mktemp("bulk")
    write_bulk(kb, folder, PATIENTS, 11, AS_OF)
    return folder


def _scan(folder: Path, kb: Knowledge, region: Region) -> ScanResult:
    engine = DuckScan()
    try:
        return run_scan(engine, find_inputs(folder), kb, AS_OF, region)
    finally:
        engine.close()


def test_measures_equal_the_generator_truth(export: Path, kb: Knowledge, tmp_path: Path) -> None:
    truth = json.loads((export / "generator-truth.json").read_text())["measures"]
    result = _scan(export, kb, "US")
    page = write_report(result, tmp_path, suppress=False).read_text()
    for mid, c in truth.items():
        row = f'<small class="rid">{mid}</small></th><td>{c["numerator"]:,}</td>'
        assert row + f"<td>{c['denominator']:,}</td><td>{c['exclusions']:,}</td>" in page, mid
    found = {
        m["id"]: {k: m[k] for k in ("numerator", "denominator", "exclusions")}
        for m in result.measures
    }
    assert found == truth
    assert truth["tb-before-start"]["denominator"] > PATIENTS // 10
    assert 0 < truth["screening-complete"]["numerator"] < truth["tb-before-start"]["numerator"]


def test_breakdowns_equal_the_generator_truth(export: Path, kb: Knowledge) -> None:
    """Per agent of the index date, labelled condition and region, every measure's counts equal
    the generator's, and each breakdown adds up to the total."""
    truth = json.loads((export / "generator-truth.json").read_text())
    result = _scan(export, kb, "US")
    totals = {m["id"]: m for m in result.measures}
    for dim in ("agent", "condition", "region"):
        found: dict[str, dict[str, dict[str, int]]] = {}
        for row in result.breakdowns["measures"][dim]:
            cell = {k: row[k] for k in ("numerator", "denominator", "exclusions")}
            found.setdefault(row["id"], {})[row[dim]] = cell
        assert found == truth["breakdowns"][dim], dim
        for mid, cells in found.items():
            for key in ("numerator", "denominator", "exclusions"):
                assert sum(c[key] for c in cells.values()) == totals[mid][key], (dim, mid)
    regions = {r["region"] for r in result.breakdowns["measures"]["region"]}
    assert regions == {"US", "EU"}
    agents = {r["agent"] for r in result.breakdowns["measures"]["agent"]}
    assert {"adalimumab", "tofacitinib"} <= agents  # biologics and JAK inhibitors as index
    conditions = {r["condition"] for r in result.breakdowns["measures"]["condition"]}
    assert "rheumatoid-arthritis" in conditions and "unknown" in conditions  # nr-axSpA: text
    work = result.breakdowns["worklist"]
    assert {r["kind"] for r in work["kind_rule"]} == {r["kind"] for r in result.worklist}
    for name in ("agent", "condition", "region"):
        assert sum(r["rows"] for r in work[name]) == len(result.worklist), name


def test_events_of_special_interest_equal_the_generator_truth(export: Path, kb: Knowledge) -> None:
    truth = json.loads((export / "generator-truth.json").read_text())["events_of_special_interest"]
    found = _scan(export, kb, "US").esi["per_agent"]
    assert set(found) == set(truth)
    events = 0
    for agent, t in truth.items():
        f = found[agent]
        assert (f["patients"], f["exposure_days"]) == (t["patients"], t["exposure_days"]), agent
        got = {c["id"]: {"patients": c["patients"], "events": c["events"]} for c in f["categories"]}
        assert got == t["categories"], agent
        for c in f["categories"]:
            expected = c["events"] * 100 * 365.25 / t["exposure_days"]
            assert c["rate_per_100_patient_years"] == pytest.approx(expected, abs=0.01)
            events += c["events"]
    assert len(truth) >= 3 and events > 5  # several agents, events in several categories


def test_scan_and_generator_read_the_measures_from_the_knowledge(
    kb: Knowledge, tmp_path: Path
) -> None:
    """Change the specification in measures.yaml: the scan and the generator's truth both follow
    it (and still agree), so neither holds a copy of it."""
    folder = tmp_path / "knowledge"
    shutil.copytree(kb.folder, folder)
    text = (folder / "measures.yaml").read_text()
    for old, new in (
        ("window_months: 12", "window_months: 3"),
        ("adult_years: 18", "adult_years: 60"),
    ):
        assert old in text
        text = text.replace(old, new)
    (folder / "measures.yaml").write_text(text)
    changed = load_knowledge(folder)
    default_dir, changed_dir = tmp_path / "a", tmp_path / "b"
    write_bulk(kb, default_dir, 300, 5, AS_OF)
    write_bulk(changed, changed_dir, 300, 5, AS_OF)
    default = json.loads((default_dir / "generator-truth.json").read_text())["measures"]
    truth = json.loads((changed_dir / "generator-truth.json").read_text())["measures"]
    found = {
        m["id"]: {k: m[k] for k in ("numerator", "denominator", "exclusions")}
        for m in _scan(changed_dir, changed, "US").measures
    }
    assert found == truth
    for mid in ("tb-before-start", "hbv-before-start"):
        assert 0 < truth[mid]["denominator"] < default[mid]["denominator"], mid
        rate = truth[mid]["numerator"] / truth[mid]["denominator"]
        assert rate < default[mid]["numerator"] / default[mid]["denominator"], mid


def test_latent_tb_treatment_includes_isoniazid(kb: Knowledge) -> None:
    """MIPS #176's exception is documented past treatment: isoniazid regimens count."""
    t = measure_spec(kb).sets["T"]
    assert {"isoniazid", "rifampin", "rifapentine"} <= t


def _by_patient(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """Each patient's resources, with the Medication resources their records reference."""
    out: dict[str, list[dict[str, Any]]] = {}
    medications: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.ndjson.gz")):  # Medication.* before MedicationRequest.*
        with gzip.open(path, "rt") as fh:
            for line in fh:
                r = json.loads(line)
                if r["resourceType"] == "Medication":
                    medications[f"Medication/{r['id']}"] = r
                    continue
                if r["resourceType"] == "Patient":
                    pid = r["id"]
                else:
                    ref = (r.get("subject") or r.get("patient"))["reference"]
                    pid = ref.split("/", 1)[1]
                out.setdefault(pid, []).append(r)
                med = medications.get(r.get("medicationReference", {}).get("reference", ""))
                if med is not None and med not in out[pid]:
                    out[pid].append(med)
    for resources in out.values():
        resources.sort(key=lambda r: r["resourceType"] != "Patient")
    return out


@pytest.mark.parametrize("region", ["US", "EU"])
def test_worklist_agrees_with_the_engine_on_the_bulk_export(
    export: Path, kb: Knowledge, region: Region
) -> None:
    found = scan_keys(_scan(export, kb, region).worklist)
    diffs = []
    compared = labs = 0
    for pid, resources in _by_patient(export).items():
        keys: list[Key] = engine_findings(kb, resources, AS_OF, region)[1]
        compared += len(keys)
        labs += sum(k[2] == "lab" for k in keys)
        if sorted(keys) != sorted(found.get(pid, [])):
            diffs.append(
                f"{pid}:\n  engine: {sorted(keys)}\n  scan:   {sorted(found.get(pid, []))}"
            )
    assert not diffs, f"{len(diffs)} patients differ; first: " + "\n".join(diffs[:5])
    assert compared > PATIENTS // 10
    assert labs > PATIENTS // 100  # the generator's crossings and repeats reach the lab kind
