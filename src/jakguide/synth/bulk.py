"""FHIR Bulk NDJSON population export and its ``generator-truth.json`` (issue 15; docs/scan.md).

Streams: each patient's lines go to per-type buffers flushed to gzip members as they fill, so
memory stays constant whatever the number of patients. Deterministic by seed and ``as_of``: one
``random.Random`` per patient, seeded by (seed, index); gzip headers carry no name and mtime 0.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from jakguide.kb.base import Knowledge
from jakguide.synth.bulk_patient import Writer
from jakguide.synth.bulk_tables import Tables, build
from jakguide.synth.measures import Count, Exposure, count, count_esi

RESOURCE_TYPES = (
    "Patient",
    "Condition",
    "MedicationRequest",
    "MedicationStatement",
    "Observation",
    "Immunization",
    "AllergyIntolerance",
    "Medication",
)
TRUTH_FILE = "generator-truth.json"
STRATA = ("agent", "condition", "region")  # breakdowns of the measures (docs/scan.md)
FLUSH_LINES = 4096


class _Sink:
    """One resource type's chunked NDJSON files."""

    def __init__(
        self, out: Path, rtype: str, gz: bool, chunk: int, level: int, pool: ThreadPoolExecutor
    ) -> None:
        self.out, self.rtype, self.gz, self.chunk, self.level = out, rtype, gz, chunk, level
        self.pool = (
            pool  # compresses and writes while the next lines are built (zlib drops the GIL)
        )
        self.pending: Future[int] | None = None
        self.buffer: list[str] = []
        self.count = 0
        self.in_file = 0
        self.files: dict[str, int] = {}
        self.raw: IO[bytes] | None = None
        self.stream: IO[bytes] | gzip.GzipFile | None = None
        self.name = ""

    def _open(self) -> None:
        n = len(self.files) + 1
        self.name = f"{self.rtype}.{n}.ndjson" + (".gz" if self.gz else "")
        self.files[self.name] = 0
        self.raw = open(self.out / self.name, "wb")  # noqa: SIM115 (closed in _close)
        if self.gz:
            self.stream = gzip.GzipFile(
                filename="", mode="wb", fileobj=self.raw, compresslevel=self.level, mtime=0
            )
        else:
            self.stream = self.raw
        self.in_file = 0

    def _wait(self) -> None:
        if self.pending is not None:
            self.pending.result()  # one write in flight per type: memory stays bounded
            self.pending = None

    def _close(self) -> None:
        self._wait()
        if self.stream is not None and self.raw is not None:
            if self.stream is not self.raw:
                self.stream.close()
            self.raw.close()
        self.stream = self.raw = None

    def add(self, line: str) -> None:
        self.buffer.append(line)
        if len(self.buffer) >= FLUSH_LINES:
            self.flush()

    def flush(self) -> None:
        while self.buffer:
            if self.stream is None or self.in_file >= self.chunk:
                self._close()
                self._open()
            take = self.buffer[: self.chunk - self.in_file]
            del self.buffer[: len(take)]
            assert self.stream is not None
            data = ("\n".join(take) + "\n").encode("utf-8")
            self._wait()
            self.pending = self.pool.submit(self.stream.write, data)
            self.in_file += len(take)
            self.files[self.name] += len(take)
            self.count += len(take)

    def close(self) -> None:
        self.flush()
        self._close()


@dataclass(frozen=True)
class BulkResult:
    """What was written: resources per type, files with their resource counts and sizes."""

    out: Path
    counts: dict[str, int]
    files: dict[str, dict[str, int]]
    bytes: int
    measures: dict[str, dict[str, int]]


def write_bulk(
    kb: Knowledge,
    out: Path,
    patients: int,
    seed: int,
    as_of: dt.date,
    *,
    gz: bool = True,
    chunk_size: int = 1_000_000,
    level: int = 1,
) -> BulkResult:
    """Write ``patients`` patients as FHIR Bulk NDJSON to ``out`` plus ``generator-truth.json``."""
    out.mkdir(parents=True, exist_ok=True)
    tables = build(kb)
    with ThreadPoolExecutor(max_workers=1) as pool:
        sinks = {rt: _Sink(out, rt, gz, chunk_size, level, pool) for rt in RESOURCE_TYPES}
        totals, exposures, strata = _generate(kb, tables, sinks, patients, seed, as_of)
    files: dict[str, dict[str, int]] = {}
    for sink in sinks.values():
        for name, n in sink.files.items():
            files[name] = {"resources": n, "bytes": (out / name).stat().st_size}
    return _truth(kb, tables, sinks, totals, exposures, strata, files, out, patients, seed, as_of)


def _generate(
    kb: Knowledge,
    tables: Tables,
    sinks: dict[str, _Sink],
    patients: int,
    seed: int,
    as_of: dt.date,
) -> tuple[dict[str, Count], dict[str, Exposure], dict[str, dict[str, dict[str, Count]]]]:
    adders = {rt: s.add for rt, s in sinks.items()}

    def emit(rtype: str, line: str) -> None:
        adders[rtype](line)

    writer = Writer(tables, as_of, emit, sinks["Observation"].buffer.append)
    observations = sinks["Observation"]
    totals = {m: Count() for m in tables.spec.ids}
    exposures: dict[str, Exposure] = {}
    strata: dict[str, dict[str, dict[str, Count]]] = {d: {} for d in STRATA}
    base = seed * 10_000_000_000
    for i in range(patients):
        rng = random.Random(base + i)
        facts = writer.patient(rng, f"s{seed}p{i}")
        count(facts, tables.spec, totals, strata)
        count_esi(facts, tables.spec, exposures)
        if len(observations.buffer) >= FLUSH_LINES:
            observations.flush()
    for sink in sinks.values():
        sink.close()
    return totals, exposures, strata


def _truth(
    kb: Knowledge,
    tables: Tables,
    sinks: dict[str, _Sink],
    totals: dict[str, Count],
    exposures: dict[str, Exposure],
    strata: dict[str, dict[str, dict[str, Count]]],
    files: dict[str, dict[str, int]],
    out: Path,
    patients: int,
    seed: int,
    as_of: dt.date,
) -> BulkResult:
    counts = {rt: s.count for rt, s in sinks.items()}
    measures = {m: asdict(c) for m, c in totals.items()}
    size = sum(f["bytes"] for f in files.values())
    truth: dict[str, Any] = {
        "seed": seed,
        "patients": patients,
        "as_of": as_of.isoformat(),
        "knowledge_version": kb.version,
        "rates": _rates(tables.pop),
        "measures": measures,
        "events_of_special_interest": {a: asdict(e) for a, e in sorted(exposures.items())},
        "breakdowns": {
            dim: {
                mid: {key: asdict(c) for key, c in sorted(cells.items())}
                for mid, cells in by_measure.items()
            }
            for dim, by_measure in strata.items()
        },
        "counts": counts,
        "files": files,
        "bytes": size,
    }
    (out / TRUTH_FILE).write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    return BulkResult(out, counts, files, size, measures)


def _rates(pop: dict[str, Any]) -> dict[str, Any]:
    """The configured rates with their source, as written beside the data."""
    rates: dict[str, Any] = {}
    for group in ("screening", "simulation"):
        block = dict(pop[group])
        source = block.pop("source")
        for name, value in block.items():
            rates[name] = {"value": value, "source": source}
    rates["latent_tb_regimens"] = {
        "value": pop["latent_tb_regimens"],
        "source": pop["simulation"]["source"],
    }
    rates["conditions"] = {
        "value": {c: v[0] for c, v in pop["conditions"].items()},
        "source": pop["simulation"]["source"],
    }
    return rates
