"""Benchmark: wall time of `jakguide --help` and `jakguide assess` in fresh interpreters.

Target (issue 9): both at least 3x faster than before the refit, measured side by side: give the
source folder of another checkout with `--baseline-src` and both trees run in the same session,
interleaved run by run, with the same Python and the same installed dependencies. Each tree
gets its own byte-code folder (`PYTHONPYCACHEPREFIX`, so nothing is written into it) and its own
knowledge-snapshot folder; one warm-up run each fills both, as a user's second run would find
them. Reports the median, minimum and maximum of N runs (wall and CPU time of the child).
Run: `make bench` or
`python benchmarks/cli_startup.py [--runs 10] [--baseline-src DIR] [--out FILE]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "as-tnf-ir.yaml"
COMMANDS: dict[str, list[str]] = {
    "help": ["--help"],
    "assess": [
        "assess",
        str(EXAMPLE),
        "--condition",
        "ankylosing-spondylitis",
        "--as-of",
        "2026-11-21",
    ],
}
ENTRY = "from jakguide.cli import main; main()"


def _env(src: Path, scratch: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        PYTHONPATH=str(src),
        PYTHONPYCACHEPREFIX=str(scratch / "pycache"),
        JAKGUIDE_CACHE_DIR=str(scratch / "cache"),
        COLUMNS="80",
    )
    return env


def _check_tree(src: Path, env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import jakguide; print(jakguide.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found = Path(done.stdout.strip()).resolve()
    if not found.is_relative_to(src.resolve()):
        sys.exit(f"error: --src {src}: jakguide imports from {found} instead")


def _commit(src: Path) -> str | None:
    done = subprocess.run(
        ["git", "-C", str(src), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or None


def _once(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one run in a fresh interpreter."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", ENTRY, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "median_s": round(statistics.median(values), 4),
        "min_s": round(min(values), 4),
        "max_s": round(max(values), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="tree to time")
    parser.add_argument("--baseline-src", type=Path, help="another tree, timed side by side")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/cli_startup.json")
    opts = parser.parse_args()

    trees = {"this": opts.src}
    if opts.baseline_src:
        trees["baseline"] = opts.baseline_src
    with tempfile.TemporaryDirectory(prefix="jakguide-bench-") as scratch_dir:
        envs = {}
        for name, src in trees.items():
            envs[name] = _env(src, Path(scratch_dir) / name)
            _check_tree(src, envs[name])
            for args in COMMANDS.values():  # warm-up: byte code and knowledge snapshot
                _once(args, envs[name])
        load_before = os.getloadavg()[0]
        walls: dict[tuple[str, str], list[float]] = {}
        cpus: dict[tuple[str, str], list[float]] = {}
        for _ in range(opts.runs):  # interleaved, so both trees see the same load
            for name in trees:
                for command, args in COMMANDS.items():
                    wall, cpu = _once(args, envs[name])
                    walls.setdefault((name, command), []).append(wall)
                    cpus.setdefault((name, command), []).append(cpu)
        load_after = os.getloadavg()[0]

    results: dict[str, Any] = {}
    for name, src in trees.items():
        results[name] = {"commit": _commit(src)}  # no paths: they name this machine
        for command in COMMANDS:
            results[name][command] = {
                "wall": _summary(walls[(name, command)]),
                "cpu": _summary(cpus[(name, command)]),
            }
    if "baseline" in trees:
        results["speedup"] = {
            command: {
                kind: round(
                    results["baseline"][command][kind]["median_s"]
                    / results["this"][command][kind]["median_s"],
                    2,
                )
                for kind in ("wall", "cpu")
            }
            for command in COMMANDS
        }
    report = {
        "benchmark": "cli_startup",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "runs": opts.runs,
        "commands": {
            name: ["jakguide", *(a.replace(f"{ROOT}/", "") for a in args)]
            for name, args in COMMANDS.items()
        },
        "load_average_before": round(load_before, 2),
        "load_average_after": round(load_after, 2),
        "results": results,
    }
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    opts.out.write_text(json.dumps(report, indent=2) + "\n")
    for name in trees:
        for command in COMMANDS:
            wall = results[name][command]["wall"]
            cpu = results[name][command]["cpu"]
            print(
                f"{name:8} {command:6} wall median {wall['median_s']:.3f} s "
                f"(min {wall['min_s']:.3f}, max {wall['max_s']:.3f}); "
                f"cpu median {cpu['median_s']:.3f} s"
            )
    if "speedup" in results:
        for command, ratio in results["speedup"].items():
            print(f"speedup  {command:6} wall {ratio['wall']}x, cpu {ratio['cpu']}x")
    print(f"load average {load_before:.2f} -> {load_after:.2f}; written to {opts.out}")


if __name__ == "__main__":
    main()
