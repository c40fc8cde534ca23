"""Labs: the label threshold the latest result of each analyte crosses, for a patient on therapy.

Mirrors ``rules.labs.on_therapy_findings`` (through ``evaluate_series``) and ``same_day_findings``:

- each analyte's series is one value per day, the worse of the day's results (``s_lab``,
  ``Context._one_per_day``); only the latest result of an analyte drives a finding;
- a result after the start is judged by the on-therapy rules, the latest result on or before the
  start by the initiation rules (any crossing then means "do not start");
- a fall (``drop-gt``) is measured from the baseline: the last result on or before the start,
  else the first result;
- a rule the label qualifies ("confirmed", "persistent") takes its ``first_action`` unless the
  previous result of the series crossed the same rule (``rules.labs._confirmed``);
- the worst action wins (``ACTION_RANK``), the first rule in label order on a tie; an
  interruption or discontinuation is critical, any other action a warning;
- two different results of an analyte the label reads on one day: ``labs.same-day``;
- rules limited to some indications (``LabRule.conditions``) apply when the condition the agent
  is taken for (``s_condition_for``, ``scan.conditions``) is among them; their rows name it.

Thresholds, comparators, units, actions and confirmation are columns of ``k_lab_rule``, built from
the monographs' ``labs`` entries; values are compared in the analyte's canonical unit as exact
decimals (``scan.rules.LAB_VALUE``), as ``units.threshold_in_canonical`` does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jakguide.kb.base import Knowledge
from jakguide.kb.schema import RegionLabel
from jakguide.model import Region
from jakguide.rules.labs import (
    ACTION_RANK,
    BEFORE_START_ACTION,
    SAME_DAY_CITATION,
    STOP_ACTIONS,
    UNCONFIRMED_ACTION,
    describe,
    initiation_rules,
    on_therapy_rules,
)
from jakguide.scan.conditions import condition_note
from jakguide.scan.kinds.base import Kind
from jakguide.scan.rules import LAB_VALUE, Sql, in_list
from jakguide.scan.tables import Table, exact, source_ids
from jakguide.units import threshold_in_canonical

# The scale of a canonical threshold (``scan.rules.LAB_VALUE`` keeps 18 decimals).
THRESHOLD_SCALE = 18
# Decimals shown for a value in the worklist's ``detail``.
SHOWN_DECIMALS = 3


def tables(kb: Knowledge, region: Region) -> list[Table]:
    return [lab_rule_table(kb, region), lab_read_table(kb, region)]


def _conditions(label: RegionLabel) -> list[str | None]:
    """The label's indicated conditions, each once (None alone: no indication, every rule)."""
    found = list(dict.fromkeys(i.condition for i in label.indications))
    return [*found] if found else [None]


# A row of ``k_lab_rule`` (``r``) for the condition of ``s_condition_for`` (``c``).
_SAME_CONDITION = "coalesce(r.condition, '') = coalesce(c.condition, '')"


def lab_rule_table(kb: Knowledge, region: Region) -> Table:
    """Each marketed agent's label lab rules in ``region``, per labelled condition they apply to
    (``rules.labs.rule_applies``; joined on ``s_condition_for``).

    One row per condition, rule and context (``initiation`` or ``on-therapy``; a rule for
    ``both`` has two), in label order (``position``), with the threshold in the analyte's
    canonical unit; ``limited`` when the rule applies only to some indications.
    """
    rows: list[tuple[Any, ...]] = []
    for mono in kb.marketed(region):
        label = mono.regions[region]
        for condition in _conditions(label):
            rows.extend(_rule_rows(kb, mono.id, label, condition))
    return Table(
        "k_lab_rule",
        (
            ("drug", "VARCHAR"),
            ("condition", "VARCHAR"),
            ("position", "INTEGER"),
            ("rule", "VARCHAR"),
            ("analyte", "VARCHAR"),
            ("worse", "VARCHAR"),
            ("unit", "VARCHAR"),
            ("context", "VARCHAR"),
            ("comparator", "VARCHAR"),
            ("threshold", "VARCHAR"),
            ("upper", "VARCHAR"),
            ("action", "VARCHAR"),
            ("action_rank", "INTEGER"),
            ("requires", "VARCHAR"),
            ("first_action", "VARCHAR"),
            ("first_rank", "INTEGER"),
            ("threshold_text", "VARCHAR"),
            ("limited", "BOOLEAN"),
            ("sources", "VARCHAR"),
        ),
        rows,
    )


