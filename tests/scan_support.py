"""A small FHIR Bulk population for scan tests, and the per-patient engine's view of it.

Deterministic by seed. Patients take JAK agents as MedicationRequests and MedicationStatements
(RxNorm product codes, text-only INNs in odd case, partial dates, ended and proposed records,
switches between agents) and have lab histories in every accepted unit and alias of the
knowledge's analytes, with the awkward cases real exports have (preliminary results, comparators,
partial dates, implausible values, results after ``as_of``). Every code comes from the knowledge.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jakguide.adapters.fhir import read_bundle
from jakguide.engine import assess
from jakguide.kb.base import Knowledge
from jakguide.model import AssessRequest, MonitoringOut, Region
from jakguide.scan.kinds.monitoring import MONITORING_SEVERITY
from jakguide.units import plausible_range

RX = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
Resource = dict[str, Any]


def _day(start: dt.date, rng: random.Random, span_days: int) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(span_days))


def _date_text(day: dt.date, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.03:
        return day.isoformat()[:7]  # partial: year-month
    if roll < 0.3:
        return f"{day.isoformat()}T{rng.randrange(24):02d}:15:00+01:00"
    return day.isoformat()


def _medication(
    kb: Knowledge, pid: str, n: int, drug: str, start: dt.date, rng: random.Random
) -> Resource:
    products = [p for p in kb.products.values() if p.ingredients == [drug]]
    if products and rng.random() < 0.6:
        p = rng.choice(products)
        concept: dict[str, Any] = {"coding": [{"system": RX, "code": p.rxnorm, "display": p.name}]}
    else:
        name = kb.drugs[drug].inn
        concept = {"text": rng.choice([name, name.upper(), f"{name.capitalize()} tablets"])}
    if rng.random() < 0.5:
        return {
            "resourceType": "MedicationRequest",
            "id": f"{pid}-m{n}",
            "status": rng.choice(["active", "active", "active", "on-hold", "stopped", "completed"]),
            "intent": rng.choice(["order", "order", "order", "plan", "proposal"]),
            "subject": {"reference": f"Patient/{pid}"},
            "medicationCodeableConcept": concept,
            "authoredOn": _date_text(start, rng),
        }
    res: Resource = {
        "resourceType": "MedicationStatement",
        "id": f"{pid}-m{n}",
        "status": rng.choice(["active", "active", "active", "completed", "stopped", "on-hold"]),
        "subject": {"reference": f"Patient/{pid}"},
        "medicationCodeableConcept": concept,
    }
    if rng.random() < 0.5:
        res["effectiveDateTime"] = _date_text(start, rng)
    else:
        period = {"start": _date_text(start, rng)}
        if rng.random() < 0.4:
            period["end"] = (start + dt.timedelta(days=rng.randrange(30, 900))).isoformat()
        res["effectivePeriod"] = period
    return res


def _by_reference(res: Resource, rng: random.Random) -> list[Resource]:
    """The record as written, sometimes naming its medicine by ``medicationReference``: to a
    contained Medication, to a Medication resource (returned after it), or to one the export
    lacks (then only the reference's display names it)."""
    roll = rng.random()
    if roll >= 0.3:
        return [res]
    concept = res.pop("medicationCodeableConcept")
    if roll < 0.15:
        res["contained"] = [{"resourceType": "Medication", "id": "m", "code": concept}]
        res["medicationReference"] = {"reference": "#m"}
        return [res]
    if roll < 0.26:
        med = {"resourceType": "Medication", "id": f"{res['id']}-med", "code": concept}
        res["medicationReference"] = {"reference": f"Medication/{med['id']}"}
        return [res, med]
    name = concept.get("text") or concept["coding"][0]["display"]
    res["medicationReference"] = {"reference": f"Medication/gone-{res['id']}", "display": name}
    return [res]


def _observation(kb: Knowledge, pid: str, n: int, day: dt.date, rng: random.Random) -> Resource:
    analyte = rng.choice(sorted(kb.analytes.values(), key=lambda a: a.id))
    conv = rng.choice(analyte.units)
    unit = rng.choice([conv.unit, *conv.aliases])
    bounds = plausible_range(analyte, unit)
    assert bounds is not None
    low, high = float(bounds[0]), float(bounds[1])
    value = round(low + (high - low) * rng.random() * 0.05, 3)
    quantity: dict[str, Any] = {"value": value}
    if unit == conv.unit and rng.random() < 0.8:
        quantity |= {"system": UCUM, "code": unit, "unit": unit}
    else:
        quantity["unit"] = unit
    roll = rng.random()
    status = "final"
    if roll < 0.02:
        quantity["comparator"] = "<"
    elif roll < 0.04:
        quantity["value"] = high * 10 + 1  # implausible
    elif roll < 0.06:
        status = rng.choice(["preliminary", "amended", "corrected", "entered-in-error"])
    return {
        "resourceType": "Observation",
        "id": f"{pid}-o{n}",
        "status": status,
        "subject": {"reference": f"Patient/{pid}"},
        "code": {"coding": [{"system": LOINC, "code": rng.choice(analyte.loinc)}]},
        "valueQuantity": quantity,
        "effectiveDateTime": _date_text(day, rng),
    }


def population(kb: Knowledge, n: int, seed: int, as_of: dt.date) -> Iterator[list[Resource]]:
    """The resources of each patient, one list per patient (the Patient first)."""
    rng = random.Random(seed)
    drugs = sorted({m.id for m in kb.marketed("US")} | {m.id for m in kb.marketed("EU")})
    for i in range(n):
        pid = f"p{i:07d}"
        born = as_of - dt.timedelta(days=rng.randrange(18 * 365, 85 * 365))
        out: list[Resource] = [
            {"resourceType": "Patient", "id": pid, "birthDate": born.isoformat()}
        ]
        on_jak = rng.random() < 0.8
        first = as_of - dt.timedelta(days=rng.randrange(-20, 900))
        courses = 0
        if on_jak:
            for _ in range(rng.choice([1, 1, 1, 2, 3])):
                start = first + dt.timedelta(days=rng.randrange(0, 300) * courses)
                med = _medication(kb, pid, courses, rng.choice(drugs), start, rng)
                out.extend(_by_reference(med, rng))
                courses += 1
        if rng.random() < 0.3:
            out.append(
                {
                    "resourceType": "MedicationStatement",
                    "id": f"{pid}-x",
                    "status": "active",
                    "subject": {"reference": f"Patient/{pid}"},
                    "medicationCodeableConcept": {"text": "methotrexate 15 mg weekly"},
                    "effectiveDateTime": first.isoformat(),
                }
            )
        for k in range(rng.randrange(0, 14)):
            day = _day(first - dt.timedelta(days=120), rng, 1100)
            out.append(_observation(kb, pid, k, day, rng))
        yield out


def write_population(
    folder: Path, kb: Knowledge, n: int, seed: int, as_of: dt.date, gz: bool = True
) -> dict[str, list[Resource]]:
    """Write Bulk NDJSON files (one per type) and return each patient's resources."""
    folder.mkdir(parents=True, exist_ok=True)
    by_patient: dict[str, list[Resource]] = {}
    handles: dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        for resources in population(kb, n, seed, as_of):
            by_patient[resources[0]["id"]] = resources
            for r in resources:
                rtype = r["resourceType"]
                if rtype not in handles:
                    name = f"{rtype}.000.ndjson" + (".gz" if gz else "")
                    path = folder / name
                    if gz:
                        handles[rtype] = stack.enter_context(gzip.open(path, "wt"))
                    else:
                        handles[rtype] = stack.enter_context(path.open("w"))
                handles[rtype].write(json.dumps(r) + "\n")
    return by_patient


Key = tuple[str, str, str, str, str, str | None]


def engine_findings(
    kb: Knowledge, resources: list[Resource], as_of: dt.date, region: Region
) -> tuple[str | None, list[Key]]:
    """(therapy drug, covered findings) of the per-patient path: FHIR adapter, then ``assess``."""
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }
    read = read_bundle(bundle, kb, as_of)
    return covered(kb, read.patient.id or resources[0]["id"], read.patient, as_of, region)


