"""Treat-to-target checks and response review points, from the numbers in the knowledge.

``knowledge/guidelines.yaml`` holds each response guideline's numbers in ``targets`` (schema:
``jakguide.kb.schema_guidelines.ResponseTargets``) next to its source: when to review, the target
and acceptable values, the improvement cut-offs. This module compares patient values with them
and builds the messages from them; no guideline number is written here. The arithmetic on the
values (exact BSA and ASDAS changes) is the instruments' (``jakguide.instruments.targets``).

Findings are ``response.target.<rule>-...`` where ``<rule>`` is the entry's ``targets.rule``:
``<rule>-<N>-weeks|months`` (before the first review point: provisional), ``-target``,
``-acceptable``, ``-not-acceptable``, ``-baseline-needed`` (value targets) and ``<rule>``
itself (improvement cut-offs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from jakguide.dates import add_months, add_weeks
from jakguide.instruments import InstrumentInputError
from jakguide.instruments._exact import fmt
from jakguide.kb.base import Knowledge
from jakguide.kb.schema import Citation, ResponseMeasure
from jakguide.kb.schema_guidelines import Interval, ResponseTargets, Threshold
from jakguide.model import Finding, FindingKind, Severity
from jakguide.rules.base import make
from jakguide.rules.outcome import Point, Scored, pick, value_of
from jakguide.rules.review import describe, label, measured, shown

if TYPE_CHECKING:
    from jakguide.instruments.targets import Change

__all__ = [
    "MEASURES",
    "Entry",
    "ReviewPoint",
    "entries",
    "review_points",
    "target_findings",
    "treat_to_target",
]

RULE_PREFIX = "response.target."

# The recorded instruments giving each measure a guideline names (its arithmetic: _change).
MEASURES: dict[str, tuple[str, ...]] = {
    "bsa": ("bsa",),
    "asdas": ("asdas-crp", "asdas-esr"),
    "das28": ("das28-crp", "das28-esr"),
}


@dataclass(frozen=True)
class Entry:
    """One guideline's numbers with the citation of the guideline."""

    guideline: str
    targets: ResponseTargets
    citation: Citation


def entries(kb: Knowledge, condition: str) -> list[Entry]:
    """The response guidelines with numbers that apply to ``condition``, in file order."""
    return [
        Entry(g.id, g.targets, g.source)
        for g in kb.guidelines.values()
        if g.targets is not None and (g.conditions is None or condition in g.conditions)
    ]


def _change(measure: str, baseline: Any, current: Any) -> Change:
    """The change of ``measure`` from baseline, by the instruments' exact arithmetic (imported
    here, on first use: an assessment with no scores never loads the instrument modules)."""
    from jakguide.instruments.targets import asdas_change, bsa_change

    changes: dict[str, Callable[[Any, Any], Change]] = {"bsa": bsa_change, "asdas": asdas_change}
    return changes[measure](baseline, current)


def _due(start: dt.date, interval: Interval) -> dt.date:
    if interval.weeks is not None:
        return add_weeks(start, interval.weeks)
    return add_months(start, interval.months or 0)


def _limit(threshold: Threshold, what: str, unit: str = "") -> str:
    op = "<=" if threshold.at_most is not None else ">="
    return f"{what} {op} {threshold.limit}{unit}".strip()


def _meets(threshold: Threshold, value: Fraction) -> bool:
    limit = Fraction(threshold.limit)
    return value <= limit if threshold.at_most is not None else value >= limit


def _label(measure: str) -> str:
    return measure.upper()


def _acceptable_text(t: ResponseTargets) -> str:
    m = _label(t.instrument)
    parts = [_limit(t.acceptable, m, t.unit)] if t.acceptable else []
    if t.acceptable_improvement_percent is not None:
        parts.append(_limit(t.acceptable_improvement_percent, "", "%") + " improvement")
    return " or ".join(parts)


def _improvement_text(t: ResponseTargets) -> str:
    assert t.clinically_important_decrease is not None  # callers check
    m = _label(t.instrument)
    text = f"an {m} fall of {_limit(t.clinically_important_decrease, '')} is a clinically"
    text += " important improvement"
    if t.major_decrease is not None:
        text += f", {_limit(t.major_decrease, '')} a major improvement"
    return text


