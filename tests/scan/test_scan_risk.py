"""The risk-group kind: the cases the test population holds, the rows it gives, and their words.

Parity itself is in ``test_scan_parity.py`` (``risk_keys`` is one of the extractors); here the
population is shown to hold the cases the rules turn on (ages at each label cut-off with the
birthday on ``as_of``, every smoking status, CV risk factors, MI, stroke, malignancy, VTE, no
history, no smoking status), both rules fire in both severities, the details state the engine's
facts, and the engine's findings of this kind do not depend on the condition asked about.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from jakguide.adapters.fhir import read_bundle
from jakguide.engine import assess
from jakguide.kb.base import Knowledge
from jakguide.model import AssessRequest, Region
from jakguide.scan.engines import DuckScan
from jakguide.scan.inputs import find_inputs
from jakguide.scan.kinds.risk import BOXED_RULE, EMA_RULE, KIND, label_tables
from jakguide.scan.run import ScanResult, run_scan
from scan_support import Assessed, Resource, risk_keys, write_population

AS_OF = dt.date(2026, 6, 1)
PATIENTS = 1500


def _bundle(resources: list[Resource]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }


@pytest.fixture(scope="module")
def population(
    tmp_path_factory: pytest.TempPathFactory, kb: Knowledge
) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("risk")
    by_patient = write_population(folder, kb, PATIENTS, seed=21, as_of=AS_OF)
    patients = {pid: read_bundle(_bundle(r), kb, AS_OF).patient for pid, r in by_patient.items()}
    return folder, patients


def _scan(folder: Path, kb: Knowledge, region: Region) -> ScanResult:
    engine = DuckScan()
    try:
        return run_scan(engine, find_inputs(folder), kb, AS_OF, region)
    finally:
        engine.close()


def _cutoffs(kb: Knowledge) -> set[float]:
    out: set[float] = set()
    for mono in kb.marketed("US"):
        bw = mono.regions["US"].boxed_warning
        if bw is not None:
            out.add(bw.singled_out_min_age_years)
    for mono in kb.marketed("EU"):
        rg = mono.regions["EU"].risk_groups
        if rg is not None:
            out.add(rg.min_age_years)
    return out


def test_the_population_holds_the_cases_the_rules_turn_on(
    population: tuple[Path, dict[str, Any]], kb: Knowledge
) -> None:
    _, patients = population
    cutoffs = _cutoffs(kb)
    assert len(cutoffs) >= 2  # the US and the EU cut-offs differ
    cases: Counter[str] = Counter()
    for p in patients.values():
        age = p.age_on(AS_OF)
        if p.birth_date is not None and (p.birth_date.month, p.birth_date.day) == (
            AS_OF.month,
            AS_OF.day,
        ):
            cases[f"birthday on as_of at {age:g}" if age in cutoffs else "birthday"] += 1
        if age is not None and age + 1 in cutoffs:
            cases["one year under a cut-off"] += 1
        if age is None:
            cases["age unknown"] += 1
        cases[f"smoking {p.smoking}"] += 1
        if p.history is None:
            cases["no history"] += 1
        for item in p.history or []:
            cases[f"history {item}"] += 1
        if p.cv_risk_factors:
            cases["CV risk factor"] += 1
        if p.cv_risk_factors == []:
            cases["no CV risk factor"] += 1
    for cutoff in cutoffs:
        assert cases[f"birthday on as_of at {cutoff:g}"] >= 10, cases
    wanted = [
        "one year under a cut-off",
        "age unknown",
        "smoking current",
        "smoking former",
        "smoking former-long-term",
        "smoking never",
        "smoking unknown",
        "no history",
        "history myocardial-infarction",
        "history stroke",
        "history malignancy",
        "history vte",
        "CV risk factor",
        "no CV risk factor",
    ]
    for case in wanted:
        assert cases[case] >= 20, (case, cases)


def _engine(kb: Knowledge, p: Any, region: Region, condition: str | None = None) -> list[Any]:
    """The risk findings of ``assess`` for the patient's agent (None: not on one in the region)."""
    t = p.therapy
    label = kb.drugs[t.drug].regions.get(region) if t is not None else None
    if t is None or t.start_date > AS_OF or label is None:
        return []
    cond = condition or label.indications[0].condition
    result = assess(
        p, AssessRequest(condition=cond, region=region, as_of=AS_OF, drugs=[t.drug]), kb
    )
    option = next(o for o in result.options if o.drug == t.drug)
    return [f for f in option.findings if f.rule in (BOXED_RULE, EMA_RULE)]