@dataclass(frozen=True)
class Assessed:
    """One patient on a JAK agent, assessed the way the parity tests compare: the FHIR adapter's
    patient, ``assess`` for the agent, the region and a labelled condition of the agent."""

    kb: Knowledge
    pid: str
    patient: Any
    drug: str
    label: Any
    result: Any
    as_of: dt.date
    region: Region


def monitoring_keys(a: Assessed) -> list[Key]:
    """The label plan's due and overdue entries (the first ``len(label.monitoring)`` entries)."""
    plan: list[MonitoringOut] = a.result.monitoring[: len(a.label.monitoring)]
    keys: list[Key] = []
    for item, entry in zip(a.label.monitoring, plan, strict=True):
        assert entry.analyte == item.analyte
        if entry.status in MONITORING_SEVERITY:
            keys.append(
                (
                    a.pid,
                    a.drug,
                    "monitoring",
                    f"monitoring.{item.id}",
                    MONITORING_SEVERITY[entry.status],
                    entry.due_by.isoformat() if entry.due_by else None,
                )
            )
    return keys


# One function per kind the scan covers (``scan.kinds``): the engine's findings of that kind.
EXTRACTORS: list[Callable[[Assessed], list[Key]]] = [monitoring_keys]


def covered(
    kb: Knowledge, pid: str, patient: Any, as_of: dt.date, region: Region
) -> tuple[str | None, list[Key]]:
    """The covered findings, as (patient, drug, kind, rule, severity, due_by)."""
    therapy = patient.therapy
    if therapy is None or therapy.start_date > as_of:
        return None, []
    mono = kb.drugs[therapy.drug]
    label = mono.regions.get(region)
    if label is None:
        return therapy.drug, []
    condition = label.indications[0].condition if label.indications else next(iter(kb.conditions))
    result = assess(
        patient,
        AssessRequest(condition=condition, region=region, as_of=as_of, drugs=[therapy.drug]),
        kb,
    )
    assessed = Assessed(kb, pid, patient, therapy.drug, label, result, as_of, region)
    keys: list[Key] = []
    for extract in EXTRACTORS:
        keys.extend(extract(assessed))
    return therapy.drug, keys


def scan_keys(worklist: list[dict[str, Any]]) -> dict[str, list[Key]]:
    """The scan's worklist rows as comparison keys, by patient."""
    out: dict[str, list[Key]] = {}
    for row in worklist:
        due = row["due_by"]
        out.setdefault(row["patient_id"], []).append(
            (
                row["patient_id"],
                row["drug"],
                row["kind"],
                row["rule"],
                row["severity"],
                due.isoformat() if due is not None else None,
            )
        )
    return out
