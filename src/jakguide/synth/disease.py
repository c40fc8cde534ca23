"""The scores a clinic records for the condition it sees (dated), never a severity word."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from jakguide.synth.people import Person, chance


def _day(rng: random.Random, as_of: dt.date, back: int = 60) -> str:
    return (as_of - dt.timedelta(days=rng.randint(0, back))).isoformat()


def record(rng: random.Random, p: Person, as_of: dt.date) -> dict[str, Any]:
    out: dict[str, Any] = {}
    scores: list[dict[str, Any]] = []
    day = _day(rng, as_of)
    if p.condition == "plaque-psoriasis":
        pasi = round(rng.uniform(4, 30), 1)
        bsa = round(min(90.0, pasi * rng.uniform(0.6, 1.4)), 0)
        dlqi = rng.randint(2, 24)
        out["disease"] = {"pasi": pasi, "bsa_percent": bsa, "dlqi": dlqi}
        scores += [
            {"instrument": "pasi", "date": day, "value": pasi},
            {"instrument": "dlqi", "date": day, "value": dlqi},
        ]
    elif p.condition in ("ankylosing-spondylitis", "non-radiographic-axial-spondyloarthritis"):
        scores.append({"instrument": "basdai", "date": day, "value": round(rng.uniform(2, 9), 1)})
        if chance(rng, 0.5):
            scores.append(
                {"instrument": "asdas-crp", "date": day, "value": round(rng.uniform(1.2, 4.5), 1)}
            )
    elif p.condition == "rheumatoid-arthritis":
        scores.append(
            {"instrument": "das28-crp", "date": day, "value": round(rng.uniform(2.0, 6.5), 2)}
        )
    elif p.condition == "psoriatic-arthritis":
        scores.append({"instrument": "dapsa", "date": day, "value": round(rng.uniform(5, 45), 1)})
    elif p.condition == "atopic-dermatitis":
        scores.append({"instrument": "easi", "date": day, "value": round(rng.uniform(5, 50), 1)})
    elif p.condition == "alopecia-areata":
        scores.append({"instrument": "salt", "date": day, "value": rng.randint(20, 100)})
    if scores and chance(rng, 0.9):
        out["scores"] = scores
    if p.clinic == "rheumatology" and chance(rng, 0.8):  # CRP in the inflammatory panel
        crp = round(rng.lognormvariate(1.5, 1.0), 1)
        unit, value = ("mg/L", crp) if not p.us_lab or chance(rng, 0.6) else ("mg/dL", crp / 10)
        out["_labs"] = [{"analyte": "crp", "value": round(value, 2), "unit": unit, "date": day}]
    return out
