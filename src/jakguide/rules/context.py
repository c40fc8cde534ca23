"""What rules know about one patient on one day, computed once per assessment.

The context resolves medicines to ingredients and classes, picks the latest lab values on or before
``as_of`` in canonical units, and derives creatinine clearance by Cockcroft-Gault when the label's
measure is creatinine clearance and only serum creatinine is on record. It never reads the clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TypeVar, cast

from jakguide.errors import InputError
from jakguide.kb.base import Knowledge
from jakguide.kb.names import resolve, resolve_ingredients
from jakguide.kb.schema import Citation, Monograph, Region, RegionLabel
from jakguide.model import HistoryItem, LabResult, Patient, Smoking
from jakguide.rules.derivation import Derivation
from jakguide.units import CanonicalValue, to_canonical

# Cockcroft-Gault (Cockcroft & Gault, Nephron 1976;16:31-41), as used in drug labelling:
# CrCl [mL/min] = (140 - age) * weight [kg] / (72 * Scr [mg/dL]), times 0.85 for women.
CG_AGE_BASE = Decimal(140)
CG_DIVISOR = Decimal(72)
CG_FEMALE_FACTOR = Decimal("0.85")


@dataclass(frozen=True)
class LabPoint:
    """One lab result in canonical units, with what was entered."""

    analyte: str
    date: dt.date
    value: Decimal
    unit: str
    value_entered: Decimal
    unit_entered: str
    index: int  # position in the patient's labs list (for messages)
    reference_high: Decimal | None = None  # the result's own upper limit, canonical unit


@dataclass(frozen=True)
class ResolvedMedication:
    entered: str
    ingredients: tuple[str, ...]
    route: str | None
    non_drug: bool = False  # a known entry that is not a medicine (policy 7)
    suggestions: tuple[str, ...] = ()  # nearest names when not identified (never used as a match)

    @property
    def identified(self) -> bool:
        return bool(self.ingredients) or self.non_drug

    @property
    def systemic(self) -> bool:
        """Systemic or of unknown route (policy 7): an unidentified one leaves interactions open."""
        return self.route is None or self.route.lower() not in LOCAL_ROUTES


# Smoking statuses the boxed warning's CV risk-factor count includes, and the history items of
# atherosclerotic CV disease it (and the EMA risk groups) count; the scan reads them too.
SMOKER_STATUSES: tuple[Smoking, ...] = ("current", "former", "former-long-term")
ASCVD_HISTORY: tuple[HistoryItem, ...] = ("myocardial-infarction", "stroke")

# Routes whose unidentified medicine gives a warning only (policy 7); any other route, or none
# recorded, counts as systemic.
LOCAL_ROUTES = frozenset({"topical", "ophthalmic", "otic"})


@dataclass(frozen=True)
class RenalValue:
    measure: str
    value: Decimal
    date: dt.date | None
    derived: bool
    detail: str


@dataclass
class Context:
    patient: Patient
    kb: Knowledge
    as_of: dt.date
    lab_errors: list[str] = field(default_factory=list)
    # Same-day results that disagree: (analyte, date, fact, point used or None); see
    # docs/policies.md, "Same-day results".
    same_day: list[tuple[str, dt.date, str, LabPoint | None]] = field(default_factory=list)
    # Inputs other recorded data settle (rules.derive), and those the current option's rules used.
    derivations: dict[str, Derivation] = field(default_factory=dict)
    used_derivations: set[str] = field(default_factory=set)
    # Inputs a recorded contrary value kept from being derived (value None, fact = the reason),
    # and those the current option's rules asked for.
    blocked: dict[str, Derivation] = field(default_factory=dict)
    asked_blocked: set[str] = field(default_factory=set)

    def derived(self, key: str) -> Derivation | None:
        """The derivation of input ``key`` if there is one, noting that a rule used it (or, when
        a contrary value blocked it, that a rule asked for it)."""
        d = self.derivations.get(key)
        if d is not None:
            self.used_derivations.add(key)
        elif key in self.blocked:
            self.asked_blocked.add(key)
        return d

    def derived_fact(self, key: str, default: str) -> str:
        """The fact for input ``key``: the derivation's (marked derived), else ``default``."""
        d = self.derived(key)
        return f"{d.fact} (derived)" if d is not None else default

    # -- demographics -----------------------------------------------------------------------

    @cached_property
    def age(self) -> float | None:
        return self.patient.age_on(self.as_of)

    @cached_property
    def weight_kg(self) -> float | None:
        m = self.patient.latest_measurement("weight_kg", self.as_of)
        return m.value if m else None

    # -- labs -------------------------------------------------------------------------------

    @cached_property
    def labs(self) -> dict[str, list[LabPoint]]:
        """Canonical lab series per analyte, oldest first, results after ``as_of`` ignored."""
        series: dict[str, list[LabPoint]] = {}
        for i, lab in enumerate(self.patient.labs or []):
            if lab.date > self.as_of:
                continue
            try:
                cv = to_canonical(self.kb, lab.analyte, lab.value, lab.unit, f"labs[{i}]")
            except InputError as exc:
                self.lab_errors.append(str(exc))
                continue
            point = _point(cv, lab, i)
            if lab.reference_high is not None:
                factor = self.kb.factor(lab.analyte, lab.unit.strip())
                if factor is not None:
                    high = Decimal(str(lab.reference_high)) * factor
                    point = dataclasses.replace(point, reference_high=high)
            series.setdefault(lab.analyte, []).append(point)
        for analyte, points in series.items():
            points.sort(key=lambda p: (p.date, p.index))
            series[analyte] = self._one_per_day(analyte, points)
        return series

    def _one_per_day(self, analyte: str, points: list[LabPoint]) -> list[LabPoint]:
        """Same-day results of one analyte (docs/policies.md, "Same-day results").

        Identical duplicates count once; timed results use the later; otherwise the worse value,
        never the better, with a note.
        """
        out: list[LabPoint] = []
        by_day: dict[dt.date, list[LabPoint]] = {}
        for p in points:
            by_day.setdefault(p.date, []).append(p)
        labs = self.patient.labs or []
        for day, same in by_day.items():
            values = sorted({p.value for p in same})
            if len(values) == 1:
                out.append(same[-1])
                continue
            timed = [(t, p) for p in same if (t := labs[p.index].time) is not None]
            if len(timed) == len(same) and len({t for t, _ in timed}) == len(timed):
                out.append(max(timed, key=lambda tp: tp[0])[1])
                continue
            info = self.kb.analyte(analyte)
            worse = info.worse if info else None
            shown = " and ".join(f"{p.value_entered} {p.unit_entered}" for p in same)
            if worse is None:
                self.same_day.append(
                    (analyte, day, f"{analyte} {shown} on {day}: kept in order", None)
                )
                out.extend(same)
                continue
            pick = (
                min(same, key=lambda p: p.value)
                if worse == "low"
                else max(same, key=lambda p: p.value)
            )
            self.same_day.append(
                (
                    analyte,
                    day,
                    f"{analyte} {shown} on {day}; the worse value "
                    f"({pick.value_entered} {pick.unit_entered}) is used",
                    pick,
                )
            )
            out.append(pick)
        return out

    def latest(self, analyte: str) -> LabPoint | None:
        points = self.labs.get(analyte)
        return points[-1] if points else None

    def on_therapy(self, drug: str) -> bool:
        """Whether the patient's current therapy is ``drug``, started on or before ``as_of``."""
        t = self.patient.therapy
        return t is not None and t.drug == drug and t.start_date <= self.as_of

    # -- renal function -----------------------------------------------------------------------

    def renal(self, measure: str) -> RenalValue | None:
        """The renal value in the label's own measure; eGFR never stands in for CrCl."""
        if measure == "egfr":
            point = self.latest("egfr")
            if point is None:
                return None
            return RenalValue("egfr", point.value, point.date, False, "eGFR on record")
        point = self.latest("creatinine-clearance")
        if point is not None:
            return RenalValue(
                "creatinine-clearance", point.value, point.date, False, "measured CrCl on record"
            )
        return self.cockcroft_gault

    @cached_property
    def cockcroft_gault(self) -> RenalValue | None:
        scr = self.latest("creatinine")
        age = self.age
        weight = self.weight_kg
        sex = self.patient.sex
        if scr is None or age is None or weight is None or sex not in ("female", "male"):
            return None
        if scr.value <= 0:
            return None
        crcl = (CG_AGE_BASE - Decimal(str(age))) * Decimal(str(weight)) / (CG_DIVISOR * scr.value)
        if sex == "female":
            crcl *= CG_FEMALE_FACTOR
        crcl = crcl.quantize(Decimal("0.1"))
        detail = (
            f"CrCl {crcl} mL/min by Cockcroft-Gault from creatinine {scr.value} mg/dL "
            f"({scr.date}), age {age:g}, weight {weight:g} kg, sex {sex}"
        )
        return RenalValue("creatinine-clearance", crcl, scr.date, True, detail)

    def renal_missing_text(self, measure: str) -> str:
        if measure == "egfr":
            return "eGFR (mL/min/1.73 m2)"
        parts = ["creatinine clearance (mL/min), or serum creatinine with age, weight and sex"]
        if self.latest("egfr") is not None:
            parts.append("(an eGFR is on record but is not used for a creatinine-clearance rule)")
        return " ".join(parts)

    # -- medicines --------------------------------------------------------------------------

    @cached_property
    def medications(self) -> list[ResolvedMedication] | None:
        if self.patient.medications is None:
            return None
        out = []
        for med in self.patient.medications:
            # Codes, INNs, brands, misspellings and whole-word names in text (kb.names); a fuzzy
            # match is only a suggestion (policy 7).
            match = resolve(self.kb, med.drug, med.rxnorm)
            ingredients = resolve_ingredients(self.kb, med.drug, med.rxnorm)
            code = med.rxnorm or (med.drug if med.drug.isdigit() else None)
            route = med.route or (self.kb.route_for_code(code) if code else None) or match.route
            out.append(
                ResolvedMedication(
                    med.drug,
                    tuple(ingredients),
                    route,
                    non_drug=match.kind == "non-drug",
                    suggestions=match.suggestions,
                )
            )
        return out

    @cached_property
    def unidentified_medications(self) -> list[str]:
        return [m.entered for m in self.medications or [] if not m.identified]

    @cached_property
    def unidentified_systemic(self) -> list[ResolvedMedication]:
        """Unidentified medicines that are systemic or of unknown route (interactions unknown)."""
        return [m for m in self.medications or [] if not m.identified and m.systemic]

    @cached_property
    def current_classes(self) -> dict[str, list[tuple[str, str]]]:
        """Class id -> (medicine as entered, ingredient) pairs that put the patient in it.

        A medicine without a recorded route counts for every route of the class (policy 7).
        """
        out: dict[str, list[tuple[str, str]]] = {}
        for med in self.medications or []:
            for ingredient in med.ingredients:
                for cid in self.kb.classes_of(ingredient):
                    cls = self.kb.classes[cid]
                    if med.route is None or med.route.lower() in cls.routes:
                        out.setdefault(cid, []).append((med.entered, ingredient))
        return out

    def classes_excluding(self, class_id: str, ingredient: str) -> list[str]:
        """Current medicines in a class, leaving out ``ingredient`` itself."""
        return [name for name, ing in self.current_classes.get(class_id, []) if ing != ingredient]

    # -- risk -------------------------------------------------------------------------------

    @cached_property
    def cv_risk_count(self) -> int | None:
        """CV risk factors, counting current or former smoking; None when nothing is recorded."""
        factors = self.patient.cv_risk_factors
        smoking = self.patient.smoking
        count = len(factors) if factors is not None else 0
        if smoking in SMOKER_STATUSES:
            count += 1
        history = self.patient.history or []
        count += sum(1 for h in ASCVD_HISTORY if h in history)
        if factors is None and smoking == "unknown" and count == 0:
            return None
        return count


