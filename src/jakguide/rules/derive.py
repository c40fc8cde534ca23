"""Implied is known: the inputs other recorded data settle, derived before any rule runs.

``derive(ctx, condition)`` returns the patient with each derived value filled in where the
explicit entry is absent, and one ``Derivation`` per value: the fact shown to the user ("not on
dialysis: eGFR 98 mL/min/1.73 m2 on 2026-11-10") and its sources. Every window, margin and
cut-off comes from ``knowledge/derivations.yaml``. Derivations go in the safe direction only,
only when every recorded measure agrees, and never from one normal value where the label needs
a positive finding (a normal CRP never settles "no inflammation"; a low score never closes an
option). An explicit entry always wins: nothing here overwrites a recorded value.

The rules that read a derived input call ``Context.derived(key)``; the ``derive`` check, run
last, adds one ``derive.<key>`` finding per derivation the option's rules used, and one
``derive.not-derived.<key>`` finding per input they asked for that a recorded contrary value
(a liver test above the limit, liver disease or end-stage renal disease in the history, a renal
value below the limit) kept from being derived: an answer is never silently worse because of a
value that, removed, would let the derivation through.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from jakguide.kb.names import resolve
from jakguide.kb.schema import NumberRange
from jakguide.kb.schema_derive import DerivationFile, SeverityCutoff
from jakguide.model import Disease, Finding, ObjectiveInflammation, Patient
from jakguide.rules.base import make
from jakguide.rules.context import Context, OptionContext, RenalValue
from jakguide.rules.derivation import Derivation

__all__ = ["Derivation", "check_derived", "derive", "renal_ruled_out"]

_UNITS = {"egfr": "mL/min/1.73 m2", "creatinine-clearance": "mL/min"}
_DISEASE_FIELDS = {"pasi": "pasi", "bsa": "bsa_percent", "dlqi": "dlqi"}
_NAMES = {"bsa": "BSA %", "viga-ad": "vIGA-AD", "partial-mayo": "partial Mayo"}


def derive(
    ctx: Context, condition: str | None, blocked: dict[str, Derivation] | None = None
) -> tuple[Patient, dict[str, Derivation]]:
    """The patient with derived inputs filled in, and the derivations (key -> Derivation).

    ``blocked``, when given, receives the inputs a recorded contrary value kept from being
    derived (value None, the fact naming that value): a rule that then asks for the input shows
    why it was not derived, so an answer with the contrary value is never silently worse.
    """
    rules = ctx.kb.derivations
    if rules is None:
        return ctx.patient, {}
    out = blocked if blocked is not None else {}
    found: list[Derivation] = []
    found.extend(_dialysis(ctx, rules, out))
    found.extend(_hepatic(ctx, rules, out))
    for fn in (_reproductive, _hepatitis):
        found.extend(fn(ctx, rules))
    if condition is not None:
        found.extend(_severity(ctx, rules, condition))
    found.extend(_inflammation(ctx, rules))
    found.extend(_candidacy(ctx, rules))
    derivations = {d.key: d for d in found}
    return _apply(ctx.patient, derivations), derivations


def _apply(patient: Patient, derivations: dict[str, Derivation]) -> Patient:
    update: dict[str, Any] = {
        key: derivations[key].value
        for key in ("on_dialysis", "hepatic_impairment", "reproductive_potential", "pregnancy")
        if key in derivations
    }
    disease: dict[str, Any] = {}
    if "objective_inflammation" in derivations:
        old = patient.disease.objective_inflammation if patient.disease else None
        disease["objective_inflammation"] = ObjectiveInflammation(
            crp_elevated=True, mri=old.mri if old else None
        )
    if "candidate_for" in derivations:
        disease["candidate_for"] = list(derivations["candidate_for"].value)
    if disease:
        base = patient.disease if patient.disease is not None else Disease()
        update["disease"] = base.model_copy(update=disease)
    return patient.model_copy(update=update) if update else patient


def _num(value: Decimal) -> str:
    """``98`` rather than ``98.0``; ``0.9`` stays ``0.9``."""
    return format(value.normalize(), "f")


def _recent(ctx: Context, date: dt.date | None, days: int) -> bool:
    return date is not None and (ctx.as_of - date).days <= days


def _renal_values(ctx: Context, days: int) -> list[RenalValue]:
    """Every renal value on record within ``days`` (eGFR, measured CrCl, Cockcroft-Gault)."""
    out = [r for m in ("egfr", "creatinine-clearance") if (r := ctx.renal(m)) is not None]
    cg = ctx.cockcroft_gault
    if cg is not None and cg not in out:
        out.append(cg)
    return [r for r in out if _recent(ctx, r.date, days)]


def _renal_text(r: RenalValue) -> str:
    if r.derived:
        return f"{r.detail}"
    name = "eGFR" if r.measure == "egfr" else "creatinine clearance"
    return f"{name} {_num(r.value)} {_UNITS[r.measure]} on {r.date}"


# -- dialysis --------------------------------------------------------------------------------


def _dialysis(
    ctx: Context, rules: DerivationFile, blocked: dict[str, Derivation]
) -> list[Derivation]:
    rule = rules.dialysis
    if ctx.patient.on_dialysis is not None:
        return []
    esrd = [item for item in ctx.patient.history or [] if item in rule.blocked_by]
    if esrd:  # an end-stage renal disease or CKD stage 5 record blocks it
        why = f"not on dialysis not derived: {esrd[0]} in the medical history"
        blocked["on_dialysis"] = Derivation("on_dialysis", None, why, (rule.source,))
        return []
    values = _renal_values(ctx, rule.max_age_days)
    if not values:
        return []
    limits: dict[str, Decimal] = {str(k): v for k, v in rule.min_value.items()}
    low = [r for r in values if r.measure not in limits or r.value < limits[r.measure]]
    if low:  # a recorded measure disagrees
        shown = "; ".join(_renal_text(r) for r in low)
        why = f"not on dialysis not derived: {shown}, below {_num(min(limits.values()))}"
        blocked["on_dialysis"] = Derivation("on_dialysis", None, why, (rule.source,))
        return []
    facts = "; ".join(_renal_text(r) for r in values)
    return [Derivation("on_dialysis", False, f"not on dialysis: {facts}", (rule.source,))]


# -- hepatic impairment ------------------------------------------------------------------------


def _hepatic(
    ctx: Context, rules: DerivationFile, blocked: dict[str, Derivation]
) -> list[Derivation]:
    rule = rules.hepatic
    p = ctx.patient
    if p.hepatic_impairment != "unknown" or p.history is None:
        return []
    disease = [item for item in p.history if item in rule.liver_disease]
    if disease:
        why = f"hepatic impairment none not derived: {disease[0]} in the medical history"
        blocked["hepatic_impairment"] = Derivation("hepatic_impairment", None, why, (rule.source,))
        return []
    shown = []
    for analyte, uln in rule.uln.items():
        point = ctx.latest(analyte)
        if point is None or not _recent(ctx, point.date, rule.max_age_days):
            continue  # absent liver tests do not block
        if point.value > uln * rule.max_uln_multiple:
            why = (
                f"hepatic impairment none not derived: {analyte.upper()} {_num(point.value)} "
                f"{point.unit} on {point.date} is above {_num(rule.max_uln_multiple)}x its "
                f"upper limit ({_num(uln)} {point.unit})"
            )
            blocked["hepatic_impairment"] = Derivation(
                "hepatic_impairment", None, why, (rule.source,)
            )
            return []
        shown.append(f"{analyte.upper()} {_num(point.value)} {point.unit} on {point.date}")
    fact = "hepatic impairment none: medical history reviewed, no liver disease"
    if shown:
        fact += "; " + ", ".join(shown)
    return [Derivation("hepatic_impairment", "none", fact, (rule.source,))]


# -- reproductive potential ----------------------------------------------------------------------


def _reproductive(ctx: Context, rules: DerivationFile) -> list[Derivation]:
    rule = rules.reproductive
    p = ctx.patient
    if p.sex == "male" or p.reproductive_potential is not None:
        return []
    if p.pregnancy == "pregnant" or p.breastfeeding == "yes":
        return []  # recorded data disagree
    history = p.history or []
    menopause = [h for h in history if h in rule.menopause]
    if menopause:
        fact = f"no reproductive potential: {menopause[0]} recorded"
        return [Derivation("reproductive_potential", False, fact, (rule.source,))]
    age = ctx.age
    if age is not None and Decimal(str(age)) >= rule.min_age_years:
        fact = f"no reproductive potential: age {age:g} years (from {_num(rule.min_age_years)})"
        return [Derivation("reproductive_potential", False, fact, (rule.age_source, rule.source))]
    sterilised = [h for h in history if h in rule.sterilisation]
    if sterilised and p.pregnancy == "unknown":
        # Sterilisation settles pregnancy only, never breastfeeding (policy 13).
        fact = f"not pregnant: permanent sterilisation ({sterilised[0]}) recorded"
        return [Derivation("pregnancy", "not-pregnant", fact, (rule.source,))]
    return []


# -- hepatitis -----------------------------------------------------------------------------------


def _hepatitis(ctx: Context, rules: DerivationFile) -> list[Derivation]:
    rule = rules.hepatitis
    p = ctx.patient
    history = p.history
    latest: dict[str, tuple[str, dt.date]] = {}
    for s in p.screening or []:
        if s.date is None or s.date > ctx.as_of or not _recent(ctx, s.date, rule.max_age_days):
            continue  # undated or too old: settles nothing
        if s.item not in latest or s.date >= latest[s.item][1]:
            latest[s.item] = (s.result, s.date)

    def neg(item: str) -> bool:
        return item in latest and latest[item][0] == "negative"

    def text(item: str) -> str:
        result, date = latest[item]
        return f"{item} {result} on {date}"

    out: list[Derivation] = []
    if history is None or "hbv-active" not in history:
        hbv: list[str] | None = None
        if neg("hbsag") and neg("anti-hbc"):
            hbv = [text("hbsag"), text("anti-hbc")]
        elif neg("hbsag") and "anti-hbc" in latest and neg("hbv-dna"):
            hbv = [text("hbsag"), text("anti-hbc"), text("hbv-dna")]
        if hbv is not None:
            fact = "no active hepatitis B: " + ", ".join(hbv)
            out.append(Derivation("hbv-active", False, fact, (rule.source,)))
    if (history is None or "hcv-active" not in history) and neg("hcv"):
        fact = f"no active hepatitis C: HCV antibody {latest['hcv'][0]} on {latest['hcv'][1]}"
        out.append(Derivation("hcv-active", False, fact, (rule.source,)))
    return out


# -- disease severity and objective inflammation -----------------------------------------------


def _severity(ctx: Context, rules: DerivationFile, condition: str) -> list[Derivation]:
    disease = ctx.patient.disease
    if disease is not None and disease.severity is not None:
        return []
    rule = next((r for r in rules.severity if r.condition == condition), None)
    if rule is None:
        return []
    met: list[tuple[str, SeverityCutoff]] = []
    for cut in rule.cutoffs:
        value = _instrument_value(ctx, cut.instrument)
        if value is None:
            continue
        name, number = value
        ok = (cut.above is not None and number > cut.above) or (
            cut.at_least is not None and number >= cut.at_least
        )
        if not ok and cut.role == "deciding":
            return []  # every recorded measure must agree; a low value closes nothing
        if ok:
            met.append((name, cut))
    if not any(c.role == "deciding" for _, c in met):
        return []  # a supporting measure (DLQI) never settles severity alone
    levels = " to ".join(dict.fromkeys((rule.derives[0], rule.derives[-1])))
    basis = rule.basis.replace("-", " ")
    shown = [f"{name} ({_cut_text(c)})" for name, c in met]
    fact = f"{levels} disease ({basis}): " + ", ".join(shown)
    return [Derivation("severity", tuple(rule.derives), fact, tuple(c.source for _, c in met))]


def _cut_text(cut: SeverityCutoff) -> str:
    if cut.above is not None:
        return f"> {_num(cut.above)}"
    assert cut.at_least is not None
    return f">= {_num(cut.at_least)}"


def _instrument_value(ctx: Context, instrument: str) -> tuple[str, Decimal] | None:
    disease = ctx.patient.disease
    field = _DISEASE_FIELDS.get(instrument)
    label = _NAMES.get(instrument, instrument.upper())
    if field is not None and disease is not None:
        value = getattr(disease, field)
        if value is not None:
            return f"{label} {value:g}", Decimal(str(value))
    records = [
        s
        for s in ctx.patient.scores or []
        if s.instrument == instrument and s.value is not None and s.date <= ctx.as_of
    ]
    if not records:
        return None
    last = max(records, key=lambda s: s.date)
    assert last.value is not None
    return f"{label} {last.value:g} on {last.date}", Decimal(str(last.value))


def _inflammation(ctx: Context, rules: DerivationFile) -> list[Derivation]:
    rule = rules.inflammation
    disease = ctx.patient.disease
    oi = disease.objective_inflammation if disease else None
    if oi is not None and oi.crp_elevated is not None:
        return []
    point = ctx.latest(rule.analyte)
    if point is None or not _recent(ctx, point.date, rule.max_age_days):
        return []
    # The result's own reference limit (FHIR referenceRange.high, native reference_high), else
    # the knowledge's default (policy 14).
    own = point.reference_high
    limit = own if own is not None else rule.default_upper_limit
    if point.value <= limit:
        return []  # a normal CRP never settles "no inflammation"
    whose = "the result's reference limit" if own is not None else "the reference limit"
    fact = (
        f"objective inflammation: CRP {_num(point.value)} {point.unit} on {point.date}, "
        f"above {whose} {_num(limit)} {point.unit}"
    )
    return [Derivation("objective_inflammation", True, fact, (rule.source,))]


# -- candidate for systemic therapy ---------------------------------------------------------------


def _candidacy(ctx: Context, rules: DerivationFile) -> list[Derivation]:
    """Candidate for systemic therapy from a systemic therapy on record (policy 17)."""
    rule = rules.candidacy
    disease = ctx.patient.disease
    if rule is None or (disease is not None and disease.candidate_for is not None):
        return []
    never_topical: set[str] = set()
    for cid in rule.classes:
        never_topical |= ctx.kb.class_members(cid)
    agents = never_topical | set(rule.ingredients)
    shown: list[str] = []
    for prior in ctx.patient.prior_therapies or []:
        inn = resolve(ctx.kb, prior.drug).inn
        if inn in agents:
            shown.append(f"prior therapy {_as_entered(prior.drug, inn)} ({prior.outcome})")
    for med in ctx.medications or []:
        for inn in med.ingredients:
            known_route = med.route is not None and med.systemic
            if inn in never_topical or (inn in agents and known_route):
                shown.append(f"current medicine {_as_entered(med.entered, inn)}")
    if not shown:
        return []
    fact = "candidate for systemic therapy: " + ", ".join(dict.fromkeys(shown))
    return [Derivation("candidate_for", ("systemic",), fact, (rule.source,))]


def _as_entered(entered: str, inn: str) -> str:
    return inn if entered.strip().lower() == inn else f"{entered} ({inn})"


# -- renal bands far from the other measure ------------------------------------------------------


def renal_ruled_out(ctx: Context, band: NumberRange, measure: str) -> Derivation | None:
    """The band ruled out by the other renal measure, registered as a used derivation.

    Only ever rules a band out (a value ``margin`` or more beyond its edge, every recorded value
    of the other measure agreeing); never picks a dose band.
    """
    rules = ctx.kb.derivations
    if rules is None:
        return None
    rule = rules.renal_cross
    others = [r for r in _renal_values(ctx, rule.max_age_days) if r.measure != measure]
    if not others:
        return None
    upper = band.lt if band.lt is not None else band.lte
    lower = band.gt if band.gt is not None else band.gte
    for r in others:
        far_above = upper is not None and r.value >= Decimal(str(upper)) + rule.margin
        far_below = lower is not None and r.value <= Decimal(str(lower)) - rule.margin
        if not (far_above or far_below):
            return None  # every recorded measure must agree
    shown = "; ".join(_renal_text(r) for r in others)
    key = f"renal-band-{measure}"
    old = ctx.derivations.get(key)
    bands = f"{_range_text(band)} {_UNITS[measure]}"
    if old is not None and bands not in old.fact:
        bands = old.fact.split(" ruled out")[0].removeprefix("renal band ") + f", {bands}"
    fact = f"renal band {bands} ruled out by {shown}"
    d = Derivation(key, False, fact, (rule.source,))
    ctx.derivations[key] = d
    ctx.used_derivations.add(key)
    return d


def _range_text(band: NumberRange) -> str:
    # as predicates.describe_range words it (not imported: predicates imports this module)
    parts = [
        f"{sym} {value:g}"
        for sym, value in ((">=", band.gte), (">", band.gt), ("<=", band.lte), ("<", band.lt))
        if value is not None
    ]
    return " and ".join(parts)


# -- the findings ----------------------------------------------------------------------------


def check_derived(ctx: Context, opt: OptionContext) -> list[Finding]:
    """One info finding per derivation this option's rules used (run after every other check)."""
    used = sorted(ctx.used_derivations)
    asked = sorted(ctx.asked_blocked)
    ctx.used_derivations.clear()
    ctx.asked_blocked.clear()
    found = [
        make(
            ctx.kb,
            f"derive.{key.replace('_', '-')}",
            "missing-data",
            "info",
            f"Derived from other recorded data (not entered): {d.fact.split(':')[0]}.",
            d.sources,
            [d.fact],
        )
        for key in used
        if (d := ctx.derivations.get(key)) is not None
    ]
    # A contrary value on record kept an input from being derived: say which (the option is
    # needs-data for that input; without the value it might not be).
    found += [
        make(
            ctx.kb,
            f"derive.not-derived.{key.replace('_', '-')}",
            "missing-data",
            "info",
            f"Not derived from other recorded data: {b.fact.split(' not derived:')[0]}, "
            "because a recorded value disagrees.",
            b.sources,
            [b.fact],
        )
        for key in asked
        if (b := ctx.blocked.get(key)) is not None
    ]
    return found
