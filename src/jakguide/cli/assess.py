"""Patient commands: ``assess`` and ``labs``."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from jakguide.cli._common import (
    AsOfOpt,
    Fmt,
    FormatOpt,
    KnowledgeOpt,
    RegionOpt,
    RegionOption,
    emit_json,
    guarded,
    knowledge,
    out,
    parse_as_of,
)
from jakguide.errors import InputError

if TYPE_CHECKING:
    from jakguide.kb.base import Knowledge

# --------------------------------------------------------------------------- assess / labs

PatientArg = Annotated[
    Path | None,
    typer.Argument(
        help="Native patient file (YAML/JSON) or FHIR Bundle (JSON).", show_default=False
    ),
]
NdjsonOpt = Annotated[
    Path | None, typer.Option("--ndjson", help="FHIR Bulk Data export folder (NDJSON).")
]
PatientIdOpt = Annotated[str | None, typer.Option("--patient", help="Patient id within --ndjson.")]


class AssessFmt(StrEnum):
    """``assess`` also writes FHIR; the other commands keep text and JSON only."""

    text = "text"
    json = "json"
    fhir = "fhir"


AssessFormatOpt = Annotated[
    AssessFmt,
    typer.Option(
        "--format",
        help="Output format (fhir: a FHIR R4 Bundle of DetectedIssue, MedicationRequest, "
        "ServiceRequest and CarePlan).",
    ),
]


def _load(
    patient: Path | None,
    ndjson: Path | None,
    patient_id: str | None,
    kb: Knowledge,
    as_of: dt.date,
) -> Any:
    from jakguide.adapters.native import load_patient_file, load_patient_ndjson

    if ndjson is not None:
        if patient is not None:
            raise InputError("PATIENT", str(patient), "give a patient file or --ndjson, not both")
        if not patient_id:
            raise InputError("--patient", None, "--ndjson needs --patient ID")
        return load_patient_ndjson(ndjson, patient_id, kb, as_of)
    if patient is None:
        raise InputError("PATIENT", None, "give a patient file, or --ndjson DIR --patient ID")
    return load_patient_file(patient, kb, as_of)


def assess_cmd(
    patient: PatientArg = None,
    condition: Annotated[
        str, typer.Option("--condition", help="Condition id, e.g. ankylosing-spondylitis.")
    ] = ...,  # type: ignore[assignment]
    region: RegionOption = RegionOpt.US,
    drug: Annotated[
        list[str] | None, typer.Option("--drug", help="Only these agents (repeatable).")
    ] = None,
    as_of: AsOfOpt = None,
    fmt: AssessFormatOpt = AssessFmt.text,
    explain: Annotated[
        bool, typer.Option("--explain", help="Each finding's facts and sources.")
    ] = False,
    ndjson: NdjsonOpt = None,
    patient_id: PatientIdOpt = None,
    knowledge_dir: KnowledgeOpt = None,
) -> None:
    """Assess which JAK/TYK2 inhibitor suits a patient: status, dose, findings, checklist."""

    def body() -> None:
        kb = knowledge(knowledge_dir)  # first: the instruments then cite from its sources
        from jakguide.engine import assess
        from jakguide.model import AssessRequest

        day = parse_as_of(as_of)
        loaded = _load(patient, ndjson, patient_id, kb, day)
        request = AssessRequest(condition=condition, region=region.value, as_of=day, drugs=drug)
        result = assess(loaded.patient, request, kb)
        if loaded.warnings:
            result = result.model_copy(update={"warnings": [*loaded.warnings, *result.warnings]})
        if fmt is AssessFmt.json:
            emit_json(result.model_dump(mode="json", exclude_none=False))
            return
        if fmt is AssessFmt.fhir:
            from jakguide.adapters.fhir.assessment_out import assessment_bundle

            emit_json(assessment_bundle(result, loaded.patient, kb))
            return
        from jakguide.cli.render import assessment_text

        assessment_text(out, kb, result, explain=explain)

    guarded(body)


def labs_cmd(
    patient: PatientArg = None,
    drug: Annotated[str, typer.Option("--drug", help="The agent the labs are judged for.")] = ...,  # type: ignore[assignment]
    region: RegionOption = RegionOpt.US,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Fmt.text,
    ndjson: NdjsonOpt = None,
    patient_id: PatientIdOpt = None,
    knowledge_dir: KnowledgeOpt = None,
) -> None:
    """What each lab result means for this drug: action per label rule, and monitoring due."""

    def body() -> None:
        kb = knowledge(knowledge_dir)  # first: the instruments then cite from its sources
        from jakguide.engine import evaluate_labs
        from jakguide.model import LabsRequest

        day = parse_as_of(as_of)
        loaded = _load(patient, ndjson, patient_id, kb, day)
        report = evaluate_labs(
            loaded.patient, LabsRequest(drug=drug, region=region.value, as_of=day), kb
        )
        if fmt is Fmt.json:
            emit_json(report.model_dump(mode="json"))
            return
        from jakguide.cli.render import labs_text

        labs_text(out, report)

    guarded(body)


def register(root: typer.Typer) -> None:
    root.command("assess")(assess_cmd)
    root.command("labs")(labs_cmd)
