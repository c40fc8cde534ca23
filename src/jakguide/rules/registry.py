"""Every check the engine runs on an option, in the order it runs them.

A ``Check`` holds the function itself (``check(ctx, opt) -> list[Finding]``), the prefix every
``Finding.rule`` it returns starts with, and the ``Rule``s it reports: each an id (a prefix of
``Finding.rule``), a title and the knowledge facts it reads. The engine iterates over ``CHECKS``
and calls nothing else for findings (``tests/test_registry.py`` proves it); the meta-test in
``tests/test_cases.py`` checks that every rule in ``RULES`` has a firing and a non-firing vignette.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jakguide.model import Finding
from jakguide.rules.context import Context, OptionContext
from jakguide.rules.contraindications import check_contraindications
from jakguide.rules.derive import check_derived
from jakguide.rules.dosing import check_dosing
from jakguide.rules.indication import check_indication
from jakguide.rules.interactions import check_interactions
from jakguide.rules.labs import check_labs
from jakguide.rules.reproduction import check_reproduction
from jakguide.rules.response import response_findings
from jakguide.rules.review import review_findings
from jakguide.rules.screening import positive_findings
from jakguide.rules.story import dili_findings
from jakguide.rules.warnings import check_boxed_warning, check_risk_groups

CheckFn = Callable[[Context, OptionContext], list[Finding]]


@dataclass(frozen=True)
class Rule:
    """A family of findings: the id prefix they carry, a title, the knowledge facts read."""

    id: str
    title: str
    reads: tuple[str, ...]


@dataclass(frozen=True)
class Check:
    """A function the engine runs for every option, and the rules whose findings it returns."""

    id: str
    fn: CheckFn
    rules: tuple[Rule, ...]

    @property
    def module(self) -> str:
        return self.fn.__module__.removeprefix("jakguide.")


def _review_points(ctx: Context, opt: OptionContext) -> list[Finding]:
    if not opt.on_therapy:
        return []
    return review_findings(ctx, opt.mono, opt.label, opt.condition)


def _treatment_response(ctx: Context, opt: OptionContext) -> list[Finding]:
    if not opt.on_therapy:
        return []
    return response_findings(ctx, opt.condition)


def _one(rule_id: str, title: str, fn: CheckFn, reads: tuple[str, ...]) -> Check:
    return Check(rule_id, fn, (Rule(rule_id, title, reads),))


CHECKS: tuple[Check, ...] = (
    Check(
        "indication",
        check_indication,
        (
            Rule(
                "indication.not-approved",
                "Not approved for this condition in this region",
                ("indications",),
            ),
            Rule("indication.population", "Labelled population (age)", ("indications.population",)),
            Rule(
                "indication.prerequisite",
                "Labelled prior-therapy prerequisite",
                ("indications.prerequisites", "drug_classes"),
            ),
            Rule(
                "indication.disease",
                "Labelled disease requirement (severity, candidacy, inflammation)",
                ("indications.disease",),
            ),
        ),
    ),
    _one(
        "contraindications",
        "Contraindications and not-recommended situations",
        check_contraindications,
        ("contraindications",),
    ),
    _one(
        "boxed-warning",
        "US boxed warning and the population it singles out",
        check_boxed_warning,
        ("boxed_warning",),
    ),
    _one("risk-group", "EMA 2023 Article 20 risk groups", check_risk_groups, ("risk_groups",)),
    _one(
        "pregnancy",
        "Pregnancy, contraception and breastfeeding",
        check_reproduction,
        ("reproduction", "contraindications[when.pregnancy]"),
    ),
    _one(
        "screening",
        "Positive screening results that concern an option",
        positive_findings,
        ("screening", "guidelines"),
    ),
    _one(
        "interactions",
        "Interacting medicines by class; medicines not identified",
        check_interactions,
        ("adjustments[kind=interaction]", "drug_classes", "products"),
    ),
    _one(
        "labs",
        "Initiation and on-therapy lab thresholds",
        check_labs,
        ("labs", "monitoring", "analytes"),
    ),
    _one(
        "dili-evaluation",
        "Liver enzymes above the guideline's multiple of the upper limit: evaluate for DILI",
        dili_findings,
        ("guidelines[dili-evaluation]", "labs", "monitoring"),
    ),
    _one(
        "response.review",
        "Label review points (e.g. no benefit by week N)",
        _review_points,
        ("review_points",),
    ),
    _one(
        "response",
        "Treatment response from dated scores, and treat-to-target checks",
        _treatment_response,
        ("instruments", "guidelines"),
    ),
    _one(
        "dosing",
        "Regimen selection and renal/hepatic/age adjustments",
        check_dosing,
        ("indications.regimens", "adjustments", "risk_groups.lower_dose"),
    ),
    # Last: reports the derived inputs (rules.derive) that the checks above used.
    _one(
        "derive",
        "Inputs derived from other recorded data (implied is known)",
        check_derived,
        ("derivations",),
    ),
)

RULES: tuple[Rule, ...] = tuple(rule for check in CHECKS for rule in check.rules)
