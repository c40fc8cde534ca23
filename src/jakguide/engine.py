"""The assessment: ``assess(patient, request, knowledge) -> Assessment``. Pure; no I/O.

For every agent marketed in the region it checks the indication (population, prerequisites,
disease requirements), contraindications, the boxed warning and EU risk groups, interactions and
dose adjustments, initiation labs (or on-therapy labs for the current agent), screening results,
pregnancy, and review points; the option's status is the worst that applies (DESIGN).
"""

from __future__ import annotations

import datetime as dt

from jakguide.errors import InputError, UnknownIdError
from jakguide.kb.base import Knowledge
from jakguide.kb.schema import Monograph, RegionLabel
from jakguide.model import (
    STATUS_ORDER,
    Assessment,
    AssessRequest,
    Finding,
    LabEvaluation,
    LabsReport,
    LabsRequest,
    MonitoringOut,
    Option,
    Patient,
    Status,
)
from jakguide.rules import screening as screening_rules
from jakguide.rules.base import make, source_ref
from jakguide.rules.context import Context, LabPoint
from jakguide.rules.contraindications import check_contraindications
from jakguide.rules.dosing import order_regimens, regimen_out, select_regimens
from jakguide.rules.indication import check_indication
from jakguide.rules.labs import (
    check_initiation_labs,
    describe,
    evaluate_point,
    initiation_rules,
    on_therapy_rules,
)
from jakguide.rules.monitoring import plan_item
from jakguide.rules.response import response_findings, review_findings
from jakguide.rules.warnings import check_boxed_warning, check_reproduction, check_risk_groups

_NO_REGIMEN: frozenset[Status] = frozenset({"contraindicated", "not-indicated", "not-recommended"})
_SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


def worst(statuses: list[Status]) -> Status:
    return min(statuses, key=STATUS_ORDER.index) if statuses else "eligible"


def option_status(findings: list[Finding]) -> Status:
    """Worst explicit status; ``caution`` when a patient-specific warning applies."""
    statuses: list[Status] = [f.status for f in findings if f.status is not None]
    if any(f.severity in ("warning", "critical") and f.status is None for f in findings):
        statuses.append("caution")
    return worst(statuses)


def validate_request(request: AssessRequest, kb: Knowledge) -> None:
    if request.condition not in kb.conditions:
        raise UnknownIdError(
            "condition",
            request.condition,
            "unknown condition; accepted: " + ", ".join(sorted(kb.conditions)),
        )
    for drug in request.drugs or []:
        if drug not in kb.drugs:
            raise UnknownIdError(
                "drug", drug, "unknown drug; accepted: " + ", ".join(sorted(kb.drugs))
            )


def validate_patient(patient: Patient, kb: Knowledge) -> None:
    """Ids the knowledge must know (native files are strict; FHIR input is mapped beforehand)."""
    for i, cond in enumerate(patient.conditions or []):
        if cond not in kb.conditions:
            raise UnknownIdError(
                f"conditions[{i}]",
                cond,
                "unknown condition; accepted: " + ", ".join(sorted(kb.conditions)),
            )
    if patient.therapy is not None and patient.therapy.drug not in kb.drugs:
        raise UnknownIdError(
            "therapy.drug",
            patient.therapy.drug,
            "not a JAK/TYK2 inhibitor in the knowledge base; accepted: "
            + ", ".join(sorted(kb.drugs)),
        )
    from jakguide.units import to_canonical

    for i, lab in enumerate(patient.labs or []):
        to_canonical(kb, lab.analyte, lab.value, lab.unit, f"labs[{i}]")


def assess(patient: Patient, request: AssessRequest, kb: Knowledge) -> Assessment:
    """Assess every agent marketed in the region for this patient and condition."""
    validate_request(request, kb)
    ctx = Context(patient, kb, request.as_of)
    _ = ctx.labs  # collect unusable lab values once, as warnings
    wanted = set(request.drugs) if request.drugs else None
    options: list[Option] = []
    screening_items: dict[str, list] = {}  # type: ignore[type-arg]
    labels: dict[str, tuple[Monograph, RegionLabel]] = {}
    for mono in kb.marketed(request.region):
        if wanted is not None and mono.id not in wanted:
            continue
        label = mono.regions[request.region]
        labels[mono.id] = (mono, label)
        option = _assess_option(ctx, mono, label, request)
        options.append(option)
        if option.status not in ("not-indicated", "contraindicated"):
            screening_items[mono.id] = label.screening
    entries = screening_rules.collect(ctx, screening_items)
    screening = [screening_rules.status_of(ctx, e) for e in entries.values()]
    monitoring = _monitoring(ctx, labels, options)
    return Assessment(
        knowledge_version=kb.version,
        as_of=request.as_of,
        region=request.region,
        condition=request.condition,
        options=options,
        screening=screening,
        monitoring=monitoring,
        warnings=list(ctx.lab_errors),
    )


def _on_therapy(ctx: Context, drug: str) -> bool:
    t = ctx.patient.therapy
    return t is not None and t.drug == drug and t.start_date <= ctx.as_of


