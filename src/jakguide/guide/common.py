"""Small helpers the guide's section builders and renderer share."""

from __future__ import annotations

import datetime as dt

from jakguide.guide.model import Run, Statement
from jakguide.model import Patient

REGION_NAMES = {"US": "the United States", "EU": "the European Union"}
GOOD_STATUSES = ("eligible", "caution")  # no banner for these
NOT_PLANNED = ("not-indicated", "contraindicated")  # the engine plans no screening for these
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def fmt_date(day: dt.date) -> str:
    """'21 November 2026' (locale-independent)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def num(x: float) -> str:
    """15.0 -> '15', 3.2 -> '3.2'."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def concerns_pregnancy(patient: Patient) -> bool:
    """Whether pregnancy and breastfeeding advice concerns this patient (unknown: it does)."""
    if patient.pregnancy == "pregnant" or patient.breastfeeding == "yes":
        return True
    if patient.sex == "male":
        return False
    return patient.reproductive_potential is not False


def strong(st: Statement) -> Statement:
    """The statement with its plain wording in bold (a list item's lead-in)."""
    runs = tuple(Run(r.text, "strong") if r.kind == "text" else r for r in st.runs)
    return Statement(st.id, runs, st.refs)


def join_words(items: list[str]) -> str:
    """['a', 'b', 'c'] -> 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
