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
    out = []
    for med in ctx.medications or []:
        if med.non_drug:
            out.append(
                make(
                    ctx.kb,
                    "interactions.unidentified",
                    "interaction",
                    "info",
                    f"Not a medicine: {med.entered!r}; not checked for interactions.",
                    facts=[med.entered],
                )
            )
            continue
        if med.identified:
            continue
        near = f" (nearest: {', '.join(med.suggestions)})" if med.suggestions else ""
        where = "systemic or route not recorded" if med.systemic else f"route {med.route}"
        out.append(
            make(
                ctx.kb,
                "interactions.unidentified",
                "interaction",
                "warning",
                f"Medicine not identified: {med.entered!r}{near}; interactions with it not "
                f"checked ({where}).",
                facts=[med.entered, *(f"nearest: {s}" for s in med.suggestions)],
            )
        )
    return out
