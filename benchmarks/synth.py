"""Bulk population generator benchmark: Observations per second, disk use, peak memory.

Run: ``python benchmarks/synth.py [--patients 10000 100000] [--out DIR] [--json FILE]``.
Each size runs in its own process (``--one N``) so that its peak resident memory is its own:
equal peaks for 10,000 and 100,000 patients show the generator streams (constant memory), and
1,000,000 patients (``--patients 1000000``, about 20 minutes and 2 GB on 2 cores) is the issue's
scale run. The time covers the whole ``write_bulk`` call: code tables from the knowledge,
generation, JSON lines, gzip and the truth file (knowledge loading is reported apart).

Results: ``benchmarks/results/synth.json`` and the table in BENCHMARKS.md. Not part of the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "synth.json"
AS_OF = dt.date(2026, 11, 21)
TARGET_OBS_PER_S = 100_000  # issue 15


def one(patients: int, out: Path, seed: int) -> dict[str, Any]:
    """Generate ``patients`` into ``out``; timings, counts, bytes and peak RSS."""
    from jakguide.kb.base import bundled_knowledge
    from jakguide.synth.bulk import write_bulk

    t0 = time.perf_counter()
    kb = bundled_knowledge()
    t1, c1 = time.perf_counter(), time.process_time()
    load = os.getloadavg()[0]
    result = write_bulk(kb, out, patients, seed, AS_OF)
    t2, c2 = time.perf_counter(), time.process_time()
    seconds, cpu = t2 - t1, c2 - c1
    obs = result.counts["Observation"]
    total = sum(result.counts.values())
    return {
        "patients": patients,
        "knowledge_load_seconds": round(t1 - t0, 2),
        "write_seconds": round(seconds, 2),
        "observations": obs,
        "observations_per_patient": round(obs / patients, 1),
        "observations_per_second": round(obs / seconds),
        "cpu_seconds": round(cpu, 2),
        "observations_per_cpu_second": round(obs / cpu),
        "load_average_at_start": round(load, 2),
        "resources": total,
        "resources_per_second": round(total / seconds),
        "counts": result.counts,
        "disk_bytes": result.bytes,
        "disk_bytes_per_observation": round(result.bytes / max(total, 1), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "measures": result.measures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="keep the export here (default: a temp dir)")
    parser.add_argument("--json", type=Path, default=RESULTS)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(one(args.one, args.out, args.seed)))
        return
    runs = []
    for n in args.patients:
        out = args.out / str(n) if args.out else Path(tempfile.mkdtemp(prefix="synth-bench-"))
        cmd = [sys.executable, __file__, "--one", str(n), "--out", str(out)]
        done = subprocess.run(
            [*cmd, "--seed", str(args.seed)], check=False, capture_output=True, text=True
        )
        if done.returncode != 0:
            sys.exit(done.stderr)
        run = json.loads(done.stdout)
        runs.append(run)
        print(
            f"{n:>9,} patients: {run['observations']:>12,} Observations in "
            f"{run['write_seconds']:.1f} s = {run['observations_per_second']:,}/s "
            f"(CPU {run['cpu_seconds']:.1f} s = {run['observations_per_cpu_second']:,}/CPU-s, "
            f"load {run['load_average_at_start']}) "
            f"({run['resources_per_second']:,} resources/s); {run['disk_bytes'] / 1e6:,.1f} MB "
            f"on disk; peak RSS {run['peak_rss_mb']} MB",
            flush=True,
        )
        if args.out is None:
            shutil.rmtree(out)
    report = {
        "benchmark": "jakguide synth --format bulk (FHIR Bulk NDJSON, gzip level 1)",
        "target_observations_per_second": TARGET_OBS_PER_S,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": os.getloadavg()[0],
        },
        "runs": runs,
    }
    args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