def _rule_rows(
    kb: Knowledge, drug: str, label: RegionLabel, condition: str | None
) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    by_context = {
        "on-therapy": {id(r) for r in on_therapy_rules(label, condition)},
        "initiation": {id(r) for r in initiation_rules(label, condition)},
    }
    for position, rule in enumerate(label.labs):
        analyte = kb.analytes[rule.analyte]
        for context, ids in by_context.items():
            if id(rule) not in ids:
                continue
            if analyte.worse is None:
                raise ValueError(
                    f"scan: {rule.analyte} (rule {drug} {rule.id}) has no 'worse' "
                    "direction: same-day results could not be settled as the engine does"
                )
            threshold = threshold_in_canonical(kb, rule.analyte, rule.value, rule.unit)
            upper = (
                threshold_in_canonical(kb, rule.analyte, rule.upper, rule.unit)
                if rule.upper is not None
                else None
            )
            first = (rule.first_action or UNCONFIRMED_ACTION) if rule.requires else None
            rows.append(
                (
                    drug,
                    condition,
                    position,
                    rule.id,
                    rule.analyte,
                    analyte.worse,
                    analyte.canonical_unit,
                    context,
                    rule.comparator,
                    exact(threshold, THRESHOLD_SCALE),
                    exact(upper, THRESHOLD_SCALE) if upper is not None else None,
                    rule.action,
                    ACTION_RANK[rule.action],
                    rule.requires,
                    first,
                    ACTION_RANK[first] if first is not None else None,
                    describe(rule),
                    rule.conditions is not None,
                    source_ids([rule.source]),
                )
            )
    return rows


def lab_read_table(kb: Knowledge, region: Region) -> Table:
    """The analytes each marketed agent's label reads (any lab rule, whatever the condition):
    two different results of one of them on one day are a ``labs.same-day`` finding."""
    rows: list[tuple[Any, ...]] = []
    sources = source_ids([SAME_DAY_CITATION])
    for mono in kb.marketed(region):
        for analyte in sorted({r.analyte for r in mono.regions[region].labs}):
            rows.append((mono.id, analyte, kb.analytes[analyte].canonical_unit, sources))
    return Table(
        "k_lab_read",
        (("drug", "VARCHAR"), ("analyte", "VARCHAR"), ("unit", "VARCHAR"), ("sources", "VARCHAR")),
        rows,
    )


def stages(sql: Sql, as_of: dt.date) -> list[tuple[str, str]]:
    return [("s_lab_latest", latest_sql(as_of)), ("s_lab_crossing", crossing_sql())]


def latest_sql(as_of: dt.date) -> str:
    """``s_lab_latest``: per patient on therapy and analyte a rule of the agent reads (for the
    condition it is taken for), the
    latest result, the one before it and the baseline (last on or before the start, else the
    first), each the worse value of its day."""
    today = f"DATE '{as_of.isoformat()}'"
    return f"""
WITH t AS (
  SELECT DISTINCT t.patient_id, t.drug, t.start_day, r.analyte, r.worse
  FROM s_therapy t
  JOIN s_condition_for c ON c.patient_id = t.patient_id
  JOIN k_lab_rule r ON r.drug = t.drug AND {_SAME_CONDITION}
  WHERE t.start_day <= {today}
), s AS (
  SELECT t.patient_id, t.drug, t.start_day, t.analyte, l.day,
         CASE WHEN t.worse = 'high' THEN l.value_high ELSE l.value_low END AS value,
         row_number() OVER (PARTITION BY t.patient_id, t.analyte ORDER BY l.day DESC) AS back
  FROM t JOIN s_lab l ON l.patient_id = t.patient_id AND l.analyte = t.analyte
)
SELECT patient_id, drug, start_day, analyte,
       max(day) AS last_day,
       max(CASE WHEN back = 1 THEN value END) AS last_value,
       max(CASE WHEN back = 2 THEN value END) AS prev_value,
       coalesce(max_by(value, day) FILTER (WHERE day <= start_day), min_by(value, day))
         AS base_value
FROM s
GROUP BY patient_id, drug, start_day, analyte
"""


def _crossed(value: str, base: str) -> str:
    """Whether ``value`` crosses the rule of the row (``rules.labs.is_abnormal``); never NULL."""
    t = f"CAST(r.threshold AS {LAB_VALUE})"
    upper = f"CAST(r.upper AS {LAB_VALUE})"
    return (
        f"coalesce(CASE r.comparator WHEN 'lt' THEN {value} < {t} "
        f"WHEN 'lte' THEN {value} <= {t} WHEN 'gt' THEN {value} > {t} "
        f"WHEN 'gte' THEN {value} >= {t} "
        f"WHEN 'between' THEN {value} >= {t} AND {value} <= {upper} "
        f"WHEN 'drop-gt' THEN {base} - {value} > {t} END, FALSE)"
    )


