"""The rule registry drives the engine: every finding on an option comes from a registered check.

The engine's per-option findings are produced only by iterating ``registry.CHECKS``. These tests
replace the registry with instrumented (or no) checks and run every vignette: a check that the
engine ran outside the registry would leave a finding that no registered check returned.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from jakguide.kb.base import Knowledge
from jakguide.model import Assessment, Finding
from jakguide.rules import registry
from jakguide.rules.context import Context, OptionContext
from jakguide.rules.registry import CHECKS, RULES, Check, CheckFn
from test_cases import ALL, run_case
from vignettes import load_case


def _assessments(kb: Knowledge) -> list[tuple[Path, Assessment]]:
    out = []
    for path in ALL:
        case = load_case(path)
        if "skip" in case or "error" in case or "labs_request" in case:
            continue
        result = run_case(case, kb)
        assert isinstance(result, Assessment)
        out.append((path, result))
    return out


def test_every_finding_comes_from_a_registered_check(
    kb: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    produced: dict[int, str] = {}  # id(finding) -> the check that returned it
    ran: set[str] = set()

    def traced(check: Check) -> CheckFn:
        def fn(ctx: Context, opt: OptionContext) -> list[Finding]:
            ran.add(check.id)
            findings = check.fn(ctx, opt)
            for f in findings:
                produced[id(f)] = check.id
            return findings

        return fn

    monkeypatch.setattr(registry, "CHECKS", tuple(Check(c.id, traced(c), c.rules) for c in CHECKS))
    results = _assessments(kb)
    assert ran == {c.id for c in CHECKS}
    seen = 0
    for path, result in results:
        for option in result.options:
            for f in option.findings:
                origin = produced.get(id(f))
                assert origin is not None, (path.name, option.drug, f.rule, "not from a check")
                assert f.rule.startswith(origin), (path.name, f.rule, origin)
                seen += 1
    assert seen > 0


def test_without_checks_the_engine_finds_nothing(
    kb: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry, "CHECKS", ())
    for _, result in _assessments(kb):
        for option in result.options:
            assert option.findings == [], option.drug
            assert option.status == "eligible"


def test_registry_shape() -> None:
    ids = [c.id for c in CHECKS]
    assert len(ids) == len(set(ids))
    assert len({r.id for r in RULES}) == len(RULES)
    for check in CHECKS:
        assert check.rules, check.id
        assert check.module.startswith("rules."), check.module
        assert list(inspect.signature(check.fn).parameters) == ["ctx", "opt"], check.id
        for rule in check.rules:
            assert rule.id.startswith(check.id), (check.id, rule.id)
            assert rule.title and rule.reads, rule.id
