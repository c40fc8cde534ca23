"""FHIR R4 input and output: a Bundle or a Bulk Data NDJSON export <-> the domain ``Patient``.

This is the only place that uses a FHIR library (``fhir.resources``, R4B models imported
explicitly, because the package defaults to R5). FHIR models never leave the adapter: readers
return our frozen ``Patient`` plus plain-text warnings, the writer returns plain JSON dicts.

The mapping, what each absence means and what is not carried are in docs/fhir-mapping.md; the
code tables in ``codes.yaml``.

Example::

    from jakguide.adapters.fhir import read_bundle
    from jakguide.kb import bundled_knowledge

    result = read_bundle(Path("bundle.json").read_text(), bundled_knowledge(), date.today())
    result.patient, result.warnings
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from jakguide.adapters.fhir.codes import code_tables
from jakguide.adapters.fhir.light import BundleEntry as LightEntry
from jakguide.adapters.fhir.light import Observation as LightObservation
from jakguide.adapters.fhir.read import read_patient
from jakguide.adapters.fhir.util import PatientResources
from jakguide.errors import FhirInputError
from jakguide.kb.base import Knowledge
from jakguide.model import Patient

FHIR_VERSION = "4.0.1"
"""The FHIR release read and written (R4). Parsed with the R4B models of ``fhir.resources``,
which read every R4 element of the resources used here unchanged."""

# The resource types the adapter reads; every other type is ignored without validation.
_READ_TYPES = (
    "Patient",
    "Condition",
    "Observation",
    "MedicationRequest",
    "MedicationStatement",
    "AllergyIntolerance",
    "Immunization",
    "Medication",
    "Procedure",
)
_NDJSON_NAME = re.compile(r"^([A-Z][A-Za-z]+)(?:[._-][^/]*)?\.ndjson$")


@dataclass(frozen=True)
class FhirPatient:
    """A patient read from FHIR, with one plain-text warning per value skipped or left out."""

    patient: Patient
    warnings: list[str]


def looks_like_fhir(data: dict[str, Any]) -> bool:
    """True if ``data`` is a FHIR Bundle (what ``read_bundle`` accepts)."""
    return isinstance(data, dict) and data.get("resourceType") == "Bundle"


# --------------------------------------------------------------------------- validation


# Resource types read through a light model (light.py): the elements the mapping uses, with
# FHIR's own primitive types, at a fraction of a full model's cost (records hold thousands).
_LIGHT: dict[str, Any] = {"Observation": LightObservation}


def _model(resource_type: str) -> Any:
    """The model class of a resource type: light, else R4B (the package defaults to R5)."""
    return _LIGHT.get(resource_type) or get_fhir_model_class(resource_type)


def _validate(resource: dict[str, Any], where: str) -> Any:
    """The model of ``resource``; FhirInputError naming the first invalid element."""
    rtype = resource["resourceType"]
    rid = resource.get("id")
    ident = f"{rtype}/{rid}" if isinstance(rid, str) else rtype
    return _validate_as(_model(rtype), resource, where, ident)


def _validate_as(model: Any, data: object, where: str, ident: str) -> Any:
    """``model`` validated from ``data``; FhirInputError at ``where`` + the element's path."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        path = ".".join(str(p) for p in first["loc"] if not str(p).startswith("function-"))
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise FhirInputError(
            f"{where}.{path}" if path else where,
            first.get("input"),
            f"invalid {ident} (FHIR {FHIR_VERSION}): {first['msg']}{more}; fix the resource "
            "or leave it out of the export",
        ) from None


def _validate_envelope(bundle: dict[str, Any]) -> list[Any]:
    """Validate the Bundle without its resources; return its entries.

    Entries holding only a resource and a ``fullUrl`` (nearly all) are checked with a light
    model; an entry with more (request, response, search) with the full R4B model.
    """
    entries = bundle.get("entry")
    if not isinstance(entries, list):
        _validate(bundle, "Bundle")  # names a non-list entry; reads nothing else
        return []
    _validate({k: v for k, v in bundle.items() if k != "entry"}, "Bundle")
    full = get_fhir_model_class("BundleEntry")
    for i, entry in enumerate(entries):
        rest = (
            {k: v for k, v in entry.items() if k != "resource"}
            if isinstance(entry, dict)
            else entry
        )
        light = isinstance(rest, dict) and rest.keys() <= {"fullUrl"}
        _validate_as(LightEntry if light else full, rest, f"Bundle.entry[{i}]", "Bundle.entry")
    return entries


