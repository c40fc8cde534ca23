"""rules.derive: implied inputs (issue 10, Deliver 1).

Unit tests of each derivation in both directions and against an explicit entry (the vignettes in
``tests/cases/derive/`` cover the same through the engine, CLI and API tests the acceptance
examples), and two hypothesis properties:

(1) entering a derived value explicitly never changes an option's status;
(2) removing a recorded fact never makes an option look better, unless the answer with the fact
    said why: removing a *contrary* value (the one that kept a derivation from being made: a low
    CrCl beside a high eGFR, an ALT above 3x the upper limit, cirrhosis or end-stage renal
    disease in the history) lets the derivation through, because "every recorded measure must
    agree" is not monotone in the recorded measures; that is right clinically (the value is
    adverse), so the answer with it must name it: every derivation that makes the option look
    better after the removal has a ``derive.not-derived.<input>`` finding on the option before.

Removed facts: each lab result and each score (the value becomes unknown), PASI and BSA, each
history item. A history item is removed from a reviewed list, which says the patient does not
have it (absent is not empty): removing "vte" may rightly improve an option with no derivation
involved, so for history items only the derivations they blocked are checked. Screening results
are checklist inputs (DESIGN: never set status while missing) and are left out.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jakguide.adapters.native import patient_from_data
from jakguide.engine import assess
from jakguide.kb.base import Knowledge, load_knowledge
from jakguide.kb.loader import default_knowledge_dir
from jakguide.model import AssessRequest, Option, Patient
from jakguide.rules.context import Context
from jakguide.rules.derive import Derivation, derive

KB: Knowledge = load_knowledge(default_knowledge_dir())
AS_OF = dt.date(2026, 11, 21)
RECENT = "2026-11-10"
OLD = "2025-01-10"

PROFILE = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def found(data: dict[str, Any], condition: str = "rheumatoid-arthritis") -> dict[str, Derivation]:
    patient = patient_from_data(copy.deepcopy(data), KB)
    return derive(Context(patient, KB, AS_OF), condition)[1]


def lab(analyte: str, value: float, unit: str, date: str = RECENT) -> dict[str, Any]:
    return {"analyte": analyte, "value": value, "unit": unit, "date": date}


EGFR = "mL/min/{1.73_m2}"


# --------------------------------------------------------------------------- dialysis


def test_dialysis_derived_from_egfr() -> None:
    d = found({"labs": [lab("egfr", 98, EGFR)]})["on_dialysis"]
    assert d.value is False
    assert d.fact == "not on dialysis: eGFR 98 mL/min/1.73 m2 on 2026-11-10"
    assert d.sources[0].doc == "jakguide-policy"


def test_dialysis_derived_from_crcl() -> None:
    assert "on_dialysis" in found({"labs": [lab("creatinine-clearance", 105, "mL/min")]})


@pytest.mark.parametrize(
    "labs",
    [
        [lab("egfr", 98, EGFR), lab("creatinine-clearance", 20, "mL/min")],  # measures disagree
        [lab("egfr", 29, EGFR)],  # below the limit
        [lab("egfr", 98, EGFR, OLD)],  # too old
        [],
    ],
)
def test_dialysis_blocked(labs: list[dict[str, Any]]) -> None:
    assert "on_dialysis" not in found({"labs": labs})


def test_dialysis_explicit_wins() -> None:
    assert "on_dialysis" not in found({"on_dialysis": True, "labs": [lab("egfr", 98, EGFR)]})


# --------------------------------------------------------------------------- hepatic


def test_hepatic_none_derived() -> None:
    d = found({"history": [], "labs": [lab("alt", 22, "U/L")]})["hepatic_impairment"]
    assert d.value == "none"
    assert "ALT 22 U/L on 2026-11-10" in d.fact


@pytest.mark.parametrize(
    "data",
    [
        {"labs": [lab("alt", 22, "U/L")]},  # history not reviewed
        {"history": ["cirrhosis"]},
        {"history": ["chronic-liver-disease"]},
        {"history": [], "labs": [lab("ast", 121, "U/L")]},  # above 3x the limit of 40
        {"history": [], "hepatic_impairment": "child-pugh-a"},  # explicit wins
    ],
)
def test_hepatic_blocked(data: dict[str, Any]) -> None:
    assert "hepatic_impairment" not in found(data)


def test_hepatic_old_liver_test_does_not_block() -> None:
    assert "hepatic_impairment" in found({"history": [], "labs": [lab("alt", 500, "U/L", OLD)]})


# --------------------------------------------------------------------------- reproduction


def test_age_55_settles_reproductive_potential() -> None:
    d = found({"sex": "female", "birth_date": "1971-11-21"})["reproductive_potential"]
    assert d.value is False
    assert [s.doc for s in d.sources] == ["fsrh-over40-2017", "jakguide-policy"]
    assert "reproductive_potential" not in found({"sex": "female", "birth_date": "1971-11-22"})


def test_menopause_settles_reproductive_potential() -> None:
    data = {"sex": "female", "age_years": 48.0, "history": ["menopause"]}
    assert found(data)["reproductive_potential"].value is False


def test_sterilisation_settles_pregnancy_only() -> None:
    out = found({"sex": "female", "age_years": 40.0, "history": ["bilateral-salpingectomy"]})
    assert out["pregnancy"].value == "not-pregnant"
    assert "reproductive_potential" not in out


@pytest.mark.parametrize(
    "data",
    [
        {"sex": "female", "age_years": 70.0, "reproductive_potential": True},  # explicit wins
        {"sex": "male", "age_years": 70.0},
        {"sex": "female", "age_years": 40.0},
        {"sex": "female", "age_years": 56.0, "breastfeeding": "yes"},  # data disagree
        {"sex": "female", "age_years": 56.0, "pregnancy": "pregnant"},
    ],
)
def test_reproductive_blocked(data: dict[str, Any]) -> None:
    out = found(data)
    assert "reproductive_potential" not in out and "pregnancy" not in out


def test_sterilisation_explicit_pregnancy_wins() -> None:
    data = {
        "sex": "female",
        "age_years": 40.0,
        "history": ["hysterectomy"],
        "pregnancy": "pregnant",
    }
    assert "pregnancy" not in found(data)


# --------------------------------------------------------------------------- severity


def test_psoriasis_severity_from_pasi_bsa() -> None:
    d = found({"disease": {"pasi": 18.0, "bsa_percent": 20.0}}, "plaque-psoriasis")["severity"]
    assert d.value == ("moderate", "severe")
    assert "PASI 18" in d.fact and "guideline" in d.fact
    assert {s.doc for s in d.sources} == {"finlay-2005"}


@pytest.mark.parametrize(
    ("condition", "instrument", "value"),
    [
        ("rheumatoid-arthritis", "das28-crp", 4.2),
        ("rheumatoid-arthritis", "cdai", 22.0),
        ("atopic-dermatitis", "easi", 22.0),
        ("atopic-dermatitis", "viga-ad", 3.0),
        ("alopecia-areata", "salt", 60.0),
        ("ulcerative-colitis", "mayo", 8.0),
        ("ulcerative-colitis", "partial-mayo", 6.0),
        ("crohns-disease", "hbi", 9.0),
        ("psoriatic-arthritis", "dapsa", 20.0),
        ("ankylosing-spondylitis", "asdas-crp", 2.5),
    ],
)
def test_severity_from_instruments(condition: str, instrument: str, value: float) -> None:
    score = {"instrument": instrument, "date": RECENT, "value": value}
    assert "severity" in found({"scores": [score]}, condition)


def test_alopecia_derives_severe_only() -> None:
    score = {"instrument": "salt", "date": RECENT, "value": 60.0}
    assert found({"scores": [score]}, "alopecia-areata")["severity"].value == ("severe",)


@pytest.mark.parametrize(
    "data",
    [
        {"disease": {"pasi": 18.0, "bsa_percent": 3.0}},  # a recorded measure disagrees
        {"disease": {"pasi": 10.0}},  # rule of tens is strict: 10 is not > 10
        {"disease": {"pasi": 18.0, "severity": "mild"}},  # explicit wins
    ],
)
def test_psoriasis_severity_blocked(data: dict[str, Any]) -> None:
    assert "severity" not in found(data, "plaque-psoriasis")


def test_low_das28_derives_nothing() -> None:
    score = {"instrument": "das28-crp", "date": RECENT, "value": 2.4}
    assert "severity" not in found({"scores": [score]})


def test_psoriasis_dlqi_supports_but_does_not_decide() -> None:
    """Policy 18: a DLQI at 10 does not hold back PASI and BSA above 10; a DLQI alone settles
    nothing; a DLQI above 10 is shown with the signs."""
    low = {"disease": {"pasi": 25.3, "bsa_percent": 24.0, "dlqi": 10.0}}
    assert found(low, "plaque-psoriasis")["severity"].fact == (
        "moderate to severe disease (guideline): PASI 25.3 (> 10), BSA % 24 (> 10)"
    )
    high = {"disease": {"pasi": 18.0, "dlqi": 14.0}}
    assert "DLQI 14 (> 10)" in found(high, "plaque-psoriasis")["severity"].fact
    assert "severity" not in found({"disease": {"dlqi": 14.0}}, "plaque-psoriasis")
    assert "severity" not in found({"disease": {"dlqi": 14.0, "pasi": 8.0}}, "plaque-psoriasis")


# --------------------------------------------------------------------------- inflammation


def test_crp_above_limit_settles_inflammation() -> None:
    d = found({"labs": [lab("crp", 18, "mg/L")]})["objective_inflammation"]
    assert "CRP 18 mg/L on 2026-11-10, above the reference limit 5 mg/L" in d.fact
    assert "objective_inflammation" in found({"labs": [lab("crp", 1.8, "mg/dL")]})


@pytest.mark.parametrize(
    "data",
    [
        {"labs": [lab("crp", 3, "mg/L")]},  # normal never settles "none"
        {"labs": [lab("crp", 18, "mg/L", OLD)]},
        {
            "labs": [lab("crp", 18, "mg/L")],
            "disease": {"objective_inflammation": {"crp_elevated": False}},
        },
    ],
)
def test_inflammation_blocked(data: dict[str, Any]) -> None:
    assert "objective_inflammation" not in found(data)


def test_the_results_own_reference_limit_wins_both_ways() -> None:
    """Policy 14: the laboratory's limit on the result, else 5 mg/L."""
    high = {**lab("crp", 4, "mg/L"), "reference_high": 3}
    d = found({"labs": [high]})["objective_inflammation"]
    assert d.fact.endswith("above the result's reference limit 3 mg/L")
    normal = {**lab("crp", 8, "mg/L"), "reference_high": 10}
    assert "objective_inflammation" not in found({"labs": [normal]})
    in_dl = {**lab("crp", 0.4, "mg/dL"), "reference_high": 0.3}  # converted with the value
    assert found({"labs": [in_dl]})["objective_inflammation"].fact == (
        "objective inflammation: CRP 4 mg/L on 2026-11-10, "
        "above the result's reference limit 3 mg/L"
    )


