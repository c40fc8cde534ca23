"""Which implied inputs a record settles: the needs-data report's "settle-able" classification.

Issue 10's target is that no option is `needs-data` only because of an input that other recorded
data settle. An input counts as settle-able here when the record holds the evidence that the
documented derivations (docs/policies.md 11-17, boundaries in knowledge/derivations.yaml) accept,
read straight from the record and the knowledge, not from ``rules.derive``'s own output. So an
option held back only by settle-able inputs is a derivation that did not fire (a bug), and the
other implied-input options are named with the reason the record does not settle them (history
not reviewed, no recent renal value, a woman under the age limit, a score below the cut-off, ...).

Each check returns ``(True, evidence)`` or ``(False, reason)``; reasons are short and stable so the
report can count them.
"""

from __future__ import annotations

from decimal import Decimal

from jakguide.kb.base import Knowledge
from jakguide.kb.names import resolve
from jakguide.kb.schema_derive import DerivationFile, SeverityCutoff
from jakguide.rules.context import Context

Verdict = tuple[bool, str]

_FIELDS = {"pasi": "pasi", "bsa": "bsa_percent", "dlqi": "dlqi"}


def settles(name: str, ctx: Context, condition: str, drug: str, region: str) -> Verdict:
    """Whether the record settles the implied input ``name`` (a needs-data report input)."""
    rules = ctx.kb.derivations
    if rules is None:
        return False, "no derivations in the knowledge"
    check = {
        "dialysis status": _dialysis,
        "hepatic impairment": _hepatic,
        "pregnancy status": _pregnancy,
        "breastfeeding status": _breastfeeding,
        "objective signs of inflammation": _inflammation,
    }.get(name)
    if check is not None:
        return check(ctx, rules)
    if name == "disease severity":
        return _severity(ctx, rules, condition, drug, region)
    if name == "candidacy for systemic therapy or phototherapy":
        return _candidacy(ctx, rules)
    return False, "not an implied input"


def _days(ctx: Context, date: object) -> int | None:
    import datetime as dt

    return (ctx.as_of - date).days if isinstance(date, dt.date) else None


def _dialysis(ctx: Context, rules: DerivationFile) -> Verdict:
    rule = rules.dialysis
    if any(h in rule.blocked_by for h in ctx.patient.history or []):
        return False, "end-stage renal disease recorded"
    values = []
    for measure in ("egfr", "creatinine-clearance"):
        point = ctx.latest(measure)
        if point is not None:
            values.append((measure, point.value, point.date))
    cg = ctx.cockcroft_gault
    if cg is not None and ctx.latest("creatinine-clearance") is None:
        values.append(("creatinine-clearance", cg.value, cg.date))
    recent = [v for v in values if (d := _days(ctx, v[2])) is not None and d <= rule.max_age_days]
    if not recent:
        return False, "no renal value within the window"
    low = [v for v in recent if v[1] < rule.min_value[v[0]]]  # type: ignore[index]
    if low:
        return False, "a renal value below the limit"
    return True, "recent renal values above the limit"


def _hepatic(ctx: Context, rules: DerivationFile) -> Verdict:
    rule = rules.hepatic
    history = ctx.patient.history
    if history is None:
        return False, "medical history not reviewed"
    if any(h in rule.liver_disease for h in history):
        return False, "liver disease recorded"
    for analyte, uln in rule.uln.items():
        point = ctx.latest(analyte)
        days = _days(ctx, point.date) if point is not None else None
        recent = point is not None and days is not None and days <= rule.max_age_days
        if recent and point is not None and point.value > uln * rule.max_uln_multiple:
            return False, "liver test above the limit"
    return True, "reviewed history without liver disease"


def _no_potential(ctx: Context, rules: DerivationFile) -> Verdict:
    rule = rules.reproductive
    p = ctx.patient
    if p.sex == "male":
        return True, "male"
    if p.pregnancy == "pregnant" or p.breastfeeding == "yes":
        return False, "pregnancy or breastfeeding recorded"
    if any(h in rule.menopause for h in p.history or []):
        return True, "menopause recorded"
    age = ctx.age
    if age is None:
        return False, "no age"
    if Decimal(str(age)) >= rule.min_age_years:
        return True, "age at or above the limit"
    return False, "woman under the age limit"


