"""Interactions: a co-medication taken on ``as_of`` in an interaction class of the agent's label.

Mirrors ``rules.interactions.check_interactions`` for a patient on therapy: each interaction row of
the label (``adjustments`` of kind ``interaction``, with the EMA lower-dose rows) for the
condition the agent is taken for (``s_condition_for``, ``scan.conditions``), whose
``when`` holds, gives one finding ``interactions.<row id>`` with the engine's severity for the
row's action (``rules.adjustments.applied_findings``).

``when`` is read as the engine's predicates read it: ``classes`` (a current medicine in any of
them), ``all_classes`` (one in each), ``any_of`` (either branch) and ``age_years`` (whole years
on ``as_of``); the agent itself never counts (``Context.classes_excluding``). A row whose ``when``
uses another input (weight, renal, hepatic, ...) is not covered by the scan (docs/scan.md).

Medicines are terminology: each distinct (RxNorm code, text) of the export is resolved once, by
the engine's own ``Context.current_classes`` (ingredients via ``kb.names.resolve_ingredients``,
the route of the code or the name, the class's routes), into ``k_comed``. "Taken on ``as_of``"
is ``scan.rules.taken_sql`` (the FHIR adapter's ``_current``), as for the JAK agent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from jakguide.kb.base import Knowledge
from jakguide.kb.schema import RegionLabel, When
from jakguide.model import Medication, Patient, Region
from jakguide.rules.adjustments import Evaluated, applicable_adjustments, applied_findings
from jakguide.rules.context import Context
from jakguide.rules.truth import Outcome
from jakguide.scan.conditions import condition_note
from jakguide.scan.kinds.base import Kind, Terms
from jakguide.scan.rules import Sql, taken_sql
from jakguide.scan.tables import Table, source_ids

# The keys of ``When`` the scan evaluates; a row using any other key is left to the engine.
COVERED_KEYS = frozenset({"classes", "all_classes", "any_of", "age_years"})
AGE_BOUNDS = ("gte", "gt", "lte", "lt")


@dataclass(frozen=True)
class Branch:
    """One way a row's ``when`` holds: every group has a medicine in one of its classes, and
    the age is in every band."""

    groups: tuple[tuple[str, ...], ...]
    ages: tuple[dict[str, float | None], ...]


def branches(when: When) -> list[Branch] | None:
    """``when`` as alternatives of conjunctions; None when it uses a key the scan cannot read."""
    given = set(when.model_dump(exclude_none=True, exclude_defaults=True))
    if not given or not given <= COVERED_KEYS:
        return None
    groups: list[tuple[str, ...]] = []
    if when.classes is not None:
        groups.append(tuple(when.classes))
    if when.all_classes is not None:
        groups.extend((c,) for c in when.all_classes)
    ages: tuple[dict[str, float | None], ...] = ()
    if when.age_years is not None:
        ages = ({b: getattr(when.age_years, b) for b in AGE_BOUNDS},)
    base = [Branch(tuple(groups), ages)]
    if when.any_of is None:
        return base
    out: list[Branch] = []
    for sub in when.any_of:
        found = branches(sub)
        if found is None:
            return None
        out.extend(Branch(b.groups + s.groups, b.ages + s.ages) for b in base for s in found)
    return out


def severity_of(kb: Knowledge, row: Evaluated) -> str:
    """The engine's severity for an applying row (its finding of kind ``interaction``)."""
    found = [f for f in applied_findings(kb, row) if f.kind == "interaction"]
    return found[0].severity


