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
from jakguide.adapters.fhir.codes import SNOMED, code_tables, local_system
from jakguide.engine import assess
from jakguide.kb.base import Knowledge
from jakguide.kb.schema import LabRule, RegionLabel
from jakguide.model import AssessRequest, MonitoringOut, Region
from jakguide.rules import screening as screening_rules
from jakguide.rules.context import Context
from jakguide.scan.kinds.monitoring import MONITORING_SEVERITY
from jakguide.scan.kinds.risk import KIND as RISK_KIND
from jakguide.scan.kinds.risk import RISK_RULES
from jakguide.scan.kinds.screening import SCREENING_SEVERITY, STATUS_OF_STATE, test_items
from jakguide.units import plausible_range, threshold_in_canonical

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


def _lab_rules(kb: Knowledge) -> list[LabRule]:
    """Every label lab rule of every marketed agent (US and EU), in a fixed order."""
    return [
        rule
        for region in ("US", "EU")
        for mono in kb.marketed(region)
        for rule in mono.regions[region].labs
    ]


def _lab(
    kb: Knowledge,
    pid: str,
    n: str,
    analyte_id: str,
    canonical: float,
    day: dt.date,
    rng: random.Random,
) -> Resource:
    """One final result of ``canonical`` (in the analyte's canonical unit) written in a random
    accepted unit or alias, as a laboratory would round it."""
    analyte = kb.analytes[analyte_id]
    conv = rng.choice(analyte.units)
    unit = rng.choice([conv.unit, *conv.aliases])
    value = round(canonical / float(conv.factor), rng.choice([1, 2, 3]))
    bounds = plausible_range(analyte, unit)
    assert bounds is not None
    value = min(max(value, float(bounds[0])), float(bounds[1]))
    quantity: dict[str, Any] = {"value": value, "unit": unit}
    if unit == conv.unit and rng.random() < 0.8:
        quantity |= {"system": UCUM, "code": unit}
    return {
        "resourceType": "Observation",
        "id": f"{pid}-{n}",
        "status": "final",
        "subject": {"reference": f"Patient/{pid}"},
        "code": {"coding": [{"system": LOINC, "code": rng.choice(analyte.loinc)}]},
        "valueQuantity": quantity,
        "effectiveDateTime": _date_text(day, rng),
    }


def _near(kb: Knowledge, rule: LabRule, rng: random.Random, base: float) -> float:
    """A canonical value near ``rule``'s threshold: beyond it, at it, or just inside."""
    t = float(threshold_in_canonical(kb, rule.analyte, rule.value, rule.unit))
    roll = rng.random()
    if rule.comparator == "drop-gt":
        return base - t * rng.choice([0.5, 1.0, 1.2, 1.6])
    if rule.comparator == "between":
        assert rule.upper is not None
        upper = float(threshold_in_canonical(kb, rule.analyte, rule.upper, rule.unit))
        return rng.choice([t, upper, t + (upper - t) * rng.random(), t * 0.8, upper * 1.2])
    if roll < 0.15:
        return t  # exactly at the threshold: lt and lte differ here
    if rule.comparator in ("lt", "lte"):
        return t * rng.uniform(0.4, 1.1)
    return t * rng.uniform(0.9, 1.6)


