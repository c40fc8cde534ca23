"""Declarative descriptions of instruments and responses (registry entries and doc metadata).

Why: the documentation pages, the CLI help and the registry all read the same description,
and the category rules shown in the docs are generated from the same ``Band`` constants the
code compares against, so docs and code cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jakguide.instruments.model import Response, Score, SourceRef

__all__ = ["Example", "InputSpec", "Instrument", "InstrumentDoc", "ResponseDef", "ResponseDoc"]


@dataclass(frozen=True)
class InputSpec:
    """One accepted input: its (dotted) name, accepted values and meaning."""

    name: str
    accepted: str
    description: str


@dataclass(frozen=True)
class Example:
    """A worked example; the docs compute its result by calling the code.

    For a response example ``inputs`` is ``{"baseline": ..., "current": ...}``.
    """

    title: str
    inputs: Mapping[str, Any]
    source: str


@dataclass(frozen=True)
class InstrumentDoc:
    """Everything the documentation page of an instrument shows."""

    title: str
    summary: str
    formula: str
    value_range: str
    inputs: tuple[InputSpec, ...]
    categories: tuple[tuple[str, str], ...]
    policies: tuple[str, ...]
    examples: tuple[Example, ...]
    sources: tuple[SourceRef, ...]


@dataclass(frozen=True)
class ResponseDoc:
    """Everything the documentation section of a response definition shows."""

    title: str
    summary: str
    inputs: str
    criteria: tuple[tuple[str, str], ...]
    policies: tuple[str, ...]
    examples: tuple[Example, ...]
    sources: tuple[SourceRef, ...]
    # How people write each criterion a response reports ("easi75" -> "EASI-75"): the one home
    # of the names pages, guides and findings show (the keys stay in JSON and code).
    shown_as: tuple[tuple[str, str], ...] = ()

    def label(self, criterion: str) -> str:
        """The display name of ``criterion`` (KeyError if the definition does not name it)."""
        return dict(self.shown_as)[criterion]


@dataclass(frozen=True)
class Instrument:
    """Registry entry for a scored instrument."""

    name: str
    score: Callable[..., Score]
    categorize: Callable[[Any], str]
    doc: InstrumentDoc
    display_decimals: int = 1


@dataclass(frozen=True)
class ResponseDef:
    """Registry entry for a response definition."""

    name: str
    compute: Callable[[Any, Any], Response]
    doc: ResponseDoc
