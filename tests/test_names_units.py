"""Names and units as people type them (issue 10, deliverables 2 and 3).

Brands, misspellings and codes resolve to INNs through the knowledge; fuzzy matching only
suggests. A value implausible in its stated unit but plausible in another accepted unit is refused
with every such unit; a value converted to another accepted unit never changes the status.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from jakguide.adapters.native import patient_from_data
from jakguide.cli import app as cli
from jakguide.engine import assess
from jakguide.errors import ImplausibleValueError, UnknownIdError
from jakguide.kb.base import Knowledge, load_knowledge
from jakguide.kb.names import resolve
from jakguide.model import AssessRequest
from jakguide.units import plausible_in, to_canonical
from vignettes import base_patient

AS_OF = dt.date(2026, 11, 21)


# ------------------------------------------------------------------------------------ names


@pytest.mark.parametrize(
    ("typed", "inn", "how"),
    [
        ("Humira", "adalimumab", "brand"),
        ("HUMIRA", "adalimumab", "brand"),
        ("Amgevita", "adalimumab", "brand"),
        ("Rinvoq", "upadacitinib", "brand"),
        ("Xeljanz XR", "tofacitinib", "brand"),
        ("Olumiant", "baricitinib", "brand"),
        ("Enbrel", "etanercept", "brand"),
        ("prednisone", "prednisone", "inn"),
        ("Prednisone 5 MG Oral Tablet", "prednisone", "text"),
        ("sulphasalazine", "sulfasalazine", "misspelling"),
        ("mesalamine", "mesalazine", "synonym"),
        ("327361", "adalimumab", "rxnorm"),
    ],
)
def test_names_resolve(kb: Knowledge, typed: str, inn: str, how: str) -> None:
    match = resolve(kb, typed)
    assert (match.inn, match.how) == (inn, how)


def test_fuzzy_only_suggests(kb: Knowledge) -> None:
    match = resolve(kb, "adalimumb")
    assert match.inn is None
    assert match.suggestions[0] == "adalimumab"
    assert resolve(kb, "qwertyuiop").suggestions == ()


@pytest.mark.parametrize(
    "typed",
    [
        # glucocorticoids, csDMARDs, NSAIDs, biologics, statins, antihypertensives, PPIs,
        # anticoagulants, antiplatelets: the common co-medications of the labelled conditions
        "prednisone", "prednisolone", "methylprednisolone", "methotrexate", "leflunomide",
        "sulfasalazine", "hydroxychloroquine", "naproxen", "ibuprofen", "celecoxib", "diclofenac",
        "etanercept", "secukinumab", "ustekinumab", "atorvastatin", "rosuvastatin", "simvastatin",
        "lisinopril", "amlodipine", "losartan", "hydrochlorothiazide", "metoprolol", "omeprazole",
        "pantoprazole", "warfarin", "apixaban", "rivaroxaban", "aspirin", "clopidogrel",
    ],
)  # fmt: skip
def test_common_co_medications_are_identified(kb: Knowledge, typed: str) -> None:
    assert resolve(kb, typed).identified


def test_every_brand_region_is_cited(kb: Knowledge) -> None:
    for entry in kb.names:
        for region, brands in entry.brands.items():
            assert not brands or region in entry.brands_source, entry.inn


def test_require_drug_accepts_brands_and_suggests(kb: Knowledge) -> None:
    assert kb.require_drug("Rinvoq").id == "upadacitinib"
    with pytest.raises(UnknownIdError, match="did you mean tofacitinib"):
        kb.require_drug("tofacitnib")
    with pytest.raises(UnknownIdError, match="'Humira' is adalimumab, which has no monograph"):
        kb.require_drug("Humira")


def test_cli_drug_by_brand() -> None:
    result = CliRunner().invoke(cli, ["drug", "rinvoq", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == "upadacitinib"


def test_assess_drug_option_by_brand(kb: Knowledge) -> None:
    patient = patient_from_data(base_patient("as-man-tnf-ir"), kb)
    req = AssessRequest(
        condition="ankylosing-spondylitis", region="US", as_of=AS_OF, drugs=["Rinvoq"]
    )
    assert [o.drug for o in assess(patient, req, kb).options] == ["upadacitinib"]


# ------------------------------------------------------------------------------------ units


def _with_lab(value: float | str, unit: str) -> dict[str, Any]:
    data = base_patient("as-man-tnf-ir")
    data["labs"] = [
        {"analyte": "lymphocytes", "value": value, "unit": unit, "date": "2026-11-01"},
        *data["labs"][1:],
    ]
    return data


def test_unit_slip_refused_with_every_plausible_unit(kb: Knowledge) -> None:
    with pytest.raises(ImplausibleValueError) as info:
        to_canonical(kb, "lymphocytes", 1.8, "/uL", "labs[0]")
    assert info.value.field == "labs[0].value"
    assert info.value.reason == (
        "lymphocytes 1.8 /uL is not plausible; did you mean 1.8 10*3/uL or 1.8 10*9/L?"
    )
    with pytest.raises(ImplausibleValueError, match=r"did you mean 142 g/L\?"):
        to_canonical(kb, "hemoglobin", 142, "g/dL")
    assert to_canonical(kb, "lymphocytes", 0, "/uL").value == 0  # zero reads alike in every unit


def test_cli_refuses_unit_slip(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(_with_lab(1.8, "/uL")))
    args = ["assess", str(path), "--condition", "ankylosing-spondylitis", "--as-of", "2026-11-21"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert "did you mean 1.8 10*3/uL or 1.8 10*9/L?" in result.output
    assert "Traceback" not in result.output


_KB = load_knowledge()
_ANALYTES = ["lymphocytes", "neutrophils", "platelets", "hemoglobin", "alt", "creatinine"]


@st.composite
def _value_in_two_units(draw: st.DrawFn) -> tuple[str, Decimal, str, Decimal, str]:
    analyte_id = draw(st.sampled_from(_ANALYTES))
    analyte = _KB.analyte(analyte_id)
    assert analyte is not None
    units = [u for u in analyte.units]
    a = draw(st.sampled_from(units))
    b = draw(st.sampled_from([u for u in units if u.unit != a.unit]))
    cents = draw(st.integers(min_value=1, max_value=400_000))
    value_a = Decimal(cents) / 100
    value_b = value_a * Decimal(a.factor) / Decimal(b.factor)
    assume(value_b == value_b.quantize(Decimal("0.000001")))  # an exact conversion only
    assume(plausible_in(analyte, value_a, a.unit) and plausible_in(analyte, value_b, b.unit))
    return analyte_id, value_a, a.unit, value_b.normalize(), b.unit


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(case=_value_in_two_units())
def test_property_converted_value_never_changes_status(
    case: tuple[str, Decimal, str, Decimal, str],
) -> None:
    """A value converted to another accepted unit never changes the status (issue 10)."""
    analyte, value_a, unit_a, value_b, unit_b = case
    base = base_patient("as-man-tnf-ir")
    req = AssessRequest(condition="ankylosing-spondylitis", region="US", as_of=AS_OF)

    def statuses(value: Decimal, unit: str) -> dict[str, str]:
        data = copy.deepcopy(base)
        data["labs"] = [lab for lab in data["labs"] if lab["analyte"] != analyte] + [
            {"analyte": analyte, "value": float(value), "unit": unit, "date": "2026-11-01"}
        ]
        out = assess(patient_from_data(data, _KB), req, _KB)
        return {o.drug: o.status for o in out.options}

    assert statuses(value_a, unit_a) == statuses(value_b, unit_b)
