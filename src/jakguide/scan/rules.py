"""The scan's rules as set-based SQL, one text for DuckDB and Spark SQL.

The queries read the scan views (``scan/views``) and the knowledge tables (``scan.tables``);
every clinical number (schedules, windows, units, plausible ranges) is a column of a knowledge
table, never a literal here. The statuses that make a medicine "taken" and an Observation final
are the FHIR adapter's own sets, so the two paths read a record the same way.

What each stage mirrors in the per-patient path:

- ``s_med``: ``adapters.fhir.meds._current`` (taken on ``as_of``, start day).
- ``s_therapy``: ``adapters.fhir.meds._therapy`` (the agent started last; its earliest start).
- ``s_lab``: ``adapters.fhir.read._lab`` and ``Context.labs`` (final, dated, known unit,
  plausible value, on or before ``as_of``).
- ``s_monitoring``: ``rules.monitoring.plan_item`` for a patient on therapy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from jakguide.adapters.fhir.meds import _REQUEST_CURRENT, _STATEMENT_CURRENT, _STATEMENT_ENDED
from jakguide.adapters.fhir.read import _FINAL_OBSERVATION

Dialect = Literal["duckdb", "spark"]
# The worklist's severity for each monitoring status the scan reports (upcoming and done are
# not findings).
MONITORING_SEVERITY = {"overdue": "warning", "due": "info"}
# The length of a calendar day as written in FHIR (YYYY-MM-DD) and of a year-month.
_DAY_CHARS = len("YYYY-MM-DD")
_MONTH_CHARS = len("YYYY-MM")
_YEAR_CHARS = len("YYYY")


def _in(values: frozenset[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in sorted(values)) + ")"


@dataclass(frozen=True)
class Sql:
    """Dialect helpers: date arithmetic is the one place DuckDB and Spark differ."""

    dialect: Dialect

    @property
    def text(self) -> str:
        return "STRING" if self.dialect == "spark" else "VARCHAR"

    def add_days(self, day: str, days: str) -> str:
        if self.dialect == "spark":
            return f"date_add({day}, {days})"
        return f"CAST(({day}) + to_days(CAST({days} AS INTEGER)) AS DATE)"

    def add_months(self, day: str, months: str) -> str:
        # Both clamp to the month's end (31 Jan + 1 month = 28/29 Feb), as dates.add_months.
        if self.dialect == "spark":
            return f"add_months({day}, {months})"
        return f"CAST(({day}) + to_months(CAST({months} AS INTEGER)) AS DATE)"

    def days_between(self, first: str, last: str) -> str:
        if self.dialect == "spark":
            return f"datediff({last}, {first})"
        return f"date_diff('day', {first}, {last})"

    def day(self, text: str) -> str:
        """The calendar day of a FHIR date/dateTime; NULL when partial (``util.to_date``)."""
        return (
            f"CASE WHEN length({text}) >= {_DAY_CHARS} "
            f"THEN CAST(substr({text}, 1, {_DAY_CHARS}) AS DATE) END"
        )

    def earliest(self, text: str) -> str:
        """The first day a possibly partial FHIR date can mean (``util.earliest``)."""
        return (
            f"CASE WHEN length({text}) >= {_DAY_CHARS} "
            f"THEN CAST(substr({text}, 1, {_DAY_CHARS}) AS DATE) "
            f"WHEN length({text}) = {_MONTH_CHARS} THEN CAST(concat({text}, '-01') AS DATE) "
            f"WHEN length({text}) = {_YEAR_CHARS} THEN CAST(concat({text}, '-01-01') AS DATE) END"
        )


def medication_sql(sql: Sql, as_of: dt.date) -> str:
    """``s_med``: one row per medication resource with its JAK agent, start and whether taken."""
    today = f"DATE '{as_of.isoformat()}'"
    start = sql.earliest("m.start")
    end = sql.day("m.end_")
    covers = (
        f"(({start}) IS NULL OR ({start}) <= {today}) AND (({end}) IS NULL OR ({end}) >= {today})"
    )
    taken = (
        "CASE WHEN m.source = 'MedicationRequest' THEN "
        f"coalesce(m.intent, '') <> 'proposal' AND m.status IN {_in(_REQUEST_CURRENT)} "
        f"AND (({start}) IS NULL OR ({start}) <= {today}) "
        f"WHEN m.status IN {_in(_STATEMENT_ENDED)} THEN coalesce(m.has_period, FALSE) "
        f"AND m.end_ IS NOT NULL AND {covers} "
        f"WHEN m.status IN {_in(_STATEMENT_CURRENT)} THEN CASE WHEN coalesce(m.has_period, FALSE) "
        f"THEN {covers} ELSE (({start}) IS NULL OR ({start}) <= {today}) END "
        "ELSE FALSE END"
    )
    return f"""
