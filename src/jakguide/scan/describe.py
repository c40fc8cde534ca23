"""Plain words for the worklist's rule ids (``labs.us-tx-anc``, ``monitoring.us-mon-lipids``...).

A quality or pharmacovigilance team reads the report by rule, and an id names a label row, not
what it checks. Each description is composed from the same ``Knowledge`` the rules run on (the
label's lab rule, monitoring item, interaction row, screening item, boxed warning or risk group
of each marketed agent in the region), so it restates no fact. The same id can stand for
different rows of different agents (``monitoring.us-mon-lipids`` is 4 weeks for one label, 12
for another): a description keeps one variant per distinct wording, each with its agents.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from jakguide.kb.base import Knowledge
from jakguide.kb.schema import Adjustment, LabRule, MonitoringItem, NumberRange, When
from jakguide.kb.schema_guidelines import Interval
from jakguide.model import Region
from jakguide.rules.adjustments import Evaluated
from jakguide.rules.labs import describe as threshold_text
from jakguide.rules.screening import DISPLAY
from jakguide.rules.story import TB_ON_THERAPY
from jakguide.rules.truth import Outcome
from jakguide.scan.kinds.screening import test_items

SAME_DAY = "labs.same-day"
BOXED = "boxed-warning.singled-out"
EMA_RISK = "risk-group.ema-art20"

# Words for the schema's coded choices (display only; the facts stay in the knowledge).
LAB_ACTIONS = {
    "do-not-start": "do not start",
    "continue": "continue",
    "recheck": "recheck",
    "interrupt": "interrupt",
    "discontinue": "discontinue",
}
ACTIONS = {
    "replace-regimen": "use the label's dose",
    "max-dose": "cap the dose",
    "not-recommended": "not recommended",
    "contraindicated": "contraindicated",
    "avoid": "avoid",
    "caution": "use with caution",
    "no-change": "no dose change",
    "info": "note",
}
AGE_WORDS = {"gte": "at least", "gt": "over", "lte": "at most", "lt": "under"}


@dataclass(frozen=True)
class Variant:
    """One wording of a rule, and the agents whose label words it so."""

    text: str
    agents: tuple[str, ...]


@dataclass(frozen=True)
class RuleText:
    """A worklist rule id in words."""

    rule: str
    kind: str
    variants: tuple[Variant, ...]

    @property
    def agents(self) -> tuple[str, ...]:
        return tuple(sorted({a for v in self.variants for a in v.agents}))

    def text_for(self, agent: str) -> str:
        """The wording for one agent (the first variant when the agent has none)."""
        for v in self.variants:
            if agent in v.agents:
                return v.text
        return self.variants[0].text if self.variants else self.rule

    def plain(self) -> str:
        """One line: each variant with its agents."""
        return "; ".join(f"{v.text} ({', '.join(v.agents)})" for v in self.variants)


def _short(name: str) -> str:
    """An analyte's name without its specimen: "Platelets (blood)" -> "Platelets"."""
    return name.split(" (", maxsplit=1)[0]


def _unit(ucum: str) -> str:
    return ucum.replace("10*", "10^")


def _interval(every: Interval) -> str:
    return f"{every.months} months" if every.months else f"{every.weeks} weeks"


def lab_text(kb: Knowledge, rule: LabRule) -> str:
    """``Hemoglobin fall > 2 g/dL on therapy: interrupt``."""
    analyte = _short(kb.analytes[rule.analyte].name)
    when = {
        "initiation": "at or before the start",
        "on-therapy": "on therapy",
        "both": "before or on therapy",
    }[rule.context]
    text = f"{analyte} {_unit(threshold_text(rule))} {when}"
    if rule.requires is not None:
        first = LAB_ACTIONS[rule.first_action or "recheck"]
        text += (
            f", {rule.requires} (the previous result crossed it too): "
            f"{LAB_ACTIONS[rule.action]}; a first result: {first}"
        )
    else:
        text += f": {LAB_ACTIONS[rule.action]}"
    if rule.conditions:
        text += " [" + ", ".join(kb.conditions[c].name for c in rule.conditions) + "]"
    return text


def monitoring_text(kb: Knowledge, item: MonitoringItem) -> str:
    """``Platelets: before the start, 4 weeks after the start, then per routine care``."""
    steps = []
    if item.baseline:
        steps.append("before the start")
    if item.first_from_weeks is not None:
        span = (
            f"{item.first_from_weeks}-{item.first_to_weeks}"
            if item.first_to_weeks and item.first_to_weeks > item.first_from_weeks
            else f"{item.first_from_weeks}"
        )
        steps.append(f"{span} weeks after the start")
    if item.every_months is not None:
        steps.append(f"then every {item.every_months} months")
    elif steps:
        steps.append("then per routine care or guidelines")
    else:
        steps.append("during treatment (no date set)")
    return f"{_short(kb.analytes[item.analyte].name)}: {', '.join(steps)}"


