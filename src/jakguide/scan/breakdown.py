"""Breakdowns of the scan's figures per agent, per labelled condition and per region
(docs/scan.md "Breakdowns").

The screening measures' labelled condition is the knowledge condition whose SNOMED CT code is on
one of the patient's Conditions, whatever its clinical status (the index drug may be a biologic
without a label in the knowledge, and the index date is in the past); the worklist's is the
condition the JAK agent is taken for (``scan.conditions``, as the rows were judged). The region
is the first address's country as written. The worklist is broken down by ``kind`` and
``rule`` as it comes, so a new kind of finding appears without a change here.
"""

from __future__ import annotations

from typing import Any

from jakguide.adapters.fhir.codes import SNOMED
from jakguide.kb.base import Knowledge
from jakguide.scan.esi import NOT_EVENTS
from jakguide.scan.kinds.screening import SCREENING_SEVERITY
from jakguide.scan.rules import in_list
from jakguide.scan.tables import Table

UNKNOWN = "unknown"  # no labelled condition coded, or no country written
DIMENSIONS = ("agent", "condition", "region")


def condition_table(kb: Knowledge) -> Table:
    """(system, code) -> knowledge condition, from ``conditions.yaml`` SNOMED CT codes."""
    rows = sorted({(SNOMED, code, cid) for cid, c in kb.conditions.items() for code in c.snomed})
    return Table(
        "k_condition",
        (("system", "VARCHAR"), ("code", "VARCHAR"), ("condition", "VARCHAR")),
        rows,
    )


STRATUM_SQL = f"""
SELECT p.id AS patient_id, coalesce(c.condition, '{UNKNOWN}') AS condition,
       coalesce(pc.country, '{UNKNOWN}') AS region
FROM (SELECT DISTINCT id FROM v_patient WHERE id IS NOT NULL) p
LEFT JOIN (SELECT c.patient_id, min(k.condition) AS condition
           FROM v_condition c JOIN k_condition k ON k.system = c.system AND k.code = c.code
           WHERE coalesce(c.verification_status, '') NOT IN {in_list(NOT_EVENTS)}
           GROUP BY c.patient_id) c ON c.patient_id = p.id
LEFT JOIN (SELECT id, max(country) AS country FROM v_patient_country GROUP BY id) pc
  ON pc.id = p.id
"""


def measure_breakdowns(engine: Any) -> dict[str, list[dict[str, Any]]]:
    """Per dimension: one row per (measure, stratum) with numerator, denominator, exclusions.

    ``agent`` is the drug of the patient's index date (``s_measure_drug``)."""
    columns = {"agent": "x.drug", "condition": "s.condition", "region": "s.region"}
    out: dict[str, list[dict[str, Any]]] = {}
    for dim, col in columns.items():
        rows = engine.rows(
            f"SELECT x.id, {col}, count(*), sum(x.e), sum(x.n) FROM s_measure_drug x "
            "JOIN s_stratum s ON s.patient_id = x.patient_id "
            f"GROUP BY x.id, {col} ORDER BY x.id, {col}"
        )
        out[dim] = [
            {
                "id": str(mid),
                dim: str(key),
                "numerator": int(n or 0),
                "denominator": int(d or 0),
                "exclusions": int(e or 0),
            }
            for mid, key, d, e, n in rows
        ]
    return out


# Each worklist row with its patient's stratum: the condition the agent is taken for when
# recorded, else ``unknown`` (the row was then judged for the label's first indication, which is
# not the patient's condition on record), and the region.
_STRATIFIED = f"""
SELECT w.kind, w.rule, w.severity, w.drug AS agent, w.patient_id,
       coalesce(CASE WHEN c.recorded THEN c.condition END, '{UNKNOWN}') AS condition,
       coalesce(s.region, '{UNKNOWN}') AS region
FROM s_worklist w
LEFT JOIN s_stratum s ON s.patient_id = w.patient_id
LEFT JOIN s_condition_for c ON c.patient_id = w.patient_id
"""
WORKLIST_FIELDS = {
    "kind_rule": ("kind", "rule"),
    "kind_severity": ("kind", "severity"),
    "agent": ("kind", "rule", "agent"),
    "condition": ("kind", "rule", "condition"),
    "region": ("kind", "rule", "region"),
}


def worklist_breakdowns(engine: Any) -> dict[str, list[dict[str, Any]]]:
    """Worklist rows and distinct patients per (kind, rule), overall and per agent, condition
    and region; per (kind, severity); and the screening rows per test and state. SQL on the
    engine, in one query (one Spark job, not six): the rows never come to Python."""
    none = "CAST(NULL AS STRING)" if engine.dialect == "spark" else "CAST(NULL AS VARCHAR)"
    parts = []
    for name, fields in WORKLIST_FIELDS.items():
        cols = ", ".join([*fields, *([none] * (3 - len(fields)))])
        parts.append(
            f"SELECT '{name}' AS name, {cols}, count(*) AS n, count(DISTINCT patient_id) AS p "
            f"FROM w GROUP BY {', '.join(fields)}"
        )
    parts.append(
        "SELECT 'screening_state' AS name, concat('screening.', item), state, "
        f"{none}, count(*), count(DISTINCT patient_id) FROM s_screening "
        f"WHERE state IN {in_list(frozenset(SCREENING_SEVERITY))} GROUP BY item, state"
    )
    union = " UNION ALL ".join(parts)
    got = engine.rows(f"WITH w AS ({_STRATIFIED}) SELECT * FROM ({union}) u")
    fields_of = {**WORKLIST_FIELDS, "screening_state": ("rule", "state")}
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in fields_of}
    for name, a, b, c, n, p in sorted(got, key=lambda r: tuple(str(v) for v in r[:4])):
        fields = fields_of[str(name)]
        values = (a, b, c)[: len(fields)]
        entry: dict[str, Any] = dict(zip(fields, (str(v) for v in values), strict=True))
        entry["rows"] = int(n)
        entry["patients"] = int(p)
        out[str(name)].append(entry)
    return out
