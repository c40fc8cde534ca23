"""Benchmark: assess 1,000 generated patients against every agent; p50/p99 per patient.

Target (issue 3): p50 < 2 ms, p99 < 10 ms on a 2-core machine. Patients are generated from a fixed
seed so runs are comparable; the knowledge is loaded once (as a server would).
Run: `make bench` or `python benchmarks/assess.py [--patients N] [--out FILE]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from jakguide.engine import assess
from jakguide.kb.base import bundled_knowledge
from jakguide.model import AssessRequest, Patient

AS_OF = dt.date(2026, 11, 21)
CONDITIONS = [
    "plaque-psoriasis",
    "psoriatic-arthritis",
    "ankylosing-spondylitis",
    "non-radiographic-axial-spondyloarthritis",
    "rheumatoid-arthritis",
    "atopic-dermatitis",
]
MEDS = [
    "ketoconazole",
    "fluconazole",
    "rifampin",
    "probenecid",
    "clopidogrel",
    "naproxen",
    "methotrexate",
    "atorvastatin",
    "omeprazole",
    "metformin",
]


def generate(rng: random.Random) -> dict[str, Any]:
    """A plausible patient with some fields missing, as real records are."""
    maybe = lambda p: rng.random() < p  # noqa: E731
    labs = []
    for analyte, unit, low, high in (
        ("lymphocytes", "/uL", 300, 3500),
        ("neutrophils", "/uL", 700, 7000),
        ("hemoglobin", "g/dL", 7.5, 16.5),
        ("platelets", "10*3/uL", 60, 400),
        ("creatinine", "mg/dL", 0.5, 2.5),
        ("egfr", "mL/min/{1.73_m2}", 12, 120),
        ("creatinine-clearance", "mL/min", 12, 130),
        ("ldl-cholesterol", "mg/dL", 60, 190),
        ("alt", "U/L", 8, 90),
    ):
        if maybe(0.85):
            labs.append(
                {
                    "analyte": analyte,
                    "value": round(rng.uniform(low, high), 1),
                    "unit": unit,
                    "date": str(AS_OF - dt.timedelta(days=rng.randint(1, 90))),
                }
            )
    return {
        "age_years": rng.randint(18, 85),
        "sex": rng.choice(["female", "male"]),
        "smoking": rng.choice(["never", "former", "current", "unknown"]),
        "pregnancy": rng.choice(["not-pregnant", "unknown"]),
        "breastfeeding": rng.choice(["no", "unknown"]),
        "measurements": [{"kind": "weight_kg", "value": rng.randint(45, 130)}],
        "history": rng.sample(
            ["vte", "malignancy", "herpes-zoster", "myocardial-infarction"], rng.randint(0, 1)
        )
        if maybe(0.8)
        else None,
        "active_infections": [] if maybe(0.9) else None,
        "cv_risk_factors": rng.sample(
            ["hypertension", "diabetes", "dyslipidemia"], rng.randint(0, 2)
        ),
        "hepatic_impairment": rng.choice(
            ["none", "none", "child-pugh-a", "child-pugh-b", "unknown"]
        ),
        "medications": [{"drug": m, "route": "oral"} for m in rng.sample(MEDS, rng.randint(0, 3))]
        if maybe(0.9)
        else None,
        "prior_therapies": [
            {
                "drug": rng.choice(["adalimumab", "methotrexate", "naproxen"]),
                "outcome": "inadequate-response",
            }
        ]
        if maybe(0.8)
        else None,
        "labs": labs,
        "screening": [
            {"item": "tb", "result": rng.choice(["negative", "positive"]), "date": "2026-10-01"}
        ],
        "disease": {"severity": rng.choice(["moderate", "severe"]), "candidate_for": ["systemic"]},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "assess.json"
    )
    args = parser.parse_args()
    kb = bundled_knowledge()
    rng = random.Random(args.seed)
    cases = [
        (Patient.model_validate(generate(rng)), rng.choice(CONDITIONS))
        for _ in range(args.patients)
    ]
    for patient, condition in cases[:50]:  # warm-up
        assess(patient, AssessRequest(condition=condition, as_of=AS_OF), kb)
    timings = []
    for patient, condition in cases:
        start = time.perf_counter_ns()
        assess(patient, AssessRequest(condition=condition, as_of=AS_OF), kb)
        timings.append((time.perf_counter_ns() - start) / 1e6)
    timings.sort()
    p50 = statistics.median(timings)
    p99 = timings[int(len(timings) * 0.99) - 1]
    result = {
        "benchmark": "assess",
        "patients": args.patients,
        "agents": len(kb.marketed("US")),
        "p50_ms": round(p50, 3),
        "p99_ms": round(p99, 3),
        "max_ms": round(timings[-1], 3),
        "target": {"p50_ms": 2, "p99_ms": 10},
        "python": platform.python_version(),
        "machine": platform.machine(),
        "knowledge_version": kb.version,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