def _age(band: NumberRange) -> str:
    parts = [
        f"{AGE_WORDS[k]} {getattr(band, k):g}" for k in AGE_WORDS if getattr(band, k) is not None
    ]
    return "age " + " and ".join(parts)


def when_text(kb: Knowledge, when: When) -> str:
    """The co-medication classes (and age band) an interaction row's ``when`` names."""
    parts = []
    if when.classes:
        names = sorted(kb.classes[c].name for c in when.classes)
        parts.append(names[0] if len(names) == 1 else "one of " + "; ".join(names))
    if when.all_classes:
        parts.append(" and ".join(kb.classes[c].name for c in when.all_classes))
    if when.age_years is not None:
        parts.append(_age(when.age_years))
    if when.weight_kg is not None:
        parts.append("a weight band")
    text = ", with ".join(parts)
    if when.any_of:
        alternatives = " | or: ".join(when_text(kb, w) for w in when.any_of)
        text = f"{text}, with {alternatives}" if text else alternatives
    return text


def interaction_text(kb: Knowledge, adj: Adjustment) -> str:
    """``Strong CYP3A4 inducers: avoid``; a dose row adds the label's regimen."""
    action = ACTIONS.get(adj.action, adj.action)
    if adj.regimen is not None and adj.action in ("replace-regimen", "max-dose"):
        action = f"{action} ({adj.regimen.text})"
    text = f"taken with {when_text(kb, adj.when)}: {action}"
    if adj.conditions:
        text += " [" + ", ".join(kb.conditions[c].name for c in adj.conditions) + "]"
    return text[0].upper() + text[1:]


def screening_text(kb: Knowledge, item: str) -> str:
    """``TB test result on record (negative results repeated every 12 months on therapy)``."""
    text = f"{DISPLAY.get(item, item)} test result on record"
    guideline = kb.guidelines.get(TB_ON_THERAPY)
    repeat = guideline.timing.repeat_every if guideline and guideline.timing else None
    if item == "tb" and repeat is not None:
        text += f"; a negative test is repeated every {_interval(repeat)} on therapy"
    return text


def describe_rules(kb: Knowledge, region: Region) -> dict[str, RuleText]:
    """Every rule id the scan's kinds can report for ``region``, in words, with its agents."""
    found: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))

    def add(kind: str, rule: str, text: str, agent: str) -> None:
        found[(kind, rule)][text].append(agent)

    tests = test_items()
    for mono in kb.marketed(region):
        label = mono.regions[region]
        for lab in label.labs:
            add("lab", f"labs.{lab.id}", lab_text(kb, lab), mono.id)
        if label.labs:
            add("lab", SAME_DAY, "Two different results of one analyte the label reads on "
                "the same day (which one counts is unclear)", mono.id)  # fmt: skip
        for item in label.monitoring:
            add("monitoring", f"monitoring.{item.id}", monitoring_text(kb, item), mono.id)
        for screen in label.screening:
            if screen.item in tests:
                add("screening", f"screening.{screen.item}", screening_text(kb, screen.item),
                    mono.id)  # fmt: skip
        for adj in label.adjustments:
            if adj.kind == "interaction":
                rule = Evaluated(adj, Outcome.true()).rule
                add("interaction", rule, interaction_text(kb, adj), mono.id)
        bw = label.boxed_warning
        if bw is not None:
            add("risk-group", BOXED, f"Singled out by the boxed warning: age "
                f"{bw.singled_out_min_age_years:g} or older with at least "
                f"{bw.singled_out_min_cv_risk_factors} cardiovascular risk factor (current or past "
                "smoking and a history of MI or stroke count as factors)", mono.id)  # fmt: skip
        rg = label.risk_groups
        if rg is not None:
            criteria = [f"age {rg.min_age_years:g} or older"]
            if rg.smoking:
                criteria.append(" or ".join(s.replace("-", " ", 1) for s in rg.smoking) + " smoker")
            if rg.cv_risk:
                criteria.append("a cardiovascular risk factor or a history of MI or stroke")
            if rg.malignancy_risk:
                criteria.append("a history of malignancy")
            if rg.vte_risk:
                criteria.append("a history of VTE")
            add("risk-group", EMA_RISK, "EMA Article 20 risk group, any of: " + "; ".join(criteria),
                mono.id)  # fmt: skip
    return {
        rule: RuleText(
            rule,
            kind,
            tuple(Variant(text, tuple(agents)) for text, agents in texts.items()),
        )
        for (kind, rule), texts in sorted(found.items(), key=lambda kv: kv[0][1])
    }
