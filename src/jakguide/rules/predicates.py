"""Three-valued evaluation of the knowledge base's ``When`` conditions.

A condition is true, false, or unknown because an input it needs is not recorded. Unknown carries
the names of the missing inputs so a rule can say exactly what is needed; it is never read as false.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from jakguide.kb.schema import NumberRange, When
from jakguide.rules.context import Context
from jakguide.rules.derive import renal_ruled_out
from jakguide.rules.risk import risk_group_status
from jakguide.rules.truth import Outcome


def in_range(value: Decimal | float, band: NumberRange) -> bool:
    v = Decimal(str(value))
    if band.gte is not None and not v >= Decimal(str(band.gte)):
        return False
    if band.gt is not None and not v > Decimal(str(band.gt)):
        return False
    if band.lte is not None and not v <= Decimal(str(band.lte)):
        return False
    return not (band.lt is not None and not v < Decimal(str(band.lt)))


def describe_range(band: NumberRange, unit: str = "") -> str:
    parts = []
    for attr, sym in (("gte", ">="), ("gt", ">"), ("lte", "<="), ("lt", "<")):
        v = getattr(band, attr)
        if v is not None:
            parts.append(f"{sym} {v:g}")
    return " and ".join(parts) + (f" {unit}" if unit and parts else "")


def _all(parts: list[Outcome]) -> Outcome:
    """AND: false if any false; else unknown if any unknown; else true."""
    facts = [f for p in parts for f in p.facts]
    if any(p.value is False for p in parts):
        return Outcome(False, [], facts)
    missing = [m for p in parts if p.value is None for m in p.missing]
    if missing:
        return Outcome(None, missing, facts)
    return Outcome(True, [], facts)


def _any(parts: list[Outcome]) -> Outcome:
    """OR: true if any true; else unknown if any unknown; else false."""
    facts = [f for p in parts for f in p.facts]
    if any(p.value is True for p in parts):
        return Outcome(True, [], [f for p in parts if p.value for f in p.facts])
    missing = [m for p in parts if p.value is None for m in p.missing]
    if missing:
        return Outcome(None, missing, facts)
    return Outcome(False, [], facts)


def evaluate(when: When, ctx: Context, drug: str) -> Outcome:
    """Evaluate every given key of ``when`` (AND) for this patient and drug."""
    parts: list[Outcome] = []
    if when.renal is not None:
        parts.append(_renal(when, ctx))
    if when.hepatic is not None:
        hep = ctx.patient.hepatic_impairment
        if hep == "unknown":
            ctx.derived("hepatic_impairment")  # a contrary value that blocked it is shown
            parts.append(
                Outcome.unknown("hepatic", "hepatic impairment (Child-Pugh class or none)")
            )
        else:
            fact = ctx.derived_fact("hepatic_impairment", f"hepatic impairment: {hep}")
            parts.append(Outcome(hep in when.hepatic, [], [fact]))
    if when.classes is not None:
        parts.append(_classes(when.classes, ctx, drug, need_all=False))
    if when.all_classes is not None:
        parts.append(_classes(when.all_classes, ctx, drug, need_all=True))
    if when.age_years is not None:
        if ctx.age is None:
            parts.append(Outcome.unknown("age", "age or birth date"))
        else:
            parts.append(Outcome(in_range(ctx.age, when.age_years), [], [f"age {ctx.age:g} years"]))
    if when.weight_kg is not None:
        if ctx.weight_kg is None:
            parts.append(Outcome.unknown("weight", "body weight"))
        else:
            parts.append(
                Outcome(
                    in_range(ctx.weight_kg, when.weight_kg), [], [f"weight {ctx.weight_kg:g} kg"]
                )
            )
    if when.history is not None:
        parts.append(_history(when.history, ctx))
    if when.active_infection is not None or when.active_serious_infection is not None:
        parts.append(_infection(when, ctx))
    if when.pregnancy is not None:
        parts.append(_pregnancy(when.pregnancy, ctx))
    if when.breastfeeding is not None:
        bf = ctx.patient.breastfeeding
        if ctx.patient.sex == "male" or ctx.patient.reproductive_potential is False:
            fact = "not breastfeeding (sex/potential)"
            if ctx.patient.sex != "male":
                fact = ctx.derived_fact("reproductive_potential", fact)
            parts.append(Outcome(not when.breastfeeding, [], [fact]))
        elif bf == "unknown":
            parts.append(Outcome.unknown("breastfeeding", "breastfeeding status"))
        else:
            parts.append(Outcome((bf == "yes") == when.breastfeeding, [], [f"breastfeeding: {bf}"]))
    if when.hypersensitivity is not None:
        allergies = ctx.patient.allergies
        if allergies is None:
            parts.append(Outcome.unknown("allergies", "allergy list"))
        else:
            hit = [a for a in allergies if a.drug.lower() == drug]
            parts.append(
                Outcome(
                    bool(hit) == when.hypersensitivity,
                    [],
                    [
                        f"recorded allergy to {drug}: {a.reaction or 'reaction not stated'}"
                        for a in hit
                    ],
                )
            )
    if when.pharmacogenomics is not None:
        gene = when.pharmacogenomics.gene
        phenotype = getattr(ctx.patient.pharmacogenomics, gene)
        if phenotype == "unknown" and when.pharmacogenomics.known_or_suspected:
            parts.append(
                Outcome.false(f"{gene.upper()} status not known (label: known or suspected)")
            )
        elif phenotype == "unknown":
            parts.append(Outcome.unknown("pharmacogenomics", f"{gene.upper()} metaboliser status"))
        else:
            parts.append(
                Outcome(
                    phenotype in when.pharmacogenomics.phenotypes,
                    [],
                    [f"{gene.upper()} {phenotype} metaboliser"],
                )
            )
    if when.risk_group is not None:
        eu = ctx.kb.label(drug, "EU")  # the EMA Article 20 criteria as this product words them
        rg = risk_group_status(ctx, eu.risk_groups if eu else None)
        parts.append(
            Outcome(None if rg.value is None else rg.value == when.risk_group, rg.missing, rg.facts)
        )
    if when.any_of is not None:
        parts.append(_any([evaluate(w, ctx, drug) for w in when.any_of]))
    return _all(parts)


def _renal(when: When, ctx: Context) -> Outcome:
    band = when.renal
    assert band is not None
    if band.dialysis is not None:
        if ctx.patient.on_dialysis is None:
            ctx.derived("on_dialysis")  # a contrary value that blocked it is shown
            return Outcome.unknown("dialysis", "dialysis status")
        if ctx.patient.on_dialysis != band.dialysis:
            default = "on dialysis" if ctx.patient.on_dialysis else "not on dialysis"
            return Outcome.false(ctx.derived_fact("on_dialysis", default))
        if band.dialysis and all(v is None for v in (band.gte, band.gt, band.lte, band.lt)):
            return Outcome.true("on dialysis")
    renal = ctx.renal(band.measure)
    if renal is None:
        # A band far from the other measure's value is ruled out (never picked): policy 16.
        ruled_out = renal_ruled_out(ctx, band, band.measure)
        if ruled_out is not None:
            return Outcome.false(f"{ruled_out.fact} (derived)")
        return Outcome.unknown("renal", ctx.renal_missing_text(band.measure))
    unit = "mL/min" if band.measure == "creatinine-clearance" else "mL/min/1.73 m2"
    return Outcome(in_range(renal.value, band), [], [f"{renal.detail}: {renal.value} {unit}"])


def _classes(class_ids: list[str], ctx: Context, drug: str, *, need_all: bool) -> Outcome:
    meds = ctx.medications
    if meds is None:
        return Outcome.unknown("medications", "current medication list")
    # The drug itself (e.g. listed among current medicines while on it) never interacts with itself.
    present = {cid: names for cid in class_ids if (names := ctx.classes_excluding(cid, drug))}
    facts = [
        f"{', '.join(sorted(set(names)))}: {ctx.kb.classes[cid].name}"
        for cid, names in present.items()
    ]
    hit = len(present) == len(class_ids) if need_all else bool(present)
    if not hit and ctx.unidentified_systemic:
        # Policy 7: an unidentified systemic (or route-unknown) medicine may be in the class.
        return Outcome.unknown(
            "medications",
            "identification of "
            + "; ".join(
                _unidentified_text(m.entered, m.suggestions) for m in ctx.unidentified_systemic
            ),
        )
    if not hit and ctx.unidentified_medications:
        facts.append("not checked against: " + ", ".join(ctx.unidentified_medications))
    return Outcome(hit, [], facts)


def _unidentified_text(entered: str, suggestions: Sequence[str]) -> str:
    near = f" (nearest: {', '.join(suggestions)})" if suggestions else ""
    return f"{entered!r}{near}"


def _history(items: Sequence[str], ctx: Context) -> Outcome:
    history = ctx.patient.history
    if history is None:
        # Items settled by other data (e.g. negative hepatitis serology, rules.derive)
        if items and all(ctx.derivations.get(h) is not None for h in items):
            return Outcome.false(*(ctx.derived_fact(h, h) for h in items))
        return Outcome.unknown("history", "medical history")
    hits = [h for h in items if h in history]
    return Outcome(bool(hits), [], [f"history of {h}" for h in hits])


def _infection(when: When, ctx: Context) -> Outcome:
    infections = ctx.patient.active_infections
    history = ctx.patient.history or []
    if "tb-active" in history:
        return Outcome.true("active tuberculosis recorded")
    if infections is None:
        return Outcome.unknown("infections", "active infections (record none if there are none)")
    if when.active_serious_infection:
        serious = [i for i in infections if i.serious is not False]
        return Outcome(bool(serious), [], [f"active infection: {i.name}" for i in serious])
    return Outcome(
        bool(infections) == bool(when.active_infection),
        [],
        [f"active infection: {i.name}" for i in infections],
    )


def _pregnancy(wanted: bool, ctx: Context) -> Outcome:
    p = ctx.patient
    if p.sex == "male":
        return Outcome(not wanted, [], ["male"])
    if p.pregnancy == "unknown":
        if p.reproductive_potential is False:
            fact = ctx.derived_fact("reproductive_potential", "not of reproductive potential")
            return Outcome(not wanted, [], [fact])
        return Outcome.unknown("pregnancy", "pregnancy status")
    fact = ctx.derived_fact("pregnancy", f"pregnancy: {p.pregnancy}")
    return Outcome((p.pregnancy == "pregnant") == wanted, [], [fact])
