"""Risk groups: the US boxed warning's singled-out population and the EMA Article 20 groups.

Mirrors ``rules.warnings.check_boxed_warning`` (``boxed-warning.singled-out``, a warning: age and
the CV risk-factor count, smoking and atherosclerotic CV disease included, at or above the
label's cut-offs) and ``rules.warnings.check_risk_groups`` with ``rules.risk.risk_group_status``
(``risk-group.ema-art20``: a warning when a criterion is met, info when none is met and an input
is missing). Both are worklist rows of kind ``risk-group``; the rule is the engine's rule id.

The inputs are read the way the FHIR adapter reads them (``adapters/fhir/read.py``): age in whole
calendar years from the Patient's full birth date; smoking from the latest final smoking-status
Observation on or before ``as_of`` (undated ones only when none is dated); CV risk factors from
current Conditions and history items (myocardial infarction, stroke, malignancy, VTE) from any
Condition, each usable when not entered in error, refuted, unconfirmed or starting after
``as_of``; no usable-or-not Condition at all means history and risk factors are unknown. Every
code, cut-off and status set is a row of a knowledge table built here from ``Knowledge``,
``adapters/fhir/codes.yaml`` and the engine's own constants.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jakguide.adapters.fhir.codes import LOINC, code_tables, local_system
from jakguide.adapters.fhir.read import (
    _CV_ITEMS,
    _FINAL_OBSERVATION,
    _HISTORY_ITEMS,
    _SMOKING,
)
from jakguide.kb.base import Knowledge
from jakguide.model import Region
from jakguide.rules.context import ASCVD_HISTORY, SMOKER_STATUSES
from jakguide.rules.risk import MALIGNANCY_HISTORY, VTE_HISTORY
from jakguide.scan.kinds.base import Kind
from jakguide.scan.rules import Sql, in_list
from jakguide.scan.tables import Table, source_ids

KIND = "risk-group"
# The engine's rule ids (rules.warnings) and the severities the scan reports for them.
BOXED_RULE = "boxed-warning.singled-out"
EMA_RULE = "risk-group.ema-art20"
RISK_RULES = frozenset({BOXED_RULE, EMA_RULE})

# The smoking status the model uses when nothing usable is recorded.
_UNKNOWN = "unknown"
# The history roles of the rules (rules.risk): which history items stand for what.
_ROLES = (
    *(("ascvd", item) for item in ASCVD_HISTORY),
    ("malignancy", MALIGNANCY_HISTORY),
    ("vte", VTE_HISTORY),
)


def tables(kb: Knowledge, region: Region) -> list[Table]:
    return [*label_tables(kb, region), code_table()]


def _number(value: float) -> str:
    return f"{value:g}"  # as the engine writes it (``65``, not ``65.0``)


def label_tables(kb: Knowledge, region: Region) -> list[Table]:
    """Each marketed agent's boxed-warning population and EMA risk groups in ``region``."""
    boxed: list[tuple[Any, ...]] = []
    groups: list[tuple[Any, ...]] = []
    smoking: list[tuple[Any, ...]] = []
    for mono in kb.marketed(region):
        label = mono.regions[region]
        bw = label.boxed_warning
        if bw is not None:
            boxed.append(
                (
                    mono.id,
                    bw.singled_out_min_age_years,
                    bw.singled_out_min_cv_risk_factors,
                    bw.singled_out_text.rstrip("."),  # the detail closes the bracket
                    source_ids([bw.source]),
                )
            )
        rg = label.risk_groups
        if rg is not None:
            groups.append(
                (
                    mono.id,
                    rg.min_age_years,
                    _number(rg.min_age_years),
                    rg.cv_risk,
                    rg.malignancy_risk,
                    rg.vte_risk,
                    source_ids([rg.source]),
                )
            )
            smoking.extend((mono.id, status) for status in rg.smoking)
    return [
        Table(
            "k_boxed_warning",
            (
                ("drug", "VARCHAR"),
                ("min_age", "DOUBLE"),
                ("min_cv", "INTEGER"),
                ("population", "VARCHAR"),
                ("sources", "VARCHAR"),
            ),
            boxed,
        ),
        Table(
            "k_risk_group",
            (
                ("drug", "VARCHAR"),
                ("min_age", "DOUBLE"),
                ("min_age_text", "VARCHAR"),
                ("cv_risk", "BOOLEAN"),
                ("malignancy_risk", "BOOLEAN"),
                ("vte_risk", "BOOLEAN"),
                ("sources", "VARCHAR"),
            ),
            groups,
        ),
        Table("k_risk_group_smoking", (("drug", "VARCHAR"), ("status", "VARCHAR")), smoking),
    ]


