"""Shared helpers of the page tests (tests/pages): the site under test, logging in through the
HTML form, the checks every page passes; one assessment form and the same patient in the native
format (the form must give the same statuses as ``POST /api/assess`` on the native patient).

The fixtures that build the site live in tests/pages/conftest.py; tests import helpers from here,
never from a conftest."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from jakguide.kb.base import Knowledge
from jakguide.store.demo import Demo

with warnings.catch_warnings():
    # Starlette >= 1.x prefers the httpx2 fork for its TestClient and warns once at import.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

AS_OF = dt.date(2026, 11, 21)
PASSWORD = "demo password 1"
OTHER_PASSWORD = "other password 1"
DISCLAIMER = "Decision support for clinicians; not a substitute for clinical judgement."


@dataclass
class Site:
    app: FastAPI
    demo: Demo
    other_patient: str  # a patient of another clinic
    data_dir: Path

    def patient(self, label: str) -> str:
        return next(pid for pid, lab, _ in self.demo.patients if lab == label)


def login(client: TestClient, username: str = "demo", password: str = PASSWORD) -> str:
    """Log in through the HTML form; returns the session's CSRF token."""
    page = client.get("/login")
    nonce = re.search(r'name="login_nonce" value="([^"]+)"', page.text)
    assert nonce is not None
    r = client.post(
        "/login",
        data={"username": username, "password": password, "next": "/patients",
              "login_nonce": nonce.group(1)},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303, r.text
    return csrf_of(client)


def csrf_of(client: TestClient) -> str:
    token = client.cookies.get("jakguide_csrf")
    assert token
    return str(token)


def assert_page(html: str, kb: Knowledge) -> None:
    """Every page: the disclaimer, the knowledge version and its release date."""
    assert DISCLAIMER in html
    assert kb.version in html
    release = kb.index.release_date
    assert f"{release.day} {release:%b} {release.year}" in html


FORM = {
    "condition": "ankylosing-spondylitis",
    "region": "US",
    "as_of": AS_OF.isoformat(),
    "age_years": "45",
    "sex": "male",
    "smoking": "never",
    "pregnancy": "not-pregnant",
    "breastfeeding": "no",
    "hepatic_impairment": "none",
    "on_dialysis": "no",
    "infection": "none",
    "history_reviewed": "1",
    "cv_risk_factors_reviewed": "1",
    "medications": "naproxen",
    "medications_reviewed": "1",
    "allergies_reviewed": "1",
    "lab_egfr_value": "102",
    "lab_egfr_unit": "mL/min/{1.73_m2}",
    "prior_drug_0": "adalimumab",
    "prior_outcome_0": "inadequate-response",
    "prior_reviewed": "1",
    "lab_lymphocytes_value": "1.8",
    "lab_lymphocytes_unit": "10*9/L",
    "lab_neutrophils_value": "4.1",
    "lab_neutrophils_unit": "10*9/L",
    "lab_hemoglobin_value": "14.2",
    "lab_hemoglobin_unit": "g/dL",
    "lab_creatinine-clearance_value": "105",
    "lab_creatinine-clearance_unit": "mL/min",
    "scr_tb": "negative",
    "scr_hbsag": "negative",
    "scr_anti-hbc": "negative",
    "scr_hcv": "negative",
    "crp_elevated": "yes",
    "mri": "yes",
}
NATIVE: dict[str, Any] = {
    "age_years": 45,
    "sex": "male",
    "smoking": "never",
    "pregnancy": "not-pregnant",
    "breastfeeding": "no",
    "hepatic_impairment": "none",
    "on_dialysis": False,
    "active_infections": [],
    "history": [],
    "cv_risk_factors": [],
    "medications": ["naproxen"],
    "allergies": [],
    "prior_therapies": [{"drug": "adalimumab", "outcome": "inadequate-response"}],
    "conditions": ["ankylosing-spondylitis"],
    "labs": [
        {"analyte": "lymphocytes", "value": 1.8, "unit": "10*9/L", "date": "2026-11-21"},
        {"analyte": "neutrophils", "value": 4.1, "unit": "10*9/L", "date": "2026-11-21"},
        {"analyte": "hemoglobin", "value": 14.2, "unit": "g/dL", "date": "2026-11-21"},
        {"analyte": "egfr", "value": 102, "unit": "mL/min/{1.73_m2}", "date": "2026-11-21"},
        {"analyte": "creatinine-clearance", "value": 105, "unit": "mL/min", "date": "2026-11-21"},
    ],
    "screening": [{"item": i, "result": "negative"} for i in ("tb", "hbsag", "anti-hbc", "hcv")],
    "disease": {"objective_inflammation": {"crp_elevated": True, "mri": True}},
}
