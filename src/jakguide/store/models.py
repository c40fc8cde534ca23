"""SQLAlchemy 2 tables: clinics, clinicians, patients and their record, assessments, audit log.

Why these shapes: a patient belongs to exactly one clinic (the unit of access); every clinical row
hangs off a patient and is deleted with it; lab values keep what was entered next to the canonical
value so a unit mistake can be traced; the audit log holds ids and verbs only, never patient data.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


_UNSAFE = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\\ud800-\\udfff]")


def scrub(value: Any) -> Any:
    """``value`` with every string's lone surrogates and control characters replaced by U+FFFD.

    Why: the API refuses such text, but a row written by an older version or another tool
    must never break the page or the list that shows it (a lone surrogate cannot be encoded).
    """
    if isinstance(value, str):
        return _UNSAFE.sub("\ufffd", value)
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    return value


class SafeJSON(TypeDecorator[Any]):
    """JSON whose strings are scrubbed when read (see :func:`scrub`)."""

    impl = JSON
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return None if value is None else scrub(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Clinic(Base):
    __tablename__ = "clinics"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Clinician(Base):
    __tablename__ = "clinicians"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(400))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    clinic: Mapped[Clinic] = relationship(lazy="joined")


class AuthToken(Base):
    """A login session (cookie) or an API bearer token; only its SHA-256 is stored."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    clinician_id: Mapped[int] = mapped_column(
        ForeignKey("clinicians.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # "session" | "api"
    name: Mapped[str | None] = mapped_column(String(200))
    csrf_token: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    clinician: Mapped[Clinician] = relationship(lazy="joined")


class PatientRow(Base):
    """Scalar facts and small lists of one patient; long lists live in child tables."""

    __tablename__ = "patients"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    age_years: Mapped[float | None] = mapped_column(Float)
    sex: Mapped[str] = mapped_column(String(16), default="unknown")
    reproductive_potential: Mapped[bool | None] = mapped_column(Boolean)
    pregnancy: Mapped[str] = mapped_column(String(16), default="unknown")
    breastfeeding: Mapped[str] = mapped_column(String(16), default="unknown")
    smoking: Mapped[str] = mapped_column(String(24), default="unknown")
    hepatic_impairment: Mapped[str] = mapped_column(String(24), default="unknown")
    on_dialysis: Mapped[bool | None] = mapped_column(Boolean)
    history: Mapped[list[str] | None] = mapped_column(SafeJSON)
    active_infections: Mapped[list[dict[str, Any]] | None] = mapped_column(SafeJSON)
    cv_risk_factors: Mapped[list[str] | None] = mapped_column(SafeJSON)
    allergies: Mapped[list[dict[str, Any]] | None] = mapped_column(SafeJSON)
    pharmacogenomics: Mapped[dict[str, Any] | None] = mapped_column(SafeJSON)
    prior_therapies: Mapped[list[dict[str, Any]] | None] = mapped_column(SafeJSON)
    disease: Mapped[dict[str, Any] | None] = mapped_column(SafeJSON)
    # Child lists reviewed as "none" (absent is not empty: no rows + not reviewed = unknown).
    reviewed: Mapped[list[str]] = mapped_column(SafeJSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    # Bumped by every change to the record (its rows touch updated_at); the API's ETag. The
    # UPDATE names the version read, so a concurrent change cannot be overwritten silently.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (read once by the mapper)


class _Child:
    """Columns every patient-owned row has."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class ConditionRow(_Child, Base):
    __tablename__ = "patient_conditions"
    __table_args__ = (UniqueConstraint("patient_id", "condition"),)

    condition: Mapped[str] = mapped_column(String(100))


class MedicationRow(_Child, Base):
    __tablename__ = "medications"

    drug: Mapped[str] = mapped_column(String(200))
    route: Mapped[str | None] = mapped_column(String(50))
    rxnorm: Mapped[str | None] = mapped_column(String(20))
    dose: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    stop_date: Mapped[dt.date | None] = mapped_column(Date)


class TherapyEpisodeRow(_Child, Base):
    __tablename__ = "therapy_episodes"

    drug: Mapped[str] = mapped_column(String(100))
    form: Mapped[str | None] = mapped_column(String(50))
    dose_mg: Mapped[float | None] = mapped_column(Float)
    per_day: Mapped[int | None] = mapped_column(Integer)
    start_date: Mapped[dt.date] = mapped_column(Date)
    stop_date: Mapped[dt.date | None] = mapped_column(Date)
    stop_reason: Mapped[str | None] = mapped_column(String(32))


class LabResultRow(_Child, Base):
    __tablename__ = "lab_results"

    analyte: Mapped[str] = mapped_column(String(50))
    value_entered: Mapped[float] = mapped_column(Float)
    unit_entered: Mapped[str] = mapped_column(String(50))
    value: Mapped[float] = mapped_column(Float)  # canonical unit
    unit: Mapped[str] = mapped_column(String(50))
    date: Mapped[dt.date] = mapped_column(Date)


class ScreeningRow(_Child, Base):
    __tablename__ = "screening_results"

    item: Mapped[str] = mapped_column(String(32))
    result: Mapped[str] = mapped_column(String(32))
    date: Mapped[dt.date | None] = mapped_column(Date)


class MeasurementRow(_Child, Base):
    __tablename__ = "measurements"

    kind: Mapped[str] = mapped_column(String(32))
    value: Mapped[float] = mapped_column(Float)
    date: Mapped[dt.date | None] = mapped_column(Date)


class ScoreRow(_Child, Base):
    __tablename__ = "score_records"

    instrument: Mapped[str] = mapped_column(String(50))
    inputs: Mapped[dict[str, Any] | None] = mapped_column(SafeJSON)
    value: Mapped[float | None] = mapped_column(Float)
    category: Mapped[str | None] = mapped_column(String(100))
    date: Mapped[dt.date] = mapped_column(Date)


class AssessmentRow(_Child, Base):
    """A snapshot of an assessment as shown, with the knowledge version and ``as_of`` used."""

    __tablename__ = "assessments"

    clinician_id: Mapped[int | None] = mapped_column(ForeignKey("clinicians.id"))
    kind: Mapped[str] = mapped_column(String(16))  # "assessment" | "labs"
    knowledge_version: Mapped[str] = mapped_column(String(50))
    as_of: Mapped[dt.date] = mapped_column(Date)
    region: Mapped[str] = mapped_column(String(4))
    subject: Mapped[str] = mapped_column(String(100))  # condition or drug
    output: Mapped[dict[str, Any]] = mapped_column(SafeJSON)


class AuditRow(Base):
    """Who read or changed which record, when; ids and verbs only (no patient data)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    clinic_id: Mapped[int | None] = mapped_column(Integer, index=True)
    clinician_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))  # read | create | update | delete | ...
    resource: Mapped[str] = mapped_column(String(50))
    resource_id: Mapped[str | None] = mapped_column(String(64))
    patient_id: Mapped[str | None] = mapped_column(String(36))
    outcome: Mapped[str] = mapped_column(String(16), default="ok")
    detail: Mapped[str | None] = mapped_column(Text)


