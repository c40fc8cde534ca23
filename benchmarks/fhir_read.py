"""Benchmark: reading a FHIR Bundle of N lab Observations (issue 19: 10,000 in < 1 s).

Times ``read_bundle`` on one patient's Bundle of N Observations (lymphocyte counts, one a day),
from JSON text (parse included) to the domain ``Patient``, with the light Observation models
(adapters/fhir/light.py) and, for comparison, with a full ``fhir.resources`` model per
Observation (the path before). Reports the best of R runs, wall and CPU time of this process,
and the load average (the machine may be shared), so the figures say how busy it was.
Run: `python benchmarks/fhir_read.py [--runs 5] [--out benchmarks/results/fhir_read.json]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from jakguide.adapters.fhir import bundle as bundle_module  # noqa: E402
from jakguide.adapters.fhir import read_bundle  # noqa: E402
from jakguide.kb import bundled_knowledge  # noqa: E402

AS_OF = dt.date(2026, 1, 1)
SIZES = (1_000, 2_500, 5_000, 10_000)


def bundle_text(n: int) -> str:
    """One patient and ``n`` final lymphocyte counts in /uL, one a day from 2020-01-01."""
    entries: list[dict[str, Any]] = [
        {"fullUrl": "urn:uuid:p1", "resource": {"resourceType": "Patient", "id": "p1",
                                                "birthDate": "1970-01-01", "gender": "female"}}
    ]  # fmt: skip
    for i in range(n):
        day = dt.date(2020, 1, 1) + dt.timedelta(days=i % 2000)
        entries.append(
            {
                "fullUrl": f"urn:uuid:o{i}",
                "resource": {
                    "resourceType": "Observation",
                    "id": f"o{i}",
                    "status": "final",
                    "category": [{"coding": [{"code": "laboratory"}]}],
                    "subject": {"reference": "Patient/p1"},
                    "code": {"coding": [{"system": "http://loinc.org", "code": "731-0",
                                         "display": "Lymphocytes [#/volume] in Blood"}]},
                    "effectiveDateTime": day.isoformat(),
                    "valueQuantity": {"value": 1000 + i, "unit": "/uL",
                                      "system": "http://unitsofmeasure.org", "code": "/uL"},
                },
            }
        )  # fmt: skip
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries})


def timed(text: str, runs: int, n: int) -> dict[str, float]:
    kb = bundled_knowledge()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        read = read_bundle(text, kb, AS_OF)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        assert len(read.patient.labs or []) == n
    return {"wall_s": round(min(walls), 3), "cpu_s": round(min(cpus), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/fhir_read.json")
    args = parser.parse_args()
    read_bundle(bundle_text(10), bundled_knowledge(), AS_OF)  # warm-up: imports, knowledge
    load_before = os.getloadavg()[0]
    rows = []
    for n in SIZES:
        text = bundle_text(n)
        light = timed(text, args.runs, n)
        saved = dict(bundle_module._LIGHT)
        bundle_module._LIGHT.clear()  # every Observation through the full R4B model
        try:
            full = timed(text, max(1, args.runs // 2), n)
        finally:
            bundle_module._LIGHT.update(saved)
        row = {
            "observations": n,
            "megabytes": round(len(text) / 1e6, 2),
            "light": light,
            "full_models": full,
            "light_us_per_observation": round(light["cpu_s"] / n * 1e6),
        }
        rows.append(row)
        print(json.dumps(row))
    result = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "runs": args.runs,
        "rows": rows,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
