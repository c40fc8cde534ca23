"""One scan: the export folder in, the worklist, counts and data-quality figures out.

Stages (each a table on the engine): the scan views over the NDJSON (``v_*``), the knowledge
tables (``k_*``), then the common rules (``s_med``, ``s_therapy``, ``s_condition_for``: the
condition each agent is taken for, ``s_lab``), each kind's stages (``scan.kinds``) and the
worklist. ``progress`` is called with each stage's name, so the CLI
can draw a bar.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from jakguide.kb.base import Knowledge
from jakguide.kb.measures import measure_spec
from jakguide.model import Region
from jakguide.scan import breakdown, conditions, rules
from jakguide.scan.describe import RuleText, describe_rules
from jakguide.scan.engines import DuckScan, SparkScan
from jakguide.scan.esi import run_esi
from jakguide.scan.inputs import Inputs, count_malformed, name_malformed
from jakguide.scan.kinds import KINDS
from jakguide.scan.measures import run_measures
from jakguide.scan.tables import lab_units_table, medicine_table
from jakguide.scan.worklist import Worklist, export
from jakguide.sof import View, load_view

VIEWS = {
    "v_patient": "patient",
    "v_medication_request": "scan_medication_request",
    "v_medication_statement": "scan_medication_statement",
    "v_observation": "scan_observation",
    "v_condition": "condition",
    "v_risk_condition": "scan_condition",
    "v_medication": "scan_medication",
    "v_patient_country": "scan_patient_country",
}
# Resources counted per type for the data-quality figures (the types the scan reads).
RESOURCE_VIEWS = {
    "Patient": "v_patient",
    "Condition": "v_condition",
    "MedicationRequest": "v_medication_request",
    "MedicationStatement": "v_medication_statement",
    "Medication": "v_medication",
    "Observation": "v_observation",
}
STAGES = (
    "views",
    "check",
    "knowledge",
    "medicines",
    "therapy",
    "conditions",
    "labs",
    *(kind.name for kind in KINDS),
    "worklist",
    "measures",
    "events",
    "quality",
)


def scan_view(name: str) -> View:
    """A view by name: the scan's own (``scan/views``) or one that ``sof`` ships."""
    import json

    package = "jakguide.scan" if name.startswith("scan_") else "jakguide.sof"
    text = resources.files(package).joinpath("views", f"{name}.json").read_text()
    return load_view(json.loads(text))


@dataclass
class ScanResult:
    """What a scan found, and how long each stage took (seconds).

    The worklist is a sorted file (``scan.worklist``); ``worklist`` reads it into Python rows
    (for tests and small scans); ``overdue`` is the monitoring warnings per (drug, rule)."""

    as_of: dt.date
    region: Region
    knowledge_version: str
    worklist_file: Worklist
    counts: dict[str, int]
    measures: list[dict[str, Any]]
    quality: dict[str, Any]
    counts_by_drug: dict[str, int] = field(default_factory=dict)
    esi: dict[str, Any] = field(default_factory=dict)
    breakdowns: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    # Each rule id the kinds can report, in words with its agents (scan.describe).
    rules: dict[str, RuleText] = field(default_factory=dict)
    overdue: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def worklist(self) -> list[dict[str, Any]]:
        return self.worklist_file.rows()