def code_table() -> Table:
    """(use, system, code) -> item: the codes the FHIR adapter reads for these rules.

    ``use``: ``smoking-observation`` (the Observation code of a smoking status, LOINC),
    ``smoking`` (its coded value), ``cv`` (a CV risk factor), ``history`` (with ``role``
    ascvd, malignancy or vte). Items in jakguide's own code systems are read as the adapter
    reads them; the ``absent`` codes ("no information", "no known problems") are in
    ``k_condition_code`` (``scan.conditions``).
    """
    ct = code_tables()
    rows: list[tuple[Any, ...]] = []

    def add(use: str, table: str, item: str, role: str | None = None) -> None:
        t = ct.tables[table]  # type: ignore[index]
        for c in t.items.get(item, []):
            rows.append((use, c.system or t.system, c.code, item, role))

    for item in ct.tables["observations"].items:
        if item == "smoking-status":
            add("smoking-observation", "observations", item)
    for item in ct.tables["smoking_status"].items:
        if item in _SMOKING:
            add("smoking", "smoking_status", item)
    rows.extend(("smoking", local_system("smoking"), s, s, None) for s in sorted(_SMOKING))
    for item in ct.tables["cv_risk_factors"].items:
        if item in _CV_ITEMS:
            add("cv", "cv_risk_factors", item)
    rows.extend(("cv", local_system("cv-risk-factor"), i, i, None) for i in sorted(_CV_ITEMS))
    for role, item in _ROLES:
        if item in _HISTORY_ITEMS:
            add("history", "history", item, role)
            rows.append(("history", local_system("history"), item, item, role))
    # Only LOINC Observation codes are read by the view (its ``loinc`` column).
    rows = [r for r in rows if r[0] != "smoking-observation" or r[1] == LOINC]
    return Table(
        "k_risk_code",
        (
            ("use", "VARCHAR"),
            ("system", "VARCHAR"),
            ("code", "VARCHAR"),
            ("item", "VARCHAR"),
            ("role", "VARCHAR"),
        ),
        rows,
    )


def _list(sql: Sql, expr: str) -> str:
    """The distinct non-NULL values of ``expr`` in a group, sorted, joined by ', ' (or NULL)."""
    if sql.dialect == "spark":
        return f"nullif(array_join(array_sort(collect_set({expr})), ', '), '')"
    return f"string_agg(DISTINCT {expr}, ', ' ORDER BY {expr})"


def stages(sql: Sql, as_of: dt.date) -> list[tuple[str, str]]:
    return [
        ("s_risk_smoking", smoking_sql(sql, as_of)),
        ("s_risk_condition", condition_sql(sql, as_of)),
        ("s_risk_patient", patient_sql(sql, as_of)),
    ]


def smoking_sql(sql: Sql, as_of: dt.date) -> str:
    """``s_risk_smoking``: the smoking status (``read._observations``, ``latest``) of each
    patient on therapy (``s_risk_patient``, its only reader, judges no one else).

    The latest dated final result on or before ``as_of``, else the last undated one; on a tie
    the highest resource id stands for the adapter's "later in the record".
    """
    day = sql.day("o.effective")
    return f"""
SELECT patient_id, status FROM (
  SELECT o.patient_id, v.item AS status,
         row_number() OVER (
           PARTITION BY o.patient_id
           ORDER BY CASE WHEN {day} IS NULL THEN 0 ELSE 1 END DESC, {day} DESC, o.id DESC
         ) AS pick
  FROM v_observation o
  JOIN k_risk_code c ON c.use = 'smoking-observation' AND c.code = o.loinc
  JOIN k_risk_code v ON v.use = 'smoking' AND v.system = o.value_system AND v.code = o.value_code
  WHERE o.status IN {in_list(_FINAL_OBSERVATION)}
    AND o.patient_id IN (SELECT patient_id FROM s_therapy)
    AND (({day}) IS NULL OR ({day}) <= DATE '{as_of.isoformat()}')
) s WHERE pick = 1
"""


