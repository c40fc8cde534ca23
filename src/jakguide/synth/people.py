"""Who comes to the clinic: age, sex, weight, smoking, and the condition seen."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

# (condition, clinic, share of a mixed rheumatology + dermatology clinic list, share female)
CONDITIONS: tuple[tuple[str, str, float, float], ...] = (
    ("rheumatoid-arthritis", "rheumatology", 0.30, 0.72),
    ("psoriatic-arthritis", "rheumatology", 0.14, 0.50),
    ("ankylosing-spondylitis", "rheumatology", 0.10, 0.30),
    ("non-radiographic-axial-spondyloarthritis", "rheumatology", 0.05, 0.55),
    ("plaque-psoriasis", "dermatology", 0.22, 0.45),
    ("atopic-dermatitis", "dermatology", 0.14, 0.55),
    ("alopecia-areata", "dermatology", 0.05, 0.60),
)


# The clinic asks about pregnancy at the visit for women under this age (a simulation choice).
PREGNANCY_ASKED_UNDER = 50


def chance(rng: random.Random, p: float) -> bool:
    """True with probability ``p`` (the simulation's shares are parameters, not clinical facts)."""
    return rng.random() < p


@dataclass(frozen=True)
class Person:
    condition: str
    clinic: str
    sex: str
    age: int
    us_lab: bool  # units of a US laboratory (else a European one)
    fields: dict[str, Any]


def _condition(rng: random.Random) -> tuple[str, str, float]:
    roll = rng.random() * sum(c[2] for c in CONDITIONS)
    for cond, clinic, share, female in CONDITIONS:
        roll -= share
        if roll <= 0:
            return cond, clinic, female
    return CONDITIONS[-1][0], CONDITIONS[-1][1], CONDITIONS[-1][3]


def person(rng: random.Random, as_of: dt.date) -> Person:
    cond, clinic, female = _condition(rng)
    sex = "female" if rng.random() < female else "male"
    low, high = (20, 80) if cond == "rheumatoid-arthritis" else (18, 70)
    age = rng.randint(low, high)
    born = as_of - dt.timedelta(days=age * 365 + rng.randint(1, 364))
    fields: dict[str, Any] = {"birth_date": born.isoformat(), "sex": sex}
    if chance(rng, 0.8):
        weight = round(rng.gauss(70 if sex == "female" else 84, 13), 1)
        fields["measurements"] = [
            {
                "kind": "weight_kg",
                "value": max(weight, 42.0),
                "date": (as_of - dt.timedelta(days=rng.randint(0, 120))).isoformat(),
            }
        ]
    if chance(rng, 0.85):
        fields["smoking"] = rng.choices(["never", "former", "current"], [55, 28, 17])[0]
    if chance(rng, 0.6):  # the risk factors a clinic letter lists; often not reviewed
        factors = [
            f
            for f, p in (("hypertension", 0.3), ("diabetes", 0.1), ("dyslipidemia", 0.2))
            if rng.random() < p
        ]
        fields["cv_risk_factors"] = factors
    if chance(rng, 0.5):
        fields["history"] = ["herpes-zoster"] if chance(rng, 0.05) else []
    if chance(rng, 0.7):
        fields["allergies"] = [] if chance(rng, 0.85) else [{"drug": "penicillin"}]
    if sex == "female" and age < PREGNANCY_ASKED_UNDER and chance(rng, 0.4):
        fields["pregnancy"] = "not-pregnant"  # asked at the visit when relevant
    return Person(cond, clinic, sex, age, chance(rng, 0.5), fields)
