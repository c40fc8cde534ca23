"""Code systems and code tables of the FHIR adapter (data in ``codes.yaml``).

The tables say which codes stand for our ids (history items, risk factors, screening tests, ...).
They are data, loaded strictly (unknown keys fail) and once per process.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict

from jakguide.kb.loader import load_yaml

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
CVX = "http://hl7.org/fhir/sid/cvx"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

# jakguide's own code systems, for facts no standard terminology codes (e.g. "former-long-term"
# smoker, a prior-therapy outcome). patient_to_bundle writes them and the reader reads them back.
LOCAL_BASE = "urn:jakguide:fhir:"

LocalKind = Literal[
    "patient-id",
    "condition",
    "history",
    "cv-risk-factor",
    "active-infection",
    "analyte",
    "screening-item",
    "screening-result",
    "smoking",
    "prior-outcome",
    "dose-form",
    "finding-rule",
    "finding-kind",
]


def local_system(kind: LocalKind) -> str:
    """The URI of one of jakguide's own code systems."""
    return LOCAL_BASE + kind


TableName = Literal[
    "history",
    "cv_risk_factors",
    "infections",
    "severity",
    "pregnancy_conditions",
    "dialysis",
    "absent",
    "observations",
    "smoking_status",
    "pregnancy_status",
    "screening_tests",
    "results",
    "vaccines",
    "routes",
    "dosing_times",
    "issue_severity",
    "issue_kinds",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TableCode(_Strict):
    code: str
    display: str
    system: str | None = None  # default: the table's system
    synthea: bool = False  # seen in the Synthea sample exports


class CodeTable(_Strict):
    source: str
    system: str
    items: dict[str, list[TableCode]]


class UnitTables(_Strict):
    source: str
    weight_kg: dict[str, str]
    height_cm: dict[str, str]
    dose_mg: dict[str, str]


class PriorOutcomeWords(_Strict):
    """Words of a stopped medicine's ``statusReason`` (text or coding display) per outcome."""

    source: str
    # tried in this order; the first outcome with an un-negated phrase wins
    outcomes: dict[Literal["loss-of-response", "intolerance", "inadequate-response"], list[str]]
    negations: list[str]  # cue words that negate a phrase within ``window`` words before it
    window: int


class LiverWords(_Strict):
    """Words in a Condition's text or display that mark possible liver disease (blocks the
    engine's hepatic "none" derivation when the code itself is not in table ``history``)."""

    source: str
    words: list[str]


class _TablesFile(_Strict):
    tables: dict[TableName, CodeTable]
    units: UnitTables
    prior_outcome_words: PriorOutcomeWords
    liver_disease_words: LiverWords


class CodeTables:
    """Lookups over ``codes.yaml``: (system, code) -> item ids, item id -> preferred code."""

    def __init__(self, data: _TablesFile) -> None:
        self.tables = data.tables
        self.units = data.units
        self.prior_outcome_words = data.prior_outcome_words
        self.liver_disease_words = data.liver_disease_words
        self._index: dict[tuple[str, str, str], list[str]] = {}
        for name, table in data.tables.items():
            for item, codes in table.items.items():
                for c in codes:
                    key = (name, c.system or table.system, c.code)
                    self._index.setdefault(key, []).append(item)

    def items(self, table: TableName, system: str | None, code: str | None) -> list[str]:
        """Item ids that ``system|code`` stands for in ``table`` (usually one, or none)."""
        if system is None or code is None:
            return []
        return self._index.get((table, system, code), [])

    def preferred(self, table: TableName, item: str) -> tuple[str, str, str] | None:
        """(system, code, display) written for ``item``, or None when the table has no code."""
        t = self.tables[table]
        codes = t.items.get(item) or []
        if not codes:
            return None
        first = codes[0]
        return (first.system or t.system, first.code, first.display)

    def unit_factor(
        self, kind: Literal["weight_kg", "height_cm", "dose_mg"], unit: str
    ) -> Decimal | None:
        factor = getattr(self.units, kind).get(unit)
        return Decimal(factor) if factor is not None else None


@cache
def code_tables() -> CodeTables:
    """The bundled code tables, loaded and validated once per process."""
    text = (resources.files("jakguide.adapters.fhir") / "codes.yaml").read_text(encoding="utf-8")
    data = load_yaml(text)
    return CodeTables(_TablesFile.model_validate(data))
