"""Light Observation models: the elements the mapping reads, validated with FHIR's own types.

Why: a full ``fhir.resources`` Observation model costs about 0.3 ms to build (every element,
every nested model, its own validators), so a 10,000-Observation Bundle took 3-5 s to read.
Observations are the resource a record holds by the thousand, so they are read here instead:
plain pydantic models of the elements ``read.py`` uses (status, code, value, unit, dates,
components, interpretation, reference ranges, subject), each typed with the primitive types of
``fhir_core`` (the library under ``fhir.resources``), so a bad value fails exactly as it did, at
the same path (``valueQuantity.value``). The other elements of each type, named from the
``fhir.resources`` model itself, are accepted and not read; a name that is not an element of
the type is an error, as before. Every other resource type keeps its full model (bundle.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from fhir.resources.R4B.bundle import BundleEntry as FhirBundleEntry
from fhir.resources.R4B.codeableconcept import CodeableConcept as FhirConcept
from fhir.resources.R4B.coding import Coding as FhirCoding
from fhir.resources.R4B.observation import Observation as FhirObservation
from fhir.resources.R4B.observation import (
    ObservationComponent as FhirComponent,
)
from fhir.resources.R4B.observation import (
    ObservationReferenceRange as FhirReferenceRange,
)
from fhir.resources.R4B.period import Period as FhirPeriod
from fhir.resources.R4B.quantity import Quantity as FhirQuantity
from fhir.resources.R4B.reference import Reference as FhirReference
from fhir_core.types import (
    CodeType,
    DateTimeType,
    DecimalType,
    IdType,
    InstantType,
    StringType,
    UriType,
)
from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator


def _full_date(value: Any) -> Any:
    """A plain ``YYYY-MM-DD`` as a date, sparing fhir_core's leap-second regex (25 us each);
    anything else, or a day that does not exist, goes to FHIR's own validator unchanged."""
    if (
        isinstance(value, str)
        and len(value) == _DATE_LENGTH
        and value.isascii()
        and value[4] == value[7] == "-"
        and value.replace("-", "").isdigit()
    ):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


_DATE_LENGTH = len("YYYY-MM-DD")
DateTime = Annotated[DateTimeType, BeforeValidator(_full_date)]


class _Light(BaseModel):
    """Reads the elements declared as fields; accepts the type's other elements unread.

    ``fhir_model`` names the ``fhir.resources`` model whose elements these are; ``choices`` the
    choice elements (``value`` for value[x]), of which at most one may be given.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    fhir_model: ClassVar[Any]
    choices: ClassVar[tuple[str, ...]] = ()
    _read: ClassVar[frozenset[str]] = frozenset()
    _unread: ClassVar[frozenset[str]] = frozenset()
    _typed: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        every = tuple(cls.fhir_model.elements_sequence())
        cls._read = frozenset(cls.model_fields)
        cls._unread = frozenset(
            name for n in every for name in (n, f"_{n}") if name not in cls._read
        )
        cls._typed = tuple(
            (c, tuple(n for n in every if n.startswith(c) and n[len(c) : len(c) + 1].isupper()))
            for c in cls.choices
        )

    @model_validator(mode="before")
    @classmethod
    def _unread_dropped(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        for choice, names in cls._typed:
            given = [n for n in names if data.get(n) is not None]
            if len(given) > 1:
                raise ValueError(f"only one of {choice}[x] may be given, got {', '.join(given)}")
        if data.keys() <= cls._read:
            return data
        return {k: v for k, v in data.items() if k not in cls._unread}


class Coding(_Light):
    fhir_model = FhirCoding
    system: UriType | None = None
    code: CodeType | None = None
    display: StringType | None = None


class CodeableConcept(_Light):
    fhir_model = FhirConcept
    coding: list[Coding] | None = None
    text: StringType | None = None


class Quantity(_Light):
    fhir_model = FhirQuantity
    value: DecimalType | None = None
    comparator: CodeType | None = None
    unit: StringType | None = None
    system: UriType | None = None
    code: CodeType | None = None


class Period(_Light):
    fhir_model = FhirPeriod
    start: DateTime | None = None
    end: DateTime | None = None


class Reference(_Light):
    fhir_model = FhirReference
    reference: StringType | None = None


class ReferenceRange(_Light):
    fhir_model = FhirReferenceRange
    low: Quantity | None = None
    high: Quantity | None = None
    type: CodeableConcept | None = None
    text: StringType | None = None


class Component(_Light):
    fhir_model = FhirComponent
    choices = ("value",)
    code: CodeableConcept
    valueQuantity: Quantity | None = None  # noqa: N815 (FHIR element name)
    referenceRange: list[ReferenceRange] | None = None  # noqa: N815 (FHIR element name)


class Observation(_Light):
    """An R4 Observation as the mapping reads it (``read.py``, ``_observations``)."""

    fhir_model = FhirObservation
    choices = ("effective", "value")
    resourceType: Literal["Observation"] = "Observation"  # noqa: N815 (FHIR element name)
    id: IdType | None = None
    status: CodeType
    code: CodeableConcept
    subject: Reference | None = None
    effectiveDateTime: DateTime | None = None  # noqa: N815
    effectivePeriod: Period | None = None  # noqa: N815
    effectiveInstant: InstantType | None = None  # noqa: N815
    valueQuantity: Quantity | None = None  # noqa: N815
    valueCodeableConcept: CodeableConcept | None = None  # noqa: N815
    valueString: StringType | None = None  # noqa: N815
    interpretation: list[CodeableConcept] | None = None
    referenceRange: list[ReferenceRange] | None = None  # noqa: N815
    component: list[Component] | None = None

    def get_resource_type(self) -> str:
        """The FHIR resource type, as ``fhir.resources`` models answer it (for labels)."""
        return "Observation"


class BundleEntry(_Light):
    """A Bundle entry without its resource, holding nothing but a ``fullUrl`` (bundle.py)."""

    fhir_model = FhirBundleEntry
    fullUrl: UriType | None = None  # noqa: N815 (FHIR element name)
