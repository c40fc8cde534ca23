"""Interacting medicines: the label's interaction rows, by drug class, and medicines not identified.

The current medication list is resolved to ingredients and classes in ``Context``; a row names the
classes (``when.classes`` / ``all_classes``) and the action. Rows that change the dose also feed the
regimen choice in ``rules.dosing``. A medicine the knowledge cannot identify is reported, never
assumed harmless.
"""

from __future__ import annotations

from jakguide.model import Finding
from jakguide.rules.adjustments import applied_findings, evaluated
from jakguide.rules.base import make
from jakguide.rules.context import Context, OptionContext
from jakguide.rules.indication import indication_for


def check_interactions(ctx: Context, opt: OptionContext) -> list[Finding]:
    findings = unidentified(ctx)
    if indication_for(ctx, opt).indication is None:
        return findings  # no indication, no dose: interaction rows are dose advice
    for row in evaluated(ctx, opt):
        if row.adj.kind == "interaction" and row.outcome.value is True:
            findings += applied_findings(ctx.kb, row)
    return findings


def unidentified(ctx: Context) -> list[Finding]:
    """One warning per medicine on the list that matched no known ingredient."""
    if ctx.patient.medications is None:
        return []
    return [
        make(
            ctx.kb,
            "interactions.unidentified",
            "interaction",
            "warning",
            f"Medicine not identified: {name!r}; interactions with it not checked.",
            facts=[name],
        )
        for name in ctx.unidentified_medications
    ]