@dataclass(frozen=True)
class ReviewPoint:
    """When to assess the response after a start, and against what.

    ``after`` counts from the start; ``then`` (maintenance) from the first review, repeating
    every ``then`` months. ``verified`` is false when a cited guideline could not be checked.
    """

    id: str
    conditions: tuple[str, ...]
    instrument: str
    message: str
    after: Interval
    then: Interval | None
    note: str
    citations: tuple[Citation, ...]

    @property
    def verified(self) -> bool:
        return all(c.verified for c in self.citations)

    @property
    def when(self) -> str:
        """``"12 weeks"``; maintenance: ``"9 months, then every 6 months"``."""
        if self.then is None:
            return self.after.text()
        if self.after.months is not None and self.then.months is not None:
            first = Interval(months=self.after.months + self.then.months).text()
        else:
            first = f"{self.after.text()} + {self.then.text()}"
        return f"{first}, then every {self.then.text()}"

    def first_due(self, start: dt.date) -> dt.date:
        if self.then is None:
            return _due(start, self.after)
        if self.after.months is not None and self.then.months is not None:
            # calendar months count from the start (31 Jan + 9 months = 31 Oct)
            return add_months(start, self.after.months + self.then.months)
        return _due(_due(start, self.after), self.then)

    def due(self, start: dt.date, as_of: dt.date) -> dt.date:
        """The first due date; for repeating points the latest occurrence on or before
        ``as_of`` (else the first)."""
        due = self.first_due(start)
        if self.then is None or self.then.months is None:
            return due
        steps = 0
        while add_months(due, self.then.months * (steps + 1)) <= as_of:
            steps += 1
        return add_months(due, self.then.months * steps)

    def facts(self) -> list[str]:
        out = [f"instrument={self.instrument}", f"verified={str(self.verified).lower()}"]
        if self.after.weeks is not None:
            out.append(f"review_after_weeks={self.after.weeks}")
        elif self.then is not None and self.then.months is not None:
            out.append(f"review_after_months={(self.after.months or 0) + self.then.months}")
        else:
            out.append(f"review_after_months={self.after.months}")
        if self.then is not None:
            out.append(f"repeat_every_months={self.then.months}")
        if self.note:
            out.append(f"note={self.note}")
        return out


def _slug(interval: Interval) -> str:
    return interval.text().replace(" ", "-")


def review_points(kb: Knowledge, condition: str) -> list[ReviewPoint]:
    """The guideline review points for ``condition`` (none: an empty list).

    Entries with the same ``targets.rule`` and ``review_after`` make one point citing each;
    improvement cut-offs for the same measure are quoted in its message and cited.
    """
    found = entries(kb, condition)
    groups: dict[tuple[str, str], list[Entry]] = {}
    for e in found:
        if e.targets.review_after is not None:
            groups.setdefault((e.targets.rule, e.targets.review_after.text()), []).append(e)
    points: list[ReviewPoint] = []
    for group in groups.values():
        head = group[0].targets
        assert head.review_after is not None  # grouped on it
        m = _label(head.instrument)
        names = "; ".join(e.targets.name for e in group)
        parts: list[str] = []
        cites = [e.citation for e in group]
        for e in group:
            t = e.targets
            if t.target is not None:
                parts.append("target " + _limit(t.target, m, t.unit))
            if t.acceptable is not None or t.acceptable_improvement_percent is not None:
                parts.append(f"acceptable {_acceptable_text(t)} from baseline")
            if t.criterion is not None:
                parts.append("response " + describe(_measure(t)))
        for e in found:
            t = e.targets
            if t.clinically_important_decrease is not None and t.instrument == head.instrument:
                parts.append(f"{_improvement_text(t)} ({t.name})")
                cites.append(e.citation)
        message = f"Assess the response {head.review_after.text()} after starting a new therapy"
        message += f" ({names})" + (": " + "; ".join(parts) if parts else "") + "."
        conditions = tuple(
            dict.fromkeys(c for e in group for c in kb.guidelines[e.guideline].conditions or ())
        )
        notes = " ".join(e.targets.review_note or "" for e in group).strip()
        first = ReviewPoint(
            f"{head.rule}-{_slug(head.review_after)}",
            conditions,
            head.instrument,
            message,
            head.review_after,
            None,
            notes,
            tuple(cites),
        )
        points.append(first)
        if head.then_every is not None:
            target = f": target {_limit(head.target, m, head.unit)}" if head.target else ""
            points.append(
                ReviewPoint(
                    f"{head.rule}-maintenance",
                    conditions,
                    head.instrument,
                    f"In maintenance, evaluate every {head.then_every.text()} ({head.name})"
                    f"{target}.",
                    head.review_after,
                    head.then_every,
                    head.then_every_note or "",
                    (group[0].citation,),
                )
            )
    return points


def _measure(t: ResponseTargets, instrument: str | None = None) -> ResponseMeasure:
    """The entry's criterion as a measure of one recorded instrument (default: the first)."""
    assert t.criterion is not None  # callers check
    return ResponseMeasure(
        instrument=instrument or MEASURES[t.instrument][0], criterion=t.criterion
    )


