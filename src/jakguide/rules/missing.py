"""Which missing inputs set an option's status (DESIGN: "What missing data does").

The rule: a missing input sets status (the option is at best ``needs-data``) when the rule that
needs it could make the option worse than ``caution`` (contraindicated, not recommended, a dose
change). Removing an input therefore never makes an option look better than it would with the input
recorded. One documented exception (docs/policies.md, policy 8): the allergy list, which every
label's hypersensitivity contraindication reads and records rarely state as "none"; a missing
allergy list is reported but does not set status.
"""

from __future__ import annotations

SOFT_INPUTS = ("allergy list",)
# DESIGN names these as setting status whenever a rule reads them, whatever the rule's effect.
ALWAYS_STATUS_INPUTS = (
    "current medication list",
    "creatinine clearance",
    "eGFR",
    "dialysis status",
    "hepatic impairment",
)


def sets_status(missing: list[str], *, effect_worse_than_caution: bool = True) -> bool:
    """True when the option must be ``needs-data`` because these inputs are missing."""
    if any(m.startswith(ALWAYS_STATUS_INPUTS) for m in missing):
        return True
    if not effect_worse_than_caution:
        return False
    return any(not m.startswith(SOFT_INPUTS) for m in missing)
