"""Reading a patient from a native file (YAML/JSON), a FHIR Bundle, or a Bulk Data export.

Native files are strict: an unknown key, an impossible value or an unknown unit is an
``InputError`` naming the field. FHIR input is lenient (see docs/fhir-mapping.md): what cannot be
used is reported in warnings and, where a rule needs it, becomes missing data.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from jakguide.engine import validate_patient
from jakguide.errors import InputError
from jakguide.kb.base import Knowledge
from jakguide.kb.loader import load_yaml
from jakguide.model import Patient


@dataclass(frozen=True)
class LoadedPatient:
    patient: Patient
    source: str  # "native" | "fhir-bundle" | "fhir-ndjson"
    warnings: list[str] = field(default_factory=list)


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<patient>"


def patient_from_data(data: Any, kb: Knowledge) -> Patient:
    """Validate native patient data strictly (schema, ids, units, plausible values)."""
    if not isinstance(data, dict):
        raise InputError("<patient>", type(data).__name__, "a patient must be a mapping of fields")
    try:
        patient = Patient.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        value = err.get("input")
        msg = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        raise InputError(_loc(loc), value, msg) from None
    validate_patient(patient, kb)
    return patient


def parse_text(text: str, name: str) -> Any:
    """JSON or YAML (a JSON document is valid YAML, but JSON errors read better from json)."""
    stripped = text.lstrip()
    if stripped.startswith("{") or stripped.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(name, f"line {exc.lineno}", f"invalid JSON: {exc.msg}") from None
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "?"
        raise InputError(name, where, f"invalid YAML: {getattr(exc, 'problem', exc)}") from None


def load_patient_data(
    data: Any, kb: Knowledge, as_of: dt.date, name: str = "<input>"
) -> LoadedPatient:
    """Native patient data or a FHIR Bundle (detected by ``resourceType``)."""
    if isinstance(data, dict) and "resourceType" in data:
        from jakguide.adapters.fhir import read_bundle

        fp = read_bundle(data, kb, as_of)
        return LoadedPatient(fp.patient, "fhir-bundle", list(fp.warnings))
    return LoadedPatient(patient_from_data(data, kb), "native")


def load_patient_file(path: Path, kb: Knowledge, as_of: dt.date) -> LoadedPatient:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("PATIENT", str(path), "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("PATIENT", str(path), f"cannot read: {exc}") from None
    return load_patient_data(parse_text(text, str(path)), kb, as_of, str(path))


def load_patient_ndjson(
    folder: Path, patient_id: str, kb: Knowledge, as_of: dt.date
) -> LoadedPatient:
    if not folder.is_dir():
        raise InputError("--ndjson", str(folder), "not a folder")
    from jakguide.adapters.fhir import read_ndjson

    fp = read_ndjson(folder, patient_id, kb, as_of)
    return LoadedPatient(fp.patient, "fhir-ndjson", list(fp.warnings))
