"""The population measures' specification (``knowledge/measures.yaml``) with its drug sets
resolved to ingredients: what the scan and the bulk generator both count by."""

from __future__ import annotations

from dataclasses import dataclass

from jakguide.errors import KnowledgeError, KnowledgeIssue
from jakguide.kb.base import Knowledge
from jakguide.kb.schema_measures import EventCategory, Measure, Screening


@dataclass(frozen=True)
class MeasureSpec:
    """Screening measures, their drug sets as ingredient sets, and the event categories."""

    screening: Screening
    sets: dict[str, frozenset[str]]
    events: tuple[EventCategory, ...]

    @property
    def measures(self) -> tuple[Measure, ...]:
        return tuple(self.screening.measures)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.screening.measures)


def measure_spec(kb: Knowledge) -> MeasureSpec:
    """The specification of ``kb`` (``KnowledgeError`` when the folder has no measures.yaml)."""
    if kb.measures is None:
        raise KnowledgeError(
            [KnowledgeIssue("measures.yaml", None, "<file>", "the scan needs measures.yaml")]
        )
    screening = kb.measures.screening
    sets = {
        s.id: frozenset().union(*(kb.class_members(c) for c in s.classes)) for s in screening.sets
    }
    return MeasureSpec(screening, sets, tuple(kb.measures.events_of_special_interest))
