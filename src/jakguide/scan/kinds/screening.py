"""Screening: the label's screening tests missing, positive or due again, for a patient on therapy.

Mirrors ``rules.screening.status_of`` (with ``rules.story.on_therapy_status``) and
``rules.screening.positive_findings`` for the label screening items that are tests the FHIR adapter
reads from Observations (``codes.yaml`` ``screening_tests`` that ``story.TEST_ITEMS`` calls tests:
TB, HBsAg, anti-HBc, HCV, HIV): the latest interpretable result on or before ``as_of`` (undated
results count, after every dated one) decides.

Severity (worklist) from the engine's answer, one row per (patient, drug, item):

- no usable result (``action-needed``, "not documented before the start: test now"): ``warning``;
- a positive or indeterminate latest result (the option's ``screening.<item>`` finding,
  ``warning``, beside ``action-needed``): ``warning``;
- TB negative and older than the on-therapy repeat interval (``due``): ``info``, with ``due_by``.

Codes come from ``codes.yaml`` (``screening_tests``, ``results``), the repeat interval from the
``tb-screening-on-therapy`` guideline, sources from ``rules.screening.collect``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jakguide.adapters.fhir.codes import LOINC, code_tables
from jakguide.adapters.fhir.read import _FINAL_OBSERVATION
from jakguide.kb.base import Knowledge
from jakguide.model import Patient, Region
from jakguide.rules import screening as screening_rules
from jakguide.rules.context import Context
from jakguide.rules.story import TB_ON_THERAPY, TEST_ITEMS
from jakguide.scan.kinds.base import Kind
from jakguide.scan.rules import Sql, in_list
from jakguide.scan.tables import Table, source_ids

# The worklist's severity for each state of an item the scan reports ("done" is no finding).
SCREENING_SEVERITY = {
    "missing": "warning",  # engine: ScreeningOut action-needed (no result on record)
    "positive": "warning",  # engine: finding screening.<item> (warning) and action-needed
    "due": "info",  # engine: ScreeningOut due (TB repeat on therapy)
}
# The engine's ScreeningOut status behind each state (the parity extractor reads it).
STATUS_OF_STATE = {"missing": "action-needed", "positive": "action-needed", "due": "due"}


def test_items() -> frozenset[str]:
    """Screening items that are tests the FHIR adapter reads from an Observation."""
    return frozenset(code_tables().tables["screening_tests"].items) & TEST_ITEMS


def tables(kb: Knowledge, region: Region) -> list[Table]:
    return [item_table(kb, region), *code_tables_for_tests()]


def item_table(kb: Knowledge, region: Region) -> Table:
    """Each marketed agent's label screening tests in ``region``, with the TB repeat interval."""
    tests = test_items()
    guideline = kb.guidelines.get(TB_ON_THERAPY)
    repeat = guideline.timing.repeat_every if guideline and guideline.timing else None
    repeat_source = [guideline.source] if guideline is not None and repeat is not None else []
    ctx = Context(Patient(), kb, dt.date.min)
    rows: list[tuple[Any, ...]] = []
    for mono in kb.marketed(region):
        items = [i for i in mono.regions[region].screening if i.item in tests]
        # The engine's own citations for the checklist entry (label item, then guidelines).
        entries = screening_rules.collect(ctx, {mono.id: items})
        for position, item in enumerate(items):
            cited = entries[item.item].citations
            tb_repeat = item.item == "tb" and repeat is not None
            rows.append(
                (
                    mono.id,
                    position,
                    item.item,
                    screening_rules.DISPLAY.get(item.item, item.item),
                    repeat.weeks if tb_repeat and repeat is not None else None,
                    repeat.months if tb_repeat and repeat is not None else None,
                    source_ids(cited),
                    source_ids([item.source]),
                    source_ids([*cited, *repeat_source]),
                )
            )
    return Table(
        "k_screen_item",
        (
            ("drug", "VARCHAR"),
            ("position", "INTEGER"),
            ("item", "VARCHAR"),
            ("display", "VARCHAR"),
            ("repeat_weeks", "INTEGER"),
            ("repeat_months", "INTEGER"),
            ("sources", "VARCHAR"),
            ("positive_sources", "VARCHAR"),
            ("due_sources", "VARCHAR"),
        ),
        rows,
    )


