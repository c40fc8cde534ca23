"""Sentences and clauses with character offsets (a careful rule-based splitter, no model).

Each line is split on its own, so a table row written as plain text ("Sotyktu | plaque
psoriasis") is a sentence of its own. Inside a line, a sentence ends at ``.``, ``!`` or ``?``
followed by a space and a letter or digit (after an optional quote or bracket), unless the dot
ends a known abbreviation or a single letter (initials).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ABBREVIATIONS = frozenset(
    {
        "e.g",
        "i.e",
        "vs",
        "etc",
        "dr",
        "mr",
        "mrs",
        "ms",
        "approx",
        "no",
        "fig",
        "st",
        "u.s",
        "inc",
        "ltd",
        "co",
        "jr",
        "sr",
        "al",
        "ca",
        "cf",
        "mg",
        "wk",
        "wks",
        "min",
        "max",
    }
)
_BOUNDARY = re.compile(r"[.!?][\"')\]]*\s+(?=[\"'(\[]?[A-Za-z0-9])")
_CLAUSE = re.compile(
    r";|\s[\u2013\u2014]\s|,?\s+\b(?:while|whereas|but|although|however)\b|,\s+(?=not\b)|"
    r",?\s+and\s+(?=(?:not|neither|none|no)\b)",
    re.I,
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def sentences(text: str) -> list[Span]:
    """The sentences of ``text`` (lines first), with offsets into ``text``."""
    out: list[Span] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        _split_line(line, pos, out)
        pos += len(line)
    return out


def _split_line(line: str, offset: int, out: list[Span]) -> None:
    start = 0
    for m in _BOUNDARY.finditer(line):
        word = re.search(r"([\w.]+)$", line[start : m.start()])
        token = word.group(1).lower() if word else ""
        if token in _ABBREVIATIONS or re.fullmatch(r"[a-z]", token):
            continue
        _add(line, offset, start, m.start() + 1, out)
        start = m.end()
    _add(line, offset, start, len(line), out)


def _add(line: str, offset: int, start: int, end: int, out: list[Span]) -> None:
    piece = line[start:end]
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece.rstrip())
    if trail > lead:
        out.append(Span(offset + start + lead, offset + start + trail, piece[lead:trail]))


def clauses(sentence: Span) -> list[Span]:
    """Parts of a sentence joined by ``;``, ``while``, ``whereas``, ``but``, ``however``."""
    out: list[Span] = []
    start = 0
    for m in _CLAUSE.finditer(sentence.text):
        if m.start() > start:
            out.append(_sub(sentence, start, m.start()))
        start = m.start()
    out.append(_sub(sentence, start, len(sentence.text)))
    return [c for c in out if c.text.strip()]


def _sub(sentence: Span, start: int, end: int) -> Span:
    return Span(sentence.start + start, sentence.start + end, sentence.text[start:end])
