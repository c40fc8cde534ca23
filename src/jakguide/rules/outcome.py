"""One response judgement: which score is the baseline, which is current, which criteria are met.

Baseline = the last score on or before the start of the therapy; current = the latest score
after it; only scores on or before the day count. Without a start (no running therapy) the
first score is the baseline and the latest the current one. The criteria and their sources are
the instrument's published response definitions (``jakguide.instruments``).

Why one module: the engine's response findings, the record page's badges and the patient guide
all show this judgement; they call :func:`judge` (or :func:`judge_asas`) and only word the
result, so a page can never disagree with the assessment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import fmean
from typing import TYPE_CHECKING, Any, Literal, Protocol

from jakguide.instruments import InstrumentInputError, response, score

if TYPE_CHECKING:
    from jakguide.instruments.model import Response, SourceRef

__all__ = [
    "ASAS_DOMAINS",
    "RESPONSES",
    "Criterion",
    "Outcome",
    "Point",
    "Scored",
    "asas_visits",
    "judge",
    "judge_asas",
    "pick",
    "value_of",
]

# Instruments whose scores give a response: instrument -> (response name, the criteria a
# response reports, in the order they are shown).
RESPONSES: dict[str, tuple[str, tuple[str, ...]]] = {
    "pasi": ("pasi", ("pasi50", "pasi75", "pasi90", "pasi100")),
    "basdai": ("basdai", ("basdai50",)),
    "asdas-crp": ("asdas", ("clinically_important", "major")),
    "asdas-esr": ("asdas", ("clinically_important", "major")),
    "dapsa": ("dapsa", ("minor", "moderate", "major")),
    "das28-crp": ("das28", ("eular_moderate_or_good", "eular_good")),
    "das28-esr": ("das28", ("eular_moderate_or_good", "eular_good")),
    "easi": ("easi", ("easi50", "easi75", "easi90")),
    "salt": ("salt", ("salt_le_20",)),
    "hbi": ("hbi", ("response", "remission")),
}
ASAS_CRITERIA = ("asas20", "asas40", "partial_remission")
ASAS_DOMAINS = frozenset({"patient_global", "pain", "function", "inflammation"})

POINTS_FOR_A_CHANGE = 2  # a baseline and a follow-up, not a clinical number

State = Literal["judged", "no-follow-up", "no-baseline", "unscorable", "not-evaluable"]


class Scored(Protocol):
    """A dated score as the patient model and the store both hold it."""

    @property
    def instrument(self) -> str: ...
    @property
    def date(self) -> dt.date: ...
    @property
    def value(self) -> float | None: ...
    @property
    def inputs(self) -> Mapping[str, Any] | None: ...


@dataclass(frozen=True)
class Point:
    """One dated value (a score, or for ASAS a visit's four domains)."""

    date: dt.date
    value: Any


@dataclass(frozen=True)
class Criterion:
    """A published response criterion: met, not met, or ``None`` (not evaluable)."""

    name: str
    met: bool | None


@dataclass(frozen=True)
class Outcome:
    """The response of one instrument since the start.

    ``state`` says how far the judgement got: ``no-follow-up`` (no score after the start),
    ``no-baseline`` (none on or before it), ``unscorable`` (a chosen score has neither a value nor
    scorable inputs), ``not-evaluable`` (the instrument refused the values, or a criterion is
    undefined: ``reason`` says why), ``judged``. ``results`` is the instrument's response as a
    plain dict (percent improvement, delta, improvement level ...).
    """

    instrument: str
    response: str
    state: State
    baseline: Point | None = None
    current: Point | None = None
    criteria: tuple[Criterion, ...] = ()
    results: Mapping[str, Any] = field(default_factory=dict)
    reason: str = ""
    sources: tuple[SourceRef, ...] = ()

    @property
    def met(self) -> tuple[str, ...]:
        """Names of the criteria met, in the published order."""
        return tuple(c.name for c in self.criteria if c.met is True)

    def criterion(self, name: str) -> bool | None:
        """Whether ``name`` is met (``None``: not evaluable or not judged)."""
        return next((c.met for c in self.criteria if c.name == name), None)


def pick(points: Sequence[Point], start: dt.date | None) -> tuple[Point | None, Point | None]:
    """(baseline, current) from points sorted by date; see the module docstring."""
    if start is None:
        if len(points) < POINTS_FOR_A_CHANGE:
            return (points[0] if points else None), None
        return points[0], points[-1]
    before = [p for p in points if p.date <= start]
    after = [p for p in points if p.date > start]
    return (before[-1] if before else None), (after[-1] if after else None)


def value_of(record: Scored) -> float | None:
    """The recorded value, else the score of the recorded inputs (``None``: not scorable)."""
    if record.value is not None:
        return record.value
    try:
        return float(score(record.instrument, **dict(record.inputs or {})).value)
    except (InstrumentInputError, KeyError, TypeError, ValueError):
        return None


def _records(scores: Iterable[Scored], instrument: str, day: dt.date) -> list[Scored]:
    found = [s for s in scores if s.instrument == instrument and s.date <= day]
    return sorted(found, key=lambda s: s.date)


def _judged(
    instrument: str, name: str, criteria: Sequence[str], base: Point, cur: Point
) -> Outcome:
    try:
        result: Response = response(name, base.value, cur.value)
    except InstrumentInputError as exc:
        return Outcome(instrument, name, "not-evaluable", base, cur, reason=str(exc))
    data = result.to_dict()
    crits = tuple(Criterion(c, data.get(c)) for c in criteria)
    not_evaluable = data.get("not_evaluable") or {}
    return Outcome(
        instrument,
        name,
        "not-evaluable" if not_evaluable else "judged",
        base,
        cur,
        crits,
        data,
        "; ".join(map(str, not_evaluable.values())),
        result.sources,
    )


def judge(
    instrument: str, scores: Iterable[Scored], start: dt.date | None, day: dt.date
) -> Outcome:
    """The response of ``instrument`` (a key of :data:`RESPONSES`) on ``day``."""
    name, criteria = RESPONSES[instrument]
    records = _records(scores, instrument, day)
    dated = [Point(r.date, r) for r in records]
    base_rec, cur_rec = pick(dated, start)
    if cur_rec is None:
        return Outcome(instrument, name, "no-follow-up")
    if base_rec is None:
        return Outcome(instrument, name, "no-baseline")
    base_value, cur_value = value_of(base_rec.value), value_of(cur_rec.value)
    if base_value is None or cur_value is None:
        return Outcome(instrument, name, "unscorable")
    base, cur = Point(base_rec.date, base_value), Point(cur_rec.date, cur_value)
    return _judged(instrument, name, criteria, base, cur)


def asas_visits(scores: Iterable[Scored], day: dt.date) -> dict[dt.date, dict[str, float]]:
    """The four ASAS domains per visit date, from BASDAI and ASDAS entered with their items
    and BASFI (ASAS: patient global, spinal pain, BASFI, inflammation = mean of BASDAI
    questions 5 and 6); only visits with all four."""
    by_date: dict[dt.date, dict[str, float]] = {}
    for row in sorted(scores, key=lambda s: s.date):
        if row.date > day:
            continue
        inputs = row.inputs or {}
        d = by_date.setdefault(row.date, {})
        try:
            if row.instrument == "basdai" and {"q2", "q5", "q6"} <= set(inputs):
                d.setdefault("pain", float(inputs["q2"]))
                d["inflammation"] = fmean((float(inputs["q5"]), float(inputs["q6"])))
            elif row.instrument.startswith("asdas") and "patient_global" in inputs:
                d["patient_global"] = float(inputs["patient_global"])
                d["pain"] = float(inputs["back_pain"])
            elif row.instrument == "basfi" and row.value is not None:
                d["function"] = float(row.value)
        except (TypeError, ValueError, KeyError):
            continue
    return {k: v for k, v in by_date.items() if set(v) >= ASAS_DOMAINS}


def judge_asas(scores: Iterable[Scored], start: dt.date | None, day: dt.date) -> Outcome:
    """The ASAS response from the visits :func:`asas_visits` finds."""
    visits = asas_visits(scores, day)
    base, cur = pick([Point(d, visits[d]) for d in sorted(visits)], start)
    if cur is None:
        return Outcome("asas", "asas", "no-follow-up")
    if base is None:
        return Outcome("asas", "asas", "no-baseline")
    return _judged("asas", "asas", ASAS_CRITERIA, base, cur)
