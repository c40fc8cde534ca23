"""The kinds of dated rows a patient record holds, and how an API body becomes a stored row.

Why a table: the REST routes, the repository and the FHIR import treat labs, screening, scores ...
alike; each kind differs only in its row class, its models and the check it needs on the way in
(known ids, canonical lab units, instrument scoring).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from jakguide.errors import InputError, UnknownIdError
from jakguide.kb.base import Knowledge
from jakguide.store import schemas as s
from jakguide.store.models import (
    Base,
    ConditionRow,
    LabResultRow,
    MeasurementRow,
    MedicationRow,
    ScoreRow,
    ScreeningRow,
    TherapyEpisodeRow,
)
from jakguide.units import to_canonical

Columns = dict[str, Any]


@dataclass(frozen=True)
class ChildKind:
    name: s.ListName  # URL segment and list name in the native format ("therapies" excepted)
    resource: str  # singular, for the audit log and error messages
    row: type[Base]
    model_in: type[s.In]
    model_out: type[s.Out]
    to_columns: Callable[[Any, Knowledge], Columns]
    order: tuple[str, ...]  # columns that sort the list (oldest first)
    identity: tuple[str, ...]  # columns that make two rows "the same" on re-import
    unique: bool = False  # a second row with the same identity is refused (409)


def _plain(body: BaseModel, kb: Knowledge) -> Columns:
    return body.model_dump()


def _condition(body: s.ConditionIn, kb: Knowledge) -> Columns:
    if body.condition not in kb.conditions:
        raise UnknownIdError(
            "body.condition",
            body.condition,
            "unknown condition; accepted: " + ", ".join(sorted(kb.conditions)),
        )
    return body.model_dump()


def _therapy(body: s.TherapyIn, kb: Knowledge) -> Columns:
    cols = body.model_dump()
    cols["drug"] = body.drug.strip().lower()
    mono = kb.drug(cols["drug"])
    if mono is not None and body.form is not None:
        forms = [f.id for f in mono.forms]
        if body.form not in forms:
            raise InputError(
                "body.form", body.form, f"not a form of {mono.id}; accepted: {', '.join(forms)}"
            )
    return cols


def _lab(body: s.LabIn, kb: Knowledge) -> Columns:
    canonical = to_canonical(kb, body.analyte, body.value, body.unit, "body")
    return {
        "analyte": body.analyte,
        "value_entered": body.value,
        "unit_entered": canonical.unit_entered,
        "value": float(canonical.value),
        "unit": canonical.unit,
        "date": body.date,
    }


def _score(body: s.ScoreIn, kb: Knowledge) -> Columns:
    from jakguide.store.scoring import score_columns

    return score_columns(body.instrument, body.inputs, body.value, body.date)


KINDS: dict[str, ChildKind] = {
    k.name: k
    for k in (
        ChildKind(
            "conditions", "condition", ConditionRow, s.ConditionIn, s.ConditionOut,
            _condition, ("id",), ("condition",), unique=True,
        ),
        ChildKind(
            "medications", "medication", MedicationRow, s.MedicationIn, s.MedicationOut,
            _plain, ("id",), ("drug", "route", "rxnorm", "dose", "start_date", "stop_date"),
        ),
        ChildKind(
            "therapies", "therapy", TherapyEpisodeRow, s.TherapyIn, s.TherapyOut,
            _therapy, ("start_date", "id"), ("drug", "start_date"),
        ),
        ChildKind(
            "labs", "lab", LabResultRow, s.LabIn, s.LabOut,
            _lab, ("date", "id"), ("analyte", "value_entered", "unit_entered", "date"),
        ),
        ChildKind(
            "screening", "screening", ScreeningRow, s.ScreeningIn, s.ScreeningOut,
            _plain, ("id",), ("item", "result", "date"),
        ),
        ChildKind(
            "measurements", "measurement", MeasurementRow, s.MeasurementIn, s.MeasurementOut,
            _plain, ("id",), ("kind", "value", "date"),
        ),
        ChildKind(
            "scores", "score", ScoreRow, s.ScoreIn, s.ScoreOut,
            _score, ("date", "id"), ("instrument", "date", "value"),
        ),
    )
}  # fmt: skip
