"""Treatment response for a patient on therapy.

Label review points and trial endpoints are ``rules.review``'s. The response itself is judged
once, in ``rules.outcome`` (the record page and the guide show the same judgement); the
guideline targets are checked by ``rules.targets``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from jakguide.model import Finding, SourceRef
from jakguide.rules.context import Context
from jakguide.rules.outcome import RESPONSES, Outcome, judge
from jakguide.rules.targets import target_findings

if TYPE_CHECKING:
    from jakguide.instruments.model import SourceRef as InstrumentSource


def _refs(sources: Iterable[InstrumentSource]) -> list[SourceRef]:
    return [SourceRef(doc=s["doc"], section=s["section"], title=s["title"]) for s in sources]


def outcome_finding(outcome: Outcome, start: dt.date) -> Finding | None:
    """The engine's wording of one judged response (``None``: nothing to say yet)."""
    instrument = outcome.instrument
    if outcome.state == "no-baseline":
        return Finding(
            rule=f"response.{instrument}",
            kind="missing-data",
            severity="info",
            message=f"No {instrument} score on or before the start ({start}); "
            "response cannot be judged.",
        )
    base, cur = outcome.baseline, outcome.current
    if outcome.state not in ("judged", "not-evaluable") or base is None or cur is None:
        return None
    if not outcome.criteria:  # the instrument refused the values: nothing judged
        return None
    names = [c.label for c in outcome.criteria]
    met = outcome.met_labels
    detail = f"{instrument.upper()} {base.value:g} ({base.date}) -> {cur.value:g} ({cur.date})"
    if outcome.state == "not-evaluable":
        message = f"Response not evaluable: {outcome.reason}"
    elif met:
        message = f"Response: {', '.join(met)} met ({detail})."
    else:
        message = f"Response: none of {', '.join(names)} met ({detail})."
    return Finding(
        rule=f"response.{instrument}",
        kind="response",
        severity="info" if met else "warning",
        message=message,
        facts=[detail, *(c.shown for c in outcome.criteria)],
        sources=_refs(outcome.sources),
    )


def response_findings(ctx: Context, condition: str) -> list[Finding]:
    """Response from dated scores (``rules.outcome``: baseline = latest on or before the start,
    current = latest after it); plus the guideline treat-to-target checks for the condition."""
    therapy = ctx.patient.therapy
    if therapy is None:
        return []
    start = therapy.start_date
    scores = [s for s in ctx.patient.scores or [] if s.date <= ctx.as_of]
    out: list[Finding] = []
    for instrument in sorted({s.instrument for s in scores} & set(RESPONSES)):
        found = outcome_finding(judge(instrument, scores, start, ctx.as_of), start)
        if found is not None:
            out.append(found)
    out += target_findings(ctx.kb, condition, scores, start, ctx.as_of)
    return out