def tables(kb: Knowledge, region: Region) -> list[Table]:
    """``k_inter_rule`` (severity, sources), ``k_inter_branch`` (groups, age band) and
    ``k_inter_group`` (class ids of each group), for every marketed agent's covered rows, per
    labelled condition (``applicable_adjustments``; joined on ``s_condition_for``)."""
    rules: list[tuple[Any, ...]] = []
    alts: list[tuple[Any, ...]] = []
    groups: list[tuple[Any, ...]] = []
    for mono in kb.marketed(region):
        label = mono.regions[region]
        for condition in dict.fromkeys(i.condition for i in label.indications):
            if not all(i.source.verified for i in label.indications if i.condition == condition):
                # The engine reports no interaction row under an unverified indication
                # (``rules.interactions``): no row for that condition.
                continue
            _condition_rows(kb, mono.id, label, condition, rules, alts, groups)
    return [
        Table(
            "k_inter_rule",
            (
                ("drug", "VARCHAR"),
                ("condition", "VARCHAR"),
                ("rule", "VARCHAR"),
                ("position", "INTEGER"),
                ("severity", "VARCHAR"),
                ("limited", "BOOLEAN"),
                ("sources", "VARCHAR"),
            ),
            rules,
        ),
        Table(
            "k_inter_branch",
            (
                ("drug", "VARCHAR"),
                ("condition", "VARCHAR"),
                ("rule", "VARCHAR"),
                ("branch", "INTEGER"),
                ("n_groups", "INTEGER"),
                *((f"age_{k}", "DOUBLE") for k in AGE_BOUNDS),
            ),
            alts,
        ),
        Table(
            "k_inter_group",
            (
                ("drug", "VARCHAR"),
                ("condition", "VARCHAR"),
                ("rule", "VARCHAR"),
                ("branch", "INTEGER"),
                ("grp", "INTEGER"),
                ("class_id", "VARCHAR"),
                ("class_name", "VARCHAR"),
            ),
            groups,
        ),
    ]


def _condition_rows(
    kb: Knowledge,
    drug: str,
    label: RegionLabel,
    condition: str,
    rules: list[tuple[Any, ...]],
    alts: list[tuple[Any, ...]],
    groups: list[tuple[Any, ...]],
) -> None:
    """The covered interaction rows of ``label`` that apply to ``condition``, appended."""
    for position, adj in enumerate(applicable_adjustments(label, condition, True)):
        if adj.kind != "interaction":
            continue
        found = branches(adj.when)
        if found is None:
            continue
        rule = Evaluated(adj, Outcome.true())
        key = (drug, condition, rule.rule)
        limited = adj.conditions is not None
        rules.append((*key, position, severity_of(kb, rule), limited, source_ids([adj.source])))
        for b, branch in enumerate(found):
            band: dict[str, float | None] = dict.fromkeys(AGE_BOUNDS)
            for age in branch.ages:  # bands of one branch: all must hold (kept tightest)
                for bound, value in age.items():
                    if value is not None:
                        old = band[bound]
                        tighter = bound in ("gte", "gt")
                        band[bound] = (
                            value
                            if old is None
                            else (max(old, value) if tighter else min(old, value))
                        )
            alts.append((*key, b, len(branch.groups), *(band[k] for k in AGE_BOUNDS)))
            for g, classes in enumerate(branch.groups):
                for cid in classes:
                    groups.append((*key, b, g, cid, kb.classes[cid].name))


def comed_table(kb: Knowledge, region: Region, terms: Terms) -> list[Table]:
    """(RxNorm code, text) -> (ingredient, class) for the export's distinct medicine terms.

    Each term is read as the FHIR adapter carries it (the route of its RxNorm code, no dosage
    route) and resolved by the engine's ``Context.current_classes``; only classes that some
    interaction row names are kept.
    """
    wanted: set[str] = set()
    for mono in kb.marketed(region):
        label = mono.regions[region]
        lower = label.risk_groups.lower_dose if label.risk_groups is not None else []
        for adj in [*label.adjustments, *lower]:
            if adj.kind == "interaction":
                wanted |= _classes_named(adj.when)
    rows: set[tuple[Any, ...]] = set()
    for rxnorm, text in terms:
        if not text:
            continue
        med = Medication(
            drug=text, rxnorm=rxnorm, route=kb.route_for_code(rxnorm) if rxnorm else None
        )
        ctx = Context(Patient(medications=[med]), kb, dt.date.min)
        for cid, pairs in ctx.current_classes.items():
            if cid in wanted:
                rows.update((rxnorm, text, ingredient, cid) for _entered, ingredient in pairs)
    return [
        Table(
            "k_comed",
            (
                ("rxnorm", "VARCHAR"),
                ("text", "VARCHAR"),
                ("ingredient", "VARCHAR"),
                ("class_id", "VARCHAR"),
            ),
            sorted(rows, key=lambda r: (r[0] or "", r[1], r[2], r[3])),
        )
    ]


def _classes_named(when: When) -> set[str]:
    found = set(when.classes or []) | set(when.all_classes or [])
    for sub in when.any_of or []:
        found |= _classes_named(sub)
    return found