def condition_sql(sql: Sql, as_of: dt.date) -> str:
    """``s_risk_condition``: per patient, whether any Condition is recorded, the distinct CV risk
    factors of current usable ones and the history items of usable ones (``read._conditions``;
    each Condition's status from ``s_condition_status``, ``scan.conditions``)."""
    return f"""
WITH k AS (
  SELECT u.patient_id, u.present, u.usable, u.current_, k.use, k.item, k.role
  FROM s_condition_status u
  JOIN v_risk_condition c ON c.id = u.id AND c.patient_id = u.patient_id
  LEFT JOIN k_risk_code k ON k.use IN ('cv', 'history') AND k.system = c.system
    AND k.code = c.code
)
SELECT patient_id,
       max(CASE WHEN present THEN 1 ELSE 0 END) AS known,
       count(DISTINCT CASE WHEN usable AND current_ AND use = 'cv' THEN item END) AS n_cv,
       {_list(sql, "CASE WHEN usable AND current_ AND use = 'cv' THEN item END")} AS cv_items,
       count(DISTINCT CASE WHEN usable AND role = 'ascvd' THEN item END) AS n_ascvd,
       {_list(sql, "CASE WHEN usable AND use = 'history' THEN item END")} AS history_items,
       max(CASE WHEN usable AND role = 'malignancy' THEN 1 ELSE 0 END) AS malignancy,
       max(CASE WHEN usable AND role = 'vte' THEN 1 ELSE 0 END) AS vte
FROM k
GROUP BY patient_id
"""


def patient_sql(sql: Sql, as_of: dt.date) -> str:
    """``s_risk_patient``: the facts of each patient on therapy (``Context.age``,
    ``Context.cv_risk_count``; NULL where the engine's is None)."""
    today = f"DATE '{as_of.isoformat()}'"
    birth = sql.day("p.birth_date")
    # Whole years on as_of, the birthday itself counting (Patient.age_on).
    age = (
        f"CASE WHEN {birth} IS NOT NULL THEN {as_of.year} - year({birth}) - "
        f"CASE WHEN month({birth}) > {as_of.month} OR (month({birth}) = {as_of.month} "
        f"AND dayofmonth({birth}) > {as_of.day}) THEN 1 ELSE 0 END END"
    )
    smoker = f"CASE WHEN x.smoking IN {in_list(frozenset(SMOKER_STATUSES))} THEN 1 ELSE 0 END"
    return f"""
SELECT x.*,
       CASE WHEN NOT x.known AND x.smoking = '{_UNKNOWN}' THEN CAST(NULL AS INTEGER)
            ELSE x.n_cv + x.n_ascvd + {smoker} END AS cv_count,
       concat_ws('; ', concat('smoking: ', x.smoking),
                 CASE WHEN x.cv_items IS NOT NULL
                      THEN concat('cardiovascular risk factors: ', x.cv_items) END,
                 CASE WHEN x.history_items IS NOT NULL
                      THEN concat('history: ', x.history_items) END,
                 CASE WHEN NOT x.known THEN 'no Conditions recorded' END) AS facts
FROM (
  SELECT t.patient_id, t.drug, {age} AS age,
         coalesce(s.status, '{_UNKNOWN}') AS smoking,
         coalesce(c.known, 0) = 1 AS known,
         coalesce(c.n_cv, 0) AS n_cv, replace(c.cv_items, '-', ' ') AS cv_items,
         coalesce(c.n_ascvd, 0) AS n_ascvd, replace(c.history_items, '-', ' ') AS history_items,
         coalesce(c.malignancy, 0) = 1 AS malignancy, coalesce(c.vte, 0) = 1 AS vte
  FROM s_therapy t
  LEFT JOIN (SELECT id, min(birth_date) AS birth_date FROM v_patient GROUP BY id) p
    ON p.id = t.patient_id
  LEFT JOIN s_risk_smoking s ON s.patient_id = t.patient_id
  LEFT JOIN s_risk_condition c ON c.patient_id = t.patient_id
  WHERE t.start_day <= {today}
) x
"""


