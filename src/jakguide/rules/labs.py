"""Lab thresholds: initiation ("do not start") and on-therapy actions.

A label rule's threshold is compared in the analyte's canonical unit with exact decimals. For rules
that the label qualifies ("confirmed by repeat testing", "persistent"), the first abnormal result
gets the rule's ``first_action``; the qualified action needs two consecutive abnormal results on
different dates with no normal result between them (DESIGN; docs/policies.md for "persistent").
"""

from __future__ import annotations

import datetime as dt

from jakguide.kb.schema import Citation, LabRule, Monograph, RegionLabel
from jakguide.model import Finding, LabActionOut, LabEvaluation, Status
from jakguide.rules.base import make, source_ref, unverified
from jakguide.rules.context import Context, LabPoint, OptionContext
from jakguide.rules.dili import dili_trigger
from jakguide.units import threshold_in_canonical

ACTION_RANK: dict[str, int] = {
    "continue": 0,
    "recheck": 1,
    "do-not-start": 2,
    "interrupt": 3,
    "discontinue": 4,
}
# Actions that stop the drug: the option is not recommended and the finding is critical.
STOP_ACTIONS: tuple[LabActionOut, ...] = ("interrupt", "discontinue")
# A qualified rule's action on a first abnormal result when the label names none.
UNCONFIRMED_ACTION: LabActionOut = "recheck"
# Before the start, any crossed threshold means the drug is not started.
BEFORE_START_ACTION: LabActionOut = "do-not-start"
# What a same-day disagreement cites (docs/policies.md).
SAME_DAY_CITATION = Citation(doc="jakguide-policy", section="Same-day results (docs/policies.md)")


def rule_applies(rule: LabRule, condition: str | None) -> bool:
    return rule.conditions is None or condition is None or condition in rule.conditions


def is_abnormal(ctx: Context, rule: LabRule, point: LabPoint, baseline: LabPoint | None) -> bool:
    kb = ctx.kb
    t = threshold_in_canonical(kb, rule.analyte, rule.value, rule.unit)
    v = point.value
    if rule.comparator == "lt":
        return v < t
    if rule.comparator == "lte":
        return v <= t
    if rule.comparator == "gt":
        return v > t
    if rule.comparator == "gte":
        return v >= t
    if rule.comparator == "between":
        assert rule.upper is not None
        upper = threshold_in_canonical(kb, rule.analyte, rule.upper, rule.unit)
        return t <= v <= upper
    if rule.comparator == "drop-gt":
        return baseline is not None and (baseline.value - v) > t
    raise AssertionError(rule.comparator)  # pragma: no cover - schema restricts comparators


def describe(rule: LabRule) -> str:
    sym = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">=", "drop-gt": "fall >"}.get(
        rule.comparator, ""
    )
    if rule.comparator == "between":
        return f"{rule.value:g}-{rule.upper:g} {rule.unit}"
    return f"{sym} {rule.value:g} {rule.unit}"


def initiation_rules(label: RegionLabel, condition: str | None) -> list[LabRule]:
    return [
        r for r in label.labs if r.context in ("initiation", "both") and rule_applies(r, condition)
    ]


def on_therapy_rules(label: RegionLabel, condition: str | None) -> list[LabRule]:
    return [
        r for r in label.labs if r.context in ("on-therapy", "both") and rule_applies(r, condition)
    ]


def check_labs(ctx: Context, opt: OptionContext) -> list[Finding]:
    """On therapy: the on-therapy rules; before it: the initiation rules."""
    _ = ctx.labs  # settles same-day results first
    if opt.on_therapy:
        findings = on_therapy_findings(ctx, opt.mono, opt.label, opt.condition)
    else:
        findings = check_initiation_labs(ctx, opt.drug, opt.label, opt.condition)
    return same_day_findings(ctx, opt.label) + findings


def same_day_findings(ctx: Context, label: RegionLabel) -> list[Finding]:
    """Results of one analyte that disagree on one day: say which value the rules used."""
    read = {rule.analyte for rule in label.labs}
    return [
        make(
            ctx.kb,
            "labs.same-day",
            "lab",
            "warning",
            f"Two different {analyte} results on {day} (not timed): the rules use the worse "
            "value, never the better; confirm which is right."
            if point is not None
            else f"Two different {analyte} results on {day} (not timed): confirm which is right.",
            [SAME_DAY_CITATION],
            [fact],
        )
        for analyte, day, fact, point in ctx.same_day
        if analyte in read
    ]


def check_initiation_labs(
    ctx: Context, drug: str, label: RegionLabel, condition: str
) -> list[Finding]:
    """Before the first dose: each initiation analyte must be on record and not past its limit."""
    kb = ctx.kb
    rules = initiation_rules(label, condition)
    findings: list[Finding] = []
    missing: dict[str, list[LabRule]] = {}
    for rule in rules:
        point = ctx.latest(rule.analyte)
        if point is None:
            missing.setdefault(rule.analyte, []).append(rule)
            continue
        if is_abnormal(ctx, rule, point, None):
            findings.append(
                make(
                    kb,
                    f"labs.{rule.id}",
                    "lab",
                    "warning",
                    f"{rule.text} ({kb.analytes[rule.analyte].name} "
                    f"{_fmt(point)} on {point.date}).",
                    [rule.source],
                    [
                        f"{rule.analyte} {point.value} {point.unit} ({point.date}); "
                        f"threshold {describe(rule)}"
                    ],
                    status="not-recommended",
                )
            )
            if not rule.source.verified:
                findings.append(unverified(kb, f"labs.{rule.id}", rule.text, rule.source))
    if missing:
        names = [kb.analytes[a].name for a in missing]
        findings.append(
            make(
                kb,
                "labs.initiation.missing",
                "missing-data",
                "warning",
                f"Labs needed before starting {drug} are not on record: {', '.join(names)}.",
                [r.source for rs in missing.values() for r in rs],
                status="needs-data",
            )
        )
    return findings


