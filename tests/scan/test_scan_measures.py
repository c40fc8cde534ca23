"""The scan on the generator's bulk export: measures equal the generator's truth, exactly, and
the worklist agrees with the per-patient engine on every patient."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from jakguide.kb.base import Knowledge
from jakguide.model import Region
from jakguide.scan import measures as scan_measures
from jakguide.scan.engines import DuckScan
from jakguide.scan.inputs import find_inputs
from jakguide.scan.output import write_report
from jakguide.scan.run import ScanResult, run_scan
from jakguide.synth import bulk_tables
from jakguide.synth import measures as synth_measures
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
        row = f"<tr><td>{mid}</td><td>{c['numerator']}</td><td>{c['denominator']}</td>"
        assert row + f"<td>{c['exclusions']}</td>" in page, mid
    found = {
        m["id"]: {k: m[k] for k in ("numerator", "denominator", "exclusions")}
        for m in result.measures
    }
    assert found == truth
    assert truth["tb-before-start"]["denominator"] > PATIENTS // 10
    assert 0 < truth["screening-complete"]["numerator"] < truth["tb-before-start"]["numerator"]


def test_measure_specification_is_the_generators() -> None:
    """Two doors count the same measure; their specification must not drift apart."""
    for name in ("ADULT_YEARS", "WINDOW_MONTHS", "WASHOUT_MONTHS", "MEASURE_IDS"):
        assert getattr(scan_measures, name) == getattr(synth_measures, name), name
    for name in ("B_CLASSES", "J_CLASS", "T_INGREDIENTS"):
        assert getattr(scan_measures, name) == getattr(bulk_tables, name), name


def _by_patient(folder: Path) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(folder.glob("*.ndjson.gz")):
        with gzip.open(path, "rt") as fh:
            for line in fh:
                r = json.loads(line)
                if r["resourceType"] == "Patient":
                    pid = r["id"]
                else:
                    ref = (r.get("subject") or r.get("patient"))["reference"]
                    pid = ref.split("/", 1)[1]
                out.setdefault(pid, []).append(r)
    for resources in out.values():
        resources.sort(key=lambda r: r["resourceType"] != "Patient")
    return out


@pytest.mark.parametrize("region", ["US"])
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
