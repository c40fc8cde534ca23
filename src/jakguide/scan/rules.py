"""The scan's rules as set-based SQL, one text for DuckDB and Spark SQL.

The queries read the scan views (``scan/views``) and the knowledge tables (``scan.tables``);
every clinical number (schedules, windows, units, plausible ranges) is a column of a knowledge
table, never a literal here. The statuses that make a medicine "taken" and an Observation final
are the FHIR adapter's own sets, so the two paths read a record the same way.

What each stage mirrors in the per-patient path:

- ``s_med_record``: ``adapters.fhir.meds._concept`` (the medicine a record names, through
  ``medicationReference`` too).
- ``s_med``: ``adapters.fhir.meds._current`` (taken on ``as_of``, start day).
- ``s_therapy``: ``adapters.fhir.meds._therapy`` (the agent started last; its earliest start).
- ``s_lab``: ``adapters.fhir.read._lab`` and ``Context.labs`` (final, dated, known unit,
  plausible value, on or before ``as_of``; the canonical value as ``units.to_canonical`` gives it).

Each kind of finding (``scan.kinds``) adds its stages on top of these and its worklist rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from jakguide.adapters.fhir.meds import _REQUEST_CURRENT, _STATEMENT_CURRENT, _STATEMENT_ENDED
from jakguide.adapters.fhir.read import _FINAL_OBSERVATION

Dialect = Literal["duckdb", "spark"]
# The length of a calendar day as written in FHIR (YYYY-MM-DD) and of a year-month.
_DAY_CHARS = len("YYYY-MM-DD")
_MONTH_CHARS = len("YYYY-MM")
_YEAR_CHARS = len("YYYY")


def in_list(values: frozenset[str]) -> str:
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

    def join_distinct(self, text: str, separator: str = ", ") -> str:
        """Aggregate: the distinct non-null values of ``text`` in a group, sorted, joined."""
        if self.dialect == "spark":
            return f"array_join(array_sort(collect_set({text})), '{separator}')"
        return f"array_to_string(list_sort(list_distinct(list({text}))), '{separator}')"

    def day(self, text: str) -> str:
        """The calendar day of a FHIR date/dateTime; NULL when partial (``util.to_date``) or not
        a date at all (2026-13-45: counted as undated in the data-quality figures, not fatal)."""
        return (
            f"CASE WHEN length({text}) >= {_DAY_CHARS} "
            f"THEN TRY_CAST(substr({text}, 1, {_DAY_CHARS}) AS DATE) END"
        )

    def earliest(self, text: str) -> str:
        """The first day a possibly partial FHIR date can mean (``util.earliest``)."""
        return (
            f"CASE WHEN length({text}) >= {_DAY_CHARS} "
            f"THEN TRY_CAST(substr({text}, 1, {_DAY_CHARS}) AS DATE) "
            f"WHEN length({text}) = {_MONTH_CHARS} THEN TRY_CAST(concat({text}, '-01') AS DATE) "
            f"WHEN length({text}) = {_YEAR_CHARS} "
            f"THEN TRY_CAST(concat({text}, '-01-01') AS DATE) END"
        )


# What a ``medicationReference`` names: a contained Medication (``#id``, read in the views) or a
# Medication resource of the export (``Medication/<id>``, also at the end of an absolute URL).
_MEDICATION_ID = "'Medication/([^/#]+)$'"


def med_record_sql() -> str:
    """``s_med_record``: every request and statement with the medicine it names, read as
    ``adapters.fhir.meds._concept`` reads it: ``medicationCodeableConcept``; else the referenced
    Medication's code (contained, or a Medication resource); else the reference's display or
    text as the medicine's name. ``via`` says which (``concept``, ``contained``, ``resource``,
    ``unresolved``), for the data-quality figures."""
    union = " UNION ALL ".join(
        f"""
  SELECT '{source}' AS source, id, patient_id, status, intent, start_text AS start,
         end_text AS end_, has_period, coalesce(text, display, code) AS own, rxnorm,
         coalesce(c_text, c_display, c_code) AS c_name, c_rxnorm, ref, ref_display,
         nullif(regexp_extract(ref, {_MEDICATION_ID}, 1), '') AS ref_id
  FROM {view}"""
        for source, view in (
            ("MedicationRequest", "v_medication_request"),
            ("MedicationStatement", "v_medication_statement"),
        )
    )
    return f"""
SELECT m.source, m.id, m.patient_id, m.status, m.intent, m.start, m.end_, m.has_period,
  CASE WHEN m.own IS NOT NULL THEN m.own WHEN m.c_name IS NOT NULL THEN m.c_name
       WHEN r.name IS NOT NULL THEN r.name ELSE coalesce(m.ref_display, m.ref) END AS text,
  CASE WHEN m.own IS NOT NULL THEN m.rxnorm WHEN m.c_name IS NOT NULL THEN m.c_rxnorm
       WHEN r.name IS NOT NULL THEN r.rxnorm END AS rxnorm,
  CASE WHEN m.own IS NOT NULL THEN 'concept' WHEN m.c_name IS NOT NULL THEN 'contained'
       WHEN r.name IS NOT NULL THEN 'resource'
       WHEN m.ref IS NOT NULL OR m.ref_display IS NOT NULL THEN 'unresolved' END AS via
FROM ({union}
) m
LEFT JOIN (SELECT id, max(coalesce(text, display, code)) AS name, max(rxnorm) AS rxnorm
           FROM v_medication GROUP BY id) r ON r.id = m.ref_id
