"""Public condition guides: every JAK-family medicine for one condition in one region.

``build_condition_guide(condition, region, as_of, kb)`` reads the labels in the knowledge (who
each medicine is approved for, what it blocks, trial results beside placebo, doses, checks, the
warning signs) and words them with the condition-guide phrases (``knowledge/guide``). No patient:
this is the guide a person reads before seeing a specialist. Pure: no I/O, no clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jakguide import __version__
from jakguide.errors import InputError, UnknownIdError
from jakguide.guide.common import REGION_NAMES, join_words
from jakguide.guide.effects import value_run
from jakguide.guide.facts import FactResolver
from jakguide.guide.model import Footnote, Group, Run, Section, Statement, renumber
from jakguide.guide.wording import Footnotes, Value, Wording
from jakguide.kb.base import Knowledge
from jakguide.kb.listing import approved_conditions
from jakguide.kb.schema import EfficacyResult, Indication, Monograph, RegionLabel
from jakguide.model import DISCLAIMER

# Conditions that share one guide (the two forms of axial spondyloarthritis).
SHARED = {
    "ankylosing-spondylitis": (
        "ankylosing-spondylitis",
        "non-radiographic-axial-spondyloarthritis",
    ),
    "non-radiographic-axial-spondyloarthritis": (
        "ankylosing-spondylitis",
        "non-radiographic-axial-spondyloarthritis",
    ),
}
_FREQ = {1: "once a day", 2: "twice a day"}
_PLACEBO = ("placebo",)
_VEHICLE = ("vehicle", "vehicle cream")
ACTIONS = {
    "emergency": "Get emergency help now",
    "today": "Call your clinic today",
    "next-visit": "Mention it at your next visit",
}


@dataclass(frozen=True)
class ConditionGuide:
    condition: str
    conditions: tuple[str, ...]
    condition_name: str
    region: str
    region_name: str
    as_of: dt.date
    approved: tuple[str, ...]  # drug ids approved for the condition here
    not_approved: tuple[str, ...]  # JAK-family drugs marketed here but not approved for it
    knowledge_version: str
    release_date: dt.date
    disclaimer: str
    generator: str
    sections: tuple[Section, ...]
    footnotes: tuple[Footnote, ...]

    @property
    def title(self) -> str:
        return f"JAK medicines for {self.condition_name}"

    def statements(self) -> list[Statement]:
        out: list[Statement] = []
        for s in self.sections:
            out += list(s.paragraphs)
            for g in s.groups:
                out += ([g.intro] if g.intro else []) + list(g.items)
        return out


def _either(names: list[str]) -> str:
    """'A', 'A or B', 'A, B or C' (any one of them is enough)."""
    return " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def _lower_first(text: str) -> str:
    """'A test for TB' -> 'a test for TB' inside a sentence; acronyms ('ALT') kept."""
    if len(text) > 1 and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _plain(kb: Knowledge, cid: str) -> str:
    st = kb.guide.get(f"condition.{cid}")
    return st.text if st else kb.conditions[cid].name


def build_condition_guide(
    condition: str, region: str, as_of: dt.date, kb: Knowledge
) -> ConditionGuide:
    """The guide for ``condition`` in ``region``; ``InputError`` naming an unknown id."""
    if condition not in kb.conditions:
        raise UnknownIdError(
            "condition",
            condition,
            "unknown condition; accepted: " + ", ".join(sorted(kb.conditions)),
        )
    if region not in kb.index.regions:
        raise InputError(
            "region", region, "unknown region; accepted: " + ", ".join(sorted(kb.index.regions))
        )
    return _Builder(kb, condition, region, as_of).build()


class _Builder:
    def __init__(self, kb: Knowledge, condition: str, region: str, as_of: dt.date) -> None:
        self.kb = kb
        self.condition = condition
        self.conditions = SHARED.get(condition, (condition,))
        self.region = region
        self.as_of = as_of
        self.region_name = REGION_NAMES.get(region, region)
        self.name = " or ".join(_plain(kb, c) for c in self.conditions)
        self.footnotes = Footnotes(kb)
        self.marketed = [m for m in kb.marketed(region)]  # type: ignore[arg-type]
        self.approved: list[tuple[Monograph, RegionLabel, list[Indication]]] = []
        self.others: list[tuple[Monograph, RegionLabel]] = []
        for mono in self.marketed:
            label = mono.regions[region]  # type: ignore[index]
            inds = [
                i for i in label.indications if i.condition in self.conditions and i.source.verified
            ]
            if inds:
                self.approved.append((mono, label, inds))
            else:
                self.others.append((mono, label))

    def w(self, mono: Monograph | None = None, label: RegionLabel | None = None) -> Wording:
        mono = mono or (self.approved[0][0] if self.approved else self.marketed[0])
        label = label or mono.regions[self.region]  # type: ignore[index]
        facts = FactResolver(self.kb, mono, label, self.region, self.condition, None)
        brand = label.brands[0] if label.brands else mono.inn.capitalize()
        context: dict[str, Value] = {
            "brand": brand,
            "inn": mono.inn,
            "condition": self.name,
            "region_name": self.region_name,
        }
        return Wording(self.kb, mono.id, self.condition, facts, self.footnotes, context)

    def build(self) -> ConditionGuide:
        sections = [self.about(), self.approvals(), self.others_section(), self.works()]
        sections += [self.expect(), self.take(), self.checks(), self.effects(), self.other()]
        sections.append(self.questions())
        _, kept, notes = renumber(
            None, [s for s in sections if s is not None], self.footnotes.notes
        )
        idx = self.kb.index
        return ConditionGuide(
            condition=self.condition,
            conditions=self.conditions,
            condition_name=self.name,
            region=self.region,
            region_name=self.region_name,
            as_of=self.as_of,
            approved=tuple(m.id for m, _, _ in self.approved),
            not_approved=tuple(m.id for m, _ in self.others),
            knowledge_version=idx.version,
            release_date=idx.release_date,
            disclaimer=DISCLAIMER,
            generator=f"jakguide {__version__}",
            sections=tuple(kept),
            footnotes=notes,
        )

    def about(self) -> Section:
        w = self.w()
        return Section("about", "About this guide", (w.must("cg.intro"), w.must("cg.intro.family")))

    def _who(self, w: Wording, ind: Indication) -> Value:
        age = ind.population.min_age_years
        if age is None:
            return w.runs(w.entry("cg.who.any"))
        if (ind.population.text or "").strip().lower() == "adults":  # the label's own word
            return w.runs(w.entry("cg.who.adults"))
        return w.runs(w.entry("cg.who.age"), {"age": f"{age:g}"})

    def approvals(self) -> Section:
        if not self.approved:
            return Section(
                "approved", "Approved JAK medicines", (self.w().must("cg.none-approved"),)
            )
        items: list[Statement] = []
        for mono, label, inds in self.approved:
            w = self.w(mono, label)
            for ind in inds:
                parts: list[Statement | None] = [
                    w.must(
                        "cg.approved",
                        {"who": self._who(w, ind), "condition": _plain(self.kb, ind.condition)},
                        [ind.source],
                    )
                ]
                if ind.disease and ind.disease.severity:
                    sev = " to ".join(ind.disease.severity)
                    parts.append(
                        w.must(
                            "cg.severity",
                            {"severity": sev, "condition": _plain(self.kb, ind.condition)},
                            [ind.disease.source],
                        )
                    )
                for pre in ind.prerequisites:
                    names = [self.kb.classes[c].name for c in pre.classes if c in self.kb.classes]
                    parts.append(
                        w.must(
                            "cg.after",
                            {"count": str(pre.min_count), "classes": _either(names)},
                            [pre.source],
                        )
                    )
                joined = w.join(f"approved.{mono.id}.{ind.condition}", parts)
                assert joined is not None
                items.append(joined)
        group = Group("approved-list", "", None, tuple(items))
        return Section("approved", "Approved JAK medicines", groups=(group,))

    def others_section(self) -> Section | None:
        if not self.others:
            return None
        items = []
        for mono, label in self.others:
            w = self.w(mono, label)
            ids = approved_conditions(label)
            if not ids:
                continue
            names = join_words([_plain(self.kb, c) for c in ids])
            cites = [i.source for i in label.indications if i.condition in ids]
            items.append(
                w.build(
                    w.entry("cg.not-approved"), {"approved": names}, cites, sid=f"not.{mono.id}"
                )
            )
        intro = self.w().must("cg.not-approved.intro")
        group = Group("not-approved-list", "", intro, tuple(items))
        return Section("not-approved", "Not approved for this condition", groups=(group,))

    def works(self) -> Section | None:
        items = []
        for mono, label, _ in self.approved:
            w = self.w(mono, label)
            kinases = join_words(list(mono.target.kinases))
            items.append(
                w.build(
                    w.entry("cg.works"),
                    {"kinases": kinases},
                    [mono.target.source],
                    sid=f"works.{mono.id}",
                )
            )
        if not items:
            return None
        return Section("works", "How they work", tuple(items))

    def expect(self) -> Section | None:
        if not self.approved:
            return None
        items: list[Statement] = []
        for mono, label, _ in self.approved:
            w = self.w(mono, label)
            trials = [e for e in mono.efficacy if e.condition in self.conditions]
            if not trials:
                items.append(w.must("cg.no-trials"))
            for e in trials:
                st = self._trial(w, e)
                if st is not None:
                    items.append(st)
        intro = self.w().must("cg.expect.intro")
        return Section(
            "expect",
            "What to expect, and when",
            (intro,),
            (Group("trials", "", None, tuple(items)),),
        )

    def _trial(self, w: Wording, e: EfficacyResult) -> Statement | None:
        control = [a for a in e.arms if a.arm.strip().lower() in (*_PLACEBO, *_VEHICLE)]
        if not control:
            return w.build(w.entry("cg.no-placebo"), {"trial": Run(e.trial, "name")}, [e.source])
        goal_st = w.matching("endpoint", e.endpoint)
        if goal_st is None:
            return None  # no plain words for this endpoint: the label's words would not be plain
        cite = (e.source, f"Study group: {e.population}") if e.population else e.source
        parts: list[Statement | None] = [
            w.must(
                "cg.trial",
                {"trial": Run(e.trial, "name"), "goal": w.runs(goal_st), "week": str(e.week)},
                [cite, goal_st.source],
            )
        ]
        for arm in e.arms:
            if arm in control:
                continue
            n = value_run(arm.percent, trial=e.trial, arm=arm.arm)
            parts.append(w.must("cg.arm", {"arm": Run(arm.arm, "name"), "n": n}))
        for arm in control:
            sid = "cg.arm.placebo" if arm.arm.strip().lower() in _PLACEBO else "cg.arm.vehicle"
            parts.append(w.must(sid, {"n": value_run(arm.percent, trial=e.trial, arm=arm.arm)}))
        return w.join(f"trial.{e.trial}", parts)

    def take(self) -> Section | None:
        items = []
        for mono, label, inds in self.approved:
            w = self.w(mono, label)
            regs = [r for i in inds for r in i.regimens]
            reg = next((r for r in regs if r.preferred), regs[0] if regs else None)
            if reg is None:
                continue
            form = self.kb.guide.get(f"form.{reg.form}")
            form_name = form.text if form else reg.form
            freq = _FREQ.get(reg.per_day, f"{reg.per_day} times a day")
            items.append(
                w.build(
                    w.entry("cg.take"),
                    {"form": form_name, "freq": freq},
                    [reg.source],
                    sid=f"take.{mono.id}",
                )
            )
        if not items:
            return None
        return Section("take", "How they are taken", tuple(items))

    def checks(self) -> Section | None:
        items: list[Statement] = []
        for mono, label, _ in self.approved:
            w = self.w(mono, label)
            before = []
            for s in label.screening:
                g = self.kb.guide.get(f"screening.{s.item}")
                if g is not None:
                    before.append(_lower_first(g.text.rstrip(".")))
            if before:
                items.append(
                    w.build(
                        w.entry("cg.checks.before"),
                        {"items": "; ".join(dict.fromkeys(before))},
                        [s.source for s in label.screening],
                        sid=f"checks.before.{mono.id}",
                    )
                )
            during = []
            for m in label.monitoring:
                g = self.kb.guide.get(f"analyte.{m.analyte}")
                if g is not None:
                    during.append(_lower_first(g.text.split(",")[0].rstrip(".")))
            if during:
                items.append(
                    w.build(
                        w.entry("cg.checks.during"),
                        {"items": join_words(list(dict.fromkeys(during)))},
                        [m.source for m in label.monitoring],
                        sid=f"checks.during.{mono.id}",
                    )
                )
        if not items:
            return None
        return Section("checks", "Checks before and during", tuple(items))

    def effects(self) -> Section | None:
        if not self.approved:
            return None
        groups = []
        for action, title in ACTIONS.items():
            merged: dict[str, Statement] = {}
            for mono, label, _ in self.approved:
                for st in self.w(mono, label).listed(action):
                    if st.id in merged:
                        old = merged[st.id]
                        refs = tuple(sorted(set(old.refs) | set(st.refs)))
                        merged[st.id] = Statement(old.id, old.runs, refs)
                    else:
                        merged[st.id] = st
            if merged:
                groups.append(Group(action, title, None, tuple(merged.values()), tone=action))  # type: ignore[arg-type]
        return Section(
            "effects",
            "Side effects: what to do",
            (self.w().must("cg.effects.intro"),),
            tuple(groups),
        )

    def other(self) -> Section | None:
        """Other treatments the guidelines name for this condition (wording ``cg.other.*``)."""
        w = self.w()
        items = tuple(
            w.build(st)
            for sid, st in self.kb.guide.items()
            if sid.startswith("cg.other.")
            and (st.conditions is None or set(st.conditions) & set(self.conditions))
        )
        if not items:
            return None
        return Section("other", "Other treatments", items)

    def questions(self) -> Section:
        w = self.w()
        items = tuple(w.must(sid) for sid in self.kb.guide if sid.startswith("cg.question."))
        return Section(
            "questions", "Questions for your specialist", groups=(Group("q", "", None, items),)
        )


def condition_guide_html(guide: ConditionGuide) -> str:
    """The guide as one self-contained HTML page (the guide's style sheet inlined)."""
    from markupsafe import Markup

    from jakguide.guide.render import _environment, guide_css

    template = _environment().get_template("condition.html.j2")
    return template.render(guide=guide, css=Markup(guide_css()))


def condition_guide_pdf(guide: ConditionGuide) -> bytes:
    from jakguide.guide.render import html_to_pdf

    return html_to_pdf(condition_guide_html(guide))


def _md(st: Statement) -> str:
    text = "".join(f"*{r.text}*" if r.kind == "name" else r.text for r in st.runs)
    return text + "".join(f"[^{n}]" for n in st.refs)


def condition_guide_markdown(guide: ConditionGuide) -> str:
    """The guide as Markdown: the same statements, footnotes as Markdown footnotes."""
    out = [f"# {guide.title}", "", f"Region: {guide.region} ({guide.region_name}).", ""]
    for section in guide.sections:
        out += [f"## {section.title}", ""]
        out += [_md(p) + "\n" for p in section.paragraphs]
        for group in section.groups:
            if group.title:
                out += [f"### {group.title}", ""]
            if group.intro:
                out += [_md(group.intro), ""]
            out += [f"- {_md(i)}" for i in group.items] + [""]
    out += ["## Sources", ""]
    for fn in guide.footnotes:
        out.append(f"[^{fn.number}]: {fn.document or fn.title}. Section: {fn.section}.")
    out += ["", f"Intended use: {guide.disclaimer}", ""]
    return "\n".join(out)
