"""``jakguide synth``: synthetic clinic records, as a rheumatology or dermatology clinic keeps them.

A door-level tool (it may use the adapters; the core never imports it). Records are built from
one ``random.Random`` per patient, seeded by ``(seed, index)``, so the same seed gives the same
records on any machine. One module per concept:

- ``people``: age, sex, weight, smoking; the clinic and the condition it sees.
- ``disease``: the scores a clinic records for that condition (PASI, BSA, DLQI; BASDAI, ASDAS,
  CRP; DAS28; EASI), never a "severity" word.
- ``labs``: a panel in one laboratory's units (US: /uL, mg/dL; European: 10*9/L, g/L, umol/L,
  mmol/L), some results missing, eGFR reported by the lab, creatinine clearance rarely.
- ``medicines``: co-medications as typed (brand names, doses in the text) and prior therapies by
  brand, INN or a misspelling.
- ``history``: screening results, vaccines, a JAK inhibitor already started for some.

What clinicians never record stays absent: ``on_dialysis``, ``hepatic_impairment``,
``reproductive_potential``, ``pregnancy`` (for men and older women), ``breastfeeding``.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from jakguide.synth import disease, history, labs, medicines, people

__all__ = ["patient_record", "records"]


def patient_record(seed: int, index: int, as_of: dt.date) -> dict[str, Any]:
    """One native patient record (a plain dict, as a patient file holds it)."""
    rng = random.Random(f"jakguide-synth:{seed}:{index}")
    person = people.person(rng, as_of)
    record: dict[str, Any] = {"id": f"synth-{seed}-{index:05d}", **person.fields}
    record["conditions"] = [person.condition]
    record.update(disease.record(rng, person, as_of))
    panel = labs.panel(rng, person, as_of) + record.pop("_labs", [])
    if panel:
        record["labs"] = panel
    record.update(medicines.record(rng, person))
    record.update(history.record(rng, person, as_of))
    return record


def records(n: int, seed: int, as_of: dt.date) -> list[dict[str, Any]]:
    """``n`` records, deterministic by ``seed``."""
    return [patient_record(seed, i, as_of) for i in range(n)]
