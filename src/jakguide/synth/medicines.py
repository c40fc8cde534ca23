"""Co-medications and prior therapies as they are typed: brands, INNs, misspellings."""

from __future__ import annotations

import random
from typing import Any

from jakguide.synth.people import Person, chance

# What a clinic list holds beside the disease treatment (as typed; some with a dose).
COMEDS: tuple[tuple[str, float], ...] = (
    ("Methotrexate 15 mg weekly", 0.0),  # rheumatology: see below
    ("Folic acid 5 mg weekly", 0.0),
    ("Prednisone 5 mg daily", 0.0),
    ("Naproxen 500 mg bd", 0.15),
    ("Omeprazole 20 mg", 0.2),
    ("Lipitor 20 mg", 0.12),
    ("atorvastatin", 0.06),
    ("Ramipril 5 mg", 0.1),
    ("amlodipine", 0.1),
    ("Eliquis 5 mg bd", 0.03),
    ("aspirin 81 mg", 0.08),
    ("Vitamin D3 1000 IU", 0.2),
    ("Cetirizine", 0.06),
)
RHEUM = (
    ("Methotrexate 15 mg weekly", 0.45),
    ("Folic acid 5 mg weekly", 0.4),
    ("Prednisone 5 mg daily", 0.2),
    ("hydroxychloroquine 200 mg", 0.1),
    ("Sulfasalazine", 0.06),
)
DERM = (("clobetasol cream", 0.3), ("Dovobet gel", 0.15), ("tacrolimus ointment", 0.1))
# Prior biologics/csDMARDs as typed (brand, INN, misspelling), by clinic.
PRIOR = {
    "rheumatology": (
        "Humira",
        "adalimumab",
        "Enbrel",
        "etanercept",
        "Cimzia",
        "Simponi",
        "adalimumb",
        "methotrexate",
        "MTX",
        "Actemra",
        "Cosentyx",
    ),
    "dermatology": (
        "Humira",
        "Stelara",
        "Cosentyx",
        "Taltz",
        "methotrexate",
        "ciclosporin",
        "Dupixent",
        "dupilumab",
        "Skyrizi",
        "adalimumab",
    ),
}
OUTCOMES = ("inadequate-response", "intolerance", "loss-of-response")


def record(rng: random.Random, p: Person) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if chance(rng, 0.9):  # the list is usually reviewed at the visit
        table = COMEDS + (RHEUM if p.clinic == "rheumatology" else DERM)
        meds = [name for name, share in table if rng.random() < share]
        out["medications"] = meds
    if chance(rng, 0.85):
        n = rng.choices([0, 1, 2, 3], [30, 40, 20, 10])[0]
        names = rng.sample(PRIOR[p.clinic], n)
        out["prior_therapies"] = [{"drug": name, "outcome": rng.choice(OUTCOMES)} for name in names]
    return out
