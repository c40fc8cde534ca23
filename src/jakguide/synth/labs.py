"""A laboratory panel in one laboratory's units, with the gaps real panels have."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from jakguide.synth.people import Person, chance

# analyte -> (US unit, European unit, factor European per US, mean and sd in the US unit)
PANEL: dict[str, tuple[str, str, float, float, float]] = {
    "lymphocytes": ("/uL", "10*9/L", 0.001, 1900, 600),
    "neutrophils": ("/uL", "10*9/L", 0.001, 4200, 1400),
    "hemoglobin": ("g/dL", "g/L", 10, 13.8, 1.4),
    "platelets": ("10*3/uL", "10*9/L", 1, 260, 60),
    "alt": ("U/L", "U/L", 1, 24, 10),
    "ast": ("U/L", "U/L", 1, 24, 8),
    "creatinine": ("mg/dL", "umol/L", 88.4, 0.85, 0.18),
    "ldl-cholesterol": ("mg/dL", "mmol/L", 0.02586, 118, 30),
}
DECIMALS = {
    "/uL": 0,
    "10*9/L": 2,
    "g/dL": 1,
    "g/L": 0,
    "10*3/uL": 0,
    "U/L": 0,
    "mg/dL": 2,
    "umol/L": 0,
    "mmol/L": 2,
}


def panel(rng: random.Random, p: Person, as_of: dt.date) -> list[dict[str, Any]]:
    if chance(rng, 0.05):
        return []  # new referral: no labs yet
    day = (as_of - dt.timedelta(days=rng.randint(3, 90))).isoformat()
    out: list[dict[str, Any]] = []
    for analyte, (us, eu, factor, mean, sd) in PANEL.items():
        if chance(rng, 0.1):
            continue  # not requested, or not back yet
        value = max(rng.gauss(mean, sd), mean / 5)
        unit = us if p.us_lab else eu
        if not p.us_lab:
            value *= factor
        out.append(
            {"analyte": analyte, "value": round(value, DECIMALS[unit]), "unit": unit, "date": day}
        )
    creat = next((x for x in out if x["analyte"] == "creatinine"), None)
    if creat is not None and chance(rng, 0.85):  # the lab reports an eGFR with creatinine
        egfr = max(8, round(rng.gauss(95 - max(0, p.age - 40) * 0.8, 15)))
        out.append({"analyte": "egfr", "value": egfr, "unit": "mL/min/{1.73_m2}", "date": day})
    if chance(rng, 0.05):
        out.append(
            {
                "analyte": "creatinine-clearance",
                "value": round(rng.gauss(100, 20)),
                "unit": "mL/min",
                "date": day,
            }
        )
    return out
