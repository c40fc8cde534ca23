"""The screening measures of docs/scan.md "Measures", counted in SQL from the export.

The generator (``synth.measures``) counts the same measures in Python from what it wrote; the
scan counts them here, independently, from the files. Both read the specification (age, window,
washout, drug sets, tests, exceptions) from ``knowledge/measures.yaml``; test and result codes
come from the FHIR adapter's code tables. The SQL is generated from that specification and holds
no code and no clinical number: the parameters are a table (``k_measure``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from jakguide.adapters.fhir.codes import code_tables
from jakguide.adapters.fhir.read import _FINAL_OBSERVATION
from jakguide.dates import MONTHS_PER_YEAR
from jakguide.kb.base import Knowledge
from jakguide.kb.measures import MeasureSpec, measure_spec
from jakguide.kb.names import resolve_ingredients
from jakguide.kb.schema_measures import Measure
from jakguide.scan.rules import Sql
from jakguide.scan.tables import Table

NL = "\n"


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


def _col(item: str) -> str:
    """A column-name fragment for an item id (``anti-hbc`` -> ``anti_hbc``)."""
    return re.sub(r"[^a-z0-9]", "_", item.lower())


def test_items(spec: MeasureSpec) -> list[str]:
    """Every screening-test item a measure reads (its tests and its positive exception)."""
    items: set[str] = set()
    for m in spec.measures:
        items.update(m.tests)
        if m.exception is not None and m.exception.positive is not None:
            items.add(m.exception.positive)
    return sorted(items)


def known_items(spec: MeasureSpec) -> list[str]:
    """Every history item a measure's exception reads (known infections)."""
    return sorted({k for m in spec.measures if m.exception for k in m.exception.known})


def measure_tables(kb: Knowledge, spec: MeasureSpec) -> list[Table]:
    """Drug sets, test codes, result codes, known-infection codes, the measure's parameters."""
    sets = sorted({(sid, i) for sid, members in spec.sets.items() for i in members})
    tables = code_tables()

    def codes(name: str, wanted: Iterable[str]) -> list[tuple[Any, ...]]:
        table = tables.tables[name]  # type: ignore[index]
        want = set(wanted)
        missing = want - set(table.items)
        if missing:
            raise KeyError(f"measures.yaml: {name} items not in codes.yaml: {sorted(missing)}")
        return [
            (c.system or table.system, c.code, item)
            for item, entries in table.items.items()
            if item in want
            for c in entries
        ]

    three = (("system", "VARCHAR"), ("code", "VARCHAR"), ("item", "VARCHAR"))
    scr = spec.screening
    return [
        Table("k_drug_set", (("set_id", "VARCHAR"), ("ingredient", "VARCHAR")), sets),
        Table("k_screen_test", three, codes("screening_tests", test_items(spec))),
        Table("k_result", three, codes("results", scr.results)),
        Table("k_known", three, codes("history", known_items(spec))),
        Table(
            "k_measure",
            (
                ("adult_months", "INTEGER"),
                ("window_months", "INTEGER"),
                ("washout_months", "INTEGER"),
            ),
            [(scr.adult_years * MONTHS_PER_YEAR, scr.window_months, scr.washout_months)],
        ),
    ]


