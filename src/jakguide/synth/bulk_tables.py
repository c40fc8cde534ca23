"""What the bulk generator writes, built once from the knowledge and ``population.yaml``.

Codes, drugs, labelled indications, interaction classes, thresholds and units are read from the
knowledge (and the FHIR adapter's code tables); ``population.yaml`` holds only simulation shares.
Every medicine (text, code) is checked here to resolve to the ingredient it stands for, with the
same name table the adapters use, so the truth counted from the generator's plan is what a reader
of the files finds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from jakguide.adapters.fhir.codes import CodeTables, TableName, code_tables
from jakguide.kb.base import Knowledge
from jakguide.kb.loader import load_yaml
from jakguide.kb.measures import MeasureSpec, measure_spec
from jakguide.kb.names import resolve_ingredients
from jakguide.model import Region

REGIONS: tuple[Region, Region] = ("US", "EU")
# Roles of the measures' drug sets (knowledge/measures.yaml `screening.sets`) in the simulation:
# the first course is drawn from B (JAK inhibitors from J), latent-TB treatment from T.
FIRST_COURSE_SET, JAK_SET, LTBI_SET = "B", "J", "T"


def population() -> dict[str, Any]:
    """The generator's parameters (``population.yaml``)."""
    text = resources.files("jakguide.synth").joinpath("population.yaml").read_text("utf-8")
    data: dict[str, Any] = load_yaml(text)
    return data


@dataclass(frozen=True)
class Med:
    """One way a medicine is written: text, optional RxNorm code, and what it resolves to."""

    ingredient: str
    text: str
    rxnorm: str | None
    concept: str  # the medicationCodeableConcept, as JSON


@dataclass(frozen=True)
class Threshold:
    """A label lab rule in the analyte's canonical unit (from the knowledge)."""

    analyte: str
    comparator: str
    value: float
    upper: float | None


@dataclass
class Tables:
    kb: Knowledge
    pop: dict[str, Any]
    condition_codes: dict[str, str]  # condition id -> JSON CodeableConcept
    condition_label: dict[str, str]  # condition id -> the condition its code maps back to
    jak_for: dict[tuple[str, Region], list[str]]  # (condition, region) -> oral JAK INNs
    meds: dict[str, list[Med]]  # ingredient -> ways it is written
    biologics: list[str]  # non-JAK members of B with a usable way to write them
    interacting: list[str]  # interaction-class members with a usable way to write them
    thresholds: dict[tuple[str, Region], list[Threshold]]
    b_set: frozenset[str]
    j_set: frozenset[str]
    history: dict[str, str]  # history item -> JSON CodeableConcept (SNOMED CT)
    screening: dict[str, tuple[str, str]]  # item -> (LOINC code, display)
    results: dict[str, str]  # positive/negative/indeterminate -> JSON CodeableConcept
    smoking: dict[str, str]
    spec: MeasureSpec
    ltbi_regimens: list[tuple[tuple[str, ...], int, float]]  # (ingredients, days, share)
    loinc: dict[str, tuple[str, str]] = field(default_factory=dict)  # analyte -> (code, name)
    factors: dict[tuple[str, str], float] = field(default_factory=dict)  # canonical per unit


def _concept(system: str, code: str | None, display: str, text: str | None = None) -> str:
    body: dict[str, Any] = {}
    if code is not None:
        body["coding"] = [{"system": system, "code": code, "display": display}]
    if text is not None:
        body["text"] = text
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def _first(codes: CodeTables, table: TableName, item: str) -> tuple[str, str, str]:
    found = codes.preferred(table, item)
    if found is None:
        raise KeyError(f"codes.yaml {table}: no code for {item!r}")
    return found


def _med_variants(kb: Knowledge, inn: str, codes: list[str], brands: list[str]) -> list[Med]:
    rx = "http://www.nlm.nih.gov/research/umls/rxnorm"
    out: list[Med] = []
    names = [*brands[:3], inn]
    for name in names:
        for code in [*codes[:1], None]:
            if resolve_ingredients(kb, name, code) != [inn]:
                continue  # written this way, a reader would not find the ingredient
            display = kb.products[code].name if code in kb.products else name
            out.append(Med(inn, name, code, _concept(rx, code, display, name)))
    return out


def _oral(kb: Knowledge, inn: str) -> bool:
    mono = kb.drugs[inn]
    return bool(mono.forms) and all(f.route == "oral" for f in mono.forms)


