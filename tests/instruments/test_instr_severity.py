"""Rule of tens (Finlay 2005): strict > 10 on each criterion."""

from __future__ import annotations

from typing import Any

import pytest

from jakguide.instruments import InstrumentInputError, categorize, score


@pytest.mark.parametrize(
    ("inputs", "category"),
    [
        ({"bsa_percent": 10, "pasi": 10, "dlqi": 10}, "not-severe"),
        ({"bsa_percent": "10.01", "pasi": 10, "dlqi": 10}, "severe"),
        ({"bsa_percent": 10, "pasi": "10.1", "dlqi": 10}, "severe"),
        ({"bsa_percent": 10, "pasi": 10, "dlqi": 11}, "severe"),
        ({"pasi": 10}, "indeterminate"),
        ({"pasi": "10.1"}, "severe"),
        ({"dlqi": 11}, "severe"),
        ({"bsa_percent": 3, "dlqi": 2}, "indeterminate"),
        ({}, "indeterminate"),
        ({"bsa_percent": 0, "pasi": 0, "dlqi": 0}, "not-severe"),
    ],
)
def test_rule_of_tens(inputs: dict[str, Any], category: str) -> None:
    assert score("psoriasis-severity", **inputs).category == category
    assert categorize("psoriasis-severity", inputs) == category


def test_value_counts_exceeded_criteria() -> None:
    result = score("psoriasis-severity", bsa_percent=15, pasi=12, dlqi=5)
    assert result.value == 2
    assert result.components["dlqi"] == {"value": 5.0, "exceeds_10": False}


def test_inputs_are_validated() -> None:
    with pytest.raises(InstrumentInputError, match=r"dlqi: got 10\.5; accepted: integer 0-30"):
        score("psoriasis-severity", dlqi=10.5)
    with pytest.raises(InstrumentInputError, match="bsa_percent"):
        score("psoriasis-severity", bsa_percent=101)
    with pytest.raises(InstrumentInputError, match="mapping"):
        categorize("psoriasis-severity", 1)