SELECT m.patient_id, k.drug, {start} AS start_day, {taken} AS taken,
       concat(CASE WHEN m.source = 'MedicationRequest' THEN '0' ELSE '1' END, m.id) AS seen
FROM (
  SELECT 'MedicationRequest' AS source, id, patient_id, status, intent, start_text AS start,
         end_text AS end_, has_period, coalesce(text, display, code) AS text, rxnorm
  FROM v_medication_request
  UNION ALL
  SELECT 'MedicationStatement' AS source, id, patient_id, status, intent, start_text AS start,
         end_text AS end_,
         has_period, coalesce(text, display, code) AS text, rxnorm
  FROM v_medication_statement
) m
JOIN k_medicine k ON coalesce(k.rxnorm, '') = coalesce(m.rxnorm, '') AND k.text = m.text
WHERE m.status <> 'entered-in-error' AND m.patient_id IS NOT NULL
"""


# The agent started last; on a tie, the one the adapter meets first (requests before statements,
# then by resource id, which stands for the export's order).
THERAPY_SQL = """
SELECT patient_id, drug, first_day AS start_day FROM (
  SELECT patient_id, drug, first_day,
         row_number() OVER (PARTITION BY patient_id ORDER BY last_day DESC, seen_first) AS pick
  FROM (
    SELECT patient_id, drug, min(start_day) AS first_day, max(start_day) AS last_day,
           min(seen) AS seen_first
    FROM s_med
    WHERE taken
    GROUP BY patient_id, drug
  ) g
  WHERE last_day IS NOT NULL
) t WHERE pick = 1
"""


def lab_sql(sql: Sql, as_of: dt.date) -> str:
    """``s_lab``: one row per (patient, analyte, day) of a usable result on or before as_of."""
    day = sql.day("o.effective")
    unit = (
        "trim(CASE WHEN o.q_system = 'http://unitsofmeasure.org' AND o.q_code IS NOT NULL "
        "THEN o.q_code WHEN o.q_unit IS NOT NULL THEN o.q_unit "
        "WHEN o.q_system IS NULL THEN o.q_code END)"
    )
    return f"""
SELECT DISTINCT o.patient_id, u.analyte, {day} AS day
FROM v_observation o
JOIN k_lab_unit u ON u.loinc = o.loinc AND u.unit = {unit}
WHERE o.status IN {_in(_FINAL_OBSERVATION)}
  AND o.patient_id IS NOT NULL AND o.value IS NOT NULL AND o.comparator IS NULL
  AND ({day}) IS NOT NULL AND ({day}) <= DATE '{as_of.isoformat()}'
  AND ((o.value = 0 AND u.zero_ok) OR (o.value <> 0 AND o.value BETWEEN u.low AND u.high))
