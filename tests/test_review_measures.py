"""Label review points judged by their trials' criteria, trial endpoint checkpoints and the RA
EULAR-response review: each on both sides (met, not met), and unknown is not met."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from jakguide.adapters.native import patient_from_data
from jakguide.dates import add_months, add_weeks
from jakguide.engine import assess
from jakguide.kb.base import Knowledge
from jakguide.model import AssessRequest, Finding, Region
from jakguide.rules.outcome import judge
from jakguide.rules.targets import review_points

BASES = Path(__file__).parent / "cases" / "_bases"
START = dt.date(2026, 1, 5)

Score = dict[str, Any]


def _findings(
    kb: Knowledge,
    base: str,
    condition: str,
    drug: str,
    region: Region,
    scores: list[Score],
    as_of: dt.date,
) -> list[Finding]:
    data: dict[str, Any] = yaml.safe_load((BASES / f"{base}.yaml").read_text())
    data["conditions"] = [condition]
    data["therapy"] = {"drug": drug, "start_date": START}
    data["scores"] = scores
    patient = patient_from_data(data, kb)
    request = AssessRequest(condition=condition, region=region, as_of=as_of, drugs=[drug])
    (option,) = assess(patient, request, kb).options
    return [f for f in option.findings if f.rule.startswith("response.")]


def _one(findings: list[Finding], rule: str) -> Finding:
    (found,) = [f for f in findings if f.rule == rule]
    return found


def _scores(instrument: str, before: Any, after: Any, after_week: int) -> list[Score]:
    def row(date: dt.date, value: Any) -> Score:
        if isinstance(value, dict):
            return {"instrument": instrument, "date": date, "inputs": value}
        return {"instrument": instrument, "date": date, "value": value}

    return [row(START - dt.timedelta(days=3), before), row(add_weeks(START, after_week), after)]


# (base, condition, drug, region, review rule, week, instrument, baseline, met, not met, named)
REVIEWS = [
    (
        "ad-man-severe",
        "atopic-dermatitis",
        "abrocitinib",
        "EU",
        "response.review.eu-week-24",
        24,
        "easi",
        24,
        6,  # 75 % better: EASI-75
        6.1,  # 74.6 %: not EASI-75 (EASI-50 is met and said)
        "EASI-75",
    ),
    (
        "ad-man-severe",
        "atopic-dermatitis",
        "upadacitinib",
        "EU",
        "response.review.eu-review-ad-12",
        12,
        "easi",
        20,
        5,
        5.5,
        "EASI-75",
    ),
    (
        "aa-man-severe",
        "alopecia-areata",
        "ritlecitinib",
        "EU",
        "response.review.no-benefit-36-weeks",
        36,
        "salt",
        80,
        20,  # SALT <= 20
        20.1,
        "SALT <= 20",
    ),
    (
        "ra-man-mtx-ir",
        "ulcerative-colitis",
        "tofacitinib",
        "US",
        "response.review.us-uc-week16-stop",
        16,
        "mayo",
        {"stool_frequency": 3, "rectal_bleeding": 2, "endoscopy": 3, "physician_global": 2},
        # total 10 -> 7: a fall of 3 and 30 %, rectal bleeding down by 1: OCTAVE response
        {"stool_frequency": 2, "rectal_bleeding": 1, "endoscopy": 2, "physician_global": 2},
        # 10 -> 8: a fall of 2 only
        {"stool_frequency": 3, "rectal_bleeding": 1, "endoscopy": 2, "physician_global": 2},
        "Mayo clinical response",
    ),
    (
        "ra-man-mtx-ir",
        "ulcerative-colitis",
        "upadacitinib",
        "EU",
        "response.review.eu-review-uc-16",
        16,
        "mayo",
        # adapted Mayo (no physician global) 7 -> 5: a fall of 2 and 28.6 %: not a response
        {"stool_frequency": 2, "rectal_bleeding": 2, "endoscopy": 3, "physician_global": 3},
        # 7 -> 4: a fall of 3 and 42.9 %, rectal bleeding <= 1: U-ACHIEVE response
        {"stool_frequency": 2, "rectal_bleeding": 1, "endoscopy": 1, "physician_global": 3},
        {"stool_frequency": 2, "rectal_bleeding": 1, "endoscopy": 2, "physician_global": 1},
        "adapted Mayo clinical response",
    ),
]


@pytest.mark.parametrize(
    (
        "base",
        "condition",
        "drug",
        "region",
        "rule",
        "week",
        "instrument",
        "baseline",
        "met",
        "not_met",
        "criterion",
    ),
    REVIEWS,
)
def test_label_review_point_is_judged_by_its_trials_criterion(
    kb: Knowledge,
    base: str,
    condition: str,
    drug: str,
    region: Region,
    rule: str,
    week: int,
    instrument: str,
    baseline: Any,
    met: Any,
    not_met: Any,
    criterion: str,
) -> None:
    as_of = add_weeks(START, week + 1)
    due = add_weeks(START, week).isoformat()

    yes = _one(
        _findings(
            kb, base, condition, drug, region, _scores(instrument, baseline, met, week), as_of
        ),
        rule,
    )
    assert yes.severity == "info" and yes.kind == "response"
    assert f"{criterion} met" in yes.message and due in yes.message
    assert f"{criterion}: met" in yes.facts
    assert len(yes.sources) == 2, "the label's review point and the criterion's source"

    no = _one(
        _findings(
            kb, base, condition, drug, region, _scores(instrument, baseline, not_met, week), as_of
        ),
        rule,
    )
    assert no.severity == "warning" and no.kind == "response"
    assert f"{criterion} (" in no.message and "not met" in no.message
    assert f"{criterion}: not met" in no.facts
    for f in (yes, no):  # people's names for the criteria, never code (issue 12)
        shown = " ".join([f.message, *f.facts])
        assert not re.search(r"=(True|False|true|false)|[a-z]+_[a-z0-9]", shown), shown

    # a score taken before the review date does not judge it
    early = _findings(
        kb, base, condition, drug, region, _scores(instrument, baseline, met, week - 2), as_of
    )
    found = _one(early, rule)
    assert found.kind == "missing-data" and "before the assessment date" in found.message

    # no score after the start: unknown, not met
    nothing = _one(
        _findings(
            kb, base, condition, drug, region, _scores(instrument, baseline, met, week)[:1], as_of
        ),
        rule,
    )
    assert nothing.kind == "missing-data" and nothing.severity == "warning"
    assert f"no {instrument} score after the start" in nothing.message

    # before the review date: when, and by what
    pending = _one(
        _findings(
            kb,
            base,
            condition,
            drug,
            region,
            _scores(instrument, baseline, met, week - 2),
            add_weeks(START, week - 1),
        ),
        rule,
    )
    assert pending.severity == "info" and f"judged by {criterion}" in pending.message


def test_review_without_a_measure_keeps_any_response(kb: Knowledge) -> None:
    """Filgotinib's UC review (week 22) has no criterion the record can show (SELECTION used
    an endoscopy-based score not encoded): any response met is still reported."""
    mayo = {"stool_frequency": 3, "rectal_bleeding": 2, "endoscopy": 3, "physician_global": 2}
    better = {"stool_frequency": 1, "rectal_bleeding": 0, "endoscopy": 1, "physician_global": 1}
    found = _one(
        _findings(
            kb,
            "ra-man-mtx-ir",
            "ulcerative-colitis",
            "filgotinib",
            "EU",
            _scores("mayo", mayo, better, 22),
            add_weeks(START, 23),
        ),
        "response.review.eu-review-uc-22",
    )
    assert found.severity == "info" and "Mayo clinical response" in found.message


# (base, condition, drug, region, rule, week, instrument, baseline, met, not met)
ENDPOINTS = [
    (
        "aa-man-severe",
        "alopecia-areata",
        "baricitinib",
        "US",
        "response.review.endpoint-salt-le-20-week-36",
        36,
        "salt",
        90,
        20,
        21,
    ),
    (
        "aa-man-severe",
        "alopecia-areata",
        "deuruxolitinib",
        "US",
        "response.review.endpoint-salt-le-20-week-24",
        24,
        "salt",
        60,
        15,
        40,
    ),
    (
        "aa-man-severe",
        "alopecia-areata",
        "ritlecitinib",
        "US",
        "response.review.endpoint-salt-le-20-week-24",
        24,
        "salt",
        60,
        20,
        20.5,
    ),
    (
        "ad-man-severe",
        "atopic-dermatitis",
        "abrocitinib",
        "US",
        "response.review.endpoint-easi75-week-12",
        12,
        "easi",
        32,
        8,
        8.1,
    ),
    (
        "pso-man-moderate",
        "vitiligo",
        "ruxolitinib",
        "US",
        "response.review.endpoint-f-vasi75-week-24",
        24,
        "f-vasi",
        2,
        0.5,  # 75 %
        0.51,
    ),
    (
        "pso-man-moderate",
        "plaque-psoriasis",
        "deucravacitinib",
        "US",
        "response.review.endpoint-pasi75-week-16",
        16,
        "pasi",
        20,
        5,
        5.2,
    ),
    (
        "ra-man-mtx-ir",
        "ulcerative-colitis",
        "tofacitinib",
        "US",
        "response.review.endpoint-clinical-remission-week-8",
        8,
        "mayo",
        {"stool_frequency": 3, "rectal_bleeding": 2, "endoscopy": 3, "physician_global": 2},
        {"stool_frequency": 1, "rectal_bleeding": 0, "endoscopy": 1, "physician_global": 0},
        # total 2 but rectal bleeding 1: not OCTAVE remission
        {"stool_frequency": 0, "rectal_bleeding": 1, "endoscopy": 1, "physician_global": 0},
    ),
]


@pytest.mark.parametrize(
    ("base", "condition", "drug", "region", "rule", "week", "instrument", "baseline", "met", "no"),
    ENDPOINTS,
)
def test_trial_endpoint_checkpoint(
    kb: Knowledge,
    base: str,
    condition: str,
    drug: str,
    region: Region,
    rule: str,
    week: int,
    instrument: str,
    baseline: Any,
    met: Any,
    no: Any,
) -> None:
    as_of = add_weeks(START, week)
    yes = _one(
        _findings(
            kb, base, condition, drug, region, _scores(instrument, baseline, met, week), as_of
        ),
        rule,
    )
    assert yes.severity == "info" and any(f.endswith(": met") for f in yes.facts) and yes.sources
    not_met = _one(
        _findings(
            kb, base, condition, drug, region, _scores(instrument, baseline, no, week), as_of
        ),
        rule,
    )
    assert (
        any(f.endswith(": not met") for f in not_met.facts)
        and "not a stopping rule" in not_met.message
    )
    assert not_met.severity == "info", "a trial endpoint is information; the label's review warns"
    before = _findings(
        kb,
        base,
        condition,
        drug,
        region,
        _scores(instrument, baseline, met, week - 1),
        add_weeks(START, week) - dt.timedelta(days=1),
    )
    assert not [f for f in before if f.rule == rule], "nothing is said before the trial's week"


def test_trials_with_one_endpoint_make_one_checkpoint(kb: Knowledge) -> None:
    found = _findings(
        kb,
        "aa-man-severe",
        "alopecia-areata",
        "baricitinib",
        "US",
        _scores("salt", 90, 10, 36),
        add_weeks(START, 36),
    )
    (checkpoint,) = [f for f in found if "endpoint-salt" in f.rule]
    assert "BRAVE-AA1, BRAVE-AA2" in checkpoint.message


@pytest.mark.parametrize(
    ("instrument", "before", "after", "rule"),
    [
        # 5.4 -> 4.1: improvement 1.3, current above 3.2: moderate EULAR response
        ("das28-crp", 5.4, 4.1, "response.target.ra-eular-response-met"),
        # 5.4 -> 4.8: improvement 0.6: no EULAR response
        ("das28-crp", 5.4, 4.8, "response.target.ra-eular-response-not-met"),
        # 5.4 -> 4.79: improvement 0.61: moderate (just over 0.6, current <= 5.1)
        ("das28-esr", 5.4, 4.79, "response.target.ra-eular-response-met"),
        # 6.0 -> 5.2: improvement 0.8 but current > 5.1: no response
        ("das28-esr", 6.0, 5.2, "response.target.ra-eular-response-not-met"),
    ],
)
def test_ra_eular_response_at_3_months(
    kb: Knowledge, instrument: str, before: float, after: float, rule: str
) -> None:
    due = add_months(START, 3)
    scores = [
        {"instrument": instrument, "date": START - dt.timedelta(days=2), "value": before},
        {"instrument": instrument, "date": due, "value": after},
    ]
    found = _findings(
        kb, "ra-man-mtx-ir", "rheumatoid-arthritis", "upadacitinib", "US", scores, due
    )
    hit = _one(found, rule)
    met = not rule.endswith("-not-met")
    assert ("EULAR moderate or good response: met" in hit.facts) == met
    assert "criterion: EULAR moderate or good response" in hit.facts
    assert not [f for f in hit.facts if re.search(r"\w=\w", f)], hit.facts  # no code in facts
    assert hit.severity == ("info" if met else "warning")
    assert any(s.doc == "eular-ra-2022" for s in hit.sources)


def test_ra_eular_response_before_and_without_scores(kb: Knowledge) -> None:
    scores = [{"instrument": "das28-crp", "date": START - dt.timedelta(days=2), "value": 5.4}]
    due = add_months(START, 3)
    early = _findings(
        kb,
        "ra-man-mtx-ir",
        "rheumatoid-arthritis",
        "upadacitinib",
        "US",
        scores,
        due - dt.timedelta(days=1),
    )
    pending = _one(early, "response.target.ra-eular-response-3-months")
    assert pending.severity == "info" and due.isoformat() in pending.message
    late = _findings(kb, "ra-man-mtx-ir", "rheumatoid-arthritis", "upadacitinib", "US", scores, due)
    missing = _one(late, "response.target.ra-eular-response-needs-data")
    assert (
        missing.kind == "missing-data" and "no das28-crp score after the start" in missing.message
    )


def test_ra_review_point_is_listed(kb: Knowledge) -> None:
    (point,) = [p for p in review_points(kb, "rheumatoid-arthritis")]
    assert point.when == "3 months" and "EULAR moderate or good response" in point.message


def test_modified_mayo_ignores_an_unevaluable_remission(kb: Knowledge) -> None:
    """Judged on clinical response alone, a missing friability (remission not evaluable) does
    not make the U-ACHIEVE response not evaluable."""

    class Row:
        def __init__(self, date: dt.date, inputs: dict[str, int]) -> None:
            self.instrument, self.date, self.value, self.inputs = "mayo", date, None, inputs

    base = {"stool_frequency": 2, "rectal_bleeding": 2, "endoscopy": 3, "physician_global": 3}
    now = {"stool_frequency": 0, "rectal_bleeding": 0, "endoscopy": 1, "physician_global": 0}
    rows = [Row(START - dt.timedelta(days=1), base), Row(add_weeks(START, 16), now)]
    o = judge(
        "mayo",
        rows,
        START,
        add_weeks(START, 16),
        response_name="modified-mayo",
        criteria=("clinical_response",),
    )
    assert o.state == "judged" and o.criterion("clinical_response") is True
    full = judge("mayo", rows, START, add_weeks(START, 16), response_name="modified-mayo")
    assert full.state == "not-evaluable" and "friability" in full.reason


def test_every_measure_in_the_knowledge_resolves(kb: Knowledge) -> None:
    """Each review point, trial endpoint and guideline criterion names a recorded instrument
    with a response definition that reports the criterion."""
    from jakguide.instruments.registry import RESPONSES as DEFINITIONS
    from jakguide.rules.outcome import RESPONSES
    from jakguide.rules.targets import MEASURES

    seen: list[tuple[str, str | None, str]] = []
    for mono in kb.drugs.values():
        for label in mono.regions.values():
            seen += [
                (rp.measure.instrument, rp.measure.response, rp.measure.criterion)
                for rp in label.review_points
                if rp.measure is not None
            ]
        seen += [
            (e.measure.instrument, e.measure.response, e.measure.criterion)
            for e in mono.efficacy
            if e.measure is not None
        ]
    for g in kb.guidelines.values():
        if g.targets is not None and g.targets.criterion is not None:
            seen += [(i, None, g.targets.criterion) for i in MEASURES[g.targets.instrument]]
    assert len(seen) >= 15
    for instrument, response, criterion in seen:
        name = response or RESPONSES[instrument][0]
        assert criterion in dict(DEFINITIONS[name].doc.criteria), (instrument, name, criterion)


@pytest.mark.parametrize(("salt", "met"), [(20, True), (20.5, False)])
def test_salt_le_20_needs_no_baseline(kb: Knowledge, salt: float, met: bool) -> None:
    """SALT <= 20 reads the current score alone: a record with no score before the start is
    still judged at the review (clinics often record the first SALT after starting)."""
    scores = [{"instrument": "salt", "date": add_weeks(START, 36), "value": salt}]
    found = _one(
        _findings(
            kb,
            "aa-man-severe",
            "alopecia-areata",
            "ritlecitinib",
            "EU",
            scores,
            add_weeks(START, 37),
        ),
        "response.review.no-benefit-36-weeks",
    )
    assert f"SALT <= 20: {'met' if met else 'not met'}" in found.facts
    assert "no baseline needed" in found.message


def test_easi75_without_a_baseline_is_unknown(kb: Knowledge) -> None:
    """EASI-75 is a change from baseline: without a score on or before the start it is not
    judged (missing-data), never 'not met'."""
    scores = [{"instrument": "easi", "date": add_weeks(START, 24), "value": 3}]
    found = _one(
        _findings(
            kb,
            "ad-man-severe",
            "atopic-dermatitis",
            "abrocitinib",
            "EU",
            scores,
            add_weeks(START, 25),
        ),
        "response.review.eu-week-24",
    )
    assert found.kind == "missing-data" and "no easi score on or before the start" in found.message
