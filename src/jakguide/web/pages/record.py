"""What the patient record page shows: visits, response badges, overdue monitoring, plot setup.

Why the plots are set up here but drawn in the browser: the data come from the REST API
(``/api/patients/{id}/timeline``), exactly what an integration sees; the page only says which
plots to draw and the category bands of each instrument, read from the instruments' own band
constants so that a band on a plot cannot differ from the category in the record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from jakguide.engine import evaluate_labs
from jakguide.instruments import asdas as asdas_mod
from jakguide.instruments import basdai as basdai_mod
from jakguide.instruments import cdai as cdai_mod
from jakguide.instruments import dapsa as dapsa_mod
from jakguide.instruments import das28 as das28_mod
from jakguide.instruments import dlqi as dlqi_mod
from jakguide.instruments import easi as easi_mod
from jakguide.instruments import hbi as hbi_mod
from jakguide.instruments import hecsi as hecsi_mod
from jakguide.instruments import mayo as mayo_mod
from jakguide.instruments import niaid as niaid_mod
from jakguide.instruments import salt as salt_mod
from jakguide.instruments import severity as severity_mod
from jakguide.instruments import viga as viga_mod
from jakguide.instruments.model import Band
from jakguide.instruments.registry import get_instrument, get_response
from jakguide.kb.base import Knowledge
from jakguide.model import LabsReport, LabsRequest, Patient, Region
from jakguide.rules.outcome import HEADLINE, RESPONSES, Outcome, Scored, judge, judge_asas
from jakguide.rules.story import is_recheck
from jakguide.store.convert import Record
from jakguide.store.links import SelfReport
from jakguide.web.pages.common import analyte_name
from jakguide.web.pages.human import label, unit_text

AXIAL = ("ankylosing-spondylitis", "non-radiographic-axial-spondyloarthritis")
SKIN = ("plaque-psoriasis",)
PSA = ("psoriatic-arthritis",)
ALERT_ACTIONS = ("do-not-start", "interrupt", "discontinue", "recheck")


# --------------------------------------------------------------------------- plots


@dataclass(frozen=True)
class ChartBand:
    low: float
    high: float | None
    label: str


@dataclass(frozen=True)
class ScoreChart:
    key: str
    instrument: str
    title: str
    input: str | None  # plot this input instead of the value (BSA from psoriasis-severity)
    max: float | None
    bands: tuple[ChartBand, ...]
    source: str

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "instrument": self.instrument,
            "title": self.title,
            "input": self.input,
            "max": self.max,
            "bands": [{"low": b.low, "high": b.high, "label": b.label} for b in self.bands],
        }


def _bands(bands: Sequence[Band]) -> tuple[ChartBand, ...]:
    out, low = [], 0.0
    for band in bands:
        high = float(band.upper) if band.upper is not None else None
        out.append(ChartBand(low, high, f"{band.label}: {band.description}"))
        low = high if high is not None else low
    return tuple(out)


def _rule_of_tens(limit: Fraction, what: str) -> tuple[ChartBand, ...]:
    cut = float(limit)
    return (
        ChartBand(0.0, cut, f"{what} <= {cut:g}: not severe by this criterion"),
        ChartBand(cut, None, f"{what} > {cut:g}: severe (rule of tens)"),
    )


SCORE_CHARTS: tuple[ScoreChart, ...] = (
    ScoreChart(
        "pasi",
        "pasi",
        "PASI",
        None,
        None,
        _rule_of_tens(severity_mod.RULE_OF_TENS_PASI, "PASI"),
        "Finlay 2005 (rule of tens); PASI has no published bands",
    ),
    ScoreChart(
        "bsa",
        "psoriasis-severity",
        "BSA (%)",
        "bsa_percent",
        None,
        _rule_of_tens(severity_mod.RULE_OF_TENS_BSA_PERCENT, "BSA"),
        "Finlay 2005 (rule of tens)",
    ),
    ScoreChart(
        "dlqi",
        "dlqi",
        "DLQI",
        None,
        float(severity_mod.DLQI_MAX),
        _bands(dlqi_mod.BANDS),
        "DLQI bands (Hongbo 2005)",
    ),
    ScoreChart("dapsa", "dapsa", "DAPSA", None, None, _bands(dapsa_mod.BANDS), "Schoels 2016"),
    ScoreChart(
        "basdai",
        "basdai",
        "BASDAI",
        None,
        float(basdai_mod.BASDAI_MAX),
        _bands(basdai_mod.BANDS),
        "ASAS threshold for active disease",
    ),
    ScoreChart(
        "asdas-crp",
        "asdas-crp",
        "ASDAS-CRP",
        None,
        None,
        _bands(asdas_mod.BANDS),
        "Machado 2011 disease activity states",
    ),
    ScoreChart(
        "asdas-esr",
        "asdas-esr",
        "ASDAS-ESR",
        None,
        None,
        _bands(asdas_mod.BANDS),
        "Machado 2011 disease activity states",
    ),
)


def _chart(instrument: str, bands: Sequence[Band] = (), top: Fraction | None = None) -> ScoreChart:
    """A plot of ``instrument`` with its own bands and sources (the instrument's documentation
    names them, so the plot cannot disagree with the category in the record)."""
    doc = get_instrument(instrument).doc
    title = doc.title.split(" - ")[0]
    source = "; ".join(f"{s['doc']} ({s['section']})" for s in doc.sources)
    if not bands:
        source += "; no published bands"
    return ScoreChart(
        instrument,
        instrument,
        title,
        None,
        float(top) if top is not None else None,
        _bands(bands),
        source,
    )


# The other conditions' instruments (issue 18), after the psoriasis and axSpA plots above.
CONDITION_CHARTS: tuple[ScoreChart, ...] = (
    _chart("das28-crp", das28_mod.BANDS),
    _chart("das28-esr", das28_mod.BANDS),
    _chart("cdai", cdai_mod.CDAI_BANDS),
    _chart("sdai", cdai_mod.SDAI_BANDS),
    _chart("easi", easi_mod.BANDS, easi_mod.EASI_MAX),
    _chart("viga-ad", (), viga_mod.GRADE_MAX),
    _chart("salt", salt_mod.BANDS, salt_mod.PERCENT_MAX),
    _chart("mayo", mayo_mod.BANDS, mayo_mod.MAYO_MAX),
    _chart("partial-mayo", mayo_mod.PARTIAL_BANDS, mayo_mod.PARTIAL_MAX),
    _chart("hbi", hbi_mod.BANDS),
    _chart("hecsi", hecsi_mod.BANDS),
    _chart("f-vasi"),
    _chart("t-vasi"),
    _chart("jadas-27"),
    _chart("cjadas-10"),
    _chart("niaid-os", (), niaid_mod.CATEGORY_MAX),
)
ALL_CHARTS = SCORE_CHARTS + CONDITION_CHARTS


def score_charts(
    rec: Record, conditions: Sequence[str], listed: Sequence[str] = ()
) -> list[ScoreChart]:
    """The plots with data, plus the usual ones for the patient's conditions (``listed``: the
    instruments the knowledge lists for them)."""
    have: set[str] = set()
    for row in rec.rows("scores"):
        have.add(row.instrument)
        if row.instrument == "psoriasis-severity" and (row.inputs or {}).get("bsa_percent"):
            have.add("bsa")
    usual: set[str] = set()
    if any(c in SKIN for c in conditions):
        usual |= {"pasi", "bsa", "dlqi"}
    if any(c in PSA for c in conditions):
        usual |= {"dapsa"}
    if any(c in AXIAL for c in conditions):
        usual |= {"basdai", "asdas-crp"}
    if not any(c in SKIN + PSA + AXIAL for c in conditions):
        usual |= set(listed[:1])  # the condition's first instrument; others once they have data
    wanted = [c for c in ALL_CHARTS if c.key in usual or (c.key in have and c.key != "bsa")]
    if "bsa" in have and not any(c.key == "bsa" for c in wanted):
        wanted.append(next(c for c in SCORE_CHARTS if c.key == "bsa"))
    return wanted


def lab_analytes(kb: Knowledge, rec: Record, drug: str | None, region: Region) -> list[str]:
    """Monitored labs of the running therapy's label (and those with label thresholds);
    without a therapy, the labs on record."""
    label = kb.label(drug, region) if drug else None
    if label is not None:
        found = [m.analyte for m in label.monitoring] + [r.analyte for r in label.labs]
    else:
        found = [row.analyte for row in rec.rows("labs")]
    return list(dict.fromkeys(a for a in found if kb.analyte(a) is not None))


# --------------------------------------------------------------------------- badges
# The judgement (baseline, current, criteria met) is ``rules.outcome``'s, the same the engine's
# response findings use; a badge only words it.


@dataclass(frozen=True)
class Badge:
    name: str
    state: str  # reached | not-reached | not-evaluable
    text: str
    sources: tuple[str, ...] = ()


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _since(o: Outcome) -> str:
    base, cur = o.baseline, o.current
    assert cur is not None  # judged outcomes have a current score
    if base is None:  # a criterion of the current score alone (SALT <= 20)
        return f"{_fmt(cur.value)} on {cur.date.isoformat()}"
    return f"{_fmt(base.value)} on {base.date.isoformat()} -> {_fmt(cur.value)} on {cur.date}"


def _cite(o: Outcome) -> tuple[str, ...]:
    return tuple(f"{s['title']} ({s['doc']}), {s['section']}" for s in o.sources)


def _needs(o: Outcome, name: str, what: str) -> Badge | None:
    """The not-evaluable badge when the outcome was not judged (else ``None``)."""
    if o.state in ("no-follow-up", "no-baseline", "unscorable"):
        return Badge(name, "not-evaluable", f"needs {what} before and after the start")
    if not o.criteria:  # the instrument refused the values
        return Badge(name, "not-evaluable", o.reason)
    return None


def _state(met: bool | None) -> str:
    return "reached" if met else "not-reached"


def _pasi_badge(scores: Sequence[Scored], start: dt.date | None, day: dt.date) -> Badge:
    o = judge("pasi", scores, start, day)
    name = get_response("pasi").doc.label("pasi75")
    if (early := _needs(o, name, "a PASI")) is not None:
        return early
    pct = o.results.get("percent_improvement")
    if pct is None:
        return Badge(name, "not-evaluable", "baseline PASI is 0", _cite(o))
    text = f"{pct:.0f} % improvement ({_since(o)})"
    return Badge(name, _state(o.criterion("pasi75")), text, _cite(o))


def _asdas_badge(scores: Sequence[Scored], start: dt.date | None, day: dt.date) -> Badge:
    name = get_response(asdas_mod.RESPONSE_NAME).doc.label("clinically_important")
    for instrument in ("asdas-crp", "asdas-esr"):
        o = judge(instrument, scores, start, day)
        if _needs(o, name, "an ASDAS") is not None:
            continue
        text = f"change {o.results['delta']:.2f} ({instrument}: {_since(o)})"
        return Badge(name, _state(o.criterion("clinically_important")), text, _cite(o))
    return Badge(name, "not-evaluable", "needs an ASDAS before and after the start")


def _asas_badge(scores: Sequence[Scored], start: dt.date | None, day: dt.date) -> Badge:
    o = judge_asas(scores, start, day)
    if o.baseline is None or o.current is None or not o.criteria:
        return Badge(
            "ASAS40",
            "not-evaluable",
            "needs BASDAI and ASDAS items and BASFI at a visit before and after the start",
        )
    improved, domains = o.results["domains_improved_40"], len(o.results["domains"])
    text = (
        f"{improved} of {domains} domains improved enough for ASAS40"
        f" ({o.baseline.date} -> {o.current.date})"
    )
    return Badge("ASAS40", _state(o.criterion("asas40")), text, _cite(o))


def _dapsa_badge(scores: Sequence[Scored], start: dt.date | None, day: dt.date) -> Badge:
    o = judge("dapsa", scores, start, day)
    if (early := _needs(o, "DAPSA response", "a DAPSA")) is not None:
        return early
    level = o.results.get("improvement")
    pct = o.results.get("percent_improvement")
    if pct is None:
        return Badge("DAPSA response", "not-evaluable", "baseline DAPSA is 0", _cite(o))
    state = "reached" if o.met else "not-reached"
    text = f"{level or 'none'} improvement, {pct:.0f} % ({_since(o)})"
    return Badge("DAPSA response", state, text, _cite(o))


def badge_name(instrument: str) -> str:
    """A headline badge's name: the criterion as its response definition writes it (EASI-75,
    SALT <= 20), with the instrument first where two instruments share the definition
    (DAS28-CRP, DAS28-ESR)."""
    response, _ = RESPONSES[instrument]
    shown = get_response(response).doc.label(HEADLINE[instrument])
    shared = sum(RESPONSES[i][0] == response for i in HEADLINE) > 1
    return f"{instrument.upper()} {shown}" if shared else shown


def _headline_badge(
    instrument: str, scores: Sequence[Scored], start: dt.date | None, day: dt.date
) -> Badge:
    criterion = HEADLINE[instrument]
    name = badge_name(instrument)
    o = judge(instrument, scores, start, day, criteria=(criterion,))
    if (early := _needs(o, name, f"a {instrument.upper()}")) is not None:
        return early
    met = o.criterion(criterion)
    if met is None or o.state != "judged":
        return Badge(name, "not-evaluable", o.reason or "not evaluable", _cite(o))
    names = dict(get_response(o.response).doc.shown_as)
    others = [names[k] for k, v in o.results.items() if v is True and k in names and k != criterion]
    also = f"; met: {', '.join(others)}" if others else ""
    return Badge(name, _state(met), f"{_since(o)}{also}", _cite(o))


def response_badges(
    rec: Record,
    conditions: Sequence[str],
    start: dt.date | None,
    day: dt.date,
    listed: Sequence[str] = (),
) -> list[Badge]:
    """Badges for the patient's conditions (and for any instrument with data); ``listed``: the
    instruments the knowledge lists for the conditions."""
    scores: list[Scored] = list(rec.rows("scores"))
    instruments = {r.instrument for r in scores}
    out = []
    if any(c in SKIN for c in conditions) or "pasi" in instruments:
        out.append(_pasi_badge(scores, start, day))
    if any(c in AXIAL for c in conditions) or instruments & {"asdas-crp", "asdas-esr"}:
        out.append(_asdas_badge(scores, start, day))
        out.append(_asas_badge(scores, start, day))
    if any(c in PSA for c in conditions) or "dapsa" in instruments:
        out.append(_dapsa_badge(scores, start, day))
    shown = [i for i in HEADLINE if i in instruments]
    if not shown:  # nothing recorded yet: the condition's first instrument says what it needs
        shown = [i for i in listed if i in HEADLINE][:1]
    for instrument in shown:
        assert instrument in RESPONSES  # the outcome judges it
        out.append(_headline_badge(instrument, scores, start, day))
    return out


# --------------------------------------------------------------------------- visits


@dataclass
class VisitItem:
    kind: str  # score | lab | therapy | screening | self-report
    text: str
    alert: str | None = None  # words saying why it is highlighted
    tag: str | None = None
    detail: list[str] = field(default_factory=list)
    edit: str | None = None  # the row's edit form (labs)


@dataclass
class Visit:
    date: dt.date
    items: list[VisitItem] = field(default_factory=list)


def _score_text(row: Any) -> str:
    value = "-" if row.value is None else _fmt(row.value)
    category = f" ({row.category})" if row.category else ""
    return f"{row.instrument.upper()} {value}{category}"


def visits(
    kb: Knowledge,
    rec: Record,
    reports: Sequence[SelfReport],
    actions: dict[tuple[str, dt.date, float, str], str],
) -> list[Visit]:
    """Everything dated in the record, newest first, grouped by day."""
    by_day: dict[dt.date, Visit] = {}

    def add(day: dt.date, item: VisitItem) -> None:
        by_day.setdefault(day, Visit(day)).items.append(item)

    reported = {r.score_id for r in reports if r.score_id is not None}
    for t in rec.rows("therapies"):
        dose = f" {_fmt(t.dose_mg)} mg" if t.dose_mg else ""
        per_day = f", {t.per_day}x daily" if t.per_day else ""
        add(t.start_date, VisitItem("therapy", f"Started {t.drug}{dose}{per_day}"))
        if t.stop_date is not None:
            why = f" ({label(t.stop_reason).lower()})" if t.stop_reason else ""
            add(t.stop_date, VisitItem("therapy", f"Stopped {t.drug}{why}"))
    for row in rec.rows("scores"):
        if row.id in reported:
            continue
        add(row.date, VisitItem("score", _score_text(row)))
    for lab in rec.rows("labs"):
        action = actions.get((lab.analyte, lab.date, lab.value_entered, lab.unit_entered))
        alert = f"label action: {action}" if action in ALERT_ACTIONS else None
        unit = unit_text(lab.unit_entered)
        text = f"{analyte_name(kb, lab.analyte)} {lab.value_entered:g} {unit}"
        edit = f"/patients/{lab.patient_id}/labs/{lab.id}/edit"
        add(lab.date, VisitItem("lab", text, alert, edit=edit))
    for s in rec.rows("screening"):
        if s.date is not None:
            what = f"{label(s.item)}: {label(s.result).lower()}"
            add(s.date, VisitItem("screening", what))
    for rep in reports:
        detail = []
        if rep.instrument:
            category = f" ({rep.category})" if rep.category else ""
            value = "-" if rep.value is None else _fmt(rep.value)
            detail.append(f"{rep.instrument.upper()} {value}{category}")
        if rep.itch is not None:
            detail.append(f"itch {_fmt(rep.itch)}/10")
        if rep.side_effects:
            detail.append("side effects noticed: " + ", ".join(rep.side_effects))
        if rep.note:
            detail.append(f"note: {rep.note}")
        add(
            rep.date,
            VisitItem(
                "self-report",
                "Self-report",
                tag="Patient-reported",
                detail=detail,
                alert="side effects reported" if rep.side_effects or rep.note else None,
            ),
        )
    return [by_day[d] for d in sorted(by_day, reverse=True)]


# --------------------------------------------------------------------------- monitoring


@dataclass(frozen=True)
class LabAlert:
    analyte: str
    short: str  # "Lymphocytes 0.45 10*9/L: recheck"
    text: str  # with the date and the label's message


@dataclass(frozen=True)
class Overdue:
    analyte: str
    name: str
    due_by: dt.date | None
    why: str


@dataclass
class LabState:
    report: LabsReport | None
    overdue: list[Overdue]
    actions: dict[tuple[str, dt.date, float, str], str]
    alerts: list[LabAlert]


def lab_state(kb: Knowledge, patient: Patient, region: Region, day: dt.date) -> LabState:
    """The running therapy's lab report: overdue checks and results that call for action."""
    if patient.therapy is None or kb.label(patient.therapy.drug, region) is None:
        return LabState(None, [], {}, [])
    req = LabsRequest(drug=patient.therapy.drug, region=region, as_of=day)
    report = evaluate_labs(patient, req, kb)
    actions: dict[tuple[str, dt.date, float, str], str] = {
        (r.analyte, r.date, r.value_entered, r.unit_entered): r.action for r in report.results
    }
    latest: dict[str, Any] = {}
    for r in sorted(report.results, key=lambda x: x.date):
        latest[r.analyte] = r
    alerts = []
    recheck_by = {m.analyte: m.due_by for m in report.monitoring if is_recheck(m)}
    for r in latest.values():
        if r.action in ALERT_ACTIONS:
            unit = unit_text(r.unit_entered)
            short = f"{analyte_name(kb, r.analyte)} {r.value_entered:g} {unit}: {r.action}"
            if recheck_by.get(r.analyte) is not None:  # the plan's recheck entry (policy 21)
                short += f" by {recheck_by[r.analyte]}"
            alerts.append(LabAlert(r.analyte, short, f"{short} ({r.date}). {r.message}"))
    overdue = [
        Overdue(m.analyte, analyte_name(kb, m.analyte), m.due_by, m.why)
        for m in report.monitoring
        if m.status == "overdue"
    ]
    return LabState(report, overdue, actions, alerts)
