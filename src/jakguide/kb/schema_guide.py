"""Schema of the patient-guide wording (``knowledge/guide/*.yaml``).

Plain-language statements for patients. Each carries a ``source``: a label section, a guideline,
or clinically reviewed editorial wording (source type ``editorial``). Drug facts (doses, numbers)
are never restated here: the guide reads them from the monographs.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from jakguide.kb.schema import Citation, Strict


class GuideStatement(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")]
    topic: str
    text: str
    drugs: list[str] | None = None  # None: applies to every agent
    conditions: list[str] | None = None
    source: Citation


class GuideFile(Strict):
    statements: list[GuideStatement]
