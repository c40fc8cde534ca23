"""Cards for draft JAK-inhibitor orders (shared by order-select and order-sign).

Quiet by design: a card only for what is specific to this patient (a warning or critical
finding, a dose other than the one the label gives this patient, missing infection screening
before a first prescription), plus at most one boxed-warning info card per order.
"""

from __future__ import annotations

from jakguide.adapters.fhir.assessment_out import adjusted_medication_request
from jakguide.adapters.fhir.draft import DraftOrder, draft_orders
from jakguide.cds.call import Call, boxed_warning, missing_screening
from jakguide.cds.cards import (
    CardSpec,
    Indicator,
    Suggestion,
    finding_detail,
    first_sentence,
    sources_block,
)
from jakguide.engine import assess
from jakguide.model import AssessRequest, Finding, Option, RegimenOut, SourceRef
from jakguide.rules.base import source_ref

_DOSE_KINDS = frozenset({"interaction", "dose-adjustment"})


def order_cards(call: Call, selected_only: bool) -> list[CardSpec]:
    """Cards for each draft JAK order (order-select: the selected ones only)."""
    drafts = draft_orders(call.request.context.get("draftOrders"), call.kb, call.as_of)
    if selected_only:
        selections = call.request.context.get("selections")
        if isinstance(selections, list) and selections:
            drafts = [d for d in drafts if d.reference in selections]
    specs: list[CardSpec] = []
    for draft in drafts:
        specs += _draft_cards(call, draft)
    return specs


def _draft_cards(call: Call, draft: DraftOrder) -> list[CardSpec]:
    condition = call.condition_for(draft.agent)
    if condition is None:
        return [_no_condition(call, draft)]
    request = AssessRequest(
        condition=condition, region=call.config.region, as_of=call.as_of, drugs=[draft.agent]
    )
    assessment = assess(call.patient, request, call.kb)
    if not assessment.options:
        return []  # not marketed in the region: nothing this service can check
    option = assessment.options[0]
    version = assessment.knowledge_version
    specs: list[CardSpec] = []
    dose_suggested = False
    missing = [f for f in option.findings if f.kind == "missing-data" and f.severity != "info"]
    for finding in option.findings:
        if finding.severity == "info" or finding.kind in ("boxed-warning", "missing-data"):
            continue
        if _changes_dose(call, draft.agent, finding) and _follows_label(draft, option):
            continue  # the order already has the dose this finding asks for: nothing to say
        suggestion = None
        if not dose_suggested and finding.kind in _DOSE_KINDS:
            suggestion = _dose_suggestion(call, draft, option)
            dose_suggested = suggestion is not None
        specs.append(_finding_card(draft, finding, version, suggestion))
    if not dose_suggested and (suggestion := _dose_suggestion(call, draft, option)) is not None:
        sources = _regimen_sources(call, draft.agent, condition, option)
        specs.append(_dose_card(draft, option, version, suggestion, sources))
    if missing:
        specs.append(_missing_data_card(draft, missing, version))
    on_it = call.patient.therapy is not None and call.patient.therapy.drug == draft.agent
    if not on_it and option.status not in ("contraindicated", "not-indicated"):
        card = missing_screening(call, assessment)
        if card is not None:
            specs.append(card)
    boxed = boxed_warning(call, option.findings, version, draft.agent)
    if boxed is not None:
        specs.append(boxed)
    return specs


_DOSE_ACTIONS = frozenset({"replace-regimen", "max-dose"})


def _changes_dose(call: Call, agent: str, finding: Finding) -> bool:
    """Whether the finding is a label row that changes the dose (rule ``<concept>.<row id>``)."""
    label = call.kb.label(agent, call.config.region)
    row_id = finding.rule.split(".", 1)[-1]
    return label is not None and any(
        a.id == row_id and a.action in _DOSE_ACTIONS for a in label.adjustments
    )


def _follows_label(draft: DraftOrder, option: Option) -> bool:
    return draft.dose_mg is not None and any(_matches(draft, r) for r in option.regimens)


def _matches(draft: DraftOrder, regimen: RegimenOut) -> bool:
    return draft.dose_mg == regimen.dose_mg and draft.per_day == regimen.per_day


