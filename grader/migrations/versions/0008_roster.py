"""rosters: teaching assistants, e-mail addresses, and invitations to set a password

* ``enrolments.role`` may be ``ta`` (a teaching assistant: grades, but changes no assessment and no roster);
* ``users.email``: the address a roster import gives (not unique, never used to sign in);
* ``invites``: one row per invitation link a roster import hands out for a new account (single use, expiring,
  revocable; the link's token is signed over the row's id and expiry).

Revision ID: 0008_roster
Revises: 0007_throttle
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_roster"
down_revision: str | None = "0007_throttle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as b:
        b.add_column(sa.Column("email", sa.String(254), nullable=True))
    with op.batch_alter_table("enrolments") as b:
        b.drop_constraint("ck_enrolments_role", type_="check")
        b.create_check_constraint("ck_enrolments_role", "role IN ('student', 'ta', 'instructor')")
    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_invites"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_invites_user_id_users", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name="fk_invites_course_id_courses", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_invites_created_by_users", ondelete="SET NULL"),
    )
    op.create_index("ix_invites_user_id", "invites", ["user_id"])
    op.create_index("ix_invites_course_id", "invites", ["course_id"])


def downgrade() -> None:
    op.drop_index("ix_invites_course_id", table_name="invites")
    op.drop_index("ix_invites_user_id", table_name="invites")
    op.drop_table("invites")
    op.execute("DELETE FROM enrolments WHERE role = 'ta'")
    with op.batch_alter_table("enrolments") as b:
        b.drop_constraint("ck_enrolments_role", type_="check")
        b.create_check_constraint("ck_enrolments_role", "role IN ('student', 'instructor')")
    with op.batch_alter_table("users") as b:
        b.drop_column("email")
