"""server_secrets: secrets that never leave the server, by name

The first is the key under which an assessment's per-position seeds are derived (HMAC, see
:func:`quizbank.exam.derive_seed`): the services create it on first use, so a student who knows an
assessment's base seed and the public generators still cannot tell which variant a position holds.
Assessments created before this revision keep the seeds they were stored with.

Revision ID: 0003
Revises: 0001
Create Date: 2026-06-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "server_secrets",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_server_secrets"),
    )


def downgrade() -> None:
    op.drop_table("server_secrets")
