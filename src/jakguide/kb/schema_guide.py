"""Schema of the patient-guide wording (``knowledge/guide/*.yaml``).

Plain-language statements for patients. Each carries a ``source``: a label section, a guideline,
or editorial wording (source type ``editorial``, a source type of its own). Drug facts (doses,
numbers) are never restated here: the guide reads them from the monographs and fills them into
``{placeholders}``; the monograph facts a statement rests on are named in ``facts`` and cited
next to the wording's own source.

Topics (what the guide does with a statement):

- listed topics (``about``, ``what``, ``take``, ``expect``, ``tests``, ``vaccines``,
  ``pregnancy``, ``breastfeeding``, ``emergency``, ``today``, ``next-visit``, ``questions``):
  shown in their section, in file order, when ``drugs``, ``conditions`` and every ``facts`` key
  hold for the patient's drug and region;
- ``phrase``: wording the guide code asks for by id (dose lines, schedules, trial results,
  banners, statuses);
- glossary topics: ``term`` (plain words for the adverse-reaction terms in ``matches``, with the
  ``action`` a patient should take), ``endpoint`` (plain words for the trial endpoints in
  ``matches``), and ``analyte``, ``form``, ``condition``, ``screening`` (ids
  ``<topic>.<knowledge id>``).
"""

import re
from typing import Annotated, Literal

from pydantic import Field, model_validator

from jakguide.kb.schema import Citation, Strict

GuideTopic = Literal[
    "about",
    "what",
    "take",
    "expect",
    "tests",
    "vaccines",
    "pregnancy",
    "breastfeeding",
    "emergency",
    "today",
    "next-visit",
    "questions",
    "phrase",
    "term",
    "endpoint",
    "analyte",
    "form",
    "condition",
    "screening",
]
LISTED_TOPICS: tuple[GuideTopic, ...] = (
    "about",
    "what",
    "take",
    "expect",
    "tests",
    "vaccines",
    "pregnancy",
    "breastfeeding",
    "emergency",
    "today",
    "next-visit",
    "questions",
)
GLOSSARY_TOPICS: tuple[GuideTopic, ...] = ("analyte", "form", "condition", "screening")
# What a patient should do about a side effect (the guide's three groups), or "blood-test" for
# a change only a blood test shows (listed with the blood tests).
GuideAction = Literal["emergency", "today", "next-visit", "blood-test"]

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_STRAY_BRACE = re.compile(r"[{}]")


class GuideStatement(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")]
    topic: GuideTopic
    text: str
    drugs: list[str] | None = None  # None: applies to every agent
    conditions: list[str] | None = None
    # monograph facts the statement rests on (keys: jakguide.guide.facts)
    facts: list[str] = Field(default_factory=list)
    matches: list[str] | None = None  # label wordings this translates (term/endpoint topics)
    action: GuideAction | None = None  # term topic only
    source: Citation
    # further documents the wording rests on (e.g. a regulator's advice to patients)
    more_sources: list[Citation] = Field(default_factory=list)

    @model_validator(mode="after")
    def _well_formed(self) -> "GuideStatement":
        if _STRAY_BRACE.search(PLACEHOLDER.sub("", self.text)):
            raise ValueError("text: braces only as {placeholder} with a lowercase name")
        if self.topic == "term" and (not self.matches or self.action is None):
            raise ValueError("a term needs matches (label terms) and an action")
        if self.topic == "endpoint" and not self.matches:
            raise ValueError("an endpoint needs matches (the trial endpoints it explains)")
        if self.topic not in ("term", "endpoint") and (self.matches or self.action):
            raise ValueError("matches and action belong to term or endpoint statements")
        if self.topic in GLOSSARY_TOPICS and not self.id.startswith(self.topic + "."):
            raise ValueError(f"a {self.topic} statement's id must be '{self.topic}.<id>'")
        return self


class GuideFile(Strict):
    statements: list[GuideStatement]