# --------------------------------------------------------------------------- candidacy


def _candidacy(**data: Any) -> dict[str, Derivation]:
    return found({"disease": {"severity": "moderate"}, **data}, "plaque-psoriasis")


def test_candidacy_from_a_prior_biologic_or_a_current_csdmard() -> None:
    d = _candidacy(prior_therapies=[{"drug": "Stelara", "outcome": "intolerance"}])
    assert d["candidate_for"].value == ("systemic",)
    assert d["candidate_for"].fact == (
        "candidate for systemic therapy: prior therapy Stelara (ustekinumab) (intolerance)"
    )
    assert d["candidate_for"].sources[0].section.startswith("Policy 17")
    assert "candidate_for" in _candidacy(medications=["methotrexate 15 mg weekly"])
    assert "candidate_for" in _candidacy(
        medications=[{"drug": "ciclosporin", "route": "oral"}]  # a recorded systemic route
    )


@pytest.mark.parametrize(
    "data",
    [
        {"prior_therapies": [{"drug": "tacrolimus", "outcome": "inadequate-response"}]},
        {"medications": ["tacrolimus ointment", "clobetasol cream"]},
        {"medications": ["ciclosporin"]},  # eye drops exist: a route is needed
        {
            "medications": [{"drug": "methotrexate", "route": "oral"}],
            "disease": {"severity": "moderate", "candidate_for": ["topical"]},
        },  # explicit wins
        {"prior_therapies": [], "medications": []},
    ],
)
def test_candidacy_blocked(data: dict[str, Any]) -> None:
    assert "candidate_for" not in _candidacy(**data)


