"""``jakguide synth --format bulk``: FHIR Bulk NDJSON, deterministic, truth re-counted from files.

The re-count below reads the written files only (not the generator's state) and applies
docs/scan.md "Measures" independently: resource counts, per-file counts and every measure's
numerator, denominator and exclusions must equal generator-truth.json exactly.
"""

from __future__ import annotations

import calendar
import datetime as dt
import gzip
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jakguide.adapters.fhir.codes import code_tables
from jakguide.cli import app
from jakguide.kb.base import Knowledge
from jakguide.kb.measures import measure_spec
from jakguide.kb.names import resolve_ingredients
from jakguide.synth.bulk import RESOURCE_TYPES, write_bulk

AS_OF = dt.date(2026, 11, 21)
runner = CliRunner()


def _lines(out: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(out.glob("*.ndjson*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                yield path.name, json.loads(line)


def _concept(r: dict[str, Any], medications: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The code of a request or statement: its own, or its contained or referenced Medication's
    (files are read in name order: Medication.* before MedicationRequest.*)."""
    if "medicationCodeableConcept" in r:
        return dict(r["medicationCodeableConcept"])
    ref = r["medicationReference"]["reference"]
    if ref.startswith("#"):
        return dict(next(c["code"] for c in r["contained"] if c["id"] == ref[1:]))
    return dict(medications[ref]["code"])


def _months_back(d: dt.date, k: int) -> dt.date:
    total = d.year * 12 + d.month - 1 - k
    y, m = divmod(total, 12)
    return dt.date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def _recount(out: Path, kb: Knowledge) -> tuple[Counter[str], Counter[str], dict[str, Any]]:
    codes = code_tables()
    spec = measure_spec(kb)  # the parameters; the counting below is this test's own
    b_set, j_set, t_set = spec.sets["B"], spec.sets["J"], spec.sets["T"]
    window_months = spec.screening.window_months
    washout_months = spec.screening.washout_months
    adult_years = spec.screening.adult_years
    per_type: Counter[str] = Counter()
    per_file: Counter[str] = Counter()
    births: dict[str, dt.date] = {}
    exposures: dict[str, list[tuple[dt.date, str]]] = {}
    tests: dict[str, list[tuple[dt.date, str, str]]] = {}
    known: dict[str, list[tuple[dt.date, str]]] = {}
    medications: dict[str, dict[str, Any]] = {}
    for name, r in _lines(out):
        rt = r["resourceType"]
        per_type[rt] += 1
        per_file[name] += 1
        if rt == "Medication":
            medications[f"Medication/{r['id']}"] = r
            continue
        if rt == "Patient":
            births[r["id"]] = dt.date.fromisoformat(r["birthDate"])
            continue
        pid = r.get("subject", r.get("patient", {}))["reference"].split("/")[1]
        if rt in ("MedicationRequest", "MedicationStatement"):
            if r["status"] == "entered-in-error":
                continue
            when = r.get("authoredOn") or r.get("effectivePeriod", {}).get("start")
            concept = _concept(r, medications)
            coding = concept.get("coding", [{}])[0]
            for ing in resolve_ingredients(kb, concept.get("text", ""), coding.get("code")):
                exposures.setdefault(pid, []).append((dt.date.fromisoformat(when[:10]), ing))
        elif rt == "Observation" and "valueCodeableConcept" in r and r["status"] == "final":
            coding = r["code"]["coding"][0]
            items = codes.items("screening_tests", coding["system"], coding["code"])
            value = r["valueCodeableConcept"]["coding"][0]
            results = codes.items("results", value["system"], value["code"])
            if items and results:
                day = dt.date.fromisoformat(r["effectiveDateTime"][:10])
                tests.setdefault(pid, []).append((day, items[0], results[0]))
        elif rt == "Condition":
            c = r["code"].get("coding", [{}])[0]
            for item in codes.items("history", c.get("system"), c.get("code")):
                if item in ("hbv-active", "hcv-active"):
                    day = dt.date.fromisoformat(r["onsetDateTime"][:10])
                    known.setdefault(pid, []).append((day, item))
    m: dict[str, Counter[str]] = {}

    def add(mid: str, key: str, yes: bool = True) -> None:
        m.setdefault(mid, Counter())[key] += int(yes)

    for pid, birth in births.items():
        exp = [e for e in exposures.get(pid, []) if e[0] <= AS_OF]
        ts = tests.get(pid, [])

        def window(item: str, index: dt.date, ts: list[tuple[dt.date, str, str]] = ts) -> bool:
            return any(
                i == item and _months_back(index, window_months) <= d <= index for d, i, _ in ts
            )

        def tb_excluded(index: dt.date, ts: list[Any] = ts, exp: list[Any] = exp) -> bool:
            pos = any(i == "tb" and r == "positive" and d <= index for d, i, r in ts)
            return pos and any(g in t_set and d <= index for d, g in exp)

        def adult(index: dt.date, birth: dt.date = birth) -> bool:
            year = birth.year + adult_years
            last = calendar.monthrange(year, birth.month)[1]
            return dt.date(year, birth.month, min(birth.day, last)) <= index

        b_days = [d for d, g in exp if g in b_set]
        if b_days and adult(min(b_days)):
            index = min(b_days)
            kn = known.get(pid, [])
            ex = {
                "tb": tb_excluded(index),
                "hbv": any(k == "hbv-active" and d <= index for d, k in kn),
                "hcv": any(k == "hcv-active" and d <= index for d, k in kn),
            }
            ok = {
                "tb": window("tb", index),
                "hbv": window("hbsag", index) and window("anti-hbc", index),
                "hcv": window("hcv", index),
            }
            for key in ("tb", "hbv", "hcv"):
                mid = f"{key}-before-start"
                add(mid, "denominator")
                add(mid, "exclusions", ex[key])
                add(mid, "numerator", ok[key] and not ex[key])
            add("screening-complete", "denominator")
            add("screening-complete", "numerator", all(ex[k] or ok[k] for k in ex))
        j_days = [d for d, g in exp if g in j_set]
        if j_days:
            index = min(j_days)
            start = _months_back(index, washout_months)
            if adult(index) and not any(start <= d < index for d in b_days):
                add("tb-before-start-jak", "denominator")
                add("tb-before-start-jak", "exclusions", tb_excluded(index))
                add(
                    "tb-before-start-jak",
                    "numerator",
                    window("tb", index) and not tb_excluded(index),
                )
    measures = {
        mid: {k: c[k] for k in ("numerator", "denominator", "exclusions")} for mid, c in m.items()
    }
    return per_type, per_file, measures


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory, kb: Knowledge) -> Path:
    out = tmp_path_factory.mktemp("bulk")
    write_bulk(kb, out, 10_000, 7, AS_OF)
    return out


def test_truth_equals_an_independent_recount_of_the_files(population: Path, kb: Knowledge) -> None:
    truth = json.loads((population / "generator-truth.json").read_text())
    per_type, per_file, measures = _recount(population, kb)
    assert truth["counts"] == {rt: per_type[rt] for rt in RESOURCE_TYPES}
    assert {n: f["resources"] for n, f in truth["files"].items()} == dict(per_file)
    assert truth["measures"] == measures
    assert truth["bytes"] == sum(p.stat().st_size for p in population.glob("*.ndjson.gz"))
    assert per_type["Observation"] >= 50 * truth["patients"]


def test_rates_are_close_to_the_published_ones(population: Path) -> None:
    truth = json.loads((population / "generator-truth.json").read_text())
    rates, m = truth["rates"], truth["measures"]

    def rate(mid: str) -> float:
        c = m[mid]
        return float(c["numerator"]) / float(c["denominator"] - c["exclusions"])

    assert rate("tb-before-start") == pytest.approx(rates["tb_12_months"]["value"], abs=0.025)
    assert rate("hbv-before-start") == pytest.approx(rates["hbv_complete"]["value"], abs=0.025)
    assert rate("hcv-before-start") == pytest.approx(rates["hcv"]["value"], abs=0.025)
    assert rate("screening-complete") == pytest.approx(rates["all_applicable"]["value"], abs=0.025)
    assert "Schmajuk" in rates["tb_12_months"]["source"]
    assert m["tb-before-start"]["denominator"] > 4000
    assert 0 < m["tb-before-start"]["exclusions"] < m["tb-before-start"]["denominator"]
    assert 0 < m["tb-before-start-jak"]["denominator"] < m["tb-before-start"]["denominator"]


def test_files_look_like_an_ehr_export(population: Path, kb: Knowledge) -> None:
    names = sorted(p.name for p in population.iterdir())
    assert names == sorted(
        [f"{rt}.1.ndjson.gz" for rt in RESOURCE_TYPES] + ["generator-truth.json"]
    )
    units: set[tuple[str, str]] = set()
    texts: set[str] = set()
    loincs = {c for a in kb.analytes.values() for c in a.loinc}
    codes = code_tables()
    snomed = {c for cond in kb.conditions.values() for c in cond.snomed}
    snomed |= {c.code for t in codes.tables.values() for cs in t.items.values() for c in cs}
    loincs |= {c.code for t in codes.tables.values() for cs in t.items.values() for c in cs}
    medications: dict[str, dict[str, Any]] = {}
    styles: Counter[str] = Counter()
    for _, r in _lines(population):
        rt = r["resourceType"]
        if rt == "Medication":
            medications[f"Medication/{r['id']}"] = r
        if rt == "Observation":
            code = r["code"]["coding"][0]["code"]
            assert code in loincs, r  # every code is in the knowledge or the code tables
            if "valueQuantity" in r:
                units.add((code, r["valueQuantity"]["code"]))
                assert kb.analyte_by_loinc(code) is not None
        elif rt == "Condition":
            assert all(c["code"] in snomed for c in r["code"].get("coding", [])), r
        elif rt in ("MedicationRequest", "MedicationStatement"):
            ref = r.get("medicationReference", {}).get("reference", "")
            styles["concept" if not ref else "contained" if ref[0] == "#" else "resource"] += 1
            concept = _concept(r, medications)
            for c in concept.get("coding", []):
                assert kb.ingredients_for_code(c["code"]), r
            if rt == "MedicationRequest":
                texts.add(concept["text"])
    assert {("731-0", "/uL"), ("731-0", "10*3/uL"), ("731-0", "10*9/L")} <= units
    assert {"Rinvoq", "Xeljanz", "Olumiant"} <= texts  # brand names as written
    total = sum(styles.values())
    assert 0.05 < styles["contained"] / total < 0.15  # Epic-style medicationReference
    assert 0.15 < styles["resource"] / total < 0.25
    assert len(medications) < total / 20  # one Medication per medicine, not per record


def test_cli_is_deterministic_and_writes_plain_ndjson(tmp_path: Path) -> None:
    outs = []
    for name, extra in (("a", []), ("b", []), ("c", ["--no-gzip", "--chunk-size", "500"])):
        args = ["synth", "--patients", "40", "--seed", "3", "--as-of", "2026-11-21"]
        result = runner.invoke(
            app, [*args, "--format", "bulk", "--out", str(tmp_path / name), *extra]
        )
        assert result.exit_code == 0, result.output
        assert "FHIR Bulk NDJSON" in result.output and "bytes on disk" in result.output
        outs.append({p.name: p.read_bytes() for p in sorted((tmp_path / name).iterdir())})
    assert outs[0] == outs[1]  # same seed, same bytes (gzip mtime 0)
    plain = outs[2]
    assert "Observation.2.ndjson" in plain and "Observation.1.ndjson.gz" not in plain
    gz_lines = gzip.decompress(outs[0]["Observation.1.ndjson.gz"]).decode().splitlines()
    plain_lines = (
        b"".join(
            v
            for k, v in sorted(
                plain.items(),
                key=lambda kv: int(kv[0].split(".")[1]) if kv[0].startswith("Observation.") else 0,
            )
            if k.startswith("Observation.")
        )
        .decode()
        .splitlines()
    )
    assert gz_lines == plain_lines
    other = runner.invoke(
        app,
        [
            "synth",
            "--patients",
            "40",
            "--seed",
            "4",
            "--format",
            "bulk",
            "--as-of",
            "2026-11-21",
            "--out",
            str(tmp_path / "d"),
        ],
    )
    assert other.exit_code == 0
    assert (tmp_path / "d" / "Patient.1.ndjson.gz").read_bytes() != outs[0]["Patient.1.ndjson.gz"]


def test_per_file_formats_stay_capped(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synth", "--patients", "100001", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "--format bulk" in result.output
    assert "Traceback" not in result.output
