"""Issue 10, one story per record: the views show the recheck, and its dates follow the knowledge.

The vignettes in ``tests/cases/story/`` carry the acceptance lines (first low lymphocyte count,
PASI 90 responder, ALT 8x the upper limit, live vaccine, eight months on therapy); these tests
check that the record page and the guide show the recheck entry and that the recheck window is
read from the knowledge, never from code.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from jakguide.adapters.native import patient_from_data
from jakguide.engine import assess, evaluate_labs
from jakguide.guide import GuideRequest, render_guide_html
from jakguide.kb.base import Knowledge, load_knowledge
from jakguide.model import AssessRequest, LabsRequest, Patient
from jakguide.rules.story import is_recheck
from jakguide.web.pages.record import lab_state
from vignettes import base_patient, merge

AS_OF = dt.date(2026, 11, 21)
START = "2026-06-01"


def _patient(kb: Knowledge, labs: list[dict[str, Any]], **more: Any) -> Patient:
    data = merge(
        base_patient("as-man-tnf-ir"),
        {
            "labs": labs,
            "therapy": {
                "drug": "tofacitinib",
                "form": "ir-tablet",
                "dose_mg": 5,
                "per_day": 2,
                "start_date": START,
            },
            **more,
        },
    )
    return patient_from_data(data, kb)


FIRST_LOW = [
    {"analyte": "lymphocytes", "value": 1600, "unit": "/uL", "date": "2026-05-20"},
    {"analyte": "lymphocytes", "value": 450, "unit": "/uL", "date": "2026-11-18"},
]


def test_record_page_alert_names_the_recheck_date(kb: Knowledge) -> None:
    state = lab_state(kb, _patient(kb, FIRST_LOW), "US", AS_OF)
    assert [a.short for a in state.alerts if a.analyte == "lymphocytes"] == [
        "Lymphocytes, absolute count (blood) 450 /uL: recheck by 2026-12-02"
    ]


def test_guide_shows_the_recheck_due_date(kb: Knowledge) -> None:
    request = GuideRequest(drug="tofacitinib", condition="ankylosing-spondylitis", as_of=AS_OF)
    html = render_guide_html(_patient(kb, FIRST_LOW), request, kb)
    assert "2 December 2026" in html


def test_the_guide_keeps_the_label_order_of_the_plan(kb: Knowledge) -> None:
    report = evaluate_labs(
        _patient(kb, FIRST_LOW), LabsRequest(drug="tofacitinib", region="US", as_of=AS_OF), kb
    )
    label = kb.label("tofacitinib", "US")
    assert label is not None
    n = len(label.monitoring)
    assert [m.analyte for m in report.monitoring[:n]] == [m.analyte for m in label.monitoring]
    assert [m.analyte for m in report.monitoring[n:]] == ["lymphocytes"]
    assert all(is_recheck(m) for m in report.monitoring[n:])


def test_the_recheck_window_is_read_from_the_knowledge(kb_copy: Path) -> None:
    path = kb_copy / "guidelines.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("recheck_within_days: 14", "recheck_within_days: 7"), encoding="utf-8"
    )
    kb = load_knowledge(kb_copy)
    req = AssessRequest(condition="ankylosing-spondylitis", as_of=AS_OF, drugs=["tofacitinib"])
    rechecks = [m for m in assess(_patient(kb, FIRST_LOW), req, kb).monitoring if is_recheck(m)]
    assert [(m.analyte, str(m.due_by)) for m in rechecks] == [("lymphocytes", "2026-11-25")]


def test_a_window_over_two_weeks_is_refused(kb_copy: Path) -> None:
    path = kb_copy / "guidelines.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for g in data["guidelines"]:
        if g["id"] == "lab-recheck-window":
            g["timing"]["recheck_within_days"] = 21
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    from jakguide.errors import KnowledgeError

    try:
        load_knowledge(kb_copy)
    except KnowledgeError as exc:
        assert "recheck_within_days" in str(exc)
    else:  # pragma: no cover - the assertion below reports it
        raise AssertionError("a 21-day recheck window loaded")


@settings(max_examples=25, deadline=None)
@given(
    value=st.integers(min_value=10, max_value=499),  # /uL below 10 is refused as a unit slip
    day=st.dates(min_value=dt.date(2026, 6, 2), max_value=AS_OF),
)
def test_any_first_low_count_is_rechecked_within_two_weeks(
    kb: Knowledge, value: int, day: dt.date
) -> None:
    labs = [FIRST_LOW[0], {"analyte": "lymphocytes", "value": value, "unit": "/uL", "date": day}]
    req = AssessRequest(condition="ankylosing-spondylitis", as_of=AS_OF, drugs=["tofacitinib"])
    rechecks = [m for m in assess(_patient(kb, labs), req, kb).monitoring if is_recheck(m)]
    assert len(rechecks) == 1
    entry = rechecks[0]
    assert entry.due_from == day
    assert entry.due_by is not None and 0 < (entry.due_by - day).days <= 14
    assert entry.status == ("overdue" if entry.due_by < AS_OF else "due")


def test_no_recheck_without_the_guideline(kb_copy: Path) -> None:
    """A missing guideline switches the recheck off rather than inventing a window."""
    path = kb_copy / "guidelines.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["guidelines"] = [g for g in data["guidelines"] if g["id"] != "lab-recheck-window"]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    kb = load_knowledge(kb_copy)
    req = AssessRequest(condition="ankylosing-spondylitis", as_of=AS_OF, drugs=["tofacitinib"])
    assert not [m for m in assess(_patient(kb, FIRST_LOW), req, kb).monitoring if is_recheck(m)]
