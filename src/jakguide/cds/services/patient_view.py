"""``jakguide-patient-view``: a chart opened for a patient taking a JAK or TYK2 inhibitor.

Cards: monitoring due or overdue (one card), lab results past a confirmed label threshold (one
card each), TB / hepatitis B / hepatitis C results missing from the record (one card). Silent
for a patient not on such a drug and when nothing is due.
"""

from __future__ import annotations

from jakguide.adapters.fhir.assessment_out import monitoring_care_plan
from jakguide.cds.call import Call, missing_screening
from jakguide.cds.cards import (
    CardSpec,
    Suggestion,
    finding_detail,
    first_sentence,
    sources_block,
)
from jakguide.engine import assess, evaluate_labs
from jakguide.model import AssessRequest, LabsRequest, MonitoringOut, SourceRef


def cards(call: Call) -> list[CardSpec]:
    therapy = call.patient.therapy
    if therapy is None or therapy.start_date > call.as_of:
        return []
    drug = therapy.drug
    if call.kb.label(drug, call.config.region) is None:
        return []
    condition = call.condition_for(drug)
    specs: list[CardSpec] = []
    if condition is None:
        labs = evaluate_labs(
            call.patient,
            LabsRequest(drug=drug, region=call.config.region, as_of=call.as_of),
            call.kb,
        )
        monitoring, version = labs.monitoring, labs.knowledge_version
    else:
        request = AssessRequest(
            condition=condition, region=call.config.region, as_of=call.as_of, drugs=[drug]
        )
        assessment = assess(call.patient, request, call.kb)
        monitoring, version = assessment.monitoring, assessment.knowledge_version
        for option in assessment.options:
            for finding in option.findings:
                if finding.kind == "lab" and finding.severity == "critical":
                    specs.append(
                        CardSpec(
                            card_type="lab",
                            rule=finding.rule,
                            summary=f"{drug}: {first_sentence(finding.message)}",
                            detail=finding_detail(finding, version),
                            indicator="critical",
                            sources=list(finding.sources),
                        )
                    )
        screening = missing_screening(call, assessment)
        if screening is not None:
            specs.append(screening)
    card = _monitoring_card(call, drug, monitoring, version)
    if card is not None:
        specs.insert(0, card)
    return specs


def _monitoring_card(
    call: Call, drug: str, monitoring: list[MonitoringOut], version: str
) -> CardSpec | None:
    due = [m for m in monitoring if m.status in ("due", "overdue")]
    if not due:
        return None
    overdue = [m for m in due if m.status == "overdue"]
    names = sorted({_name(call, m.analyte) for m in due})
    lines = []
    for m in due:
        window = f" (by {m.due_by.isoformat()})" if m.due_by else ""
        lines.append(f"- **{_name(call, m.analyte)}**: {m.status}{window}. {m.why}")
    sources: list[SourceRef] = []
    for m in due:
        sources += [s for s in m.sources if s not in sources]
    plan = monitoring_care_plan(due, call.patient_ref, call.kb)
    what = "overdue" if overdue else "due"
    return CardSpec(
        card_type="monitoring",
        rule="monitoring." + ("overdue" if overdue else "due"),
        summary=f"{drug} monitoring {what}: " + ", ".join(names),
        detail="\n\n".join(["\n".join(lines), sources_block(sources, version)]),
        indicator="warning" if overdue else "info",
        sources=sources,
        suggestions=[
            Suggestion(
                label="Add the monitoring plan",
                actions=[
                    {
                        "type": "create",
                        "description": f"Monitoring plan for {drug}",
                        "resource": plan,
                    }
                ],
                recommended=False,
            )
        ],
    )


def _name(call: Call, analyte: str) -> str:
    known = call.kb.analyte(analyte)
    return known.name if known is not None else analyte
