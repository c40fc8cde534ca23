"""``jakguide scan`` end to end: files written, notices, exit codes, Synthea, DuckDB = Spark."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from jakguide.cli import build_app
from jakguide.kb.base import Knowledge
from jakguide.scan.engines import DuckScan, SparkScan
from jakguide.scan.inputs import find_inputs
from jakguide.scan.kinds import KINDS
from jakguide.scan.output import write_worklist
from jakguide.scan.run import run_scan
from jakguide.synth.bulk import write_bulk
from scan_support import write_population

DATA = Path(__file__).parent.parent / "data"
AS_OF = dt.date(2026, 6, 1)
runner = CliRunner()


def _scan(*args: str) -> Any:
    return runner.invoke(build_app(("scan",)), ["scan", *args])


def test_scan_writes_worklist_measures_and_report(tmp_path: Path, kb: Knowledge) -> None:
    write_population(tmp_path / "in", kb, 300, seed=3, as_of=AS_OF)
    (tmp_path / "in" / "Observation.001.ndjson").write_text(
        '{"resourceType": "Observation", "id": "x", "status": "final"}\n{not json\n'
    )
    (tmp_path / "in" / "export-log.ndjson").write_text("{}\n")
    out = tmp_path / "out"
    result = _scan(str(tmp_path / "in"), "--as-of", "2026-06-01", "--out", str(out), "--report")
    assert result.exit_code == 0, result.output
    assert "export-log.ndjson: skipped" in result.stderr
    assert "Observation.001.ndjson:2: malformed NDJSON line skipped" in result.stderr
    rows = list(csv.DictReader((out / "worklist.csv").read_text().splitlines()))
    assert rows and list(rows[0]) == [
        "patient_id", "drug", "kind", "rule", "severity", "detail", "due_by", "overdue_days",
        "sources", "knowledge_version", "as_of",
    ]  # fmt: skip
    kinds = {r["kind"] for r in rows}
    assert kinds >= {"monitoring", "screening", "interaction"}
    assert kinds <= {kind.name for kind in KINDS}
    assert all(r["due_by"] == "" for r in rows if r["kind"] == "lab")
    assert all(r["sources"] and r["as_of"] == "2026-06-01" for r in rows)
    overdue = [r for r in rows if r["severity"] == "warning" and r["due_by"]]
    # A missing baseline is overdue from the start day on (0 days on a start on as_of).
    assert overdue and all(int(r["overdue_days"]) >= 0 for r in overdue)
    assert any(int(r["overdue_days"]) > 0 for r in overdue)
    assert (out / "worklist.parquet").stat().st_size > 0
    measures = json.loads((out / "measures.json").read_text())
    assert measures["data_quality"]["malformed_lines"] == 1
    assert all(m["numerator"] <= m["denominator"] for m in measures["measures"])
    page = (out / "report.html").read_text()
    assert "<svg" in page and "&lt;10" in page and "http" not in page.split("<body>")[1]


def test_synthea_samples_scan_with_zero_findings(tmp_path: Path) -> None:
    result = _scan(str(DATA / "synthea-bulk-10-patients"), "--as-of", "2026-06-01",
                   "--out", str(tmp_path), "--report")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "0 findings" in result.stdout
    measures = json.loads((tmp_path / "measures.json").read_text())
    assert measures["counts"]["patients"] > 0
    assert measures["counts"]["patients_on_jak"] == 0
    quality = measures["data_quality"]
    assert quality["files"]["Patient"] == 1
    assert quality["resources"]["Patient"] == measures["counts"]["patients"]
    assert quality["resources"]["Condition"] > 0 and quality["resources"]["Observation"] == 0
    assert quality["medication_records"] == quality["resources"]["MedicationRequest"] > 0
    assert 0 < quality["medication_records_with_known_ingredient"] <= quality["medication_records"]
    assert quality["unresolved_patient_references"] == 0
    assert all(m["denominator"] == 0 for m in measures["measures"])  # no biologic or JAK
    esi = measures["events_of_special_interest"]
    assert esi["per_agent"] == {} and esi["all_agents"]["patients"] == 0
    assert all(c["events"] == 0 for c in esi["all_agents"]["categories"])
    assert all(v == [] for v in measures["breakdowns"]["measures"].values())
    page = (tmp_path / "report.html").read_text()
    for anchor in ("screening", "events", "breakdowns", "quality"):
        assert f'id="{anchor}"' in page
    assert list(csv.reader((tmp_path / "worklist.csv").read_text().splitlines())) == [
        ["patient_id", "drug", "kind", "rule", "severity", "detail", "due_by", "overdue_days",
         "sources", "knowledge_version", "as_of"]
    ]  # fmt: skip


def test_unreadable_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = _scan(str(tmp_path / "missing"), "--as-of", "2026-06-01")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: DIR: '{tmp_path / 'missing'}': no such folder; give the export folder"
    ]
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "Patient.000.ndjson.gz").write_bytes(b"not gzip at all")
    result = _scan(str(tmp_path / "bad"), "--as-of", "2026-06-01", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: Patient.000.ndjson.gz:")


def test_missing_types_are_empty_tables(tmp_path: Path, kb: Knowledge) -> None:
    (tmp_path / "Patient.ndjson").write_text('{"resourceType": "Patient", "id": "a"}\n')
    engine = DuckScan()
    result = run_scan(engine, find_inputs(tmp_path), kb, AS_OF)
    engine.close()
    assert result.worklist == []
    assert result.counts["patients"] == 1 and result.counts["observations"] == 0


def test_duckdb_and_spark_worklists_are_identical(
    tmp_path: Path, kb: Knowledge, spark: Any
) -> None:
    write_population(tmp_path / "in", kb, 400, seed=5, as_of=AS_OF)
    inputs = find_inputs(tmp_path / "in")
    duck = DuckScan()
    a = run_scan(duck, inputs, kb, AS_OF, "EU")
    duck.close()
    kept_before = spark.sparkContext._jsc.getPersistentRDDs().size()
    sp = SparkScan(session=spark)
    b = run_scan(sp, find_inputs(tmp_path / "in"), kb, AS_OF, "EU")
    assert spark.sparkContext._jsc.getPersistentRDDs().size() > kept_before  # the stages
    sp.close()
    # closing releases the stages' checkpoints: a notebook can run scan after scan
    assert spark.sparkContext._jsc.getPersistentRDDs().size() == kept_before
    assert a.worklist and a.worklist == b.worklist
    assert {r["kind"] for r in a.worklist} >= {"monitoring", "screening", "interaction"}
    # rows judged for a recorded condition and for an assumed one (scan.conditions)
    assert any("; for " in r["detail"] for r in a.worklist)
    assert any("; condition not recorded, assumed " in r["detail"] for r in a.worklist)
    assert a.counts == b.counts and a.counts["patients_on_jak_condition_not_recorded"] > 0
    write_worklist(a, tmp_path / "a")
    write_worklist(b, tmp_path / "b")
    assert (tmp_path / "a" / "worklist.csv").read_bytes() == (
        tmp_path / "b" / "worklist.csv"
    ).read_bytes()
    # measures, events, breakdowns and data quality on a generated export with all of them
    write_bulk(kb, tmp_path / "bulk", 400, 9, AS_OF)
    duck = DuckScan()
    c = run_scan(duck, find_inputs(tmp_path / "bulk"), kb, AS_OF, "US")
    duck.close()
    sp = SparkScan(session=spark)
    d = run_scan(sp, find_inputs(tmp_path / "bulk"), kb, AS_OF, "US")
    sp.close()
    assert c.measures[0]["denominator"] > 0 and c.esi["all_agents"]["patients"] > 0
    # the US worklist too, with the boxed-warning population (risk-group rows)
    assert c.worklist == d.worklist and any(r["kind"] == "risk-group" for r in c.worklist)
    assert (c.measures, c.esi, c.breakdowns, c.quality) == (
        d.measures,
        d.esi,
        d.breakdowns,
        d.quality,
    )
    assert c.quality["medication_references"]["resource"] > 0
    # measures.json is the same text on both engines: its grouped figures come out in key
    # order, not in the order a hash aggregate happened to finish
    for result in (c, d):
        assert list(result.quality["medication_references"]) == ["contained", "resource"]
        assert list(result.counts_by_drug) == sorted(result.counts_by_drug)


def test_malformed_lines_are_counted_in_the_read_and_not_rows(
    tmp_path: Path, kb: Knowledge
) -> None:
    """DuckDB counts the bad lines of the files its views read while reading them (no second
    pass); the files of a type no view reads get one pass; bad lines are never rows."""
    (tmp_path / "Patient.ndjson").write_text(
        '{"resourceType": "Patient", "id": "a"}\n[1, 2]\n\n{"resourceType": "Patient", "id": "b"}\n'
    )
    (tmp_path / "Observation.1.ndjson").write_text(
        '{"resourceType": "Observation", "id": "o1", "status": "final"}\n{"id": "o2"}\n{oops\n'
    )
    (tmp_path / "Immunization.ndjson").write_text('{"resourceType": "Immunization"}\nnope\n')
    engine = DuckScan()
    result = run_scan(engine, find_inputs(tmp_path), kb, AS_OF)
    engine.close()
    assert result.counts["patients"] == 2 and result.counts["observations"] == 1
    assert result.quality["malformed_lines"] == 4
    assert sorted(n for n in result.notices if "malformed" in n) == [
        "Immunization.ndjson:2: malformed NDJSON line skipped",
        "Observation.1.ndjson:2: malformed NDJSON line skipped",
        "Observation.1.ndjson:3: malformed NDJSON line skipped",
        "Patient.ndjson:2: malformed NDJSON line skipped",
    ]
    assert engine.counted_types >= {"Patient", "Observation"}
    assert "Immunization" not in engine.counted_types


def test_memory_limit_scans_in_a_database_file_removed_on_close(
    tmp_path: Path, kb: Knowledge
) -> None:
    """With --memory-limit the tables live in a temporary database file (compressed, evicted
    under pressure) and DuckDB gets a share of the limit; the same worklist comes out."""
    write_population(tmp_path / "in", kb, 200, seed=7, as_of=AS_OF)
    plain = DuckScan()
    a = run_scan(plain, find_inputs(tmp_path / "in"), kb, AS_OF)
    plain.close()
    limited = DuckScan(memory_limit="1GB")
    workdir = limited.workdir
    assert workdir is not None and (workdir / "scan.duckdb").exists()
    limit = limited.rows("SELECT current_setting('memory_limit')")[0][0]
    assert limit.endswith("MiB") and float(limit.split()[0]) < 1000
    b = run_scan(limited, find_inputs(tmp_path / "in"), kb, AS_OF)
    limited.close()
    assert not workdir.exists()
    assert a.worklist and a.worklist == b.worklist and a.counts == b.counts


def test_impossible_dates_are_undated_not_fatal(tmp_path: Path) -> None:
    """A date that is not a date (month 13) reads as undated, counted in the data-quality
    figures: the scan completes (it stopped with a conversion traceback)."""
    subject = {"reference": "Patient/p1"}
    lines: dict[str, list[dict[str, Any]]] = {
        "Patient": [{"resourceType": "Patient", "id": "p1", "birthDate": "1970-02-30"}],
        "MedicationRequest": [
            {"resourceType": "MedicationRequest", "id": "m1", "status": "active",
             "intent": "order", "subject": subject, "authoredOn": "2026-01-01",
             "medicationCodeableConcept": {"text": "upadacitinib 15 mg"}}
        ],
        "Observation": [
            {"resourceType": "Observation", "id": "o1", "status": "final", "subject": subject,
             "effectiveDateTime": "2026-13-45T10:00:00Z",
             "code": {"coding": [{"system": "http://loinc.org", "code": "731-0"}]},
             "valueQuantity": {"value": 0.4, "system": "http://unitsofmeasure.org",
                               "code": "10*3/uL"}}
        ],
    }  # fmt: skip
    folder = tmp_path / "in"
    folder.mkdir()
    for rtype, resources in lines.items():
        (folder / f"{rtype}.ndjson").write_text("".join(json.dumps(r) + "\n" for r in resources))
    out = tmp_path / "out"
    result = _scan(str(folder), "--as-of", "2026-06-01", "--out", str(out))
    assert result.exit_code == 0, result.output
    quality = json.loads((out / "measures.json").read_text())["data_quality"]
    assert quality["observations_without_day"] == 1
    assert quality["patients_without_birth_date"] == 1
    rows = list(csv.DictReader((out / "worklist.csv").read_text().splitlines()))
    # the lymphocyte count is not a usable baseline: its baseline check is overdue
    assert any(r["rule"] == "monitoring.us-mon-lymphocytes" for r in rows)