def crossing_sql() -> str:
    """``s_lab_crossing``: per patient and analyte, the rule the latest result crosses with the
    worst action (first in label order on a tie), whether a repeat confirmed it, and the action
    the engine reports."""
    base = "CASE WHEN p.last_day > p.start_day THEN p.base_value END"
    return f"""
WITH h AS (
  SELECT p.patient_id, p.drug, p.analyte, p.last_day, p.last_value,
         p.last_day > p.start_day AS after_start,
         r.position, r.rule, r.unit, r.comparator, r.threshold_text, r.sources, r.requires,
         r.action, r.action_rank, r.first_action, r.first_rank, r.limited,
         p.prev_value IS NOT NULL AND {_crossed("p.prev_value", base)} AS prev_crossed
  FROM s_lab_latest p
  JOIN s_condition_for c ON c.patient_id = p.patient_id
  JOIN k_lab_rule r ON r.drug = p.drug AND r.analyte = p.analyte AND {_SAME_CONDITION}
   AND r.context = CASE WHEN p.last_day > p.start_day THEN 'on-therapy' ELSE 'initiation' END
  WHERE {_crossed("p.last_value", base)}
), a AS (
  SELECT h.*,
         h.requires IS NULL OR h.prev_crossed AS confirmed,
         CASE WHEN h.requires IS NULL OR h.prev_crossed THEN h.action_rank ELSE h.first_rank END
           AS rank_,
         CASE WHEN h.requires IS NULL OR h.prev_crossed THEN h.action ELSE h.first_action END
           AS rule_action
  FROM h
)
SELECT patient_id, drug, analyte, last_day, last_value, after_start, rule, unit,
       threshold_text, sources, requires, confirmed, limited,
       CASE WHEN after_start THEN rule_action ELSE '{BEFORE_START_ACTION}' END AS action
FROM (
  SELECT a.*, row_number() OVER (
    PARTITION BY a.patient_id, a.drug, a.analyte ORDER BY a.rank_ DESC, a.position
  ) AS pick
  FROM a WHERE a.rank_ > {ACTION_RANK["continue"]}
) w
WHERE pick = 1
"""


def _shown(sql: Sql, value: str) -> str:
    """A canonical value as text with at most ``SHOWN_DECIMALS`` decimals, no trailing zeros
    (the same text on DuckDB and Spark)."""
    rounded = f"CAST(round({value}, {SHOWN_DECIMALS}) AS DECIMAL(30,{SHOWN_DECIMALS}))"
    fixed = f"CAST({rounded} AS {sql.text})"
    return f"regexp_replace(regexp_replace({fixed}, '0+$', ''), '[.]$', '')"


def findings(sql: Sql, as_of: dt.date) -> str:
    """Worklist rows: each crossing (critical when it stops the drug, else a warning) and each
    day with disagreeing results of an analyte the label reads (a warning)."""
    today = f"DATE '{as_of.isoformat()}'"
    day = f"CAST(x.last_day AS {sql.text})"
    confirmation = (
        "CASE WHEN NOT x.after_start THEN '; latest result on or before the start' "
        "WHEN x.requires IS NULL THEN '' "
        "WHEN x.confirmed THEN concat('; ', x.requires, ': the previous result crossed it too') "
        "ELSE concat('; first abnormal result, not yet ', x.requires) END"
    )
    same_day = f"CAST(l.day AS {sql.text})"
    return f"""
SELECT x.patient_id, x.drug, 'lab' AS kind, concat('labs.', x.rule) AS rule,
       CASE WHEN x.action IN {in_list(frozenset(STOP_ACTIONS))} THEN 'critical'
            ELSE 'warning' END AS severity,
       concat(x.analyte, ' ', {_shown(sql, "x.last_value")}, ' ', x.unit, ' on ', {day},
              ': ', x.threshold_text, ', ', x.action, {confirmation},
              {condition_note("x.limited")}) AS detail,
       CAST(NULL AS DATE) AS due_by, CAST(NULL AS INTEGER) AS overdue_days, x.sources
FROM s_lab_crossing x
JOIN s_condition_for c ON c.patient_id = x.patient_id
UNION ALL
SELECT l.patient_id, t.drug, 'lab' AS kind, 'labs.same-day' AS rule, 'warning' AS severity,
       concat('two different ', l.analyte, ' results on ', {same_day}, ': ',
              {_shown(sql, "l.value_low")}, ' and ', {_shown(sql, "l.value_high")}, ' ',
              r.unit, ' (not timed)') AS detail,
       CAST(NULL AS DATE) AS due_by, CAST(NULL AS INTEGER) AS overdue_days, r.sources
FROM s_therapy t
JOIN k_lab_read r ON r.drug = t.drug
JOIN s_lab l ON l.patient_id = t.patient_id AND l.analyte = r.analyte
WHERE t.start_day <= {today} AND l.value_low <> l.value_high
"""


LABS = Kind(
    "lab",
    tables,
    stages,
    findings,
    lab_analytes=(
        "SELECT drug, analyte FROM k_lab_rule UNION SELECT drug, analyte FROM k_lab_read"
    ),
)
