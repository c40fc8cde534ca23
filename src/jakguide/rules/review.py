"""Label review points and trial endpoints, judged on the patient's dated scores.

A label's review point ("no evidence of therapeutic benefit after 24 weeks: consider stopping")
is raised from the therapy start. When the knowledge names the criterion the label's trials
judged benefit by (``ReviewPoint.measure``: EASI-75, SALT <= 20, the Mayo clinical response),
the review says whether a score on or after the review date meets it; otherwise it reports the
criteria any recorded response meets. A trial result whose endpoint maps to a recorded
criterion (``EfficacyResult.measure``) gives a checkpoint at the trial's week: met or not met
on the patient's scores, citing the trial. Endpoints are what the trials measured, not stopping
rules, and many treated patients in the trials did not reach them: a checkpoint is information
(met or not), and the label's review point carries the warning.

The judgement is ``rules.outcome``'s (the record page and the guide show the same); weeks,
criteria and sources come from the knowledge.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jakguide.dates import add_weeks
from jakguide.instruments.registry import RESPONSES as DEFINITIONS
from jakguide.instruments.spec import ResponseDoc
from jakguide.kb.schema import Citation, EfficacyResult, Monograph, RegionLabel, ResponseMeasure
from jakguide.kb.schema import ReviewPoint as LabelReviewPoint
from jakguide.model import Finding, FindingKind, Severity
from jakguide.rules.base import make
from jakguide.rules.context import Context
from jakguide.rules.outcome import RESPONSES, Outcome, Scored, judge

__all__ = [
    "Measured",
    "describe",
    "endpoint_findings",
    "label",
    "measured",
    "review_findings",
    "shown",
]

RULE_PREFIX = "response.review."


@dataclass(frozen=True)
class Measured:
    """A measure judged on ``due`` or later: the outcome, and why it is not judged (if so)."""

    measure: ResponseMeasure
    outcome: Outcome
    met: bool | None  # None: not judged (``why`` says why)
    why: str


def _doc(measure: ResponseMeasure) -> ResponseDoc:
    return DEFINITIONS[measure.response or RESPONSES[measure.instrument][0]].doc


def label(measure: ResponseMeasure) -> str:
    """How people write the measure's criterion (``"EASI-75"``), from its response definition."""
    return _doc(measure).label(measure.criterion)


def describe(measure: ResponseMeasure) -> str:
    """``"EASI-75 (percent improvement >= 75; EASI-50, EASI-75, EASI-90)"``: the criterion with
    its definition, as the instrument's response documentation words it."""
    doc = _doc(measure)
    text = dict(doc.criteria).get(measure.criterion, "").replace("_", " ")  # words, not keys
    return f"{label(measure)} ({text}; {doc.title})" if text else label(measure)


def measured(
    measure: ResponseMeasure, scores: Sequence[Scored], start: dt.date, due: dt.date, day: dt.date
) -> Measured:
    """Judge ``measure`` from the start to the latest score on or before ``day``; a current
    score dated before ``due`` does not judge the review point."""
    outcome = judge(
        measure.instrument,
        scores,
        start,
        day,
        response_name=measure.response,
        criteria=(measure.criterion,),
    )
    if outcome.state == "no-follow-up":
        return Measured(measure, outcome, None, f"no {measure.instrument} score after the start")
    if outcome.state == "no-baseline":
        why = f"no {measure.instrument} score on or before the start ({start})"
        return Measured(measure, outcome, None, why)
    if outcome.state == "unscorable":
        why = outcome.reason or f"the {measure.instrument} score has no value or scorable inputs"
        return Measured(measure, outcome, None, why)
    assert outcome.current is not None  # judged or not-evaluable
    if outcome.current.date < due:
        why = (
            f"the latest {measure.instrument} score ({outcome.current.date}) is before the"
            f" assessment date {due}"
        )
        return Measured(measure, outcome, None, why)
    met = outcome.criterion(measure.criterion)
    if outcome.state != "judged" or met is None:
        return Measured(measure, outcome, None, outcome.reason or "not evaluable")
    return Measured(measure, outcome, met, "")


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def shown(o: Outcome) -> str:
    """``"easi 24 (2026-01-02) -> 6.1 (2026-06-22)"``, in the units of the definition judged
    (an adapted Mayo response shows the adapted totals, not the full Mayo); a criterion of the
    current assessment alone (SALT <= 20) shows the current score."""
    assert o.current is not None  # judged
    r = o.results
    name = str(r.get("instrument") or o.instrument).upper()
    cur = r.get("current", o.current.value)
    if o.baseline is None:  # a criterion of the current assessment alone
        return f"{name} {_num(cur)} ({o.current.date}; no baseline needed)"
    base = r.get("baseline", o.baseline.value)
    return f"{name} {_num(base)} ({o.baseline.date}) -> {_num(cur)} ({o.current.date})"


def _detail(m: Measured) -> str:
    o = m.outcome
    names = dict(_doc(m.measure).shown_as)
    others = [
        names[k]
        for k, v in o.results.items()
        if v is True and k in names and k != m.measure.criterion
    ]  # other criteria of the same definition the patient meets (e.g. EASI-50)
    return shown(o) + (f"; met: {', '.join(others)}" if others else "")


def _finding(
    ctx: Context,
    rule: str,
    severity: Severity,
    message: str,
    cites: Sequence[Citation],
    facts: Sequence[str],
    kind: FindingKind = "response",
) -> Finding:
    return make(ctx.kb, RULE_PREFIX + rule, kind, severity, message, cites, facts)


