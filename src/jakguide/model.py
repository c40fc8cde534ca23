"""Domain model: the patient as rules see it, and the assessment they return.

These are frozen pydantic models. The patient model is also the native patient file format
(``docs/patient-format.md``; JSON Schema from ``Patient.model_json_schema()``).

Absent is not empty: a list field that is ``None`` means "unknown" (not recorded); an empty list
means "reviewed, none". Rules must honour the difference.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Region = Literal["US", "EU"]
Sex = Literal["female", "male", "other", "unknown"]
Smoking = Literal["never", "former", "former-long-term", "current", "unknown"]
Pregnancy = Literal["pregnant", "not-pregnant", "unknown"]
YesNoUnknown = Literal["yes", "no", "unknown"]
HepaticImpairment = Literal["none", "child-pugh-a", "child-pugh-b", "child-pugh-c", "unknown"]
HistoryItem = Literal[
    "vte",
    "myocardial-infarction",
    "stroke",
    "malignancy",
    "serious-infection",
    "herpes-zoster",
    "diverticulitis",
    "gi-perforation",
    "tb-active",
    "tb-latent",
    "hbv-active",
    "hcv-active",
    "interstitial-lung-disease",
    "heart-failure",
    # issue 10 (rules.derive): liver disease, menopause and permanent sterilisation
    "cirrhosis",
    "chronic-liver-disease",
    "menopause",
    "hysterectomy",
    "bilateral-oophorectomy",
    "bilateral-salpingectomy",
    "end-stage-renal-disease",  # CKD stage 5 or ESRD: blocks "not on dialysis" (policy 11)
]
CvRiskFactor = Literal[
    "hypertension",
    "diabetes",
    "dyslipidemia",
    "obesity",
    "family-history-premature-cad",
    "chronic-kidney-disease",
    "atherosclerotic-cvd",
    "other",
]
PriorOutcome = Literal["inadequate-response", "intolerance", "loss-of-response", "other"]
Phenotype = Literal["poor", "intermediate", "normal", "rapid", "ultrarapid", "unknown"]
ScreeningItemId = Literal[
    "tb",
    "hbsag",
    "anti-hbc",
    "hbv-dna",
    "hcv",
    "hiv",
    "zoster-vaccine",
    "pregnancy-test",
    "lipids",
    "immunizations",
    "live-vaccines",
]
ScreeningResult = Literal[
    "negative", "positive", "indeterminate", "ltbi-treated", "done", "unknown"
]


# A measured number: finite, and a real number (not a boolean or a numeric string).
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _yes_no(value: Any) -> Any:
    # YAML 1.1 reads yes/no as booleans; accept both spellings.
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


class Measurement(Frozen):
    kind: Literal["weight_kg", "height_cm"]
    value: Annotated[float, Field(gt=0, strict=True, allow_inf_nan=False)]
    date: dt.date | None = None


class ActiveInfection(Frozen):
    name: str
    serious: bool | None = None  # None: not stated (treated as possibly serious)


class Allergy(Frozen):
    drug: str
    reaction: str | None = None


class Pharmacogenomics(Frozen):
    cyp2c9: Phenotype = "unknown"
    cyp2c19: Phenotype = "unknown"
    cyp3a4: Phenotype = "unknown"
    cyp2d6: Phenotype = "unknown"


class Medication(Frozen):
    """A current medicine. ``drug`` is an INN, an RxNorm code or a clinical-drug name."""

    drug: str
    route: str | None = None
    rxnorm: str | None = None
    dose: str | None = None


class PriorTherapy(Frozen):
    drug: str
    outcome: PriorOutcome


class Therapy(Frozen):
    """The JAK agent the patient takes now."""

    drug: str
    form: str | None = None
    dose_mg: Annotated[float, Field(gt=0, strict=True, allow_inf_nan=False)] | None = None
    per_day: int | None = None
    start_date: dt.date


class LabResult(Frozen):
    analyte: str
    value: Number
    unit: str
    date: dt.date
    time: dt.time | None = None  # when several results share a day, the later timed one counts
    # The laboratory's upper reference limit for this result, in the result's own unit (FHIR
    # Observation.referenceRange.high); rules that compare with "the reference limit" use it.
    reference_high: Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0)] | None = None


class Screening(Frozen):
    item: ScreeningItemId
    result: ScreeningResult
    date: dt.date | None = None


class ObjectiveInflammation(Frozen):
    crp_elevated: bool | None = None
    mri: bool | None = None


class Disease(Frozen):
    pasi: Number | None = None
    bsa_percent: Number | None = None
    dlqi: Number | None = None
    severity: Literal["mild", "moderate", "severe"] | None = None
    candidate_for: list[Literal["systemic", "phototherapy", "topical"]] | None = None
    objective_inflammation: ObjectiveInflammation | None = None


class ScoreRecord(Frozen):
    instrument: str
    date: dt.date
    value: Number | None = None
    inputs: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _value_or_inputs(self) -> "ScoreRecord":
        if self.value is None and self.inputs is None:
            raise ValueError("a score needs a value or inputs")
        return self


class Patient(Frozen):
    """One patient, as recorded. Every field may be missing; missing is not normal."""

    id: str | None = None
    birth_date: dt.date | None = None
    age_years: Annotated[float, Field(ge=0, le=130, strict=True, allow_inf_nan=False)] | None = None
    sex: Sex = "unknown"
    reproductive_potential: bool | None = None
    pregnancy: Pregnancy = "unknown"
    breastfeeding: YesNoUnknown = "unknown"
    smoking: Smoking = "unknown"
    measurements: list[Measurement] | None = None
    conditions: list[str] | None = None
    history: list[HistoryItem] | None = None
    active_infections: list[ActiveInfection] | None = None
    cv_risk_factors: list[CvRiskFactor] | None = None
    hepatic_impairment: HepaticImpairment = "unknown"
    on_dialysis: bool | None = None
    allergies: list[Allergy] | None = None
    pharmacogenomics: Pharmacogenomics = Pharmacogenomics()
    medications: list[Medication] | None = None
    prior_therapies: list[PriorTherapy] | None = None
    therapy: Therapy | None = None
    labs: list[LabResult] | None = None
    screening: list[Screening] | None = None
    disease: Disease | None = None
    scores: list[ScoreRecord] | None = None

    @field_validator("reproductive_potential", mode="before")
    @classmethod
    def _reproductive(cls, value: Any) -> Any:
        return None if value == "unknown" else value

    @field_validator("breastfeeding", mode="before")
    @classmethod
    def _breastfeeding(cls, value: Any) -> Any:
        return _yes_no(value)

    @field_validator("active_infections", mode="before")
    @classmethod
    def _infections(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"name": v} if isinstance(v, str) else v for v in value]
        return value

    @field_validator("medications", mode="before")
    @classmethod
    def _medications(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"drug": v} if isinstance(v, str) else v for v in value]
        return value

    def age_on(self, day: dt.date) -> float | None:
        """Age in whole years on ``day`` (from birth date), else the recorded age."""
        if self.birth_date is not None:
            years = day.year - self.birth_date.year
            if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
                years -= 1
            return float(years)
        return self.age_years

    def latest_measurement(self, kind: str, on_or_before: dt.date) -> Measurement | None:
        candidates = [
            m
            for m in self.measurements or []
            if m.kind == kind and (m.date is None or m.date <= on_or_before)
        ]
        if not candidates:
            return None
        return max(candidates, key=lambda m: m.date or dt.date.min)


# --------------------------------------------------------------------------- outputs

Status = Literal[
    "eligible", "caution", "needs-data", "not-recommended", "not-indicated", "contraindicated"
]
# Worst first; DESIGN pins this order.
STATUS_ORDER: tuple[Status, ...] = (
    "contraindicated",
    "not-indicated",
    "not-recommended",
    "needs-data",
    "caution",
    "eligible",
)
Severity = Literal["info", "warning", "critical"]
FindingKind = Literal[
    "indication",
    "contraindication",
    "boxed-warning",
    "risk-group",
    "interaction",
    "dose-adjustment",
    "lab",
    "screening",
    "pregnancy",
    "vaccination",
    "monitoring",
    "response",
    "missing-data",
    "unverified-fact",
]


class SourceRef(Frozen):
    doc: str
    section: str
    title: str | None = None
    revision: dt.date | None = None
    url: str | None = None
    verified: bool = True


class Finding(Frozen):
    rule: str
    kind: FindingKind
    severity: Severity
    message: str
    facts: list[str] = []
    sources: list[SourceRef] = []
    # Effect on the option's status (not serialized in the contract; used by the engine).
    status: Status | None = Field(default=None, exclude=True)


class RegimenOut(Frozen):
    phase: str
    form: str
    route: str
    dose_mg: float | None
    per_day: int
    duration_weeks: int | None
    text: str


class Option(Frozen):
    drug: str
    status: Status
    regimen: RegimenOut | None
    regimens: list[RegimenOut]
    findings: list[Finding]


class ScreeningOut(Frozen):
    item: str
    status: Literal["done", "due", "action-needed", "needs-data"]
    detail: str
    sources: list[SourceRef]


class MonitoringOut(Frozen):
    analyte: str
    drug: str | None = None  # the agent whose label sets this schedule
    due_from: dt.date | None
    due_by: dt.date | None
    status: Literal["upcoming", "due", "overdue", "done"]
    why: str
    sources: list[SourceRef]


DISCLAIMER = "Decision support for clinicians; not a substitute for clinical judgement."


class Assessment(Frozen):
    knowledge_version: str
    as_of: dt.date
    region: Region
    condition: str
    disclaimer: str = DISCLAIMER
    options: list[Option]
    screening: list[ScreeningOut]
    monitoring: list[MonitoringOut]
    warnings: list[str] = []


class AssessRequest(Frozen):
    condition: str
    region: Region = "US"
    as_of: dt.date
    drugs: list[str] | None = None


class LabsRequest(Frozen):
    drug: str
    region: Region = "US"
    as_of: dt.date


LabActionOut = Literal["do-not-start", "continue", "recheck", "interrupt", "discontinue"]


class LabEvaluation(Frozen):
    analyte: str
    value: float
    unit: str
    value_entered: float
    unit_entered: str
    date: dt.date
    action: LabActionOut
    rule: str | None
    message: str
    sources: list[SourceRef]


class LabsReport(Frozen):
    knowledge_version: str
    drug: str
    region: Region
    as_of: dt.date
    disclaimer: str = DISCLAIMER
    results: list[LabEvaluation]
    monitoring: list[MonitoringOut]
    findings: list[Finding] = []
