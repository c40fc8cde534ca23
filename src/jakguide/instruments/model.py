"""Result types shared by all instruments: Score, Response, sources and category bands.

Why frozen dataclasses: results are values; nothing downstream may rebind a field of a score
after it was computed (``to_dict`` hands out deep copies for doors to mutate).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypedDict

from jakguide.instruments._exact import fmt
from jakguide.kb.base import bundled_sources

__all__ = ["Band", "Response", "Score", "SourceRef", "band_rule", "cite", "classify"]


class SourceRef(TypedDict):
    """A citation: short document id, title, the section/table used, and the year."""

    doc: str
    title: str
    section: str
    year: int | None


def cite(doc: str, section: str) -> SourceRef:
    """A short citation of ``section`` of document ``doc`` from the knowledge's source table.

    The instruments keep no copy of the table: title and year come from
    ``knowledge/sources/*.yaml`` (KeyError if ``doc`` is not there, which a test would catch at
    import time).
    """
    found = bundled_sources()[doc]
    return SourceRef(doc=found.id, title=found.title, section=section, year=found.year)


@dataclass(frozen=True)
class Score:
    """The result of scoring one instrument.

    Attributes:
        instrument: registry name (``"asdas-crp"``).
        value: the unrounded score (``int`` for counts and sums of integers, else ``float``).
        category: the published category of the unrounded value, or ``None`` when the
            instrument has no published bands (PASI, NAPSI, BASFI).
        components: intermediate values a clinician needs to check the arithmetic.
        sources: the publications the formula and cut-offs come from.
        notes: policy decisions applied to this input (CRP floor, missing DLQI item, ...).
    """

    instrument: str
    value: int | float
    category: str | None
    components: Mapping[str, Any]
    sources: tuple[SourceRef, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (deep copy; safe to mutate)."""
        return {
            "instrument": self.instrument,
            "value": self.value,
            "category": self.category,
            "components": copy.deepcopy(dict(self.components)),
            "notes": list(self.notes),
            "sources": [dict(s) for s in self.sources],
        }


@dataclass(frozen=True)
class Response:
    """The result of comparing a baseline with a follow-up assessment.

    ``results`` holds the published response criteria (``pasi75``, ``asas20`` ...); each is
    also readable as an attribute (``response.pasi75``). A criterion that cannot be evaluated
    (percentage from a baseline of 0) is ``None`` and ``not_evaluable`` says why.
    """

    instrument: str
    baseline: Any
    current: Any
    results: Mapping[str, Any]
    sources: tuple[SourceRef, ...]
    not_evaluable: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails; guard against recursion during copy/pickle.
        results = self.__dict__.get("results")
        if name.startswith("_") or results is None or name not in results:
            raise AttributeError(name)
        return results[name]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict with the criteria at the top level (deep copy)."""
        out: dict[str, Any] = {
            "instrument": self.instrument,
            "baseline": copy.deepcopy(self.baseline),
            "current": copy.deepcopy(self.current),
        }
        out.update(copy.deepcopy(dict(self.results)))
        out["not_evaluable"] = dict(self.not_evaluable)
        out["notes"] = list(self.notes)
        out["sources"] = [dict(s) for s in self.sources]
        return out


@dataclass(frozen=True)
class Band:
    """One category band: everything above the previous band up to ``upper``.

    ``upper`` is ``None`` for the open top band. ``upper_inclusive`` encodes the published
    inequality exactly (ASDAS "<= 3.5" is inclusive, "< 2.1" is not).
    """

    label: str
    upper: Fraction | None
    upper_inclusive: bool
    description: str = ""


def classify(value: Fraction | Decimal, bands: Sequence[Band]) -> str:
    """Return the label of the band holding ``value`` (exact comparison)."""
    exact_value = Fraction(value)
    for band in bands:
        if band.upper is None:
            return band.label
        if exact_value < band.upper or (band.upper_inclusive and exact_value == band.upper):
            return band.label
    raise ValueError("bands must end with an open band")  # pragma: no cover - programming error


def band_rule(bands: Sequence[Band], symbol: str, low: Fraction | None = None) -> list[str]:
    """Human-readable inequality for each band (``"1.3 <= ASDAS < 2.1"``), for docs."""
    rules: list[str] = []
    previous: Band | None = None
    for band in bands:
        parts: list[str] = []
        if previous is not None and previous.upper is not None:
            op = "<" if previous.upper_inclusive else "<="
            parts.append(f"{fmt(previous.upper)} {op} {symbol}")
        elif low is not None:
            parts.append(f"{fmt(low)} <= {symbol}")
        else:
            parts.append(symbol)
        if band.upper is not None:
            op = "<=" if band.upper_inclusive else "<"
            parts.append(f"{op} {fmt(band.upper)}")
        rules.append(" ".join(parts))
        previous = band
    return rules
