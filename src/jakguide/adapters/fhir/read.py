"""One patient's validated FHIR R4 resources -> the domain ``Patient`` (docs/fhir-mapping.md).

Input is lenient: a value no rule needs is skipped with a warning, and a value a rule needs that
cannot be used (unknown unit, implausible value, no date) is left out with a warning so that the
engine reports it as missing. Absence follows the table in docs/fhir-mapping.md: no resource of a
kind at all means "unknown" (``None``); resources present but none that applies means "reviewed,
none" (``[]``). Medicines, allergies and vaccines are in ``fhir_meds``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Literal

from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.patient import Patient as FhirPatientResource
from fhir.resources.R4B.procedure import Procedure

from jakguide.adapters.fhir.codes import LOINC, SNOMED, CodeTables, local_system
from jakguide.adapters.fhir.light import Observation, ReferenceRange
from jakguide.adapters.fhir.meds import allergies, immunizations, medicines
from jakguide.adapters.fhir.util import (
    AnyQuantity,
    Concept,
    Ctx,
    PatientResources,
    codings,
    concept_text,
    earliest,
    label,
    latest,
    quantity_unit,
    show_code,
    status_code,
    to_date,
)
from jakguide.errors import ImplausibleValueError, UnitError
from jakguide.kb.base import Knowledge
from jakguide.model import (
    ActiveInfection,
    CvRiskFactor,
    HistoryItem,
    LabResult,
    Measurement,
    Patient,
    Screening,
    ScreeningItemId,
    ScreeningResult,
    Smoking,
)
from jakguide.units import to_canonical

_FINAL_OBSERVATION = frozenset({"final", "amended", "corrected"})
_ENDED_CLINICAL = frozenset({"inactive", "remission", "resolved"})
_UNCONFIRMED = frozenset({"unconfirmed", "provisional", "differential"})
_SEXES = frozenset({"female", "male", "other", "unknown"})
_HISTORY_ITEMS: frozenset[str] = frozenset(HistoryItem.__args__)  # type: ignore[attr-defined]
_CV_ITEMS: frozenset[str] = frozenset(CvRiskFactor.__args__)  # type: ignore[attr-defined]
_SCREENING_ITEMS: frozenset[str] = frozenset(ScreeningItemId.__args__)  # type: ignore[attr-defined]
_RESULTS: frozenset[str] = frozenset(ScreeningResult.__args__)  # type: ignore[attr-defined]
_SMOKING: frozenset[str] = frozenset(Smoking.__args__)  # type: ignore[attr-defined]
_RESULT_WORDS = {
    "positive": "positive", "reactive": "positive", "detected": "positive",
    "negative": "negative", "non-reactive": "negative", "nonreactive": "negative",
    "not detected": "negative", "indeterminate": "indeterminate",
    "equivocal": "indeterminate", "inconclusive": "indeterminate", "borderline": "indeterminate",
}  # fmt: skip


def read_patient(
    res: PatientResources, kb: Knowledge, as_of: dt.date, tables: CodeTables, patient_id: str | None
) -> tuple[Patient, list[str]]:
    """Map one patient's resources to ``Patient``; returns it with the warnings."""
    ctx = Ctx(kb=kb, as_of=as_of, tables=tables)
    _demographics(ctx, res.patient, patient_id)
    _conditions(ctx, res.conditions)
    _procedures(ctx, res.procedures)
    _observations(ctx, res.observations)
    ctx.out["pregnancy"] = latest(ctx.pregnancy) or "unknown"
    medicines(ctx, res)
    allergies(ctx, res.allergies)
    immunizations(ctx, res.immunizations)
    return Patient(**ctx.out), ctx.w.result()


def _demographics(ctx: Ctx, p: FhirPatientResource | None, patient_id: str | None) -> None:
    if p is None:
        ctx.out["id"] = patient_id
        ctx.w.warn("Bundle", "Patient", None, "no Patient resource: birth date and sex unknown")
        return
    where = label(p)
    pid = p.id
    for ident in p.identifier or []:
        if pid is None and ident.system == local_system("patient-id") and ident.value:
            pid = ident.value
    ctx.out["id"] = pid or patient_id
    if p.birthDate is not None:
        birth = to_date(p.birthDate)
        if birth is None:
            ctx.w.warn(where, "birthDate", p.birthDate, "not a full date; birth date left unknown")
        ctx.out["birth_date"] = birth
    if p.gender in _SEXES:
        ctx.out["sex"] = p.gender
    elif p.gender is not None:
        ctx.w.warn(where, "gender", p.gender, "not an R4 administrative gender; sex unknown")
    deceased = to_date(p.deceasedDateTime)
    if p.deceasedBoolean or (deceased is not None and deceased <= ctx.as_of):
        ctx.w.warn(where, "deceased", deceased or True, "the record says this patient has died")


