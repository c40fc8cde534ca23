"""Vignettes share their patients: base patients resolve, and differences apply as documented
in ``vignettes.py`` (mappings merge, ``null`` deletes, lists are replaced or edited)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jakguide.adapters.native import patient_from_data
from jakguide.kb.base import Knowledge
from vignettes import (
    VignetteError,
    base_names,
    base_patient,
    load_case,
    merge,
    vignette_paths,
)

BASE: dict[str, Any] = {
    "sex": "male",
    "birth_date": "1981-04-12",
    "disease": {"severity": "severe", "candidate_for": ["systemic"]},
    "labs": [
        {"analyte": "lymphocytes", "value": 1.8},
        {"analyte": "neutrophils", "value": 4.1},
        {"analyte": "egfr", "value": 102},
    ],
    "cv_risk_factors": ["hypertension", "diabetes"],
}


@pytest.mark.parametrize("name", base_names())
def test_every_base_is_a_valid_patient(name: str, kb: Knowledge) -> None:
    patient_from_data(base_patient(name), kb)


def test_every_base_is_used() -> None:
    named = {load_case(path).get("base") for path in vignette_paths()}
    assert set(base_names()) <= named


def test_base_patients_are_not_vignettes() -> None:
    assert not [p for p in vignette_paths() if "_bases" in p.parts]


def test_an_unknown_base_fails_naming_the_known_ones(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("base: no-such-patient\npatient: {sex: female}\n")
    with pytest.raises(VignetteError, match=r"case\.yaml: base: 'no-such-patient' is not") as info:
        load_case(path)
    assert all(name in str(info.value) for name in base_names())


def test_a_vignette_without_base_is_read_as_written(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("patient: {sex: female}\n")
    assert load_case(path) == {"patient": {"sex": "female"}}


def test_a_base_is_merged_under_the_vignette_patient(tmp_path: Path) -> None:
    name = base_names()[0]
    path = tmp_path / "case.yaml"
    path.write_text(f"base: {name}\npatient: {{sex: female}}\nexpect: {{}}\n")
    case = load_case(path)
    assert case["patient"] == {**base_patient(name), "sex": "female"}
    assert case["base"] == name and case["expect"] == {}


def test_a_mapping_merges_key_by_key() -> None:
    got = merge(BASE, {"disease": {"severity": "moderate"}})
    assert got["disease"] == {"severity": "moderate", "candidate_for": ["systemic"]}
    assert BASE["disease"]["severity"] == "severe", "the base is not modified"


def test_null_deletes_a_key_and_absent_keys_cannot_be_deleted() -> None:
    assert "birth_date" not in merge(BASE, {"birth_date": None})
    assert merge(BASE, {"disease": {"candidate_for": None}})["disease"] == {"severity": "severe"}
    with pytest.raises(VignetteError, match=r"patient\.age_years: null deletes a key"):
        merge(BASE, {"age_years": None})


def test_a_list_replaces_the_base_list() -> None:
    assert merge(BASE, {"cv_risk_factors": []})["cv_risk_factors"] == []
    assert merge(BASE, {"labs": [{"analyte": "alt"}]})["labs"] == [{"analyte": "alt"}]


def test_a_list_is_edited_with_remove_and_add() -> None:
    got = merge(
        BASE,
        {
            "labs": {
                "remove": [{"analyte": "lymphocytes"}],
                "add": [{"analyte": "lymphocytes", "value": 0.45}],
            },
            "cv_risk_factors": {"remove": ["diabetes"]},
        },
    )
    assert got["labs"] == [
        {"analyte": "neutrophils", "value": 4.1},
        {"analyte": "egfr", "value": 102},
        {"analyte": "lymphocytes", "value": 0.45},
    ]
    assert got["cv_risk_factors"] == ["hypertension"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"remove": [{"analyte": "alt"}]}, r"labs\.remove\[0\]: .* matches no entry"),
        ({"replace": []}, r"patient\.labs: \['replace'\]: a list is replaced by a list"),
        ({}, r"patient\.labs: .* a list is replaced by a list, or edited"),
        ({"add": {"analyte": "alt"}}, r"'remove' and 'add' each take a list"),
    ],
)
def test_a_list_edit_that_does_not_apply_fails(edit: dict[str, Any], message: str) -> None:
    with pytest.raises(VignetteError, match=message):
        merge(BASE, {"labs": edit})
