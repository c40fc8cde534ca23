"""Contraindications and "not recommended" situations as labelled (incl. hypersensitivity and
pharmacogenomic ones)."""

from __future__ import annotations

from jakguide.model import Finding
from jakguide.rules.base import make, unverified
from jakguide.rules.context import Context, OptionContext
from jakguide.rules.missing import sets_status
from jakguide.rules.predicates import evaluate


def check_contraindications(ctx: Context, opt: OptionContext) -> list[Finding]:
    kb = ctx.kb
    drug, label = opt.drug, opt.label
    findings: list[Finding] = []
    for ci in label.contraindications:
        out = evaluate(ci.when, ctx, drug)
        rule = f"contraindications.{ci.id}"
        if out.value is True:
            contraindicated = ci.severity == "contraindicated"
            findings.append(
                make(
                    kb,
                    rule,
                    "contraindication",
                    "critical" if contraindicated else "warning",
                    ci.text,
                    [ci.source],
                    out.facts,
                    status="contraindicated" if contraindicated else "not-recommended",
                )
            )
            if not ci.source.verified:
                findings.append(unverified(kb, rule, ci.text, ci.source))
        elif out.value is None:
            hard = sets_status(out.missing)  # every contraindication is worse than caution
            findings.append(
                make(
                    kb,
                    rule,
                    "missing-data",
                    "warning" if hard else "info",
                    f"Not recorded: {', '.join(out.missing)}. Needed to rule out: {ci.text}",
                    [ci.source],
                    status="needs-data" if hard else None,
                )
            )
    return findings
