"""Every rule the engine runs: id prefix (as it appears in ``Finding.rule``), title, module and
the knowledge facts it reads. The meta-test checks that each has a firing and a non-firing
vignette in ``tests/cases``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    module: str
    reads: tuple[str, ...]


RULES: tuple[Rule, ...] = (
    Rule(
        "indication.not-approved",
        "Not approved for this condition in this region",
        "rules.indication",
        ("indications",),
    ),
    Rule(
        "indication.population",
        "Labelled population (age)",
        "rules.indication",
        ("indications.population",),
    ),
    Rule(
        "indication.prerequisite",
        "Labelled prior-therapy prerequisite",
        "rules.indication",
        ("indications.prerequisites", "drug_classes"),
    ),
    Rule(
        "indication.disease",
        "Labelled disease requirement (severity, candidacy, inflammation)",
        "rules.indication",
        ("indications.disease",),
    ),
    Rule(
        "contraindications",
        "Contraindications and not-recommended situations",
        "rules.contraindications",
        ("contraindications",),
    ),
    Rule(
        "boxed-warning",
        "US boxed warning and the population it singles out",
        "rules.warnings",
        ("boxed_warning",),
    ),
    Rule("risk-group", "EMA 2023 Article 20 risk groups", "rules.warnings", ("risk_groups",)),
    Rule(
        "pregnancy",
        "Pregnancy, contraception and breastfeeding",
        "rules.warnings",
        ("reproduction",),
    ),
    Rule(
        "interactions",
        "Interacting medicines by class",
        "rules.dosing",
        ("adjustments[kind=interaction]", "drug_classes", "products"),
    ),
    Rule(
        "dosing",
        "Regimen selection and renal/hepatic/age adjustments",
        "rules.dosing",
        ("indications.regimens", "adjustments", "risk_groups.lower_dose"),
    ),
    Rule("labs", "Initiation and on-therapy lab thresholds", "rules.labs", ("labs", "analytes")),
    Rule(
        "screening",
        "Positive screening results that concern an option",
        "rules.screening",
        ("screening", "guidelines"),
    ),
    Rule(
        "response.review",
        "Label review points (e.g. no benefit by week N)",
        "rules.response",
        ("review_points",),
    ),
)