# --------------------------------------------------------------------------- conditions


def condition_start(c: Condition) -> dt.date | None:
    """Onset (dateTime or period start), else the recorded date."""
    if c.onsetDateTime is not None:
        return earliest(c.onsetDateTime)
    if c.onsetPeriod is not None and c.onsetPeriod.start is not None:
        return earliest(c.onsetPeriod.start)
    return earliest(c.recordedDate)


def condition_current(c: Condition, as_of: dt.date) -> bool:
    """Current on ``as_of``: not abated by then, and not marked ended without an abatement date."""
    ended: dt.date | None = None
    if c.abatementDateTime is not None:
        ended = earliest(c.abatementDateTime)
    elif c.abatementPeriod is not None:
        ended = earliest(c.abatementPeriod.end or c.abatementPeriod.start)
    if ended is not None:
        return ended > as_of
    if c.abatementString or c.abatementAge or c.abatementRange:
        return False
    return status_code(c.clinicalStatus) not in _ENDED_CLINICAL


def _conditions(ctx: Ctx, conditions: list[Condition]) -> None:
    present = False
    for c in conditions:
        where = label(c)
        verification = status_code(c.verificationStatus)
        absent = ctx.items("absent", c.code)
        if verification == "entered-in-error" or "no-information" in absent:
            continue
        present = True
        if verification == "refuted" or "no-known-problems" in absent:
            continue
        if verification in _UNCONFIRMED:
            ctx.w.warn(where, "verificationStatus", verification, "not confirmed; not used")
            continue
        start = condition_start(c)
        if start is not None and start > ctx.as_of:
            ctx.w.skip(where, "onset", "after as_of", "not yet recorded on as_of")
            continue
        current = condition_current(c, ctx.as_of)
        if not _condition_items(ctx, c, current, start):
            why = "maps to no condition, history item or risk factor"
            if not current:
                why = "not current on as_of and not a history item"
            ctx.w.skip(where, "code", show_code(c.code), why)
    if present:
        for key in ("conditions", "history", "cv_risk_factors", "active_infections"):
            ctx.out.setdefault(key, [])


def _condition_items(ctx: Ctx, c: Condition, current: bool, start: dt.date | None) -> bool:
    used = False
    # History is lifetime: a resolved myocardial infarction is still a history of one.
    for item in ctx.items("history", c.code) + ctx.local("history", c.code):
        if item in _HISTORY_ITEMS:
            ctx.append("history", item)
            used = True
    if not used and _names_liver_disease(ctx, c):
        ctx.append("history", "chronic-liver-disease")  # blocks hepatic "none" only (policy 12)
        used = True
    if not current:
        return used
    snomed = {code for system, code, _d in codings(c.code) if system == SNOMED}
    for cid, cond in ctx.kb.conditions.items():
        if snomed.intersection(cond.snomed):
            ctx.append("conditions", cid)
            used = True
    for cid in ctx.local("condition", c.code):
        if cid in ctx.kb.conditions:
            ctx.append("conditions", cid)
            used = True
        else:
            ctx.w.warn(label(c), "code", cid, "not a condition id of this knowledge base")
    for item in ctx.items("cv_risk_factors", c.code) + ctx.local("cv-risk-factor", c.code):
        if item in _CV_ITEMS:
            ctx.append("cv_risk_factors", item)
            used = True
    infection = ctx.items("infections", c.code)
    if infection or ctx.local("active-infection", c.code):
        severity = ctx.items("severity", c.severity)
        serious = True if "serious" in infection or "severe" in severity else None
        serious = False if serious is None and "mild" in severity else serious
        name = concept_text(c.code) or "infection"
        ctx.append("active_infections", ActiveInfection(name=name, serious=serious))
        used = True
    if ctx.items("pregnancy_conditions", c.code):
        ctx.pregnancy.append((start, "pregnant"))
        used = True
    if ctx.items("dialysis", c.code):
        ctx.out["on_dialysis"] = True
        used = True
    return used


def _names_liver_disease(ctx: Ctx, c: Condition) -> bool:
    names = [c.code.text or "" if c.code else "", *(d or "" for _s, _c, d in codings(c.code))]
    text = " ".join(names).lower()
    return any(
        re.search(rf"\b{re.escape(w)}\b", text) for w in ctx.tables.liver_disease_words.words
    )


