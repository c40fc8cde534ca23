"""Errors of the SQL on FHIR runner.

``ViewError`` is an :class:`~jakguide.errors.InputError`: a ViewDefinition that cannot be run as
given (malformed, an unknown element, an unsupported FHIRPath) or a run-time error the
specification defines (more than one value in a column that is not a collection). Its message is
one line that starts with the JSON path of the offending part, e.g.
``select[0].column[2].path: 'name.famly': Patient.name has no element 'famly'``.
"""

from __future__ import annotations

from jakguide.errors import InputError


class ViewError(InputError):
    """A ViewDefinition that cannot be compiled or run; ``field`` is its JSON path."""

    def __init__(self, reason: str, field: str = "", value: object = None) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        Exception.__init__(self, self._text())

    def _text(self) -> str:
        parts = [p for p in (self.field, repr(self.value) if self.value is not None else "") if p]
        return ": ".join([*parts, self.reason])

    def at(self, field: str, value: object = None) -> ViewError:
        """The same error located at ``field`` (kept if already located)."""
        if self.field:
            return self
        return ViewError(self.reason, field, value if value is not None else self.value)