def _pregnancy(ctx: Context, rules: DerivationFile) -> Verdict:
    ok, why = _no_potential(ctx, rules)
    if ok:
        return ok, why
    if any(h in rules.reproductive.sterilisation for h in ctx.patient.history or []):
        return True, "permanent sterilisation recorded"
    return ok, why


def _breastfeeding(ctx: Context, rules: DerivationFile) -> Verdict:
    return _no_potential(ctx, rules)


def _inflammation(ctx: Context, rules: DerivationFile) -> Verdict:
    rule = rules.inflammation
    point = ctx.latest(rule.analyte)
    if point is None:
        return False, "no CRP"
    days = _days(ctx, point.date)
    if days is None or days > rule.max_age_days:
        return False, "no CRP within the window"
    limit = rule.default_upper_limit
    for lab in ctx.patient.labs or []:
        if lab.analyte == rule.analyte and lab.date == point.date and lab.reference_high:
            limit = Decimal(str(lab.reference_high))
    if point.value <= limit:
        return False, "CRP within the reference range"
    return True, "CRP above the reference limit"


def _score(ctx: Context, cut: SeverityCutoff) -> Decimal | None:
    disease = ctx.patient.disease
    field = _FIELDS.get(cut.instrument)
    if field is not None and disease is not None and getattr(disease, field) is not None:
        return Decimal(str(getattr(disease, field)))
    found = [
        s
        for s in ctx.patient.scores or []
        if s.instrument == cut.instrument and s.value is not None and s.date <= ctx.as_of
    ]
    if not found:
        return None
    return Decimal(str(max(found, key=lambda s: s.date).value))


def _met(cut: SeverityCutoff, value: Decimal) -> bool:
    return (cut.above is not None and value > cut.above) or (
        cut.at_least is not None and value >= cut.at_least
    )


def _severity(
    ctx: Context, rules: DerivationFile, condition: str, drug: str, region: str
) -> Verdict:
    rule = next((r for r in rules.severity if r.condition == condition), None)
    if rule is None:
        return False, "no severity instruments for the condition"
    asked: set[str] = set()
    label = ctx.kb.label(drug, region)
    for ind in label.indications if label else []:
        if ind.condition == condition and ind.disease and ind.disease.severity:
            asked |= set(ind.disease.severity)
    if not set(rule.derives) <= asked:
        return False, "the label asks another severity than the instruments settle"
    deciding = [c for c in rule.cutoffs if c.role == "deciding"]
    values = [(c, v) for c in deciding if (v := _score(ctx, c)) is not None]
    if not values:
        return False, "no score of a deciding instrument"
    if not all(_met(c, v) for c, v in values):
        return False, "a score at or below its cut-off"
    return True, "every deciding score above its cut-off"


def _candidacy(ctx: Context, rules: DerivationFile) -> Verdict:
    rule = rules.candidacy
    if rule is None:
        return False, "no candidacy rule in the knowledge"
    systemic = systemic_agents(ctx.kb, rules)
    for prior in ctx.patient.prior_therapies or []:
        if resolve(ctx.kb, prior.drug).inn in systemic:
            return True, "a systemic therapy among the prior therapies"
    for med in ctx.medications or []:
        if set(med.ingredients) & systemic and med.systemic:
            return True, "a systemic therapy among the medicines"
    if ctx.patient.prior_therapies is None and ctx.patient.medications is None:
        return False, "no prior therapies or medicines recorded"
    return False, "no systemic therapy recorded"


def systemic_agents(kb: Knowledge, rules: DerivationFile) -> frozenset[str]:
    rule = rules.candidacy
    if rule is None:
        return frozenset()
    out: set[str] = set(rule.ingredients)
    for cid in rule.classes:
        out |= kb.class_members(cid)
    return frozenset(out)