def _criterion_findings(
    kb: Knowledge, e: Entry, scores: Sequence[Scored], start: dt.date, as_of: dt.date
) -> list[Finding]:
    """A response criterion judged at the review point: provisional before it, then met, not
    met, or not judgeable (which score is missing); the recorded instrument with the latest
    score after the start judges."""
    t = e.targets
    assert t.review_after is not None and t.criterion is not None  # the schema requires both
    due = _due(start, t.review_after)
    facts = [f"assessed from {due.isoformat()}", f"criterion: {label(_measure(t))}"]
    when = f"{t.review_after.text()} after the start ({due.isoformat()})"
    if as_of < due:
        message = f"{t.name}: the response ({describe(_measure(t))}) is assessed {when}."
        return [
            _finding(kb, f"{t.rule}-{_slug(t.review_after)}", message, [e.citation], facts=facts)
        ]
    recorded = [s for s in scores if s.instrument in MEASURES[t.instrument] and s.date <= as_of]
    latest = max(recorded, key=lambda s: s.date).instrument if recorded else None
    m = measured(_measure(t, latest), scores, start, due, as_of)
    what = describe(m.measure)
    if m.met is None:
        message = f"{t.name}: the response {when} cannot be judged: {m.why} ({what})."
        return [
            _finding(
                kb,
                f"{t.rule}-needs-data",
                message,
                [e.citation],
                severity="warning",
                kind="missing-data",
                facts=facts,
            )
        ]
    o = m.outcome
    detail = shown(o)
    cites = [e.citation, *_outcome_citations(o.sources)]
    if m.met:
        name = label(m.measure)
        message = f"{t.name}: {name} met {when} ({detail})."
        return [_finding(kb, f"{t.rule}-met", message, cites, facts=[*facts, f"{name}: met"])]
    note = f" {t.review_note}" if t.review_note else ""
    message = f"{t.name}: {what} not met {when} ({detail}); adjust therapy.{note}"
    return [
        _finding(
            kb,
            f"{t.rule}-not-met",
            message,
            cites,
            severity="warning",
            facts=[*facts, f"{label(m.measure)}: not met"],
        )
    ]


def _outcome_citations(sources: Iterable[Any]) -> list[Citation]:
    return [Citation(doc=s["doc"], section=s["section"]) for s in sources]


def _finding(
    kb: Knowledge,
    rule: str,
    message: str,
    cites: Iterable[Citation],
    *,
    severity: Severity = "info",
    kind: FindingKind = "response",
    facts: Sequence[str] = (),
) -> Finding:
    return make(kb, RULE_PREFIX + rule, kind, severity, message, cites, facts)


def _first_point(points: Sequence[ReviewPoint], instrument: str) -> ReviewPoint | None:
    return next((p for p in points if p.instrument == instrument and p.then is None), None)


def _value_targets(
    kb: Knowledge, e: Entry, change: Change, early: ReviewPoint | None, start: dt.date | None
) -> list[Finding]:
    t, cite = e.targets, [e.citation]
    m, unit = _label(t.instrument), t.unit
    out: list[Finding] = []
    if early is not None and start is not None:
        due = early.first_due(start)
        out.append(
            _finding(
                kb,
                early.id,
                f"Before the {t.name} assessment point ({early.after.text()} after initiation,"
                f" {due.isoformat()}): the {m} below is provisional.",
                cite,
                facts=[f"due_from={due.isoformat()}"],
            )
        )
    now, pct, facts = change.current, change.percent, change.facts
    shown = f"{m} {fmt(now)}{unit}"
    target = _limit(t.target, m, unit) if t.target else ""
    accepted = t.acceptable is not None and _meets(t.acceptable, now)
    improved = t.acceptable_improvement_percent
    acceptable: bool | None
    if accepted or (pct is not None and improved is not None and _meets(improved, pct)):
        acceptable = True
    elif pct is None and improved is not None:
        acceptable = None  # above the acceptable value; the improvement cannot be assessed
    else:
        acceptable = False
    if t.target is not None and _meets(t.target, now):
        then = f"; in maintenance evaluate every {t.then_every.text()}" if t.then_every else ""
        out.append(
            _finding(
                kb,
                f"{t.rule}-target",
                f"{shown} meets the {t.name} target ({target}){then}.",
                cite,
                facts=facts,
            )
        )
    elif acceptable:
        out.append(
            _finding(
                kb,
                f"{t.rule}-acceptable",
                f"{shown} is an {t.name} acceptable response ({_acceptable_text(t)}) but above"
                f" the target {target}.",
                cite,
                facts=facts,
            )
        )
    elif acceptable is False:
        out.append(
            _finding(
                kb,
                f"{t.rule}-not-acceptable",
                f"{shown} is neither the {t.name} target ({target}) nor an acceptable response"
                f" ({_acceptable_text(t)} from baseline).",
                cite,
                severity="warning",
                facts=facts,
            )
        )
    else:
        reason = f"baseline {m} is 0" if change.baseline is not None else f"baseline {m} is missing"
        assert improved is not None  # acceptable is None only with an improvement criterion
        limit = f" and above {t.acceptable.limit}{unit}" if t.acceptable else ""
        out.append(
            _finding(
                kb,
                f"{t.rule}-baseline-needed",
                f"{shown} is above the {t.name} target{limit}; the"
                f" {_limit(improved, '', '%')} improvement criterion cannot be assessed"
                f" ({reason}).",
                cite,
                severity="warning",
                kind="missing-data",
                facts=facts,
            )
        )
    return out