def _in(values: Iterable[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in sorted(values)) + ")"


def exposure_sql(sql: Sql, as_of: dt.date) -> str:
    """``s_exposure``: (patient, day, ingredient) of every dated medication record."""
    day = sql.day("m.start")
    return f"""
SELECT DISTINCT m.patient_id, {day} AS day, i.ingredient
FROM s_med_record m
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


def washout_sql(sql: Sql, first: str, washout_set: str) -> str:
    """(patient, idx) of ``first``, unless a ``washout_set`` drug was taken in the washout."""
    washout = sql.add_months("j.idx", "-k.washout_months")
    return f"""
SELECT j.patient_id, j.idx FROM {first} j
CROSS JOIN k_measure k
LEFT JOIN (SELECT e.patient_id, e.day FROM s_exposure e JOIN k_drug_set s
           ON s.ingredient = e.ingredient AND s.set_id = '{washout_set}') b
  ON b.patient_id = j.patient_id AND b.day >= {washout} AND b.day < j.idx
GROUP BY j.patient_id, j.idx
HAVING count(b.day) = 0
"""


KNOWN_SQL_TEMPLATE = """
SELECT DISTINCT c.patient_id, k.item, {day} AS day
FROM v_condition c JOIN k_known k ON k.system = c.system AND k.code = c.code
WHERE c.patient_id IS NOT NULL AND ({day}) IS NOT NULL
"""


def flags_sql(sql: Sql, index: str, spec: MeasureSpec) -> str:
    """Per patient of ``index`` (patient_id, idx): adult, each test in the window, each positive
    test and treatment set and known infection dated on or before the index."""
    lo = sql.add_months("x.idx", "-k.window_months")
    tests = test_items(spec)
    positives = sorted(
        {m.exception.positive for m in spec.measures if m.exception and m.exception.positive}
    )
    treated = sorted(
        {m.exception.treated_by for m in spec.measures if m.exception and m.exception.treated_by}
    )
    known = known_items(spec)
    cols = [
        f"max(CASE WHEN t.item = '{item}' AND t.day >= {lo} AND t.day <= x.idx "
        f"THEN 1 ELSE 0 END) AS ok_{_col(item)}"
        for item in tests
    ]
    cols += [
        f"max(CASE WHEN t.item = '{item}' AND t.result = 'positive' AND t.day <= x.idx "
        f"THEN 1 ELSE 0 END) AS pos_{_col(item)}"
        for item in positives
    ]
    inner = [f"coalesce(tr_{_col(s)}.v, 0) AS tr_{_col(s)}" for s in treated]
    inner += [f"coalesce(kn_{_col(k)}.v, 0) AS kn_{_col(k)}" for k in known]
    joins = [
        f"LEFT JOIN (SELECT i.patient_id, max(CASE WHEN e.day <= i.idx THEN 1 ELSE 0 END) AS v "
        f"FROM {index} i JOIN s_exposure e ON e.patient_id = i.patient_id "
        f"JOIN k_drug_set s ON s.ingredient = e.ingredient AND s.set_id = '{s}' "
        f"GROUP BY i.patient_id) tr_{_col(s)} ON tr_{_col(s)}.patient_id = i.patient_id"
        for s in treated
    ]
    joins += [
        f"LEFT JOIN (SELECT i.patient_id, max(CASE WHEN c.item = '{k}' AND c.day <= i.idx "
        f"THEN 1 ELSE 0 END) AS v FROM {index} i JOIN s_known c "
        f"ON c.patient_id = i.patient_id GROUP BY i.patient_id) kn_{_col(k)} "
        f"ON kn_{_col(k)}.patient_id = i.patient_id"
        for k in known
    ]
    carried = [f"tr_{_col(s)}" for s in treated] + [f"kn_{_col(k)}" for k in known]
    outer = [f"max(x.{c}) AS {c}" for c in carried]
    adult = sql.add_months("x.birth", "k.adult_months")
    sep = ",\n  "
    return f"""
SELECT x.patient_id, x.idx,
  CASE WHEN x.birth IS NOT NULL AND {adult} <= x.idx THEN 1 ELSE 0 END AS adult,
  {sep.join(cols + outer)}
FROM (
  SELECT i.patient_id, i.idx, {sql.day("p.birth_date")} AS birth{"".join(", " + c for c in inner)}
  FROM {index} i
  LEFT JOIN (SELECT id, max(birth_date) AS birth_date FROM v_patient GROUP BY id) p
    ON p.id = i.patient_id
  {NL.join(joins)}
) x
CROSS JOIN k_measure k
LEFT JOIN s_test t ON t.patient_id = x.patient_id
GROUP BY x.patient_id, x.idx, x.birth, k.adult_months, k.window_months
"""


def _excepted(m: Measure) -> str:
    """SQL truth (0/1 expression) of the measure's exception on a flags row."""
    ex = m.exception
    if ex is None:
        return "0"
    if ex.positive is not None and ex.treated_by is not None:
        return f"(pos_{_col(ex.positive)} * tr_{_col(ex.treated_by)})"
    known = " + ".join(f"kn_{_col(k)}" for k in ex.known)
    return f"(CASE WHEN {known} > 0 THEN 1 ELSE 0 END)"


def _met(m: Measure) -> str:
    return " AND ".join(f"ok_{_col(t)} = 1" for t in m.tests)


def index_name(m: Measure) -> str:
    """The stage that holds the measure's index dates (with its washout, when it has one)."""
    base = f"s_first_{m.index_set.lower()}"
    return base if m.washout_set is None else f"{base}_clear_{m.washout_set.lower()}"


def patient_sql(spec: MeasureSpec) -> str:
    """``s_measure_patient``: one row per (measure, patient in its denominator): the index set
    and date, whether excepted (``e``) and whether met (``n``), each 0 or 1."""
    parts = []
    for m in spec.measures:
        flags = f"s_flags_{index_name(m)}"
        if m.all_of:
            each = [spec.screening.measure(p) for p in m.all_of]
            cond = " AND ".join(f"(({_excepted(p)}) = 1 OR ({_met(p)}))" for p in each)
            e, n = "0", f"CASE WHEN {cond} THEN 1 ELSE 0 END"
        else:
            ex = _excepted(m)
            e = f"CASE WHEN ({ex}) = 1 THEN 1 ELSE 0 END"
            n = f"CASE WHEN NOT (({ex}) = 1) AND {_met(m)} THEN 1 ELSE 0 END"
        parts.append(
            f"SELECT '{m.id}' AS id, patient_id, idx, '{m.index_set}' AS index_set, "
            f"{e} AS e, {n} AS n FROM {flags} WHERE adult = 1"
        )
    return "\nUNION ALL\n".join(parts)


# The agent of each patient's index (the first, by name, of the set's drugs taken that day).
INDEX_DRUG_SQL = """
SELECT x.id, x.patient_id, x.e, x.n, min(e.ingredient) AS drug
FROM s_measure_patient x
JOIN s_exposure e ON e.patient_id = x.patient_id AND e.day = x.idx
JOIN k_drug_set s ON s.ingredient = e.ingredient AND s.set_id = x.index_set
GROUP BY x.id, x.patient_id, x.e, x.n
"""
COUNTS_SQL = "SELECT id, count(*) AS d, sum(e) AS e, sum(n) AS n FROM s_measure_patient GROUP BY id"


def run_measures(engine: Any, kb: Knowledge, sql: Sql, as_of: dt.date) -> list[dict[str, Any]]:
    """Build the measure stages on ``engine`` and return one dict per measure id."""
    spec = measure_spec(kb)
    terms = engine.rows("SELECT DISTINCT rxnorm, text FROM s_med_record")
    engine.table(ingredient_table(kb, [(r[0], r[1]) for r in terms]))
    for table in measure_tables(kb, spec):
        engine.table(table)
    engine.stage("s_exposure", exposure_sql(sql, as_of))
    engine.stage("s_test", test_sql(sql))
    engine.stage("s_known", KNOWN_SQL_TEMPLATE.format(day=sql.day("c.onset_date_time")))
    built: set[str] = set()
    for m in spec.measures:
        first = f"s_first_{m.index_set.lower()}"
        if first not in built:
            engine.stage(first, index_sql(m.index_set))
            built.add(first)
        name = index_name(m)
        if name not in built:
            assert m.washout_set is not None
            engine.stage(name, washout_sql(sql, first, m.washout_set))
            built.add(name)
        if f"s_flags_{name}" not in built:
            engine.stage(f"s_flags_{name}", flags_sql(sql, name, spec))
            built.add(f"s_flags_{name}")
    engine.stage("s_measure_patient", patient_sql(spec))
    engine.stage("s_measure_drug", INDEX_DRUG_SQL)
    found = {
        mid: {"numerator": int(n or 0), "denominator": int(d or 0), "exclusions": int(e or 0)}
        for mid, d, e, n in engine.rows(COUNTS_SQL)
    }
    zero = {"numerator": 0, "denominator": 0, "exclusions": 0}
    return [{"id": m.id, **found.get(m.id, zero), "name": m.name} for m in spec.measures]
