"""Review points and treatment response for a patient on therapy.

Label review points (e.g. "no benefit after 24 weeks: consider stopping") are raised as
"review due at week N" findings from the therapy start date; they come from the knowledge base.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from jakguide.dates import add_weeks
from jakguide.instruments import response, score
from jakguide.instruments.errors import InstrumentInputError
from jakguide.instruments.targets import treat_to_target
from jakguide.kb.schema import Monograph, RegionLabel
from jakguide.model import Finding, ScoreRecord, SourceRef
from jakguide.rules.base import make
from jakguide.rules.context import Context


def review_findings(
    ctx: Context, mono: Monograph, label: RegionLabel, condition: str | None
) -> list[Finding]:
    therapy = ctx.patient.therapy
    if therapy is None:
        return []
    out: list[Finding] = []
    for rp in label.review_points:
        if rp.conditions is not None and condition not in rp.conditions:
            continue
        due = add_weeks(therapy.start_date, rp.week)
        if ctx.as_of >= due:
            out.append(
                make(
                    ctx.kb,
                    f"response.review.{rp.id}",
                    "response",
                    "warning",
                    f"Review due at week {rp.week} ({due}): {rp.text}",
                    [rp.source],
                    [f"started {therapy.start_date}", f"week {rp.week} = {due}"],
                )
            )
        else:
            out.append(
                make(
                    ctx.kb,
                    f"response.review.{rp.id}",
                    "response",
                    "info",
                    f"Review at week {rp.week} ({due}): {rp.text}",
                    [rp.source],
                    [f"started {therapy.start_date}"],
                )
            )
    return out


# Instruments whose scores give a response (instrument id -> response name), and the criteria a
# response reports, in the order they are shown.
RESPONSES: dict[str, tuple[str, tuple[str, ...]]] = {
    "pasi": ("pasi", ("pasi50", "pasi75", "pasi90", "pasi100")),
    "basdai": ("basdai", ("basdai50",)),
    "asdas-crp": ("asdas", ("clinically_important", "major")),
    "asdas-esr": ("asdas", ("clinically_important", "major")),
    "dapsa": ("dapsa", ("minor", "moderate", "major")),
}


def _score_value(record: ScoreRecord) -> float | None:
    if record.value is not None:
        return record.value
    try:
        return float(score(record.instrument, **(record.inputs or {})).value)
    except (InstrumentInputError, KeyError, TypeError, ValueError):
        return None


def _refs(sources: Iterable[Mapping[str, Any]]) -> list[SourceRef]:
    return [
        SourceRef(doc=str(s["doc"]), section=str(s["section"]), title=s.get("title"))
        for s in sources
    ]


def response_findings(ctx: Context, condition: str) -> list[Finding]:
    """Response from dated scores: baseline = latest on or before the start, current = latest
    after it; plus the published treat-to-target checks for the condition."""
    therapy = ctx.patient.therapy
    if therapy is None:
        return []
    start = therapy.start_date
    out: list[Finding] = []
    by_instrument: dict[str, list[ScoreRecord]] = {}
    for record in ctx.patient.scores or []:
        if record.date <= ctx.as_of:
            by_instrument.setdefault(record.instrument, []).append(record)
    for instrument, records in sorted(by_instrument.items()):
        if instrument not in RESPONSES:
            continue
        records.sort(key=lambda r: r.date)
        before = [r for r in records if r.date <= start]
        after = [r for r in records if r.date > start]
        if not after:
            continue
        if not before:
            out.append(
                Finding(
                    rule=f"response.{instrument}",
                    kind="missing-data",
                    severity="info",
                    message=f"No {instrument} score on or before the start ({start}); "
                    "response cannot be judged.",
                )
            )
            continue
        base, cur = _score_value(before[-1]), _score_value(after[-1])
        if base is None or cur is None:
            continue
        name, criteria = RESPONSES[instrument]
        result = response(name, base, cur).to_dict()
        met = [c for c in criteria if result.get(c) is True]
        not_evaluable = result.get("not_evaluable") or {}
        detail = f"{instrument} {base:g} ({before[-1].date}) -> {cur:g} ({after[-1].date})"
        if not_evaluable:
            message = f"Response not evaluable: {'; '.join(map(str, not_evaluable.values()))}"
        elif met:
            message = f"Response: {', '.join(met)} met ({detail})."
        else:
            message = f"Response: none of {', '.join(criteria)} met ({detail})."
        out.append(
            Finding(
                rule=f"response.{instrument}",
                kind="response",
                severity="info" if met else "warning",
                message=message,
                facts=[detail, *(f"{c}={result.get(c)}" for c in criteria)],
                sources=_refs(result.get("sources", [])),
            )
        )
    latest = {i: sorted(rs, key=lambda r: r.date) for i, rs in by_instrument.items()}
    targets: list[dict[str, Any]] = []
    if "bsa" in latest:
        bsa = [r for r in latest["bsa"] if r.date > start]
        base_recs = [r for r in latest["bsa"] if r.date <= start]
        if bsa:
            targets = treat_to_target(
                condition,
                baseline=_score_value(base_recs[-1]) if base_recs else None,
                current=_score_value(bsa[-1]),
                start=start,
                as_of=ctx.as_of,
            )
    elif "asdas-crp" in latest or "asdas-esr" in latest:
        recs = latest.get("asdas-crp") or latest["asdas-esr"]
        before_recs = [r for r in recs if r.date <= start]
        after_recs = [r for r in recs if r.date > start]
        if before_recs and after_recs:
            targets = treat_to_target(
                condition,
                baseline=_score_value(before_recs[-1]),
                current=_score_value(after_recs[-1]),
                start=start,
                as_of=ctx.as_of,
            )
    for t in targets:
        out.append(
            Finding(
                rule=f"response.target.{str(t['rule']).rsplit('.', 1)[-1]}",
                kind="response",
                severity=t.get("severity", "info"),
                message=str(t["message"]),
                facts=[str(f) for f in t.get("facts", [])],
                sources=_refs(t.get("sources", [])),
            )
        )
    return out
