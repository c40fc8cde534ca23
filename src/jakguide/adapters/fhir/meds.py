"""Medicines, allergies and vaccines of the FHIR reader (docs/fhir-mapping.md).

A medicine is carried as recorded (text, RxNorm code, route, dose text); the engine identifies
its ingredients later. Only a JAK agent is identified here, to fill ``Patient.therapy``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from fhir.resources.R4B.allergyintolerance import AllergyIntolerance
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.dosage import Dosage
from fhir.resources.R4B.immunization import Immunization
from fhir.resources.R4B.medication import Medication as FhirMedication
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.medicationstatement import MedicationStatement

from jakguide.adapters.fhir.codes import RXNORM
from jakguide.adapters.fhir.util import (
    Ctx,
    PatientResources,
    codings,
    concept_text,
    earliest,
    label,
    quantity_unit,
    show_code,
    status_code,
    to_date,
)
from jakguide.kb.base import Knowledge
from jakguide.kb.names import resolve_ingredients
from jakguide.model import Allergy, Medication, PriorOutcome, PriorTherapy, Screening, Therapy

MedicationResource = MedicationRequest | MedicationStatement

_REQUEST_CURRENT = frozenset({"active", "on-hold"})
_STATEMENT_CURRENT = frozenset({"active", "on-hold", "unknown"})
_STATEMENT_ENDED = frozenset({"completed", "stopped"})
_PRIOR_STATUSES = frozenset({"completed", "stopped", "cancelled"})
_OUTCOMES: frozenset[str] = frozenset(PriorOutcome.__args__)  # type: ignore[attr-defined]
# "tofacitinib 5 MG Oral Tablet": one strength in mg (not mg/mL) gives the dose of one unit.
_STRENGTH = re.compile(r"(\d+(?:\.\d+)?)\s*MG\b(?!\s*/)", re.IGNORECASE)
_COUNT_UNITS = frozenset(
    {"", "1", "{tbl}", "{tablet}", "{tab}", "{capsule}", "tablet", "tablets", "tab", "capsule",
     "capsules", "TAB", "CAP"}
)  # fmt: skip
_PER_DAY = {"d": Decimal(1), "h": Decimal(24), "min": Decimal(1440)}


@dataclass
class _Current:
    medication: Medication
    start: dt.date | None
    dosage: Dosage | None
    form: str | None
    where: str


def jak_agents(med: Medication, kb: Knowledge) -> list[str]:
    """The JAK agents (knowledge monographs) in a medicine: RxNorm code first, then its text."""
    ingredients = kb.ingredients_for_code(med.rxnorm) if med.rxnorm else []
    if not ingredients:
        ingredients = resolve_ingredients(kb, med.drug)  # INNs, brands, misspellings in the text
    return [i for i in ingredients if i in kb.drugs]


def _dosages(r: MedicationResource) -> list[Dosage]:
    return list((r.dosageInstruction if isinstance(r, MedicationRequest) else r.dosage) or [])


def _concept(
    ctx: Ctx, r: MedicationResource, res: PatientResources
) -> tuple[CodeableConcept | None, FhirMedication | None, str | None]:
    """(code, Medication resource, fallback name) of a request or statement."""
    if r.medicationCodeableConcept is not None:
        return r.medicationCodeableConcept, None, None
    ref = r.medicationReference
    key = (ref.reference or "") if ref is not None else ""
    med: FhirMedication | None = None
    if key.startswith("#"):
        for contained in r.contained or []:
            if contained.get_resource_type() == "Medication" and contained.id == key[1:]:
                med = contained  # type: ignore[assignment]
    elif key:
        med = res.medications.get(key) or res.medications.get(
            "Medication/" + key.rsplit("Medication/", 1)[-1]
        )
    if med is not None and med.code is not None:
        return med.code, med, None
    fallback = (ref.display if ref is not None else None) or key or None
    why = "Medication not found; the reference text is used as the medicine name"
    ctx.w.warn(label(r), "medicationReference", key or fallback, why)
    return None, med, fallback


def _route(ctx: Ctx, dosage: Dosage | None, rxnorm: str | None) -> str | None:
    if dosage is not None and dosage.route is not None:
        names = ctx.items("routes", dosage.route)
        text = concept_text(dosage.route)
        if names or text:
            return names[0] if names else text
    return ctx.kb.route_for_code(rxnorm) if rxnorm else None


def _period_covers(start: object, end: object, as_of: dt.date) -> bool:
    first = earliest(start)
    last = to_date(end)
    return (first is None or first <= as_of) and (last is None or last >= as_of)


def _current(ctx: Ctx, r: MedicationResource) -> tuple[bool, dt.date | None]:
    """(taken on as_of, start day) of a request or statement (docs/fhir-mapping.md)."""
    if isinstance(r, MedicationRequest):
        start = earliest(r.authoredOn)
        if r.intent == "proposal" or r.status not in _REQUEST_CURRENT:
            return False, start
        return start is None or start <= ctx.as_of, start
    period = r.effectivePeriod
    start = earliest(period.start if period is not None else r.effectiveDateTime)
    if r.status in _STATEMENT_ENDED:
        # Finished since, but it may have been taken on a past as_of.
        ended = period is not None and period.end is not None
        return ended and _period_covers(period.start, period.end, ctx.as_of), start  # type: ignore[union-attr]
    if r.status not in _STATEMENT_CURRENT:
        return False, start
    if r.status == "unknown":
        ctx.w.warn(label(r), "status", r.status, "whether it is taken is unknown; counted as taken")
    if period is not None:
        return _period_covers(period.start, period.end, ctx.as_of), start
    return start is None or start <= ctx.as_of, start


def _prior_outcome(ctx: Ctx, r: MedicationResource) -> str | None:
    if r.status not in _PRIOR_STATUSES:
        return None
    if isinstance(r, MedicationStatement):
        reasons = list(r.statusReason or [])
    else:
        reasons = [r.statusReason] if r.statusReason is not None else []
    for cc in reasons:
        for outcome in ctx.local("prior-outcome", cc):
            if outcome in _OUTCOMES:
                return outcome
    for cc in reasons:
        texts = [cc.text or "", *(d or "" for _s, _c, d in codings(cc))]
        for text in texts:
            said = outcome_in_text(text, ctx)
            if said is not None:
                return said
    return None


_CLAUSE = re.compile(r"[.;,:()\n]|\bbut\b")
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def outcome_in_text(text: str, ctx: Ctx) -> str | None:
    """The prior-therapy outcome a statusReason text states, negation-aware (codes.yaml)."""
    words_table = ctx.tables.prior_outcome_words
    for outcome, phrases in words_table.outcomes.items():
        for clause in _CLAUSE.split(text.lower()):
            words = _WORD.findall(clause)
            for phrase in phrases:
                target = _WORD.findall(phrase.lower())
                for i in range(len(words) - len(target) + 1):
                    if words[i : i + len(target)] != target:
                        continue
                    before = " ".join(words[max(0, i - words_table.window) : i])
                    if not any(
                        re.search(rf"\b{re.escape(cue)}\b", before) for cue in words_table.negations
                    ):
                        return outcome
    return None


def medicines(ctx: Ctx, res: PatientResources) -> None:
    """Current medicines, the JAK therapy among them, and prior therapies (jakguide-coded)."""
    present = False
    current: list[_Current] = []
    resources: list[MedicationResource] = [*res.requests, *res.statements]
    for r in resources:
        if r.status == "entered-in-error":
            continue
        cc, fhir_med, fallback = _concept(ctx, r, res)
        absent = ctx.items("absent", cc)
        if "no-information" in absent:
            continue
        present = True
        drug = concept_text(cc) or fallback
        if "no-known-medications" in absent:
            continue
        if not drug:
            ctx.w.warn(label(r), "medication", None, "no code, text or display; left out")
            continue
        outcome = _prior_outcome(ctx, r)
        if outcome is not None:
            ctx.append("prior_therapies", PriorTherapy(drug=drug, outcome=outcome))
        taken, start = _current(ctx, r)
        if not taken:
            continue
        rxnorm = next((c for s, c, _d in codings(cc) if s == RXNORM and c), None)
        dosages = _dosages(r)
        dosage = dosages[0] if dosages else None
        dose = str(dosage.text) if dosage is not None and dosage.text else None
        med = Medication(drug=drug, route=_route(ctx, dosage, rxnorm), rxnorm=rxnorm, dose=dose)
        forms = ctx.local("dose-form", fhir_med.form) if fhir_med is not None else []
        current.append(_Current(med, start, dosage, forms[0] if forms else None, label(r)))
    if not present:
        return
    ctx.out["medications"] = []
    for cur in current:
        ctx.append("medications", cur.medication)
    therapy = _therapy(ctx, current)
    if therapy is not None:
        ctx.out["therapy"] = therapy


def _therapy(ctx: Ctx, current: list[_Current]) -> Therapy | None:
    candidates: dict[str, list[_Current]] = {}
    for cur in current:
        for agent in jak_agents(cur.medication, ctx.kb):
            candidates.setdefault(agent, []).append(cur)
    usable: dict[str, list[_Current]] = {}
    for agent, found in candidates.items():
        dated = [c for c in found if c.start is not None]
        if dated:
            usable[agent] = dated
        else:
            why = f"{agent} is taken but no start date is recorded; therapy left unknown"
            ctx.w.warn(found[0].where, "start", None, why)
    if not usable:
        return None
    # The agent started last is the one taken now; its course began at its earliest record.
    agent = max(usable, key=lambda a: max(c.start or dt.date.min for c in usable[a]))
    first = min(usable[agent], key=lambda c: c.start or dt.date.min)
    if len(candidates) > 1:
        why = f"several JAK agents are current; therapy is {agent} (started last)"
        ctx.w.warn(first.where, "medication", ", ".join(sorted(candidates)), why)
    assert first.start is not None
    dose_mg, per_day = _dose(ctx, first.dosage, first.medication.drug)
    return Therapy(
        drug=agent, form=first.form, dose_mg=dose_mg, per_day=per_day, start_date=first.start
    )


def _dose(ctx: Ctx, dosage: Dosage | None, drug: str) -> tuple[float | None, int | None]:
    """(mg per dose, doses per day) when the dosage states them; None where it does not."""
    if dosage is None:
        return None, None
    dose_mg: float | None = None
    for dr in dosage.doseAndRate or []:
        q = dr.doseQuantity
        if q is None or q.value is None:
            continue
        unit = quantity_unit(q) or ""
        factor = ctx.tables.unit_factor("dose_mg", unit)
        strengths = _STRENGTH.findall(drug)
        if factor is not None:
            dose_mg = float(Decimal(str(q.value)) * factor)
        elif unit in _COUNT_UNITS and len(strengths) == 1:
            dose_mg = float(Decimal(str(q.value)) * Decimal(strengths[0]))
        break
    return dose_mg, _per_day(ctx, dosage)


def _per_day(ctx: Ctx, dosage: Dosage) -> int | None:
    timing = dosage.timing
    if timing is None:
        return None
    rep = timing.repeat
    if rep is not None and rep.period is not None and rep.periodUnit in _PER_DAY:
        per_day = Decimal(rep.frequency or 1) * _PER_DAY[rep.periodUnit] / Decimal(str(rep.period))
        whole = per_day == per_day.to_integral_value() and per_day >= 1
        return int(per_day) if whole else None
    coded = ctx.items("dosing_times", timing.code)
    return int(coded[0]) if coded else None


# --------------------------------------------------------------------------- allergies, vaccines


def allergies(ctx: Ctx, resources: list[AllergyIntolerance]) -> None:
    """Active drug allergies; [] only on an explicit "no known (drug) allergy" statement."""
    found: list[Allergy] = []
    none_known = False
    for a in resources:
        where = label(a)
        absent = ctx.items("absent", a.code)
        if status_code(a.verificationStatus) in {"entered-in-error", "refuted"}:
            continue
        if "no-known-drug-allergies" in absent:
            none_known = True
            continue
        if absent or status_code(a.clinicalStatus) in {"inactive", "resolved"}:
            continue
        recorded = earliest(a.onsetDateTime) or earliest(a.recordedDate)
        if recorded is not None and recorded > ctx.as_of:
            continue
        if a.category and "medication" not in a.category:
            category = "/".join(str(c) for c in a.category)
            ctx.w.skip(where, "category", category, "not a medication allergy")
            continue
        drug = concept_text(a.code)
        if drug is None:
            ctx.w.warn(where, "code", None, "an allergy without a substance; left out")
            continue
        reaction = None
        for r in a.reaction or []:
            for m in r.manifestation or []:
                reaction = reaction or concept_text(m)
            reaction = reaction or (str(r.description) if r.description else None)
        allergy = Allergy(drug=drug, reaction=reaction)
        if allergy not in found:
            found.append(allergy)
    if found and none_known:
        why = "contradicted by recorded drug allergies; the allergies are used"
        ctx.w.warn("AllergyIntolerance", "code", "no known drug allergy", why)
    if found or none_known:
        ctx.out["allergies"] = found


def immunizations(ctx: Ctx, resources: list[Immunization]) -> None:
    """Completed vaccinations the screening table knows (recombinant zoster) -> ``done``."""
    for im in resources:
        if im.status != "completed":
            continue
        day = to_date(im.occurrenceDateTime)
        if day is not None and day > ctx.as_of:
            continue
        items = ctx.items("vaccines", im.vaccineCode)
        if not items:
            why = "no screening item reads this vaccine"
            ctx.w.skip(label(im), "vaccineCode", show_code(im.vaccineCode), why)
            continue
        ctx.append("screening", Screening(item=items[0], result="done", date=day))
