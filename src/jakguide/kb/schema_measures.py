"""Schema of ``knowledge/measures.yaml``: the population measures' specification (MIPS #176 and
the RISE screening measures) and the categories of events of special interest.

Read by the scan (``scan.measures``, ``scan.esi``) and by the bulk generator's truth
(``synth.measures``), so both count by the same parameters. Test, result and history items name
entries of the FHIR adapter's code tables (checked where those tables are read).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from jakguide.kb.schema import Citation, Strict

_Id = Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]


class DrugSet(Strict):
    """A set of ingredients: the members of knowledge drug classes."""

    id: Annotated[str, Field(pattern=r"^[A-Z]$")]
    name: str
    classes: list[str]
    source: Citation


class MeasureException(Strict):
    """Who leaves a measure's numerator test: a positive test with documented treatment dated on
    or before the index, or a known infection (history items) with onset on or before it."""

    positive: str | None = None  # a screening-test item
    treated_by: str | None = None  # a drug-set id
    known: list[str] = Field(default_factory=list)  # history items

    @model_validator(mode="after")
    def _one_kind(self) -> MeasureException:
        if (self.positive is None) != (self.treated_by is None):
            raise ValueError("give both 'positive' and 'treated_by', or neither")
        if (self.positive is None) == (not self.known):
            raise ValueError("give either 'positive' with 'treated_by', or 'known'")
        return self


class Measure(Strict):
    """One screening measure. ``tests``: each must be in the window; ``all_of``: a composite met
    when each named measure is met or excepted; ``washout_set``: no exposure to that set in the
    washout before the index."""

    id: _Id
    name: str
    index_set: str
    tests: list[str] = Field(default_factory=list)
    exception: MeasureException | None = None
    washout_set: str | None = None
    all_of: list[str] = Field(default_factory=list)
    source: Citation

    @model_validator(mode="after")
    def _tests_or_composite(self) -> Measure:
        if bool(self.tests) == bool(self.all_of):
            raise ValueError("give either 'tests' or 'all_of'")
        return self


class Screening(Strict):
    adult_years: Annotated[int, Field(gt=0)]
    window_months: Annotated[int, Field(gt=0)]
    washout_months: Annotated[int, Field(gt=0)]
    results: list[str]  # result items that make a test count (codes.yaml `results`)
    source: Citation
    sets: list[DrugSet]
    measures: list[Measure]

    @model_validator(mode="after")
    def _references(self) -> Screening:
        sets = {s.id for s in self.sets}
        ids = [m.id for m in self.measures]
        if len(set(ids)) != len(ids):
            raise ValueError("measure ids must be unique")
        for m in self.measures:
            used = {m.index_set, m.washout_set, m.exception.treated_by if m.exception else None}
            unknown = {s for s in used if s is not None} - sets
            if unknown:
                raise ValueError(f"measure {m.id!r}: unknown drug sets {sorted(unknown)}")
            missing = set(m.all_of) - set(ids)
            if missing:
                raise ValueError(f"measure {m.id!r}: unknown measures {sorted(missing)}")
        return self

    def drug_set(self, set_id: str) -> DrugSet:
        return next(s for s in self.sets if s.id == set_id)

    def measure(self, measure_id: str) -> Measure:
        return next(m for m in self.measures if m.id == measure_id)


class EventCategory(Strict):
    """A category of events of special interest: the history items whose codes define it."""

    id: _Id
    name: str
    history: list[str]
    source: Citation


class MeasureFile(Strict):
    version: int
    screening: Screening
    events_of_special_interest: list[EventCategory]
