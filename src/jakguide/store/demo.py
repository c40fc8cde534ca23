"""A demo clinic: one clinician and five synthetic patients with months of labs and scores.

Everything is dated relative to ``as_of`` (days before it), so the demo tells the same story on
any day: one patient's lipid check after the start of upadacitinib is overdue, another's
lymphocyte count on tofacitinib has fallen below the label's threshold, and the others respond
to treatment in different degrees. The patients are made up; the records go through the same
audited repository and validation as the REST API.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from jakguide.errors import InputError
from jakguide.kb.base import Knowledge
from jakguide.store import accounts
from jakguide.store.audit import Actor
from jakguide.store.db import Database
from jakguide.store.kinds import KINDS
from jakguide.store.models import Clinic
from jakguide.store.records import Records
from jakguide.store.schemas import PatientIn
from jakguide.store.settings import Settings

CLINIC = "Demo clinic"
USERNAME = "demo"
DISPLAY_NAME = "Dr Demo"

Rows = list[tuple[int, str, dict[str, Any]]]  # (days before as_of, list name, body)


@dataclass(frozen=True)
class DemoPatient:
    label: str
    story: str
    fields: dict[str, Any]
    rows: Rows = field(default_factory=list)


def _cbc(days: int, lymphocytes: float = 1.8, neutrophils: float = 4.0, hb: float = 13.8) -> Rows:
    return [
        (days, "labs", {"analyte": "lymphocytes", "value": lymphocytes, "unit": "10*9/L"}),
        (days, "labs", {"analyte": "neutrophils", "value": neutrophils, "unit": "10*9/L"}),
        (days, "labs", {"analyte": "hemoglobin", "value": hb, "unit": "g/dL"}),
    ]


def _liver(days: int, alt: float = 24, ast: float = 22) -> Rows:
    return [
        (days, "labs", {"analyte": "alt", "value": alt, "unit": "U/L"}),
        (days, "labs", {"analyte": "ast", "value": ast, "unit": "U/L"}),
    ]


def _lipids(days: int, ldl: float, tg: float = 140) -> Rows:
    return [
        (days, "labs", {"analyte": "ldl-cholesterol", "value": ldl, "unit": "mg/dL"}),
        (days, "labs", {"analyte": "triglycerides", "value": tg, "unit": "mg/dL"}),
    ]


def _renal(days: int, egfr: float = 95) -> Rows:
    return [
        (days, "labs", {"analyte": "egfr", "value": egfr, "unit": "mL/min/{1.73_m2}"}),
        (days, "labs", {"analyte": "creatinine-clearance", "value": egfr + 8, "unit": "mL/min"}),
    ]


def _screening(days: int, zoster: bool = True) -> Rows:
    items = ["tb", "hbsag", "anti-hbc", "hcv"]
    rows: Rows = [(days, "screening", {"item": i, "result": "negative"}) for i in items]
    if zoster:
        rows.append((days, "screening", {"item": "zoster-vaccine", "result": "done"}))
    return rows


def _pasi(days: int, severity: int, areas: tuple[float, float, float, float]) -> Rows:
    """A PASI with the same erythema, induration and desquamation grade in every region."""
    regions = ("head", "upper_limbs", "trunk", "lower_limbs")
    inputs = {
        region: {
            "erythema": severity,
            "induration": severity,
            "desquamation": max(severity - 1, 0),
            "area_percent": area,
        }
        for region, area in zip(regions, areas, strict=True)
    }
    return [(days, "scores", {"instrument": "pasi", "inputs": inputs})]


def _skin(
    days: int, severity: int, areas: tuple[float, float, float, float], bsa: float, dlqi: list[int]
) -> Rows:
    rows = _pasi(days, severity, areas)
    rows.append((days, "scores", {"instrument": "dlqi", "inputs": {"answers": dlqi}}))
    rows.append(
        (days, "scores", {"instrument": "psoriasis-severity", "inputs": {"bsa_percent": bsa}})
    )
    return rows


def _axial(days: int, items: tuple[float, ...], pga: float, crp: float, basfi: float) -> Rows:
    """BASDAI (six items), ASDAS-CRP (from the same items) and BASFI on one visit."""
    q1, q2, q3, q4, q5, q6 = items
    basdai = {"q1": q1, "q2": q2, "q3": q3, "q4": q4, "q5": q5, "q6": q6}
    asdas = {
        "back_pain": q2,
        "morning_stiffness_duration": q6,
        "patient_global": pga,
        "peripheral_pain_swelling": q3,
        "crp_mg_l": crp,
    }
    return [
        (days, "scores", {"instrument": "basdai", "inputs": basdai}),
        (days, "scores", {"instrument": "asdas-crp", "inputs": asdas}),
        (days, "scores", {"instrument": "basfi", "inputs": {f"q{i}": basfi for i in range(1, 11)}}),
        (days, "labs", {"analyte": "crp", "value": crp, "unit": "mg/L"}),
    ]


def _dapsa(days: int, tender: int, swollen: int, pga: float, pain: float, crp: float) -> Rows:
    inputs = {
        "tender_joints": tender,
        "swollen_joints": swollen,
        "patient_global": pga,
        "pain": pain,
        "crp_mg_l": crp,
    }
    return [(days, "scores", {"instrument": "dapsa", "inputs": inputs})]


_SKIN_DISEASE = {"severity": "severe", "candidate_for": ["systemic", "phototherapy"]}
_REVIEWED = {
    "history": [],
    "active_infections": [],
    "cv_risk_factors": [],
    "allergies": [],
    "hepatic_impairment": "none",
    "on_dialysis": False,
    "pregnancy": "not-pregnant",
    "breastfeeding": "no",
}


def patients() -> list[DemoPatient]:
    """The five demo patients (dates are days before ``as_of``)."""
    return [
        DemoPatient(
            "DEMO-PSO-1",
            "Plaque psoriasis on deucravacitinib for 6 months: PASI 75 reached.",
            {**_REVIEWED, "sex": "female", "age_years": 46, "smoking": "never",
             "reviewed": ["medications"], "disease": _SKIN_DISEASE},
            [
                (300, "conditions", {"condition": "plaque-psoriasis"}),
                (400, "therapies", {"drug": "methotrexate", "start_date": 400,
                                    "stop_date": 200, "stop_reason": "inadequate-response"}),
                (182, "therapies", {"drug": "deucravacitinib", "form": "tablet", "dose_mg": 6,
                                    "per_day": 1, "start_date": 182}),
                *_screening(200),
                *_cbc(195), *_liver(195), *_lipids(195, 118, 150), *_renal(195),
                *_skin(190, 3, (20, 30, 30, 40), 24, [2, 2, 2, 1, 2, 1, 1, 1, 1, 1]),
                *_skin(120, 2, (10, 10, 15, 20), 11, [1, 1, 1, 1, 1, 1, 0, 1, 0, 1]),
                *_cbc(118), *_liver(118), *_lipids(118, 124, 190),
                *_skin(60, 1, (5, 5, 10, 5), 4, [1, 0, 1, 0, 0, 1, 0, 0, 0, 0]),
                *_cbc(20), *_liver(20, 28, 25), *_lipids(20, 121, 205),
                *_skin(14, 1, (0, 3, 5, 5), 2, [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]),
            ],
        ),
        DemoPatient(
            "DEMO-PSO-2",
            "Plaque psoriasis on deucravacitinib for 3 months: partial response so far.",
            {**_REVIEWED, "sex": "male", "age_years": 38, "smoking": "current",
             "reviewed": ["medications"], "disease": _SKIN_DISEASE},
            [
                (250, "conditions", {"condition": "plaque-psoriasis"}),
                (98, "therapies", {"drug": "deucravacitinib", "form": "tablet", "dose_mg": 6,
                                   "per_day": 1, "start_date": 98}),
                *_screening(110),
                *_cbc(105), *_liver(105, 31, 27), *_lipids(105, 142, 180), *_renal(105, 102),
                *_skin(104, 3, (10, 30, 30, 30), 18, [2, 2, 1, 2, 1, 1, 1, 1, 0, 1]),
                *_skin(45, 2, (10, 20, 20, 30), 13, [1, 1, 1, 1, 1, 1, 0, 1, 0, 0]),
                *_cbc(40), *_liver(40, 33, 29), *_lipids(40, 147, 230),
                *_skin(7, 2, (10, 10, 20, 20), 10, [1, 1, 1, 1, 0, 1, 0, 1, 0, 0]),
            ],
        ),
        DemoPatient(
            "DEMO-PSA-1",
            "Psoriatic arthritis on upadacitinib for 5 months; the 12-week lipid check was "
            "never done (overdue).",
            {**_REVIEWED, "sex": "female", "age_years": 52, "smoking": "never",
             "reviewed": ["medications"]},
            [
                (500, "conditions", {"condition": "psoriatic-arthritis"}),
                (500, "conditions", {"condition": "plaque-psoriasis"}),
                (480, "therapies", {"drug": "methotrexate", "start_date": 480,
                                    "stop_date": 300, "stop_reason": "inadequate-response"}),
                (300, "therapies", {"drug": "adalimumab", "start_date": 300,
                                    "stop_date": 165, "stop_reason": "loss-of-response"}),
                (150, "therapies", {"drug": "upadacitinib", "form": "xr-tablet", "dose_mg": 15,
                                    "per_day": 1, "start_date": 150}),
                *_screening(170),
                *_cbc(160, 2.1, 4.4, 13.1), *_liver(160), *_lipids(160, 128), *_renal(160, 88),
                *_dapsa(158, 14, 8, 7, 7, 14),
                *_cbc(100, 1.9, 4.0, 13.0), *_liver(100, 27, 24),
                *_dapsa(95, 8, 4, 5, 4, 6),
                *_cbc(30, 1.8, 3.8, 13.2), *_liver(30, 29, 26),
                *_dapsa(28, 3, 1, 2, 2, 3),
            ],
        ),
        DemoPatient(
            "DEMO-AS-1",
            "Ankylosing spondylitis on tofacitinib after adalimumab; good response (ASAS40), "
            "but the lymphocyte count has fallen below 500 cells/uL.",
            {**_REVIEWED, "sex": "male", "age_years": 41, "smoking": "former",
             "reviewed": ["medications"],
             "disease": {"objective_inflammation": {"crp_elevated": True, "mri": True}}},
            [
                (900, "conditions", {"condition": "ankylosing-spondylitis"}),
                (700, "therapies", {"drug": "adalimumab", "start_date": 700, "stop_date": 260,
                                    "stop_reason": "inadequate-response"}),
                (240, "therapies", {"drug": "tofacitinib", "form": "ir-tablet", "dose_mg": 5,
                                    "per_day": 2, "start_date": 240}),
                *_screening(260),
                *_cbc(250, 1.9, 4.6, 14.4), *_liver(250), *_lipids(250, 112), *_renal(250),
                *_axial(248, (7, 8, 5, 6, 7, 7), 7.5, 18, 6.2),
                *_cbc(200, 1.4, 4.1, 14.1), *_lipids(200, 131),
                *_axial(150, (4, 5, 3, 3, 4, 4), 4.5, 8, 4.4),
                *_cbc(110, 0.9, 3.9, 14.0), *_liver(110, 30, 27), *_renal(110, 97),
                *_axial(60, (3, 3, 2, 2, 3, 2), 3, 4, 3.1),
                *_cbc(20, 0.62, 3.7, 13.9),
                *_cbc(8, 0.45, 3.6, 13.8),
                *_axial(8, (2, 3, 1, 2, 2, 2), 2, 3, 2.6),
            ],
        ),
        DemoPatient(
            "DEMO-AS-2",
            "Ankylosing spondylitis on upadacitinib for 4 months after etanercept: "
            "clinically important ASDAS improvement, ASAS40 not reached.",
            {**_REVIEWED, "sex": "female", "age_years": 35, "smoking": "never",
             "reviewed": ["medications"],
             "disease": {"objective_inflammation": {"crp_elevated": True, "mri": False}}},
            [
                (600, "conditions", {"condition": "ankylosing-spondylitis"}),
                (500, "therapies", {"drug": "etanercept", "start_date": 500, "stop_date": 130,
                                    "stop_reason": "intolerance"}),
                (120, "therapies", {"drug": "upadacitinib", "form": "xr-tablet", "dose_mg": 15,
                                    "per_day": 1, "start_date": 120}),
                *_screening(135),
                *_cbc(125, 2.3, 4.8, 12.9), *_liver(125, 19, 21), *_lipids(125, 104),
                *_renal(125, 110),
                *_axial(124, (6, 7, 4, 4, 6, 6), 7, 14, 5.0),
                *_axial(70, (4, 4, 2, 3, 4, 4), 4, 6, 4.8),
                *_lipids(36, 119, 155),
                *_axial(21, (3, 2, 1, 2, 2, 2), 3, 3, 5.2),
            ],
        ),
    ]  # fmt: skip


@dataclass(frozen=True)
class Demo:
    """What ``build_demo`` made: the login and the patients (id, label, story)."""

    username: str
    password: str
    clinic: str
    as_of: dt.date
    patients: list[tuple[str, str, str]]


DATED = ("labs", "scores", "screening")


def _dated(kind: str, body: dict[str, Any], days: int, as_of: dt.date) -> dict[str, Any]:
    """The body with its dates: ``days`` before ``as_of``; start/stop given as days before."""
    out = dict(body)
    for key in ("start_date", "stop_date"):
        if isinstance(out.get(key), int):
            out[key] = as_of - dt.timedelta(days=out[key])
    if kind in DATED:
        out["date"] = as_of - dt.timedelta(days=days)
    return out


def build_demo(
    settings: Settings, kb: Knowledge, as_of: dt.date, password: str | None = None
) -> Demo:
    """Create the demo clinic in a fresh store (an existing clinic there is an error).

    Raises:
        InputError: the store already holds a clinic (the demo needs a fresh one).
    """
    password = password or secrets.token_urlsafe(12)
    db = Database(settings, migrate=True)
    made: list[tuple[str, str, str]] = []
    try:
        with db.transaction() as session:
            if session.scalar(select(func.count()).select_from(Clinic)):
                raise InputError(
                    "--data-dir",
                    str(settings.data_dir),
                    "already holds a store; the demo needs a fresh one (an empty folder, or "
                    "leave --data-dir out for a new temporary folder)",
                )
            clinic = accounts.ensure_clinic(session, CLINIC, "UTC", "UTC")
            user = accounts.add_clinician(session, clinic, USERNAME, password, DISPLAY_NAME)
            records = Records(session, Actor(user.id, clinic.id, clinic.timezone), kb)
            for spec in patients():
                row = records.create_patient(PatientIn(label=spec.label, **spec.fields))
                for days, kind, body in spec.rows:
                    model = KINDS[kind].model_in
                    records.add_row(
                        row.id, kind, model.model_validate(_dated(kind, body, days, as_of))
                    )
                made.append((row.id, spec.label, spec.story))
    finally:
        db.dispose()
    return Demo(USERNAME, password, CLINIC, as_of, made)