def _measured_review(
    ctx: Context, rp: LabelReviewPoint, scores: Sequence[Scored], start: dt.date, due: dt.date
) -> Finding:
    measure = rp.measure
    assert measure is not None  # callers check
    cites = [rp.source, measure.source]
    what = describe(measure)
    name = label(measure)
    facts = [f"started {start}", f"week {rp.week} = {due}", f"measure: {name}"]
    if ctx.as_of < due:
        message = f"Review at week {rp.week} ({due}), judged by {what}: {rp.text}"
        return _finding(ctx, rp.id, "info", message, cites, facts)
    m = measured(measure, scores, start, due, ctx.as_of)
    if m.met is True:
        message = f"Review at week {rp.week} ({due}): {name} met ({_detail(m)}). {rp.text}"
        return _finding(ctx, rp.id, "info", message, cites, [*facts, f"{name}: met"])
    if m.met is False:
        message = f"Review due at week {rp.week} ({due}): {what} not met ({_detail(m)}). {rp.text}"
        return _finding(ctx, rp.id, "warning", message, cites, [*facts, f"{name}: not met"])
    message = f"Review due at week {rp.week} ({due}): {what} cannot be judged: {m.why}. {rp.text}"
    return _finding(ctx, rp.id, "warning", message, cites, facts, "missing-data")


def _plain_review(
    ctx: Context, rp: LabelReviewPoint, met: Sequence[str], start: dt.date, due: dt.date
) -> Finding:
    facts = [f"started {start}", f"week {rp.week} = {due}"]
    if ctx.as_of >= due and met:  # a review point that is met is information (issue 10)
        message = f"Review at week {rp.week} ({due}): response met ({'; '.join(met)}). {rp.text}"
        return _finding(ctx, rp.id, "info", message, [rp.source], [*facts, *met])
    if ctx.as_of >= due:
        message = f"Review due at week {rp.week} ({due}): {rp.text}"
        return _finding(ctx, rp.id, "warning", message, [rp.source], facts)
    message = f"Review at week {rp.week} ({due}): {rp.text}"
    return _finding(ctx, rp.id, "info", message, [rp.source], facts[:1])


def review_findings(
    ctx: Context, mono: Monograph, label: RegionLabel, condition: str | None
) -> list[Finding]:
    """The label's review points for ``condition`` and the trial endpoint checkpoints."""
    therapy = ctx.patient.therapy
    if therapy is None:
        return []
    start = therapy.start_date
    scores = [s for s in ctx.patient.scores or [] if s.date <= ctx.as_of]
    met = _responses_met(scores, start, ctx.as_of)
    out: list[Finding] = []
    for rp in label.review_points:
        if rp.conditions is not None and condition not in rp.conditions:
            continue
        due = add_weeks(start, rp.week)
        if rp.measure is not None:
            out.append(_measured_review(ctx, rp, scores, start, due))
        else:
            out.append(_plain_review(ctx, rp, met, start, due))
    if condition is not None:
        out += endpoint_findings(ctx, mono, condition, scores, start)
    return out


def _responses_met(scores: Sequence[Scored], start: dt.date, day: dt.date) -> list[str]:
    """The response criteria met on the latest scores after ``start`` (``rules.outcome``)."""
    met: list[str] = []
    for instrument in sorted({s.instrument for s in scores} & set(RESPONSES)):
        outcome = judge(instrument, scores, start, day)
        if outcome.state == "judged" and outcome.met and outcome.current is not None:
            met.append(f"{', '.join(outcome.met_labels)} on {outcome.current.date}")
    return met


def _endpoint_groups(
    mono: Monograph, condition: str
) -> dict[tuple[str, str, str, int], list[EfficacyResult]]:
    groups: dict[tuple[str, str, str, int], list[EfficacyResult]] = {}
    for e in mono.efficacy:
        if e.condition != condition or e.measure is None:
            continue
        m = e.measure
        key = (m.instrument, m.response or "", m.criterion, e.week)
        groups.setdefault(key, []).append(e)
    return groups


def endpoint_findings(
    ctx: Context, mono: Monograph, condition: str, scores: Sequence[Scored], start: dt.date
) -> list[Finding]:
    """One checkpoint per trial endpoint the record can show (trials with the same endpoint and
    week together), from the trial's week on; before it nothing is said (the review points and
    the response findings speak)."""
    out: list[Finding] = []
    for (_, _, criterion, week), group in _endpoint_groups(mono, condition).items():
        due = add_weeks(start, week)
        if ctx.as_of < due:
            continue
        measure = group[0].measure
        assert measure is not None  # grouped on it
        trials = ", ".join(dict.fromkeys(e.trial for e in group))
        cites = [e.source for e in group]
        rule = f"endpoint-{criterion.replace('_', '-')}-week-{week}"
        what, name = describe(measure), label(measure)
        facts = [f"started {start}", f"week {week} = {due}", f"endpoint: {name}"]
        m = measured(measure, scores, start, due, ctx.as_of)
        tail = "a trial endpoint, not a stopping rule: the label's review point governs."
        if m.met is True:
            message = (
                f"{name} met on the latest score ({_detail(m)}): the endpoint of {trials}"
                f" at week {week} ({due})."
            )
            out.append(_finding(ctx, rule, "info", message, cites, [*facts, f"{name}: met"]))
        elif m.met is False:
            message = (
                f"{what} not met on the latest score ({_detail(m)}); {trials} measured response"
                f" by it at week {week} ({due}): {tail}"
            )
            out.append(_finding(ctx, rule, "info", message, cites, [*facts, f"{name}: not met"]))
        else:
            message = (
                f"Week {week} ({due}) is the {trials} endpoint ({what}); it cannot be checked:"
                f" {m.why}."
            )
            out.append(_finding(ctx, rule, "info", message, cites, facts, "missing-data"))
    return out
