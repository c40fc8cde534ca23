"""Patient links and self-reports: a patient opens their own guide and a short form by a link.

Why a link and not an account: patients should not need a password to tell the clinic how they
are. The link is the credential, so it is treated like one: 256 random bits (``secrets``), only
its SHA-256 is stored, it expires and can be revoked, and every open is audited. A link names
exactly one patient; nothing reached through it takes a patient id from the request, so one
patient's link can never reach another patient's data.

A self-report holds the item scores of one questionnaire (BASDAI or DLQI), an itch rating and
the side effects the patient noticed. The questionnaire is also stored as a score row, scored by
``jakguide.instruments``, so it appears on the clinician's timeline and plots like any score.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from jakguide.errors import InputError
from jakguide.store import audit
from jakguide.store.db import defer_write
from jakguide.store.models import (
    AuditRow,
    Base,
    PatientRow,
    SafeJSON,
    ScoreRow,
    UtcDateTime,
    utcnow,
)

#: Random bytes in a link token (256 bits; the issue asks for at least 128).
TOKEN_BYTES = 32
#: Longer strings are not looked up at all.
MAX_TOKEN_CHARS = 200
#: Link lifetimes a clinician may choose, in days.
MIN_DAYS, MAX_DAYS, DEFAULT_DAYS = 1, 90, 30
Questionnaire = Literal["basdai", "dlqi"]
QUESTIONNAIRES: tuple[Questionnaire, ...] = ("basdai", "dlqi")
LinkState = Literal["active", "expired", "revoked"]


class PatientLink(Base):
    """A link that lets one patient open their guide and self-report form (token hashed)."""

    __tablename__ = "patient_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("clinicians.id", ondelete="SET NULL"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    drug: Mapped[str | None] = mapped_column(String(100))  # the guide's drug; None: no guide
    condition: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(4), default="US")
    questionnaire: Mapped[str] = mapped_column(String(16))  # basdai | dlqi
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_opened_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    opens: Mapped[int] = mapped_column(Integer, default=0)

    def state(self, now: dt.datetime | None = None) -> LinkState:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= (now or utcnow()):
            return "expired"
        return "active"


class SelfReport(Base):
    """What a patient reported through a link (the questionnaire is also a score row)."""

    __tablename__ = "self_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    link_id: Mapped[int | None] = mapped_column(
        ForeignKey("patient_links.id", ondelete="SET NULL"), index=True
    )
    score_id: Mapped[int | None] = mapped_column(
        ForeignKey("score_records.id", ondelete="SET NULL")
    )
    date: Mapped[dt.date] = mapped_column(Date)
    instrument: Mapped[str | None] = mapped_column(String(50))
    inputs: Mapped[dict[str, Any] | None] = mapped_column(SafeJSON)
    value: Mapped[float | None] = mapped_column(Float)
    category: Mapped[str | None] = mapped_column(String(100))
    itch: Mapped[float | None] = mapped_column(Float)
    side_effects: Mapped[list[str] | None] = mapped_column(SafeJSON)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _audit(
    session: Session,
    link: PatientLink | None,
    action: str,
    outcome: str = "ok",
    clinician_id: int | None = None,
    resource: str = "patient-link",
    resource_id: int | None = None,
) -> None:
    """An audit row for a link event (ids only; a patient acting has no clinician id)."""
    audit.add(
        session,
        AuditRow(
            clinic_id=link.clinic_id if link else None,
            clinician_id=clinician_id,
            action=action,
            resource=resource,
            resource_id=str(resource_id if resource_id is not None else link.id if link else ""),
            patient_id=link.patient_id if link else None,
            outcome=outcome,
        ),
    )


def create_link(
    session: Session,
    patient: PatientRow,
    clinician_id: int,
    *,
    questionnaire: str,
    days: int = DEFAULT_DAYS,
    drug: str | None = None,
    condition: str | None = None,
    region: str = "US",
) -> tuple[str, PatientLink]:
    """A new link for ``patient``; returns the raw token (shown once) and the stored row.

    Raises:
        InputError: unknown questionnaire or a lifetime outside 1-90 days.
    """
    if questionnaire not in QUESTIONNAIRES:
        raise InputError("questionnaire", questionnaire, "one of: " + ", ".join(QUESTIONNAIRES))
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise InputError("days", days, f"a whole number of days, {MIN_DAYS}-{MAX_DAYS}")
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    link = PatientLink(
        patient_id=patient.id,
        clinic_id=patient.clinic_id,
        created_by=clinician_id,
        token_hash=token_digest(raw),
        drug=drug,
        condition=condition,
        region=region,
        questionnaire=questionnaire,
        expires_at=utcnow() + dt.timedelta(days=days),
    )
    session.add(link)
    session.flush()
    _audit(session, link, "create", clinician_id=clinician_id)
    return raw, link


@dataclass(frozen=True)
class Opened:
    """A link that opened: the link row and its patient (the only patient it can reach)."""

    link: PatientLink
    patient: PatientRow


def open_link(session: Session, raw: str, what: str) -> Opened | None:
    """The active link for ``raw``, audited as one open of ``what``; None when it is expired or
    revoked (audited with that outcome) or unknown (not audited here: an unknown token names no
    clinic or patient, so the web layer counts those attempts and writes one aggregated row per
    interval instead of one row each, see ``web.linkguard``).

    ``what`` names the page opened (``home``, ``guide``, ``guide-pdf``, ``report``, ...).
    """
    if not raw or len(raw) > MAX_TOKEN_CHARS:
        return None
    link = session.scalar(select(PatientLink).where(PatientLink.token_hash == token_digest(raw)))
    resource = f"patient-link:{what}"[:50]
    if link is None:
        return None
    state = link.state()
    if state != "active":
        _audit(session, link, "read", state, resource=resource)
        return None
    patient = session.get(PatientRow, link.patient_id)
    if patient is None or patient.clinic_id != link.clinic_id:  # pragma: no cover - FK cascade
        _audit(session, link, "read", "not-found", resource=resource)
        return None
    link_id, now = link.id, utcnow()

    def count_open(s: Session) -> None:  # one SQL increment: parallel opens all count
        s.execute(
            update(PatientLink)
            .where(PatientLink.id == link_id)
            .values(opens=PatientLink.opens + 1, last_opened_at=now)
        )

    defer_write(session, count_open)
    _audit(session, link, "read", resource=resource)
    return Opened(link, patient)


def links_of(session: Session, patient_id: str) -> list[PatientLink]:
    """The patient's links, newest first."""
    query = (
        select(PatientLink)
        .where(PatientLink.patient_id == patient_id)
        .order_by(PatientLink.id.desc())
    )
    return list(session.scalars(query))