def _resource_type(resource: object, where: str) -> str:
    if not isinstance(resource, dict):
        raise FhirInputError(where, resource, "expected a FHIR resource (a JSON object)")
    rtype = resource.get("resourceType")
    if not isinstance(rtype, str) or not rtype:
        raise FhirInputError(
            f"{where}.resourceType", rtype, "missing: every FHIR resource names its resourceType"
        )
    return rtype


def _subject(resource: dict[str, Any]) -> str | None:
    for key in ("subject", "patient"):
        ref = resource.get(key)
        if isinstance(ref, dict) and isinstance(ref.get("reference"), str):
            return str(ref["reference"])
    return None


def _refers_to(ref: str, patient_id: str | None, full_urls: set[str]) -> bool:
    if ref in full_urls:
        return True
    if patient_id is None:
        return False
    return ref in {f"Patient/{patient_id}", f"urn:uuid:{patient_id}"} or ref.endswith(
        f"/Patient/{patient_id}"
    )


class _Collector:
    """Validated resources of one patient, grouped as the reader wants them."""

    def __init__(self) -> None:
        self.res = PatientResources()

    def add(self, resource: dict[str, Any], where: str, full_url: str | None = None) -> None:
        model = _validate(resource, where)
        rtype = resource["resourceType"]
        res = self.res
        if rtype == "Patient":
            res.patient = model
        elif rtype == "Condition":
            res.conditions.append(model)
        elif rtype == "Observation":
            res.observations.append(model)
        elif rtype == "MedicationRequest":
            res.requests.append(model)
        elif rtype == "MedicationStatement":
            res.statements.append(model)
        elif rtype == "AllergyIntolerance":
            res.allergies.append(model)
        elif rtype == "Immunization":
            res.immunizations.append(model)
        elif rtype == "Procedure":
            res.procedures.append(model)
        elif rtype == "Medication":
            if model.id:
                res.medications[f"Medication/{model.id}"] = model
            if full_url:
                res.medications[full_url] = model


# --------------------------------------------------------------------------- bundles


