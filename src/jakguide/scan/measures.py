"""The screening measures of docs/scan.md "Measures", counted in SQL from the export.

The generator (``synth.measures``) counts the same measures in Python from what it wrote; the
scan counts them here, independently, from the files. Drug sets come from the knowledge's
classes, test and result codes from the FHIR adapter's code tables, so the SQL holds no code
and no clinical number: the measure's own parameters (age, window, washout) are a table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from jakguide.adapters.fhir.codes import code_tables
from jakguide.adapters.fhir.read import _FINAL_OBSERVATION
from jakguide.dates import MONTHS_PER_YEAR
from jakguide.kb.base import Knowledge
from jakguide.kb.names import resolve_ingredients
from jakguide.scan.rules import Sql
from jakguide.scan.tables import Table

MEASURE_IDS = (
    "tb-before-start",
    "tb-before-start-jak",
    "hbv-before-start",
    "hcv-before-start",
    "screening-complete",
)
# The measure specification (MIPS #176 as docs/scan.md states it; CMS Quality ID 176).
ADULT_YEARS = 18  # patients aged 18 years and older at the index date
WINDOW_MONTHS = 12  # a test in the 12 months before the first course
WASHOUT_MONTHS = 15  # no biologic or immune response modifier in the 15 months before
B_CLASSES = ("biologic-dmards", "jak-inhibitors")  # docs/scan.md "Drug sets"
J_CLASS = "jak-inhibitors"
T_INGREDIENTS = ("rifampin", "rifampicin", "rifapentine")  # latent-TB treatment
SCREEN_ITEMS = ("tb", "hbsag", "anti-hbc", "hcv")
RESULTS = ("positive", "negative", "indeterminate")
KNOWN = ("hbv-active", "hcv-active")


def ingredient_table(kb: Knowledge, terms: Iterable[tuple[str | None, str | None]]) -> Table:
    """(RxNorm code, text) -> ingredients: the RxNorm coding first, else the text."""
    rows: list[tuple[Any, ...]] = []
    for rxnorm, text in sorted(set(terms), key=lambda t: (t[0] or "", t[1] or "")):
        found = kb.ingredients_for_code(rxnorm) if rxnorm else []
        if not found and text:
            found = resolve_ingredients(kb, text)
        rows.extend((rxnorm, text, i) for i in found)
    return Table(
        "k_ingredient",
        (("rxnorm", "VARCHAR"), ("text", "VARCHAR"), ("ingredient", "VARCHAR")),
        rows,
    )


def measure_tables(kb: Knowledge) -> list[Table]:
    """Drug sets, test codes, result codes, known-infection codes, the measure's parameters."""
    sets = [("B", i) for c in B_CLASSES for i in sorted(kb.class_members(c))]
    sets += [("J", i) for i in sorted(kb.class_members(J_CLASS))]
    sets += [("T", i) for i in T_INGREDIENTS]
    tables = code_tables()

    def codes(name: str, wanted: tuple[str, ...]) -> list[tuple[Any, ...]]:
        table = tables.tables[name]  # type: ignore[index]
        return [
            (c.system or table.system, c.code, item)
            for item, entries in table.items.items()
            if item in wanted
            for c in entries
        ]

    three = (("system", "VARCHAR"), ("code", "VARCHAR"), ("item", "VARCHAR"))
    return [
        Table("k_drug_set", (("set_id", "VARCHAR"), ("ingredient", "VARCHAR")), sorted(set(sets))),
        Table("k_screen_test", three, codes("screening_tests", SCREEN_ITEMS)),
        Table("k_result", three, codes("results", RESULTS)),
        Table("k_known", three, codes("history", KNOWN)),
        Table(
            "k_measure",
            (
                ("adult_months", "INTEGER"),
                ("window_months", "INTEGER"),
                ("washout_months", "INTEGER"),
            ),
            [(ADULT_YEARS * MONTHS_PER_YEAR, WINDOW_MONTHS, WASHOUT_MONTHS)],
        ),
    ]


