"""auth_failures: failed sign-ins and join-code tries, counted per key in a sliding window (the throttle)

One row per failure (inserts only, so concurrent app replicas never fight over a counter row); the throttle
counts a key's rows inside its window and deletes the ones that left it.

Revision ID: 0007_throttle
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007_throttle"
down_revision: str | None = "0006"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "auth_failures",
        sa.Column("id", BIGID, nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("failed_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_auth_failures"),
    )
    op.create_index("ix_auth_failures_scope_key_failed_at", "auth_failures", ["scope", "key", "failed_at"])


def downgrade() -> None:
    op.drop_index("ix_auth_failures_scope_key_failed_at", table_name="auth_failures")
    op.drop_table("auth_failures")