def _load_json(data: str | bytes | dict[str, Any]) -> dict[str, Any]:
    if isinstance(data, dict):
        return data
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FhirInputError("bundle", data[:40], f"not UTF-8 text: {exc.reason}") from None
    if not isinstance(data, str):
        raise FhirInputError("bundle", type(data).__name__, "expected JSON text, bytes or a dict")
    try:
        parsed = json.loads(data)
    except json.JSONDecodeError as exc:
        raise FhirInputError(
            "bundle", data[:40], f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(parsed, dict):
        raise FhirInputError("bundle", type(parsed).__name__, "expected a JSON object (a Bundle)")
    return parsed


def read_bundle(data: str | bytes | dict[str, Any], kb: Knowledge, as_of: dt.date) -> FhirPatient:
    """Read one patient's FHIR R4 Bundle (JSON text, bytes or a parsed dict).

    Every Bundle type is accepted (collection, searchset, transaction, document, ...). The Bundle
    holds at most one Patient; resources that refer to another patient are skipped with a
    warning. Only facts on or before ``as_of`` count.

    Raises:
        FhirInputError: not JSON, not a Bundle, more than one patient, or a resource of a type
            the adapter reads that fails FHIR validation (the message names the element).
    """
    bundle = _load_json(data)
    rtype = bundle.get("resourceType")
    if rtype != "Bundle":
        raise FhirInputError(
            "resourceType", rtype, "expected 'Bundle'; wrap single resources in a collection Bundle"
        )
    entries = _validate_envelope(bundle)
    found: list[tuple[str, dict[str, Any], str | None]] = []
    for i, entry in enumerate(entries):
        resource = entry.get("resource")
        if resource is None:
            continue
        where = f"Bundle.entry[{i}].resource"
        rtype = _resource_type(resource, where)
        if rtype in _READ_TYPES:
            full_url = entry.get("fullUrl")
            found.append((where, resource, full_url if isinstance(full_url, str) else None))
    return _from_resources(found, kb, as_of)


def _from_resources(
    found: list[tuple[str, dict[str, Any], str | None]], kb: Knowledge, as_of: dt.date
) -> FhirPatient:
    collector = _Collector()
    patients = [(w, r, u) for w, r, u in found if r["resourceType"] == "Patient"]
    models = [_validate(r, w) for w, r, _ in patients]
    ids = sorted({str(m.id) for m in models})
    if len(ids) > 1:
        raise FhirInputError(
            "Bundle.entry",
            ids,
            "more than one patient; pass one patient's Bundle "
            "(or use read_ndjson with a patient id)",
        )
    patient_id = models[0].id if models else None
    full_urls = {u for _, _, u in patients if u}
    warnings: list[str] = []
    if models:
        collector.res.patient = models[0]
    else:
        subjects = sorted({s for _, r, _ in found if (s := _subject(r)) is not None})
        if len(subjects) > 1:
            raise FhirInputError(
                "Bundle.entry",
                subjects,
                "resources of several patients and no Patient resource; pass one patient",
            )
    for where, resource, url in found:
        if resource["resourceType"] == "Patient":
            continue
        ref = _subject(resource)
        if models and ref is not None and not _refers_to(ref, patient_id, full_urls):
            rid = resource.get("id")
            warnings.append(
                f"{resource['resourceType']}/{rid if isinstance(rid, str) else '?'}: subject = "
                f"{ref!r}: refers to another patient; skipped"
            )
            continue
        collector.add(resource, where, url)
    patient, more = read_patient(collector.res, kb, as_of, code_tables(), patient_id)
    return FhirPatient(patient=patient, warnings=warnings + more)


# --------------------------------------------------------------------------- NDJSON


def _ndjson_files(folder: Path) -> Iterator[tuple[str, Path]]:
    """(resource type, file) for the Bulk Data files of the types read (``Type[.n].ndjson``)."""
    for path in sorted(folder.iterdir()):
        match = _NDJSON_NAME.match(path.name)
        if match and match.group(1) in _READ_TYPES and path.is_file():
            yield match.group(1), path


def _lines(path: Path, needle: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Parsed lines of ``path`` that mention ``needle`` (streamed; other lines are not parsed)."""
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle, start=1):
            if needle not in line:
                continue
            where = f"{path.name}:{n}"
            try:
                resource = json.loads(line)
            except json.JSONDecodeError as exc:
                raise FhirInputError(where, line[:40], f"not JSON: {exc.msg}") from None
            _resource_type(resource, where)
            yield where, resource


def read_ndjson(folder: Path, patient_id: str, kb: Knowledge, as_of: dt.date) -> FhirPatient:
    """Read one patient from a FHIR Bulk Data export folder (one ``Type[.n].ndjson`` per type).

    Files are streamed line by line; only resources of ``patient_id`` (the Patient with that id
    and resources whose subject/patient refers to it) are parsed and validated, plus the
    Medication resources they reference.

    Raises:
        FhirInputError: the folder does not exist, no Patient has this id, a line of this patient
            is not JSON, or one of its resources fails FHIR validation.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FhirInputError("folder", str(folder), "not a folder; pass the export folder")
    found: list[tuple[str, dict[str, Any], str | None]] = []
    medication_files: list[Path] = []
    for rtype, path in _ndjson_files(folder):
        if rtype == "Medication":
            medication_files.append(path)
            continue
        for where, resource in _lines(path, patient_id):
            if resource["resourceType"] == "Patient":
                if resource.get("id") == patient_id:
                    found.append((where, resource, None))
            elif resource["resourceType"] in _READ_TYPES:
                ref = _subject(resource)
                if ref is not None and _refers_to(ref, patient_id, set()):
                    found.append((where, resource, None))
    if not any(r["resourceType"] == "Patient" for _, r, _ in found):
        raise FhirInputError(
            "patient_id", patient_id, f"no Patient with this id in {folder}/Patient*.ndjson"
        )
    wanted = _medication_references(found)
    for path in medication_files:
        for where, resource in _lines_any(path, wanted):
            found.append((where, resource, None))
    return _from_resources(found, kb, as_of)


def _medication_references(found: list[tuple[str, dict[str, Any], str | None]]) -> set[str]:
    ids: set[str] = set()
    for _, resource, _ in found:
        ref = resource.get("medicationReference")
        if isinstance(ref, dict) and isinstance(ref.get("reference"), str):
            target = str(ref["reference"])
            if "Medication/" in target:
                ids.add(target.rsplit("Medication/", 1)[-1])
    return ids


def _lines_any(path: Path, ids: set[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    if not ids:
        return
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle, start=1):
            if not any(i in line for i in ids):
                continue
            where = f"{path.name}:{n}"
            try:
                resource = json.loads(line)
            except json.JSONDecodeError as exc:
                raise FhirInputError(where, line[:40], f"not JSON: {exc.msg}") from None
            if _resource_type(resource, where) == "Medication" and resource.get("id") in ids:
                yield where, resource
