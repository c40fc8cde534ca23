"""Pydantic models of the record at the API boundary: what a client sends and gets back.

Why separate from ``model.Patient``: a record is a history (rows with dates, ids and stop
dates) while ``Patient`` is the snapshot rules read on one day; ``convert.to_patient`` maps one to
the other. Field names and value sets are the native patient format's, so nothing is renamed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from jakguide.model import (
    ActiveInfection,
    Allergy,
    CvRiskFactor,
    Disease,
    HepaticImpairment,
    HistoryItem,
    Pharmacogenomics,
    Pregnancy,
    PriorOutcome,
    PriorTherapy,
    ScreeningItemId,
    ScreeningResult,
    Sex,
    Smoking,
    YesNoUnknown,
)

ListName = Literal[
    "conditions", "medications", "therapies", "labs", "screening", "measurements", "scores"
]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank (only spaces)")
    return value


Text = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_not_blank)]
Code = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_not_blank)]
Unit = Annotated[str, Field(min_length=1, max_length=50)]
Day = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2200, 12, 31))]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PatientFields(In):
    """Facts about the patient that are not dated rows (see docs/patient-format.md)."""

    label: Text = Field(description="The clinic's own reference (e.g. a record number).")
    birth_date: Day | None = None
    age_years: Annotated[float, Field(ge=0, le=130)] | None = None
    sex: Sex = "unknown"
    reproductive_potential: bool | None = None
    pregnancy: Pregnancy = "unknown"
    breastfeeding: YesNoUnknown = "unknown"
    smoking: Smoking = "unknown"
    hepatic_impairment: HepaticImpairment = "unknown"
    on_dialysis: bool | None = None
    history: list[HistoryItem] | None = None
    active_infections: list[ActiveInfection] | None = None
    cv_risk_factors: list[CvRiskFactor] | None = None
    allergies: list[Allergy] | None = None
    pharmacogenomics: Pharmacogenomics | None = None
    prior_therapies: list[PriorTherapy] | None = Field(
        default=None, description="Earlier therapies without dates (episodes add to these)."
    )
    disease: Disease | None = None
    reviewed: list[ListName] = Field(
        default_factory=list,
        description="Child lists reviewed and empty ('none'); a list neither reviewed nor "
        "holding rows is unknown.",
    )


class PatientIn(PatientFields):
    pass


class PatientOut(PatientFields, Out):
    model_config = ConfigDict(extra="ignore", from_attributes=True)

    id: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = Field(
        default=1,
        description="Changes with every update of the record; the ETag is its quoted value.",
    )


class ConditionIn(In):
    condition: Code = Field(description="Condition id from conditions.yaml.")


class ConditionOut(ConditionIn, Out):
    model_config = ConfigDict(extra="ignore", from_attributes=True)
    id: int


class MedicationIn(In):
    drug: Text = Field(description="INN, RxNorm code or clinical-drug name.")
    route: Annotated[str, Field(max_length=50)] | None = None
    rxnorm: Annotated[str, Field(max_length=20, pattern=r"^[0-9]+$")] | None = None
    dose: Annotated[str, Field(max_length=200)] | None = None
    start_date: Day | None = None
    stop_date: Day | None = None

    @model_validator(mode="after")
    def _dates(self) -> MedicationIn:
        _check_order(self.start_date, self.stop_date)
        return self


class MedicationOut(MedicationIn, Out):
    model_config = ConfigDict(extra="ignore", from_attributes=True)
    id: int


class TherapyIn(In):
    """A therapy episode: the JAK agent (or an earlier advanced therapy) with start and stop."""

    drug: Code = Field(description="Lowercase INN.")
    form: Annotated[str, Field(max_length=50)] | None = None
    dose_mg: Annotated[float, Field(gt=0, le=10000)] | None = None
    per_day: Annotated[int, Field(ge=1, le=24)] | None = None
    start_date: Day
    stop_date: Day | None = None
    stop_reason: PriorOutcome | None = None

    @model_validator(mode="after")
    def _dates(self) -> TherapyIn:
        _check_order(self.start_date, self.stop_date)
        if self.stop_reason is not None and self.stop_date is None:
            raise ValueError("stop_reason needs a stop_date")
        return self


class TherapyOut(TherapyIn, Out):
    model_config = ConfigDict(extra="ignore", from_attributes=True)
    id: int


class LabIn(In):
    analyte: Code = Field(description="Analyte id from analytes.yaml.")
    value: float = Field(allow_inf_nan=False)
    unit: Unit = Field(description="UCUM unit (or an alias listed in analytes.yaml).")
    date: Day


class LabOut(Out):
    id: int
    analyte: str
    value: float = Field(description="In the analyte's canonical unit.")
    unit: str
    value_entered: float
    unit_entered: str
    date: dt.date


class ScreeningIn(In):
    item: ScreeningItemId
    result: ScreeningResult
    date: Day | None = None


class ScreeningOut(ScreeningIn, Out):
    model_config = ConfigDict(extra="ignore", from_attributes=True)
    id: int


class MeasurementIn(In):
    kind: Literal["weight_kg", "height_cm"]
    value: Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)]
    date: Day | None = None


class MeasurementOut(MeasurementIn, Out):
    model_config = ConfigDict(extra="ignore", from_attributes=True)
    id: int


class ScoreIn(In):
    """A score: its inputs (scored on save) or, when only the result is known, its value."""

    instrument: Code
    date: Day
    inputs: dict[str, Any] | None = None
    value: Annotated[float, Field(allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _value_or_inputs(self) -> ScoreIn:
        if self.value is None and self.inputs is None:
            raise ValueError("give inputs (to be scored) or a value")
        return self


class ScoreOut(Out):
    id: int
    instrument: str
    date: dt.date
    inputs: dict[str, Any] | None
    value: float | None
    category: str | None


def _check_order(start: dt.date | None, stop: dt.date | None) -> None:
    if start is not None and stop is not None and stop < start:
        raise ValueError(f"stop_date {stop} is before start_date {start}")
