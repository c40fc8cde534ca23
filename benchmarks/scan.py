"""Benchmark ``jakguide scan`` side by side: generated exports scanned on DuckDB and Spark, and
the per-patient engine looped over a sample of the same patients.

1. ``write_bulk`` writes each export once (``--data-root``/``<N>``; an export of that size
   already there is reused).
2. Each scan (``--runs engine:N``) runs in a child process of its own, so its peak resident
   memory (``ru_maxrss``) and CPU seconds (user + system, every thread) are its own; stages are
   timed in wall and CPU seconds. "Rules" is every stage after ``views`` and ``check`` (ingest);
   patients per minute count every patient of the export. For Spark the JVM is stopped before
   the child reports, so its peak memory is the JVM's (``peak_rss_children_mb``).
3. The loop (``--loop-patients N``) takes the first ``--loop-sample`` patients of that export,
   picks their lines out of the files beforehand (not timed), then times, per patient: parsing
   its JSON lines, the FHIR adapter (``read_bundle``) and ``assess`` (the agent, the region,
   its first labelled condition), as the parity tests do. The time for all N patients is
   extrapolated from the sample (and says so); the ratio to the scan is given in wall and in
   CPU seconds (CPU is steadier on a shared machine).
4. The read floor (with the loop): every file of the loop's export decompressed and split into
   JSON lines, nothing parsed further (``read_floor``), what no scan of that export can beat.

With ``--repeat K`` the loop, the read floor and every scan run K times, in rounds (each round
runs each once, in turn); each figure is the run of median wall time, with every run's times
beside it (``seconds_each``, ``rules_seconds_each``) and the rules' own median.

Writes ``benchmarks/results/scan.json`` (everything, with the load average before and after;
``--update`` keeps the scans of the file that a run does not repeat) and
``benchmarks/results/scan-<engine>-<N>.json`` per scan. Run, e.g.::

    python benchmarks/scan.py --runs duckdb:100000 duckdb:1000000 --loop-patients 100000 \\
        --memory-limit 4GB --repeat 3 --data-root /tmp/jakguide-bench-scan
    python benchmarks/scan.py --runs spark:100000 --loop-patients 0 --memory-limit 4GB \\
        --update --data-root /tmp/jakguide-bench-scan
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

AS_OF = dt.date(2026, 6, 1)
RESULTS = Path(__file__).parent / "results"
TARGET_RULES_PER_MINUTE = 1_000_000  # issue 15
TARGET_SPEEDUP = 100
_REF = re.compile(r'"(?:subject|patient)":\s*\{"reference":\s*"Patient/([^"]+)"')


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


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def scan_child(folder: Path, engine: str, memory_limit: str | None, out: Path) -> None:
    """Run in a child process: the scan, its stage timings, CPU seconds and peak memory."""
    from jakguide.kb.base import bundled_knowledge
    from jakguide.scan.engines import make_scan_engine
    from jakguide.scan.inputs import find_inputs
    from jakguide.scan.output import write_measures, write_worklist
    from jakguide.scan.run import run_scan

    kb = bundled_knowledge()
    cpu_stages: dict[str, float] = {}
    clock = [_cpu(resource.RUSAGE_SELF)]

    def progress(stage: str) -> None:
        now = _cpu(resource.RUSAGE_SELF)
        cpu_stages[stage] = now - clock[0]
        clock[0] = now

    start, cpu0 = time.perf_counter(), _cpu(resource.RUSAGE_SELF)
    runner = make_scan_engine(engine, memory_limit)
    result = run_scan(runner, find_inputs(folder), kb, AS_OF, "US", progress)
    write_worklist(result, out)
    write_measures(result, out)
    runner.close()
    total = time.perf_counter() - start
    cpu = _cpu(resource.RUSAGE_SELF) - cpu0
    if engine == "spark":  # stop the JVM so that its peak memory and CPU are counted below
        from pyspark import SparkContext

        gateway = SparkContext._gateway
        SparkContext.getOrCreate().stop()
        proc = getattr(gateway, "proc", None)
        if gateway is not None:
            gateway.shutdown()
        if proc is not None:  # the JVM exits when its standard input closes
            if proc.stdin is not None:
                proc.stdin.close()
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                proc.terminate()
                proc.wait()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    jvm_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": total,
                "cpu_seconds": cpu,
                "cpu_seconds_children": _cpu(resource.RUSAGE_CHILDREN),
                "stages": result.timings,
                "cpu_stages": cpu_stages,
                "findings": result.worklist_file.size,
                "counts": result.counts,
                "peak_rss_mb": peak_kb / 1024,
                "peak_rss_children_mb": jvm_kb / 1024,
            }
        )
    )


def run_scan_child(
    data: Path, engine: str, patients: int, memory_limit: str, out: Path
) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", engine, "--memory-limit", memory_limit,
           "--data-root", str(data), "--out", str(out)]  # fmt: skip
    load = os.getloadavg()[0]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, env=os.environ)
    scan = json.loads(done.stdout.strip().splitlines()[-1])
    ingest = ("views", "check")
    rules = sum(v for k, v in scan["stages"].items() if k not in ingest)
    rules_cpu = sum(v for k, v in scan["cpu_stages"].items() if k not in ingest)
    scan["load_average_at_start"] = load
    scan["load_average_at_end"] = os.getloadavg()[0]
    scan["rules_seconds"] = rules
    scan["rules_cpu_seconds"] = rules_cpu
    scan["patients_per_minute_rules"] = patients / rules * 60
    scan["patients_per_minute_total"] = patients / scan["seconds"] * 60
    return scan


def pick_lines(folder: Path, sample: int) -> dict[str, list[str]]:
    """The NDJSON lines of the first ``sample`` patients of the export, per patient (not
    timed: the loop starts from each patient's lines)."""
    lines: dict[str, list[str]] = {}
    for path in sorted(folder.glob("Patient.*.ndjson*")):
        with gzip.open(path, "rt") if path.name.endswith(".gz") else path.open() as fh:
            for line in fh:
                lines[json.loads(line)["id"]] = [line]
                if len(lines) >= sample:
                    break
        break
    for path in sorted(folder.glob("*.ndjson*")):  # pick the sample's lines (not timed)
        if path.name.startswith("Patient."):
            continue
        with gzip.open(path, "rt") if path.name.endswith(".gz") else path.open() as fh:
            for line in fh:
                m = _REF.search(line)
                if m is None:
                    r = json.loads(line)
                    ref = (r.get("subject") or r.get("patient") or {}).get("reference", "")
                    pid = ref.split("/", 1)[-1]
                else:
                    pid = m.group(1)
                if pid in lines:
                    lines[pid].append(line)
    return lines


def loop(lines: dict[str, list[str]], patients: int) -> dict[str, Any]:
    """The per-patient path over the picked patients' lines, extrapolated to ``patients``."""
    from jakguide.adapters.fhir import read_bundle
    from jakguide.engine import assess
    from jakguide.kb.base import bundled_knowledge
    from jakguide.model import AssessRequest

    kb = bundled_knowledge()
    parse = 0.0
    start, cpu0 = time.perf_counter(), time.process_time()
    for raw in lines.values():
        t = time.perf_counter()
        resources = [json.loads(line) for line in raw]
        parse += time.perf_counter() - t
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
    cpu = time.process_time() - cpu0
    n = len(lines)
    return {
        "sample": n,
        "seconds": took,
        "cpu_seconds": cpu,
        "parse_seconds": parse,
        "per_patient_ms": 1000 * took / n,
        "per_patient_ms_without_parse": 1000 * (took - parse) / n,
        "extrapolated_seconds_all": took / n * patients,
        "extrapolated_cpu_seconds_all": cpu / n * patients,
    }


def read_floor(folder: Path) -> dict[str, Any]:
    """What reading the export costs before any view reads a member: every file decompressed
    and split into JSON lines (DuckDB ``read_json_objects``, counted, nothing kept), in this
    process on every core. The scan cannot take less (the 100x target is set against it)."""
    import duckdb

    files = sorted(str(p) for p in folder.glob("*.ndjson*"))
    con = duckdb.connect()
    start, cpu0 = time.perf_counter(), _cpu(resource.RUSAGE_SELF)
    lines = con.execute(
        "SELECT count(*) FROM read_json_objects(?, format = 'newline_delimited', "
        "ignore_errors = true)",
        [files],
    ).fetchone()
    took, cpu = time.perf_counter() - start, _cpu(resource.RUSAGE_SELF) - cpu0
    con.close()
    return {"files": len(files), "lines": int(lines[0]) if lines else 0, "seconds": took,
            "cpu_seconds": cpu}  # fmt: skip


def median_of(results: list[dict[str, Any]], patients: int) -> dict[str, Any]:
    """The run of median wall time (the lower one of an even count), with every run's wall time
    and, for scans, the median of the rules' times beside it (its own median, not that run's)."""
    ordered = sorted(results, key=lambda r: r["seconds"])
    mid = dict(ordered[(len(ordered) - 1) // 2])
    mid["runs"] = len(results)
    mid["seconds_each"] = [round(r["seconds"], 2) for r in results]
    if "rules_seconds" in mid:
        rules = statistics.median(r["rules_seconds"] for r in results)
        mid["rules_seconds_each"] = [round(r["rules_seconds"], 2) for r in results]
        mid["rules_seconds_median"] = rules
        mid["patients_per_minute_rules_median"] = patients / rules * 60
        mid["peak_rss_mb_each"] = [round(r["peak_rss_mb"]) for r in results]
    return mid


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--runs",
        nargs="*",
        default=["duckdb:100000", "duckdb:1000000", "spark:100000"],
        help="engine:patients, each a scan in a child process",
    )
    ap.add_argument("--memory-limit", default="4GB")
    ap.add_argument("--data-root", type=Path, default=Path("/tmp/jakguide-bench-scan"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--loop-patients", type=int, default=100_000, help="0: no loop")
    ap.add_argument("--loop-sample", type=int, default=1000)
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds: each round runs the loop, the read floor and every scan once, in turn; "
        "the median run of each is reported",
    )
    ap.add_argument(
        "--update",
        action="store_true",
        help="keep the scans of results/scan.json that this run does not repeat",
    )
    ap.add_argument("--child", choices=["duckdb", "spark"], help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        scan_child(args.data_root, args.child, args.memory_limit, args.out)
        return 0
    runs = [(r.split(":")[0], int(r.split(":")[1])) for r in args.runs]
    sizes = sorted({n for _, n in runs} | ({args.loop_patients} if args.loop_patients else set()))
    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    report: dict[str, Any] = {
        "when": when,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "memory_limit": args.memory_limit,
        "load_average_at_start": os.getloadavg()[0],
        "exports": {},
        "scans": {},
        "loop": None,
        "read_floor": None,
    }
    previous = RESULTS / "scan.json"
    if args.update and previous.exists():
        before = json.loads(previous.read_text())
        report["scans"] = before.get("scans", {})
        report["exports"] = before.get("exports", {})
        report["loop"] = before.get("loop")
        report["read_floor"] = before.get("read_floor")
    for n in sizes:
        report["exports"][str(n)] = generate(args.data_root / str(n), n, args.seed)
    report["targets"] = {
        "rules_patients_per_minute": TARGET_RULES_PER_MINUTE,
        "scan_vs_loop": TARGET_SPEEDUP,
        "memory_limit": args.memory_limit,
    }
    RESULTS.mkdir(exist_ok=True)

    def save() -> None:  # after every step, so that a long run keeps what it has measured
        report["load_average_at_end"] = os.getloadavg()[0]
        loop_result, n = report["loop"], args.loop_patients
        scan = report["scans"].get(f"duckdb:{n}")
        if loop_result and scan:
            loop_result["speedup_scan_vs_loop"] = (
                loop_result["extrapolated_seconds_all"] / scan["seconds"]
            )
            loop_result["speedup_scan_vs_loop_cpu"] = (
                loop_result["extrapolated_cpu_seconds_all"] / scan["cpu_seconds"]
            )
        (RESULTS / "scan.json").write_text(json.dumps(report, indent=2) + "\n")

    lines = (
        pick_lines(args.data_root / str(args.loop_patients), args.loop_sample)
        if args.loop_patients
        else {}
    )
    loops: list[dict[str, Any]] = []
    floors: list[dict[str, Any]] = []
    scans: dict[str, list[dict[str, Any]]] = {}
    for _ in range(max(args.repeat, 1)):  # rounds, so that load drift touches every figure
        if args.loop_patients:  # first: it is short, and the shared machine is quietest early
            n = args.loop_patients
            loops.append({**loop(lines, n), "when": dt.datetime.now(dt.UTC).isoformat(
                timespec="seconds")})  # fmt: skip
            floors.append(read_floor(args.data_root / str(n)))
            report["loop"] = {"patients": n, **median_of(loops, n)}
            report["read_floor"] = {"patients": n, **median_of(floors, n)}
            save()
        for engine, n in runs:
            key = f"{engine}:{n}"
            out = Path(f"/tmp/jakguide-bench-scan-out-{engine}-{n}")
            scan = run_scan_child(args.data_root / str(n), engine, n, args.memory_limit, out)
            scan["when"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            scans.setdefault(key, []).append(scan)
            report["scans"][key] = median_of(scans[key], n)
            print(f"{engine} {n}: {scan['seconds']:.1f} s, {scan['cpu_seconds']:.1f} CPU s, "
                  f"rules {scan['rules_seconds']:.1f} s, peak {scan['peak_rss_mb']:.0f} MB",
                  file=sys.stderr, flush=True)  # fmt: skip
            single = {"when": when, "machine": report["machine"], "patients": n,
                      "engine": engine, "memory_limit": args.memory_limit,
                      "export": report["exports"][str(n)], "scan": report["scans"][key],
                      "all_runs": scans[key]}  # fmt: skip
            (RESULTS / f"scan-{engine}-{n}.json").write_text(json.dumps(single, indent=2) + "\n")
            save()
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
