"""Reading a patient document from a request body: native JSON/YAML or a FHIR Bundle.

Why not a pydantic body parameter: the same body may be a native patient or a FHIR Bundle, and
the native format must be validated exactly as the CLI validates a file (same messages, same
strictness), so the raw bytes go through ``patient_io``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from jakguide.adapters.native import (
    DocumentLimitError,
    LoadedPatient,
    load_patient_data,
    parse_yaml,
)
from jakguide.errors import InputError
from jakguide.kb.base import Knowledge
from jakguide.web.bodies import checked_json, decode_utf8, limit_problem
from jakguide.web.problems import ProblemError

T = TypeVar("T")
JSON_TYPES = ("application/json", "application/fhir+json")
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "application/json").split(";")[0].strip().lower()


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
    """JSON (or YAML) to plain data within the document limits; malformed input is a 400
    problem naming where, a limit a 413/422 naming the limit (see ``web.bodies``)."""
    if media not in YAML_TYPES:
        return checked_json(raw)
    text = decode_utf8(raw)
    try:
        return parse_yaml(text, "body")
    except DocumentLimitError as exc:
        raise limit_problem(exc) from None
    except InputError as exc:
        raise ProblemError(
            400,
            "malformed-yaml",
            "The body is not valid YAML.",
            field="body",
            value=exc.value,
            reason=exc.reason,
        ) from None


async def off_loop(work: Callable[[], T]) -> T:
    """Run ``work`` (parsing, FHIR mapping, assessment) in the thread pool: the event loop only
    moves bytes, so one slow document never delays another request or ``/api/health``."""
    return await run_in_threadpool(work)


async def read_document(request: Request) -> Any:
    """The parsed body (JSON, or YAML when sent as YAML); 400/413/415/422 problems otherwise."""
    raw, media = await read_raw(request)
    return await off_loop(lambda: parse_document(raw, media))


async def read_patient(request: Request, kb: Knowledge, as_of: dt.date) -> LoadedPatient:
    """A native patient or a FHIR Bundle from the body, validated as the CLI validates files."""
    raw, media = await read_raw(request)
    return await off_loop(lambda: load_patient_data(parse_document(raw, media), kb, as_of, "body"))


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