def _crossings(
    kb: Knowledge, pid: str, drugs: list[str], first: dt.date, rng: random.Random
) -> list[Resource]:
    """Results around label thresholds: a baseline before the start, a result beyond (or just
    inside) a threshold, a repeat 2-4 weeks later that confirms it or not, some same-day pairs
    that disagree (or agree in another unit), in every unit and alias."""
    out: list[Resource] = []
    every = _lab_rules(kb)
    # Mostly the rules of the agents taken (so that they fire), sometimes any agent's.
    own = [r for d in drugs for label in kb.drugs[d].regions.values() for r in label.labs]
    for k in range(rng.choice([1, 1, 2, 3])):
        rule = rng.choice(own if own and rng.random() < 0.8 else every)
        analyte = rule.analyte
        normal = float(threshold_in_canonical(kb, analyte, rule.value, rule.unit))
        base = normal * 2 if rule.comparator != "drop-gt" else rng.uniform(11.0, 15.0)
        if rng.random() < 0.7:
            out.append(_lab(kb, pid, f"b{k}", analyte, base, first - dt.timedelta(days=7), rng))
        day = first + dt.timedelta(days=rng.randrange(-30, 500))
        value = _near(kb, rule, rng, base)
        out.append(_lab(kb, pid, f"c{k}", analyte, value, day, rng))
        if rng.random() < 0.2:  # the same day again: the same value in another unit, or not
            again = value if rng.random() < 0.5 else _near(kb, rule, rng, base)
            out.append(_lab(kb, pid, f"d{k}", analyte, again, day, rng))
        if rng.random() < 0.6:
            repeat = day + dt.timedelta(days=rng.randrange(14, 29))
            value = _near(kb, rule, rng, base) if rng.random() < 0.6 else base
            out.append(_lab(kb, pid, f"r{k}", analyte, value, repeat, rng))
    return out


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
        taken: list[str] = []
        if on_jak:
            for _ in range(rng.choice([1, 1, 1, 2, 3])):
                start = first + dt.timedelta(days=rng.randrange(0, 300) * courses)
                taken.append(rng.choice(drugs))
                med = _medication(kb, pid, courses, taken[-1], start, rng)
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
        out.extend(_screening_tests(pid, first, rng))
        for k in range(rng.choice([0, 0, 0, 1, 1, 2])):
            out.append(_comedication(kb, pid, k, first, interacting, rng))
        if on_jak and rng.random() < 0.6:
            out.extend(_crossings(kb, pid, taken, first, rng))
        # Risk inputs from a random stream of their own (the other kinds' cases stay as they are).
        out.extend(_risk_resources(kb, out[0], as_of, random.Random(f"risk-{seed}-{i}")))
        if taken:  # the condition the agent is taken for, from a stream of its own too
            out.extend(
                _labelled_conditions(kb, pid, taken[-1], as_of, random.Random(f"cond-{seed}-{i}"))
            )
        yield out


def _limited_classes(kb: Knowledge, drug: str, condition: str) -> list[str]:
    """Classes named by the agent's interaction rows limited to ``condition`` (any region)."""
    found: list[str] = []
    for label in kb.drugs[drug].regions.values():
        for adj in label.adjustments:
            if adj.kind == "interaction" and adj.conditions and condition in adj.conditions:
                found.extend(adj.when.classes or [])
    return sorted(set(found))


