"""Benchmark ``jakguide scan``: a generated export scanned on DuckDB or Spark, and the per-patient
engine looped over a sample of the same patients.

1. ``write_bulk`` writes the export (skipped when ``--data`` already holds one of that size).
2. The scan runs in a child process (so its peak memory is its own), stage by stage; the rules
   time is every stage after the views are built (ingest), and patients per minute count every
   patient of the export.
3. The loop reads ``--loop-sample`` patients' resources from the files, and runs the FHIR adapter
   and ``assess`` (as the parity tests do); the time for all patients is extrapolated from the
   sample and says so.

Results go to ``benchmarks/results/scan-<engine>-<N>.json``. Run, e.g.:
``.venv/bin/python benchmarks/scan.py --patients 100000 --engine duckdb --memory-limit 4GB``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

AS_OF = dt.date(2026, 6, 1)
RESULTS = Path(__file__).parent / "results"


def generate(folder: Path, patients: int, seed: int) -> dict[str, Any]:
    from jakguide.kb.base import bundled_knowledge
    from jakguide.synth.bulk import write_bulk

    truth = folder / "generator-truth.json"
    if truth.exists() and json.loads(truth.read_text())["patients"] == patients:
        return {"generated": False, **json.loads(truth.read_text())["counts"]}
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    write_bulk(bundled_knowledge(), folder, patients, seed, AS_OF)
    took = time.perf_counter() - start
    return {"generated": True, "seconds": took, **json.loads(truth.read_text())["counts"]}


def scan_child(folder: Path, engine: str, memory_limit: str | None, out: Path) -> None:
    """Run in a child process: the scan, its stage timings and its peak memory."""
    from jakguide.kb.base import bundled_knowledge
    from jakguide.scan.engines import make_scan_engine
    from jakguide.scan.inputs import find_inputs
    from jakguide.scan.output import write_measures, write_worklist
    from jakguide.scan.run import run_scan

    kb = bundled_knowledge()
    start = time.perf_counter()
    runner = make_scan_engine(engine, memory_limit)
    result = run_scan(runner, find_inputs(folder), kb, AS_OF, "US")
    write_worklist(result, out)
    write_measures(result, out)
    runner.close()
    total = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    jvm_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Spark's JVM, if any
    print(
        json.dumps(
            {
                "seconds": total,
                "stages": result.timings,
                "findings": len(result.worklist),
                "counts": result.counts,
                "peak_rss_mb": peak_kb / 1024,
                "peak_rss_children_mb": jvm_kb / 1024,
            }
        )
    )


def loop(folder: Path, sample: int) -> dict[str, Any]:
    """The per-patient path over the first ``sample`` patients of the export."""
    from jakguide.adapters.fhir import read_bundle
    from jakguide.engine import assess
    from jakguide.kb.base import bundled_knowledge
    from jakguide.model import AssessRequest

    kb = bundled_knowledge()
    wanted: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(folder.glob("Patient.*.ndjson*")):
        with gzip.open(path, "rt") if path.name.endswith(".gz") else path.open() as fh:
            for line in fh:
                r = json.loads(line)
                wanted[r["id"]] = [r]
                if len(wanted) >= sample:
                    break
        break
    for path in sorted(folder.glob("*.ndjson*")):
        if path.name.startswith("Patient."):
            continue
        with gzip.open(path, "rt") if path.name.endswith(".gz") else path.open() as fh:
            for line in fh:
                r = json.loads(line)
                ref = (r.get("subject") or r.get("patient") or {}).get("reference", "")
                pid = ref.split("/", 1)[-1]
                if pid in wanted:
                    wanted[pid].append(r)
    start = time.perf_counter()
    for resources in wanted.values():
        bundle = {"resourceType": "Bundle", "type": "collection",
                  "entry": [{"resource": r} for r in resources]}  # fmt: skip
        patient = read_bundle(bundle, kb, AS_OF).patient
        if patient.therapy is None:
            continue
        label = kb.drugs[patient.therapy.drug].regions.get("US")
        if label is None or not label.indications:
            continue
        request = AssessRequest(
            condition=label.indications[0].condition,
            region="US",
            as_of=AS_OF,
            drugs=[patient.therapy.drug],
        )
        assess(patient, request, kb)
    took = time.perf_counter() - start
    return {"sample": len(wanted), "seconds": took, "per_patient_ms": 1000 * took / len(wanted)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--patients", type=int, default=100_000)
    ap.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    ap.add_argument("--memory-limit", default="4GB")
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--loop-sample", type=int, default=1000)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    data = args.data or Path(f"/tmp/jakguide-bench-scan-{args.patients}")
    out = args.out or Path(f"/tmp/jakguide-bench-scan-out-{args.engine}-{args.patients}")
    if args.child:
        scan_child(data, args.engine, args.memory_limit, out)
        return 0
    gen = generate(data, args.patients, args.seed)
    cmd = [sys.executable, __file__, "--child", "--patients", str(args.patients),
           "--engine", args.engine, "--memory-limit", args.memory_limit,
           "--data", str(data), "--out", str(out)]  # fmt: skip
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, env=os.environ)
    scan = json.loads(done.stdout.strip().splitlines()[-1])
    rules = sum(v for k, v in scan["stages"].items() if k not in ("check", "views"))
    scan["rules_seconds"] = rules
    scan["patients_per_minute_rules"] = args.patients / rules * 60
    scan["patients_per_minute_total"] = args.patients / scan["seconds"] * 60
    per_patient = loop(data, args.loop_sample) if args.loop_sample else None
    if per_patient:
        extrapolated = per_patient["seconds"] / per_patient["sample"] * args.patients
        per_patient["extrapolated_seconds_all"] = extrapolated
        per_patient["speedup_scan_vs_loop"] = extrapolated / scan["seconds"]
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "patients": args.patients,
        "engine": args.engine,
        "memory_limit": args.memory_limit,
        "export": gen,
        "scan": scan,
        "loop": per_patient,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"scan-{args.engine}-{args.patients}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
