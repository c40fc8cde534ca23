"""Cardiovascular and EMA Article 20 risk status.

The US boxed warning singles out patients by age and CV risk factors (read from the monograph);
the EMA 2023 measures define risk groups (age, smoking, CV, malignancy and VTE risk), read from
``RiskGroups``. Missing inputs are reported, not assumed absent.
"""

from __future__ import annotations

from jakguide.kb.schema import RiskGroups
from jakguide.model import HistoryItem
from jakguide.rules.context import ASCVD_HISTORY, Context
from jakguide.rules.missing import Missing
from jakguide.rules.truth import Outcome

# The history items of the malignancy and VTE risk factors (the scan reads them too).
MALIGNANCY_HISTORY: HistoryItem = "malignancy"
VTE_HISTORY: HistoryItem = "vte"


def risk_group_status(ctx: Context, groups: RiskGroups | None = None) -> Outcome:
    """Whether the patient is in the EMA risk group; unknown lists what is missing."""
    if groups is None:
        return Outcome.false()
    p = ctx.patient
    facts: list[str] = []
    missing: list[str] = []
    if ctx.age is None:
        missing.append(Missing("age", "age or birth date"))
    elif ctx.age >= groups.min_age_years:
        facts.append(f"age {ctx.age:g} years (>= {groups.min_age_years:g})")
    if p.smoking == "unknown":
        missing.append(Missing("smoking", "smoking status"))
    elif p.smoking in groups.smoking:
        facts.append(f"smoking: {p.smoking}")
    history = p.history
    if groups.cv_risk:
        if p.cv_risk_factors is None:
            missing.append(Missing("cv-risk", "cardiovascular risk factors"))
        elif p.cv_risk_factors:
            facts.append("cardiovascular risk factors: " + ", ".join(p.cv_risk_factors))
        if history and any(h in history for h in ASCVD_HISTORY):
            facts.append("history of atherosclerotic cardiovascular disease")
    if history is None:
        missing.append(Missing("history", "medical history (malignancy, VTE)"))
    else:
        if groups.malignancy_risk and MALIGNANCY_HISTORY in history:
            facts.append("history of malignancy")
        if groups.vte_risk and VTE_HISTORY in history:
            facts.append("history of venous thromboembolism")
    if facts:
        return Outcome(True, [], facts)
    if missing:
        return Outcome(None, missing, [])
    return Outcome(False, [], [])