def build(kb: Knowledge) -> Tables:
    """The tables, checked against the knowledge (``KeyError`` names what is missing)."""
    pop = population()
    codes = code_tables()
    cond_codes, cond_label = {}, {}
    for cid in pop["conditions"]:
        cond = kb.conditions[cid]
        code = cond.snomed[0] if cond.snomed else None
        cond_codes[cid] = _concept("http://snomed.info/sct", code, cond.name, cond.name)
        # as a reader maps it back (scan.breakdown): the first condition listing the code
        back = sorted(c for c, k in kb.conditions.items() if code is not None and code in k.snomed)
        cond_label[cid] = back[0] if back else "unknown"
    jak_for: dict[tuple[str, Region], list[str]] = {}
    thresholds: dict[tuple[str, Region], list[Threshold]] = {}
    meds: dict[str, list[Med]] = {}
    for inn, mono in sorted(kb.drugs.items()):
        if not _oral(kb, inn):
            continue  # creams (ruxolitinib, delgocitinib) are not systemic JAK therapy
        product_codes = [c for c, p in sorted(kb.products.items()) if p.ingredients == [inn]]
        rx = [mono.rxnorm] if mono.rxnorm else product_codes
        brands = sorted({b for label in mono.regions.values() for b in label.brands})
        meds[inn] = _med_variants(kb, inn, rx, brands)
        for region, label in mono.regions.items():
            for ind in label.indications:
                jak_for.setdefault((ind.condition, region), []).append(inn)
            rules = []
            for lab in label.labs:
                if lab.context != "on-therapy" or lab.comparator == "drop-gt":
                    continue
                f = float(kb.factor(lab.analyte, lab.unit) or 1)
                upper = lab.upper * f if lab.upper is not None else None
                rules.append(Threshold(lab.analyte, lab.comparator, lab.value * f, upper))
            thresholds[(inn, region)] = rules
    spec = measure_spec(kb)
    b_set, j_set = spec.sets[FIRST_COURSE_SET], spec.sets[JAK_SET]
    by_inn = {e.inn: e for e in kb.names}
    rxnorm_of = {m.ingredient: m.rxnorm for c in kb.classes.values() for m in c.members}

    def variants(inn: str) -> list[Med]:
        entry = by_inn.get(inn)
        brands = sorted({b for bs in entry.brands.values() for b in bs}) if entry else []
        code = rxnorm_of.get(inn)
        return _med_variants(kb, inn, [code] if code else [], brands)

    biologics = []
    for inn in sorted(b_set - j_set):
        meds[inn] = variants(inn)
        if meds[inn]:
            biologics.append(inn)
    interacting = []
    for cls in sorted(kb.classes.values(), key=lambda c: c.id):
        if cls.kind != "interaction":
            continue
        for m in cls.members:
            if m.ingredient in meds or m.ingredient in b_set:
                continue
            meds[m.ingredient] = variants(m.ingredient)
            if meds[m.ingredient]:
                interacting.append(m.ingredient)
    regimens = []
    for name, (ingredients, days, share) in pop["latent_tb_regimens"].items():
        for inn in ingredients:
            if inn not in spec.sets[LTBI_SET]:
                raise KeyError(f"population.yaml latent_tb_regimens.{name}: {inn!r} is not in T")
            meds.setdefault(inn, variants(inn))
            if not meds[inn]:
                raise KeyError(f"population.yaml latent_tb_regimens.{name}: {inn!r} unwritable")
        regimens.append((tuple(ingredients), int(days), float(share)))
    history = {}
    for item in (
        "vte",
        "myocardial-infarction",
        "stroke",
        "malignancy",
        "serious-infection",
        "herpes-zoster",
        "gi-perforation",
        "hbv-active",
        "hcv-active",
        "heart-failure",
    ):
        system, code, display = _first(codes, "history", item)
        history[item] = _concept(system, code, display, display)
    for item in ("hypertension", "diabetes", "dyslipidemia", "obesity", "chronic-kidney-disease"):
        system, code, display = _first(codes, "cv_risk_factors", item)
        history[item] = _concept(system, code, display, display)
    screening = {}
    for item in ("tb", "hbsag", "anti-hbc", "hcv"):
        _, code, display = _first(codes, "screening_tests", item)
        screening[item] = (code, display)
    results = {}
    for item in ("positive", "negative", "indeterminate"):
        system, code, display = _first(codes, "results", item)
        results[item] = _concept(system, code, display)
    smoking = {}
    for item in ("never", "former", "current"):
        system, code, display = _first(codes, "smoking_status", item)
        smoking[item] = _concept(system, code, display)
    tables = Tables(
        kb,
        pop,
        cond_codes,
        cond_label,
        jak_for,
        meds,
        biologics,
        interacting,
        thresholds,
        b_set,
        j_set,
        history,
        screening,
        results,
        smoking,
        spec,
        regimens,
    )
    for analyte in pop["labs"]:
        a = kb.analytes[analyte]
        tables.loinc[analyte] = (a.loinc[0], a.name)
        for unit in {
            a.canonical_unit,
            *(p.get(analyte, a.canonical_unit) for p in pop["unit_profiles"].values()),
        }:
            factor = kb.factor(analyte, unit)
            if factor is None:
                raise KeyError(
                    f"population.yaml: unit {unit!r} of {analyte} is not in the knowledge"
                )
            tables.factors[(analyte, unit)] = float(factor)
    return tables
