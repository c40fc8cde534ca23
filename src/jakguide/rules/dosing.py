"""Regimen selection and adjustment: renal, hepatic, interacting medicines, age, genotype, form.

The indication's regimens are the starting point. An adjustment that applies replaces or caps the
regimen, or changes the option's status; one that cannot be evaluated because an input is missing
withholds the dose (a dose that depends on a missing value is not given). Interaction rows are
reported by ``rules.interactions``; their dose effect is applied here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jakguide.kb.schema import Adjustment, Monograph, Regimen
from jakguide.model import Finding, RegimenOut
from jakguide.rules.adjustments import KIND, applied_findings, evaluated
from jakguide.rules.base import make, unverified
from jakguide.rules.context import Context, OptionContext
from jakguide.rules.indication import indication_for
from jakguide.rules.missing import sets_status
from jakguide.rules.predicates import evaluate

SHOWN_TEXTS = 3  # label texts quoted in one missing-data message (display only)
_WORSE_THAN_CAUTION = frozenset(
    {"replace-regimen", "max-dose", "not-recommended", "avoid", "contraindicated"}
)


@dataclass
class DosingResult:
    regimens: list[Regimen]
    withheld: bool = False
    findings: list[Finding] = field(default_factory=list)


def daily_mg(reg: Regimen) -> float:
    return (reg.dose_mg or 0.0) * reg.per_day


def check_dosing(ctx: Context, opt: OptionContext) -> list[Finding]:
    """Dose adjustments that apply, doses that depend on a missing value, unverified regimens."""
    return dosing_plan(ctx, opt).findings


def chosen_regimens(ctx: Context, opt: OptionContext) -> tuple[list[Regimen], bool]:
    """The regimens for this patient (preferred first) and whether the dose is withheld."""
    plan = dosing_plan(ctx, opt)
    return order_regimens(plan.regimens), plan.withheld


def dosing_plan(ctx: Context, opt: OptionContext) -> DosingResult:
    """Regimens and dose findings; none without an indication. Computed once per option."""
    return opt.shared(ctx, _plan)


def _plan(ctx: Context, opt: OptionContext) -> DosingResult:
    kb = ctx.kb
    result = DosingResult(regimens=[])
    ind = indication_for(ctx, opt).indication
    if ind is None:
        return result
    for reg in ind.regimens:
        if reg.when is None:
            result.regimens.append(reg)
            continue
        out = evaluate(reg.when, ctx, opt.drug)
        if out.value is True:
            result.regimens.append(reg)
        elif out.value is None:
            result.withheld = True
            result.findings.append(
                make(
                    kb,
                    f"dosing.{reg.id}",
                    "missing-data",
                    "warning",
                    f"Not recorded: {', '.join(out.missing)}. The dose depends on it ({reg.text}).",
                    [reg.source],
                    status="needs-data",
                )
            )
    replacements: list[Regimen] = []
    caps: list[tuple[Regimen, frozenset[str] | None]] = []  # cap and the phases it caps
    missing_groups: dict[tuple[str, ...], list[Adjustment]] = {}
    dialysis_rule_applied = False
    for row in evaluated(ctx, opt):
        adj, out = row.adj, row.outcome
        if out.value is True:
            if adj.kind != "interaction":  # interaction rows are reported by rules.interactions
                result.findings += applied_findings(kb, row)
            if adj.action == "replace-regimen":
                assert adj.regimen is not None
                replacements.append(adj.regimen)
            elif adj.action == "max-dose":
                assert adj.regimen is not None
                caps.append((adj.regimen, frozenset(adj.phases) if adj.phases else None))
        elif out.value is None and adj.action not in ("no-change", "info"):
            missing_groups.setdefault(tuple(dict.fromkeys(out.missing)), []).append(adj)
        if out.value is True and adj.when.renal is not None and adj.when.renal.dialysis:
            dialysis_rule_applied = True
    if dialysis_rule_applied:
        # a dialysis row sets the dose whatever the clearance (e.g. dose after dialysis)
        missing_groups = {
            m: [a for a in adjs if a.kind != "renal"] for m, adjs in missing_groups.items()
        }
        missing_groups = {m: adjs for m, adjs in missing_groups.items() if adjs}
    for missing, adjs in missing_groups.items():
        severe = any(a.action in _WORSE_THAN_CAUTION for a in adjs)
        hard = sets_status(list(missing), effect_worse_than_caution=severe)
        changes_dose = any(a.action in ("replace-regimen", "max-dose") for a in adjs)
        if hard and changes_dose:
            result.withheld = True
        kinds = {KIND[a.kind] for a in adjs}
        what = "dose" if changes_dose else "use"
        result.findings.append(
            make(
                kb,
                f"dosing.missing.{'-'.join(sorted({a.kind for a in adjs}))}",
                "missing-data",
                "warning" if hard else "info",
                f"Not recorded: {', '.join(missing)}. The label adjusts the {what} by it "
                f"({'; '.join(a.text for a in adjs[:SHOWN_TEXTS])}"
                f"{' ...' if len(adjs) > SHOWN_TEXTS else ''}).",
                [a.source for a in adjs],
                [f"checks affected: {', '.join(sorted(kinds))}"],
                status="needs-data" if hard else None,
            )
        )
    regimens = result.regimens
    if replacements:
        chosen = min(replacements, key=daily_mg)
        regimens = [chosen]
    elif caps:
        # a cap limits the regimens of its phases (all phases unless the row names some)
        within = [
            r
            for r in regimens
            if all(
                daily_mg(r) <= daily_mg(cap)
                for cap, phases in caps
                if phases is None or r.phase in phases
            )
        ]
        regimens = within or [min((c for c, _ in caps), key=daily_mg)]
    result.regimens = regimens
    for reg in regimens:
        if not reg.source.verified:
            result.findings.append(
                unverified(
                    kb, f"dosing.{reg.id}", f"regimen {reg.text}", reg.source, decisive=False
                )
            )
    return result


def regimen_out(mono: Monograph, reg: Regimen) -> RegimenOut:
    route = next((f.route for f in mono.forms if f.id == reg.form), "oral")
    return RegimenOut(
        phase=reg.phase,
        form=reg.form,
        route=route,
        dose_mg=reg.dose_mg,
        per_day=reg.per_day,
        duration_weeks=reg.duration_weeks,
        text=reg.text,
    )


def order_regimens(regimens: list[Regimen]) -> list[Regimen]:
    """Preferred first, then the rest in label order."""
    return sorted(regimens, key=lambda r: (not r.preferred,))
