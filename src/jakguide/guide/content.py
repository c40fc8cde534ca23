"""Assembling the patient guide: ``build_guide(patient, request, knowledge) -> Guide``.

Pure: no I/O, no clock. The guide is for one patient, one drug, one condition, one region and one
day. Everything it says comes from three places: the assessment (``engine.assess`` for this drug
only: status, regimen, findings, screening), the lab plan (``engine.evaluate_labs``: monitoring
dates for this patient), and the monograph (targets, forms, trials, adverse reactions,
reproduction), put into words by the guide wording in the knowledge (``knowledge/guide``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from jakguide import __version__
from jakguide.engine import assess, evaluate_labs
from jakguide.errors import InputError, UnknownIdError
from jakguide.guide.care import CareSections
from jakguide.guide.common import (
    GOOD_STATUSES,
    REGION_NAMES,
    fmt_date,
    join_words,
    num,
)
from jakguide.guide.effects import side_effect_items, value_run
from jakguide.guide.facts import FactResolver
from jakguide.guide.model import Group, Guide, GuideRequest, Run, Section, Statement, renumber
from jakguide.guide.wording import Footnotes, Value, Wording
from jakguide.kb.base import Knowledge
from jakguide.kb.listing import approved_conditions
from jakguide.kb.schema import Citation, EfficacyResult, Monograph, RegionLabel
from jakguide.model import (
    DISCLAIMER,
    Assessment,
    AssessRequest,
    Finding,
    LabsReport,
    LabsRequest,
    Option,
    Patient,
    RegimenOut,
    SourceRef,
)
from jakguide.rules.outcome import HEADLINE, RESPONSES, judge

# A listed warning sign left out when the adverse reactions already list the same thing.
_COVERED_BY = {"today.shingles": "term.shingles"}
_FREQ = {1: "once a day", 2: "twice a day"}
MAX_BANNER_FINDINGS = 4


def _label(kb: Knowledge, request: GuideRequest) -> tuple[Monograph, RegionLabel]:
    mono = kb.require_drug(request.drug)
    if request.condition not in kb.conditions:
        raise UnknownIdError(
            "condition",
            request.condition,
            "unknown condition; accepted: " + ", ".join(sorted(kb.conditions)),
        )
    label = mono.regions.get(request.region)
    if label is None:
        raise InputError(
            "region",
            request.region,
            f"{request.drug} is not marketed in this region; marketed in: "
            + ", ".join(sorted(mono.regions)),
        )
    return mono, label


def default_condition(patient: Patient, drug: str, region: str, kb: Knowledge) -> str:
    """The patient's condition a guide is about when none is named.

    The first recorded condition the drug's label in ``region`` has an indication for, else the
    only recorded condition. Raises ``InputError`` (field ``condition``) when that is ambiguous
    or nothing is recorded.
    """
    conditions = list(patient.conditions or [])
    if not conditions:
        raise InputError(
            "condition", None, "the patient has no recorded condition; name one (--condition ID)"
        )
    mono = kb.drug(drug)
    label = mono.regions.get(region) if mono is not None else None  # type: ignore[call-overload]
    if label is not None:
        approved = {i.condition for i in label.indications}
        for cond in conditions:
            if cond in approved:
                return cond
    if len(conditions) == 1:
        return conditions[0]
    raise InputError(
        "condition",
        None,
        f"the patient has several conditions ({', '.join(conditions)}) and the label names none "
        "of them; name one (--condition ID)",
    )


def build_guide(
    patient: Patient, request: GuideRequest, kb: Knowledge, *, warnings: Sequence[str] = ()
) -> Guide:
    """The guide for this patient and drug. Raises ``InputError`` for unknown ids or regions."""
    mono, label = _label(kb, request)
    assessment = assess(
        patient,
        AssessRequest(
            condition=request.condition,
            region=request.region,
            as_of=request.as_of,
            drugs=[request.drug],
        ),
        kb,
    )
    labs = evaluate_labs(
        patient, LabsRequest(drug=request.drug, region=request.region, as_of=request.as_of), kb
    )
    return _Builder(patient, request, kb, mono, label, assessment, labs).guide(
        [*warnings, *assessment.warnings]
    )


@dataclass
class _Builder(CareSections):
    patient: Patient
    request: GuideRequest
    kb: Knowledge
    mono: Monograph
    label: RegionLabel
    assessment: Assessment
    labs: LabsReport

    def __post_init__(self) -> None:
        self.option: Option = self.assessment.options[0]
        form = self.option.regimen.form if self.option.regimen else None
        self.brand = self.label.brands[0] if self.label.brands else self.mono.inn.capitalize()
        self.footnotes = Footnotes(self.kb)
        self.facts = FactResolver(
            self.kb, self.mono, self.label, self.request.region, self.request.condition, form
        )
        plain = self.kb.guide.get(f"condition.{self.request.condition}")
        self.condition_plain = (
            plain.text if plain else self.kb.conditions[self.request.condition].name
        )
        context: dict[str, Value] = {
            "brand": self.brand,
            "inn": self.mono.inn,
            "condition": self.condition_plain,
            "region_name": REGION_NAMES.get(self.request.region, self.request.region),
            "today": fmt_date(self.request.as_of),
        }
        self.w = Wording(
            self.kb, self.mono.id, self.request.condition, self.facts, self.footnotes, context
        )
        t = self.patient.therapy
        self.started = (
            t is not None and t.drug == self.mono.id and t.start_date <= self.request.as_of
        )

    # -- the whole guide ----------------------------------------------------------------------

    def guide(self, warnings: list[str]) -> Guide:
        banner = self.banner()
        sections = [self.about(), self.talk(), self.what(), self.take(), self.expect()]
        sections += [self.tests(), self.vaccines(), self.pregnancy(), self.effects()]
        sections.append(self.questions(banner is not None))
        idx = self.kb.index
        banner, kept, footnotes = renumber(
            banner, [s for s in sections if s is not None], self.footnotes.notes
        )
        return Guide(
            drug=self.mono.id,
            inn=self.mono.inn,
            brand=self.brand,
            condition=self.request.condition,
            condition_name=self.condition_plain,
            region=self.request.region,
            region_name=REGION_NAMES.get(self.request.region, self.request.region),
            as_of=self.request.as_of,
            status=self.option.status,
            patient_id=self.patient.id,
            knowledge_version=idx.version,
            release_date=idx.release_date,
            disclaimer=DISCLAIMER,
            generator=f"jakguide {__version__}",
            banner=banner,
            sections=tuple(kept),
            footnotes=footnotes,
            warnings=tuple(warnings),
            audience=self.request.audience,
        )

    # -- status ---------------------------------------------------------------------------------

    def _top_findings(self) -> list[Finding]:
        found = self.option.findings
        top = [f for f in found if f.status == self.option.status]
        top = top or [f for f in found if f.severity in ("critical", "warning")]
        return top[:MAX_BANNER_FINDINGS]

    def _finding(self, key: str, f: Finding) -> Statement:
        """A finding quoted for a clinician's copy; for the patient's own copy, the guide's
        plain words instead (a lab finding: the care team will talk about the result, and when
        to call), still citing the finding's sources."""
        if self.request.audience == "patient":
            plain = "patient.finding-lab" if f.kind in ("lab", "monitoring") else "patient.finding"
            return self.w.must(plain, None, f.sources)
        return self.w.must(key, {"finding": Run(f.message, "quote")}, f.sources)

    def banner(self) -> Section | None:
        if self.option.status in GOOD_STATUSES:
            return None
        paras = [self.w.must(f"banner.{self.option.status}")]
        for f in self._top_findings():
            paras.append(self._finding("banner.finding", f))
        return Section("banner", "Please read this first", tuple(paras))

    def talk(self) -> Section | None:
        if self.option.status not in GOOD_STATUSES:
            return None
        found = [
            f
            for f in self.option.findings
            if f.severity in ("warning", "critical") and f.kind != "unverified-fact"
        ]  # unverified-fact findings are about the knowledge, for the clinician
        if not found:
            return None
        items = tuple(self._finding("talk.finding", f) for f in found)
        group = Group("talk-findings", "", self.w.must("talk.intro"), items)
        return Section("talk", "Things to talk about with your care team", groups=(group,))

    # -- sections -----------------------------------------------------------------------------

    def about(self) -> Section:
        return Section("about", "About this guide", tuple(self.w.listed("about")))

    def what(self) -> Section:
        w = self.w
        use = w.say("what.use")
        if use is None:
            ids = approved_conditions(self.label) or [i.condition for i in self.label.indications]
            names = [self._condition_name(c) for c in dict.fromkeys(ids)]
            cites = [i.source for i in self.label.indications if i.condition in ids]
            use = w.must("what.other-uses", {"approved": join_words(names)}, cites)
        return Section("what", f"What {self.brand} is and how it works", (use, *w.listed("what")))

    def _condition_name(self, cid: str) -> str:
        st = self.kb.guide.get(f"condition.{cid}")
        return st.text if st else self.kb.conditions[cid].name

    def take(self) -> Section:
        w = self.w
        regs = self.option.regimens
        topical = any(r.route == "topical" for r in regs) or (
            not regs and all(f.route == "topical" for f in self.mono.forms)
        )
        title = f"How to {'use' if topical else 'take'} {self.brand}"
        paras: list[Statement] = []
        if not regs:
            paras.append(w.must("take.no-regimen"))
        else:
            paras += self._dose_lines(regs)
        if self.started and self.patient.therapy is not None:
            paras.append(
                w.must("take.started", {"start": fmt_date(self.patient.therapy.start_date)})
            )
        return Section("take", title, tuple(paras + w.listed("take")))

    def _dose_lines(self, regs: list[RegimenOut]) -> list[Statement]:
        w = self.w
        first = regs[0]
        form = next((f for f in self.mono.forms if f.id == first.form), None)
        out: list[Statement] = []
        if form is not None:
            out.append(w.must("take.form", {"form": self._form_name(form.id)}, [form.source]))
        used = {0}
        if first.phase == "induction" and first.duration_weeks:
            out.append(
                self._dose(first, "take.dose.induction", {"weeks": str(first.duration_weeks)})
            )
            nxt = next(
                (i for i, r in enumerate(regs) if r.phase == "maintenance" and i not in used),
                None,
            )
            if nxt is not None:
                used.add(nxt)
                out.append(self._dose(regs[nxt], "take.dose.then", first=first))
        else:
            sid = (
                "take.dose.topical"
                if first.route == "topical"
                else "take.dose.liquid"
                if first.form == "oral-solution"
                else "take.dose"
            )
            out.append(self._dose(first, sid))
        for i, reg in enumerate(regs):
            if i in used:
                continue
            sid = "take.dose.escalation" if reg.phase == "escalation" else "take.dose.other"
            out.append(self._dose(reg, sid, first=first))
        return out

    def _form_name(self, form_id: str) -> str:
        st = self.kb.guide.get(f"form.{form_id}")
        if st is not None:
            return st.text
        form = next(f for f in self.mono.forms if f.id == form_id)
        return form.name

    def _dose(
        self,
        reg: RegimenOut,
        sid: str,
        extra: dict[str, Value] | None = None,
        first: RegimenOut | None = None,
    ) -> Statement:
        dose = f"{num(reg.dose_mg)} mg" if reg.dose_mg is not None else "the amount below"
        if first is not None and reg.form != first.form:
            dose += f" as {self._form_name(reg.form)}"
        freq = _FREQ.get(reg.per_day, f"{reg.per_day} times a day")
        cite = self._regimen_citation(reg)
        line = self.w.must(sid, {"dose": dose, "freq": freq, **(extra or {})}, [cite])
        summary = self.w.must("take.label-summary", {"summary": Run(reg.text, "quote")}, [cite])
        joined = self.w.join(sid, [line, summary])
        assert joined is not None
        return joined

    def _regimen_citation(self, reg: RegimenOut) -> Citation:
        label = self.label
        pool = [r for i in label.indications for r in i.regimens]
        pool += [a.regimen for a in label.adjustments if a.regimen is not None]
        if label.risk_groups is not None:
            pool += [a.regimen for a in label.risk_groups.lower_dose if a.regimen is not None]
        hit = next((r for r in pool if r.text == reg.text and r.form == reg.form), None)
        if hit is not None:
            return hit.source
        ind = next(i for i in label.indications if i.condition == self.request.condition)
        return ind.source

    def expect(self) -> Section:
        w = self.w
        trials = [e for e in self.mono.efficacy if e.condition == self.request.condition]
        paras: list[Statement] = []
        groups: list[Group] = []
        if trials:
            paras += w.listed("expect")
            items = tuple(self._trial(e) for e in trials)
            groups.append(Group("trials", "Results from studies", None, items))
        else:
            paras.append(w.must("expect.no-trials"))
        for rp in self.label.review_points:
            if rp.conditions is None or self.request.condition in rp.conditions:
                paras.append(w.must("expect.review", {"week": str(rp.week)}, [rp.source]))
        if self.started:
            paras += self._so_far()
        return Section("expect", "What to expect, and when", tuple(paras), tuple(groups))

    def _so_far(self) -> list[Statement]:
        """Is it working so far: the response as the assessment judges it (``rules.outcome``)."""
        therapy = self.patient.therapy
        assert therapy is not None  # self.started
        scores = self.patient.scores or []
        out: list[Statement] = []
        for instrument in sorted({s.instrument for s in scores} & set(RESPONSES)):
            headline = HEADLINE.get(instrument)
            o = judge(
                instrument,
                scores,
                therapy.start_date,
                self.request.as_of,
                criteria=(headline,) if headline else None,
            )
            if o.state != "judged" or o.baseline is None or o.current is None:
                continue
            values: dict[str, Value] = {
                "score": instrument.upper(),
                "before": num(o.baseline.value),
                "before_date": fmt_date(o.baseline.date),
                "now": num(o.current.value),
                "now_date": fmt_date(o.current.date),
            }
            cites = [
                SourceRef(doc=s["doc"], section=s["section"], title=s["title"]) for s in o.sources
            ]
            sid = "expect.so-far.met" if o.met else "expect.so-far.not-met"
            out.append(self.w.must(sid, values, cites))
        return out

    def _trial(self, e: EfficacyResult) -> Statement:
        w = self.w
        goal_st = w.matching("endpoint", e.endpoint)
        if goal_st is not None:
            goal: Value = w.runs(goal_st)
            goal_cites: list[Citation] = [goal_st.source]
        else:
            raw = w.entry("expect.goal-raw")
            goal, goal_cites = w.runs(raw, {"endpoint": Run(e.endpoint, "quote")}), [raw.source]
        cite = (e.source, f"Study group: {e.population}") if e.population else e.source
        parts: list[Statement | None] = [
            w.must(
                "expect.trial",
                {"trial": Run(e.trial, "name"), "goal": goal, "week": str(e.week)},
                [cite, *goal_cites],
            )
        ]
        inn = self.mono.inn.lower()
        for arm in e.arms:
            name = arm.arm.strip().lower()
            if name == "placebo":
                sid = "expect.arm.placebo"
            elif name in ("vehicle", "vehicle cream"):
                sid = "expect.arm.vehicle"
            elif inn in name or "placebo" in name or "vehicle" in name:
                sid = "expect.arm"
            else:
                sid = "expect.arm.other"
            n = value_run(arm.percent, trial=e.trial, arm=arm.arm)
            parts.append(w.must(sid, {"arm": Run(arm.arm, "name"), "n": n}))
        if not e.source.verified:
            parts.append(w.must("expect.unverified"))
        joined = w.join("expect.trial", parts)
        assert joined is not None
        return joined

    def lab_changes_source(self) -> dict[str, list[Statement]]:
        return self.side_effects

    @cached_property
    def side_effects(self) -> dict[str, list[Statement]]:
        """Adverse-reaction statements per action (built once: footnotes number in order)."""
        return side_effect_items(
            self.w, self.kb, self.mono, self.request.region, self.request.condition
        )

    def effects(self) -> Section:
        w = self.w
        found = self.side_effects
        found_ids = {st.id for items in found.values() for st in items}
        groups = []
        titles = {
            "emergency": "Get emergency help now",
            "today": "Call your clinic today",
            "next-visit": "Mention it at your next visit",
        }
        for action, title in titles.items():
            covered = {st for st, term in _COVERED_BY.items() if term in found_ids}
            listed = w.listed(action, skip=covered)
            last = [s for s in listed if s.id.endswith(".other")]
            items = [s for s in listed if s not in last]
            if action == "next-visit":
                items = found.get(action, []) + items
            else:
                items = items + found.get(action, [])
            items += last
            if items:
                groups.append(
                    Group(
                        action,
                        title,
                        w.must(f"effects.{action}.intro"),
                        tuple(items),
                        tone=action,  # type: ignore[arg-type]
                    )
                )
        return Section(
            "effects", "Side effects: what to do", (w.must("effects.intro"),), tuple(groups)
        )

    def questions(self, banner: bool) -> Section:
        items = ([self.w.must("questions.why-not")] if banner else []) + self.w.listed("questions")
        group = Group("questions-list", "", None, tuple(items))
        return Section("questions", "Questions to ask your care team", groups=(group,))
