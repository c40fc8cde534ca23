"""Exceptions raised by jakguide.

Every message names the field, the value received, what is accepted and what to do, so that a
door (CLI, REST API) can show it as one line and map it to an exit code or HTTP status::

    JakguideError
    ├── InputError            bad input from a user or a record (CLI exit 2, HTTP 4xx)
    │   ├── UnknownIdError    a drug, condition, analyte or instrument id that does not exist
    │   ├── UnitError         a unit not accepted for an analyte
    │   ├── ImplausibleValueError  a value outside the analyte's plausible range
    │   ├── FhirInputError    a FHIR resource that cannot be read at all
    │   └── InstrumentInputError  an instrument input missing, unknown or out of range
    │                         (``jakguide.instruments.errors``; also a ``ValueError``)
    └── KnowledgeError        the knowledge base failed validation (file, line, key for each issue)

The doors catch ``InputError`` once: the CLI prints ``error: <message>`` and exits 2, the REST
API answers 422 with the field, value and reason (``unknown-id`` for ``UnknownIdError``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class JakguideError(Exception):
    """Base of every error jakguide raises on purpose."""


class InputError(JakguideError):
    """Input that cannot be used as given.

    Attributes:
        field: where the bad value sits (e.g. ``labs[2].unit``).
        value: the value received, as text.
        reason: what is wrong and what is accepted.

    ``message`` replaces the default one-line message ``field: value: reason`` (a subclass with its
    own wording, e.g. ``InstrumentInputError``).
    """

    def __init__(
        self, field: str, value: object, reason: str, *, message: str | None = None
    ) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}: {value!r}: {reason}" if message is None else message)

    @property
    def detail(self) -> str:
        """The explanation a door shows beside field and value (the API's ``detail``)."""
        return self.reason


class UnknownIdError(InputError):
    """An id that the knowledge base does not know."""

    @classmethod
    def among(cls, field: str, value: object, what: str, accepted: Iterable[str]) -> UnknownIdError:
        """The one wording for an unknown id: ``unknown <what>; accepted: <sorted ids>``."""
        return cls(field, value, f"unknown {what}; accepted: " + ", ".join(sorted(accepted)))


class UnitError(InputError):
    """A unit the knowledge base does not accept for this analyte."""


class ImplausibleValueError(InputError):
    """A value outside the physically plausible range for its analyte."""


class FhirInputError(InputError):
    """FHIR content that cannot be read (malformed JSON, not a Bundle, invalid resource)."""


@dataclass(frozen=True)
class KnowledgeIssue:
    """One problem in a knowledge file, located by file, line and key path."""

    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.key}: {self.message}"


class KnowledgeError(JakguideError):
    """The knowledge base is invalid; ``issues`` lists every problem found."""

    def __init__(self, issues: list[KnowledgeIssue]) -> None:
        self.issues = issues
        first = str(issues[0]) if issues else "invalid knowledge"
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        super().__init__(first + more)
