"""Events of special interest after the start of a JAK agent (docs/scan.md "Events of special
interest"): counts of patients and events per category and agent, and the patient-years of
exposure they are rated against.

The categories and the history items whose codes define them are read from
``knowledge/measures.yaml``; the codes from the FHIR adapter's code tables. Rates per 100
patient-years are computed here from the counted days, so the SQL holds no number.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jakguide.adapters.fhir.codes import code_tables
from jakguide.kb.measures import MeasureSpec
from jakguide.scan.rules import Sql, in_list
from jakguide.scan.tables import Table

DAYS_PER_YEAR = 365.25  # a patient-year (calendar, not a clinical number)
PER_PATIENT_YEARS = 100  # rates are per 100 patient-years
# Conditions that do not stand for an event (FHIR condition-ver-status).
NOT_EVENTS = frozenset({"entered-in-error", "refuted"})


def esi_table(spec: MeasureSpec) -> Table:
    """(system, code) -> category, for every history item of every category."""
    history = code_tables().tables["history"]
    rows: set[tuple[Any, ...]] = set()
    for cat in spec.events:
        for item in cat.history:
            if item not in history.items:
                raise KeyError(f"measures.yaml {cat.id}: history item {item!r} not in codes.yaml")
            rows.update((c.system or history.system, c.code, cat.id) for c in history.items[item])
    return Table(
        "k_esi",
        (("system", "VARCHAR"), ("code", "VARCHAR"), ("category", "VARCHAR")),
        sorted(rows),
    )


def course_sql(sql: Sql, as_of: dt.date) -> str:
    """``s_jak_course``: per (patient, JAK agent) the exposure: from the first dated record of
    the agent to ``as_of`` when the agent is taken on ``as_of`` (``s_med``), else to the last
    documented day (the latest record date or period end), never past ``as_of``."""
    today = f"DATE '{as_of.isoformat()}'"
    start, end = sql.day("m.start"), sql.day("m.end_")
    return f"""
SELECT c.patient_id, c.drug, c.start_day,
  CASE WHEN t.patient_id IS NOT NULL THEN {today}
       WHEN coalesce(c.last_end, c.last_day) > {today} THEN {today}
       WHEN c.last_end IS NOT NULL AND c.last_end > c.last_day THEN c.last_end
       ELSE c.last_day END AS end_day
FROM (
  SELECT m.patient_id, k.drug, min({start}) AS start_day, max({start}) AS last_day,
         max({end}) AS last_end
  FROM s_med_record m
  JOIN k_medicine k ON coalesce(k.rxnorm, '') = coalesce(m.rxnorm, '') AND k.text = m.text
  WHERE coalesce(m.status, '') <> 'entered-in-error' AND m.patient_id IS NOT NULL
    AND ({start}) IS NOT NULL AND ({start}) <= {today}
  GROUP BY m.patient_id, k.drug
) c
LEFT JOIN (SELECT DISTINCT patient_id, drug FROM s_med WHERE taken) t
  ON t.patient_id = c.patient_id AND t.drug = c.drug
"""


def event_sql(sql: Sql) -> str:
    """``s_esi``: one row per (patient, agent, category, Condition) with onset after the start
    and on or before the end of the exposure."""
    onset = sql.day("c.onset_date_time")
    return f"""
SELECT DISTINCT x.patient_id, x.drug, k.category, c.id
FROM s_jak_course x
JOIN v_condition c ON c.patient_id = x.patient_id
JOIN k_esi k ON k.system = c.system AND k.code = c.code
WHERE coalesce(c.verification_status, '') NOT IN {in_list(NOT_EVENTS)}
  AND ({onset}) > x.start_day AND ({onset}) <= x.end_day
"""


def rate(events: int, days: int) -> float | None:
    """Events per 100 patient-years (None without exposure)."""
    if days <= 0:
        return None
    return round(events * PER_PATIENT_YEARS * DAYS_PER_YEAR / days, 2)


def run_esi(engine: Any, spec: MeasureSpec, sql: Sql, as_of: dt.date) -> dict[str, Any]:
    """Build the stages and return the counts and rates per agent (and over all agents)."""
    engine.table(esi_table(spec))
    engine.stage("s_jak_course", course_sql(sql, as_of))
    engine.stage("s_esi", event_sql(sql))
    span = sql.days_between("start_day", "end_day")
    exposure = {
        str(d): (int(p), int(days or 0))
        for d, p, days in engine.rows(
            f"SELECT drug, count(DISTINCT patient_id), sum({span}) FROM s_jak_course GROUP BY drug"
        )
    }
    found: dict[tuple[str, str], tuple[int, int]] = {
        (str(d), str(c)): (int(p), int(n))
        for d, c, p, n in engine.rows(
            "SELECT drug, category, count(DISTINCT patient_id), count(*) FROM s_esi "
            "GROUP BY drug, category"
        )
    }
    overall = engine.rows(
        "SELECT category, count(DISTINCT patient_id), count(*) FROM s_esi GROUP BY category"
    )
    totals = {str(c): (int(p), int(n)) for c, p, n in overall}
    all_patients = int(engine.rows("SELECT count(DISTINCT patient_id) FROM s_jak_course")[0][0])

    def block(patients: int, days: int, counts: dict[str, tuple[int, int]]) -> dict[str, Any]:
        return {
            "patients": patients,
            "exposure_days": days,
            "patient_years": round(days / DAYS_PER_YEAR, 2),
            "categories": [
                {
                    "id": cat.id,
                    "name": cat.name,
                    "patients": counts.get(cat.id, (0, 0))[0],
                    "events": counts.get(cat.id, (0, 0))[1],
                    "rate_per_100_patient_years": rate(counts.get(cat.id, (0, 0))[1], days),
                }
                for cat in spec.events
            ],
        }

    per_agent = {
        drug: block(p, days, {c: v for (d, c), v in found.items() if d == drug})
        for drug, (p, days) in sorted(exposure.items())
    }
    total_days = sum(days for _, days in exposure.values())
    return {
        "per_agent": per_agent,
        "all_agents": block(all_patients, total_days, totals),
    }
