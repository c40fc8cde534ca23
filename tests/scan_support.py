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
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jakguide.adapters.fhir import read_bundle
from jakguide.adapters.fhir.codes import code_tables
from jakguide.engine import assess
from jakguide.kb.base import Knowledge
from jakguide.model import AssessRequest, MonitoringOut, Region
from jakguide.rules import screening as screening_rules
from jakguide.rules.context import Context
from jakguide.scan.kinds.monitoring import MONITORING_SEVERITY
from jakguide.scan.kinds.screening import SCREENING_SEVERITY, STATUS_OF_STATE, test_items
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


def _screening_tests(pid: str, first: dt.date, rng: random.Random) -> list[Resource]:
    """Screening tests (codes.yaml ``screening_tests``, coded results from ``results``): some
    missing, some long before the start, after ``as_of``, undated, cancelled, preliminary or
    entered in error; mostly negative, a few positive or indeterminate; repeats on other days."""
    tables = code_tables().tables
    tests = tables["screening_tests"]
    results = tables["results"]
    out: list[Resource] = []
    for item in sorted(test_items()):
        if item not in tests.items or rng.random() < 0.35:
            continue  # not tested
        offsets = sorted(rng.sample(range(-120, 1100), rng.choice([1, 1, 1, 2, 3])))
        for k, offset in enumerate(offsets):
            day = first - dt.timedelta(days=offset)
            roll = rng.random()
            result = "positive" if roll < 0.06 else "indeterminate" if roll < 0.09 else "negative"
            coding = rng.choice(results.items[result])
            status = rng.choices(
                ["final", "amended", "corrected", "preliminary", "cancelled", "entered-in-error"],
                [80, 5, 3, 4, 5, 3],
            )[0]
            code = rng.choice(tests.items[item])
            res: Resource = {
                "resourceType": "Observation",
                "id": f"{pid}-s{item}{k}",
                "status": status,
                "subject": {"reference": f"Patient/{pid}"},
                "code": {"coding": [{"system": code.system or tests.system, "code": code.code}]},
            }
            if k == 0 and rng.random() < 0.03:
                res["effectiveDateTime"] = day.isoformat()[:7]  # partial: undated for rules
            elif rng.random() < 0.2:
                res["effectiveDateTime"] = f"{day.isoformat()}T09:30:00Z"
            else:
                res["effectiveDateTime"] = day.isoformat()
            if status != "cancelled":
                res["valueCodeableConcept"] = {
                    "coding": [
                        {
                            "system": coding.system or results.system,
                            "code": coding.code,
                            "display": coding.display,
                        }
                    ]
                }
            out.append(res)
    return out


def _interacting(kb: Knowledge) -> list[str]:
    """Ingredients of the classes the labels' interaction rows name (every region)."""
    named: set[str] = set()

    def walk(when: Any) -> None:
        named.update(when.classes or [])
        named.update(when.all_classes or [])
        for sub in when.any_of or []:
            walk(sub)

    for mono in kb.drugs.values():
        for label in mono.regions.values():
            for adj in label.adjustments:
                if adj.kind == "interaction":
                    walk(adj.when)
    return sorted({i for c in named for i in kb.class_members(c)})


