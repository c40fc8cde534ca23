"""Boxed warning (US) and EMA Article 20 risk groups (EU)."""

from __future__ import annotations

from jakguide.model import Finding
from jakguide.rules.base import make, unverified
from jakguide.rules.context import Context, OptionContext
from jakguide.rules.risk import risk_group_status


def check_boxed_warning(ctx: Context, opt: OptionContext) -> list[Finding]:
    """Always listed (info); a warning for the population the warning singles out."""
    bw = opt.label.boxed_warning
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


def check_risk_groups(ctx: Context, opt: OptionContext) -> list[Finding]:
    groups = opt.label.risk_groups
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