def revoke_link(session: Session, patient_id: str, link_id: int, clinician_id: int) -> bool:
    """Revoke one of the patient's links; False when there is no such link for the patient."""
    link = session.get(PatientLink, link_id)
    if link is None or link.patient_id != patient_id:
        return False
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        _audit(session, link, "update", "revoked", clinician_id=clinician_id)
    return True


def add_self_report(
    session: Session,
    opened: Opened,
    day: dt.date,
    *,
    instrument: str | None,
    inputs: dict[str, Any] | None,
    itch: float | None,
    side_effects: list[str] | None,
    note: str | None,
) -> SelfReport:
    """Store a self-report; a questionnaire is scored and added as a score row too.

    Raises:
        InputError: the questionnaire inputs do not score (the field and value are named).
    """
    from jakguide.store.scoring import score_columns

    link, patient = opened.link, opened.patient
    score_row: ScoreRow | None = None
    if instrument is not None and inputs is not None:
        cols = score_columns(instrument, inputs, None, day)
        score_row = ScoreRow(patient_id=patient.id, **cols)
        session.add(score_row)
        session.flush()
    report = SelfReport(
        patient_id=patient.id,
        link_id=link.id,
        score_id=score_row.id if score_row else None,
        date=day,
        instrument=instrument,
        inputs=inputs,
        value=score_row.value if score_row else None,
        category=score_row.category if score_row else None,
        itch=itch,
        side_effects=side_effects or None,
        note=note or None,
    )
    session.add(report)
    patient.updated_at = utcnow()
    session.flush()
    _audit(session, link, "create", resource="self-report", resource_id=report.id)
    return report


def reports_of(session: Session, patient_id: str) -> list[SelfReport]:
    """The patient's self-reports, oldest first."""
    query = (
        select(SelfReport)
        .where(SelfReport.patient_id == patient_id)
        .order_by(SelfReport.date, SelfReport.id)
    )
    return list(session.scalars(query))
