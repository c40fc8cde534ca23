"""Patient links (hashed, expiring, revocable) and patient self-reports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "patient_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("drug", sa.String(length=100), nullable=True),
        sa.Column("condition", sa.String(length=100), nullable=True),
        sa.Column("region", sa.String(length=4), nullable=False),
        sa.Column("questionnaire", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opens", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_patient_links_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["clinicians.id"],
            name=op.f("fk_patient_links_created_by_clinicians"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_patient_links_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_patient_links_token_hash")),
    )
    op.create_index(
        op.f("ix_patient_links_clinic_id"), "patient_links", ["clinic_id"], unique=False
    )
    op.create_index(
        op.f("ix_patient_links_patient_id"), "patient_links", ["patient_id"], unique=False
    )
    op.create_table(
        "self_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("score_id", sa.Integer(), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("instrument", sa.String(length=50), nullable=True),
        sa.Column("inputs", sa.JSON(), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("itch", sa.Float(), nullable=True),
        sa.Column("side_effects", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["patient_links.id"],
            name=op.f("fk_self_reports_link_id_patient_links"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_self_reports_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["score_id"],
            ["score_records.id"],
            name=op.f("fk_self_reports_score_id_score_records"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_reports")),
    )
    op.create_index(op.f("ix_self_reports_link_id"), "self_reports", ["link_id"], unique=False)
    op.create_index(
        op.f("ix_self_reports_patient_id"), "self_reports", ["patient_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_self_reports_patient_id"), table_name="self_reports")
    op.drop_index(op.f("ix_self_reports_link_id"), table_name="self_reports")
    op.drop_table("self_reports")
    op.drop_index(op.f("ix_patient_links_patient_id"), table_name="patient_links")
    op.drop_index(op.f("ix_patient_links_clinic_id"), table_name="patient_links")
    op.drop_table("patient_links")
