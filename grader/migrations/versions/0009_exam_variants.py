"""Per-student exam variants: how an assessment's variants are drawn, and each instance's option order

``assessments.same_for_everyone``, ``shuffle_questions`` and ``shuffle_options`` record the blueprint's choices;
when any of them gives students questions (or an order) of their own, each student's questions are stored as
instances they own. ``question_instances.option_order`` keeps the option ids in the order that instance shows them.

Revision ID: 0009_exam_variants
Revises: 0008_roster
Create Date: 2027-01-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009_exam_variants"
down_revision: str | None = "0008_roster"
branch_labels = None
depends_on = None

# a frozen copy of the column type as it is at this revision (never import it from the ORM)
JSONT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("assessments") as b:
        b.add_column(sa.Column("same_for_everyone", sa.Boolean(), server_default=sa.true(), nullable=False))
        b.add_column(sa.Column("shuffle_questions", sa.Boolean(), server_default=sa.false(), nullable=False))
        b.add_column(sa.Column("shuffle_options", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("question_instances") as b:
        b.add_column(sa.Column("option_order", JSONT, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("question_instances") as b:
        b.drop_column("option_order")
    with op.batch_alter_table("assessments") as b:
        b.drop_column("shuffle_options")
        b.drop_column("shuffle_questions")
        b.drop_column("same_for_everyone")
