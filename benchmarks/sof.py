"""SQL on FHIR benchmark: NDJSON -> observation view -> Parquet on DuckDB and Spark, vs sqlonfhir.

Run: ``python benchmarks/sof.py [--records 1000000] [--repeat 3]`` (needs ``jakguide[spark,bench]``
and Java 17). It generates Observations (fixed seed) in a temporary folder, then times, each in
its own process so that peak memory is the process tree's own (sampled from /proc every 50 ms):

- ``duckdb_read_json``: DuckDB's own ``read_json`` -> Parquet of the same file (the limit);
- ``duckdb_view``: ``jakguide`` observation view on DuckDB -> Parquet;
- ``spark_view``: the same view on Spark ``local[2]`` -> Parquet (session start excluded,
  reported apart);
- ``sqlonfhir``: the ``sqlonfhir`` package (in-memory Python runner) on the first 10,000
  Observations; it has no Parquet writer, so its rows go to NDJSON.

Results: ``benchmarks/results/sof.json`` (medians of ``--repeat`` runs) and the table in
BENCHMARKS.md. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "sof.json"
VIEW = ROOT / "src" / "jakguide" / "sof" / "views" / "observation.json"

CODED_EVERY = 10  # one Observation in 10 has a coded value, the others a Quantity
FULL_RUN = 1_000_000  # only a full-size run replaces the committed result file

LABS = [
    ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.6, 1.3),
    ("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 11.0, 17.0),
    ("777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL", 150.0, 400.0),
    ("6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", 4.0, 11.0),
    ("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", 120.0, 280.0),
    (
        "1742-6",
        "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
        "U/L",
        7,
        56,
    ),
    ("8302-2", "Body Height", "cm", 140.0, 200.0),
    ("29463-7", "Body weight", "kg", 45.0, 130.0),
    ("8867-4", "Heart rate", "/min", 50.0, 110.0),
    ("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 4.5, 10.0),
]


def _when(rng: random.Random) -> str:
    day = f"20{rng.randrange(10, 26)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    return f"{day}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00+00:00"


def generate(folder: Path, records: int, seed: int = 14) -> Path:
    """Synthea-shaped Observations (90 % valueQuantity, 10 % valueCodeableConcept)."""
    rng = random.Random(seed)
    path = folder / "Observation.000.ndjson"
    with path.open("w") as fh:
        for i in range(records):
            loinc, display, unit, low, high = LABS[i % len(LABS)]
            obs: dict[str, Any] = {
                "resourceType": "Observation",
                "id": f"obs-{i:08d}",
                "status": "final",
                "category": [
                    {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                "code": "laboratory",
                                "display": "laboratory",
                            }
                        ]
                    }
                ],
                "code": {
                    "coding": [{"system": "http://loinc.org", "code": loinc, "display": display}],
                    "text": display,
                },
                "subject": {"reference": f"Patient/pt-{rng.randrange(20000):06d}"},
                "encounter": {"reference": f"Encounter/enc-{rng.randrange(200000):07d}"},
                "effectiveDateTime": _when(rng),
                "issued": "2026-01-01T00:00:00.000+00:00",
            }
            if i % CODED_EVERY == CODED_EVERY - 1:
                obs["valueCodeableConcept"] = {
                    "coding": [{"system": "http://snomed.info/sct", "code": "260385009"}]
                }
            else:
                obs["valueQuantity"] = {
                    "value": round(rng.uniform(low, high), 2),
                    "unit": unit,
                    "system": "http://unitsofmeasure.org",
                    "code": unit,
                }
            fh.write(json.dumps(obs, separators=(",", ":")) + "\n")
    return path


# --------------------------------------------------------------------------- steps (child side)


def _step(name: str, src: Path, out: Path) -> dict[str, Any]:
    if name == "duckdb_read_json":
        import duckdb

        con = duckdb.connect(config={"autoinstall_known_extensions": False})
        start = time.perf_counter()
        con.execute(
            f"COPY (SELECT * FROM read_json('{src}', format = 'newline_delimited')) "
            f"TO '{out}' (FORMAT parquet)"
        )
        seconds = time.perf_counter() - start
        rows = con.execute(f"SELECT count(*) FROM '{out}'").fetchone()
        return {"seconds": seconds, "rows": rows[0] if rows else 0}
    if name == "duckdb_view":
        import duckdb

        from jakguide.sof.engines import DuckDBEngine
        from jakguide.sof.view import read_view

        start = time.perf_counter()
        engine = DuckDBEngine()
        engine.load(src.parent)
        engine.write(read_view(VIEW), out)
        seconds = time.perf_counter() - start
        rows = duckdb.connect().execute(f"SELECT count(*) FROM '{out}'").fetchone()
        return {"seconds": seconds, "rows": rows[0] if rows else 0}
    if name == "spark_view":
        from jakguide.sof.engines import SparkEngine, spark_session
        from jakguide.sof.view import read_view

        t0 = time.perf_counter()
        session = spark_session("local[2]")
        startup = time.perf_counter() - t0
        start = time.perf_counter()
        engine = SparkEngine(session=session)
        engine.load(src.parent)
        engine.write(read_view(VIEW), out)
        seconds = time.perf_counter() - start
        rows = session.read.parquet(str(out)).count()
        session.stop()
        return {"seconds": seconds, "rows": rows, "session_start_seconds": startup}
    if name == "sqlonfhir":
        import sqlonfhir

        view = json.loads(VIEW.read_text())
        start = time.perf_counter()
        with src.open() as fh:
            resources = [json.loads(line) for line in fh if line.strip()]
        result = sqlonfhir.evaluate(resources, view)
        with out.open("w") as fh:
            for row in result:
                fh.write(json.dumps(row, default=str) + "\n")
        seconds = time.perf_counter() - start
        return {"seconds": seconds, "rows": len(result)}
    raise SystemExit(f"unknown step {name}")


# --------------------------------------------------------------------------- parent side


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and its descendants, in bytes."""
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def measure(name: str, src: Path, out: Path) -> dict[str, Any]:
    """Run one step in a child process; wall time from the child, peak tree RSS from /proc."""
    cmd = [sys.executable, __file__, "--step", name, "--src", str(src), "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.05)
    stdout = proc.stdout.read() if proc.stdout else ""
    if proc.returncode != 0:
        raise SystemExit(f"step {name} failed ({proc.returncode})")
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    result["peak_rss_mb"] = round(peak / 2**20, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--subset", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--steps", default="duckdb_read_json,duckdb_view,spark_view,sqlonfhir")
    parser.add_argument("--step")
    parser.add_argument("--src", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--keep", type=Path, help="Reuse/keep the generated data here.")
    args = parser.parse_args()
    if args.step:
        print(json.dumps(_step(args.step, args.src, args.out)))
        return

    with tempfile.TemporaryDirectory(prefix="sof-bench-") as tmp:
        base = args.keep or Path(tmp)
        full, small = base / "full", base / "subset"
        full.mkdir(parents=True, exist_ok=True)
        small.mkdir(parents=True, exist_ok=True)
        src = full / "Observation.000.ndjson"
        if not src.exists():
            t0 = time.perf_counter()
            generate(full, args.records)
            print(f"generated {args.records} Observations in {time.perf_counter() - t0:.1f} s")
        sub = small / "Observation.000.ndjson"
        with src.open() as fin, sub.open("w") as fout:
            for i, line in enumerate(fin):
                if i >= args.subset:
                    break
                fout.write(line)
        results: dict[str, Any] = {}
        for name in args.steps.split(","):
            data = sub if name == "sqlonfhir" else src
            runs = []
            for r in range(args.repeat):
                out = Path(tmp) / f"{name}-{r}.{'ndjson' if name == 'sqlonfhir' else 'parquet'}"
                run = measure(name, data, out)
                print(name, run, flush=True)
                runs.append(run)
                out.unlink(missing_ok=True)
            seconds = statistics.median(r["seconds"] for r in runs)
            records = runs[0]["rows"]
            mb = data.stat().st_size / 1e6
            results[name] = {
                "input_records": records,
                "input_mb": round(mb, 1),
                "runs_seconds": [round(r["seconds"], 2) for r in runs],
                "median_seconds": round(seconds, 2),
                "mb_per_s": round(mb / seconds, 1),
                "records_per_s": round(records / seconds),
                "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in runs),
            }
            if "session_start_seconds" in runs[0]:
                results[name]["session_start_seconds"] = round(
                    statistics.median(r["session_start_seconds"] for r in runs), 1
                )
        ratios: dict[str, float] = {}
        if "duckdb_view" in results and "duckdb_read_json" in results:
            ratios["duckdb_view_mb_s_vs_read_json"] = round(
                results["duckdb_view"]["mb_per_s"] / results["duckdb_read_json"]["mb_per_s"], 2
            )
        if "duckdb_view" in results and "sqlonfhir" in results:
            ratios["duckdb_view_records_s_vs_sqlonfhir"] = round(
                results["duckdb_view"]["records_per_s"] / results["sqlonfhir"]["records_per_s"], 1
            )
        if "spark_view" in results and "sqlonfhir" in results:
            ratios["spark_view_records_s_vs_sqlonfhir"] = round(
                results["spark_view"]["records_per_s"] / results["sqlonfhir"]["records_per_s"], 1
            )
        import duckdb

        doc = {
            "benchmark": "NDJSON -> observation view -> Parquet",
            "records": args.records,
            "subset_for_sqlonfhir": args.subset,
            "repeat": args.repeat,
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "load_average_before": os.getloadavg()[0],
                "duckdb": duckdb.__version__,
            },
            "results": results,
            "ratios": ratios,
        }
        if args.records == FULL_RUN:
            RESULTS.write_text(json.dumps(doc, indent=2) + "\n")
        print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
