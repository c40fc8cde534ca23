"""What a kind of finding gives the scan: knowledge tables, SQL stages, worklist rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from jakguide.kb.base import Knowledge
from jakguide.model import Region
from jakguide.scan.rules import Sql
from jakguide.scan.tables import Table

# The columns every kind's ``findings`` SELECT returns, in this order; ``due_by`` is a DATE (or
# NULL), ``overdue_days`` an INTEGER (or NULL), ``sources`` the source ids joined by ``;``.
FINDING_COLUMNS = (
    "patient_id",
    "drug",
    "kind",
    "rule",
    "severity",
    "detail",
    "due_by",
    "overdue_days",
    "sources",
)


# The distinct (RxNorm code, text) pairs of an export's medication records.
Terms = list[tuple[str | None, str | None]]


@dataclass(frozen=True)
class Kind:
    """One kind of finding.

    ``tables`` builds the knowledge tables it joins (from the same ``Knowledge`` the engine
    reads); ``stages`` returns (table name, SQL) pairs run in order after the common stages;
    ``findings`` returns one SELECT of ``FINDING_COLUMNS``. ``terms``, when given, builds
    tables from the export's distinct medicine terms (``Terms``: RxNorm code, text), resolved
    once each in Python like ``k_medicine``. ``lab_analytes``, when given, is a SELECT of
    (``drug``, ``analyte``) from the kind's tables: the analytes whose results it reads from
    ``s_lab`` for a patient on that agent (``s_lab`` holds those and no others).
    """

    name: str
    tables: Callable[[Knowledge, Region], list[Table]]
    stages: Callable[[Sql, dt.date], list[tuple[str, str]]]
    findings: Callable[[Sql, dt.date], str]
    terms: Callable[[Knowledge, Region, Terms], list[Table]] | None = None
    lab_analytes: str | None = None
