"""Monograph facts a guide statement rests on (the ``facts:`` keys of the guide wording).

A key either holds for a drug's label in a region, giving the citations to show next to the
wording (and values for its placeholders), or it does not, and the statement is left out. Keys:

=========================  =====================================================================
``indication``             the label has an indication for the guide's condition
``target``                 the monograph names the kinases it inhibits (value ``kinases``)
``target.jak``             ... and at least one of them is a JAK (JAK1, JAK2, JAK3)
``target.tyk2``            ... and TYK2 is the only one
``route.<route>``          the medicine (the patient's regimen form, else any form) has route
``boxed-warning``          the label has a boxed warning
``class-warning``          boxed warning (US) or the EMA Article 20 risk-group wording (EU)
``infection-risk``         class warning, else a note on serious infection, else TB screening
``zoster``                 herpes zoster among adverse reactions, notes or vaccine screening
``hypersensitivity``       a contraindication for known hypersensitivity
``screening.<item>``       the label asks for this screening item (e.g. ``live-vaccines``)
``reproduction``           the label has pregnancy wording
``pregnancy.<level>``      pregnancy level is ``contraindicated|avoid|not-recommended|caution``
``pregnancy.unstated``     no pregnancy wording in the knowledge (no citation)
``lactation.<level>``      lactation level as for pregnancy; ``lactation.avoid-any`` = any of
                           contraindicated, avoid, not-recommended
``lactation.unstated``     no lactation level in the knowledge (no citation)
``contraception``          a contraception interval after the last dose (value
                           ``contraception_weeks``)
``monitoring``             the label has a monitoring schedule
``monitoring:<analyte>``   the label's monitoring schedule has an item for this analyte
``labs.initiation``        the label has lab thresholds for starting
``labs.on-therapy``        the label has lab thresholds during treatment
``note:<topic>``           a region or monograph note with this topic
``adverse:<text>``         an adverse reaction (this region) whose term contains ``text``
``guideline:<id>``         a guideline entry (for the guide's condition, or for all conditions)
=========================  =====================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jakguide.kb.base import Knowledge
from jakguide.kb.schema import Citation, Monograph, RegionLabel

_LEVELS = ("contraindicated", "avoid", "not-recommended", "caution")
_JAKS = ("JAK1", "JAK2", "JAK3")
_FIXED = (
    "indication",
    "target",
    "target.jak",
    "target.tyk2",
    "boxed-warning",
    "class-warning",
    "infection-risk",
    "zoster",
    "hypersensitivity",
    "reproduction",
    "pregnancy.unstated",
    "lactation.unstated",
    "lactation.avoid-any",
    "contraception",
    "monitoring",
    "labs.initiation",
    "labs.on-therapy",
)
_PREFIXES = (
    "route.",
    "screening.",
    "pregnancy.",
    "lactation.",
    "note:",
    "adverse:",
    "guideline:",
    "monitoring:",
)


def known_key(key: str) -> bool:
    """Whether ``key`` is a fact key this module can resolve (used to validate the wording)."""
    if key in _FIXED:
        return True
    for level_prefix in ("pregnancy.", "lactation."):
        if key.startswith(level_prefix):
            return key.removeprefix(level_prefix) in _LEVELS
    prefix = next((p for p in _PREFIXES if key.startswith(p)), None)
    return prefix is not None and len(key) > len(prefix)


@dataclass
class Fact:
    citations: list[Citation] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)


def _weeks(value: float) -> str:
    n = int(value) if float(value).is_integer() else value
    return f"{n} week" if n == 1 else f"{n} weeks"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


class FactResolver:
    """Resolves fact keys for one drug, region and condition (and the patient's regimen form)."""

    def __init__(
        self,
        kb: Knowledge,
        mono: Monograph,
        label: RegionLabel,
        region: str,
        condition: str,
        form: str | None,
    ) -> None:
        self.kb = kb
        self.mono = mono
        self.label = label
        self.region = region
        self.condition = condition
        self.form = form

    def resolve(self, key: str) -> Fact | None:
        mono, label = self.mono, self.label
        if key == "indication":
            ind = next((i for i in label.indications if i.condition == self.condition), None)
            return Fact([ind.source]) if ind else None
        if key == "target":
            return Fact([mono.target.source], {"kinases": _join(list(mono.target.kinases))})
        if key == "target.jak":
            return self._if(any(k in _JAKS for k in mono.target.kinases), mono.target.source)
        if key == "target.tyk2":
            return self._if(list(mono.target.kinases) == ["TYK2"], mono.target.source)
        if key.startswith("route."):
            route = key.removeprefix("route.")
            forms = [f for f in mono.forms if self.form is None or f.id == self.form]
            hit = next((f for f in forms if f.route == route), None)
            return Fact([hit.source]) if hit else None
        if key == "boxed-warning":
            return Fact([label.boxed_warning.source]) if label.boxed_warning else None
        if key == "class-warning":
            if label.boxed_warning:
                return Fact([label.boxed_warning.source])
            return Fact([label.risk_groups.source]) if label.risk_groups else None
        if key == "infection-risk":
            return (
                self.resolve("class-warning")
                or self._note_matching("infection")
                or self.resolve("screening.tb")
            )
        if key == "zoster":
            return (
                self.resolve("adverse:zoster")
                or self._note_matching("zoster")
                or self.resolve("screening.zoster-vaccine")
            )
        if key == "hypersensitivity":
            ci = next((c for c in label.contraindications if c.when.hypersensitivity), None)
            return Fact([ci.source]) if ci else None
        if key.startswith("screening."):
            item = key.removeprefix("screening.")
            found = next((s for s in label.screening if s.item == item), None)
            return Fact([found.source]) if found else None
        return self._reproduction(key) or self._other(key)

    def _reproduction(self, key: str) -> Fact | None:
        rep = self.label.reproduction
        if key == "reproduction":
            return Fact([rep.source]) if rep else None
        if key == "pregnancy.unstated":
            return Fact() if rep is None else None
        if key == "lactation.unstated":
            return Fact() if rep is None or rep.lactation is None else None
        if key == "contraception":
            if rep is None or rep.contraception_weeks_after_last_dose is None:
                return None
            return Fact(
                [rep.source],
                {"contraception_weeks": _weeks(rep.contraception_weeks_after_last_dose)},
            )
        if rep is None:
            return None
        if key == "lactation.avoid-any":
            return self._if(rep.lactation in _LEVELS[:3], rep.source)
        if key.startswith("pregnancy."):
            return self._if(rep.pregnancy == key.removeprefix("pregnancy."), rep.source)
        if key.startswith("lactation."):
            return self._if(rep.lactation == key.removeprefix("lactation."), rep.source)
        return None

    def _other(self, key: str) -> Fact | None:
        label = self.label
        if key == "monitoring":
            return Fact([label.monitoring[0].source]) if label.monitoring else None
        if key.startswith("monitoring:"):
            analyte = key.removeprefix("monitoring:")
            item = next((m for m in label.monitoring if m.analyte == analyte), None)
            return Fact([item.source]) if item else None
        if key in ("labs.initiation", "labs.on-therapy"):
            contexts = (
                ("initiation", "both") if key == "labs.initiation" else ("on-therapy", "both")
            )
            rule = next((r for r in label.labs if r.context in contexts), None)
            return Fact([rule.source]) if rule else None
        if key.startswith("note:"):
            topic = key.removeprefix("note:")
            note = next((n for n in [*label.notes, *self.mono.notes] if n.topic == topic), None)
            return Fact([note.source]) if note else None
        if key.startswith("adverse:"):
            needle = key.removeprefix("adverse:").lower()
            hits = [
                a.source
                for a in self.mono.adverse_reactions
                if a.region in (None, self.region) and needle in a.term.lower()
            ]
            return Fact(list(dict.fromkeys(hits))[:1]) if hits else None
        if key.startswith("guideline:"):
            g = self.kb.guidelines.get(key.removeprefix("guideline:"))
            ok = g is not None and (g.conditions is None or self.condition in g.conditions)
            return Fact([g.source]) if g is not None and ok else None
        return None

    def _note_matching(self, word: str) -> Fact | None:
        note = next(
            (n for n in [*self.label.notes, *self.mono.notes] if word in n.topic.lower()), None
        )
        return Fact([note.source]) if note else None

    @staticmethod
    def _if(cond: bool, citation: Citation) -> Fact | None:
        return Fact([citation]) if cond else None