def _decrease_targets(
    kb: Knowledge, e: Entry, change: Change, point: ReviewPoint | None, early: bool
) -> list[Finding]:
    t = e.targets
    assert t.clinically_important_decrease is not None and change.fall is not None
    m, fall = _label(t.instrument), change.fall
    cites = [*(point.citations if point else ()), e.citation]
    important = t.clinically_important_decrease
    if t.major_decrease is not None and _meets(t.major_decrease, fall):
        message = f"{m} fell by {fmt(fall)}: major improvement ({_limit(t.major_decrease, '')})."
        severity: Severity = "info"
    elif _meets(important, fall):
        message = (
            f"{m} fell by {fmt(fall)}: clinically important improvement ({_limit(important, '')})."
        )
        severity = "info"
    else:
        message = (
            f"{m} change {fmt(fall)} is below a clinically important improvement"
            f" ({_limit(important, '')})" + ("." if early else " at the response assessment.")
        )
        severity = "info" if early else "warning"
    return [_finding(kb, t.rule, message, cites, severity=severity, facts=change.facts)]


def treat_to_target(
    kb: Knowledge,
    condition: str,
    *,
    baseline: Any = None,
    current: Any = None,
    start: dt.date | None = None,
    as_of: dt.date | None = None,
    measure: str | None = None,
) -> list[Finding]:
    """Compare a follow-up value with the guideline numbers for ``condition``.

    ``baseline`` and ``current`` are values of ``measure`` (default: the first measure the
    condition's guidelines name): BSA percentages (baseline optional) or ASDAS values, Scores or
    inputs. With ``start`` and ``as_of`` an assessment before the review point is flagged as
    provisional. Conditions without numbers in the knowledge give an empty list. Invalid values
    raise ``InstrumentInputError``.
    """
    found = entries(kb, condition)
    measure = measure or next((e.targets.instrument for e in found), None)
    points = review_points(kb, condition)
    out: list[Finding] = []
    for e in found:
        t = e.targets
        if t.instrument != measure:
            continue
        point = _first_point(points, t.instrument)
        due = point.first_due(start) if point is not None and start is not None else None
        early = due is not None and as_of is not None and as_of < due
        if t.target is not None or t.acceptable is not None:
            change = _change(t.instrument, baseline, current)
            out += _value_targets(kb, e, change, point if early else None, start)
        elif t.clinically_important_decrease is not None:
            if early and point is not None and due is not None:
                out.append(
                    _finding(
                        kb,
                        point.id,
                        f"Response is assessed {point.after.text()} after the start"
                        f" ({due.isoformat()}); a change before then is provisional.",
                        point.citations,
                        facts=[f"due_from={due.isoformat()}", f"verified={point.verified}".lower()],
                    )
                )
            if baseline is None:
                raise InstrumentInputError("baseline", None, f"the baseline {_label(t.instrument)}")
            change = _change(t.instrument, baseline, current)
            out += _decrease_targets(kb, e, change, point, early)
    return out


def target_findings(
    kb: Knowledge, condition: str, scores: Iterable[Scored], start: dt.date, as_of: dt.date
) -> list[Finding]:
    """Treat-to-target findings from the dated scores: baseline and current as
    ``rules.outcome`` picks them (a value target needs only a current value)."""
    records = sorted((s for s in scores if s.date <= as_of), key=lambda s: s.date)
    out: list[Finding] = []
    for e in entries(kb, condition):
        if e.targets.criterion is not None:
            out += _criterion_findings(kb, e, records, start, as_of)
    for measure in dict.fromkeys(
        e.targets.instrument for e in entries(kb, condition) if e.targets.criterion is None
    ):
        needs_baseline = not any(
            e.targets.target or e.targets.acceptable
            for e in entries(kb, condition)
            if e.targets.instrument == measure
        )
        for instrument in MEASURES.get(measure, ()):
            points = [Point(r.date, r) for r in records if r.instrument == instrument]
            base, cur = pick(points, start)
            if cur is None or (needs_baseline and base is None):
                continue
            return out + treat_to_target(
                kb,
                condition,
                baseline=value_of(base.value) if base else None,
                current=value_of(cur.value),
                start=start,
                as_of=as_of,
                measure=measure,
            )
    return out
