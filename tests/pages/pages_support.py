"""Shared test data of the page tests: one assessment form and the same patient in the native
format (the form must give the same statuses as ``POST /api/assess`` on the native patient)."""

from __future__ import annotations

from typing import Any

from conftest import AS_OF

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
