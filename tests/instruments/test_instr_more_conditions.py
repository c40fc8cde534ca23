"""Instruments for chronic hand eczema (HECSI), vitiligo (F-VASI, T-VASI), JIA (JADAS-27,
cJADAS-10), giant cell arteritis (SELECT-GCA sustained remission) and COVID-19 (NIAID ordinal
scale): exact arithmetic, every cut-off on both sides, refusals that name the field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from jakguide.cli import app
from jakguide.instruments import InstrumentInputError, categorize, response, score
from jakguide.instruments.hecsi import KEYS as HECSI_KEYS

runner = CliRunner()


def _hecsi(**set_: int) -> dict[str, int]:
    return {**dict.fromkeys(HECSI_KEYS, 0), **set_}


# ------------------------------------------------------------------ HECSI


def test_hecsi_is_signs_times_extent_summed() -> None:
    result = score(
        "hecsi",
        **_hecsi(
            palms_erythema=2,
            palms_scaling=2,
            palms_fissuring=1,
            palms_extent=3,
            fingers_erythema=1,
            fingers_vesicles=2,
            fingers_extent=2,
        ),
    )
    assert (result.value, result.category) == (21, "moderate")
    assert result.components["palms"] == 15 and result.components["fingers"] == 6


def test_hecsi_maximum_is_360() -> None:
    everything = {k: (4 if k.endswith("_extent") else 3) for k in HECSI_KEYS}
    assert score("hecsi", **everything).value == 360
    assert score("hecsi", **everything).category == "very-severe"


@pytest.mark.parametrize(
    ("value", "category"),
    [
        (0, "clear"),
        (1, "almost-clear"),
        (16, "almost-clear"),
        (17, "moderate"),
        (37, "moderate"),
        (38, "severe"),
        (116, "severe"),
        (117, "very-severe"),
        (360, "very-severe"),
    ],
)
def test_hecsi_bands_on_both_sides(value: int, category: str) -> None:
    assert categorize("hecsi", value) == category


def test_hecsi_refuses_out_of_range_and_unknown_keys() -> None:
    with pytest.raises(InstrumentInputError, match="palms_extent"):
        score("hecsi", **_hecsi(palms_extent=5))
    with pytest.raises(InstrumentInputError, match="thumb_extent"):
        score("hecsi", **_hecsi(thumb_extent=1))
    with pytest.raises(InstrumentInputError, match="value"):
        categorize("hecsi", 361)


@pytest.mark.parametrize(
    ("baseline", "current", "h75", "h90"),
    [(80, 20, True, False), (80, 21, False, False), (80, 8, True, True), (80, 9, True, False)],
)
def test_hecsi_response_on_both_sides(baseline: int, current: int, h75: bool, h90: bool) -> None:
    r = response("hecsi", baseline, current)
    assert (r.results["hecsi75"], r.results["hecsi90"]) == (h75, h90)


def test_hecsi_response_from_zero_is_not_evaluable() -> None:
    r = response("hecsi", 0, 0)
    assert r.results["hecsi75"] is None and "baseline HECSI is 0" in r.not_evaluable["hecsi75"]


# ------------------------------------------------------------------ VASI


def test_f_vasi_is_hand_units_times_depigmentation() -> None:
    assert score("f-vasi", face_hand_units="0.8", face_depigmentation=75).value == 0.6
    assert score("f-vasi", face_hand_units="0.8", face_depigmentation=75).category is None


def test_t_vasi_sums_the_regions() -> None:
    inputs: dict[str, Any] = {
        f"{r}_{p}": 0
        for r in ("head_neck", "hands", "upper_extremities", "trunk", "lower_extremities", "feet")
        for p in ("hand_units", "depigmentation")
    }
    inputs |= {
        "head_neck_hand_units": 1,
        "head_neck_depigmentation": 90,
        "hands_hand_units": 2,
        "hands_depigmentation": 50,
        "trunk_hand_units": "10.5",
        "trunk_depigmentation": 10,
    }
    assert score("t-vasi", **inputs).value == pytest.approx(2.95)
    inputs["trunk_hand_units"] = 98
    with pytest.raises(InstrumentInputError, match="at most 100 hand units"):
        score("t-vasi", **inputs)


@pytest.mark.parametrize("level", [0, 10, 25, 50, 75, 90, 100])
def test_vasi_accepts_each_hamzavi_level(level: int) -> None:
    assert score("f-vasi", face_hand_units=2, face_depigmentation=level).value == 2 * level / 100


@pytest.mark.parametrize("level", [5, 30, 99, 101])
def test_vasi_refuses_other_levels(level: int) -> None:
    with pytest.raises(InstrumentInputError, match="face_depigmentation"):
        score("f-vasi", face_hand_units=2, face_depigmentation=level)


@pytest.mark.parametrize(
    ("baseline", "current", "v50", "v75", "v90"),
    [
        ("1.2", "0.6", True, False, False),  # 50 %
        ("1.2", "0.61", False, False, False),  # 49.2 %
        ("1.2", "0.3", True, True, False),  # 75 %
        ("1.2", "0.31", True, False, False),  # 74.2 %
        ("1.2", "0.12", True, True, True),  # 90 %
        ("1.2", "0.13", True, True, False),  # 89.2 %
    ],
)
def test_f_vasi_response_on_both_sides(
    baseline: str, current: str, v50: bool, v75: bool, v90: bool
) -> None:
    r = response("f-vasi", baseline, current).results
    assert (r["f_vasi50"], r["f_vasi75"], r["f_vasi90"]) == (v50, v75, v90)


def test_t_vasi_response_names() -> None:
    assert response("t-vasi", 10, 5).results["t_vasi50"] is True
    assert response("t-vasi", 10, "5.1").results["t_vasi50"] is False


# ------------------------------------------------------------------ JADAS


@pytest.mark.parametrize(
    ("esr", "normalised"),
    [(0, 0), (19, 0), (20, 0), (21, "0.1"), (38, "1.8"), (120, 10), (121, 10), (300, 10)],
)
def test_jadas27_normalises_the_esr_on_both_bounds(esr: int, normalised: Any) -> None:
    result = score("jadas-27", physician_global=0, parent_global=0, active_joints=0, esr_mm_h=esr)
    assert result.value == pytest.approx(float(normalised))


def test_jadas27_example_and_maximum() -> None:
    example = score(
        "jadas-27", physician_global=5, parent_global="4.5", active_joints=6, esr_mm_h=38
    )
    assert example.value == pytest.approx(17.3) and example.category is None
    top = score("jadas-27", physician_global=10, parent_global=10, active_joints=27, esr_mm_h=150)
    assert top.value == 57
    with pytest.raises(InstrumentInputError, match="active_joints"):
        score("jadas-27", physician_global=1, parent_global=1, active_joints=28, esr_mm_h=10)


@pytest.mark.parametrize(("joints", "counted"), [(0, 0), (9, 9), (10, 10), (11, 10), (71, 10)])
def test_cjadas10_caps_the_joints_at_10(joints: int, counted: int) -> None:
    result = score("cjadas-10", physician_global=6, parent_global=7, active_joints=joints)
    assert result.value == 13 + counted and result.components["joints_counted"] == counted


def test_jadas_has_no_categories_and_says_why() -> None:
    with pytest.raises(InstrumentInputError, match="agreed categories"):
        categorize("jadas-27", 3)
    result = score("cjadas-10", physician_global=1, parent_global=1, active_joints=0)
    assert any("disagree" in n for n in result.notes)


# ------------------------------------------------------------------ GCA


@pytest.mark.parametrize(
    ("symptoms", "adhered", "value", "category"),
    [
        ("false", "true", 1, "sustained-remission"),
        ("true", "true", 0, "no-sustained-remission"),
        ("no", "no", 0, "no-sustained-remission"),
        (False, True, 1, "sustained-remission"),
    ],
)
def test_gca_sustained_remission(symptoms: Any, adhered: Any, value: int, category: str) -> None:
    result = score("gca-sustained-remission", signs_or_symptoms=symptoms, taper_adhered=adhered)
    assert (result.value, result.category) == (value, category)


def test_gca_refuses_unknown_answers_and_keys() -> None:
    with pytest.raises(InstrumentInputError, match="taper_adhered"):
        score("gca-sustained-remission", signs_or_symptoms="no", taper_adhered="maybe")
    with pytest.raises(InstrumentInputError, match="esr"):
        score("gca-sustained-remission", signs_or_symptoms="no", taper_adhered="yes", esr=10)
    with pytest.raises(InstrumentInputError, match="signs_or_symptoms"):
        score("gca-sustained-remission", taper_adhered="yes")


# ------------------------------------------------------------------ NIAID ordinal scale


@pytest.mark.parametrize(
    ("category", "label"),
    [
        (1, "not-hospitalized-no-limitations"),
        (3, "hospitalized-no-oxygen-no-care"),
        (4, "hospitalized-no-oxygen-care"),
        (5, "hospitalized-oxygen"),
        (7, "hospitalized-imv-ecmo"),
        (8, "death"),
    ],
)
def test_niaid_categories(category: int, label: str) -> None:
    assert score("niaid-os", category=category).category == label
    assert categorize("niaid-os", category) == label


@pytest.mark.parametrize("bad", [0, 9, "4.5"])
def test_niaid_refuses_outside_1_to_8(bad: Any) -> None:
    with pytest.raises(InstrumentInputError, match="category"):
        score("niaid-os", category=bad)


@pytest.mark.parametrize(
    ("baseline", "current", "recovered", "one", "two"),
    [
        (5, 3, True, True, True),  # recovery is category 3 or better
        (5, 4, False, True, False),
        (6, 5, False, True, False),
        (6, 6, False, False, False),
        (4, 3, True, True, False),
        (5, 7, False, False, False),  # worse
    ],
)
def test_niaid_response_on_both_sides(
    baseline: int, current: int, recovered: bool, one: bool, two: bool
) -> None:
    r = response("niaid-os", baseline, current).results
    assert (r["recovered"], r["improved_1"], r["improved_2"]) == (recovered, one, two)


# ------------------------------------------------------------------ CLI


@pytest.mark.parametrize(
    ("args", "value", "category"),
    [
        (["niaid-os", "category=5"], 5, "hospitalized-oxygen"),
        (["f-vasi", "face_hand_units=1.5", "face_depigmentation=90"], 1.35, None),
        (
            ["cjadas-10", "physician_global=2", "parent_global=3.5", "active_joints=4"],
            9.5,
            None,
        ),
        (
            ["gca-sustained-remission", "signs_or_symptoms=no", "taper_adhered=yes"],
            1,
            "sustained-remission",
        ),
    ],
)
def test_cli_scores(args: list[str], value: float, category: str | None) -> None:
    result = runner.invoke(app, ["score", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["value"] == pytest.approx(value) and data["category"] == category


def test_cli_refuses_a_bad_level_with_exit_2() -> None:
    result = runner.invoke(
        app, ["score", "f-vasi", "face_hand_units=1", "face_depigmentation=30", "--format", "json"]
    )
    assert result.exit_code == 2 and "face_depigmentation" in result.stderr