# --------------------------------------------------------------------------- renal bands


def test_a_renal_band_in_the_labels_own_measure_is_never_ruled_out() -> None:
    """The measure the label's row is written in, when recorded, decides (policy 16 only rules a
    row out from the other measure)."""
    data = _clinic(
        "ankylosing-spondylitis", labs=[*_BASE_LABS, lab("creatinine-clearance", 105, "mL/min")]
    )
    request = AssessRequest(condition="ankylosing-spondylitis", region="US", as_of=AS_OF)
    upa = options(patient_from_data(copy.deepcopy(data), KB), request)["upadacitinib"]
    assert not any(f.rule.startswith("derive.renal-band") for f in upa.findings)
    without = _without_lab(data, "egfr")
    upa = options(patient_from_data(without, KB), request)["upadacitinib"]
    assert any(f.rule == "derive.renal-band-egfr" for f in upa.findings)


# --------------------------------------------------------------------------- hepatitis


def _scr(item: str, result: str, date: str = "2026-10-20") -> dict[str, Any]:
    return {"item": item, "result": result, "date": date}


def test_negative_serology_settles_hepatitis() -> None:
    out = found({"screening": [_scr("hbsag", "negative"), _scr("anti-hbc", "negative")]})
    assert "hbv-active" in out and "hcv-active" not in out
    assert "hcv-active" in found({"screening": [_scr("hcv", "negative")]})