def _labelled_conditions(
    kb: Knowledge, pid: str, drug: str, as_of: dt.date, rng: random.Random
) -> list[Resource]:
    """Conditions the agent is labelled for (any of them, so often not the label's first; some
    patients two, some none), coded in SNOMED CT, in jakguide's own system or as text only, in
    statuses the adapter does not use (refuted, entered in error, resolved, abated, starting
    after ``as_of``); with, sometimes, a co-medication that a row limited to that condition
    names (e.g. upadacitinib for atopic dermatitis with a strong CYP3A4 inhibitor)."""
    labelled = list(
        dict.fromkeys(
            i.condition for label in kb.drugs[drug].regions.values() for i in label.indications
        )
    )
    if not labelled or rng.random() < 0.2:
        return []
    picks = rng.sample(labelled, min(len(labelled), 2 if rng.random() < 0.2 else 1))
    out: list[Resource] = []
    for k, cid in enumerate(picks):
        cond = kb.conditions[cid]
        roll = rng.random()
        if cond.snomed and roll < 0.75:
            code: dict[str, Any] = {
                "coding": [
                    {"system": SNOMED, "code": rng.choice(cond.snomed), "display": cond.name}
                ]
            }
        elif roll < 0.9:
            code = {
                "coding": [{"system": local_system("condition"), "code": cid}],
                "text": cond.name,
            }
        else:
            code = {"text": cond.name}  # text only: not read, the condition is assumed
        res: Resource = {
            "resourceType": "Condition",
            "id": f"{pid}-k{k}",
            "subject": {"reference": f"Patient/{pid}"},
            "code": code,
            "clinicalStatus": {"coding": [{"code": "active"}]},
            "verificationStatus": {"coding": [{"code": "confirmed"}]},
            "onsetDateTime": (as_of - dt.timedelta(days=rng.randrange(200, 6000))).isoformat(),
        }
        odd = rng.random()
        if odd < 0.03:
            res["verificationStatus"] = {"coding": [{"code": "refuted"}]}
        elif odd < 0.06:
            res["verificationStatus"] = {"coding": [{"code": "entered-in-error"}]}
        elif odd < 0.09:
            res["clinicalStatus"] = {"coding": [{"code": "resolved"}]}
        elif odd < 0.11:
            res["abatementDateTime"] = (
                as_of - dt.timedelta(days=rng.randrange(1, 100))
            ).isoformat()
        elif odd < 0.13:
            res["onsetDateTime"] = (as_of + dt.timedelta(days=rng.randrange(1, 100))).isoformat()
        out.append(res)
        classes = _limited_classes(kb, drug, cid)
        if classes and rng.random() < 0.5:
            members = sorted(m for c in classes for m in kb.class_members(c) if m != drug)
            out.append(
                {
                    "resourceType": "MedicationStatement",
                    "id": f"{pid}-k{k}m",
                    "status": "active",
                    "subject": {"reference": f"Patient/{pid}"},
                    "medicationCodeableConcept": {"text": rng.choice(members)},
                    "effectiveDateTime": (
                        as_of - dt.timedelta(days=rng.randrange(1, 200))
                    ).isoformat(),
                }
            )
    return out


def _age_cutoffs(kb: Knowledge) -> list[float]:
    """The ages the boxed warnings and EMA risk groups single out, from the knowledge."""
    ages: set[float] = set()
    for mono in kb.drugs.values():
        for label in mono.regions.values():
            if label.boxed_warning is not None:
                ages.add(label.boxed_warning.singled_out_min_age_years)
            if label.risk_groups is not None:
                ages.add(label.risk_groups.min_age_years)
    return sorted(ages)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _coding(table: str, item: str, rng: random.Random) -> dict[str, Any]:
    """A code ``codes.yaml`` lists for ``item`` (any of them), or jakguide's own code."""
    t = code_tables().tables[table]  # type: ignore[index]
    codes = t.items.get(item) or []
    if codes and rng.random() < 0.9:
        c = rng.choice(codes)
        return {"system": c.system or t.system, "code": c.code, "display": c.display}
    local = {"history": "history", "cv_risk_factors": "cv-risk-factor", "smoking_status": "smoking"}
    return {"system": local_system(local[table]), "code": item}  # type: ignore[arg-type]


def _risk_condition(
    kb: Knowledge, pid: str, n: int, as_of: dt.date, rng: random.Random
) -> Resource:
    """A Condition: a labelled condition, a CV risk factor or a history item, in every status."""
    ct = code_tables().tables
    roll = rng.random()
    clinical = "active"
    onset = as_of - dt.timedelta(days=rng.randrange(1, 9000))
    if roll < 0.25:
        cond = rng.choice(sorted((c for c in kb.conditions.values() if c.snomed), key=str))
        code: dict[str, Any] = {"coding": [{"system": SNOMED, "code": cond.snomed[0]}]}
    elif roll < 0.6:
        item = rng.choice(sorted(ct["cv_risk_factors"].items))
        code = {"coding": [_coding("cv_risk_factors", item, rng)]}
    elif roll < 0.95:
        item = rng.choice(["myocardial-infarction", "stroke", "malignancy", "vte", "herpes-zoster"])
        code = {"coding": [_coding("history", item, rng)]}
        clinical = rng.choice(["active", "resolved", "inactive"])
    else:
        code = {"text": rng.choice(["back pain", "seasonal rhinitis"])}
    res: Resource = {
        "resourceType": "Condition",
        "id": f"{pid}-c{n}",
        "subject": {"reference": f"Patient/{pid}"},
        "code": code,
    }
    if rng.random() < 0.9:
        res["clinicalStatus"] = {"coding": [{"code": clinical}]}
    verification = rng.choices(
        ["confirmed", "unconfirmed", "provisional", "refuted", "entered-in-error", None],
        [80, 4, 2, 4, 4, 6],
    )[0]
    if verification is not None:
        res["verificationStatus"] = {"coding": [{"code": verification}]}
    when = rng.random()
    if when < 0.05:
        res["onsetDateTime"] = (as_of + dt.timedelta(days=rng.randrange(1, 200))).isoformat()
    elif when < 0.1:
        res["onsetPeriod"] = {"start": onset.isoformat()[:7]}
    elif when < 0.15:
        res["recordedDate"] = onset.isoformat()
    elif when < 0.9:
        res["onsetDateTime"] = onset.isoformat()
    end = rng.random()
    if end < 0.06:
        res["abatementDateTime"] = (onset + dt.timedelta(days=rng.randrange(1, 9000))).isoformat()
    elif end < 0.08:
        res["abatementPeriod"] = {"end": (as_of + dt.timedelta(days=-30)).isoformat()}
    elif end < 0.1:
        res["abatementString"] = "in childhood"
    return res


