"""Issue 11 acceptance lines (knowledge traceable to the regulator's label), one test each.

Expected values come from the labels as the knowledge encodes them: EMA Article 20 outcome
(risk groups; VTE risk factors are a "use with caution" population), Jyseleca SmPC 4.2 (100 mg
for patients at higher risk of VTE, MACE or malignancy), Sotyktu USPI 1.2 (03/2026) and 2.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from jakguide.adapters.native import patient_from_data
from jakguide.engine import assess
from jakguide.kb.base import Knowledge
from jakguide.kb.facts import decision_facts_off_label
from jakguide.model import Assessment, AssessRequest, Option

AS_OF = dt.date(2026, 12, 5)
BASES = Path(__file__).parent.parent / "cases" / "_bases"


def _base(name: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((BASES / f"{name}.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    return data


def _run(kb: Knowledge, data: dict[str, Any], condition: str, region: str) -> Assessment:
    patient = patient_from_data(data, kb)
    return assess(patient, AssessRequest(condition=condition, region=region, as_of=AS_OF), kb)


def _option(result: Assessment, drug: str) -> Option:
    found = [o for o in result.options if o.drug == drug]
    assert found, (drug, [o.drug for o in result.options])
    return found[0]


# An EU patient with RA after methotrexate, aged 50, never smoked, no CV risk factor, no
# malignancy; the only risk factor is a prior venous thromboembolism.
def _eu_ra_50_prior_vte() -> dict[str, Any]:
    return _base("ra-man-mtx-ir", birth_date="1976-06-01", history=["vte"])


@pytest.mark.parametrize("drug", ["tofacitinib", "baricitinib"])
def test_eu_ra_50_prior_vte_only_no_finding_says_no_suitable_alternatives(
    kb: Knowledge, drug: str
) -> None:
    opt = _option(_run(kb, _eu_ra_50_prior_vte(), "rheumatoid-arthritis", "EU"), drug)
    for finding in opt.findings:
        assert "no suitable" not in finding.message.lower(), finding
    assert not any(
        f.rule.startswith("risk-group") and f.severity == "warning" for f in opt.findings
    )
    # the label's "use with caution" population is still named
    assert any("caution" in f.message.lower() and "vte" in f.message.lower() for f in opt.findings)


def test_eu_ra_50_prior_vte_only_filgotinib_regimen_is_100_mg(kb: Knowledge) -> None:
    opt = _option(_run(kb, _eu_ra_50_prior_vte(), "rheumatoid-arthritis", "EU"), "filgotinib")
    assert opt.regimen is not None, opt.findings
    assert (opt.regimen.dose_mg, opt.regimen.per_day) == (100, 1), opt.regimens


def test_us_psa_after_methotrexate_deucravacitinib_indicated_6_mg_once_daily(
    kb: Knowledge,
) -> None:
    data = _base(
        "ra-man-mtx-ir", conditions=["psoriatic-arthritis"], disease={"severity": "moderate"}
    )
    opt = _option(_run(kb, data, "psoriatic-arthritis", "US"), "deucravacitinib")
    assert opt.status not in ("not-indicated", "contraindicated", "not-recommended"), opt.findings
    assert opt.regimen is not None, opt.findings
    assert (opt.regimen.dose_mg, opt.regimen.per_day) == (6, 1)
    assert "once daily" in opt.regimen.text


def test_every_status_or_dose_changing_label_fact_cites_a_label_document(kb: Knowledge) -> None:
    assert decision_facts_off_label(kb) == []


def test_eu_uc_aged_65_upadacitinib_maintenance_capped_at_15_mg_induction_unchanged(
    kb: Knowledge,
) -> None:
    data = _base(
        "ra-man-mtx-ir",
        birth_date="1955-01-01",
        conditions=["ulcerative-colitis"],
        prior_therapies=[{"drug": "adalimumab", "outcome": "inadequate-response"}],
    )
    opt = _option(_run(kb, data, "ulcerative-colitis", "EU"), "upadacitinib")
    doses = {(r.phase, r.dose_mg) for r in opt.regimens}
    assert ("maintenance", 15) in doses, opt.regimens
    assert ("maintenance", 30) not in doses, opt.regimens
    assert ("induction", 45) in doses, opt.regimens
    younger = _option(
        _run(kb, {**data, "birth_date": "1980-01-01"}, "ulcerative-colitis", "EU"), "upadacitinib"
    )
    assert ("maintenance", 30) in {(r.phase, r.dose_mg) for r in younger.regimens}


def test_a_finding_resting_on_an_older_label_copy_says_so(kb: Knowledge) -> None:
    data = _base("as-man-tnf-ir")
    tofa = _option(_run(kb, data, "ankylosing-spondylitis", "US"), "tofacitinib")
    stale = [f for f in tofa.findings if "older label copy" in f.message]
    assert stale, [f.message for f in tofa.findings]
    assert "xeljanz-uspi" in stale[0].message


def test_kb_status_names_the_2026_us_revisions_not_yet_read(kb: Knowledge) -> None:
    from jakguide.kb.status import status_rows

    rows = {(r["drug"], r["region"]): r for r in status_rows(kb)}
    tofa = rows[("tofacitinib", "US")]
    assert {"5.1", "5.8"} <= {s for k in tofa["later_revisions"] for s in k["sections"]}
    assert tofa["superseded"] > 0
    assert any(
        k["revision"] == "2026-06-30" for k in rows[("abrocitinib", "US")]["later_revisions"]
    )
    assert any(
        k["revision"] == "2026-06-30" for k in rows[("ruxolitinib", "US")]["later_revisions"]
    )
    assert any(
        k["revision"] == "2026-06-01" for k in rows[("baricitinib", "US")]["later_revisions"]
    )
