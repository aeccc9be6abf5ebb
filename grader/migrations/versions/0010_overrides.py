"""score_changes: the audit trail of manual score overrides and applied regrades

One row per change of a response's score: the assessment and response, who changed it and when, the old and new
score (and trap), and the reason (required for an override; a regrade records what it was run for).
``responses.score`` keeps holding the score that counts.

Revision ID: 0010_overrides
Revises: 0009_exam_variants
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_overrides"
down_revision: str | None = "0009_exam_variants"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "score_changes",
        sa.Column("id", BigId, nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("response_id", BigId, nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("old_score", sa.Float(), nullable=False),
        sa.Column("new_score", sa.Float(), nullable=False),
        sa.Column("old_trap", sa.String(64), nullable=True),
        sa.Column("new_trap", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint("kind IN ('override', 'regrade')", name="ck_score_changes_kind"),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name="fk_score_changes_assessment_id_assessments",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"], ["responses.id"], name="fk_score_changes_response_id_responses", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name="fk_score_changes_actor_id_users", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_score_changes"),
    )
    op.create_index("ix_score_changes_assessment_id", "score_changes", ["assessment_id"])
    op.create_index("ix_score_changes_response_id_id", "score_changes", ["response_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_score_changes_response_id_id", table_name="score_changes")
    op.drop_index("ix_score_changes_assessment_id", table_name="score_changes")
    op.drop_table("score_changes")