_SMOKING_STATUSES = ["final", "amended", "preliminary", "entered-in-error"]


def _smoking(pid: str, n: int, day: dt.date | None, rng: random.Random) -> Resource:
    """A smoking-status Observation: US Core codes, jakguide's former-long-term, odd values."""
    ct = code_tables().tables
    t = ct["observations"]
    res: Resource = {
        "resourceType": "Observation",
        "id": f"{pid}-s{n:02d}",
        "status": rng.choices(_SMOKING_STATUSES, [85, 5, 5, 5])[0],
        "subject": {"reference": f"Patient/{pid}"},
        "code": {"coding": [{"system": t.system, "code": t.items["smoking-status"][0].code}]},
    }
    roll = rng.random()
    if roll < 0.06:
        value: dict[str, Any] = {"coding": [{"system": SNOMED, "code": "1000000"}]}  # no status
    elif roll < 0.14:
        value = {"coding": [{"system": local_system("smoking"), "code": "former-long-term"}]}
    else:
        item = rng.choice(sorted(ct["smoking_status"].items))
        value = {"coding": [_coding("smoking_status", item, rng)]}
    res["valueCodeableConcept"] = value
    if day is not None:
        res["effectiveDateTime"] = day.isoformat()[:7] if rng.random() < 0.05 else day.isoformat()
    return res


def _risk_resources(
    kb: Knowledge, patient: Resource, as_of: dt.date, rng: random.Random
) -> list[Resource]:
    """Age around the label cut-offs (birthdays on ``as_of``), smoking history, Conditions.

    About a fifth of patients have no Condition at all (history unknown), some only "no known
    problems" or "no information"; about a quarter no smoking status.
    """
    pid = patient["id"]
    roll = rng.random()
    if roll < 0.3:
        years = int(rng.choice(_age_cutoffs(kb)))
        day = _years_before(as_of, years) + dt.timedelta(days=rng.choice([-1, 0, 0, 1]))
        patient["birthDate"] = day.isoformat()
    elif roll < 0.33:
        patient["birthDate"] = patient["birthDate"][:7]  # partial: age unknown
    elif roll < 0.35:
        del patient["birthDate"]
    out: list[Resource] = []
    roll = rng.random()
    ct = code_tables()
    if roll < 0.04:
        absent = ct.preferred("absent", "no-known-problems")
        assert absent is not None
        out.append(
            {
                "resourceType": "Condition",
                "id": f"{pid}-c0",
                "subject": {"reference": f"Patient/{pid}"},
                "verificationStatus": {"coding": [{"code": "confirmed"}]},
                "code": {"coding": [{"system": absent[0], "code": absent[1]}]},
            }
        )
    elif roll < 0.07:
        absent = ct.preferred("absent", "no-information")
        assert absent is not None
        out.append(
            {
                "resourceType": "Condition",
                "id": f"{pid}-c0",
                "subject": {"reference": f"Patient/{pid}"},
                "code": {"coding": [{"system": absent[0], "code": absent[1]}]},
            }
        )
    elif roll > 0.27:
        out.extend(_risk_condition(kb, pid, n, as_of, rng) for n in range(rng.randrange(1, 6)))
    days: list[dt.date | None] = []
    for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):
        pick = rng.random()
        if pick < 0.1:
            days.append(None)
        elif pick < 0.15 and days:
            days.append(days[-1])  # same day: the later record counts
        elif pick < 0.2:
            days.append(as_of + dt.timedelta(days=rng.randrange(1, 100)))
        else:
            days.append(as_of - dt.timedelta(days=rng.randrange(0, 4000)))
    out.extend(_smoking(pid, n, day, rng) for n, day in enumerate(days))
    return out


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
    kb: Knowledge,
    resources: list[Resource],
    as_of: dt.date,
    region: Region,
    taken_for: dict[str, TakenFor] | None = None,
) -> tuple[str | None, list[Key]]:
    """(therapy drug, covered findings) of the per-patient path: FHIR adapter, then ``assess``
    (``taken_for``, when given, receives the condition assessed, as ``covered`` fills it)."""
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }
    read = read_bundle(bundle, kb, as_of)
    pid = read.patient.id or resources[0]["id"]
    return covered(kb, pid, read.patient, as_of, region, taken_for)


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


