"""Stored record <-> engine ``Patient``: the one place where a history becomes a day's snapshot.

Why one function each way: every record endpoint (assessment, labs evaluation, FHIR export) calls
``to_patient`` so they all see the same patient; ``from_patient`` is how a native file or a FHIR
Bundle becomes rows. On ``as_of`` the snapshot holds rows dated on or before that day, the
medicines taken that day and the JAK therapy episode running that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, get_args

from jakguide.kb.base import Knowledge
from jakguide.model import Patient, PriorOutcome
from jakguide.store.models import (
    ConditionRow,
    LabResultRow,
    MeasurementRow,
    MedicationRow,
    PatientRow,
    ScoreRow,
    ScreeningRow,
    TherapyEpisodeRow,
)

_OUTCOMES = set(get_args(PriorOutcome))
SCALARS = (
    "birth_date",
    "age_years",
    "sex",
    "reproductive_potential",
    "pregnancy",
    "breastfeeding",
    "smoking",
    "hepatic_impairment",
    "on_dialysis",
)
JSON_FIELDS = (
    "history",
    "active_infections",
    "cv_risk_factors",
    "allergies",
    "pharmacogenomics",
    "prior_therapies",
    "disease",
)


@dataclass
class Record:
    """A patient row with its child rows, as loaded by the repository."""

    patient: PatientRow
    children: dict[str, list[Any]] = field(default_factory=dict)

    def rows(self, name: str) -> list[Any]:
        return self.children.get(name, [])


def _on_or_before(day: dt.date | None, as_of: dt.date) -> bool:
    return day is None or day <= as_of


def _known(rec: Record, name: str, items: list[Any]) -> list[Any] | None:
    """Absent is not empty: no rows and not reviewed means unknown."""
    if rec.rows(name) or name in (rec.patient.reviewed or []):
        return items
    return None


def to_patient(rec: Record, kb: Knowledge, as_of: dt.date) -> Patient:
    """The engine's view of a stored patient on ``as_of``."""
    row = rec.patient
    data: dict[str, Any] = {"id": row.id}
    for name in SCALARS:
        data[name] = getattr(row, name)
    for name in JSON_FIELDS:
        value = getattr(row, name)
        if value is not None:
            data[name] = value

    conditions: list[ConditionRow] = rec.rows("conditions")
    data["conditions"] = _known(rec, "conditions", [c.condition for c in conditions])

    meds: list[MedicationRow] = rec.rows("medications")
    data["medications"] = _known(
        rec,
        "medications",
        [
            {"drug": m.drug, "route": m.route, "rxnorm": m.rxnorm, "dose": m.dose}
            for m in meds
            if _on_or_before(m.start_date, as_of) and (m.stop_date is None or m.stop_date > as_of)
        ],
    )

    episodes: list[TherapyEpisodeRow] = rec.rows("therapies")
    running = [
        e
        for e in episodes
        if e.drug in kb.drugs
        and e.start_date <= as_of
        and (e.stop_date is None or e.stop_date > as_of)
    ]
    if running:
        e = max(running, key=lambda x: (x.start_date, x.id))
        data["therapy"] = {
            "drug": e.drug,
            "form": e.form,
            "dose_mg": e.dose_mg,
            "per_day": e.per_day,
            "start_date": e.start_date,
        }
    stopped = [
        {"drug": e.drug, "outcome": e.stop_reason}
        for e in episodes
        if e.stop_date is not None and e.stop_date <= as_of and e.stop_reason in _OUTCOMES
    ]
    recorded = list(row.prior_therapies or [])
    prior = recorded + [p for p in stopped if p not in recorded]
    if row.prior_therapies is not None or prior or "therapies" in (row.reviewed or []):
        data["prior_therapies"] = prior

    labs: list[LabResultRow] = rec.rows("labs")
    data["labs"] = _known(
        rec,
        "labs",
        [
            {
                "analyte": lab.analyte,
                "value": lab.value_entered,
                "unit": lab.unit_entered,
                "date": lab.date,
            }
            for lab in labs
            if lab.date <= as_of
        ],
    )
    screening: list[ScreeningRow] = rec.rows("screening")
    data["screening"] = _known(
        rec,
        "screening",
        [
            {"item": x.item, "result": x.result, "date": x.date}
            for x in screening
            if _on_or_before(x.date, as_of)
        ],
    )
    measurements: list[MeasurementRow] = rec.rows("measurements")
    data["measurements"] = _known(
        rec,
        "measurements",
        [
            {"kind": m.kind, "value": m.value, "date": m.date}
            for m in measurements
            if _on_or_before(m.date, as_of)
        ],
    )
    scores: list[ScoreRow] = rec.rows("scores")
    data["scores"] = _known(
        rec,
        "scores",
        [
            {"instrument": x.instrument, "date": x.date, "value": x.value, "inputs": x.inputs}
            for x in scores
            if x.date <= as_of
        ],
    )
    return Patient.model_validate(data)


@dataclass
class Rows:
    """A patient as rows to store: patient fields plus child bodies per kind."""

    fields: dict[str, Any]
    children: dict[str, list[dict[str, Any]]]


def from_patient(patient: Patient, label: str | None = None) -> Rows:
    """Rows for a native or FHIR-derived patient (lists that are ``[]`` become "reviewed")."""
    dumped = patient.model_dump(mode="python")
    fields: dict[str, Any] = {name: dumped[name] for name in SCALARS}
    for name in JSON_FIELDS:
        value = patient.model_dump(mode="json", include={name}).get(name)
        fields[name] = value
    if patient.pharmacogenomics == Patient.model_fields["pharmacogenomics"].default:
        fields["pharmacogenomics"] = None
    fields["label"] = (label or patient.id or "imported")[:200]
    children: dict[str, list[dict[str, Any]]] = {
        "conditions": [{"condition": c} for c in patient.conditions or []],
        "medications": [m.model_dump() for m in patient.medications or []],
        "therapies": [],
        # The store keeps no result time (issue 10 same-day rule then uses the worse value) and
        # no reference range (a rule then uses the knowledge's default limit, policy 14).
        "labs": [lab.model_dump(exclude={"time", "reference_high"}) for lab in patient.labs or []],
        "screening": [x.model_dump() for x in patient.screening or []],
        "measurements": [m.model_dump() for m in patient.measurements or []],
        "scores": [x.model_dump() for x in patient.scores or []],
    }
    if patient.therapy is not None:
        children["therapies"].append(patient.therapy.model_dump())
    lists = {
        "conditions": patient.conditions,
        "medications": patient.medications,
        "labs": patient.labs,
        "screening": patient.screening,
        "measurements": patient.measurements,
        "scores": patient.scores,
    }
    fields["reviewed"] = [name for name, value in lists.items() if value == []]
    return Rows(fields, children)
