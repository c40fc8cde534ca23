"""The patient guide as data: sections of sourced statements, and the footnotes they point to.

A ``Statement`` is one sentence or a few short sentences shown as one paragraph or list item.
Its ``runs`` keep plain wording apart from label quotes (``quote``), names of trials and study
arms (``name``) and numbers with the knowledge value behind them (``value``), so that renderers
can mark them up and tests can measure readability on the plain wording alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Literal

from jakguide.model import Frozen, Region, Status

RunKind = Literal["text", "quote", "name", "value", "strong"]


class GuideRequest(Frozen):
    """Which guide: one drug, for one of the patient's conditions, in one region, on one day."""

    drug: str
    condition: str
    region: Region = "US"
    as_of: dt.date
    # "patient": the guide a patient opens through their link; findings are told in the
    # guide's own plain words (no label wording), sources by document, not by table.
    audience: Literal["clinician", "patient"] = "clinician"


@dataclass(frozen=True)
class Run:
    text: str
    kind: RunKind = "text"
    # data-* attributes for ``value`` runs (e.g. the knowledge value a rounded number shows)
    data: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Statement:
    id: str
    runs: tuple[Run, ...]
    refs: tuple[int, ...]  # footnote numbers

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Group:
    """A titled list (h3) inside a section, e.g. 'Get emergency help now'."""

    id: str
    title: str
    intro: Statement | None
    items: tuple[Statement, ...]
    tone: Literal["plain", "emergency", "today", "next-visit"] = "plain"


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    paragraphs: tuple[Statement, ...] = ()
    groups: tuple[Group, ...] = ()


@dataclass(frozen=True)
class Footnote:
    number: int
    doc: str
    section: str
    title: str
    publisher: str
    type: str  # the source's authority (regulator-label, monograph, ...)
    revision: dt.date | None
    revision_note: str | None
    url: str | None  # the regulator's page for a label, never the copy that was read
    verified: bool
    note: str | None  # e.g. the study population an adverse-reaction number comes from
    document: str | None = None  # the regulator document a label stands for


@dataclass(frozen=True)
class Guide:
    drug: str
    inn: str
    brand: str
    condition: str
    condition_name: str
    region: Region
    region_name: str
    as_of: dt.date
    status: Status
    patient_id: str | None
    knowledge_version: str
    release_date: dt.date
    disclaimer: str
    generator: str
    banner: Section | None
    sections: tuple[Section, ...]
    footnotes: tuple[Footnote, ...]
    warnings: tuple[str, ...] = field(default=())
    audience: str = "clinician"

    @property
    def title(self) -> str:
        return f"Your guide to {self.brand} ({self.inn})"

    def statements(self) -> list[Statement]:
        """Every statement in reading order (banner first)."""
        out: list[Statement] = []
        for section in ([self.banner] if self.banner else []) + list(self.sections):
            out += _section_statements(section)
        return out


def renumber(
    banner: Section | None, sections: list[Section], footnotes: tuple[Footnote, ...]
) -> tuple[Section | None, list[Section], tuple[Footnote, ...]]:
    """Footnotes numbered in reading order (banner first); footnotes no statement cites dropped."""
    order: dict[int, int] = {}
    for section in ([banner] if banner else []) + sections:
        for st in _section_statements(section):
            for ref in st.refs:
                order.setdefault(ref, len(order) + 1)

    def st_(st: Statement) -> Statement:
        return replace(st, refs=tuple(sorted(order[r] for r in st.refs)))

    def sec(section: Section) -> Section:
        groups = tuple(
            replace(
                g,
                intro=st_(g.intro) if g.intro else None,
                items=tuple(st_(i) for i in g.items),
            )
            for g in section.groups
        )
        return replace(section, paragraphs=tuple(st_(p) for p in section.paragraphs), groups=groups)

    by_old = {fn.number: fn for fn in footnotes}
    notes = tuple(
        replace(by_old[old], number=new) for old, new in sorted(order.items(), key=lambda kv: kv[1])
    )
    return (sec(banner) if banner else None), [sec(s) for s in sections], notes


def _section_statements(section: Section) -> list[Statement]:
    out = list(section.paragraphs)
    for group in section.groups:
        out += ([group.intro] if group.intro else []) + list(group.items)
    return out