def code_tables_for_tests() -> list[Table]:
    """LOINC codes of the screening tests, and the coded results the adapter interprets."""
    found = code_tables().tables
    tests = found["screening_tests"]
    results = found["results"]
    wanted = test_items()
    codes = sorted(
        {
            (c.code, item)
            for item, entries in tests.items.items()
            if item in wanted
            for c in entries
            if (c.system or tests.system) == LOINC
        }
    )
    values = sorted(
        {
            (
                c.system or results.system,
                c.code,
                result,
                result in screening_rules.ACTION_RESULTS,
                result in screening_rules.DONE_RESULTS,
            )
            for result, entries in results.items.items()
            for c in entries
        }
    )
    return [
        Table("k_screen_code", (("code", "VARCHAR"), ("item", "VARCHAR")), codes),
        Table(
            "k_screen_result",
            (
                ("system", "VARCHAR"),
                ("code", "VARCHAR"),
                ("result", "VARCHAR"),
                ("action", "BOOLEAN"),
                ("done", "BOOLEAN"),
            ),
            values,
        ),
    ]


def stages(sql: Sql, as_of: dt.date) -> list[tuple[str, str]]:
    return [("s_screening", screening_sql(sql, as_of))]


def screening_sql(sql: Sql, as_of: dt.date) -> str:
    """``s_screening``: each label screening test of a patient on therapy, with its state."""
    today = f"DATE '{as_of.isoformat()}'"
    day = sql.day("o.effective")
    due_by = (
        "CASE WHEN l.repeat_weeks IS NOT NULL "
        f"THEN {sql.add_days('l.day', 'l.repeat_weeks * 7')} "
        f"ELSE {sql.add_months('l.day', 'l.repeat_months')} END"
    )
    return f"""
WITH th AS (
  SELECT t.patient_id, t.drug, t.start_day, k.position, k.item, k.display, k.repeat_weeks,
         k.repeat_months, k.sources, k.positive_sources, k.due_sources
  FROM s_therapy t JOIN k_screen_item k ON k.drug = t.drug
  WHERE t.start_day <= {today}
), r AS (
  SELECT patient_id, item, day, result, action, done FROM (
    SELECT o.patient_id, c.item, {day} AS day, v.result, v.action, v.done,
           row_number() OVER (
             PARTITION BY o.patient_id, c.item
             ORDER BY CASE WHEN ({day}) IS NULL THEN 1 ELSE 0 END, {day} DESC, o.id
           ) AS pick
    FROM v_observation o
    JOIN k_screen_code c ON c.code = o.loinc
    JOIN k_screen_result v ON v.system = o.value_system AND v.code = o.value_code
    WHERE o.status IN {in_list(_FINAL_OBSERVATION)} AND o.patient_id IS NOT NULL
      AND (({day}) IS NULL OR ({day}) <= {today})
      AND o.patient_id IN (SELECT patient_id FROM s_therapy)
  ) x WHERE pick = 1
), l AS (
  SELECT th.*, r.day, r.result, r.action, r.done
  FROM th LEFT JOIN r ON r.patient_id = th.patient_id AND r.item = th.item
)
SELECT patient_id, drug, position, item, display, start_day, day, result, sources,
       positive_sources, due_sources, state, due_by FROM (
  SELECT l.*,
    CASE
      WHEN l.result IS NULL THEN 'missing'
      WHEN l.action THEN 'positive'
      WHEN l.done AND l.day IS NOT NULL
           AND (l.repeat_weeks IS NOT NULL OR l.repeat_months IS NOT NULL)
           AND {today} >= {due_by} THEN 'due'
      ELSE 'done'
    END AS state,
    CASE
      WHEN l.result IS NOT NULL AND NOT l.action AND l.done AND l.day IS NOT NULL
           AND (l.repeat_weeks IS NOT NULL OR l.repeat_months IS NOT NULL) THEN {due_by}
    END AS due_by
  FROM l
) s
"""


def findings(sql: Sql, as_of: dt.date) -> str:
    """Worklist rows: each label screening test missing, positive or due again."""
    severity = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in SCREENING_SEVERITY.items())
    states = in_list(frozenset(SCREENING_SEVERITY))
    start = f"CAST(start_day AS {sql.text})"
    when = f"CASE WHEN day IS NULL THEN 'undated' ELSE CAST(day AS {sql.text}) END"
    return f"""
SELECT patient_id, drug, 'screening' AS kind, concat('screening.', item) AS rule,
       CASE state {severity} END AS severity,
       CASE state
         WHEN 'missing' THEN concat('no ', display, ' test result on record; on therapy since ',
                                    {start}, ': test now')
         WHEN 'positive' THEN concat(display, ' ', result, ' (', {when},
                                     '): act on this result')
         ELSE concat(display, ' ', result, ' (', {when}, '); repeat on therapy due by ',
                     CAST(due_by AS {sql.text}))
       END AS detail,
       CASE WHEN state = 'due' THEN due_by END AS due_by,
       CAST(NULL AS INTEGER) AS overdue_days,
       CASE state WHEN 'positive' THEN positive_sources WHEN 'due' THEN due_sources
                  ELSE sources END AS sources
FROM s_screening
WHERE state IN {states}
"""


SCREENING = Kind("screening", tables, stages, findings)
