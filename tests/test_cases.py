"""Patient vignettes (tests/cases/<concept>/*.yaml) run through the engine.

A vignette gives a patient, a request and what must come out. ``fires``/``not_fires`` name rule
prefixes that must (not) appear among an option's findings; the meta-test checks that every rule
in the registry has at least one firing and one non-firing vignette. An ``error`` case runs the
engine under ``pytest.raises``; a ``skip`` key shows the case as skipped with its reason. A
vignette may name a base patient and state only the differences (``vignettes.py``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from jakguide import errors
from jakguide.adapters.native import patient_from_data
from jakguide.engine import assess, evaluate_labs
from jakguide.kb.base import Knowledge
from jakguide.model import Assessment, AssessRequest, LabsRequest, Option
from jakguide.rules.registry import RULES
from vignettes import CASES, load_case, vignette_paths

ALL = vignette_paths()


def run_case(case: dict[str, Any], kb: Knowledge) -> Any:
    patient = patient_from_data(case["patient"], kb)
    as_of = case.get("as_of", dt.date(2026, 11, 21))
    if "labs_request" in case:
        req = case["labs_request"]
        return evaluate_labs(patient, LabsRequest(as_of=as_of, **req), kb)
    return assess(patient, AssessRequest(as_of=as_of, **case["request"]), kb)


def _rules(option: Option) -> list[str]:
    return [f.rule for f in option.findings]


def check_option(name: str, option: Option, want: dict[str, Any]) -> None:
    where = f"{name}:"
    if "status" in want:
        assert option.status == want["status"], (where, option.status, option.findings)
    if "regimen" in want:
        got = option.regimen.text if option.regimen else None
        assert got == want["regimen"], (where, got)
    if "dose_mg" in want:
        assert option.regimen is not None and option.regimen.dose_mg == want["dose_mg"], where
    if "per_day" in want:
        assert option.regimen is not None and option.regimen.per_day == want["per_day"], where
    for text in want.get("regimens_include", []):
        assert text in [r.text for r in option.regimens], (where, text, option.regimens)
    for prefix in want.get("fires", []):
        assert any(r.startswith(prefix) for r in _rules(option)), (where, prefix, _rules(option))
    for prefix in want.get("not_fires", []):
        assert not any(r.startswith(prefix) for r in _rules(option)), (where, prefix)
    for kind in want.get("kinds", []):
        assert kind in [f.kind for f in option.findings], (where, kind)
    for text in want.get("message_contains", []):
        assert any(text.lower() in f.message.lower() for f in option.findings), (where, text)
    for text in want.get("facts_include", []):
        assert any(text in f.facts for f in option.findings), (where, text)
    for f in option.findings:
        if f.kind not in ("missing-data", "interaction") or f.sources:
            assert f.sources, (where, f.rule, "finding without a source")


def check_rechecks(expect: dict[str, Any], monitoring: list[Any]) -> None:
    """``rechecks``: the recheck entries (rules.story) by analyte; ``{}`` means none."""
    if "rechecks" not in expect:
        return
    got = {m.analyte: m for m in monitoring if m.why.startswith("Recheck within")}
    assert sorted(got) == sorted(expect["rechecks"]), (sorted(got), expect["rechecks"])
    for analyte, want in expect["rechecks"].items():
        for key, value in want.items():
            assert str(getattr(got[analyte], key)) == str(value), (analyte, key)


def check(case: dict[str, Any], result: Any) -> None:
    expect = case.get("expect", {})
    check_rechecks(expect, result.monitoring)
    if isinstance(result, Assessment):
        options = {o.drug: o for o in result.options}
        for drug, want in expect.get("options", {}).items():
            if want == "absent":
                assert drug not in options, drug
                continue
            assert drug in options, (drug, sorted(options))
            check_option(drug, options[drug], want)
        screening = {s.item: s.status for s in result.screening}
        for item, status in expect.get("screening", {}).items():
            assert screening.get(item) == status, (item, screening)
        monitoring = {m.analyte: m for m in result.monitoring}
        for analyte, want in expect.get("monitoring", {}).items():
            got = monitoring.get(analyte)
            assert got is not None, (analyte, sorted(monitoring))
            for key, value in want.items():
                assert str(getattr(got, key)) == str(value), (analyte, key, getattr(got, key))
    else:
        results = [(r.date, r.analyte, r) for r in result.results]
        for want in expect.get("results", []):
            hits = [
                r for d, a, r in results if a == want["analyte"] and str(d) == str(want["date"])
            ]
            assert hits, (want, [(str(d), a) for d, a, _ in results])
            assert hits[-1].action == want["action"], (want, hits[-1])
        monitoring = {m.analyte: m for m in result.monitoring}
        for analyte, want in expect.get("monitoring", {}).items():
            got = monitoring[analyte]
            for key, value in want.items():
                assert str(getattr(got, key)) == str(value), (analyte, key, getattr(got, key))


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(CASES)))
def test_vignette(path: Path, kb: Knowledge) -> None:
    case = load_case(path)
    if "skip" in case:
        pytest.skip(case["skip"])
    if "error" in case:
        error_type = getattr(errors, case["error"]["type"])
        with pytest.raises(error_type) as info:
            run_case(case, kb)
        assert case["error"]["field"] in str(info.value)
        assert case["error"].get("message", "") in str(info.value), str(info.value)
        return
    check(case, run_case(case, kb))


def test_enough_vignettes() -> None:
    assert len(ALL) >= 40


def test_every_rule_has_a_firing_and_a_non_firing_vignette() -> None:
    fired: set[str] = set()
    not_fired: set[str] = set()
    for path in ALL:
        case = load_case(path)
        for want in case.get("expect", {}).get("options", {}).values():
            if isinstance(want, dict):
                fired.update(want.get("fires", []))
                not_fired.update(want.get("not_fires", []))
    for rule in RULES:
        assert any(f.startswith(rule.id) for f in fired), f"no vignette fires {rule.id}"
        assert any(n.startswith(rule.id) or rule.id.startswith(n) for n in not_fired), (
            f"no vignette shows {rule.id} not firing"
        )
