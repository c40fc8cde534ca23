"""The scan's lab kind on hand-made patients: a repeat confirms a qualified rule or not, the same
value in two units is one result, two different values on one day are a same-day finding."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from jakguide.adapters.fhir import read_bundle
from jakguide.kb.base import Knowledge
from jakguide.kb.schema import LabRule, Monograph
from jakguide.rules.labs import STOP_ACTIONS, on_therapy_rules
from jakguide.scan.conditions import assumed
from jakguide.scan.engines import DuckScan
from jakguide.scan.inputs import find_inputs
from jakguide.scan.run import run_scan
from jakguide.units import threshold_in_canonical
from scan_support import LOINC, UCUM, covered

AS_OF = dt.date(2026, 6, 1)


def _qualified(kb: Knowledge) -> tuple[Monograph, LabRule]:
    """A US on-therapy rule the label wants confirmed, of a "less than" threshold."""
    for mono in kb.marketed("US"):
        label = mono.regions["US"]
        for rule in on_therapy_rules(label, assumed(label)):
            if rule.requires and rule.comparator == "lt" and rule.context == "on-therapy":
                return mono, rule
    raise AssertionError("no qualified US rule in the knowledge")


def _obs(pid: str, n: int, loinc: str, value: Decimal, unit: str, day: dt.date) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": f"{pid}-o{n}",
        "status": "final",
        "subject": {"reference": f"Patient/{pid}"},
        "code": {"coding": [{"system": LOINC, "code": loinc}]},
        "valueQuantity": {"value": float(value), "unit": unit, "system": UCUM, "code": unit},
        "effectiveDateTime": day.isoformat(),
    }


def test_confirmation_units_and_same_day(tmp_path: Path, kb: Knowledge) -> None:
    mono, rule = _qualified(kb)
    analyte = kb.analytes[rule.analyte]
    loinc, canonical = analyte.loinc[0], analyte.canonical_unit
    other = next(u for u in analyte.units if u.unit != canonical)
    low = threshold_in_canonical(kb, rule.analyte, rule.value, rule.unit) * Decimal("0.8")
    normal = low * 3
    days = [AS_OF - dt.timedelta(days=d) for d in (60, 40, 20)]
    # (values in canonical unit per day, or a same-day pair) per patient
    plans: dict[str, list[tuple[dt.date, Decimal, str]]] = {
        "confirmed": [(days[1], low, canonical), (days[2], low, canonical)],
        "first": [(days[1], normal, canonical), (days[2], low, canonical)],
        "one-result": [
            (days[2], low, canonical),
            (days[2], low / Decimal(other.factor), other.unit),
        ],
        "two-results": [(days[2], low, canonical), (days[2], normal, canonical)],
    }
    resources: dict[str, list[dict[str, Any]]] = {}
    for pid, plan in plans.items():
        rows: list[dict[str, Any]] = [
            {"resourceType": "Patient", "id": pid, "birthDate": "1970-01-01"}
        ]
        rows.append(
            {
                "resourceType": "MedicationRequest",
                "id": f"{pid}-m",
                "status": "active",
                "intent": "order",
                "subject": {"reference": f"Patient/{pid}"},
                "medicationCodeableConcept": {"text": mono.inn},
                "authoredOn": days[0].isoformat(),
            }
        )
        rows += [_obs(pid, i, loinc, v, u, d) for i, (d, v, u) in enumerate(plan)]
        resources[pid] = rows
    by_type: dict[str, list[str]] = {}
    for rows in resources.values():
        for r in rows:
            by_type.setdefault(r["resourceType"], []).append(json.dumps(r))
    for rtype, lines in by_type.items():
        (tmp_path / f"{rtype}.000.ndjson").write_text("\n".join(lines) + "\n")
    engine = DuckScan()
    try:
        worklist = run_scan(engine, find_inputs(tmp_path), kb, AS_OF, "US").worklist
    finally:
        engine.close()
    labs = {(r["patient_id"], r["rule"]): r for r in worklist if r["kind"] == "lab"}
    stop = "critical" if rule.action in STOP_ACTIONS else "warning"
    first = "critical" if rule.first_action in STOP_ACTIONS else "warning"
    assert labs[("confirmed", f"labs.{rule.id}")]["severity"] == stop
    assert "the previous result crossed it too" in labs[("confirmed", f"labs.{rule.id}")]["detail"]
    assert labs[("first", f"labs.{rule.id}")]["severity"] == first
    assert "first abnormal result, not yet" in labs[("first", f"labs.{rule.id}")]["detail"]
    assert ("one-result", "labs.same-day") not in labs
    assert labs[("two-results", "labs.same-day")]["severity"] == "warning"
    assert ("confirmed", "labs.same-day") not in labs
    assert all(r["due_by"] is None and r["sources"] for r in labs.values())
    # The per-patient engine says the same.
    for pid, rows in resources.items():
        bundle = {"resourceType": "Bundle", "type": "collection",
                  "entry": [{"resource": r} for r in rows]}  # fmt: skip
        patient = read_bundle(bundle, kb, AS_OF).patient
        _, keys = covered(kb, pid, patient, AS_OF, "US")
        mine = sorted(k for k in keys if k[2] == "lab")
        assert mine == sorted(
            (pid, mono.id, "lab", r, labs[(pid, r)]["severity"], None) for p, r in labs if p == pid
        ), pid
