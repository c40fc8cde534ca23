"""The repository: clinic-scoped CRUD, audit rows, transactions, and the record -> Patient map."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from jakguide.errors import ImplausibleValueError, InputError, UnitError, UnknownIdError
from jakguide.kb.base import Knowledge
from jakguide.store import (
    Actor,
    Database,
    RecordNotFoundError,
    Records,
    accounts,
    from_patient,
    to_patient,
)
from jakguide.store.models import AuditRow, LabResultRow, PatientRow
from jakguide.store.schemas import (
    ConditionIn,
    LabIn,
    MeasurementIn,
    MedicationIn,
    PatientIn,
    ScoreIn,
    ScreeningIn,
    TherapyIn,
)

DAY = dt.date(2026, 6, 1)


def actor(db: Database, clinic: str, user: str) -> Actor:
    with db.transaction() as s:
        c = accounts.ensure_clinic(s, clinic, "Europe/Berlin", "UTC")
        u = accounts.add_clinician(s, c, user, "correct horse", None)
        return Actor(u.id, c.id, c.timezone)


def a_drug(kb: Knowledge) -> str:
    return sorted(kb.drugs)[0]


def lab_unit(kb: Knowledge, analyte: str) -> str:
    found = kb.analyte(analyte)
    assert found is not None
    return found.canonical_unit


def test_patient_crud_and_every_kind_of_row(db: Database, kb: Knowledge) -> None:
    me = actor(db, "A", "a1")
    with db.transaction() as s:
        r = Records(s, me, kb)
        p = r.create_patient(PatientIn(label="MRN-7", sex="female", history=["vte"]))
        pid = p.id
        r.add_row(pid, "conditions", ConditionIn(condition="rheumatoid-arthritis"))
        r.add_row(pid, "medications", MedicationIn(drug="methotrexate", start_date=DAY))
        r.add_row(pid, "therapies", TherapyIn(drug=a_drug(kb), start_date=DAY))
        unit = lab_unit(kb, "lymphocytes")
        r.add_row(pid, "labs", LabIn(analyte="lymphocytes", value=900, unit=unit, date=DAY))
        r.add_row(pid, "screening", ScreeningIn(item="tb", result="negative", date=DAY))
        r.add_row(pid, "measurements", MeasurementIn(kind="weight_kg", value=70, date=DAY))
        inputs = {"q1": 2, "q2": 3, "q3": 4, "q4": 5, "q5": 6, "q6": 7}
        score = r.add_row(pid, "scores", ScoreIn(instrument="basdai", date=DAY, inputs=inputs))
        assert (score.value, score.category) == (4.1, "active")
    with db.transaction() as s:
        r = Records(s, me, kb)
        rec = r.load(pid)
        assert {k: len(v) for k, v in rec.children.items()} == dict.fromkeys(rec.children, 1)
        lab = r.list_rows(pid, "labs")[0]
        r.update_row(
            pid, "labs", lab.id, LabIn(analyte="lymphocytes", value=800, unit=unit, date=DAY)
        )
        r.update_patient(pid, PatientIn(label="MRN-7", sex="female", smoking="never"))
    with db.transaction() as s:
        r = Records(s, me, kb)
        assert r.get_patient(pid).smoking == "never"
        assert r.list_rows(pid, "labs")[0].value_entered == 800
        r.delete_row(pid, "labs", lab.id)
        assert r.list_rows(pid, "labs") == []
        r.delete_patient(pid)
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(PatientRow)) == 0
        assert s.scalar(select(func.count()).select_from(LabResultRow)) == 0


def test_other_clinic_sees_nothing(db: Database, kb: Knowledge) -> None:
    a, b = actor(db, "A", "a1"), actor(db, "B", "b1")
    with db.transaction() as s:
        pid = Records(s, a, kb).create_patient(PatientIn(label="mine")).id
    with db.transaction() as s:
        r = Records(s, b, kb)
        assert r.list_patients() == ([], 0)
        for call in (
            lambda: r.get_patient(pid),
            lambda: r.load(pid),
            lambda: r.list_rows(pid, "labs"),
            lambda: r.add_row(pid, "conditions", ConditionIn(condition="vitiligo")),
            lambda: r.update_patient(pid, PatientIn(label="stolen")),
            lambda: r.delete_patient(pid),
        ):
            with pytest.raises(RecordNotFoundError):
                call()
    with db.transaction() as s:
        assert Records(s, a, kb).get_patient(pid).label == "mine"


def test_audit_rows_name_who_and_what_but_hold_no_patient_data(db: Database, kb: Knowledge) -> None:
    me = actor(db, "A", "a1")
    with db.transaction() as s:
        r = Records(s, me, kb)
        pid = r.create_patient(PatientIn(label="Jane Secret-Name")).id
        r.get_patient(pid)
    with db.transaction() as s:
        rows = list(s.scalars(select(AuditRow).order_by(AuditRow.id)))
    assert [(x.action, x.resource) for x in rows] == [("create", "patient"), ("read", "patient")]
    assert all(x.clinician_id == me.clinician_id and x.clinic_id == me.clinic_id for x in rows)
    assert all(x.patient_id == pid and x.at is not None for x in rows)
    dumped = repr([vars(x) for x in rows])
    assert "Secret" not in dumped


@pytest.mark.parametrize(
    ("body", "error", "field"),
    [
        (
            {"analyte": "lymphocytes", "value": -5, "unit": None},
            ImplausibleValueError,
            "body.value",
        ),
        ({"analyte": "lymphocytes", "value": 5, "unit": "furlongs"}, UnitError, "body.unit"),
        ({"analyte": "unobtainium", "value": 5, "unit": "g/L"}, UnknownIdError, "body.analyte"),
    ],
)
def test_a_failed_write_changes_nothing(
    db: Database, kb: Knowledge, body: dict[str, Any], error: type[Exception], field: str
) -> None:
    me = actor(db, "A", "a1")
    with db.transaction() as s:
        pid = Records(s, me, kb).create_patient(PatientIn(label="x")).id
    body = {**body, "unit": body["unit"] or lab_unit(kb, "lymphocytes"), "date": DAY}
    with pytest.raises(error) as info, db.transaction() as s:
        r = Records(s, me, kb)
        r.add_row(pid, "conditions", ConditionIn(condition="vitiligo"))  # same transaction
        r.add_row(pid, "labs", LabIn.model_validate(body))
    assert isinstance(info.value, InputError) and info.value.field == field
    with db.transaction() as s:
        rec = Records(s, me, kb).load(pid)
        assert rec.rows("conditions") == [] and rec.rows("labs") == []


def test_unknown_condition_and_bad_score_are_input_errors(db: Database, kb: Knowledge) -> None:
    me = actor(db, "A", "a1")
    with db.transaction() as s:
        r = Records(s, me, kb)
        pid = r.create_patient(PatientIn(label="x")).id
        with pytest.raises(UnknownIdError, match="condition"):
            r.add_row(pid, "conditions", ConditionIn(condition="not-a-condition"))
        with pytest.raises(InputError) as info:
            r.add_row(pid, "scores", ScoreIn(instrument="basdai", date=DAY, inputs={"q1": 99}))
        assert info.value.field.startswith("body.inputs")
        with pytest.raises(UnknownIdError):
            r.add_row(pid, "scores", ScoreIn(instrument="scorad", date=DAY, value=3))


def test_to_patient_keeps_absent_apart_from_empty(db: Database, kb: Knowledge) -> None:
    me = actor(db, "A", "a1")
    with db.transaction() as s:
        r = Records(s, me, kb)
        pid = r.create_patient(PatientIn(label="x", reviewed=["medications", "labs"])).id
        rec = r.load(pid)
    patient = to_patient(rec, kb, DAY)
    assert patient.medications == [] and patient.labs == []
    assert patient.conditions is None and patient.screening is None and patient.scores is None
    assert patient.prior_therapies is None and patient.therapy is None


def test_to_patient_is_the_record_on_as_of(db: Database, kb: Knowledge) -> None:
    me = actor(db, "A", "a1")
    drug = a_drug(kb)
    unit = lab_unit(kb, "lymphocytes")
    with db.transaction() as s:
        r = Records(s, me, kb)
        pid = r.create_patient(PatientIn(label="x")).id
        r.add_row(
            pid,
            "therapies",
            TherapyIn(
                drug="adalimumab",
                start_date=dt.date(2024, 1, 1),
                stop_date=dt.date(2025, 1, 1),
                stop_reason="inadequate-response",
            ),
        )
        r.add_row(pid, "therapies", TherapyIn(drug=drug, start_date=dt.date(2026, 1, 1)))
        r.add_row(
            pid, "medications", MedicationIn(drug="methotrexate", stop_date=dt.date(2026, 3, 1))
        )
        for day in (dt.date(2025, 12, 1), dt.date(2026, 5, 1)):
            r.add_row(pid, "labs", LabIn(analyte="lymphocytes", value=1000, unit=unit, date=day))
        rec = r.load(pid)
    before = to_patient(rec, kb, dt.date(2025, 12, 15))
    assert before.therapy is None
    assert before.prior_therapies is not None
    assert [p.drug for p in before.prior_therapies] == ["adalimumab"]
    assert before.medications is not None and len(before.medications) == 1
    assert before.labs is not None and len(before.labs) == 1
    after = to_patient(rec, kb, DAY)
    assert after.therapy is not None and after.therapy.drug == drug
    assert after.medications == []  # stopped on 2026-03-01: reviewed, none current
    assert after.labs is not None and len(after.labs) == 2


def test_import_creates_then_merges_without_duplicates(db: Database, kb: Knowledge) -> None:
    from jakguide.adapters.native import patient_from_data

    me = actor(db, "A", "a1")
    unit = lab_unit(kb, "lymphocytes")
    native = {
        "sex": "male",
        "conditions": ["psoriatic-arthritis"],
        "medications": [],
        "labs": [{"analyte": "lymphocytes", "value": 1500, "unit": unit, "date": "2026-02-01"}],
        "scores": [{"instrument": "basdai", "date": "2026-02-01", "value": 5.0}],
        "cv_risk_factors": ["hypertension"],
    }
    patient = patient_from_data(native, kb)
    with db.transaction() as s:
        row, added = Records(s, me, kb).import_rows(from_patient(patient, "imp"))
        pid = row.id
    assert added == 3
    with db.transaction() as s:
        _, again = Records(s, me, kb).import_rows(from_patient(patient), pid)
        rec = Records(s, me, kb).load(pid)
    assert again == 0
    back = to_patient(rec, kb, DAY)
    assert (
        back.sex == "male" and back.medications == [] and back.cv_risk_factors == ["hypertension"]
    )
    assert back.scores is not None and back.scores[0].value == 5.0
