"""Draft orders (a CDS Hooks ``draftOrders`` Bundle): which JAK agent, at which dose.

Why here: reading a MedicationRequest's medicine, RxNorm code and dosage is the FHIR adapter's
job (``meds``); a CDS door only needs the agent, the dose the prescriber typed and the resource
itself (to build the replacement). Names and codes resolve through the knowledge (``kb.names``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B.medication import Medication as FhirMedication
from fhir.resources.R4B.medicationrequest import MedicationRequest

from jakguide.adapters.fhir.bundle import _validate
from jakguide.adapters.fhir.codes import RXNORM, code_tables
from jakguide.adapters.fhir.meds import _concept, _dose, jak_agents
from jakguide.adapters.fhir.util import Ctx, PatientResources, codings, concept_text
from jakguide.errors import FhirInputError
from jakguide.kb.base import Knowledge
from jakguide.model import Medication


@dataclass(frozen=True)
class DraftOrder:
    """One draft MedicationRequest naming a JAK agent, as the prescriber entered it."""

    reference: str  # "MedicationRequest/<id>" (or its fullUrl when it has no id)
    resource: dict[str, Any]
    agent: str  # the knowledge's drug id (INN)
    name: str  # the medicine as written (text, display or code)
    rxnorm: str | None
    dose_mg: float | None  # mg per dose, when the dosage states it
    per_day: int | None  # doses per day, when the timing states it


def draft_orders(bundle: object, kb: Knowledge, as_of: dt.date) -> list[DraftOrder]:
    """The draft MedicationRequests of ``bundle`` that name a JAK agent (others are ignored).

    Raises:
        FhirInputError: ``bundle`` is not a Bundle, or a MedicationRequest in it is invalid.
    """
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        got = bundle.get("resourceType") if isinstance(bundle, dict) else type(bundle).__name__
        raise FhirInputError("context.draftOrders", got, "expected a FHIR Bundle of draft orders")
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise FhirInputError("context.draftOrders.entry", type(entries).__name__, "expected a list")
    ctx = Ctx(kb=kb, as_of=as_of, tables=code_tables())
    res = PatientResources()
    requests: list[tuple[str, dict[str, Any], MedicationRequest]] = []
    for i, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            continue
        where = f"context.draftOrders.entry[{i}].resource"
        rtype = resource.get("resourceType")
        if rtype == "Medication":
            med: FhirMedication = _validate(resource, where)
            if med.id:
                res.medications[f"Medication/{med.id}"] = med
            url = entry.get("fullUrl")
            if isinstance(url, str):
                res.medications[url] = med
        elif rtype == "MedicationRequest":
            model: MedicationRequest = _validate(resource, where)
            rid = resource.get("id")
            url = entry.get("fullUrl")
            ref = f"MedicationRequest/{rid}" if isinstance(rid, str) else str(url or where)
            requests.append((ref, resource, model))
    found: list[DraftOrder] = []
    for ref, resource, model in requests:
        cc, _fhir_med, fallback = _concept(ctx, model, res)
        name = concept_text(cc) or fallback
        if not name:
            continue
        rxnorm = next((c for s, c, _d in codings(cc) if s == RXNORM and c), None)
        agents = jak_agents(Medication(drug=name, rxnorm=rxnorm), kb)
        if not agents:
            continue
        dosages = list(model.dosageInstruction or [])
        dose_mg, per_day = _dose(ctx, dosages[0] if dosages else None, name)
        found.append(
            DraftOrder(
                reference=ref,
                resource=resource,
                agent=agents[0],
                name=name,
                rxnorm=rxnorm,
                dose_mg=dose_mg,
                per_day=per_day,
            )
        )
    return found