def test_anti_hbc_positive_needs_hbv_dna() -> None:
    base = [_scr("hbsag", "negative"), _scr("anti-hbc", "positive")]
    assert "hbv-active" not in found({"screening": base})
    assert "hbv-active" in found({"screening": [*base, _scr("hbv-dna", "negative")]})


@pytest.mark.parametrize(
    "screening",
    [
        [_scr("hbsag", "negative", "2024-10-20"), _scr("anti-hbc", "negative", "2024-10-20")],
        [_scr("hbsag", "negative")],
        [_scr("hcv", "positive")],
        [{"item": "hcv", "result": "negative"}],  # undated
    ],
)
def test_hepatitis_blocked(screening: list[dict[str, Any]]) -> None:
    out = found({"screening": screening})
    assert "hbv-active" not in out and "hcv-active" not in out


def test_hepatitis_explicit_history_wins() -> None:
    screening = [_scr("hbsag", "negative"), _scr("anti-hbc", "negative")]
    data: dict[str, Any] = {"history": ["hbv-active"], "screening": screening}
    assert "hbv-active" not in found(data)


# --------------------------------------------------------------------------- properties

CONDITIONS = [
    "rheumatoid-arthritis",
    "ankylosing-spondylitis",
    "non-radiographic-axial-spondyloarthritis",
    "plaque-psoriasis",
    "atopic-dermatitis",
    "alopecia-areata",
]


@st.composite
def records(draw: st.DrawFn) -> tuple[dict[str, Any], AssessRequest]:
    """Ordinary clinic records: some of the inputs derivations read, the rest reviewed."""
    condition = draw(st.sampled_from(CONDITIONS))
    region = draw(st.sampled_from(["US", "EU"]))
    sex = draw(st.sampled_from(["female", "male"]))
    data: dict[str, Any] = {
        "birth_date": draw(st.dates(dt.date(1940, 1, 1), dt.date(2005, 1, 1))).isoformat(),
        "sex": sex,
        "conditions": [condition],
        "active_infections": [],
        "cv_risk_factors": [],
        "allergies": [],
        "medications": [],
        "smoking": "never",
        "measurements": [{"kind": "weight_kg", "value": 75.0, "date": RECENT}],
        "prior_therapies": [
            {"drug": "methotrexate", "outcome": "inadequate-response"},
            {"drug": "adalimumab", "outcome": "inadequate-response"},
        ],
    }
    if draw(st.booleans()):
        data["history"] = draw(
            st.lists(st.sampled_from(["menopause", "hysterectomy", "cirrhosis", "vte"]), max_size=2)
        )
    labs = [
        lab("lymphocytes", 1.8, "10*9/L"),
        lab("neutrophils", 4.1, "10*9/L"),
        lab("hemoglobin", 14.2, "g/dL"),
        lab("platelets", 250, "10*9/L"),
    ]
    for analyte, unit, values in (
        ("egfr", EGFR, [20, 45, 98]),
        ("creatinine-clearance", "mL/min", [25, 60, 105]),
        ("alt", "U/L", [22, 200]),
        ("crp", "mg/L", [2, 18]),
    ):
        if draw(st.booleans()):
            date = draw(st.sampled_from([RECENT, OLD]))
            labs.append(lab(analyte, draw(st.sampled_from(values)), unit, date))
    data["labs"] = labs
    disease: dict[str, Any] = {"candidate_for": ["systemic"]}
    for key, measures in (("pasi", [4.0, 18.0]), ("bsa_percent", [3.0, 20.0])):
        if draw(st.booleans()):
            disease[key] = draw(st.sampled_from(measures))
    data["disease"] = disease
    instrument = {
        "rheumatoid-arthritis": ("das28-crp", [2.4, 4.2]),
        "atopic-dermatitis": ("easi", [8.0, 22.0]),
        "alopecia-areata": ("salt", [30.0, 60.0]),
        "ankylosing-spondylitis": ("asdas-crp", [1.2, 2.8]),
    }.get(condition)
    if instrument is not None and draw(st.booleans()):
        value = draw(st.sampled_from(instrument[1]))
        data["scores"] = [{"instrument": instrument[0], "date": RECENT, "value": value}]
    screening = [{"item": "tb", "result": "negative", "date": "2026-10-20"}]
    for item in ("hbsag", "anti-hbc", "hcv"):
        if draw(st.booleans()):
            screening.append(_scr(item, draw(st.sampled_from(["negative", "positive"]))))
    data["screening"] = screening
    return data, AssessRequest(condition=condition, region=region, as_of=AS_OF)


