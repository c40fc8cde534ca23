"""Reading a patient document from a request body: native JSON/YAML or a FHIR Bundle.

Why not a pydantic body parameter: the same body may be a native patient or a FHIR Bundle, and
the native format must be validated exactly as the CLI validates a file (same messages, same
strictness), so the raw bytes go through ``patient_io``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from jakguide.adapters.native import LoadedPatient, load_patient_data, parse_text
from jakguide.errors import InputError
from jakguide.kb.base import Knowledge
from jakguide.web.problems import ProblemError

T = TypeVar("T")
JSON_TYPES = ("application/json", "application/fhir+json")
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "application/json").split(";")[0].strip().lower()


# Bodies up to this size are parsed and assessed on the event loop: a thread hop costs more
# than the work; larger ones go to the thread pool so the loop keeps serving.
INLINE_BYTES = 64 * 1024


async def read_raw(request: Request) -> tuple[bytes, str]:
    """The body bytes and media type; 415 for a type we cannot read, 400 for an empty body."""
    media = _media_type(request)
    if media not in JSON_TYPES and media not in YAML_TYPES and not media.endswith("+json"):
        raise ProblemError(
            415,
            "unsupported-media-type",
            "Send JSON (application/json, application/fhir+json) or YAML (application/yaml).",
            field="Content-Type",
            value=media,
            reason="not JSON or YAML",
        )
    raw = await request.body()
    if not raw.strip():
        raise ProblemError(
            400,
            "empty-body",
            "The request body is empty.",
            field="body",
            value="",
            reason="a patient document is required",
        )
    return raw, media


def parse_document(raw: bytes, media: str) -> Any:
    """JSON (or YAML) to plain data; malformed input is a 400 problem naming where."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProblemError(
            400,
            "malformed-json",
            "The body is not UTF-8.",
            field="body",
            value=f"byte {exc.start}",
            reason="not UTF-8 text",
        ) from None
    if media in YAML_TYPES:
        try:
            return parse_text(text, "body")
        except InputError as exc:
            raise ProblemError(
                400,
                "malformed-yaml",
                "The body is not valid YAML.",
                field="body",
                value=exc.value,
                reason=exc.reason,
            ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProblemError(
            400,
            "malformed-json",
            "The request body is not valid JSON.",
            field="body",
            value=f"line {exc.lineno} column {exc.colno}",
            reason=f"malformed JSON: {exc.msg}",
        ) from None
    except RecursionError:
        raise ProblemError(
            400, "malformed-json", "The JSON is nested too deeply.", field="body",
            value="nesting", reason="too deep",
        ) from None  # fmt: skip


async def run_sized(raw: bytes, work: Callable[[], T]) -> T:
    """Run ``work`` inline for a small body, in the thread pool for a large one."""
    if len(raw) <= INLINE_BYTES:
        return work()
    return await run_in_threadpool(work)


async def read_document(request: Request) -> Any:
    """The parsed body (JSON, or YAML when sent as YAML); 400/415 problems otherwise."""
    raw, media = await read_raw(request)
    return await run_sized(raw, lambda: parse_document(raw, media))


async def read_patient(request: Request, kb: Knowledge, as_of: dt.date) -> LoadedPatient:
    """A native patient or a FHIR Bundle from the body, validated as the CLI validates files."""
    raw, media = await read_raw(request)
    return await run_sized(
        raw, lambda: load_patient_data(parse_document(raw, media), kb, as_of, "body")
    )


PATIENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A native patient (docs/patient-format.md) or a FHIR R4 Bundle.",
        "content": {
            "application/json": {
                "schema": {
                    "anyOf": [
                        {"$ref": "#/components/schemas/NativePatient"},
                        {"$ref": "#/components/schemas/FhirBundle"},
                    ]
                }
            },
            "application/fhir+json": {"schema": {"$ref": "#/components/schemas/FhirBundle"}},
            "application/yaml": {"schema": {"$ref": "#/components/schemas/NativePatient"}},
        },
    }
}

FHIR_BUNDLE_SCHEMA: dict[str, Any] = {
    "title": "FhirBundle",
    "type": "object",
    "description": "A FHIR R4 Bundle (docs/fhir-mapping.md says which resources are read).",
    "required": ["resourceType"],
    "properties": {
        "resourceType": {"type": "string", "enum": ["Bundle"]},
        "type": {"type": "string"},
        "entry": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"resource": {"type": "object"}},
            },
        },
    },
}