def findings(sql: Sql, as_of: dt.date) -> str:
    """Worklist rows: the boxed warning's population (US) and the EMA risk groups (EU)."""
    text = sql.text
    no_date = "CAST(NULL AS DATE) AS due_by, CAST(NULL AS INTEGER) AS overdue_days"
    in_group = (
        "(p.age IS NOT NULL AND p.age >= g.min_age) OR gs.status IS NOT NULL "
        "OR (g.cv_risk AND (p.n_cv > 0 OR p.n_ascvd > 0)) "
        "OR (g.malignancy_risk AND p.malignancy) OR (g.vte_risk AND p.vte)"
    )
    missing = f"p.age IS NULL OR p.smoking = '{_UNKNOWN}' OR NOT p.known"  # cv-risk implies history
    met = (
        "concat_ws('; ', "
        f"CASE WHEN p.age >= g.min_age THEN concat('age ', CAST(p.age AS {text}), "
        "' years (>= ', g.min_age_text, ')') END, "
        "CASE WHEN gs.status IS NOT NULL THEN concat('smoking: ', p.smoking) END, "
        "CASE WHEN g.cv_risk AND p.n_cv > 0 "
        "THEN concat('cardiovascular risk factors: ', p.cv_items) END, "
        "CASE WHEN g.cv_risk AND p.n_ascvd > 0 "
        "THEN 'history of atherosclerotic cardiovascular disease' END, "
        "CASE WHEN g.malignancy_risk AND p.malignancy THEN 'history of malignancy' END, "
        "CASE WHEN g.vte_risk AND p.vte THEN 'history of venous thromboembolism' END)"
    )
    not_recorded = (
        "concat_ws(', ', CASE WHEN p.age IS NULL THEN 'age or birth date' END, "
        f"CASE WHEN p.smoking = '{_UNKNOWN}' THEN 'smoking status' END, "
        "CASE WHEN g.cv_risk AND NOT p.known THEN 'cardiovascular risk factors' END, "
        "CASE WHEN NOT p.known THEN 'medical history (malignancy, VTE)' END)"
    )
    return f"""
SELECT p.patient_id, p.drug, '{KIND}' AS kind, '{BOXED_RULE}' AS rule, 'warning' AS severity,
       concat('In the population the boxed warning singles out (', b.population, '): age ',
              CAST(p.age AS {text}), ' years, cardiovascular risk factors (smoking included): ',
              CAST(p.cv_count AS {text}), ' (', p.facts, ')') AS detail,
       {no_date}, b.sources
FROM s_risk_patient p JOIN k_boxed_warning b ON b.drug = p.drug
WHERE p.age IS NOT NULL AND p.cv_count IS NOT NULL
  AND p.age >= b.min_age AND p.cv_count >= b.min_cv
UNION ALL
SELECT patient_id, drug, '{KIND}' AS kind, '{EMA_RULE}' AS rule, severity, detail,
       {no_date}, sources
FROM (
  SELECT p.patient_id, p.drug, g.sources,
         CASE WHEN {in_group} THEN 'warning' WHEN {missing} THEN 'info' END AS severity,
         CASE WHEN {in_group} THEN concat('In the EMA Article 20 risk group: ', {met})
              ELSE concat('Risk-group status unknown; not recorded: ', {not_recorded}, ' (',
                          p.facts, ')') END AS detail
  FROM s_risk_patient p
  JOIN k_risk_group g ON g.drug = p.drug
  LEFT JOIN k_risk_group_smoking gs ON gs.drug = p.drug AND gs.status = p.smoking
) e
WHERE severity IS NOT NULL
"""


RISK = Kind("risk-group", tables, stages, findings)