"""


def monitoring_sql(sql: Sql, as_of: dt.date) -> str:
    """``s_monitoring``: each label monitoring item's next step for a patient on therapy."""
    today = f"DATE '{as_of.isoformat()}'"
    first_from = sql.add_days("p.start_day", "p.first_from_weeks * 7")
    first_by = (
        f"CASE WHEN p.first_to_weeks IS NOT NULL AND p.first_to_weeks > p.first_from_weeks "
        f"THEN {sql.add_days('p.start_day', 'p.first_to_weeks * 7')} "
        f"ELSE {sql.add_months(first_from, 'p.window_months')} END"
    )
    anchor = "coalesce(f.last_after, f.start_day)"
    repeat_by = sql.add_months(anchor, "f.every_months")
    repeat_from = sql.add_months(anchor, "f.every_months - f.window_months")

    def status(due_from: str, due_by: str) -> str:
        return (
            f"CASE WHEN {today} > {due_by} THEN 'overdue' "
            f"WHEN {today} >= {due_from} THEN 'due' ELSE 'upcoming' END"
        )

    return f"""
WITH p AS (
  SELECT t.patient_id, t.drug, t.start_day, k.position, k.item, k.analyte, k.baseline,
         k.first_from_weeks, k.first_to_weeks, k.every_months, k.window_months, k.sources
  FROM s_therapy t JOIN k_monitoring k ON k.drug = t.drug
  WHERE t.start_day <= {today}
), f AS (
  SELECT p.patient_id, p.drug, p.start_day, p.position, p.item, p.analyte, p.baseline,
         p.first_from_weeks, p.every_months, p.window_months, p.sources,
         CASE WHEN p.first_from_weeks IS NOT NULL THEN {first_from} END AS first_from,
         CASE WHEN p.first_from_weeks IS NOT NULL THEN {first_by} END AS first_by,
         sum(CASE WHEN l.day <= p.start_day THEN 1 ELSE 0 END) AS n_before,
         max(CASE WHEN l.day > p.start_day THEN l.day END) AS last_after,
         max(CASE WHEN l.day > p.start_day AND l.day >= {first_from} THEN l.day END) AS last_first
  FROM p LEFT JOIN s_lab l ON l.patient_id = p.patient_id AND l.analyte = p.analyte
  GROUP BY p.patient_id, p.drug, p.start_day, p.position, p.item, p.analyte, p.baseline,
           p.first_from_weeks, p.first_to_weeks, p.every_months, p.window_months, p.sources
)
SELECT patient_id, drug, position, item, analyte, sources, step, status, due_by FROM (
  SELECT f.*,
    CASE
      WHEN f.baseline AND f.n_before = 0 AND f.last_after IS NULL THEN 'baseline'
      WHEN f.first_from IS NOT NULL AND f.last_first IS NULL THEN 'first'
      WHEN f.every_months IS NULL THEN 'ongoing'
      ELSE 'repeat'
    END AS step,
    CASE
      WHEN f.baseline AND f.n_before = 0 AND f.last_after IS NULL THEN 'overdue'
      WHEN f.first_from IS NOT NULL AND f.last_first IS NULL
        THEN {status("f.first_from", "f.first_by")}
      WHEN f.every_months IS NULL
        THEN CASE WHEN f.last_after IS NOT NULL OR f.baseline THEN 'done' ELSE 'due' END
      ELSE {status(repeat_from, repeat_by)}
    END AS status,
    CASE
      WHEN f.baseline AND f.n_before = 0 AND f.last_after IS NULL THEN f.start_day
      WHEN f.first_from IS NOT NULL AND f.last_first IS NULL THEN f.first_by
      WHEN f.every_months IS NULL THEN CAST(NULL AS DATE)
      ELSE {repeat_by}
    END AS due_by
  FROM f
) s
"""


def worklist_sql(sql: Sql, as_of: dt.date, knowledge_version: str) -> str:
    """The worklist rows: one per (patient, drug, finding), in a stable order."""
    today = f"DATE '{as_of.isoformat()}'"
    severity = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in MONITORING_SEVERITY.items())
    statuses = _in(frozenset(MONITORING_SEVERITY))
    return f"""
SELECT patient_id, drug, 'monitoring' AS kind, concat('monitoring.', item) AS rule,
       CASE status {severity} END AS severity,
       concat(analyte, ' ', step, ' check ', status,
              CASE WHEN due_by IS NULL THEN ''
                   ELSE concat(' (due by ', CAST(due_by AS {sql.text}), ')') END
       ) AS detail,
       due_by,
       CASE WHEN status = 'overdue' THEN {sql.days_between("due_by", today)} END AS overdue_days,
       sources, '{knowledge_version}' AS knowledge_version, {today} AS as_of
FROM s_monitoring
WHERE status IN {statuses}
ORDER BY patient_id, drug, kind, rule, due_by
"""
