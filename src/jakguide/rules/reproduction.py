"""Pregnancy, contraception and breastfeeding, as each label words them.

A pregnancy or breastfeeding status that is not recorded sets the option's status only where the
label contraindicates (or advises against) use; a contraindication row that already covers
pregnancy is not repeated here.
"""

from __future__ import annotations

from jakguide.model import Finding, Status
from jakguide.rules.base import make, unverified
from jakguide.rules.context import Context, OptionContext

_STATUS: dict[str, Status] = {
    "contraindicated": "contraindicated",
    "avoid": "not-recommended",
    "not-recommended": "not-recommended",
}


def check_reproduction(ctx: Context, opt: OptionContext) -> list[Finding]:
    label = opt.label
    rep = label.reproduction
    if rep is None:
        return []
    kb = ctx.kb
    p = ctx.patient
    if p.sex == "male":
        return []
    ctx.derived("reproductive_potential")  # shown when a derivation settles what is asked here
    ctx.derived("pregnancy")
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
