"""Errors raised by the disease-activity instruments.

Exception tree (the lead may later re-parent it onto the project error tree)::

    ValueError
     └── InstrumentInputError   an input is missing, unknown or outside its accepted range

Every message is one line naming the offending item, the value received and what is accepted,
so that a door (CLI, web form) can show it unchanged.
"""

from __future__ import annotations

__all__ = ["InstrumentInputError"]

_MAX_SHOWN = 60  # characters of a received value shown in a message
_ELLIPSIS = "..."


class InstrumentInputError(ValueError):
    """An instrument received an input it cannot score.

    Attributes:
        field: dotted name of the offending input (``"head.erythema"``, ``"answers[7]"``,
            ``"instrument"`` for an unknown instrument name).
        value: the value received (``None`` when the input is missing).
        accepted: human-readable description of what is accepted.
    """

    def __init__(self, field: str, value: object, accepted: str) -> None:
        self.field = field
        self.value = value
        self.accepted = accepted
        received = "missing" if value is None else f"got {_short(value)}"
        super().__init__(f"{field}: {received}; accepted: {accepted}")


def _short(value: object) -> str:
    """Render a received value on one short line (never a multi-line dump)."""
    text = repr(value)
    text = " ".join(text.split())
    if len(text) <= _MAX_SHOWN:
        return text
    return text[: _MAX_SHOWN - len(_ELLIPSIS)] + _ELLIPSIS
