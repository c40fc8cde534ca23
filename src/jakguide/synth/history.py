"""Screening results, vaccines, and a JAK inhibitor already started for some patients."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from jakguide.synth.people import Person, chance

THERAPIES: dict[str, tuple[dict[str, Any], ...]] = {
    "rheumatoid-arthritis": (
        {"drug": "tofacitinib", "form": "ir-tablet", "dose_mg": 5, "per_day": 2},
        {"drug": "upadacitinib", "form": "xr-tablet", "dose_mg": 15, "per_day": 1},
        {"drug": "baricitinib", "dose_mg": 2, "per_day": 1},
    ),
    "psoriatic-arthritis": (
        {"drug": "upadacitinib", "form": "xr-tablet", "dose_mg": 15, "per_day": 1},
    ),
    "ankylosing-spondylitis": (
        {"drug": "upadacitinib", "form": "xr-tablet", "dose_mg": 15, "per_day": 1},
    ),
    "plaque-psoriasis": ({"drug": "deucravacitinib", "dose_mg": 6, "per_day": 1},),
    "atopic-dermatitis": (
        {"drug": "upadacitinib", "form": "xr-tablet", "dose_mg": 15, "per_day": 1},
        {"drug": "abrocitinib", "dose_mg": 100, "per_day": 1},
    ),
}


def record(rng: random.Random, p: Person, as_of: dt.date) -> dict[str, Any]:
    out: dict[str, Any] = {}
    on_therapy = p.condition in THERAPIES and chance(rng, 0.25)
    start = as_of - dt.timedelta(days=rng.randint(20, 500))
    screened = as_of - dt.timedelta(days=rng.randint(10, 200))
    if on_therapy:
        screened = start - dt.timedelta(days=rng.randint(7, 60))
        out["therapy"] = {**rng.choice(THERAPIES[p.condition]), "start_date": start.isoformat()}
    if chance(rng, 0.75):
        items = []
        for item, p_done in (("tb", 0.9), ("hbsag", 0.8), ("anti-hbc", 0.6), ("hcv", 0.75)):
            if rng.random() < p_done:
                result = "positive" if item == "tb" and chance(rng, 0.03) else "negative"
                items.append({"item": item, "result": result, "date": screened.isoformat()})
        if chance(rng, 0.3):
            items.append(
                {
                    "item": "zoster-vaccine",
                    "result": "done",
                    "date": (screened - dt.timedelta(days=30)).isoformat(),
                }
            )
        out["screening"] = items
    if chance(rng, 0.7):
        out["active_infections"] = []
    return out
