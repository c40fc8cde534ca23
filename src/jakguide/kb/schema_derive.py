"""Schema of ``knowledge/derivations.yaml``: the boundaries of implied facts (issue 10).

``rules.derive`` reads every window, margin and cut-off here; each block cites where its number
comes from (a label row, a guideline, an instrument paper, or a documented local policy).
"""

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from jakguide.kb.schema import Citation, Strict

__all__ = [
    "CandidacyRule",
    "DerivationFile",
    "DialysisRule",
    "HepaticRule",
    "HepatitisRule",
    "InflammationRule",
    "RenalCrossRule",
    "ReproductiveRule",
    "SeverityCutoff",
    "SeverityRule",
]

PositiveInt = Annotated[int, Field(gt=0)]
RenalMeasure = Literal["egfr", "creatinine-clearance"]
SeverityLevel = Literal["mild", "moderate", "severe"]


class DialysisRule(Strict):
    """ "Not on dialysis" from a recent renal value at least ``min_value`` (every measure)."""

    max_age_days: PositiveInt
    min_value: dict[RenalMeasure, Decimal]
    blocked_by: list[str]  # history items (end-stage renal disease, CKD stage 5)
    procedure_max_age_days: PositiveInt  # FHIR: a dialysis Procedure this recent -> on dialysis
    source: Citation


class HepaticRule(Strict):
    """Hepatic impairment "none" from a reviewed history without liver disease."""

    liver_disease: list[str]  # history items that are liver disease (block the derivation)
    uln: dict[str, Decimal]  # analyte -> upper reference limit (canonical unit)
    max_uln_multiple: Decimal  # a liver test above this multiple of its limit blocks it
    albumin_min: Decimal | None = None  # albumin below this (g/dL) blocks it
    max_age_days: PositiveInt
    source: Citation


class ReproductiveRule(Strict):
    """No reproductive potential: menopause, permanent sterilisation, or an age."""

    min_age_years: Decimal
    age_source: Citation
    menopause: list[str]  # history items
    sterilisation: list[str]  # history items (settle pregnancy only)
    source: Citation


class SeverityCutoff(Strict):
    """One instrument's cut-off: a value ``above`` (strict) or ``at_least`` opens the option.

    A ``deciding`` instrument measures the disease itself: every recorded one must meet its
    cut-off, and at least one must be recorded. A ``supporting`` one (an impact measure such as
    the DLQI, which the labels' trial populations do not use) is shown when met, but neither
    blocks the derivation nor settles severity alone.
    """

    instrument: str  # pasi, bsa, dlqi (Disease fields) or an instrument id of a score record
    above: Decimal | None = None
    at_least: Decimal | None = None
    role: Literal["deciding", "supporting"] = "deciding"
    source: Citation


class SeverityRule(Strict):
    """Disease severity for a condition, from its instruments (any cut-off met, none contrary)."""

    condition: str
    basis: Literal["label-trial-entry", "guideline", "instrument-bands"]
    derives: list[SeverityLevel]  # the levels a met cut-off settles ("moderate to severe")
    cutoffs: list[SeverityCutoff]


class InflammationRule(Strict):
    """Objective inflammation (nr-axSpA) from a CRP above the reference limit."""

    analyte: str
    default_upper_limit: Decimal  # when the result carries no reference range
    max_age_days: PositiveInt
    source: Citation


class HepatitisRule(Strict):
    """No active HBV/HCV from negative serology no older than ``max_age_days``."""

    max_age_days: PositiveInt
    source: Citation


class RenalCrossRule(Strict):
    """A renal band ``margin`` or more away from the other measure's value is ruled out."""

    margin: Decimal
    max_age_days: PositiveInt
    source: Citation


class CandidacyRule(Strict):
    """Candidate for systemic therapy: a systemic therapy of these classes or ingredients is on
    record (a prior therapy, or a current medicine of a systemic route)."""

    classes: list[str]  # drug_classes.yaml ids whose members are systemic only
    ingredients: list[str] = Field(default_factory=list)  # systemic agents outside them
    source: Citation


class DerivationFile(Strict):
    dialysis: DialysisRule
    hepatic: HepaticRule
    reproductive: ReproductiveRule
    severity: list[SeverityRule]
    inflammation: InflammationRule
    hepatitis: HepatitisRule
    renal_cross: RenalCrossRule
    candidacy: CandidacyRule | None = None