def _in(values: Iterable[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in sorted(values)) + ")"


def exposure_sql(sql: Sql, as_of: dt.date) -> str:
    """``s_exposure``: (patient, day, ingredient) of every dated medication record."""
    day = sql.day("m.start_text")
    return f"""
SELECT DISTINCT m.patient_id, {day} AS day, i.ingredient
FROM (
  SELECT patient_id, status, start_text, coalesce(text, display, code) AS text, rxnorm
  FROM v_medication_request
  UNION ALL
  SELECT patient_id, status, start_text, coalesce(text, display, code) AS text, rxnorm
  FROM v_medication_statement
) m
JOIN k_ingredient i ON coalesce(i.rxnorm, '') = coalesce(m.rxnorm, '') AND i.text = m.text
WHERE coalesce(m.status, '') <> 'entered-in-error' AND m.patient_id IS NOT NULL
  AND ({day}) IS NOT NULL AND ({day}) <= DATE '{as_of.isoformat()}'
"""


def test_sql(sql: Sql) -> str:
    """``s_test``: (patient, day, item, result) of every screening test with a result."""
    day = sql.day("o.effective")
    return f"""
SELECT DISTINCT o.patient_id, {day} AS day, t.item, r.item AS result
FROM v_observation o
JOIN k_screen_test t ON t.system = 'http://loinc.org' AND t.code = o.loinc
JOIN k_result r ON r.system = o.value_system AND r.code = o.value_code
WHERE o.status IN {_in(_FINAL_OBSERVATION)} AND ({day}) IS NOT NULL
"""


def index_sql(set_id: str) -> str:
    """(patient, idx): the first exposure to a member of the set."""
    return f"""
SELECT e.patient_id, min(e.day) AS idx FROM s_exposure e
JOIN k_drug_set s ON s.ingredient = e.ingredient AND s.set_id = '{set_id}'
GROUP BY e.patient_id
"""


def jak_index_sql(sql: Sql) -> str:
    """``s_j_index``: the first JAK course, unless a B drug was taken in the washout before it."""
    washout = sql.add_months("j.idx", "-k.washout_months")
    return f"""
SELECT j.patient_id, j.idx FROM s_j_first j
CROSS JOIN k_measure k
LEFT JOIN s_b_exposure b ON b.patient_id = j.patient_id AND b.day >= {washout} AND b.day < j.idx
GROUP BY j.patient_id, j.idx
HAVING count(b.day) = 0
"""


KNOWN_SQL_TEMPLATE = """
SELECT DISTINCT c.patient_id, k.item, {day} AS day
FROM v_condition c JOIN k_known k ON k.system = c.system AND k.code = c.code
WHERE c.patient_id IS NOT NULL AND ({day}) IS NOT NULL
"""


def flags_sql(sql: Sql, index: str) -> str:
    """Per patient of ``index`` (patient_id, idx): adult, tests in the window, exclusions."""
    lo = sql.add_months("x.idx", "-k.window_months")

    def window(item: str) -> str:
        return (
            f"max(CASE WHEN t.item = '{item}' AND t.day >= {lo} AND t.day <= x.idx "
            "THEN 1 ELSE 0 END)"
        )

    def known(item: str) -> str:
        return (
            f"(SELECT i.patient_id, max(CASE WHEN c.item = '{item}' AND c.day <= i.idx "
            f"THEN 1 ELSE 0 END) AS v FROM {index} i JOIN s_known c "
            "ON c.patient_id = i.patient_id GROUP BY i.patient_id)"
        )

    adult = sql.add_months("x.birth", "k.adult_months")
    return f"""
SELECT x.patient_id, x.idx,
  CASE WHEN x.birth IS NOT NULL AND {adult} <= x.idx THEN 1 ELSE 0 END AS adult,
  {window("tb")} AS tb_ok, {window("hbsag")} AS hbsag_ok, {window("anti-hbc")} AS antihbc_ok,
  {window("hcv")} AS hcv_ok,
  max(CASE WHEN t.item = 'tb' AND t.result = 'positive' AND t.day <= x.idx THEN 1 ELSE 0 END)
    AS tb_positive,
  max(x.treated) AS tb_treated, max(x.hbv_known) AS hbv_known, max(x.hcv_known) AS hcv_known
FROM (
  SELECT i.patient_id, i.idx, {sql.day("p.birth_date")} AS birth,
         coalesce(tr.v, 0) AS treated, coalesce(hb.v, 0) AS hbv_known,
         coalesce(hc.v, 0) AS hcv_known
  FROM {index} i
  LEFT JOIN (SELECT id, max(birth_date) AS birth_date FROM v_patient GROUP BY id) p
    ON p.id = i.patient_id
  LEFT JOIN (SELECT i.patient_id, max(CASE WHEN e.day <= i.idx THEN 1 ELSE 0 END) AS v
             FROM {index} i JOIN s_t_exposure e ON e.patient_id = i.patient_id
             GROUP BY i.patient_id) tr ON tr.patient_id = i.patient_id
  LEFT JOIN {known("hbv-active")} hb ON hb.patient_id = i.patient_id
  LEFT JOIN {known("hcv-active")} hc ON hc.patient_id = i.patient_id
) x
CROSS JOIN k_measure k
LEFT JOIN s_test t ON t.patient_id = x.patient_id
GROUP BY x.patient_id, x.idx, x.birth, x.treated, x.hbv_known, x.hcv_known, k.adult_months,
         k.window_months
"""


COUNTS_SQL = """
SELECT 'tb-before-start' AS id, sum(adult) AS d, sum(adult * tb_positive * tb_treated) AS e,
       sum(CASE WHEN adult = 1 AND NOT (tb_positive = 1 AND tb_treated = 1) AND tb_ok = 1
           THEN 1 ELSE 0 END) AS n
FROM s_b_flags
UNION ALL
SELECT 'hbv-before-start', sum(adult), sum(adult * hbv_known),
       sum(CASE WHEN adult = 1 AND hbv_known = 0 AND hbsag_ok = 1 AND antihbc_ok = 1
           THEN 1 ELSE 0 END)
FROM s_b_flags
UNION ALL
SELECT 'hcv-before-start', sum(adult), sum(adult * hcv_known),
       sum(CASE WHEN adult = 1 AND hcv_known = 0 AND hcv_ok = 1 THEN 1 ELSE 0 END)
FROM s_b_flags
UNION ALL
SELECT 'screening-complete', sum(adult), 0,
       sum(CASE WHEN adult = 1
                 AND ((tb_positive = 1 AND tb_treated = 1) OR tb_ok = 1)
                 AND (hbv_known = 1 OR (hbsag_ok = 1 AND antihbc_ok = 1))
                 AND (hcv_known = 1 OR hcv_ok = 1) THEN 1 ELSE 0 END)
FROM s_b_flags
UNION ALL
SELECT 'tb-before-start-jak', sum(adult), sum(adult * tb_positive * tb_treated),
       sum(CASE WHEN adult = 1 AND NOT (tb_positive = 1 AND tb_treated = 1) AND tb_ok = 1
           THEN 1 ELSE 0 END)
FROM s_j_flags
"""


def run_measures(engine: Any, kb: Knowledge, sql: Sql, as_of: dt.date) -> list[dict[str, Any]]:
    """Build the measure stages on ``engine`` and return one dict per measure id."""
    terms = engine.rows(
        "SELECT DISTINCT rxnorm, coalesce(text, display, code) FROM v_medication_request "
        "UNION SELECT DISTINCT rxnorm, coalesce(text, display, code) FROM v_medication_statement"
    )
    engine.table(ingredient_table(kb, [(r[0], r[1]) for r in terms]))
    for table in measure_tables(kb):
        engine.table(table)
    engine.stage("s_exposure", exposure_sql(sql, as_of))
    engine.stage("s_test", test_sql(sql))
    engine.stage("s_known", KNOWN_SQL_TEMPLATE.format(day=sql.day("c.onset_date_time")))
    for name, set_id in (("s_b_exposure", "B"), ("s_t_exposure", "T")):
        engine.stage(
            name,
            "SELECT e.patient_id, e.day FROM s_exposure e JOIN k_drug_set s "
            f"ON s.ingredient = e.ingredient AND s.set_id = '{set_id}'",
        )
    engine.stage("s_b_index", index_sql("B"))
    engine.stage("s_j_first", index_sql("J"))
    engine.stage("s_j_index", jak_index_sql(sql))
    engine.stage("s_b_flags", flags_sql(sql, "s_b_index"))
    engine.stage("s_j_flags", flags_sql(sql, "s_j_index"))
    found = {
        mid: {"numerator": int(n or 0), "denominator": int(d or 0), "exclusions": int(e or 0)}
        for mid, d, e, n in engine.rows(COUNTS_SQL)
    }
    return [{"id": mid, **found[mid]} for mid in MEASURE_IDS]
