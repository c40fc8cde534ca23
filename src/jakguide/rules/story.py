"""One story per record: what a result, a vaccine or a screening item means on the timeline.

- A first abnormal result whose label action needs a confirmed or persistent result gets a
  confirmatory recheck in the monitoring plan (``lab-recheck-window``; policy 21).
- Liver enzymes above the guideline's multiple of the upper limit give an "evaluate for
  drug-induced liver injury" finding and a recheck entry (``dili-evaluation``; policy 22).
- A live vaccine is dated against the therapy start, or ``as_of`` when no start is recorded
  (``live-vaccines-lead-time``; policy 20).
- A patient on therapy sees on-therapy screening: a pre-treatment item with no result is
  "not documented before start: test now"; TB is repeated at the guideline's interval
  (``tb-screening-on-therapy``; policy 23).

Every number is read from ``guidelines.yaml`` (``timing``); a missing guideline switches its
part off rather than inventing a value.
"""

from __future__ import annotations

import datetime as dt

from jakguide.dates import add_months, add_weeks
from jakguide.kb.schema import Monograph, RegionLabel
from jakguide.kb.schema_guidelines import Interval
from jakguide.model import Finding, MonitoringOut, Screening, ScreeningOut, SourceRef
from jakguide.rules.base import make, source_ref
from jakguide.rules.context import Context, OptionContext
from jakguide.rules.dili import DILI, dili_trigger, timing
from jakguide.rules.labs import evaluate_series

RECHECK = "lab-recheck-window"
LIVE_VACCINES = "live-vaccines-lead-time"
TB_ON_THERAPY = "tb-screening-on-therapy"
RECHECK_PREFIX = "Recheck within"
# Screening items that record a test result (the rest record something given or advised).
TEST_ITEMS = frozenset({"tb", "hbsag", "anti-hbc", "hbv-dna", "hcv", "hiv"})


def after(day: dt.date, interval: Interval) -> dt.date:
    if interval.weeks is not None:
        return add_weeks(day, interval.weeks)
    assert interval.months is not None
    return add_months(day, interval.months)


def started(ctx: Context) -> dt.date | None:
    """The start of the current therapy when it is on or before ``as_of``."""
    t = ctx.patient.therapy
    return t.start_date if t is not None and t.start_date <= ctx.as_of else None


# -- confirmatory rechecks ------------------------------------------------------------------


def recheck_entries(
    ctx: Context, mono: Monograph, label: RegionLabel, condition: str | None
) -> list[MonitoringOut]:
    """A monitoring entry for each analyte whose latest result is a first abnormal result that
    the label wants confirmed, and for liver enzymes above the DILI trigger."""
    window = timing(ctx, RECHECK)
    if window is None or window[0].recheck_within_days is None:
        return []
    days = window[0].recheck_within_days
    rules = {r.id: r for r in label.labs}
    latest: dict[str, tuple[dt.date, str, str, list[SourceRef]]] = {}
    for ev in evaluate_series(ctx, mono, label, condition):
        if ev.action != "recheck" or ev.rule is None:
            latest.pop(ev.analyte, None)
            continue
        rule = rules.get(ev.rule)
        name = ctx.kb.analytes[ev.analyte].name
        value = f"{ev.value_entered:g} {ev.unit_entered}"
        if rule is not None and rule.requires is not None:
            why = (
                f"Confirm the first abnormal {name} result ({value}, {ev.date}): the label's "
                f"action needs a {rule.requires} result. {rule.text}"
            )
        else:
            why = f"{name} {value} ({ev.date}): {ev.message}"
        latest[ev.analyte] = (ev.date, why, ev.rule, ev.sources)
    out: list[MonitoringOut] = []
    policy = source_ref(ctx.kb, window[1])
    for analyte, (day, why, _, refs) in sorted(latest.items()):
        if ctx.latest(analyte) is None or ctx.latest(analyte).date != day:  # type: ignore[union-attr]
            continue
        due_by = day + dt.timedelta(days=days)
        out.append(
            MonitoringOut(
                analyte=analyte,
                drug=mono.id,
                due_from=day,
                due_by=due_by,
                status="overdue" if ctx.as_of > due_by else "due",
                why=f"{RECHECK_PREFIX} {days} days. {why}",
                sources=[*refs, policy],
            )
        )
    return out


def rechecks(
    ctx: Context,
    mono: Monograph,
    label: RegionLabel,
    conditions: list[str] | None,
    plan: list[MonitoringOut],
) -> list[MonitoringOut]:
    """The plan, then the confirmatory and DILI rechecks (after it, so that the plan keeps the
    label's order that the guide reads; ``is_recheck`` tells them apart)."""
    condition = next(
        (c for c in conditions or [] if any(i.condition == c for i in label.indications)), None
    )
    extra = recheck_entries(ctx, mono, label, condition) + dili_entries(ctx, mono.id)
    return plan + extra