def stages(sql: Sql, as_of: dt.date) -> list[tuple[str, str]]:
    return [("s_comed", comed_sql(sql, as_of)), ("s_interaction", interaction_sql(sql, as_of))]


def comed_sql(sql: Sql, as_of: dt.date) -> str:
    """``s_comed``: (patient, ingredient, class, text) of each medicine taken on ``as_of`` by a
    patient on therapy, in a class some interaction row names."""
    _start, taken = taken_sql(sql, as_of)
    return f"""
SELECT DISTINCT m.patient_id, c.ingredient, c.class_id, m.text
FROM s_med_record m
JOIN k_comed c ON coalesce(c.rxnorm, '') = coalesce(m.rxnorm, '') AND c.text = m.text
WHERE m.status <> 'entered-in-error' AND m.patient_id IS NOT NULL AND {taken}
  AND m.patient_id IN (SELECT patient_id FROM s_therapy)
"""


def interaction_sql(sql: Sql, as_of: dt.date) -> str:
    """``s_interaction``: each covered row whose ``when`` holds for a patient on therapy."""
    today = f"DATE '{as_of.isoformat()}'"
    birth = sql.day("p.birth_date")
    # Whole years on as_of (``Patient.age_on``): the birthday not yet reached counts one less.
    before_birthday = as_of.month * 100 + as_of.day
    age = (
        f"({as_of.year} - year({birth}) - CASE WHEN month({birth}) * 100 + day({birth}) > "
        f"{before_birthday} THEN 1 ELSE 0 END)"
    )
    bands = " AND ".join(
        f"(b.age_{k} IS NULL OR (h.age IS NOT NULL AND h.age {op} b.age_{k}))"
        for k, op in (("gte", ">="), ("gt", ">"), ("lte", "<="), ("lt", "<"))
    )
    return f"""
WITH th AS (
  SELECT t.patient_id, t.drug, c.condition, {age} AS age
  FROM s_therapy t
  JOIN s_condition_for c ON c.patient_id = t.patient_id
  LEFT JOIN (SELECT id, max(birth_date) AS birth_date FROM v_patient GROUP BY id) p
    ON p.id = t.patient_id
  WHERE t.start_day <= {today}
), hit AS (
  SELECT th.patient_id, th.drug, th.condition, th.age, g.rule, g.branch, g.grp, g.class_name,
         c.text
  FROM th JOIN k_inter_group g ON g.drug = th.drug AND g.condition = th.condition
  JOIN s_comed c ON c.patient_id = th.patient_id AND c.class_id = g.class_id
   AND c.ingredient <> th.drug
), holds AS (
  SELECT h.patient_id, h.drug, h.rule, h.branch
  FROM hit h JOIN k_inter_branch b ON b.drug = h.drug AND b.condition = h.condition
    AND b.rule = h.rule AND b.branch = h.branch
  WHERE {bands}
  GROUP BY h.patient_id, h.drug, h.rule, h.branch, b.n_groups
  HAVING count(DISTINCT h.grp) = b.n_groups
)
SELECT h.patient_id, h.drug, h.rule, r.severity, r.limited, r.sources,
       {sql.join_distinct("h.text")} AS medicines, {sql.join_distinct("h.class_name")} AS classes
FROM hit h
JOIN (SELECT DISTINCT patient_id, drug, rule, branch FROM holds) o
  ON o.patient_id = h.patient_id AND o.drug = h.drug AND o.rule = h.rule AND o.branch = h.branch
JOIN k_inter_rule r ON r.drug = h.drug AND r.condition = h.condition AND r.rule = h.rule
GROUP BY h.patient_id, h.drug, h.rule, r.severity, r.limited, r.sources
"""


def findings(sql: Sql, as_of: dt.date) -> str:
    """Worklist rows: one per interaction row that holds, naming the co-medications."""
    return f"""
SELECT x.patient_id, x.drug, 'interaction' AS kind, x.rule, x.severity,
       concat('taken with ', x.medicines, ' (', x.classes, ')',
              {condition_note("x.limited")}) AS detail,
       CAST(NULL AS DATE) AS due_by, CAST(NULL AS INTEGER) AS overdue_days, x.sources
FROM s_interaction x
JOIN s_condition_for c ON c.patient_id = x.patient_id
"""


INTERACTIONS = Kind("interaction", tables, stages, findings, comed_table)