def _dose_suggestion(call: Call, draft: DraftOrder, option: Option) -> Suggestion | None:
    """Replace the draft with the label's dose for this patient, when the draft differs."""
    regimen = option.regimen
    if regimen is None or regimen.dose_mg is None or draft.dose_mg is None:
        return None
    if any(_matches(draft, r) for r in option.regimens):
        return None
    resource = adjusted_medication_request(option, call.patient_ref, call.kb, draft.resource)
    return Suggestion(
        label=f"Change to {regimen.text}",
        actions=[
            {
                "type": "update",
                "description": f"Replace the draft {draft.name} order with {regimen.text}",
                "resource": resource,
            }
        ],
    )


def _ordered(draft: DraftOrder) -> str:
    if draft.dose_mg is None:
        return draft.name
    times = f", {draft.per_day} times a day" if draft.per_day else ""
    return f"{draft.name} ({draft.dose_mg:g} mg per dose{times})"


def _finding_card(
    draft: DraftOrder, finding: Finding, version: str, suggestion: Suggestion | None
) -> CardSpec:
    lead = f"Order: {_ordered(draft)}."
    return CardSpec(
        card_type="dose" if suggestion is not None else "finding",
        rule=finding.rule,
        summary=f"{draft.agent}: {first_sentence(finding.message)}",
        detail=finding_detail(finding, version, lead),
        indicator=finding.severity,
        sources=list(finding.sources),
        suggestions=[suggestion] if suggestion is not None else [],
        selection="at-most-one",
    )


def _regimen_sources(call: Call, agent: str, condition: str, option: Option) -> list[SourceRef]:
    """The label rows the option's regimens come from (the indication's dosing section)."""
    label = call.kb.label(agent, call.config.region)
    texts = {r.text for r in option.regimens}
    out: list[SourceRef] = []
    for ind in label.indications if label is not None else []:
        if ind.condition != condition:
            continue
        for r in ind.regimens:
            ref = source_ref(call.kb, r.source if r.text in texts else ind.source)
            if ref not in out:
                out.append(ref)
    return out


def _dose_card(
    draft: DraftOrder,
    option: Option,
    version: str,
    suggestion: Suggestion,
    sources: list[SourceRef],
) -> CardSpec:
    regimen = option.regimen
    assert regimen is not None
    detail = "\n\n".join(
        [
            f"Ordered: {_ordered(draft)}.",
            f"The label's dose for this patient: **{regimen.text}**"
            + (
                " (also: " + "; ".join(r.text for r in option.regimens[1:]) + ")"
                if len(option.regimens) > 1
                else ""
            )
            + ".",
            sources_block(sources, version),
        ]
    )
    return CardSpec(
        card_type="dose",
        rule="dosing.order-differs",
        summary=f"{draft.agent}: ordered dose differs from the label dose for this patient "
        f"({regimen.text})",
        detail=detail,
        indicator="warning",
        sources=sources,
        suggestions=[suggestion],
        selection="at-most-one",
    )


def _missing_data_card(draft: DraftOrder, missing: list[Finding], version: str) -> CardSpec:
    sources = [s for f in missing for s in f.sources]
    detail = "\n\n".join(
        [
            f"Order: {_ordered(draft)}. The record lacks what the label needs to settle "
            "this order:",
            "\n".join(f"- {f.message}" for f in missing),
            sources_block(sources, version),
        ]
    )
    worst: Indicator = "critical" if any(f.severity == "critical" for f in missing) else "warning"
    return CardSpec(
        card_type="finding",
        rule="missing-data",
        summary=f"{draft.agent}: needs data before this order can be checked: "
        + "; ".join(f.message for f in missing),
        detail=detail,
        indicator=worst,
        sources=sources,
    )


def _no_condition(call: Call, draft: DraftOrder) -> CardSpec:
    return CardSpec(
        card_type="finding",
        rule="cds.no-condition",
        summary=f"{draft.agent}: no condition on record that jakguide can check this order against",
        detail=(
            f"Order: {_ordered(draft)}. The prefetched Conditions name no condition in "
            "jakguide's knowledge, so indication, dose and screening were not checked."
        ),
        indicator="info",
    )
