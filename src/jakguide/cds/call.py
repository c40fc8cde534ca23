"""One hook call as the services see it: the request, the patient read through the FHIR adapter,
the date, the knowledge and the door's settings; plus what services share (condition choice,
screening and boxed-warning cards).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from jakguide.adapters.fhir import read_bundle
from jakguide.adapters.fhir.assessment_out import (
    MISSING_SCREENING,
    has_test_code,
    screening_service_request,
)
from jakguide.cds.cards import (
    CardSpec,
    Suggestion,
    finding_detail,
    first_sentence,
    sources_block,
)
from jakguide.cds.config import CdsConfig
from jakguide.cds.definitions import ServiceDefinition, definitions
from jakguide.cds.wire import HookRequest
from jakguide.kb.base import Knowledge
from jakguide.model import Assessment, Finding, Patient, ScreeningOut, SourceRef


@dataclass
class Call:
    service: ServiceDefinition
    request: HookRequest
    resources: list[dict[str, Any]]
    kb: Knowledge
    config: CdsConfig
    as_of: dt.date
    warnings: list[str] = field(default_factory=list)

    @property
    def patient_id(self) -> str | None:
        value = self.request.context.get("patientId")
        return value if isinstance(value, str) and value else None

    @property
    def patient_ref(self) -> str:
        return f"Patient/{self.patient_id}" if self.patient_id else "Patient/unknown"

    @cached_property
    def patient(self) -> Patient:
        """The prefetched record as the domain ``Patient`` (FHIR adapter; absent = unknown).

        Raises:
            FhirInputError: a resource the adapter reads fails FHIR validation.
        """
        bundle = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": r} for r in self.resources],
        }
        read = read_bundle(bundle, self.kb, self.as_of)
        self.warnings.extend(read.warnings)
        return read.patient

    def condition_for(self, agent: str) -> str | None:
        """The patient's condition the agent is assessed for: the first recorded condition the
        agent's label covers in the region, else the first recorded condition, else None."""
        conditions = [c for c in self.patient.conditions or [] if c in self.kb.conditions]
        label = self.kb.label(agent, self.config.region)
        covered = {i.condition for i in label.indications} if label is not None else set()
        return next((c for c in conditions if c in covered), conditions[0] if conditions else None)


def missing_screening(call: Call, assessment: Assessment) -> CardSpec | None:
    """One warning card for missing TB / hepatitis B / hepatitis C results, with a
    ServiceRequest suggestion per missing test (vaccines and lipids give no card)."""
    wanted = definitions().screeningCard.items
    missing: list[ScreeningOut] = [
        s for s in assessment.screening if s.item in wanted and s.status in MISSING_SCREENING
    ]
    if not missing:
        return None
    names = [_item_name(s.item) for s in missing]
    suggestions = [
        Suggestion(
            label=f"Order {_item_name(s.item)}",
            actions=[
                {
                    "type": "create",
                    "description": f"Order {_item_name(s.item)} before the first dose",
                    "resource": screening_service_request(
                        s.item, call.patient_ref, call.kb, reason=s.detail
                    ),
                }
            ],
        )
        for s in missing
        if has_test_code(s.item)
    ]
    sources: list[SourceRef] = []
    for s in missing:
        sources += [r for r in s.sources if r not in sources]
    detail = "\n\n".join(
        [
            "No result on record for: " + ", ".join(names) + ".",
            "\n".join(f"- **{_item_name(s.item)}**: {s.detail}" for s in missing),
            sources_block(sources, assessment.knowledge_version),
        ]
    )
    return CardSpec(
        card_type="screening",
        rule="screening.missing-tests",
        summary="Screening missing before JAK inhibitor: " + ", ".join(names),
        detail=detail,
        indicator="warning",
        sources=sources,
        suggestions=suggestions,
        selection="any",
    )


def _item_name(item: str) -> str:
    return definitions().screeningCard.items.get(item, item)


def boxed_warning(call: Call, findings: list[Finding], version: str, drug: str) -> CardSpec | None:
    """The class boxed warning, once per order, as info (configurable off)."""
    if not call.config.boxed_warning_card:
        return None
    boxed = next((f for f in findings if f.kind == "boxed-warning"), None)
    if boxed is None:
        return None
    return CardSpec(
        card_type="boxed-warning",
        rule=boxed.rule,
        summary=f"{drug}: {first_sentence(boxed.message)}",
        detail=finding_detail(boxed, version),
        indicator="info",
        sources=list(boxed.sources),
    )
