"""the grading queue: procrastinate's tables and functions, on PostgreSQL only

On PostgreSQL, code submissions are graded by workers that take jobs from a procrastinate queue kept in the same
database (see :mod:`grader.queue`). This revision installs procrastinate's schema (its ``procrastinate_*`` tables,
types and functions) as the installed procrastinate release ships it, unless it is there already. SQLite grades
in process and gets nothing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager

    if bind.exec_driver_sql("SELECT to_regclass('procrastinate_jobs') IS NOT NULL").scalar():
        return
    bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    bind.exec_driver_sql(
        """
        DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs,
            procrastinate_workers CASCADE;
        DO $$
        DECLARE r record;
        BEGIN
            FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                      WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%%' LOOP
                EXECUTE 'DROP FUNCTION IF EXISTS ' || r.f || ' CASCADE';
            END LOOP;
            FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                      WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%%'
                        AND t.typtype IN ('e', 'c') LOOP
                EXECUTE 'DROP TYPE IF EXISTS ' || quote_ident(r.typname) || ' CASCADE';
            END LOOP;
        END $$;
        """
    )