"""


def taken_sql(sql: Sql, as_of: dt.date) -> tuple[str, str]:
    """(start day, taken on ``as_of``) of a row ``m`` of ``s_med_record``.

    ``adapters.fhir.meds._current`` as SQL, for any medicine (``s_med`` and the kinds that read
    co-medications use the same expressions).
    """
    today = f"DATE '{as_of.isoformat()}'"
    start = sql.earliest("m.start")
    end = sql.day("m.end_")
    covers = (
        f"(({start}) IS NULL OR ({start}) <= {today}) AND (({end}) IS NULL OR ({end}) >= {today})"
    )
    taken = (
        "CASE WHEN m.source = 'MedicationRequest' THEN "
        f"coalesce(m.intent, '') <> 'proposal' AND m.status IN {in_list(_REQUEST_CURRENT)} "
        f"AND (({start}) IS NULL OR ({start}) <= {today}) "
        f"WHEN m.status IN {in_list(_STATEMENT_ENDED)} THEN coalesce(m.has_period, FALSE) "
        f"AND m.end_ IS NOT NULL AND {covers} "
        f"WHEN m.status IN {in_list(_STATEMENT_CURRENT)} "
        "THEN CASE WHEN coalesce(m.has_period, FALSE) "
        f"THEN {covers} ELSE (({start}) IS NULL OR ({start}) <= {today}) END "
        "ELSE FALSE END"
    )
    return start, taken


def medication_sql(sql: Sql, as_of: dt.date) -> str:
    """``s_med``: one row per medication resource with its JAK agent, start and whether taken."""
    start, taken = taken_sql(sql, as_of)
    return f"""
SELECT m.patient_id, k.drug, {start} AS start_day, {taken} AS taken,
       concat(CASE WHEN m.source = 'MedicationRequest' THEN '0' ELSE '1' END, m.id) AS seen
FROM s_med_record m
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


def lab_read_sql(reads: list[str], as_of: dt.date) -> str:
    """``s_lab_read``: the (patient, analyte) pairs some kind reads from ``s_lab``: the analytes
    of each kind's ``lab_analytes`` for the agent of a patient on therapy on ``as_of``."""
    union = " UNION ".join(f"SELECT drug, analyte FROM ({q}) q{i}" for i, q in enumerate(reads))
    return f"""
SELECT DISTINCT t.patient_id, a.analyte
FROM s_therapy t JOIN ({union}) a ON a.drug = t.drug
WHERE t.start_day <= DATE '{as_of.isoformat()}'
"""


def lab_sql(sql: Sql, as_of: dt.date) -> str:
    """``s_lab``: one row per (patient, analyte, day) of a usable result on or before as_of,
    for the (patient, analyte) pairs of ``s_lab_read`` (the only results its readers judge:
    at 100,000 patients 1.4M of the 4.0M days of patients on therapy).

    ``value_low`` and ``value_high`` are the day's lowest and highest value in the analyte's
    canonical unit, as exact decimals (``lab_product``): the rules read the worse of them, as
    ``Context._one_per_day`` does, and a day whose two differ holds results that disagree.
    """
    day = sql.day("o.effective")
    unit = (
        "trim(CASE WHEN o.q_system = 'http://unitsofmeasure.org' AND o.q_code IS NOT NULL "
        "THEN o.q_code WHEN o.q_unit IS NOT NULL THEN o.q_unit "
        "WHEN o.q_system IS NULL THEN o.q_code END)"
    )
    return f"""
SELECT patient_id, analyte, day,
       CAST(min(value) AS {LAB_VALUE}) AS value_low, CAST(max(value) AS {LAB_VALUE}) AS value_high
FROM (
  SELECT o.patient_id, u.analyte, {day} AS day, {lab_product("o.value", "u.factor")} AS value
  FROM v_observation o
  JOIN k_lab_unit u ON u.loinc = o.loinc AND u.unit = {unit}
  JOIN s_lab_read p ON p.patient_id = o.patient_id AND p.analyte = u.analyte
  WHERE o.status IN {in_list(_FINAL_OBSERVATION)}
    AND o.value IS NOT NULL AND o.comparator IS NULL
    AND ({day}) IS NOT NULL AND ({day}) <= DATE '{as_of.isoformat()}'
    AND ((o.value = 0 AND u.zero_ok) OR (o.value <> 0 AND o.value BETWEEN u.low AND u.high))
) r
GROUP BY patient_id, analyte, day
"""


# Exact decimals for lab values (``units.to_canonical`` uses Python decimals): the value as
# written (read as a double, exact for up to 8 decimals), the unit's factor (text in
# ``k_lab_unit``, at most ``tables.FACTOR_SCALE`` decimals) and their product, which has room
# for every plausible value. The same types on DuckDB and Spark, so comparisons and text agree.
LAB_ENTERED = "DECIMAL(19,8)"
LAB_FACTOR = "DECIMAL(18,10)"
LAB_VALUE = "DECIMAL(30,18)"


def lab_product(value: str, factor: str) -> str:
    """A value as written times its unit's factor: the canonical value, exact (its type differs
    by engine; cast it to ``LAB_VALUE`` once per row kept, after aggregating)."""
    return f"CAST({value} AS {LAB_ENTERED}) * CAST({factor} AS {LAB_FACTOR})"


def worklist_sql(findings: list[str], as_of: dt.date, knowledge_version: str) -> str:
    """The worklist rows: every kind's findings, one per (patient, drug, finding) (sorted when
    they leave the engine, ``scan.worklist``)."""
    union = "\nUNION ALL\n".join(f"SELECT * FROM ({q}) k{i}" for i, q in enumerate(findings))
    return f"""
SELECT patient_id, drug, kind, rule, severity, detail, due_by, overdue_days, sources,
       '{knowledge_version}' AS knowledge_version, DATE '{as_of.isoformat()}' AS as_of
FROM (
{union}
) f
"""