def is_recheck(entry: MonitoringOut) -> bool:
    return entry.why.startswith(RECHECK_PREFIX)


# -- liver enzymes --------------------------------------------------------------------------


def dili_findings(ctx: Context, opt: OptionContext) -> list[Finding]:
    """Evaluate-for-DILI findings from the latest ALT and AST."""
    found = timing(ctx, DILI)
    if found is None or found[0].upper_limits is None:
        return []
    out: list[Finding] = []
    for analyte in sorted(found[0].upper_limits):
        point = ctx.latest(analyte)
        if point is None:
            continue
        hit = dili_trigger(ctx, point)
        if hit is None:
            continue
        label_rules = [r.source for r in opt.label.labs if r.analyte == analyte]
        label_rules += [m.source for m in opt.label.monitoring if m.analyte == analyte]
        out.append(
            make(
                ctx.kb,
                "dili-evaluation",
                "lab",
                "warning",
                hit[0],
                [found[1], *label_rules[:1]],
                [f"{analyte} {point.value} {point.unit} ({point.date})"],
            )
        )
    return out


def dili_entries(ctx: Context, drug: str | None) -> list[MonitoringOut]:
    """A recheck entry for each liver enzyme whose latest result is above the DILI trigger."""
    window = timing(ctx, RECHECK)
    found = timing(ctx, DILI)
    if window is None or window[0].recheck_within_days is None or found is None:
        return []
    out = []
    for analyte in sorted(found[0].upper_limits or {}):
        point = ctx.latest(analyte)
        hit = dili_trigger(ctx, point) if point is not None else None
        if point is None or hit is None:
            continue
        due_by = point.date + dt.timedelta(days=window[0].recheck_within_days)
        out.append(
            MonitoringOut(
                analyte=analyte,
                drug=drug,
                due_from=point.date,
                due_by=due_by,
                status="overdue" if ctx.as_of > due_by else "due",
                why=f"{RECHECK_PREFIX} {window[0].recheck_within_days} days. {hit[0]}",
                sources=[*hit[1], source_ref(ctx.kb, window[1])],
            )
        )
    return out


# -- vaccines and screening against the start -----------------------------------------------


def live_vaccine_status(
    ctx: Context, result: Screening, text: str, refs: list[SourceRef]
) -> ScreeningOut | None:
    """A live vaccine recorded closer to the start (or ``as_of``) than the lead time."""
    found = timing(ctx, LIVE_VACCINES)
    if found is None or found[0].before_start is None or result.date is None:
        return None
    anchor = started(ctx) or ctx.as_of
    what = "the start" if started(ctx) else "today (no start recorded)"
    lead = found[0].before_start
    if after(result.date, lead) <= anchor and result.date <= anchor:
        return None
    gap = (anchor - result.date).days
    when = f"{gap} days before {what}" if gap >= 0 else f"{-gap} days after {what}"
    return ScreeningOut(
        item="live-vaccines",
        status="action-needed",
        detail=f"Live vaccine on {result.date}, {when} ({anchor}); a live vaccine counts as "
        f"given before treatment only {lead.text()} or more before the start. {text}",
        sources=[*refs, source_ref(ctx.kb, found[1])],
    )


def on_therapy_status(
    ctx: Context, item: str, result: Screening | None, text: str, refs: list[SourceRef]
) -> ScreeningOut | None:
    """On therapy: a missing pre-treatment item is action-needed; TB is repeated periodically."""
    start = started(ctx)
    if start is None:
        return None
    if result is None or result.result == "unknown":
        verb = "test now" if item in TEST_ITEMS else "check and record now"
        return ScreeningOut(
            item=item,
            status="action-needed",
            detail=f"Not documented before the start ({start}): {verb}. {text}",
            sources=refs,
        )
    found = timing(ctx, TB_ON_THERAPY)
    if item != "tb" or found is None or found[0].repeat_every is None or result.date is None:
        return None
    if result.result not in ("negative", "done", "ltbi-treated"):
        return None
    due_by = after(result.date, found[0].repeat_every)
    refs = [*refs, source_ref(ctx.kb, found[1])]
    repeat = f"repeat every {found[0].repeat_every.text()} during therapy"
    if ctx.as_of >= due_by:
        return ScreeningOut(
            item=item,
            status="due",
            detail=f"On therapy since {start}: last TB test {result.result} ({result.date}); "
            f"{repeat}, due by {due_by}. {text}",
            sources=refs,
        )
    return ScreeningOut(
        item=item,
        status="done",
        detail=f"{result.result} ({result.date}); {repeat}, next by {due_by}. {text}",
        sources=refs,
    )
