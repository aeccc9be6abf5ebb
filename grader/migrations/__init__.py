"""Alembic migrations of the grader schema (applied by :func:`grader.db.upgrade` / ``cnnquiz db upgrade``)."""
