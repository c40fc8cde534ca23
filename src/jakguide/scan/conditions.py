"""The labelled condition each patient's JAK agent is taken for (docs/scan.md "Conditions").

The per-patient engine is asked about one condition (``AssessRequest.condition``); label rows
limited to some indications (``LabRule.conditions``, ``Adjustment.conditions``) are judged for
it. The scan decides it once per patient on therapy, as the parity harness does
(``tests/scan_support.condition_for``):

- the knowledge conditions the FHIR adapter reads from the patient's Conditions
  (``adapters.fhir.read._conditions``: a SNOMED CT code of ``conditions.yaml`` or a code of
  jakguide's own condition system; not entered in error, refuted, unconfirmed, "no information"
  or "no known problems"; not starting after ``as_of``; current on ``as_of``);
- among them, those the agent's label in the region indicates, the first in the label's
  indication order;
- none recorded: the label's first indication, marked ``recorded = FALSE`` (the rows that depend
  on it say "condition not recorded, assumed ...", and ``data_quality`` counts the patients).

``s_condition_status`` (per Condition resource: recorded, usable, current) is shared with the
risk kind, which reads history items and CV risk factors from the same Conditions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jakguide.adapters.fhir.codes import SNOMED, code_tables, local_system
from jakguide.adapters.fhir.read import _ENDED_CLINICAL, _UNCONFIRMED
from jakguide.kb.base import Knowledge
from jakguide.kb.schema import RegionLabel
from jakguide.model import Region
from jakguide.scan.rules import Sql, in_list
from jakguide.scan.tables import Table

# Verification statuses the adapter drops a Condition for (besides ``_UNCONFIRMED``).
ENTERED_IN_ERROR = "entered-in-error"
REFUTED = "refuted"
# ``codes.yaml`` ``absent`` items: a Condition saying nothing is known, or nothing is wrong.
NO_INFORMATION = "no-information"
NO_PROBLEMS = "no-known-problems"


def assumed(label: RegionLabel) -> str | None:
    """The condition assumed when none the label indicates is recorded: its first indication."""
    return label.indications[0].condition if label.indications else None


def tables(kb: Knowledge, region: Region) -> list[Table]:
    return [indication_table(kb, region), code_table(kb)]


def indication_table(kb: Knowledge, region: Region) -> Table:
    """``k_indication``: each marketed agent's labelled conditions in ``region``, in label order
    (``position``: the first indication of that condition), with the condition's name."""
    rows: list[tuple[Any, ...]] = []
    for mono in kb.marketed(region):
        seen: set[str] = set()
        for position, ind in enumerate(mono.regions[region].indications):
            if ind.condition in seen:
                continue
            seen.add(ind.condition)
            rows.append((mono.id, ind.condition, position, kb.conditions[ind.condition].name))
    return Table(
        "k_indication",
        (
            ("drug", "VARCHAR"),
            ("condition", "VARCHAR"),
            ("position", "INTEGER"),
            ("name", "VARCHAR"),
        ),
        rows,
    )


def code_table(kb: Knowledge) -> Table:
    """``k_condition_code`` (use, system, code, item): the Condition codes the adapter reads as a
    knowledge condition (``use = 'condition'``: ``conditions.yaml`` SNOMED CT codes and
    jakguide's own condition codes) or as "no information" / "no known problems"."""
    rows: set[tuple[str, str, str, str]] = set()
    own = local_system("condition")
    for cid, cond in kb.conditions.items():
        rows.update(("condition", SNOMED, code, cid) for code in cond.snomed)
        rows.add(("condition", own, cid, cid))
    absent = code_tables().tables["absent"]
    for use in (NO_INFORMATION, NO_PROBLEMS):
        codes = absent.items.get(use, [])
        rows.update((use, c.system or absent.system, c.code, use) for c in codes)
    return Table(
        "k_condition_code",
        (("use", "VARCHAR"), ("system", "VARCHAR"), ("code", "VARCHAR"), ("item", "VARCHAR")),
        sorted(rows),
    )


def stages(sql: Sql, as_of: dt.date) -> list[tuple[str, str]]:
    return [("s_condition_status", status_sql(sql, as_of)), ("s_condition_for", FOR_SQL)]


