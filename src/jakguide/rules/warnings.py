"""Boxed warning (US), EMA Article 20 risk groups (EU), pregnancy and breastfeeding."""

from __future__ import annotations

from jakguide.kb.schema import RegionLabel
from jakguide.model import Finding, Status
from jakguide.rules.base import make, unverified
from jakguide.rules.context import Context
from jakguide.rules.risk import risk_group_status


def check_boxed_warning(ctx: Context, label: RegionLabel) -> list[Finding]:
    """Always listed (info); a warning for the population the warning singles out."""
    bw = label.boxed_warning
    if bw is None:
        return []
    kb = ctx.kb
    age, cv = ctx.age, ctx.cv_risk_count
    if age is not None and cv is not None:
        singled_out = (
            age >= bw.singled_out_min_age_years and cv >= bw.singled_out_min_cv_risk_factors
        )
        facts = [f"age {age:g} years", f"cardiovascular risk factors (smoking included): {cv}"]
        if singled_out:
            return [
                make(
                    kb,
                    "boxed-warning.singled-out",
                    "boxed-warning",
                    "warning",
                    f"Boxed warning: {bw.title}. This patient matches the population the warning "
                    f"singles out ({bw.singled_out_text}).",
                    [bw.source],
                    facts,
                )
            ]
        return [
            make(
                kb,
                "boxed-warning",
                "boxed-warning",
                "info",
                f"Boxed warning: {bw.title}.",
                [bw.source],
                facts,
            )
        ]
    missing = [
        n for n, v in (("age", age), ("CV risk factors and smoking status", cv)) if v is None
    ]
    return [
        make(
            kb,
            "boxed-warning",
            "boxed-warning",
            "info",
            f"Boxed warning: {bw.title}. Not recorded: {', '.join(missing)}; whether the patient "
            f"is in the singled-out population ({bw.singled_out_text}) is unknown.",
            [bw.source],
        )
    ]


def check_risk_groups(ctx: Context, label: RegionLabel) -> list[Finding]:
    groups = label.risk_groups
    if groups is None:
        return []
    kb = ctx.kb
    out = risk_group_status(ctx, groups)
    if out.value is True:
        extra = (
            []
            if groups.source.verified
            else [unverified(kb, "risk-group.ema-art20", "risk-group criteria", groups.source)]
        )
        return [
            make(
                kb,
                "risk-group.ema-art20",
                "risk-group",
                "warning",
                groups.text
                if "no suitable" in groups.text
                else f"{groups.text} Use only if no suitable treatment alternatives are available.",
                [groups.source],
                out.facts,
            ),
            *extra,
        ]
    if out.value is None:
        return [
            make(
                kb,
                "risk-group.ema-art20",
                "risk-group",
                "info",
                f"Risk-group status unknown; not recorded: {', '.join(out.missing)}. {groups.text}",
                [groups.source],
            )
        ]
    return []


_STATUS: dict[str, Status] = {
    "contraindicated": "contraindicated",
    "avoid": "not-recommended",
    "not-recommended": "not-recommended",
}


def check_reproduction(ctx: Context, label: RegionLabel) -> list[Finding]:
    rep = label.reproduction
    if rep is None:
        return []
    kb = ctx.kb
    p = ctx.patient
    if p.sex == "male":
        return []
    covered = any(ci.when.pregnancy for ci in label.contraindications)
    findings: list[Finding] = []
    strict = rep.pregnancy in _STATUS
    if p.pregnancy == "pregnant":
        findings.append(
            make(
                kb,
                "pregnancy.pregnant",
                "pregnancy",
                "critical" if strict else "warning",
                rep.pregnancy_text,
                [rep.source],
                ["pregnancy: pregnant"],
                status=None if covered or not strict else _STATUS[rep.pregnancy],
            )
        )
    elif p.pregnancy == "unknown" and p.reproductive_potential is not False and not covered:
        # pregnant would make the option worse than caution, so unknown sets status (missing.py)
        contraindicated = rep.pregnancy in _STATUS
        findings.append(
            make(
                kb,
                "pregnancy.status",
                "missing-data",
                "warning" if contraindicated else "info",
                f"Pregnancy status not recorded. {rep.pregnancy_text}",
                [rep.source],
                status="needs-data" if contraindicated else None,
            )
        )
    if (
        p.reproductive_potential is not False
        and p.pregnancy != "pregnant"
        and rep.contraception_text
    ):
        findings.append(
            make(
                kb,
                "pregnancy.contraception",
                "pregnancy",
                "info",
                rep.contraception_text,
                [rep.source],
            )
        )
    if findings and not rep.source.verified:
        findings.append(
            unverified(
                kb,
                "pregnancy",
                "pregnancy/contraception advice",
                rep.source,
                decisive=any(f.status for f in findings),
            )
        )
    if rep.lactation and rep.lactation_text:
        if p.breastfeeding == "yes":
            strict_l = rep.lactation in _STATUS
            findings.append(
                make(
                    kb,
                    "pregnancy.breastfeeding",
                    "pregnancy",
                    "warning",
                    rep.lactation_text,
                    [rep.source],
                    ["breastfeeding: yes"],
                    status=_STATUS[rep.lactation] if strict_l else None,
                )
            )
        elif (
            p.breastfeeding == "unknown"
            and rep.lactation in _STATUS
            and p.reproductive_potential is not False
        ):
            findings.append(
                make(
                    kb,
                    "pregnancy.breastfeeding-status",
                    "missing-data",
                    "warning",
                    f"Breastfeeding status not recorded. {rep.lactation_text}",
                    [rep.source],
                    status="needs-data",
                )
            )
    return findings
