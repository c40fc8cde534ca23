"""The CDS Hooks 2.0.1 request and feedback bodies (pydantic), and OperationOutcome errors.

Why lenient on unknown keys: a 3.0 client may send fields 2.0.1 does not name; what we read is
checked strictly and a bad value is refused with the field named (never a guess).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class FhirAuthorization(_Open):
    access_token: str = Field(min_length=1, repr=False)
    token_type: str = "Bearer"
    expires_in: int | None = None
    scope: str | None = None
    subject: str | None = None
    patient: str | None = None


class HookRequest(_Open):
    hook: str = Field(min_length=1)
    hookInstance: str = Field(  # noqa: N815 (the spec: a UUID, unique per call)
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )
    fhirServer: str | None = Field(default=None, pattern=r"^https?://[^\s]+$")  # noqa: N815
    fhirAuthorization: FhirAuthorization | None = None  # noqa: N815
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None


class Coding(_Open):
    system: str | None = None
    code: str | None = None
    display: str | None = None


class OverrideReasonIn(_Open):
    reason: Coding | None = None
    userComment: str | None = Field(default=None, max_length=2000)  # noqa: N815


class FeedbackItem(_Open):
    card: str = Field(min_length=1, max_length=200)
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[dict[str, Any]] | None = None  # noqa: N815
    overrideReason: OverrideReasonIn | None = None  # noqa: N815
    outcomeTimestamp: dt.datetime  # noqa: N815


class FeedbackRequest(_Open):
    feedback: list[FeedbackItem] = Field(min_length=1, max_length=1000)


def first_error(exc: ValidationError) -> tuple[str, object, str]:
    """(field, value, reason) of a body's first invalid value, for the OperationOutcome."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "body"
    return where, err.get("input"), err["msg"]


IssueCode = Literal[
    "invalid", "required", "security", "not-found", "processing", "timeout", "incomplete"
]


def operation_outcome(
    text: str, code: IssueCode = "invalid", severity: str = "error"
) -> dict[str, Any]:
    """A FHIR OperationOutcome with one issue (the CDS Hooks 3.0 error body)."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {"severity": severity, "code": code, "details": {"text": text}, "diagnostics": text}
        ],
    }
