"""Vignettes as FHIR R4 Bundles give the same assessment as the native patient.

The bundles in tests/cases_fhir/ are committed files (written once by ``fhir_vignettes.py``); this
test reads them through the adapter, as an EHR's bundle would be read, and compares the full
assessment JSON with that of the same patient in the native format.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from fhir_vignettes import OUT, restrict, twin_cases
from jakguide.adapters.fhir import read_bundle
from jakguide.adapters.native import patient_from_data
from jakguide.engine import assess
from jakguide.kb.base import Knowledge
from jakguide.model import AssessRequest

CASES = twin_cases()


def _bundle_path(name: str) -> Path:
    return OUT / (name.replace("/", "__").removesuffix(".yaml") + ".json")


def test_at_least_ten_vignettes_have_fhir_twins() -> None:
    assert len(CASES) >= 10
    assert all(_bundle_path(name).exists() for name, _ in CASES)


@pytest.mark.parametrize(("name", "case"), CASES, ids=[n for n, _ in CASES])
def test_fhir_bundle_gives_the_same_assessment(
    name: str, case: dict[str, Any], kb: Knowledge
) -> None:
    as_of = case.get("as_of", dt.date(2026, 11, 21))
    request = AssessRequest(as_of=as_of, **case["request"])
    native = patient_from_data(restrict(case["patient"]), kb)
    bundle = json.loads(_bundle_path(name).read_text())
    fhir = read_bundle(bundle, kb, as_of).patient
    a = assess(native, request, kb).model_dump(mode="json", exclude={"warnings"})
    b = assess(fhir, request, kb).model_dump(mode="json", exclude={"warnings"})
    assert a == b
    assert a["options"], name
