"""Three-valued truth: a condition is true, false, or unknown because an input is not recorded.

Unknown carries the names of the missing inputs (``Missing``) so a rule can say exactly what is
needed; it is never read as false. ``predicates`` (the knowledge's ``When`` conditions) and
``risk`` (EMA risk groups) both answer in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jakguide.rules.missing import InputKey, Missing


@dataclass
class Outcome:
    """``value`` True/False/None (unknown); ``missing`` inputs when unknown; ``facts`` used."""

    value: bool | None
    missing: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    @classmethod
    def true(cls, *facts: str) -> Outcome:
        return cls(True, [], list(facts))

    @classmethod
    def false(cls, *facts: str) -> Outcome:
        return cls(False, [], list(facts))

    @classmethod
    def unknown(cls, key: InputKey, text: str) -> Outcome:
        return cls(None, [Missing(key, text)], [])