def statuses(patient: Patient, request: AssessRequest) -> dict[str, str]:
    return {o.drug: o.status for o in assess(patient, request, KB).options}


@PROFILE
@given(records())
def test_entering_a_derived_value_never_changes_the_status(
    case: tuple[dict[str, Any], AssessRequest],
) -> None:
    data, request = case
    patient = patient_from_data(copy.deepcopy(data), KB)
    explicit, derivations = derive(Context(patient, KB, AS_OF), request.condition)
    assert statuses(patient, request) == statuses(explicit, request), sorted(derivations)
    # entered explicitly, the applied values are no longer derived (an explicit entry wins)
    again = derive(Context(explicit, KB, AS_OF), request.condition)[1]
    applied = {"on_dialysis", "hepatic_impairment", "reproductive_potential", "pregnancy"}
    assert not (set(again) & applied & set(derivations))


def _removals(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for i, item in enumerate(data.get("labs", [])):
        reduced = copy.deepcopy(data)
        del reduced["labs"][i]
        out.append((f"lab {item['analyte']}", reduced))
    for i, item in enumerate(data.get("screening", [])):
        reduced = copy.deepcopy(data)
        del reduced["screening"][i]
        out.append((f"screening {item['item']}", reduced))
    for key in ("pasi", "bsa_percent"):
        if key in data["disease"]:
            reduced = copy.deepcopy(data)
            del reduced["disease"][key]
            out.append((key, reduced))
    if data.get("scores"):
        reduced = copy.deepcopy(data)
        del reduced["scores"]
        out.append(("scores", reduced))
    for i, item in enumerate(data.get("history") or []):
        reduced = copy.deepcopy(data)
        del reduced["history"][i]
        out.append((f"history {item}", reduced))
    return out


@PROFILE
@given(records())
def test_removing_a_recorded_fact_never_makes_an_option_look_better(
    case: tuple[dict[str, Any], AssessRequest],
) -> None:
    data, request = case
    before_found = found(data, request.condition)
    before = options(patient_from_data(copy.deepcopy(data), KB), request)
    for what, reduced in _removals(data):
        if what.startswith("screening"):
            continue  # checklist input (DESIGN): screening never sets status while missing
        new = set(found(reduced, request.condition)) - set(before_found)
        after = options(patient_from_data(copy.deepcopy(reduced), KB), request)
        for drug, opt in before.items():
            if rank(after[drug].status) <= rank(opt.status):
                continue
            used = {k for k in new if _fired(after[drug], f"derive.{_rid(k)}")}
            if what.startswith("history") and not used:
                continue  # "does not have it" (a reviewed list), not "unknown": see above
            assert used, (drug, what, opt.status, after[drug].status)
            for k in used:  # the answer with the contrary value named it
                assert _fired(opt, f"derive.not-derived.{_rid(k)}"), (drug, what, k)


def options(patient: Patient, request: AssessRequest) -> dict[str, Option]:
    return {o.drug: o for o in assess(patient, request, KB).options}


def _rid(key: str) -> str:
    return key.replace("_", "-")


def _fired(opt: Option, rule: str) -> bool:
    return any(f.rule == rule for f in opt.findings)


def _clinic(condition: str, **changes: Any) -> dict[str, Any]:
    """A reviewed record with no dialysis status and no hepatic class (as clinics keep them)."""
    data: dict[str, Any] = {
        "birth_date": "1981-04-12",
        "sex": "male",
        "conditions": [condition],
        "history": [],
        "active_infections": [],
        "cv_risk_factors": [],
        "allergies": [],
        "medications": [],
        "smoking": "never",
        "measurements": [{"kind": "weight_kg", "value": 80.0, "date": RECENT}],
        "prior_therapies": [
            {"drug": "methotrexate", "outcome": "inadequate-response"},
            {"drug": "naproxen", "outcome": "inadequate-response"},
            {"drug": "adalimumab", "outcome": "inadequate-response"},
        ],
        "labs": [
            lab("lymphocytes", 1.8, "10*9/L"),
            lab("neutrophils", 4.1, "10*9/L"),
            lab("hemoglobin", 14.2, "g/dL"),
            lab("platelets", 250, "10*9/L"),
            lab("egfr", 98, EGFR),
        ],
        "disease": {"severity": "moderate", "candidate_for": ["systemic"]},
        "screening": [_scr(i, "negative") for i in ("tb", "hbsag", "anti-hbc", "hcv")],
    }
    data.update(changes)
    return data


def _without_lab(data: dict[str, Any], analyte: str) -> dict[str, Any]:
    out = copy.deepcopy(data)
    out["labs"] = [x for x in out["labs"] if x["analyte"] != analyte]
    return out


_BASE_LABS = _clinic("rheumatoid-arthritis")["labs"]
# (name, record with a contrary value, the record without it, drug, the input it blocked)
CONTRARY = [
    (
        "crcl 25 beside egfr 98",
        _clinic(
            "rheumatoid-arthritis", labs=[*_BASE_LABS, lab("creatinine-clearance", 25, "mL/min")]
        ),
        "creatinine-clearance",
        "upadacitinib",
        "on_dialysis",
    ),
    (
        "alt 200",
        _clinic("ankylosing-spondylitis", labs=[*_BASE_LABS, lab("alt", 200, "U/L")]),
        "alt",
        "tofacitinib",
        "hepatic_impairment",
    ),
    (
        "cirrhosis",
        _clinic("ankylosing-spondylitis", history=["cirrhosis"]),
        "history",
        "tofacitinib",
        "hepatic_impairment",
    ),
    (
        "end-stage renal disease",
        _clinic("rheumatoid-arthritis", history=["end-stage-renal-disease"]),
        "history",
        "upadacitinib",
        "on_dialysis",
    ),
]


@pytest.mark.parametrize(
    ("name", "data", "removed", "drug", "key"), CONTRARY, ids=[c[0] for c in CONTRARY]
)
def test_a_contrary_value_is_named_where_it_blocks(
    name: str, data: dict[str, Any], removed: str, drug: str, key: str
) -> None:
    """Property (2) where it bites: without the contrary value the option looks better, and the
    answer with it names the value (``derive.not-derived.<input>``)."""
    request = AssessRequest(condition=data["conditions"][0], region="US", as_of=AS_OF)
    reduced = _without_lab(data, removed) if removed != "history" else {**data, "history": []}
    before = options(patient_from_data(copy.deepcopy(data), KB), request)[drug]
    after = options(patient_from_data(copy.deepcopy(reduced), KB), request)[drug]
    assert before.status == "needs-data", (name, before.status)
    assert rank(after.status) > rank(before.status), (name, after.status)
    assert _fired(after, f"derive.{_rid(key)}")
    blocked = [f for f in before.findings if f.rule == f"derive.not-derived.{_rid(key)}"]
    assert blocked and blocked[0].sources and blocked[0].severity == "info", name
    assert "not derived" in blocked[0].facts[0]


def rank(status: str) -> int:
    """How good an option looks: blocked or waiting for data < caution < eligible.

    DESIGN orders ``needs-data`` above ``not-recommended``, so a removed value that made an option
    not-recommended leaves it ``needs-data``: still blocked, not better.
    """
    return {"caution": 1, "eligible": 2}.get(status, 0)
