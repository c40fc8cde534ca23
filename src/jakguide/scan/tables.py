"""The knowledge as tables: what the scan's SQL joins against instead of restating facts.

Every row here is read from the same ``Knowledge`` the per-patient engine reads (monographs'
monitoring schedules, analytes' LOINC codes, accepted units and plausible ranges), so the SQL in
``scan.rules`` holds column names and no clinical number. Medicine names are terminology, not
rules: the distinct (RxNorm code, text) pairs of an export are few, and each is resolved once by
the FHIR adapter's own ``jak_agents`` (codes first, then brands, INNs and misspellings in the text).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jakguide.adapters.fhir.meds import jak_agents
from jakguide.kb.base import Knowledge
from jakguide.kb.schema import Citation
from jakguide.model import Medication
from jakguide.units import plausible_range

SOURCE_SEPARATOR = ";"
# Lab values are compared as exact decimals, as ``units`` does: the factors and thresholds are
# written as text and cast in SQL (``scan.rules.LAB_VALUE``); a factor needs at most this many
# decimals (``scan.rules.LAB_FACTOR``).
FACTOR_SCALE = 10


@dataclass(frozen=True)
class Table:
    """A named table: column names with SQL types, and its rows."""

    name: str
    columns: tuple[tuple[str, str], ...]
    rows: list[tuple[Any, ...]]


def source_ids(citations: Iterable[Citation]) -> str:
    """The cited documents' ids, in order, each once, joined by ``;``."""
    seen: list[str] = []
    for c in citations:
        if c.doc not in seen:
            seen.append(c.doc)
    return SOURCE_SEPARATOR.join(seen)


def exact(value: str | float | Decimal, scale: int) -> str:
    """A decimal as plain text (no exponent), checked to fit ``scale`` decimals exactly."""
    d = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if d != d.quantize(Decimal(1).scaleb(-scale)):
        raise ValueError(f"{value} needs more than {scale} decimals; the scan's SQL keeps {scale}")
    return format(d, "f")


def lab_units_table(kb: Knowledge) -> Table:
    """(LOINC code, unit as written) -> analyte, with the plausible range in that unit and the
    factor to the analyte's canonical unit (as text, so the SQL casts it to an exact decimal).

    ``zero_ok`` says whether zero is plausible (zero reads the same in every unit, so
    ``units.plausible_in`` judges it by the canonical range alone).
    """
    rows: list[tuple[Any, ...]] = []
    for analyte in kb.analytes.values():
        zero_ok = analyte.plausible[0] <= 0 <= analyte.plausible[1]
        for conv in analyte.units:
            for unit in (conv.unit, *conv.aliases):
                bounds = plausible_range(analyte, unit)
                if bounds is None:  # pragma: no cover - every listed unit has a range
                    continue
                for loinc in analyte.loinc:
                    rows.append(
                        (
                            loinc,
                            unit,
                            analyte.id,
                            float(bounds[0]),
                            float(bounds[1]),
                            zero_ok,
                            exact(conv.factor, FACTOR_SCALE),
                        )
                    )
    return Table(
        "k_lab_unit",
        (
            ("loinc", "VARCHAR"),
            ("unit", "VARCHAR"),
            ("analyte", "VARCHAR"),
            ("low", "DOUBLE"),
            ("high", "DOUBLE"),
            ("zero_ok", "BOOLEAN"),
            ("factor", "VARCHAR"),
        ),
        rows,
    )


def medicine_table(kb: Knowledge, terms: Iterable[tuple[str | None, str | None]]) -> Table:
    """(RxNorm code, text) -> JAK agent, for the distinct pairs an export holds.

    Resolved by the FHIR adapter's ``jak_agents``, so the scan and the engine name the same
    agent for the same record. A pair naming no JAK agent gets no row.
    """
    rows: list[tuple[Any, ...]] = []
    for rxnorm, text in sorted(set(terms), key=lambda t: (t[0] or "", t[1] or "")):
        if not text:
            continue
        for agent in jak_agents(Medication(drug=text, rxnorm=rxnorm), kb):
            rows.append((rxnorm, text, agent))
    return Table(
        "k_medicine",
        (("rxnorm", "VARCHAR"), ("text", "VARCHAR"), ("drug", "VARCHAR")),
        rows,
    )
