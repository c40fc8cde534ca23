"""Errors raised by the disease-activity instruments.

``InstrumentInputError`` is an ``InputError`` of the project tree (``jakguide.errors``), so the CLI
and the REST API handle it on their one input-error path; it stays a ``ValueError`` for callers
that score values directly::

    JakguideError                      ValueError
     └── InputError                        │
          └── InstrumentInputError ────────┘   an input missing, unknown or out of range

Every message is one line naming the offending item, the value received and what is accepted,
so that a door (CLI, web form) can show it unchanged.
"""

from __future__ import annotations

from jakguide.errors import InputError

__all__ = ["InstrumentInputError"]

_MAX_SHOWN = 60  # characters of a received value shown in a message
_ELLIPSIS = "..."


class InstrumentInputError(InputError, ValueError):
    """An instrument received an input it cannot score.

    Attributes:
        field: dotted name of the offending input (``"head.erythema"``, ``"answers[7]"``,
            ``"instrument"`` for an unknown instrument name).
        value: the value received (``None`` when the input is missing).
        accepted: human-readable description of what is accepted.
        reason: ``"accepted: <accepted>"`` (as for every ``InputError``).
    """

    def __init__(self, field: str, value: object, accepted: str) -> None:
        self.accepted = accepted
        received = "missing" if value is None else f"got {_short(value)}"
        super().__init__(
            field,
            value,
            f"accepted: {accepted}",
            message=f"{field}: {received}; accepted: {accepted}",
        )

    @property
    def detail(self) -> str:
        """The whole line: the reason alone would not say what was received."""
        return str(self)


def _short(value: object) -> str:
    """Render a received value on one short line (never a multi-line dump)."""
    text = repr(value)
    text = " ".join(text.split())
    if len(text) <= _MAX_SHOWN:
        return text
    return text[: _MAX_SHOWN - len(_ELLIPSIS)] + _ELLIPSIS
