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

from collections import defaultdict
from typing import Any

from jakguide.adapters.fhir.codes import SNOMED
from jakguide.kb.base import Knowledge
from jakguide.scan.esi import NOT_EVENTS
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


def strata(engine: Any) -> dict[str, tuple[str, str]]:
    """patient id -> (condition, region), for the patients on a JAK agent.

    The condition is the one the agent is taken for (``s_condition_for``, the condition the
    worklist rows were judged for) when recorded, else ``unknown`` (the rows were then judged
    for the label's first indication, which is not the patient's condition on record)."""
    rows = engine.rows(
        f"SELECT s.patient_id, CASE WHEN c.recorded THEN c.condition ELSE '{UNKNOWN}' END, "
        "s.region FROM s_stratum s JOIN s_condition_for c ON c.patient_id = s.patient_id"
    )
    return {str(p): (str(c), str(r)) for p, c, r in rows}


def worklist_breakdowns(
    worklist: list[dict[str, Any]], by_patient: dict[str, tuple[str, str]]
) -> dict[str, list[dict[str, Any]]]:
    """Worklist rows and distinct patients per (kind, rule), overall and per agent, condition
    and region; and per (kind, severity)."""
    patients: dict[tuple[str, ...], set[str]] = defaultdict(set)
    rows: dict[tuple[str, ...], int] = defaultdict(int)
    for r in worklist:
        pid = str(r["patient_id"])
        condition, region = by_patient.get(pid, (UNKNOWN, UNKNOWN))
        keys = {
            "kind_rule": (r["kind"], r["rule"]),
            "kind_severity": (r["kind"], r["severity"]),
            "agent": (r["kind"], r["rule"], r["drug"]),
            "condition": (r["kind"], r["rule"], condition),
            "region": (r["kind"], r["rule"], region),
        }
        for name, key in keys.items():
            patients[(name, *key)].add(pid)
            rows[(name, *key)] += 1
    fields = {
        "kind_rule": ("kind", "rule"),
        "kind_severity": ("kind", "severity"),
        "agent": ("kind", "rule", "agent"),
        "condition": ("kind", "rule", "condition"),
        "region": ("kind", "rule", "region"),
    }
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in fields}
    for key in sorted(rows):
        name, *values = key
        entry: dict[str, Any] = dict(zip(fields[name], values, strict=True))
        entry["rows"] = rows[key]
        entry["patients"] = len(patients[key])
        out[name].append(entry)
    return out