def run_scan(
    engine: DuckScan | SparkScan,
    inputs: Inputs,
    kb: Knowledge,
    as_of: dt.date,
    region: Region = "US",
    progress: Callable[[str], None] | None = None,
) -> ScanResult:
    """Run every stage on ``engine`` and return the worklist and the figures."""
    sql = rules.Sql("spark" if engine.dialect == "spark" else "duckdb")
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def done(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = now - clock
        clock = now
        if progress is not None:
            progress(stage)

    engine.load(inputs.files)
    for table, name in VIEWS.items():
        engine.view(table, scan_view(name))
    done("views")
    _check(engine, inputs)
    done("check")
    for kind in KINDS:
        for kind_table in kind.tables(kb, region):
            engine.table(kind_table)
    for condition_table in conditions.tables(kb, region):
        engine.table(condition_table)
    engine.table(lab_units_table(kb))
    engine.table(breakdown.condition_table(kb))
    engine.stage("s_stratum", breakdown.STRATUM_SQL)
    done("knowledge")
    engine.stage("s_med_record", rules.med_record_sql())
    terms = engine.rows("SELECT DISTINCT rxnorm, text FROM s_med_record")
    pairs = [(r[0], r[1]) for r in terms]
    engine.table(medicine_table(kb, pairs))
    for kind in KINDS:
        if kind.terms is not None:
            for kind_table in kind.terms(kb, region, pairs):
                engine.table(kind_table)
    engine.stage("s_med", rules.medication_sql(sql, as_of))
    done("medicines")
    engine.stage("s_therapy", rules.THERAPY_SQL)
    done("therapy")
    for name, text in conditions.stages(sql, as_of):
        engine.stage(name, text)
    done("conditions")
    reads = [kind.lab_analytes for kind in KINDS if kind.lab_analytes is not None]
    engine.stage("s_lab_read", rules.lab_read_sql(reads, as_of))
    engine.stage("s_lab", rules.lab_sql(sql, as_of))
    done("labs")
    for kind in KINDS:
        for name, text in kind.stages(sql, as_of):
            engine.stage(name, text)
        done(kind.name)
    findings = [kind.findings(sql, as_of) for kind in KINDS]
    engine.stage("s_worklist", rules.worklist_sql(findings, as_of, kb.version))
    worklist = export(engine)
    counts = _counts(engine)
    overdue = {
        (str(drug), str(rule)): int(n)
        for drug, rule, n in engine.rows(
            "SELECT drug, rule, count(*) FROM s_worklist "
            "WHERE kind = 'monitoring' AND severity = 'warning' GROUP BY drug, rule"
        )
    }
    done("worklist")
    screening = run_measures(engine, kb, sql, as_of)
    done("measures")
    esi = run_esi(engine, measure_spec(kb), sql, as_of)
    breakdowns = {
        "measures": breakdown.measure_breakdowns(engine),
        "worklist": breakdown.worklist_breakdowns(engine),
    }
    done("events")
    quality = _quality(engine, sql, as_of, inputs)
    by_drug = {
        str(r[0]): int(r[1])
        for r in engine.rows(
            f"SELECT drug, count(*) FROM s_therapy WHERE start_day <= DATE '{as_of}' GROUP BY drug "
            "ORDER BY drug"
        )
    }
    done("quality")
    return ScanResult(
        as_of=as_of,
        region=region,
        knowledge_version=kb.version,
        worklist_file=worklist,
        counts=counts,
        measures=screening,
        quality=quality,
        counts_by_drug=by_drug,
        esi=esi,
        breakdowns=breakdowns,
        timings=timings,
        notices=list(inputs.notices),
        rules=describe_rules(kb, region),
        overdue=overdue,
    )


def _check(engine: DuckScan | SparkScan, inputs: Inputs) -> None:
    """Count and name the malformed lines: DuckDB counted those of the files its views read
    while reading them; the other files (and every file, for Spark, which skips bad lines
    silently) get one parallel DuckDB pass."""
    if isinstance(engine, DuckScan):
        counted = dict(engine.malformed)
        rest = [p for t, ps in inputs.files.items() if t not in engine.counted_types for p in ps]
        counted.update(count_malformed(engine.con, rest, inputs.folder))
    else:
        checker = DuckScan()
        try:
            paths = [p for ps in inputs.files.values() for p in ps]
            counted = count_malformed(checker.con, paths, inputs.folder)
        finally:
            checker.close()
    name_malformed(inputs, counted)


def _one(engine: DuckScan | SparkScan, sql: str) -> int:
    rows = engine.rows(sql)
    return int(rows[0][0] or 0) if rows else 0


def _counts(engine: DuckScan | SparkScan) -> dict[str, int]:
    return {
        "patients": _one(engine, "SELECT count(DISTINCT id) FROM v_patient"),
        "patients_on_jak": _one(engine, "SELECT count(*) FROM s_therapy"),
        "patients_on_jak_condition_not_recorded": _one(
            engine, "SELECT count(*) FROM s_condition_for WHERE NOT recorded"
        ),
        "medication_requests": _one(engine, "SELECT count(*) FROM v_medication_request"),
        "medication_statements": _one(engine, "SELECT count(*) FROM v_medication_statement"),
        "observations": _one(engine, "SELECT count(*) FROM v_observation"),
        "lab_days_read": _one(engine, "SELECT count(*) FROM s_lab"),
    }


def _quality(
    engine: DuckScan | SparkScan, sql: rules.Sql, as_of: dt.date, inputs: Inputs
) -> dict[str, Any]:
    """Data-quality figures: files, malformed lines, dates out of range, references, mapping."""
    today = f"DATE '{as_of.isoformat()}'"
    obs_day = sql.day("effective")
    birth = sql.day("birth_date")
    med_day = sql.day("start")
    # The Observation figures in one pass over the view (it is the largest table by far).
    after, undated, known_lab, known_any = engine.rows(
        f"SELECT count(CASE WHEN ({obs_day}) > {today} THEN 1 END), "
        f"count(CASE WHEN ({obs_day}) IS NULL THEN 1 END), "
        "count(CASE WHEN k.lab THEN 1 END), count(k.loinc) "
        "FROM v_observation o LEFT JOIN (SELECT loinc, max(lab) AS lab FROM ("
        "SELECT DISTINCT loinc, TRUE AS lab FROM k_lab_unit UNION ALL "
        "SELECT DISTINCT code AS loinc, FALSE AS lab FROM k_screen_test) u GROUP BY loinc) k "
        "ON k.loinc = o.loinc"
    )[0]
    return {
        "files": {k: len(v) for k, v in sorted(inputs.files.items())},
        "resources": {
            rtype: _one(engine, f"SELECT count(DISTINCT id) FROM {view}")
            for rtype, view in RESOURCE_VIEWS.items()
        },
        "malformed_lines": inputs.malformed,
        "medication_records_after_as_of": _one(
            engine, f"SELECT count(*) FROM s_med_record WHERE ({med_day}) > {today}"
        ),
        "medication_records_without_day": _one(
            engine, f"SELECT count(*) FROM s_med_record WHERE ({med_day}) IS NULL"
        ),
        "medication_records": _one(engine, "SELECT count(*) FROM s_med_record"),
        "medication_records_with_known_ingredient": _one(
            engine,
            "SELECT count(*) FROM s_med_record m WHERE EXISTS (SELECT 1 FROM k_ingredient i "
            "WHERE coalesce(i.rxnorm, '') = coalesce(m.rxnorm, '') AND i.text = m.text)",
        ),
        "observations_with_known_code": int(known_any or 0),
        "observations_after_as_of": int(after or 0),
        "observations_without_day": int(undated or 0),
        "patients_without_birth_date": _one(
            engine, f"SELECT count(DISTINCT id) FROM v_patient WHERE ({birth}) IS NULL"
        ),
        "conditions_without_onset": _one(
            engine,
            "SELECT count(DISTINCT id) FROM v_condition WHERE "
            f"({sql.day('onset_date_time')}) IS NULL",
        ),
        "birth_dates_after_as_of": _one(
            engine, f"SELECT count(*) FROM v_patient WHERE ({birth}) > {today}"
        ),
        "unresolved_patient_references": _one(
            engine,
            "SELECT count(*) FROM (SELECT patient_id FROM v_observation UNION ALL "
            "SELECT patient_id FROM (SELECT DISTINCT id, patient_id FROM v_condition) c UNION ALL "
            "SELECT patient_id FROM v_medication_request UNION ALL "
            "SELECT patient_id FROM v_medication_statement) r "
            "LEFT JOIN v_patient p ON p.id = r.patient_id WHERE p.id IS NULL",
        ),
        "observations_with_known_lab_code": int(known_lab or 0),
        "medications_naming_jak_agent": _one(engine, "SELECT count(*) FROM s_med"),
        "medication_references": {
            str(via): int(n)
            for via, n in engine.rows(
                "SELECT via, count(*) FROM s_med_record WHERE via <> 'concept' GROUP BY via "
                "ORDER BY via"
            )
        },
    }
