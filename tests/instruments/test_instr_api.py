"""Public API of jakguide.instruments: names, dispatch, result types, errors."""

from __future__ import annotations

import json

import pytest

from jakguide import instruments
from jakguide.instruments import (
    InstrumentInputError,
    Response,
    Score,
    categorize,
    response,
    score,
)

EXPECTED_INSTRUMENTS = {
    "pasi",
    "psoriasis-severity",
    "dlqi",
    "napsi",
    "pga",
    "basdai",
    "basfi",
    "asdas-crp",
    "asdas-esr",
    "dapsa",
    "mda",
    "das28-crp",
    "das28-esr",
    "cdai",
    "sdai",
    "easi",
    "viga-ad",
    "salt",
    "mayo",
    "partial-mayo",
    "hbi",
    "hecsi",
    "f-vasi",
    "t-vasi",
    "jadas-27",
    "cjadas-10",
    "gca-sustained-remission",
    "niaid-os",
}
EXPECTED_RESPONSES = {
    "pasi",
    "asdas",
    "asas",
    "basdai",
    "dapsa",
    "das28",
    "easi",
    "salt",
    "mayo",
    "modified-mayo",
    "hbi",
    "hecsi",
    "f-vasi",
    "t-vasi",
    "niaid-os",
}


def test_all_is_sorted_and_exported() -> None:
    assert instruments.__all__ == sorted(instruments.__all__)
    for name in instruments.__all__:
        assert hasattr(instruments, name)


def test_every_instrument_and_response_from_the_issue_is_registered() -> None:
    assert set(instruments.instrument_names()) == EXPECTED_INSTRUMENTS
    assert set(instruments.response_names()) == EXPECTED_RESPONSES


def test_unknown_instrument_names_the_accepted_values() -> None:
    with pytest.raises(InstrumentInputError) as info:
        score("pasi-75")
    assert info.value.field == "instrument"
    assert info.value.value == "pasi-75"
    assert "asdas-crp" in info.value.accepted
    with pytest.raises(InstrumentInputError, match="response"):
        response("acr20", 1, 2)
    with pytest.raises(InstrumentInputError):
        categorize("nope", 1)


def test_error_is_a_value_error_with_one_line_message() -> None:
    with pytest.raises(ValueError) as info:
        score("basdai", q1=11, q2=0, q3=0, q4=0, q5=0, q6=0)
    err = info.value
    assert isinstance(err, InstrumentInputError)
    assert (err.field, err.value, err.accepted) == ("q1", 11, "number 0-10")
    assert str(err) == "q1: got 11; accepted: number 0-10"
    assert "\n" not in str(err)


def test_name_lookup_is_case_insensitive() -> None:
    assert categorize("ASDAS-CRP", 2.0) == "low"


def test_unknown_input_key_is_rejected_not_ignored() -> None:
    with pytest.raises(InstrumentInputError) as info:
        score("basdai", q1=1, q2=1, q3=1, q4=1, q5=1, q6=1, q7=1)
    assert info.value.field == "q7"


def test_missing_input_is_named() -> None:
    with pytest.raises(InstrumentInputError) as info:
        score("basdai", q1=1, q2=1, q3=1, q4=1, q5=1)
    assert info.value.field == "q6"
    assert info.value.value is None
    assert str(info.value).startswith("q6: missing;")


@pytest.mark.parametrize("bad", [True, float("nan"), float("inf"), "abc", "1e-999999999", [1]])
def test_non_numbers_are_rejected(bad: object) -> None:
    with pytest.raises(InstrumentInputError):
        score("basdai", q1=bad, q2=1, q3=1, q4=1, q5=1, q6=1)


def test_score_to_dict_is_json_ready_and_a_copy() -> None:
    result = score("basdai", q1=2, q2=10, q3=7, q4=1, q5=9, q6=3)
    assert isinstance(result, Score)
    data = result.to_dict()
    assert set(data) == {"instrument", "value", "category", "components", "notes", "sources"}
    json.dumps(data)
    data["components"]["items"]["q1"] = 99
    assert result.components["items"]["q1"] == 2
    for src in data["sources"]:
        assert set(src) == {"doc", "title", "section", "year"}


def test_response_attributes_and_to_dict() -> None:
    result = response("pasi", 20, 4)
    assert isinstance(result, Response)
    assert result.pasi75 is True
    assert result.pasi90 is False
    data = result.to_dict()
    json.dumps(data)
    assert data["instrument"] == "pasi"
    assert data["percent_improvement"] == 80.0
    with pytest.raises(AttributeError):
        _ = result.asas20


def test_string_inputs_are_read_as_decimals() -> None:
    # A form or CLI sends strings; "4.0" must be exactly 4.
    assert categorize("basdai", "4.0") == "active"
    assert score("basdai", q1="4", q2="4", q3="4", q4="4", q5="4", q6="4.0").category == "active"
