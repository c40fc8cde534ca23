"""Which missing inputs set an option's status (DESIGN: "What missing data does").

The rule: a missing input sets status (the option is at best ``needs-data``) when the rule that
needs it could make the option worse than ``caution`` (contraindicated, not recommended, a dose
change). Removing an input therefore never makes an option look better than it would with the input
recorded. The inputs DESIGN names (renal function, dialysis, hepatic class, the medication list) set
status whenever a rule reads them. One documented exception (docs/policies.md, policy 8): the
allergy list, which every label's hypersensitivity contraindication reads and records rarely state
as "none"; a missing allergy list is reported but does not set status.

Missing inputs are tagged with a key (``Missing``), so these decisions never depend on wording.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

InputKey = Literal[
    "age",
    "weight",
    "sex",
    "hepatic",
    "renal",
    "dialysis",
    "medications",
    "history",
    "infections",
    "pregnancy",
    "breastfeeding",
    "allergies",
    "pharmacogenomics",
    "smoking",
    "cv-risk",
]

SOFT_INPUTS: frozenset[str] = frozenset({"allergies"})
ALWAYS_STATUS_INPUTS: frozenset[str] = frozenset({"medications", "renal", "dialysis", "hepatic"})


class Missing(str):
    """A missing input: the text shown to people, tagged with the input's key."""

    key: InputKey

    def __new__(cls, key: InputKey, text: str) -> Missing:
        obj = super().__new__(cls, text)
        obj.key = key
        return obj


def _key(item: str) -> str | None:
    return item.key if isinstance(item, Missing) else None


def sets_status(missing: Sequence[str], *, effect_worse_than_caution: bool = True) -> bool:
    """True when the option must be ``needs-data`` because these inputs are missing.

    An untagged item counts as status-setting (the conservative reading).
    """
    keys = [_key(m) for m in missing]
    if any(k in ALWAYS_STATUS_INPUTS for k in keys):
        return True
    if not effect_worse_than_caution:
        return False
    return any(k not in SOFT_INPUTS for k in keys)