def status_sql(sql: Sql, as_of: dt.date) -> str:
    """``s_condition_status``: per Condition resource, whether it is recorded at all (not entered
    in error, not "no information"), usable (also not refuted, unconfirmed, "no known problems"
    or starting after ``as_of``) and current on ``as_of`` (``read.condition_current``), for the
    patients on therapy (its readers, ``s_condition_for`` and the risk groups, judge no others)."""
    today = f"DATE '{as_of.isoformat()}'"
    start = (
        f"coalesce({sql.earliest('c.onset')}, {sql.earliest('c.onset_start')}, "
        f"{sql.earliest('c.recorded')})"
    )
    ended = (
        f"coalesce({sql.earliest('c.abated')}, {sql.earliest('c.abated_end')}, "
        f"{sql.earliest('c.abated_start')})"
    )
    unusable = in_list(frozenset({REFUTED, *_UNCONFIRMED}))
    return f"""
WITH r AS (
  SELECT c.patient_id, c.id, max(c.verification) AS verification, max(c.clinical) AS clinical,
         max({start}) AS start_day, max({ended}) AS ended_day,
         max(CASE WHEN c.abated_other THEN 1 ELSE 0 END) AS abated_other,
         max(CASE WHEN a.use = '{NO_INFORMATION}' THEN 1 ELSE 0 END) AS no_information,
         max(CASE WHEN a.use = '{NO_PROBLEMS}' THEN 1 ELSE 0 END) AS no_problems
  FROM v_risk_condition c
  LEFT JOIN k_condition_code a ON a.use IN ('{NO_INFORMATION}', '{NO_PROBLEMS}')
    AND a.system = c.system AND a.code = c.code
  WHERE c.patient_id IN (SELECT patient_id FROM s_therapy)
  GROUP BY c.patient_id, c.id
)
SELECT patient_id, id,
       no_information = 0 AND coalesce(verification, '') <> '{ENTERED_IN_ERROR}' AS present,
       no_information = 0 AND coalesce(verification, '') <> '{ENTERED_IN_ERROR}'
         AND no_problems = 0 AND coalesce(verification, '') NOT IN {unusable}
         AND (start_day IS NULL OR start_day <= {today}) AS usable,
       CASE WHEN ended_day IS NOT NULL THEN ended_day > {today}
            WHEN abated_other = 1 THEN FALSE
            ELSE coalesce(clinical, '') NOT IN {in_list(_ENDED_CLINICAL)} END AS current_
FROM r
"""


# ``s_condition_for``: per patient on therapy, the condition the agent is taken for, whether it
# is recorded, and its name. ``k_indication`` has a row for every marketed agent with an
# indication, so an agent without one (none today) keeps a NULL condition (every rule applies).
FOR_SQL = """
WITH rec AS (
  SELECT DISTINCT s.patient_id, k.item AS condition
  FROM s_condition_status s
  JOIN v_risk_condition c ON c.id = s.id AND c.patient_id = s.patient_id
  JOIN k_condition_code k ON k.use = 'condition' AND k.system = c.system AND k.code = c.code
  WHERE s.usable AND s.current_
), first_ AS (
  SELECT drug, min(position) AS position FROM k_indication GROUP BY drug
), pick AS (
  SELECT t.patient_id, min(i.position) AS position
  FROM s_therapy t
  JOIN rec ON rec.patient_id = t.patient_id
  JOIN k_indication i ON i.drug = t.drug AND i.condition = rec.condition
  GROUP BY t.patient_id
)
SELECT t.patient_id, t.drug, i.condition, i.name, p.position IS NOT NULL AS recorded
FROM s_therapy t
LEFT JOIN pick p ON p.patient_id = t.patient_id
LEFT JOIN first_ f ON f.drug = t.drug
LEFT JOIN k_indication i ON i.drug = t.drug AND i.position = coalesce(p.position, f.position)
"""


def condition_note(limited: str) -> str:
    """Text appended to the detail of a row whose label rule is limited to some conditions
    (``limited`` a boolean expression): the condition it was judged for, recorded or assumed.
    Reads ``c`` (a row of ``s_condition_for``)."""
    return (
        f"CASE WHEN NOT coalesce({limited}, FALSE) OR c.name IS NULL THEN '' "
        "WHEN c.recorded THEN concat('; for ', c.name) "
        "ELSE concat('; condition not recorded, assumed ', c.name, "
        "' (the first indication of the label)') END"
    )
