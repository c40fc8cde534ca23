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
from dataclasses import dataclass, field, replace
from statistics import fmean
from typing import TYPE_CHECKING, Any, Literal, Protocol

from jakguide.instruments import InstrumentInputError, response, score

if TYPE_CHECKING:
    from jakguide.instruments.model import Response, SourceRef

__all__ = [
    "ASAS_DOMAINS",
    "BY_INPUTS",
    "CURRENT_ONLY",
    "HEADLINE",
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
    "mayo": ("mayo", ("clinical_response", "clinical_remission", "endoscopic_improvement")),
    "hecsi": ("hecsi", ("hecsi75", "hecsi90")),
    "f-vasi": ("f-vasi", ("f_vasi50", "f_vasi75", "f_vasi90")),
    "t-vasi": ("t-vasi", ("t_vasi50", "t_vasi75", "t_vasi90")),
    "niaid-os": ("niaid-os", ("recovered", "improved_1", "improved_2")),
}
# The criterion the record page and the guide word as "a good response" for the other
# conditions' instruments: the labels' trial endpoint where there is one (EASI-75, SALT <= 20,
# F-VASI75, HECSI-75, Mayo clinical response, ACTT recovery), else the instrument's response
# (EULAR moderate or good, HBI response). Other instruments: any published criterion met.
HEADLINE: dict[str, str] = {
    "das28-crp": "eular_moderate_or_good",
    "das28-esr": "eular_moderate_or_good",
    "easi": "easi75",
    "salt": "salt_le_20",
    "mayo": "clinical_response",
    "hbi": "response",
    "hecsi": "hecsi75",
    "f-vasi": "f_vasi75",
    "t-vasi": "t_vasi50",
    "niaid-os": "recovered",
}
# Criteria that read the current assessment alone (SALT <= 20, OCTAVE Mayo remission, HBI
# remission, ACTT recovery): judged without a baseline when only they are asked for.
CURRENT_ONLY: dict[str, frozenset[str]] = {
    "salt": frozenset({"salt_le_20"}),
    "mayo": frozenset({"clinical_remission", "endoscopic_improvement"}),
    "hbi": frozenset({"remission"}),
    "niaid-os": frozenset({"recovered"}),
}
# Responses defined on the subscores, not the total: judged from the recorded inputs, with the
# subscores each definition reads (a full Mayo record also carries the physician global).
BY_INPUTS: dict[str, tuple[str, ...]] = {
    "mayo": ("stool_frequency", "rectal_bleeding", "endoscopy", "physician_global"),
    "modified-mayo": ("stool_frequency", "rectal_bleeding", "endoscopy", "endoscopic_friability"),
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
    """A published response criterion: met, not met, or ``None`` (not evaluable); ``label`` is
    how people write it (the response definition's ``shown_as``)."""

    name: str
    met: bool | None
    label: str

    @property
    def shown(self) -> str:
        """ "EASI-75: met" / "not met" / "not evaluable"."""
        state = {True: "met", False: "not met", None: "not evaluable"}[self.met]
        return f"{self.label}: {state}"


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

    @property
    def met_labels(self) -> tuple[str, ...]:
        """Display names of the criteria met, in the published order."""
        return tuple(c.label for c in self.criteria if c.met is True)

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
    instrument: str,
    name: str,
    criteria: Sequence[str],
    base: Point,
    cur: Point,
    args: tuple[Any, Any] | None = None,
    only_criteria: bool = False,
) -> Outcome:
    """Judge ``base`` -> ``cur`` (or the response's own ``args``); with ``only_criteria`` a
    criterion outside ``criteria`` that is not evaluable does not make the outcome so."""
    try:
        result: Response = response(name, *(args or (base.value, cur.value)))
    except InstrumentInputError as exc:
        return Outcome(instrument, name, "not-evaluable", base, cur, reason=str(exc))
    data = result.to_dict()
    from jakguide.instruments.registry import get_response  # loaded with the response above

    doc = get_response(name).doc
    crits = tuple(Criterion(c, data.get(c), doc.label(c)) for c in criteria)
    not_evaluable = data.get("not_evaluable") or {}
    if only_criteria:
        not_evaluable = {k: v for k, v in not_evaluable.items() if k in criteria}
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


def _inputs(record: Scored, keys: tuple[str, ...]) -> dict[str, Any] | None:
    inputs = dict(record.inputs or {})
    return {k: v for k, v in inputs.items() if k in keys} or None


def judge(
    instrument: str,
    scores: Iterable[Scored],
    start: dt.date | None,
    day: dt.date,
    *,
    response_name: str | None = None,
    criteria: Sequence[str] | None = None,
) -> Outcome:
    """The response of ``instrument`` (a key of :data:`RESPONSES`) on ``day``.

    ``response_name`` and ``criteria`` choose another definition of the same instrument (a
    label's review point judged by its trial's definition, e.g. ``modified-mayo``); then only
    those criteria decide whether the outcome is evaluable.
    """
    default_name, default_criteria = RESPONSES[instrument]
    name = response_name or default_name
    chosen = tuple(criteria) if criteria is not None else default_criteria
    records = _records(scores, instrument, day)
    dated = [Point(r.date, r) for r in records]
    base_rec, cur_rec = pick(dated, start)
    if cur_rec is None:
        return Outcome(instrument, name, "no-follow-up")
    alone = (
        base_rec is None and criteria is not None and set(chosen) <= CURRENT_ONLY.get(name, set())
    )
    if base_rec is None and not alone:
        return Outcome(instrument, name, "no-baseline")
    if base_rec is None:  # the criteria read the current assessment alone
        base_rec = cur_rec
    base_value, cur_value = value_of(base_rec.value), value_of(cur_rec.value)
    args: tuple[Any, Any] | None = None
    if name in BY_INPUTS:
        pair = (_inputs(base_rec.value, BY_INPUTS[name]), _inputs(cur_rec.value, BY_INPUTS[name]))
        if pair[0] is None or pair[1] is None:
            return Outcome(instrument, name, "unscorable", reason="the subscores are needed")
        args = (pair[0], pair[1])
    if base_value is None or cur_value is None:
        return Outcome(instrument, name, "unscorable")
    base, cur = Point(base_rec.date, base_value), Point(cur_rec.date, cur_value)
    found = _judged(instrument, name, chosen, base, cur, args, criteria is not None)
    if alone:  # no baseline was recorded: say so rather than compare the score with itself
        return replace(found, baseline=None, results={"current": found.results.get("current")})
    return found


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
