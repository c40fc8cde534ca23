"""The assessment: ``assess(patient, request, knowledge) -> Assessment``. Pure; no I/O.

Orchestration only. For every agent marketed in the region it runs each check of
``rules.registry.CHECKS`` in turn (indication, contraindications, boxed warning, risk groups,
pregnancy, screening results, interactions, labs, review points, response, dosing), takes the
regimens from ``rules.dosing``, and settles the option's status as the worst that applies
(DESIGN). Screening and monitoring are then collected over the options.
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
    LabsReport,
    LabsRequest,
    MonitoringOut,
    Option,
    Patient,
    Status,
)
from jakguide.rules import registry, story
from jakguide.rules import screening as screening_rules
from jakguide.rules.base import make
from jakguide.rules.context import Context, OptionContext
from jakguide.rules.derivation import Derivation
from jakguide.rules.derive import derive
from jakguide.rules.dosing import chosen_regimens, regimen_out
from jakguide.rules.labs import evaluate_series
from jakguide.rules.monitoring import plan_item

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
        raise UnknownIdError.among("condition", request.condition, "condition", kb.conditions)
    for drug in request.drugs or []:
        kb.require_drug(drug)


def validate_patient(patient: Patient, kb: Knowledge) -> None:
    """Ids the knowledge must know (native files are strict; FHIR input is mapped beforehand)."""
    for i, cond in enumerate(patient.conditions or []):
        if cond not in kb.conditions:
            raise UnknownIdError.among(f"conditions[{i}]", cond, "condition", kb.conditions)
    if patient.therapy is not None:
        kb.require_drug(patient.therapy.drug, "therapy.drug")
    from jakguide.units import to_canonical

    for i, lab in enumerate(patient.labs or []):
        to_canonical(kb, lab.analyte, lab.value, lab.unit, f"labs[{i}]")
    validate_dates(patient, None)


def validate_dates(patient: Patient, as_of: dt.date | None) -> None:
    """A birth date after ``as_of``, or a result dated before birth, is an input error."""
    born = patient.birth_date
    if born is None:
        return
    if as_of is not None and born > as_of:
        raise InputError(
            "birth_date", str(born), f"after the assessment date {as_of}; check the birth date"
        )
    for i, lab in enumerate(patient.labs or []):
        if lab.date < born:
            raise InputError(
                f"labs[{i}].date",
                str(lab.date),
                f"before the birth date {born}; check the result's date",
            )


def assess(patient: Patient, request: AssessRequest, kb: Knowledge) -> Assessment:
    """Assess every agent marketed in the region for this patient and condition."""
    validate_request(request, kb)
    validate_dates(patient, request.as_of)
    # Implied is known (rules.derive): derived inputs fill what the record leaves absent.
    blocked: dict[str, Derivation] = {}
    derived_patient, derivations = derive(
        Context(patient, kb, request.as_of), request.condition, blocked
    )
    ctx = Context(derived_patient, kb, request.as_of, derivations=derivations, blocked=blocked)
    _ = ctx.labs  # collect unusable lab values once, as warnings
    # Brands, misspellings and codes name the agent too (kb.names).
    wanted = {kb.require_drug(d).id for d in request.drugs} if request.drugs else None
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


def _assess_option(
    ctx: Context, mono: Monograph, label: RegionLabel, request: AssessRequest
) -> Option:
    """Run every registered check on this option, then settle its status and regimens."""
    opt = OptionContext(
        mono=mono,
        label=label,
        condition=request.condition,
        region=request.region,
        on_therapy=ctx.on_therapy(mono.id),
    )
    findings: list[Finding] = []
    for check in registry.CHECKS:
        findings += check.fn(ctx, opt)
    regimens, withheld = chosen_regimens(ctx, opt)
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
    if therapy is not None and therapy.drug in labels and ctx.on_therapy(therapy.drug):
        mono, label = labels[therapy.drug]
        plan = [plan_item(ctx, item, therapy.start_date, therapy.drug) for item in label.monitoring]
        return story.rechecks(ctx, mono, label, ctx.patient.conditions, plan)
    candidates = [o.drug for o in options if o.status in ("eligible", "caution", "needs-data")]
    return [
        plan_item(ctx, item, None, drug)
        for drug in candidates
        for item in labels[drug][1].monitoring
    ]


def evaluate_labs(patient: Patient, request: LabsRequest, kb: Knowledge) -> LabsReport:
    """On-therapy (or, for a drug not yet started, initiation) lab actions and monitoring."""
    mono = kb.require_drug(request.drug)
    label = mono.regions.get(request.region)
    if label is None:
        raise InputError(
            "region",
            request.region,
            f"{request.drug} is not marketed in this region; marketed in: "
            + ", ".join(sorted(mono.regions)),
        )
    validate_dates(patient, request.as_of)
    ctx = Context(patient, kb, request.as_of)
    condition = next(
        (c for c in patient.conditions or [] if any(i.condition == c for i in label.indications)),
        None,
    )
    results = evaluate_series(ctx, mono, label, condition)
    start = patient.therapy.start_date if ctx.on_therapy(mono.id) and patient.therapy else None
    monitoring = [plan_item(ctx, item, start, mono.id) for item in label.monitoring]
    monitoring = story.rechecks(ctx, mono, label, [condition] if condition else None, monitoring)
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