@pytest.mark.parametrize("region", ["US", "EU"])
def test_rows_state_the_engines_facts(
    population: tuple[Path, dict[str, Any]], kb: Knowledge, region: Region
) -> None:
    folder, patients = population
    rows = [r for r in _scan(folder, kb, region).worklist if r["kind"] == KIND]
    severities = Counter((r["rule"], r["severity"]) for r in rows)
    if region == "US":
        assert severities[(BOXED_RULE, "warning")] >= 100, severities
        assert set(severities) == {(BOXED_RULE, "warning")}
    else:
        assert severities[(EMA_RULE, "warning")] >= 100, severities
        assert severities[(EMA_RULE, "info")] >= 30, severities
    for row in rows:
        assert row["due_by"] is None and row["overdue_days"] is None
        assert row["sources"]
        findings = {f.rule: f for f in _engine(kb, patients[row["patient_id"]], region)}
        f = findings[row["rule"]]
        assert f.severity == row["severity"]
        assert row["sources"] == ";".join(dict.fromkeys(s.doc for s in f.sources))
        if f.rule == BOXED_RULE:
            assert all(fact in row["detail"] for fact in f.facts), (f.facts, row["detail"])
        elif f.severity == "warning":
            for fact in f.facts:
                words = fact.split(":")[0]  # risk-factor lists: the scan sorts them
                assert words in row["detail"], (f.facts, row["detail"])
        else:
            not_recorded = f.message.split(". ")[0]
            assert not_recorded in row["detail"], (f.message, row["detail"])


def test_the_engines_risk_findings_do_not_depend_on_the_condition(
    population: tuple[Path, dict[str, Any]], kb: Knowledge
) -> None:
    """The parity harness assesses the agent's first labelled condition; the boxed-warning
    population text names RA patients, but neither rule reads the condition asked about."""
    _, patients = population
    compared = 0
    for p in list(patients.values())[:300]:
        for region in ("US", "EU"):
            t = p.therapy
            label = kb.drugs[t.drug].regions.get(region) if t is not None else None
            if label is None or t is None or t.start_date > AS_OF:
                continue
            conditions = sorted({i.condition for i in label.indications})
            answers = set()
            for condition in conditions:
                result = assess(
                    p,
                    AssessRequest(condition=condition, region=region, as_of=AS_OF, drugs=[t.drug]),
                    kb,
                )
                a = Assessed(kb, p.id, p, t.drug, label, result, AS_OF, region)
                answers.add(tuple(risk_keys(a)))
            compared += len(conditions) > 1
            assert len(answers) == 1, (p.id, region, answers)
    assert compared >= 100


@pytest.mark.parametrize("region", ["US", "EU"])
def test_label_tables_are_the_knowledges(kb: Knowledge, region: Region) -> None:
    boxed, groups, smoking = label_tables(kb, region)
    labels = {m.id: m.regions[region] for m in kb.marketed(region)}
    assert sorted(r[0] for r in boxed.rows) == sorted(
        d for d, lab in labels.items() if lab.boxed_warning is not None
    )
    for drug, min_age, min_cv, population, _src in boxed.rows:
        bw = labels[drug].boxed_warning
        assert bw is not None
        assert (min_age, min_cv, population) == (
            bw.singled_out_min_age_years,
            bw.singled_out_min_cv_risk_factors,
            bw.singled_out_text.rstrip("."),
        )
    assert sorted(r[0] for r in groups.rows) == sorted(
        d for d, lab in labels.items() if lab.risk_groups is not None
    )
    for drug, min_age, _text, cv, malignancy, vte, _src in groups.rows:
        rg = labels[drug].risk_groups
        assert rg is not None
        assert (min_age, cv, malignancy, vte) == (
            rg.min_age_years,
            rg.cv_risk,
            rg.malignancy_risk,
            rg.vte_risk,
        )
        assert sorted(s for d, s in smoking.rows if d == drug) == sorted(rg.smoking)
