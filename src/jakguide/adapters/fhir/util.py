"""Shared plumbing of the FHIR reader: the resources of one patient, warnings, dates and codes."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B.allergyintolerance import AllergyIntolerance
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.immunization import Immunization
from fhir.resources.R4B.medication import Medication as FhirMedication
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.patient import Patient as FhirPatientResource
from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.quantity import Quantity
from pydantic import BaseModel

from jakguide.adapters.fhir import light
from jakguide.adapters.fhir.codes import (
    CVX,
    LOINC,
    RXNORM,
    SNOMED,
    UCUM,
    CodeTables,
    LocalKind,
    TableName,
    local_system,
)
from jakguide.kb.base import Knowledge

Concept = CodeableConcept | light.CodeableConcept
"""A CodeableConcept, from a full R4B model or a light one (Observations, light.py)."""
AnyQuantity = Quantity | light.Quantity

_SYSTEM_NAMES = {SNOMED: "SNOMED", LOINC: "LOINC", RXNORM: "RxNorm", CVX: "CVX"}


@dataclass
class PatientResources:
    """One patient's resources of the kinds the adapter reads, validated (R4B models)."""

    patient: FhirPatientResource | None = None
    conditions: list[Condition] = field(default_factory=list)
    observations: list[light.Observation] = field(default_factory=list)
    requests: list[MedicationRequest] = field(default_factory=list)
    statements: list[MedicationStatement] = field(default_factory=list)
    allergies: list[AllergyIntolerance] = field(default_factory=list)
    immunizations: list[Immunization] = field(default_factory=list)
    procedures: list[Procedure] = field(default_factory=list)  # dialysis, sterilisation (issue 10)
    medications: dict[str, FhirMedication] = field(default_factory=dict)  # by reference key


class Warnings:
    """Plain-text warnings: one per unusable value, one per skipped code (aggregated)."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._skipped: dict[tuple[str, str, str], list[str]] = {}

    def warn(self, where: str, fld: str, value: object, reason: str) -> None:
        """A value left out: ``Type/id: field = 'value': reason``."""
        self.items.append(f"{where}: {fld} = {_show(value)}: {reason}")

    def skip(self, where: str, fld: str, value: str, reason: str) -> None:
        """A value no rule needs; identical skips are reported once, with a count."""
        self._skipped.setdefault((fld, value, reason), []).append(where)

    def result(self) -> list[str]:
        out = list(self.items)
        for (fld, value, reason), wheres in self._skipped.items():
            if len(wheres) == 1:
                out.append(f"{wheres[0]}: {fld} = {value}: {reason}; skipped")
            else:
                rtype = wheres[0].split("/", 1)[0]
                out.append(
                    f"{rtype}.{fld} = {value}: {reason}; {len(wheres)} resources skipped "
                    f"(e.g. {wheres[0]})"
                )
        return out


@dataclass
class Ctx:
    """What every mapping step needs, and the Patient fields collected so far."""

    kb: Knowledge
    as_of: dt.date
    tables: CodeTables
    w: Warnings = field(default_factory=Warnings)
    out: dict[str, Any] = field(default_factory=dict)
    pregnancy: list[tuple[dt.date | None, str]] = field(default_factory=list)

    def items(self, table: TableName, cc: Concept | None) -> list[str]:
        """Item ids of ``table`` that any coding of ``cc`` stands for, in order, once each."""
        found: list[str] = []
        for system, code, _display in codings(cc):
            for item in self.tables.items(table, system, code):
                if item not in found:
                    found.append(item)
        return found

    def local(self, kind: LocalKind, cc: Concept | None) -> list[str]:
        """Codes of ``cc`` in jakguide's own code system ``kind``."""
        system = local_system(kind)
        return [code for s, code, _d in codings(cc) if s == system and code]

    _seen: dict[str, set[Any]] = field(default_factory=dict)

    def append(self, key: str, value: Any) -> None:
        """Add ``value`` to the list field ``key`` (created on first use), once.

        Linear: membership is a set of each value's identity key, not a scan of the list
        comparing models (10,000 Observations took 41 s that way).
        """
        values = self.out.setdefault(key, [])
        seen = self._seen.setdefault(key, set())
        if not values:
            seen.clear()  # the list was replaced (e.g. medications rebuilt from scratch)
        ident = _identity(value)
        if ident in seen:
            return
        seen.add(ident)
        values.append(value)


def _identity(value: Any) -> Any:
    """A hashable key equal for equal values (models by their JSON, others by themselves)."""
    if isinstance(value, BaseModel):
        return (type(value), value.model_dump_json())
    try:
        hash(value)
    except TypeError:
        return (type(value), json.dumps(value, sort_keys=True, default=str))
    return value


_SHOWN_CHARS = 80  # a value quoted in an error message is cut to this many characters


def _show(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    cut = text[: _SHOWN_CHARS - 3] + "..."
    return repr(text if len(text) <= _SHOWN_CHARS else cut)


def label(resource: Any) -> str:
    """``Type/id`` for messages (``Type/?`` without an id)."""
    return f"{resource.get_resource_type()}/{resource.id or '?'}"


def to_date(value: object) -> dt.date | None:
    """The calendar day of a FHIR date/dateTime; None for absent or partial (YYYY, YYYY-MM)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def earliest(value: object) -> dt.date | None:
    """The first day a (possibly partial) FHIR date can mean."""
    day = to_date(value)
    if day is not None or not isinstance(value, str):
        return day
    parts = value.split("-")
    try:
        return dt.date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, 1)
    except (ValueError, IndexError):
        return None


def latest(evidence: list[tuple[dt.date | None, str]]) -> str | None:
    """The value of the most recent dated evidence; undated evidence only if nothing is dated."""
    if not evidence:
        return None
    best = max(
        range(len(evidence)),
        key=lambda i: (evidence[i][0] is not None, evidence[i][0] or dt.date.min, i),
    )
    return evidence[best][1]


def codings(cc: Concept | None) -> list[tuple[str | None, str | None, str | None]]:
    """(system, code, display) of every coding of ``cc``."""
    if cc is None:
        return []
    return [(c.system, c.code, c.display) for c in cc.coding or []]


def concept_text(cc: Concept | None) -> str | None:
    """What a person reads: CodeableConcept.text, else the first display, else the first code."""
    if cc is None:
        return None
    if cc.text:
        return str(cc.text)
    pairs = codings(cc)
    return next((d for _s, _c, d in pairs if d), None) or next(
        (c for _s, c, _d in pairs if c), None
    )


def show_code(cc: Concept | None) -> str:
    """``SYSTEM code 'display'`` of the first coding (or the text), for warnings."""
    for system, code, display in codings(cc):
        name = _SYSTEM_NAMES.get(system or "", system or "?")
        return f"{name} {code}" + (f" {display!r}" if display else "")
    return repr(concept_text(cc) or "")


def status_code(cc: Concept | None) -> str | None:
    """The code of a status CodeableConcept (clinicalStatus, verificationStatus)."""
    return next((code for _s, code, _d in codings(cc) if code), None)


def quantity_unit(q: AnyQuantity) -> str | None:
    """The UCUM code when the system is UCUM, else the unit as written."""
    if q.system == UCUM and q.code:
        return str(q.code)
    if q.unit:
        return str(q.unit)
    return str(q.code) if q.code and q.system is None else None
