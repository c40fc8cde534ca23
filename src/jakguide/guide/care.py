"""Guide sections on care around the medicine: blood tests and checks, vaccines, pregnancy.

A mixin of the guide builder (``content._Builder``): the attributes below are the builder's.
Monitoring dates come from ``evaluate_labs`` (this patient's plan, in label order), check results
from the assessment's screening list and the patient's records.
"""

from __future__ import annotations

import datetime as dt

from jakguide.guide.common import NOT_PLANNED, concerns_pregnancy, fmt_date, strong
from jakguide.guide.model import Group, GuideRequest, Run, Section, Statement
from jakguide.guide.wording import Wording
from jakguide.kb.base import Knowledge
from jakguide.kb.schema import RegionLabel
from jakguide.model import Assessment, LabsReport, MonitoringOut, Option, Patient
from jakguide.rules.story import is_recheck

VACCINE_ITEMS = ("zoster-vaccine", "immunizations", "live-vaccines")


class CareSections:
    w: Wording
    kb: Knowledge
    label: RegionLabel
    option: Option
    patient: Patient
    request: GuideRequest
    assessment: Assessment
    labs: LabsReport
    started: bool
    brand: str

    def lab_changes_source(self) -> dict[str, list[Statement]]:
        raise NotImplementedError  # the builder's side-effect statements per action

    def tests(self) -> Section:
        w = self.w
        paras: list[Statement] = list(w.listed("tests"))
        groups: list[Group] = []
        plans = self.labs.monitoring  # evaluate_labs plans label.monitoring in label order
        rechecks = {m.analyte: m for m in plans if is_recheck(m)}  # then the rechecks
        items = []
        for i, item in enumerate(self.label.monitoring):
            plan = plans[i] if i < len(plans) and plans[i].analyte == item.analyte else None
            plan = rechecks.get(item.analyte, plan)  # the next step is the recheck (policy 21)
            name_st = self.kb.guide.get(f"analyte.{item.analyte}")
            if name_st is not None:
                name = w.build(name_st, cites=[item.source])
            else:
                analyte = self.kb.analytes[item.analyte].name
                name = w.must(
                    "effects.unknown-term", {"term": Run(analyte, "quote")}, [item.source]
                )
            name = strong(name)
            when: list[Statement | None] = []
            if item.baseline:
                when.append(w.must("tests.when.baseline"))
            if item.first_from_weeks is not None:
                lo, hi = item.first_from_weeks, item.first_to_weeks
                if hi is not None and hi > lo:
                    sid = "tests.when.window" if item.baseline else "tests.when.first-window"
                    when.append(w.must(sid, {"from": str(lo), "to": str(hi)}))
                else:
                    sid = "tests.when.at" if item.baseline else "tests.when.first-at"
                    when.append(w.must(sid, {"from": str(lo)}))
            if item.every_months:
                when.append(w.must("tests.when.every", {"months": str(item.every_months)}))
            elif item.baseline or item.first_from_weeks is not None:
                when.append(w.must("tests.when.routine"))
            else:
                when.append(w.must("tests.when.during"))
            planned = self.option.status not in NOT_PLANNED
            status = self._test_status(plan) if plan is not None and planned else None
            joined = w.join(f"tests.{item.analyte}", [name, *when, status])
            if joined is not None:
                items.append(joined)
        if items:
            groups.append(Group("monitoring", f"Blood tests for {self.brand}", None, tuple(items)))
        else:
            paras.append(w.must("tests.none"))
        checks = self._checks()
        if checks is not None:
            groups.append(checks)
        lab_changes = self.lab_changes_source().get("blood-test", [])
        if lab_changes:
            groups.append(
                Group(
                    "lab-changes",
                    "Changes a blood test can show",
                    w.must("tests.lab-change"),
                    tuple(lab_changes),
                )
            )
        return Section("tests", "Blood tests and checks", tuple(paras), tuple(groups))

    def _test_status(self, plan: MonitoringOut) -> Statement:
        w = self.w
        if plan.status == "overdue" and plan.due_by is not None:
            return w.must("tests.status.overdue", {"due_by": fmt_date(plan.due_by)})
        if plan.status == "due":
            if plan.due_by is not None:
                return w.must("tests.status.due-by", {"due_by": fmt_date(plan.due_by)})
            return w.must("tests.status.due")
        if plan.status == "done":
            return w.must("tests.status.done")
        if plan.due_from is not None and plan.due_by is not None:
            sid = "tests.status.upcoming" if self.started else "tests.status.upcoming-if-start"
            return w.must(
                sid, {"due_from": fmt_date(plan.due_from), "due_by": fmt_date(plan.due_by)}
            )
        return w.must("tests.status.later")

    def _checks(self) -> Group | None:
        w = self.w
        planned = self.option.status not in NOT_PLANNED
        outs = {s.item: s for s in self.assessment.screening}
        items: list[Statement] = []
        seen: set[str] = set()
        for s in self.label.screening:
            if s.item in VACCINE_ITEMS or s.item in seen:
                continue
            if s.item == "pregnancy-test" and not concerns_pregnancy(self.patient):
                continue
            if s.item == "hbv-dna" and s.item not in outs:
                continue  # only asked for after a positive anti-HBc result
            seen.add(s.item)
            name_st = self.kb.guide.get(f"screening.{s.item}")
            if name_st is None:
                name = w.must("effects.unknown-term", {"term": Run(s.item, "quote")}, [s.source])
            else:
                name = w.build(name_st, cites=[s.source])
            status = self._check_status(s.item) if planned else None
            joined = w.join(f"checks.{s.item}", [name, status])
            if joined is not None:
                items.append(joined)
        if not items:
            return None
        intro = w.must("checks.intro" if planned else "checks.not-planned")
        return Group("checks", "Checks before you start", intro, tuple(items))

    def _check_status(self, item: str) -> Statement | None:
        w = self.w
        found = next((s for s in self.assessment.screening if s.item == item), None)
        if found is None:
            return None
        if found.status == "done":
            record = self._screening_record(item)
            if record is not None:
                return w.must("checks.done", {"date": fmt_date(record)})
            return w.must("checks.done-undated")
        return w.must(f"checks.{found.status}")

    def _screening_record(self, item: str) -> dt.date | None:
        dates = [
            s.date
            for s in self.patient.screening or []
            if s.item == item and s.date is not None and s.date <= self.request.as_of
        ]
        return max(dates) if dates else None

    def vaccines(self) -> Section:
        paras = list(self.w.listed("vaccines"))
        done = [
            s
            for s in self.patient.screening or []
            if s.item == "zoster-vaccine" and s.result == "done" and s.date is not None
        ]
        if done:
            last = max(s.date for s in done if s.date is not None)
            paras.insert(
                max(len(paras) - 1, 0),
                self.w.must("vaccines.shingles-done", {"date": fmt_date(last)}),
            )
        return Section("vaccines", "Vaccines", tuple(paras))

    def pregnancy(self) -> Section | None:
        if not concerns_pregnancy(self.patient):
            return None
        w = self.w
        paras: list[Statement] = []
        if self.patient.pregnancy == "pregnant":
            paras.append(w.must("pregnancy.you-are"))
        if self.patient.breastfeeding == "yes":
            paras.append(w.must("breastfeeding.you-are"))
        paras += w.listed("pregnancy")
        rep = self.label.reproduction
        if rep is not None:
            paras.append(
                w.must(
                    "pregnancy.label", {"summary": Run(rep.pregnancy_text, "quote")}, [rep.source]
                )
            )
        paras += w.listed("breastfeeding")
        if rep is not None and rep.lactation is not None and rep.lactation_text:
            paras.append(
                w.must(
                    "pregnancy.label", {"summary": Run(rep.lactation_text, "quote")}, [rep.source]
                )
            )
        return Section("pregnancy", "Pregnancy and breastfeeding", tuple(paras))