def _assess_option(
    ctx: Context, mono: Monograph, label: RegionLabel, request: AssessRequest
) -> Option:
    kb = ctx.kb
    findings: list[Finding] = []
    ind_result = check_indication(ctx, mono, label, request.condition, request.region)
    findings += ind_result.findings
    findings += check_contraindications(ctx, mono.id, label)
    findings += check_boxed_warning(ctx, label)
    findings += check_risk_groups(ctx, label)
    findings += check_reproduction(ctx, label)
    findings += screening_rules.positive_findings(ctx, mono.id, label.screening)
    if ctx.patient.medications is not None:
        for name in ctx.unidentified_medications:
            findings.append(
                make(
                    kb,
                    "interactions.unidentified",
                    "interaction",
                    "warning",
                    f"Medicine not identified: {name!r}; interactions with it not checked.",
                    facts=[name],
                )
            )
    if _on_therapy(ctx, mono.id):
        findings += _on_therapy_lab_findings(ctx, mono, label, request.condition)
        findings += review_findings(ctx, mono, label, request.condition)
        findings += response_findings(ctx, request.condition)
    else:
        findings += check_initiation_labs(ctx, mono.id, label, request.condition)
    regimens = []
    withheld = False
    if ind_result.indication is not None:
        dosing = select_regimens(ctx, mono, label, ind_result.indication, request.condition)
        findings += dosing.findings
        regimens = order_regimens(dosing.regimens)
        withheld = dosing.withheld
    findings = _dedupe(findings)
    status = option_status(findings)
    out_regimens = (
        [] if status in _NO_REGIMEN or withheld else [regimen_out(mono, r) for r in regimens]
    )
    findings.sort(key=lambda f: (_SEVERITY_ORDER[f.severity], f.kind == "boxed-warning"))
    return Option(
        drug=mono.id,
        status=status,
        regimen=out_regimens[0] if out_regimens else None,
        regimens=out_regimens,
        findings=findings,
    )


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str]] = set()
    out = []
    for f in findings:
        key = (f.rule, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _monitoring(
    ctx: Context, labels: dict[str, tuple[Monograph, RegionLabel]], options: list[Option]
) -> list[MonitoringOut]:
    therapy = ctx.patient.therapy
    if therapy is not None and therapy.drug in labels and _on_therapy(ctx, therapy.drug):
        _, label = labels[therapy.drug]
        return [plan_item(ctx, item, therapy.start_date, therapy.drug) for item in label.monitoring]
    candidates = [o.drug for o in options if o.status in ("eligible", "caution", "needs-data")]
    return [
        plan_item(ctx, item, None, drug)
        for drug in candidates
        for item in labels[drug][1].monitoring
    ]


# --------------------------------------------------------------------------- labs


def _series_baseline(series: list[LabPoint], start: dt.date | None) -> LabPoint | None:
    if not series:
        return None
    if start is not None:
        before = [p for p in series if p.date <= start]
        if before:
            return before[-1]
    return series[0]


def _on_therapy_lab_findings(
    ctx: Context, mono: Monograph, label: RegionLabel, condition: str | None
) -> list[Finding]:
    report = _evaluate(ctx, mono, label, condition)
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
        status: Status | None = (
            "not-recommended" if r.action in ("interrupt", "discontinue") else None
        )
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


def _evaluate(
    ctx: Context, mono: Monograph, label: RegionLabel, condition: str | None
) -> list[LabEvaluation]:
    kb = ctx.kb
    on_therapy = _on_therapy(ctx, mono.id)
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
                action = "do-not-start"
            if rule is None:
                message = "No label threshold crossed."
            else:
                message = f"{rule.text} (threshold {describe(rule)})."
                if rule.requires and action == (rule.first_action or "recheck"):
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
                    sources=[source_ref(kb, rule.source)] if rule else [],
                )
            )
    results.sort(key=lambda r: (r.date, r.analyte))
    return results


def evaluate_labs(patient: Patient, request: LabsRequest, kb: Knowledge) -> LabsReport:
    """On-therapy (or, for a drug not yet started, initiation) lab actions and monitoring."""
    mono = kb.drug(request.drug)
    if mono is None:
        raise UnknownIdError(
            "drug", request.drug, "unknown drug; accepted: " + ", ".join(sorted(kb.drugs))
        )
    label = mono.regions.get(request.region)
    if label is None:
        raise InputError(
            "region",
            request.region,
            f"{request.drug} is not marketed in this region; marketed in: "
            + ", ".join(sorted(mono.regions)),
        )
    ctx = Context(patient, kb, request.as_of)
    condition = next(
        (c for c in patient.conditions or [] if any(i.condition == c for i in label.indications)),
        None,
    )
    results = _evaluate(ctx, mono, label, condition)
    start = patient.therapy.start_date if _on_therapy(ctx, mono.id) and patient.therapy else None
    monitoring = [plan_item(ctx, item, start, mono.id) for item in label.monitoring]
    findings = []
    if ctx.lab_errors:
        findings = [
            make(kb, "labs.unusable", "missing-data", "warning", msg) for msg in ctx.lab_errors
        ]
    return LabsReport(
        knowledge_version=kb.version,
        drug=mono.id,
        region=request.region,
        as_of=request.as_of,
        results=results,
        monitoring=monitoring,
        findings=findings,
    )
