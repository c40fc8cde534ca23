"""The screening and interaction kinds on a few hand-made patients: the rows they must give
(age bands on their boundary, ended and erroneous co-medications, a TB repeat due, a positive
result, a missing test, a cancelled order) and the same rows as the per-patient engine."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from jakguide.adapters.fhir import read_bundle
from jakguide.adapters.fhir.codes import code_tables
from jakguide.dates import add_months
from jakguide.kb.base import Knowledge
from jakguide.rules.story import TB_ON_THERAPY
from jakguide.scan.engines import DuckScan
from jakguide.scan.inputs import find_inputs
from jakguide.scan.run import run_scan
from scan_support import RX, covered, scan_keys

AS_OF = dt.date(2026, 6, 1)
DRUG = "baricitinib"
CLASS = "strong-oat3-inhibitors"


def _med(pid: str, n: int, text: str, **extra: Any) -> dict[str, Any]:
    res = {
        "resourceType": "MedicationStatement",
        "id": f"{pid}-m{n}",
        "status": "active",
        "subject": {"reference": f"Patient/{pid}"},
        "medicationCodeableConcept": {"text": text},
        "effectiveDateTime": "2025-01-10",
    }
    if "effectivePeriod" in extra:
        del res["effectiveDateTime"]  # effective[x]: one of the two
    return res | extra


def _test(pid: str, item: str, result: str | None, day: str, status: str = "final") -> Any:
    tables = code_tables().tables
    code = tables["screening_tests"].items[item][0]
    res: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"{pid}-{item}",
        "status": status,
        "subject": {"reference": f"Patient/{pid}"},
        "code": {"coding": [{"system": "http://loinc.org", "code": code.code}]},
        "effectiveDateTime": day,
    }
    if result is not None:
        value = tables["results"].items[result][0]
        system = value.system or tables["results"].system
        res["valueCodeableConcept"] = {"coding": [{"system": system, "code": value.code}]}
    return res


def _patients(kb: Knowledge) -> dict[str, list[dict[str, Any]]]:
    member = next(m for m in kb.classes[CLASS].members if m.rxnorm)
    coded = {"coding": [{"system": RX, "code": member.rxnorm, "display": member.ingredient}]}
    name = member.ingredient.capitalize() + " 500 mg"
    out: dict[str, list[dict[str, Any]]] = {}
    for pid, born in (("adult", "2008-06-01"), ("minor", "2008-06-02"), ("unborn", None)):
        patient: dict[str, Any] = {"resourceType": "Patient", "id": pid}
        if born is not None:
            patient["birthDate"] = born
        out[pid] = [patient, _med(pid, 0, DRUG), _med(pid, 1, name)]
    out["adult"] += [
        _test("adult", "tb", "negative", "2025-01-01"),
        _test("adult", "hbsag", "positive", "2024-12-01"),
        _test("adult", "hcv", "negative", "2024-12-01"),
    ]
    out["minor"].append(_test("minor", "tb", None, "2024-12-01", status="cancelled"))
    out["ended"] = [
        {"resourceType": "Patient", "id": "ended", "birthDate": "1960-01-01"},
        _med("ended", 0, DRUG),
        _med(
            "ended",
            1,
            name,
            status="completed",
            effectivePeriod={"start": "2025-01-10", "end": "2026-01-01"},
        ),
        _med("ended", 2, name, status="entered-in-error"),
        {
            "resourceType": "MedicationRequest",
            "id": "ended-m3",
            "status": "active",
            "intent": "proposal",
            "subject": {"reference": "Patient/ended"},
            "medicationCodeableConcept": coded,
            "authoredOn": "2025-02-01",
        },
    ]
    out["coded"] = [
        {"resourceType": "Patient", "id": "coded", "birthDate": "1960-01-01"},
        _med("coded", 0, DRUG),
        {
            "resourceType": "MedicationRequest",
            "id": "coded-m1",
            "status": "active",
            "intent": "order",
            "subject": {"reference": "Patient/coded"},
            "medicationCodeableConcept": coded,
            "authoredOn": "2025-02-01",
        },
    ]
    return out


def test_screening_and_interaction_rows_on_hand_made_patients(
    tmp_path: Path, kb: Knowledge
) -> None:
    patients = _patients(kb)
    files: dict[str, list[str]] = {}
    for resources in patients.values():
        for r in resources:
            files.setdefault(r["resourceType"], []).append(json.dumps(r))
    for rtype, lines in files.items():
        (tmp_path / f"{rtype}.000.ndjson").write_text("\n".join(lines) + "\n")
    engine = DuckScan()
    try:
        result = run_scan(engine, find_inputs(tmp_path), kb, AS_OF, "EU")
    finally:
        engine.close()
    found = scan_keys([r for r in result.worklist if r["kind"] != "monitoring"])
    for pid, resources in patients.items():
        entries = [{"resource": r} for r in resources]
        bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
        patient = read_bundle(bundle, kb, AS_OF).patient
        keys = [k for k in covered(kb, pid, patient, AS_OF, "EU")[1] if k[2] != "monitoring"]
        assert sorted(keys) == sorted(found.get(pid, [])), pid

    label = kb.drugs[DRUG].regions["EU"]
    adult_row = next(
        f"interactions.{a.id}"
        for a in label.adjustments
        if a.kind == "interaction" and CLASS in (a.when.classes or []) and a.when.age_years
    )
    inter = {pid: {k[3] for k in keys if k[2] == "interaction"} for pid, keys in found.items()}
    assert adult_row in inter["adult"] and adult_row in inter["coded"]
    # 17 on as_of (18 the next day), age unknown, ended / erroneous / proposed: no row.
    for pid in ("minor", "unborn", "ended"):
        assert adult_row not in inter.get(pid, set()), pid

    screening = {k[3]: k for k in found["adult"] if k[2] == "screening"}
    repeat = kb.guidelines[TB_ON_THERAPY].timing.repeat_every  # type: ignore[union-attr]
    assert repeat is not None and repeat.months is not None
    due = add_months(dt.date(2025, 1, 1), repeat.months).isoformat()
    assert screening["screening.tb"][4:] == ("info", due)  # negative, older than the interval
    assert screening["screening.hbsag"][4:] == ("warning", None)  # positive
    assert "screening.hcv" not in screening  # negative: done
    items = {i.item for i in label.screening}
    if "anti-hbc" in items:
        assert screening["screening.anti-hbc"][4:] == ("warning", None)  # never tested
    minor = {k[3]: k for k in found["minor"] if k[2] == "screening"}
    assert minor["screening.tb"][4:] == ("warning", None)  # a cancelled order is no test
    details = {r["rule"]: r["detail"] for r in result.worklist if r["patient_id"] == "adult"}
    assert "positive" in details["screening.hbsag"] and "2024-12-01" in details["screening.hbsag"]
    assert kb.classes[CLASS].name in details[adult_row]