T = TypeVar("T")


@dataclass(eq=False)
class OptionContext:
    """One option under assessment: the drug's monograph and regional label, the condition and
    region asked about, and whether the patient is already on the drug.

    Every registered check receives it beside the patient's ``Context``. A result that several
    checks need (the matched indication, the evaluated adjustments, the dosing plan) is computed
    once per option with ``shared``.
    """

    mono: Monograph
    label: RegionLabel
    condition: str
    region: Region
    on_therapy: bool
    _shared: dict[object, object] = field(default_factory=dict, init=False, repr=False)

    @property
    def drug(self) -> str:
        return self.mono.id

    def shared(self, ctx: Context, fn: Callable[[Context, OptionContext], T]) -> T:
        """``fn(ctx, self)``, computed on the first call for this option and then reused."""
        if fn not in self._shared:
            self._shared[fn] = fn(ctx, self)
        return cast(T, self._shared[fn])


def _point(cv: CanonicalValue, lab: LabResult, index: int) -> LabPoint:
    return LabPoint(
        cv.analyte, lab.date, cv.value, cv.unit, cv.value_entered, cv.unit_entered, index
    )


def cite(kb: Knowledge, citation: Citation) -> dict[str, object]:
    """A citation as the output's source reference (title and revision from sources.yaml)."""
    doc = kb.source(citation.doc)
    out: dict[str, object] = {"doc": citation.doc, "section": citation.section}
    if doc is not None:
        out["title"] = doc.title
        out["revision"] = doc.revision
        out["url"] = doc.cite_url()
    if not citation.verified:
        out["verified"] = False
    return out