# --------------------------------------------------------------------------- procedures

_PROCEDURE_DONE = frozenset({"completed", "in-progress"})


def _procedures(ctx: Ctx, procedures: list[Procedure]) -> None:
    """A dialysis Procedure within the knowledge's window sets ``on_dialysis``; a sterilising
    procedure is a history item (issue 10; rules.derive reads both)."""
    rules = ctx.kb.derivations
    for p in procedures:
        if p.status not in _PROCEDURE_DONE:
            continue
        day = _procedure_day(p)
        if day is None or day > ctx.as_of:
            continue
        for item in ctx.items("history", p.code):
            if item in _HISTORY_ITEMS and ctx.out.get("history") is not None:
                ctx.append("history", item)
        if "dialysis-procedure" in ctx.items("dialysis", p.code):
            window = rules.dialysis.procedure_max_age_days if rules is not None else None
            if window is not None and (ctx.as_of - day).days <= window:
                ctx.out["on_dialysis"] = True
            else:
                ctx.w.skip(label(p), "performed", str(day), "dialysis longer ago than the window")


def _procedure_day(p: Procedure) -> dt.date | None:
    if p.performedDateTime is not None:
        return earliest(p.performedDateTime)
    if p.performedPeriod is not None:
        return earliest(p.performedPeriod.end or p.performedPeriod.start)
    return None


# --------------------------------------------------------------------------- observations


def observation_date(o: Observation) -> tuple[dt.date | None, bool]:
    """(day, partial): the effective day, and whether a date was given but is not a full day."""
    raw: object = o.effectiveDateTime
    if raw is None and o.effectivePeriod is not None:
        raw = o.effectivePeriod.start or o.effectivePeriod.end
    if raw is None:
        raw = o.effectiveInstant
    day = to_date(raw)
    return day, raw is not None and day is None


def _observations(ctx: Ctx, observations: list[Observation]) -> None:
    smoking: list[tuple[dt.date | None, str]] = []
    for o in observations:
        where = label(o)
        if o.status not in _FINAL_OBSERVATION:
            if o.status not in {"entered-in-error", "cancelled"}:
                ctx.w.warn(where, "status", o.status, "not a final result; not used")
            continue
        day, partial = observation_date(o)
        if day is not None and day > ctx.as_of:
            ctx.w.skip(where, "effective", "after as_of", "not yet known on as_of")
            continue
        kinds = ctx.items("observations", o.code)
        value = o.valueCodeableConcept
        if "smoking-status" in kinds:
            status = ctx.items("smoking_status", value) + ctx.local("smoking", value)
            if status and status[0] in _SMOKING:
                smoking.append((day, status[0]))
            else:
                ctx.w.warn(where, "value", show_code(value), "unknown smoking status code")
        elif "pregnancy-status" in kinds:
            status = ctx.items("pregnancy_status", value)
            if status:
                ctx.pregnancy.append((day, status[0]))
            else:
                ctx.w.warn(where, "value", show_code(value), "unknown pregnancy status code")
        elif "weight_kg" in kinds or "height_cm" in kinds:
            _measurement(ctx, o, "weight_kg" if "weight_kg" in kinds else "height_cm", day)
        elif _screening_items(ctx, o):
            _screening(ctx, o, day)
        else:
            used = _lab(ctx, where, o.code, o.valueQuantity, day, partial, "", o.referenceRange)
            for i, comp in enumerate(o.component or []):
                prefix = f"component[{i}]."
                ranges = comp.referenceRange
                used = (
                    _lab(ctx, where, comp.code, comp.valueQuantity, day, partial, prefix, ranges)
                    or used
                )
            if not used:
                ctx.w.skip(where, "code", show_code(o.code), "no rule reads this observation")
    if smoking:
        ctx.out["smoking"] = latest(smoking)


def _measurement(
    ctx: Ctx, o: Observation, kind: Literal["weight_kg", "height_cm"], day: dt.date | None
) -> None:
    where = label(o)
    q = o.valueQuantity
    if q is None or q.value is None:
        ctx.w.warn(where, "valueQuantity", None, f"no value; {kind} not recorded")
        return
    unit = quantity_unit(q) or ""
    factor = ctx.tables.unit_factor(kind, unit)
    if factor is None:
        accepted = ", ".join(getattr(ctx.tables.units, kind))
        ctx.w.warn(where, "valueQuantity.unit", unit, f"not accepted for {kind}; use {accepted}")
        return
    value = Decimal(str(q.value)) * factor
    if value <= 0:
        ctx.w.warn(where, "valueQuantity.value", q.value, f"{kind} must be positive; left out")
        return
    ctx.append("measurements", Measurement(kind=kind, value=float(value), date=day))


