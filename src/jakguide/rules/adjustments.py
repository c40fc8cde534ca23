"""The label's adjustment table: which rows apply, and what a row says when it applies.

Interaction rows (``rules.interactions``) and dose rows (renal, hepatic, age, genotype, weight;
``rules.dosing``) share one table per label, including the EMA risk-group lower doses. Every row is
evaluated once per option; each concept then reports its own rows, and dosing reads all of them to
choose the regimen (an interacting medicine can cap or replace the dose).
"""

from __future__ import annotations

from dataclasses import dataclass

from jakguide.kb.base import Knowledge
from jakguide.kb.schema import Adjustment, RegionLabel
from jakguide.model import Finding, FindingKind
from jakguide.rules.base import make, unverified
from jakguide.rules.context import Context, OptionContext
from jakguide.rules.predicates import evaluate
from jakguide.rules.truth import Outcome

KIND: dict[str, FindingKind] = {
    "interaction": "interaction",
    "renal": "dose-adjustment",
    "hepatic": "dose-adjustment",
    "age": "dose-adjustment",
    "pharmacogenomic": "dose-adjustment",
    "weight": "dose-adjustment",
    "other": "dose-adjustment",
}


@dataclass(frozen=True)
class Evaluated:
    """One adjustment row and whether it applies to this patient (true, false or unknown)."""

    adj: Adjustment
    outcome: Outcome

    @property
    def rule(self) -> str:
        concept = "interactions" if self.adj.kind == "interaction" else "dosing"
        return f"{concept}.{self.adj.id}"


def applicable_adjustments(
    label: RegionLabel, condition: str, include_risk_group: bool
) -> list[Adjustment]:
    adjustments = [
        a for a in label.adjustments if a.conditions is None or condition in a.conditions
    ]
    if include_risk_group and label.risk_groups is not None:
        adjustments += [
            a
            for a in label.risk_groups.lower_dose
            if a.conditions is None or condition in a.conditions
        ]
    return adjustments


def evaluated(ctx: Context, opt: OptionContext) -> list[Evaluated]:
    """Every row for the option's condition, in label order; computed once per option."""
    return opt.shared(ctx, _evaluate_all)


def _evaluate_all(ctx: Context, opt: OptionContext) -> list[Evaluated]:
    return [
        Evaluated(adj, evaluate(adj.when, ctx, opt.drug))
        for adj in applicable_adjustments(opt.label, opt.condition, include_risk_group=True)
    ]


def applied_findings(kb: Knowledge, row: Evaluated) -> list[Finding]:
    """What an applying row says: its action as a finding (and a note if its fact is unverified).

    A dose change is a warning; ``contraindicated`` and ``not-recommended``/``avoid`` set the
    option's status; ``no-change`` and ``info`` are shown for information.
    """
    adj, out, rule = row.adj, row.outcome, row.rule
    kind = KIND[adj.kind]
    findings: list[Finding] = []
    if not adj.source.verified:
        findings.append(
            unverified(
                kb, rule, adj.text, adj.source, decisive=adj.action not in ("no-change", "info")
            )
        )
    if adj.action == "contraindicated":
        findings.append(
            make(
                kb,
                rule,
                kind,
                "critical",
                adj.text,
                [adj.source],
                out.facts,
                status="contraindicated",
            )
        )
    elif adj.action in ("not-recommended", "avoid"):
        findings.append(
            make(
                kb,
                rule,
                kind,
                "warning",
                adj.text,
                [adj.source],
                out.facts,
                status="not-recommended",
            )
        )
    elif adj.action in ("replace-regimen", "max-dose", "caution"):
        findings.append(make(kb, rule, kind, "warning", adj.text, [adj.source], out.facts))
    else:  # no-change, info
        findings.append(make(kb, rule, kind, "info", adj.text, [adj.source], out.facts))
    return findings
