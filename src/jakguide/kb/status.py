"""Currency of the knowledge: which label revision each drug's facts were read from.

Each region label records the revision read (``revisions.read``) and later revisions known but
not read (``revisions.later``, with the sections they changed). A fact rests on a superseded
revision when its source is itself superseded (``superseded_by``), or when a later revision
changed the section it cites and the copy it cites is older than that revision (or undated).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from jakguide.kb.base import Knowledge
from jakguide.kb.schema import Citation, KnownRevision, RegionLabel

_NUMBER = re.compile(
    r"(?<![0-9.])([0-9]{1,2}(?:\.[0-9]{1,2})*)(?![0-9])(?!\.?[0-9]*\s*(?:mg|%|mL|kg|years?|weeks?))"
)
_NOT_A_SECTION = re.compile(r"\b(?:Tables?|Figures?|Study|Trial)\s+[0-9]+[a-z]?", re.IGNORECASE)
_BOXED = re.compile(r"boxed", re.IGNORECASE)


def cited_sections(section: str) -> set[str]:
    """Section numbers a citation's ``section`` names ("2.3 Table 1; 5.1" -> {"2.3", "5.1"}).

    A name that mentions the boxed warning also yields ``boxed-warning``.
    """
    found = set(_NUMBER.findall(_NOT_A_SECTION.sub(" ", section)))
    if _BOXED.search(section):
        found.add("boxed-warning")
    return found


def _within(cited: str, changed: str) -> bool:
    """``cited`` is ``changed`` or one of its subsections, or contains it."""
    return cited == changed or cited.startswith(changed + ".") or changed.startswith(cited + ".")


@dataclass(frozen=True)
class Superseded:
    """Why a fact rests on a superseded label revision."""

    revision: dt.date | None  # the later revision
    text: str
    older_copy: bool = False  # the fact cites an older copy of a revision that was read

    def message(self) -> str:
        when = f" of {self.revision:%m/%Y}" if self.revision else ""
        if self.older_copy:
            return (
                f"Read from an older label copy; a later revision{when} exists ({self.text}): "
                "check this fact against it."
            )
        return (
            f"Rests on a superseded label revision: the revision{when} changed this section "
            f"({self.text}) and has not been read yet."
        )


def superseded(kb: Knowledge, label: RegionLabel | None, citation: Citation) -> Superseded | None:
    """Whether ``citation`` (a fact of ``label``) rests on a superseded revision."""
    doc = kb.sources.get(citation.doc)
    if doc is None:
        return None
    if doc.superseded_by:
        newer = kb.sources.get(doc.superseded_by)
        return Superseded(newer.revision if newer else None, doc.superseded_by, older_copy=True)
    if label is None or label.revisions is None or not doc.is_label:
        return None
    sections = cited_sections(citation.section)
    for later in label.revisions.later:
        if doc.revision is not None and doc.revision >= later.revision:
            continue
        if any(_within(c, s) for c in sections for s in later.sections):
            return Superseded(later.revision, later.text)
    return None


def superseded_index(kb: Knowledge) -> dict[tuple[str, str], Superseded]:
    """(doc, section) of every label fact that rests on a superseded revision (cached on kb)."""
    index: dict[tuple[str, str], Superseded] | None = getattr(kb, "_superseded", None)
    if index is None:
        index = {}
        for mono in kb.drugs.values():
            for label in mono.regions.values():
                for cit in _citations(label):
                    why = superseded(kb, label, cit)
                    if why is not None:
                        index.setdefault((cit.doc, cit.section), why)
        kb._superseded = index  # type: ignore[attr-defined]
    return index


def _citations(obj: Any) -> Iterator[Citation]:
    if isinstance(obj, Citation):
        yield obj
    elif isinstance(obj, BaseModel):
        if isinstance(obj, KnownRevision):
            return  # where a revision is known from is not a fact of the label
        for name in type(obj).model_fields:
            yield from _citations(getattr(obj, name))
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            yield from _citations(item)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _citations(item)


def status_rows(kb: Knowledge) -> list[dict[str, Any]]:
    """One row per drug and region: revision read, later revisions, fact counts."""
    rows: list[dict[str, Any]] = []
    for drug_id, mono in sorted(kb.drugs.items()):
        for region, label in sorted(mono.regions.items()):
            cits = list(_citations(label))
            doc = kb.sources.get(label.label)
            read = label.revisions.read if label.revisions else (doc.revision if doc else None)
            later = label.revisions.later if label.revisions else []
            rows.append(
                {
                    "drug": drug_id,
                    "region": region,
                    "label": label.label,
                    "document": doc.document.reference() if doc and doc.document else None,
                    "read_revision": read.isoformat() if read else None,
                    "later_revisions": [
                        {
                            "revision": k.revision.isoformat(),
                            "sections": list(k.sections),
                            "text": k.text,
                        }
                        for k in later
                    ],
                    "facts": len(cits),
                    "unverified": sum(1 for c in cits if not c.verified),
                    "superseded": sum(1 for c in cits if superseded(kb, label, c) is not None),
                }
            )
    return rows