def _lab(
    ctx: Ctx,
    where: str,
    code: Concept | None,
    q: AnyQuantity | None,
    day: dt.date | None,
    partial: bool,
    prefix: str = "",
    ranges: list[ReferenceRange] | None = None,
) -> bool:
    """A lab result if ``code`` is an analyte's LOINC (or jakguide analyte) code; True if it is."""
    analyte = None
    for system, c, _display in codings(code):
        if system == LOINC and c:
            analyte = ctx.kb.analyte_by_loinc(c)
        elif system == local_system("analyte") and c:
            analyte = ctx.kb.analyte(c)
        if analyte is not None:
            break
    if analyte is None:
        return False
    fld = f"{prefix}valueQuantity"
    if q is None or q.value is None:
        ctx.w.warn(where, fld, None, f"no numeric value for {analyte.id}; left out")
        return True
    if q.comparator:
        value = f"{q.comparator}{q.value}"
        ctx.w.warn(where, fld, value, f"not an exact value for {analyte.id}; left out")
        return True
    unit = quantity_unit(q)
    if not unit:
        ctx.w.warn(where, f"{fld}.unit", None, f"no unit for {analyte.id}; left out")
        return True
    if day is None:
        why = "a partial date" if partial else "no effective date"
        ctx.w.warn(where, "effective", None, f"{why} for {analyte.id}; left out")
        return True
    try:
        to_canonical(ctx.kb, analyte.id, Decimal(str(q.value)), unit, field=f"{where}.{fld}")
    except (UnitError, ImplausibleValueError) as exc:
        ctx.w.warn(where, fld, f"{q.value} {unit}", f"{exc.reason}; left out")
        return True
    high = _reference_high(ctx, where, f"{prefix}referenceRange", analyte.id, unit, ranges)
    ctx.append(
        "labs",
        LabResult(
            analyte=analyte.id, value=float(q.value), unit=unit, date=day, reference_high=high
        ),
    )
    return True


def _reference_high(
    ctx: Ctx,
    where: str,
    fld: str,
    analyte: str,
    unit: str,
    ranges: list[ReferenceRange] | None,
) -> float | None:
    """The upper limit of the result's normal reference range, in the result's unit.

    Only a range without a ``type`` or of type ``normal`` counts; a limit in another accepted
    unit is converted; one that cannot be read is left out with a warning (the rule then uses
    the knowledge's default limit).
    """
    for i, r in enumerate(ranges or []):
        kinds = [c for _s, c, _d in codings(r.type)] if r.type is not None else ["normal"]
        if "normal" not in kinds or r.high is None or r.high.value is None:
            continue
        here = f"{fld}[{i}].high"
        high_unit = quantity_unit(r.high) or unit
        to = ctx.kb.factor(analyte, unit)
        back = ctx.kb.factor(analyte, high_unit)
        if to is None or back is None or r.high.value <= 0:
            shown = f"{r.high.value} {high_unit}"
            ctx.w.warn(where, here, shown, f"not a usable upper limit for {analyte}; left out")
            return None
        return float(Decimal(str(r.high.value)) * back / to)
    return None


def _screening_items(ctx: Ctx, o: Observation) -> list[str]:
    local = [i for i in ctx.local("screening-item", o.code) if i in _SCREENING_ITEMS]
    return ctx.items("screening_tests", o.code) + local


def _interpret(ctx: Ctx, o: Observation) -> str | None:
    value = o.valueCodeableConcept
    coded = [r for r in ctx.local("screening-result", value) if r in _RESULTS]
    coded += ctx.items("results", value)
    if coded:
        return coded[0]
    for text in (o.valueString, concept_text(value)):
        word = (text or "").strip().lower()
        if word in _RESULT_WORDS:
            return _RESULT_WORDS[word]
    for cc in o.interpretation or []:
        coded = ctx.items("results", cc)
        if coded:
            return coded[0]
    return None


def _screening(ctx: Ctx, o: Observation, day: dt.date | None) -> None:
    item = _screening_items(ctx, o)[0]
    result = _interpret(ctx, o)
    if result is None:
        value: object = o.valueString or o.valueQuantity
        if o.valueCodeableConcept is not None:
            value = show_code(o.valueCodeableConcept)
        ctx.w.warn(label(o), "value", value, f"{item} result is not interpretable; left out")
        return
    ctx.append("screening", Screening(item=item, result=result, date=day))
