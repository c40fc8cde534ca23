"""Is the drug approved for this condition, for this patient, in this region?

Population (age), the label's prior-therapy prerequisites and disease requirements are checked as
labelled. Loss of response counts as inadequate response only where the knowledge lists it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jakguide.kb.names import resolve
from jakguide.kb.schema import Indication, Prerequisite
from jakguide.model import Finding
from jakguide.rules.base import make, unverified
from jakguide.rules.context import Context, OptionContext


@dataclass
class IndicationResult:
    indication: Indication | None
    findings: list[Finding] = field(default_factory=list)


def check_indication(ctx: Context, opt: OptionContext) -> list[Finding]:
    """Approval for the condition in the region, population, prerequisites, disease."""
    return indication_for(ctx, opt).findings


def indication_for(ctx: Context, opt: OptionContext) -> IndicationResult:
    """The indication that applies to this patient (None if none), with its findings; computed
    once per option (dosing starts from its regimens)."""
    return opt.shared(ctx, _indication)


def _indication(ctx: Context, opt: OptionContext) -> IndicationResult:
    kb = ctx.kb
    mono, label, condition, region = opt.mono, opt.label, opt.condition, opt.region
    rule = "indication"
    matches = [i for i in label.indications if i.condition == condition]
    if not matches:
        approved = sorted({kb.conditions[i.condition].name for i in label.indications})
        cond_name = kb.conditions[condition].name
        return IndicationResult(
            None,
            [
                make(
                    kb,
                    f"{rule}.not-approved",
                    "indication",
                    "info",
                    f"{mono.inn.capitalize()} is not approved for {cond_name} in the {region}. "
                    f"Approved for: {', '.join(approved)}.",
                    [i.source for i in label.indications],
                    status="not-indicated",
                )
            ],
        )
    ind = _pick(ctx, matches)
    findings: list[Finding] = []
    if not ind.source.verified:
        findings.append(
            make(
                kb,
                f"{rule}.unverified",
                "unverified-fact",
                "warning",
                f"The {region} approval of {mono.inn} for {kb.conditions[condition].name} could "
                "not be verified against a label copy; it is not treated as an approved "
                "indication.",
                [ind.source],
                status="not-indicated",
            )
        )
        return IndicationResult(None, findings)
    findings.extend(_population(ctx, ind))
    for prereq in ind.prerequisites:
        findings.extend(_prerequisite(ctx, prereq))
    findings.extend(_disease(ctx, ind))
    return IndicationResult(ind, findings)


def _pick(ctx: Context, matches: list[Indication]) -> Indication:
    """The first indication whose population (age, weight) fits; else the first one."""
    for ind in matches:
        if not _population(ctx, ind) and _weight_fits(ctx, ind):
            return ind
    return matches[0]


def _weight_fits(ctx: Context, ind: Indication) -> bool:
    low = ind.population.min_weight_kg
    return low is None or ctx.weight_kg is None or ctx.weight_kg >= low


def _population(ctx: Context, ind: Indication) -> list[Finding]:
    pop = ind.population
    kb = ctx.kb
    if pop.min_age_years is None and pop.max_age_years is None:
        return []
    if ctx.age is None:
        return [
            make(
                kb,
                "indication.population",
                "missing-data",
                "warning",
                "Age or birth date is needed to check the labelled population "
                f"({pop.text or ind.text}).",
                [ind.source],
                status="needs-data",
            )
        ]
    too_young = pop.min_age_years is not None and ctx.age < pop.min_age_years
    too_old = pop.max_age_years is not None and ctx.age > pop.max_age_years
    if too_young or too_old:
        return [
            make(
                kb,
                "indication.population",
                "indication",
                "warning",
                f"Outside the labelled population for this indication ({pop.text or ind.text}).",
                [ind.source],
                [f"age {ctx.age:g} years"],
                status="not-indicated",
            )
        ]
    return []


def _prerequisite(ctx: Context, prereq: Prerequisite) -> list[Finding]:
    kb = ctx.kb
    prior = ctx.patient.prior_therapies
    if prior is None:
        return [
            make(
                kb,
                "indication.prerequisite",
                "missing-data",
                "warning",
                f"Prior therapies are not recorded; the label requires: {prereq.text}.",
                [prereq.source],
                status="needs-data",
            )
        ]
    members = set().union(*(kb.class_members(c) for c in prereq.classes))
    # Brands, misspellings and codes resolve through kb.names; fuzzy matches only suggest.
    matches = [(p, resolve(kb, p.drug)) for p in prior]
    qualifying = [(p, m) for p, m in matches if m.inn in members and p.outcome in prereq.outcomes]
    agents = {m.inn for _, m in qualifying}
    if len(agents) >= prereq.min_count:
        return [
            make(
                kb,
                "indication.prerequisite",
                "indication",
                "info",
                f"Prerequisite met: {prereq.text}.",
                [prereq.source],
                [f"{m.describe()}: {p.outcome}" for p, m in qualifying],
            )
        ]
    unknown = [m for _, m in matches if not m.identified]
    if unknown:
        # An entry that cannot be identified may be the qualifying agent: unknown, never unmet.
        return [
            make(
                kb,
                "indication.prerequisite",
                "missing-data",
                "warning",
                f"Prior therapy not identified, so the labelled prerequisite cannot be checked "
                f"({prereq.text}): "
                + "; ".join(m.describe() for m in unknown)
                + ". Record it by its INN or brand name.",
                [prereq.source],
                [m.describe() for m in unknown],
                status="needs-data",
            )
        ]
    tried = [f"{m.describe()}: {p.outcome}" for p, m in matches]
    findings = [
        make(
            kb,
            "indication.prerequisite",
            "indication",
            "warning",
            f"Unmet labelled prerequisite: {prereq.text}.",
            [prereq.source],
            tried or ["no prior therapies recorded (reviewed, none)"],
            status="not-indicated",
        )
    ]
    if not prereq.source.verified:
        findings.append(unverified(kb, "indication.prerequisite", prereq.text, prereq.source))
    return findings


def _disease(ctx: Context, ind: Indication) -> list[Finding]:
    req = ind.disease
    if req is None:
        return []
    kb = ctx.kb
    disease = ctx.patient.disease
    missing: list[str] = []
    unmet: list[str] = []
    if req.severity is not None:
        sev = disease.severity if disease else None
        derived = ctx.derived("severity") if sev is None else None
        if derived is not None and set(derived.value) <= set(req.severity):
            pass  # opened by the recorded instruments (rules.derive); never closed by them
        elif sev is None:
            missing.append("disease severity")
        elif sev not in req.severity:
            unmet.append(f"severity {sev} (label: {', '.join(req.severity)})")
    if req.candidate_for_any is not None:
        ctx.derived("candidate_for")  # shown when a systemic therapy on record settles it
        cand = disease.candidate_for if disease else None
        if cand is None:
            missing.append("candidacy for systemic therapy or phototherapy")
        elif not set(cand) & set(req.candidate_for_any):
            unmet.append("not a candidate for " + " or ".join(req.candidate_for_any))
    if req.objective_inflammation:
        ctx.derived("objective_inflammation")
        oi = disease.objective_inflammation if disease else None
        if oi is None or (oi.crp_elevated is None and oi.mri is None):
            missing.append("objective signs of inflammation (CRP, MRI)")
        elif not (oi.crp_elevated or oi.mri):
            unmet.append("no objective signs of inflammation (CRP and MRI negative)")
    extra = (
        [unverified(kb, "indication.disease", req.text, req.source, decisive=bool(unmet))]
        if (not req.source.verified)
        else []
    )
    if unmet:
        return [
            *extra,
            make(
                kb,
                "indication.disease",
                "indication",
                "warning",
                f"Labelled disease requirement not met: {req.text}.",
                [req.source],
                unmet,
                status="not-indicated",
            ),
        ]
    if missing:
        return [
            *extra,
            make(
                kb,
                "indication.disease",
                "missing-data",
                "warning",
                f"Needed to confirm the labelled population ({req.text}): {', '.join(missing)}.",
                [req.source],
                status="needs-data",
            ),
        ]
    return extra
