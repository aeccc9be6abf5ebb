"""shape questions have a kind of their own: question_instances.kind 'short_text' becomes 'shape'

Shape answers were the only form of the ``short_text`` kind (``format="shape"``); the question schema now
calls them ``shape``. Only data changes; the column and its type stay.

Revision ID: 0002
Revises: 0001
Create Date: 2026-06-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# a frozen view of the one column this revision touches (never import it from the ORM)
question_instances = sa.table("question_instances", sa.column("kind", sa.String(32)))


def _rename_kind(old: str, new: str) -> None:
    op.execute(question_instances.update().where(question_instances.c.kind == old).values(kind=new))


def upgrade() -> None:
    _rename_kind("short_text", "shape")


def downgrade() -> None:
    _rename_kind("shape", "short_text")
