"""One exception tree: instrument input errors are input errors; unknown ids share one wording."""

from __future__ import annotations

import pytest

from jakguide.errors import InputError, JakguideError, UnknownIdError
from jakguide.instruments import InstrumentInputError, score
from jakguide.kb.base import Knowledge


def test_instrument_input_error_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        score("basdai", q1=11, q2=0, q3=0, q4=0, q5=0, q6=0)
    err = info.value
    assert isinstance(err, InstrumentInputError)
    assert isinstance(err, JakguideError) and isinstance(err, ValueError)
    assert (err.field, err.value, err.reason) == ("q1", 11, "accepted: number 0-10")
    assert str(err) == err.detail == "q1: got 11; accepted: number 0-10"


def test_input_error_detail_is_its_reason() -> None:
    err = InputError("labs[0].unit", "mg", "unit not accepted")
    assert str(err) == "labs[0].unit: 'mg': unit not accepted"
    assert err.detail == "unit not accepted"


def test_unknown_id_wording() -> None:
    err = UnknownIdError.among("drug", "nope", "drug", ["b", "a"])
    assert str(err) == "drug: 'nope': unknown drug; accepted: a, b"


def test_require_drug(kb: Knowledge) -> None:
    assert kb.require_drug("tofacitinib").id == "tofacitinib"
    with pytest.raises(UnknownIdError) as info:
        kb.require_drug("nope", "therapy.drug")
    assert info.value.field == "therapy.drug"
    assert info.value.reason == "unknown drug; accepted: " + ", ".join(sorted(kb.drugs))
