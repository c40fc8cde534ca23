"""Bad input gets a clear error, never a traceback: arbitrary JSON-like data given as a native
patient either loads or raises ``InputError`` naming a field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jakguide.adapters.native import patient_from_data
from jakguide.engine import assess
from jakguide.errors import InputError
from jakguide.kb.base import Knowledge, bundled_knowledge
from jakguide.model import AssessRequest

KB: Knowledge = bundled_knowledge()
FIELDS = [
    "birth_date",
    "age_years",
    "sex",
    "pregnancy",
    "breastfeeding",
    "smoking",
    "measurements",
    "conditions",
    "history",
    "active_infections",
    "cv_risk_factors",
    "hepatic_impairment",
    "on_dialysis",
    "allergies",
    "pharmacogenomics",
    "medications",
    "prior_therapies",
    "therapy",
    "labs",
    "screening",
    "disease",
    "scores",
    "unknown_field",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["male", "female", "2026-01-01", "10*9/L", "egfr"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "analyte",
                    "value",
                    "unit",
                    "date",
                    "drug",
                    "route",
                    "item",
                    "result",
                    "outcome",
                    "kind",
                    "start_date",
                    "instrument",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=8,
)
lab = st.fixed_dictionaries(
    {
        "analyte": st.sampled_from([*sorted(KB.analytes), "nonsense"]),
        "value": st.one_of(
            st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.text(max_size=5)
        ),
        "unit": st.sampled_from(["/uL", "10*9/L", "g/dL", "mmol/L", "mL/min", "furlongs", ""]),
        "date": st.sampled_from(["2026-11-01", "2026-13-01", "yesterday"]),
    }
)


@settings(max_examples=300, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(FIELDS), values, max_size=6))
def test_arbitrary_patient_data_loads_or_names_the_bad_field(data: dict[str, Any]) -> None:
    try:
        patient = patient_from_data(data, KB)
    except InputError as exc:
        assert exc.field and str(exc)
        return
    result = assess(
        patient, AssessRequest(condition="psoriatic-arthritis", as_of=dt.date(2026, 11, 21)), KB
    )
    assert result.options


@settings(max_examples=300, derandomize=True)
@given(st.lists(lab, min_size=1, max_size=3))
def test_arbitrary_lab_entries_load_or_name_the_bad_field(labs: list[dict[str, Any]]) -> None:
    try:
        patient_from_data({"labs": labs}, KB)
    except InputError as exc:
        assert exc.field.startswith("labs[") or exc.field == "labs", exc.field


def test_non_finite_or_non_numeric_lab_values_are_input_errors() -> None:
    for value in (float("nan"), float("inf"), "12", True):
        lab = {"analyte": "hemoglobin", "value": value, "unit": "g/dL", "date": "2026-11-01"}
        try:
            patient_from_data({"labs": [lab]}, KB)
        except InputError as exc:
            assert exc.field == "labs[0].value", exc
        else:
            raise AssertionError(f"{value!r} was accepted as a lab value")