def _fmt(point: LabPoint) -> str:
    if point.unit_entered != point.unit:
        return (
            f"{point.value_entered} {point.unit_entered} = {point.value.normalize():f} {point.unit}"
        )
    return f"{point.value_entered} {point.unit_entered}"


def evaluate_point(
    ctx: Context,
    rules: list[LabRule],
    series: list[LabPoint],
    i: int,
    baseline: LabPoint | None,
) -> tuple[LabActionOut, LabRule | None]:
    """The action for ``series[i]`` under ``rules`` (worst applicable action wins)."""
    point = series[i]
    best: tuple[LabActionOut, LabRule | None] = ("continue", None)
    for rule in rules:
        if rule.analyte != point.analyte or not is_abnormal(ctx, rule, point, baseline):
            continue
        action: LabActionOut = rule.action
        if rule.requires is not None and not _confirmed(ctx, rule, series, i, baseline):
            action = rule.first_action or UNCONFIRMED_ACTION
        if ACTION_RANK[action] > ACTION_RANK[best[0]]:
            best = (action, rule)
    return best


def _confirmed(
    ctx: Context, rule: LabRule, series: list[LabPoint], i: int, baseline: LabPoint | None
) -> bool:
    """An earlier abnormal result on another date, with no normal result in between."""
    day = series[i].date
    for j in range(i - 1, -1, -1):
        if not is_abnormal(ctx, rule, series[j], baseline):
            return False
        if series[j].date != day:
            return True
    return False


def _series_baseline(series: list[LabPoint], start: dt.date | None) -> LabPoint | None:
    if not series:
        return None
    if start is not None:
        before = [p for p in series if p.date <= start]
        if before:
            return before[-1]
    return series[0]


def on_therapy_findings(
    ctx: Context, mono: Monograph, label: RegionLabel, condition: str | None
) -> list[Finding]:
    """On therapy: labs the label acts on that are not on record, and the action the latest
    result of each analyte calls for."""
    report = evaluate_series(ctx, mono, label, condition)
    out: list[Finding] = []
    rules = on_therapy_rules(label, condition)
    unmeasured = sorted({r.analyte for r in rules if r.analyte not in ctx.labs})
    if unmeasured:
        names = [ctx.kb.analytes[a].name for a in unmeasured]
        out.append(
            make(
                ctx.kb,
                "labs.on-therapy.missing",
                "missing-data",
                "warning",
                f"No result on record for labs the label acts on during treatment: "
                f"{', '.join(names)}.",
                [r.source for r in rules if r.analyte in unmeasured],
                status="needs-data",
            )
        )
    for r in report:
        if r.action == "continue" or r.rule is None:
            continue
        latest = ctx.latest(r.analyte)
        if latest is None or latest.date != r.date:
            continue  # only the latest result of each analyte drives the option
        rule = next(x for x in label.labs if x.id == r.rule)
        status: Status | None = "not-recommended" if r.action in STOP_ACTIONS else None
        out.append(
            make(
                ctx.kb,
                f"labs.{rule.id}",
                "lab",
                "critical" if status else "warning",
                r.message,
                [rule.source],
                [f"{r.analyte} {r.value} {r.unit} ({r.date}): {r.action}"],
                status=status,
            )
        )
    return out


def evaluate_series(
    ctx: Context, mono: Monograph, label: RegionLabel, condition: str | None
) -> list[LabEvaluation]:
    """Every result of every analyte the label names, with the action the label gives it:
    initiation rules before the start (a crossed threshold means do not start), on-therapy
    rules after it (a fall is measured from the last result on or before the start)."""
    kb = ctx.kb
    on_therapy = ctx.on_therapy(mono.id)
    start = ctx.patient.therapy.start_date if on_therapy and ctx.patient.therapy else None
    on_rules = on_therapy_rules(label, condition)
    init_rules = [r for r in initiation_rules(label, condition)]
    analytes = {r.analyte for r in label.labs} | {m.analyte for m in label.monitoring}
    results: list[LabEvaluation] = []
    for analyte in sorted(analytes):
        series = ctx.labs.get(analyte, [])
        baseline = _series_baseline(series, start)
        for i, point in enumerate(series):
            in_therapy = start is not None and point.date > start
            rules = on_rules if in_therapy else init_rules
            action, rule = evaluate_point(ctx, rules, series, i, baseline if in_therapy else None)
            if rule is not None and not in_therapy and action not in ("continue",):
                action = BEFORE_START_ACTION
            sources = [source_ref(kb, rule.source)] if rule else []
            if rule is None:
                message = "No label threshold crossed."
                dili = dili_trigger(ctx, point)
                if dili is not None:  # a guideline trigger the labels leave open (policy 22)
                    action, message, sources = "recheck", dili[0], dili[1]
            else:
                message = f"{rule.text} (threshold {describe(rule)})."
                if rule.requires and action == (rule.first_action or UNCONFIRMED_ACTION):
                    message += (
                        " First abnormal result; the label's action needs a "
                        f"{rule.requires} result."
                    )
                if rule.until and action in ("interrupt",):
                    message += f" Until: {rule.until}."
            results.append(
                LabEvaluation(
                    analyte=analyte,
                    value=float(point.value),
                    unit=point.unit,
                    value_entered=float(point.value_entered),
                    unit_entered=point.unit_entered,
                    date=point.date,
                    action=action,
                    rule=rule.id if rule else None,
                    message=message,
                    sources=sources,
                )
            )
    results.sort(key=lambda r: (r.date, r.analyte))
    return results