class CdsCardRow(Base):
    """A card the CDS Hooks service returned: its uuid, service, card type and rule.

    Why: feedback names a card only by its uuid; this row says what the card was about, so
    override rates can be counted per card type and rule. No patient data is kept.
    """

    __tablename__ = "cds_cards"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    service_id: Mapped[str] = mapped_column(String(100))
    card_type: Mapped[str] = mapped_column(String(50))
    rule: Mapped[str] = mapped_column(String(200))
    indicator: Mapped[str] = mapped_column(String(16))
    client: Mapped[str | None] = mapped_column(String(400))  # the caller's iss
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class CdsFeedbackRow(Base):
    """One feedback entry from an EHR: a card accepted or overridden, with the reason given."""

    __tablename__ = "cds_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(String(100), index=True)
    card_uuid: Mapped[str] = mapped_column(String(200), index=True)
    outcome: Mapped[str] = mapped_column(String(16))  # accepted | overridden
    accepted_suggestions: Mapped[int] = mapped_column(Integer, default=0)
    reason_system: Mapped[str | None] = mapped_column(String(400))
    reason_code: Mapped[str | None] = mapped_column(String(200))
    reason_display: Mapped[str | None] = mapped_column(String(400))
    user_comment: Mapped[str | None] = mapped_column(Text)
    outcome_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    client: Mapped[str | None] = mapped_column(String(400))


CHILD_TABLES: dict[str, type[Base]] = {
    "conditions": ConditionRow,
    "medications": MedicationRow,
    "therapies": TherapyEpisodeRow,
    "labs": LabResultRow,
    "screening": ScreeningRow,
    "measurements": MeasurementRow,
    "scores": ScoreRow,
}