def risk_keys(a: Assessed) -> list[Key]:
    """The agent's boxed-warning population (US) and EMA risk-group (EU) findings."""
    option = next(o for o in a.result.options if o.drug == a.drug)
    return [
        (a.pid, a.drug, RISK_KIND, f.rule, f.severity, None)
        for f in option.findings
        if f.rule in RISK_RULES
    ]


def lab_keys(a: Assessed) -> list[Key]:
    """The therapy option's label lab findings (kind ``lab``, rule ``labs.*``: thresholds and
    same-day results). ``dili-evaluation`` (also kind ``lab``) reads reference ranges the scan
    does not read, and is not covered (docs/scan.md)."""
    option = next(o for o in a.result.options if o.drug == a.drug)
    return [
        (a.pid, a.drug, "lab", f.rule, f.severity, None)
        for f in option.findings
        if f.kind == "lab" and f.rule.startswith("labs.")
    ]


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
    lab_keys,
    screening_keys,
    interaction_keys,
    risk_keys,
]


def condition_for(label: RegionLabel, recorded: list[str] | None) -> tuple[str, bool]:
    """(condition, recorded): the condition the agent is taken for, as the scan decides it
    (``scan.conditions``, ``s_condition_for``): among the knowledge conditions the FHIR adapter
    read from the patient's Conditions, the first the label indicates, in the label's
    indication order; none: the label's first indication, not recorded."""
    have = set(recorded or [])
    for ind in label.indications:
        if ind.condition in have:
            return ind.condition, True
    return label.indications[0].condition, False


@dataclass(frozen=True)
class TakenFor:
    """The condition a patient was assessed for, whether it is recorded, and how many of the
    agent's labelled conditions are recorded."""

    condition: str
    recorded: bool
    labelled: int
    first: str


def covered(
    kb: Knowledge,
    pid: str,
    patient: Any,
    as_of: dt.date,
    region: Region,
    taken_for: dict[str, TakenFor] | None = None,
) -> tuple[str | None, list[Key]]:
    """The covered findings, as (patient, drug, kind, rule, severity, due_by), from ``assess``
    for the agent, the region and the condition the agent is taken for (``condition_for``)."""
    therapy = patient.therapy
    if therapy is None or therapy.start_date > as_of:
        return None, []
    mono = kb.drugs[therapy.drug]
    label = mono.regions.get(region)
    if label is None:
        return therapy.drug, []
    condition, recorded = condition_for(label, patient.conditions)
    if taken_for is not None:
        labelled = {i.condition for i in label.indications} & set(patient.conditions or [])
        first = label.indications[0].condition
        taken_for[pid] = TakenFor(condition, recorded, len(labelled), first)
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
