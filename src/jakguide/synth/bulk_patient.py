# ruff: noqa: UP031  (percent formatting on purpose: the fastest way to fill the line templates)
"""One generated patient as FHIR R4 NDJSON lines, and the facts the measures count.

Lines are built from precomputed JSON fragments (no JSON encoder per resource): the fragments
come from ``bulk_tables`` (codes read from the knowledge), the values from one seeded RNG.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
from collections.abc import Callable
from typing import Any

from jakguide.model import Region
from jakguide.synth.bulk_tables import Med, Tables, Threshold
from jakguide.synth.measures import Facts

Emit = Callable[[str, str], None]  # (resource type, one JSON line)
ESI = (
    "vte",
    "myocardial-infarction",
    "stroke",
    "malignancy",
    "serious-infection",
    "herpes-zoster",
    "gi-perforation",
)
ESI_WEIGHTS = (3, 2, 2, 3, 5, 6, 1)  # relative frequency among events (generator choice)
LAB_CAT = (
    '"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category",'
    '"code":"laboratory"}]}]'
)
_DAYS: dict[int, str] = {}
NORMAL_BITS = 12
# Standard normal deviates at the midpoints of 4,096 equal-probability slices: one C call
# (getrandbits) per lab value instead of a Python-level gauss().
NORMAL = tuple(
    statistics.NormalDist().inv_cdf((i + 0.5) / (1 << NORMAL_BITS)) for i in range(1 << NORMAL_BITS)
)


def day(ordinal: int) -> str:
    """ISO date of an ordinal (cached: a population spans a few thousand days)."""
    text = _DAYS.get(ordinal)
    if text is None:
        text = _DAYS[ordinal] = dt.date.fromordinal(ordinal).isoformat()
    return text


class Writer:
    """Builds lines for one patient at a time; ``emit`` receives them."""

    def __init__(
        self, t: Tables, as_of: dt.date, emit: Emit, obs: Callable[[str], None] | None = None
    ) -> None:
        self.t = t
        self.as_of = as_of.toordinal()
        self.emit = emit
        pop = t.pop
        self.sim: dict[str, Any] = pop["simulation"]
        self.scr: dict[str, Any] = pop["screening"]
        conds = list(pop["conditions"].items())
        self.conditions = [c for c, _ in conds]
        self.cond_weights = [v[0] for _, v in conds]
        self.cond_params = {c: v for c, v in conds}
        self.labs: dict[str, tuple[float, float]] = {
            k: (v[0], v[1]) for k, v in pop["labs"].items()
        }
        self.panels: dict[str, list[str]] = pop["panels"]
        self.profiles: dict[str, dict[str, str]] = pop["unit_profiles"]
        self.decimals: dict[str, int] = pop["decimals"]
        self.lab_prefix: dict[tuple[str, str], str] = {}
        self._row_cache: dict[
            tuple[str, int], list[tuple[str, str, float, float, float, float]]
        ] = {}
        self.obs: Callable[[str], None] = obs or (lambda line: emit("Observation", line))
        self.style = "concept"  # how the current patient's records name their medicines
        self.medication_ids: dict[str, str] = {}  # concept -> Medication resource id
        for analyte, unit in t.factors:
            code, name = t.loinc[analyte]
            digits = self.decimals.get(unit, 1)
            self.lab_prefix[(analyte, unit)] = (
                '{"resourceType":"Observation","id":"%s-o%d","status":"final",'
                + LAB_CAT
                + ',"code":{"coding":[{"system":"http://loinc.org","code":"'
                + code
                + '","display":'
                + _q(name)
                + '}]},"subject":{"reference":"Patient/%s"},'
                '"effectiveDateTime":"%s","valueQuantity":{"value":'
                + f"%.{digits}f"
                + ',"unit":'
                + _q(unit)
                + ',"system":"http://unitsofmeasure.org","code":'
                + _q(unit)
                + "}}"
            )
        # Screening: P(all) and the conditional shares that keep each published marginal.
        c = self.scr["all_applicable"] * 0.96  # the independent remainder adds the rest
        self.p_all = c
        self.p_tb = (self.scr["tb_12_months"] - c) / (1 - c)
        self.p_hbv = (self.scr["hbv_complete"] - c) / (1 - c)
        self.p_hcv = (self.scr["hcv"] - c) / (1 - c)
        self.p_surface = self.scr["hbv_surface_only"] / (1 - self.scr["hbv_complete"])
        self.p_core = self.scr["hbv_core_only"] / (1 - self.scr["hbv_complete"])

    # -- fragments -----------------------------------------------------------------------

    def _condition(self, rid: str, pid: str, concept: str, onset: int, status: str) -> None:
        self.emit(
            "Condition",
            '{"resourceType":"Condition","id":"%s","clinicalStatus":{"coding":[{"system":'
            '"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"%s"}]},'
            '"code":%s,"subject":{"reference":"Patient/%s"},"onsetDateTime":"%s"}'
            % (rid, status, concept, pid, day(onset)),
        )

    def _medication(self, med: Med) -> str:
        """How this patient's records name ``med``: the concept itself, a contained Medication
        (``#med``), or a reference to a Medication resource of the export (written once)."""
        if self.style == "contained":
            return (
                '"contained":[{"resourceType":"Medication","id":"med","code":%s}],'
                '"medicationReference":{"reference":"#med"}' % med.concept
            )
        if self.style == "resource":
            mid = self.medication_ids.get(med.concept)
            if mid is None:
                mid = self.medication_ids[med.concept] = "med%d" % len(self.medication_ids)
                self.emit(
                    "Medication",
                    '{"resourceType":"Medication","id":"%s","code":%s}' % (mid, med.concept),
                )
            return '"medicationReference":{"reference":"Medication/%s"}' % mid
        return '"medicationCodeableConcept":%s' % med.concept

    def _statement(self, rid: str, pid: str, med: Med, start: int, end: int | None) -> None:
        status = "active" if end is None else "completed"
        period = '"start":"%s"' % day(start)
        if end is not None:
            period += ',"end":"%s"' % day(end)
        self.emit(
            "MedicationStatement",
            '{"resourceType":"MedicationStatement","id":"%s","status":"%s",'
            '%s,"subject":{"reference":"Patient/%s"},'
            '"effectivePeriod":{%s}}' % (rid, status, self._medication(med), pid, period),
        )

    def _request(self, rid: str, pid: str, med: Med, when: int, status: str) -> None:
        self.emit(
            "MedicationRequest",
            '{"resourceType":"MedicationRequest","id":"%s","status":"%s","intent":"order",'
            '%s,"subject":{"reference":"Patient/%s"},'
            '"authoredOn":"%s"}' % (rid, status, self._medication(med), pid, day(when)),
        )

    def _test(self, rid: str, pid: str, item: str, when: int, result: str | None) -> None:
        code, display = self.t.screening[item]
        if result is None:
            status, value = "cancelled", ""
        else:
            status, value = "final", ',"valueCodeableConcept":' + self.t.results[result]
        self.emit(
            "Observation",
            (
                '{"resourceType":"Observation","id":"%s","status":"%s",'
                + LAB_CAT
                + ',"code":{"coding":[{"system":"http://loinc.org","code":"%s","display":%s}]},'
                '"subject":{"reference":"Patient/%s"},"effectiveDateTime":"%s"%s}'
            )
            % (rid, status, code, _q(display), pid, day(when), value),
        )

    def _med(self, rng: random.Random, inn: str) -> Med:
        variants = self.t.meds[inn]
        coded = [m for m in variants if m.rxnorm]
        if coded and rng.random() >= self.sim["text_only_medication"]:
            return coded[0] if rng.random() < self.sim["first_brand"] else rng.choice(coded)
        plain = [m for m in variants if not m.rxnorm] or variants
        return rng.choice(plain)

    # -- one patient ---------------------------------------------------------------------

    def patient(self, rng: random.Random, pid: str) -> Facts:
        """Emit one patient's resources; return the facts the measures count."""
        sim, t, as_of = self.sim, self.t, self.as_of
        self.n = 0

        def rid(kind: str) -> str:
            self.n += 1
            return f"{pid}-{kind}{self.n}"

        cond = rng.choices(self.conditions, self.cond_weights)[0]
        roll, self.style = rng.random(), "concept"
        for style, share in sim["medication_reference"].items():
            roll -= share
            if roll < 0:
                self.style = style
                break
        _, female, low, high = self.cond_params[cond]
        region: Region = "US" if rng.random() < sim["region_us"] else "EU"
        sex = "female" if rng.random() < female else "male"
        birth = as_of - rng.randint(low, high) * 365 - rng.randint(0, 364)
        lo, hi = sim["record_years"]
        rec_start = as_of - rng.randint(lo * 365, hi * 365)
        facts = Facts(birth=birth, condition=t.condition_label[cond], region=region)
        self.emit(
            "Patient",
            '{"resourceType":"Patient","id":"%s","gender":"%s","birthDate":"%s",'
            '"address":[{"country":"%s"}]}' % (pid, sex, day(birth), region),
        )
        self._condition(
            rid("c"), pid, t.condition_codes[cond], rec_start - rng.randint(30, 2000), "active"
        )
        for item, share in sim["comorbidity"].items():
            if rng.random() < share:
                self._condition(
                    rid("c"),
                    pid,
                    t.history[item],
                    rng.randint(rec_start - 1500, as_of - 1),
                    "active",
                )
        for item, key in (("hbv-active", "known_hbv"), ("hcv-active", "known_hcv")):
            if rng.random() < sim[key]:
                onset = rng.randint(rec_start - 800, as_of - 1)
                self._condition(rid("c"), pid, t.history[item], onset, "active")
                facts.known.append((onset, item))
        roll, smoke = rng.random(), "current"
        for status, share in sim["smoking"].items():
            roll -= share
            if roll < 0:
                smoke = status
                break
        self.emit(
            "Observation",
            '{"resourceType":"Observation","id":"%s","status":"final","code":{"coding":[{"system":'
            '"http://loinc.org","code":"72166-2","display":"Tobacco smoking status"}]},'
            '"subject":{"reference":"Patient/%s"},"effectiveDateTime":"%s",'
            '"valueCodeableConcept":%s}' % (rid("o"), pid, day(rec_start), t.smoking[smoke]),
        )
        if region == "EU":
            units = self.profiles["eu"]
        else:
            units = self.profiles["us-a" if rng.random() < sim["us_conventional_units"] else "us-b"]

        # therapy: (ingredient, start, end) courses; the first B start is the index
        courses: list[tuple[str, int, int | None]] = []
        jaks = t.jak_for.get((cond, region), [])
        if rng.random() < sim["starts_b"] and as_of - rec_start > sim["min_days_before_start"]:
            index = rng.randint(rec_start + 30, as_of - 14)
            if jaks and rng.random() < sim["jak_first"]:
                courses.append((rng.choice(jaks), index, None))
            else:
                switch = rng.randint(index + 60, index + 1200)
                if jaks and rng.random() < sim["switch_to_jak"] and switch < as_of - 7:
                    courses.append((rng.choice(t.biologics), index, switch - 1))
                    courses.append((rng.choice(jaks), switch, None))
                else:
                    courses.append((rng.choice(t.biologics), index, None))
            for k, (_, start, _) in enumerate(courses):
                self._screen(rng, pid, rid, start, facts, prior=k > 0)
            if rng.random() < sim["entered_in_error"]:
                wrong = self._med(rng, rng.choice(t.biologics))
                self._request(
                    rid("m"), pid, wrong, index - rng.randint(30, 400), "entered-in-error"
                )
        for inn, start, end in courses:
            med = self._med(rng, inn)
            facts.exposures.append((start, inn))
            if inn in t.j_set:
                stop = as_of if end is None else end
                when = last = start
                while when <= stop:
                    self._request(
                        rid("m"), pid, med, when, "active" if end is None else "completed"
                    )
                    if when != start:
                        facts.exposures.append((when, inn))
                    last = when
                    when += rng.randint(80, 100)
                facts.jak_courses.append((inn, start, as_of if end is None else last))
            else:
                self._statement(rid("m"), pid, med, start, end)
        if rng.random() < sim["comed_interacting"]:
            inn = rng.choice(t.interacting)
            start = rng.randint(rec_start, as_of)
            self._statement(rid("m"), pid, self._med(rng, inn), start, None)
            facts.exposures.append((start, inn))
        self._labs(rng, pid, rid, cond, region, units, rec_start, courses)
        self._events(rng, pid, rid, courses, facts)
        if rng.random() < sim["zoster_vaccine"]:
            self.emit(
                "Immunization",
                '{"resourceType":"Immunization","id":"%s","status":"completed","vaccineCode":'
                '{"coding":[{"system":"http://hl7.org/fhir/sid/cvx","code":"187","display":'
                '"zoster vaccine recombinant"}]},"patient":{"reference":"Patient/%s"},'
                '"occurrenceDateTime":"%s"}' % (rid("i"), pid, day(rng.randint(rec_start, as_of))),
            )
        allergy = (
            '"code":{"text":"Penicillin"}'
            if rng.random() < sim["drug_allergy"]
            else '"code":{"coding":[{"system":"http://snomed.info/sct","code":"409137002",'
            '"display":"No known drug allergy (situation)"}]}'
        )
        self.emit(
            "AllergyIntolerance",
            '{"resourceType":"AllergyIntolerance","id":"%s",%s,"patient":{"reference":'
            '"Patient/%s"},"recordedDate":"%s"}' % (rid("a"), allergy, pid, day(rec_start)),
        )
        return facts

    def _screen(
        self,
        rng: random.Random,
        pid: str,
        rid: Callable[[str], str],
        start: int,
        facts: Facts,
        prior: bool,
    ) -> None:
        """Screening tests before a start, at the published rates (population.yaml)."""
        scr, sim = self.scr, self.sim
        done_all = rng.random() < self.p_all
        items: list[str] = []
        if done_all or rng.random() < self.p_tb:
            items.append("tb")
        if not prior:
            if done_all or rng.random() < self.p_hbv:
                items += ["hbsag", "anti-hbc"]
            elif rng.random() < self.p_surface:
                items.append("hbsag")
            elif rng.random() < self.p_core:
                items.append("anti-hbc")
            if done_all or rng.random() < self.p_hcv:
                items.append("hcv")
        for item in ("tb", "hbsag", "anti-hbc", "hcv"):
            if item in items:
                when = start - rng.randint(0, 360)
            elif rng.random() < sim["test_outside_window"]:
                when = start - rng.randint(400, 900)
            elif rng.random() < sim["cancelled_order"]:
                self._test(rid("o"), pid, item, start - rng.randint(0, 60), None)
                continue
            else:
                continue
            result = "positive" if rng.random() < scr["positive_share"] else "negative"
            self._test(rid("o"), pid, item, when, result)
            facts.tests.append((when, item, result))
            if item == "tb" and result == "positive" and rng.random() < sim["latent_tb_treated"]:
                regimens = self.t.ltbi_regimens
                drugs, days, _ = rng.choices(regimens, [r[2] for r in regimens])[0]
                treat = min(start, when + rng.randint(7, 40))
                for inn in drugs:
                    self._statement(rid("m"), pid, self._med(rng, inn), treat, treat + days)
                    facts.exposures.append((treat, inn))

    def _panel(
        self,
        rng: random.Random,
        pid: str,
        rid: Callable[[str], str],
        when: int,
        names: list[str],
        units: dict[str, str],
        cross: Threshold | None,
    ) -> None:
        """One panel: each analyte in this laboratory's unit (the hot loop: no JSON encoder)."""
        date = day(when)
        out = self.obs
        bits = rng.getrandbits
        n = self.n
        for panel in names:
            for analyte, prefix, mean, sd, floor, factor in self._rows(panel, units):
                value = mean + sd * NORMAL[bits(NORMAL_BITS)]
                if value < floor:  # noqa: PLR1730 (a compare is cheaper than max() here)
                    value = floor
                if cross is not None and cross.analyte == analyte:
                    value = _beyond(rng, cross) / factor
                n += 1
                out(prefix % (pid, n, pid, date, value))
        self.n = n

    def _rows(
        self, panel: str, units: dict[str, str]
    ) -> list[tuple[str, str, float, float, float, float]]:
        """(analyte, line template, mean, sd, floor, factor), in the laboratory's unit."""
        key = (panel, id(units))
        rows = self._row_cache.get(key)
        if rows is None:
            rows = []
            for analyte in self.panels[panel]:
                unit = units.get(analyte) or self.t.kb.analytes[analyte].canonical_unit
                mean, sd = self.labs[analyte]
                f = self.t.factors[(analyte, unit)]
                rows.append(
                    (analyte, self.lab_prefix[(analyte, unit)], mean / f, sd / f, mean / 5 / f, f)
                )
            self._row_cache[key] = rows
        return rows

    def _labs(
        self,
        rng: random.Random,
        pid: str,
        rid: Callable[[str], str],
        cond: str,
        region: Region,
        units: dict[str, str],
        rec_start: int,
        courses: list[tuple[str, int, int | None]],
    ) -> None:
        sim, as_of = self.sim, self.as_of
        rheum = cond in (
            "rheumatoid-arthritis",
            "psoriatic-arthritis",
            "ankylosing-spondylitis",
            "non-radiographic-axial-spondyloarthritis",
            "giant-cell-arteritis",
        )
        base = ["blood-count", "liver", "renal"] + (["inflammation"] if rheum else [])
        first = courses[0][1] if courses else as_of + 1
        lo, hi = sim["off_therapy_panel_days"]
        when = rec_start + rng.randint(0, 90)
        while when < first - 30 and when <= as_of:
            self._panel(rng, pid, rid, when, [*base, "lipids"], units, None)
            when += rng.randint(lo, hi)
        lo, hi = sim["panel_every_days"]
        for inn, start, end in courses:
            stop = as_of if end is None else end
            if rng.random() < sim["baseline_labs"]:
                self._panel(
                    rng, pid, rid, start - rng.randint(0, 30), [*base, "lipids"], units, None
                )
            rules = self.t.thresholds.get((inn, region), [])
            when, k = start + rng.randint(lo, hi), 0
            while when <= stop:
                k += 1
                if rng.random() >= sim["panel_missed"]:
                    cross = rng.choice(rules) if rules and rng.random() < sim["crossing"] else None
                    names = [*base, "lipids"] if k == 1 else base
                    self._panel(rng, pid, rid, when, names, units, cross)
                    repeat = when + rng.randint(14, 28)
                    if cross is not None and repeat <= as_of:
                        again = cross if rng.random() < sim["crossing_confirmed"] else None
                        self._panel(rng, pid, rid, repeat, ["blood-count"], units, again)
                when += rng.randint(lo, hi)

    def _events(
        self,
        rng: random.Random,
        pid: str,
        rid: Callable[[str], str],
        courses: list[tuple[str, int, int | None]],
        facts: Facts,
    ) -> None:
        rate = self.sim["esi_per_100_py"] / 100 / 365
        for _, start, end in courses:
            stop = self.as_of if end is None else end
            span = stop - start
            if span > 0 and rng.random() < rate * span:
                item = rng.choices(ESI, ESI_WEIGHTS)[0]
                onset = rng.randint(start + 1, stop) if span > 1 else stop
                self._condition(rid("c"), pid, self.t.history[item], onset, "active")
                facts.events.append((onset, item))


def _beyond(rng: random.Random, rule: Threshold) -> float:
    """A value on the far side of a label threshold (read from the knowledge)."""
    if rule.comparator in ("lt", "lte"):
        return rule.value * rng.uniform(0.5, 0.9)
    if rule.comparator in ("gt", "gte"):
        return rule.value * rng.uniform(1.1, 1.6)
    upper = rule.upper if rule.upper is not None else rule.value
    return rule.value + (upper - rule.value) * rng.uniform(0.2, 0.8)


def _q(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)
