"""Schema of ``knowledge/triage.yaml``: the labels' warning signs, how urgent each is, and the
words people use for them (read by ``jakguide.guide.triage``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from jakguide.kb.schema import Citation, Region, Strict

Urgency = Literal["emergency", "today", "next-visit"]
_Id = Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]


class LabelSection(Strict):
    """A label section naming a warning sign that no label-fact key covers.

    ``doc`` is the label copy read when it is not the monograph's own label document; only a
    section actually read carries ``verified: true`` (with the day and, where it helps, a quote).
    """

    drug: str
    region: Region
    section: str
    doc: str | None = None
    quote: str | None = None
    verified: bool = False
    verified_on: dt.date | None = None
    note: str | None = None


class Sign(Strict):
    id: _Id
    urgency: Urgency
    wording: str  # the guide statement explaining the sign
    facts: list[str] = Field(default_factory=list)  # guide label-fact keys (guide.facts)
    labels: list[LabelSection] = Field(default_factory=list)
    source: Citation


class Symptom(Strict):
    id: _Id
    signs: list[str]
    words: list[str]


class EmergencyNumber(Strict):
    number: str
    source: Citation


class Negation(Strict):
    """Words that deny the symptom right after them ("no fever", "without a fever").

    Only a symptom phrase that starts right after a cue (and any ``fillers``) is denied; anything
    else keeps the more urgent reading."""

    cues: list[str] = Field(default_factory=list)
    fillers: list[str] = Field(default_factory=list)


class TriageFile(Strict):
    version: int
    emergency_numbers: dict[Region, EmergencyNumber]
    negation: Negation = Field(default_factory=Negation)
    signs: list[Sign]
    symptoms: list[Symptom]

    @model_validator(mode="after")
    def _signs_known(self) -> TriageFile:
        ids = {s.id for s in self.signs}
        for sym in self.symptoms:
            unknown = set(sym.signs) - ids
            if unknown:
                raise ValueError(f"symptom {sym.id!r}: unknown signs {sorted(unknown)}")
        return self