def _comedication(
    kb: Knowledge, pid: str, n: int, first: dt.date, interacting: list[str], rng: random.Random
) -> Resource:
    """A co-medication from an interaction class: by ingredient or product RxNorm code, INN
    text, brand name or a topical product; requests and statements in every status."""
    ingredient = rng.choice(interacting)
    products = [p for p in kb.products.values() if p.ingredients == [ingredient]]
    brands = [b for e in kb.names if e.inn == ingredient for bs in e.brands.values() for b in bs]
    member = next(
        (m for c in kb.classes_of(ingredient) for m in kb.classes[c].members
         if m.ingredient == ingredient and m.rxnorm),
        None,
    )  # fmt: skip
    roll = rng.random()
    concept: dict[str, Any]
    if roll < 0.25 and products:
        p = rng.choice(products)
        concept = {"coding": [{"system": RX, "code": p.rxnorm, "display": p.name}]}
    elif roll < 0.4 and member is not None:
        concept = {"coding": [{"system": RX, "code": member.rxnorm, "display": ingredient}]}
    elif roll < 0.55 and brands:
        concept = {"text": rng.choice(brands)}
    else:
        concept = {"text": rng.choice([ingredient, ingredient.upper(), f"{ingredient} 200 mg"])}
    start = first + dt.timedelta(days=rng.randrange(-400, 400))
    if rng.random() < 0.4:
        return {
            "resourceType": "MedicationRequest",
            "id": f"{pid}-c{n}",
            "status": rng.choice(["active", "active", "stopped", "entered-in-error", "on-hold"]),
            "intent": rng.choice(["order", "order", "plan", "proposal"]),
            "subject": {"reference": f"Patient/{pid}"},
            "medicationCodeableConcept": concept,
            "authoredOn": _date_text(start, rng),
        }
    res: Resource = {
        "resourceType": "MedicationStatement",
        "id": f"{pid}-c{n}",
        "status": rng.choice(
            ["active", "active", "active", "completed", "stopped", "entered-in-error", "unknown"]
        ),
        "subject": {"reference": f"Patient/{pid}"},
        "medicationCodeableConcept": concept,
    }
    if rng.random() < 0.5:
        res["effectiveDateTime"] = _date_text(start, rng)
    else:
        period = {"start": _date_text(start, rng)}
        if rng.random() < 0.5:
            period["end"] = (start + dt.timedelta(days=rng.randrange(10, 900))).isoformat()
        res["effectivePeriod"] = period
    return res


def population(kb: Knowledge, n: int, seed: int, as_of: dt.date) -> Iterator[list[Resource]]:
    """The resources of each patient, one list per patient (the Patient first)."""
    rng = random.Random(seed)
    drugs = sorted({m.id for m in kb.marketed("US")} | {m.id for m in kb.marketed("EU")})
    interacting = _interacting(kb)
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
                out.append(_medication(kb, pid, courses, rng.choice(drugs), start, rng))
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
        out.extend(_screening_tests(pid, first, rng))
        for k in range(rng.choice([0, 0, 0, 1, 1, 2])):
            out.append(_comedication(kb, pid, k, first, interacting, rng))
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


_DUE_BY = re.compile(r"due by (\d{4}-\d{2}-\d{2})")


def screening_keys(a: Assessed) -> list[Key]:
    """The label's screening tests the engine reports: the option's ``screening.<item>`` finding
    (a positive result) or the checklist entry (``Assessment.screening``) when it needs action
    (missing) or is due (TB repeat on therapy, its due date as the engine words it)."""
    option = next(o for o in a.result.options if o.drug == a.drug)
    positive = {f.rule: f for f in option.findings if f.kind == "screening"}
    checklist = {s.item: s for s in a.result.screening}
    if option.status in ("not-indicated", "contraindicated"):
        # The engine leaves such an option out of its checklist; the patient takes the agent
        # all the same, so the scan lists its tests: compare with the engine's own screening
        # rules for that agent's label (docs/scan.md).
        ctx = Context(a.patient, a.kb, a.as_of)
        entries = screening_rules.collect(ctx, {a.drug: a.label.screening})
        checklist = {e.item: screening_rules.status_of(ctx, e) for e in entries.values()}
    severity_of = {status: SCREENING_SEVERITY[state] for state, status in STATUS_OF_STATE.items()}
    keys: list[Key] = []
    for item in a.label.screening:
        if item.item not in test_items():
            continue
        rule = f"screening.{item.item}"
        if rule in positive:
            keys.append((a.pid, a.drug, "screening", rule, positive[rule].severity, None))
            continue
        entry = checklist.get(item.item)
        if entry is None or entry.status not in severity_of:
            continue
        due = _DUE_BY.search(entry.detail) if entry.status == "due" else None
        keys.append(
            (
                a.pid,
                a.drug,
                "screening",
                rule,
                severity_of[entry.status],
                due.group(1) if due else None,
            )
        )
    return keys


def interaction_keys(a: Assessed) -> list[Key]:
    """The option's interaction findings by label row (``interactions.<row id>``); medicines
    the knowledge cannot identify (``interactions.unidentified``) are not covered."""
    option = next(o for o in a.result.options if o.drug == a.drug)
    return sorted(
        {
            (a.pid, a.drug, "interaction", f.rule, f.severity, None)
            for f in option.findings
            if f.kind == "interaction" and f.rule != "interactions.unidentified"
        }
    )


# One function per kind the scan covers (``scan.kinds``): the engine's findings of that kind.
EXTRACTORS: list[Callable[[Assessed], list[Key]]] = [
    monitoring_keys,
    screening_keys,
    interaction_keys,
]


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
