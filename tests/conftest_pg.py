"""Database fixtures for the grader tests: every DB test runs on SQLite *and* on a real PostgreSQL server.

* ``pg_server`` (session): a throwaway PostgreSQL server started by :class:`tools.pgtemp.TempPostgres`:
  ``initdb`` in a temporary directory, listening on 127.0.0.1 on a free port, socket in that directory,
  torn down (fast shutdown, directory deleted) at the end of the session. As root, the server runs as the
  ``postgres`` system user (created by Debian's ``postgresql`` package) or else a ``cnnquiz-pg`` system
  user created for it. Missing binaries fail the PostgreSQL tests loudly (install:
  ``apt-get install -y --no-install-recommends postgresql``); ``CNNQUIZ_TEST_PG=skip`` skips them instead.
* ``db_url`` (parametrized ``sqlite`` / ``postgresql``): a fresh database per test (a SQLite file in WAL mode
  in the test's tmp dir; a new PostgreSQL database), migrated by Alembic (:func:`grader.db.upgrade`).
* ``sf``: a session factory on it; the engine is disposed after the test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader import db as D
from tools.pgtemp import PostgresUnavailable, TempPostgres, available

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[TempPostgres]:
    if os.environ.get("CNNQUIZ_TEST_PG", "").lower() == "skip":
        pytest.skip("CNNQUIZ_TEST_PG=skip")
    if not available():
        pytest.fail(str(PostgresUnavailable("PostgreSQL server binaries (initdb, postgres) are not installed")))
    with TempPostgres() as pg:
        yield pg


def fresh_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'cnnquiz.sqlite'}"
    pg: TempPostgres = request.getfixturevalue("pg_server")
    return pg.create_database(f"t_{uuid.uuid4().hex[:16]}")


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url = fresh_url(request, request.param, tmp_path)
    D.upgrade(url)
    return url


@pytest.fixture
def sf(db_url: str) -> Iterator[D.SessionFactory]:
    engine = D.make_engine(db_url)
    try:
        yield D.session_factory(engine)
    finally:
        engine.dispose()
