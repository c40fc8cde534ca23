"""Which missing inputs set an option's status (DESIGN: "What missing data does").

Renal function, hepatic class, initiation labs, prerequisites, pregnancy/breastfeeding where the
label contraindicates, active infection or TB, and the medication list set status while missing;
other inputs (allergy list, metaboliser status, smoking, CV risk factors) give a warning instead.
"""

from __future__ import annotations

SOFT_PREFIXES = (
    "allergy list",
    "CYP",
    "smoking status",
    "cardiovascular risk factors",
    "medical history",
)


def sets_status(missing: list[str]) -> bool:
    """True when at least one missing input is one that sets status."""
    return any(not m.startswith(SOFT_PREFIXES) for m in missing)
