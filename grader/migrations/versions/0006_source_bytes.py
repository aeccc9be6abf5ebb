"""code_submissions.source_bytes: a submission's exact bytes where its text had to be sanitised to be stored

PostgreSQL refuses NUL characters (and lone surrogates) in text and jsonb; the stored ``source`` is the text with
those replaced, and ``source_bytes`` keeps the original file so nothing a student handed in is lost.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("code_submissions") as b:
        b.add_column(sa.Column("source_bytes", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("code_submissions") as b:
        b.drop_column("source_bytes")
