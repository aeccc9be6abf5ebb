"""accounts: session token versions, course join codes, personal self-study assessments, server settings

* ``users.token_version``: signed into every session token; sign-out bumps it, so older tokens stop working;
* ``courses.join_code``: what a student types to enrol themselves (existing courses get one here);
* ``assessments.owner_id``: a user's own self-study record (practice answers and spaced-repetition reviews);
* ``settings``: server-wide values the app records for itself (who completed the first run).

Revision ID: 0004
Revises: 0003
Create Date: 2026-05-27
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
# a frozen copy of grader.services.courses.JOIN_ALPHABET: no 0/O, 1/I/L, so a code read aloud is typed right
JOIN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def upgrade() -> None:
    with op.batch_alter_table("users") as b:
        b.add_column(sa.Column("token_version", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("courses") as b:
        b.add_column(sa.Column("join_code", sa.String(16), nullable=True))
        b.create_unique_constraint("uq_courses_join_code", ["join_code"])
    with op.batch_alter_table("assessments") as b:
        b.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        b.create_unique_constraint("uq_assessments_owner_id", ["owner_id"])
        b.create_foreign_key("fk_assessments_owner_id_users", "users", ["owner_id"], ["id"], ondelete="CASCADE")
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_settings"),
    )
    conn = op.get_bind()
    courses = sa.table("courses", sa.column("id", sa.Integer()), sa.column("join_code", sa.String(16)))
    for (cid,) in conn.execute(sa.select(courses.c.id).where(courses.c.join_code.is_(None))).all():
        code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(8))
        conn.execute(sa.update(courses).where(courses.c.id == cid).values(join_code=code))


def downgrade() -> None:
    op.drop_table("settings")
    with op.batch_alter_table("assessments") as b:
        b.drop_constraint("fk_assessments_owner_id_users", type_="foreignkey")
        b.drop_constraint("uq_assessments_owner_id", type_="unique")
        b.drop_column("owner_id")
    with op.batch_alter_table("courses") as b:
        b.drop_constraint("uq_courses_join_code", type_="unique")
        b.drop_column("join_code")
    with op.batch_alter_table("users") as b:
        b.drop_column("token_version")
