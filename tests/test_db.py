"""The grader's schema and engines, on SQLite and on a real PostgreSQL server (see tests/conftest_pg.py)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from grader import db as D
from grader.services import regenerate
from quizbank.generators import generate
from quizbank.regenerate import KeyMismatch, canonical_json
from ui.cli import app

HEAD = "0010_overrides"  # the newest migration
TABLES = {
    "users",
    "courses",
    "enrolments",
    "assessments",
    "question_instances",
    "attempts",
    "responses",
    "grades",
    "server_secrets",
    "code_submissions",
    "review_cards",
    "review_logs",
    "settings",
    "score_changes",
    "invites",
    "auth_failures",
}
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def _world(s: D.Session) -> tuple[D.User, D.Assessment, D.QuestionInstance, D.Attempt]:
    """A minimal row in every parent table (through the ORM directly, below the services)."""
    u = D.User(username="ada", role="student", display_name="Ada")
    c = D.Course(code="CNN101", title="CNNs")
    s.add_all([u, c])
    s.flush()
    a = D.Assessment(course_id=c.id, title="hw", kind="homework", blueprint=[], seed=1, opens_at=T0)
    s.add(a)
    s.flush()
    q = generate("conv_params.count", 5, 1)
    qi = D.QuestionInstance(
        assessment_id=a.id,
        position=1,
        generator=q.generator,
        version=q.version,
        seed=q.seed,
        difficulty=q.difficulty,
        topic=q.topic,
        kind=q.kind,
        params=canonical_json(q.params),
        points=1.0,
    )
    att = D.Attempt(user_id=u.id, assessment_id=a.id, number=1, started_at=T0)
    s.add_all([qi, att])
    s.flush()
    return u, a, qi, att


# ------------------------------------------------------------------ migrations


def test_migrations_create_exactly_the_orm_schema(db_url: str) -> None:
    engine = D.make_engine(db_url)
    try:
        head = ScriptDirectory.from_config(D.alembic_config(db_url)).get_current_head()
        assert head == HEAD and D.current_revision(engine) == head
        names = set(inspect(engine).get_table_names())
        queue = {"procrastinate_jobs", "procrastinate_events", "procrastinate_workers", "procrastinate_periodic_defers"}
        # PostgreSQL also holds the grading queue's tables (procrastinate's own schema, not the ORM's)
        assert names == TABLES | {"alembic_version"} | (queue if engine.dialect.name == "postgresql" else set())
        opts = {"compare_type": True, "include_name": lambda name, *_: not (name or "").startswith("procrastinate_")}
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts=opts), D.Base.metadata)
        assert diff == [], diff
    finally:
        engine.dispose()


def test_downgrade_to_base_and_up_again(db_url: str) -> None:
    D.downgrade(db_url, "base")
    engine = D.make_engine(db_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert D.current_revision(engine) is None
        D.upgrade(db_url)
        assert D.current_revision(engine) == HEAD
        assert TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _kinds(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {g: k for g, k in conn.execute(text("SELECT generator, kind FROM question_instances"))}


def test_0002_gives_shape_questions_their_own_kind_and_takes_it_back(db_url: str) -> None:
    engine = D.make_engine(db_url)
    try:
        with D.write_session(D.session_factory(engine)) as s:
            _, a, _, _ = _world(s)
            shape = generate("output_size.shape", 2, 1)
            s.add(
                D.QuestionInstance(
                    assessment_id=a.id,
                    position=2,
                    generator=shape.generator,
                    version=shape.version,
                    seed=shape.seed,
                    difficulty=shape.difficulty,
                    topic=shape.topic,
                    kind=shape.kind,
                    params=canonical_json(shape.params),
                )
            )
        after = {"conv_params.count": "numeric", "output_size.shape": "shape"}
        assert shape.kind == "shape" and _kinds(engine) == after
        D.downgrade(db_url, "0001")  # revision 0001 stored a shape question as 'short_text'
        assert _kinds(engine) == {"conv_params.count": "numeric", "output_size.shape": "short_text"}
        D.upgrade(db_url)
        assert _kinds(engine) == after
    finally:
        engine.dispose()


def test_upgrade_is_idempotent(db_url: str) -> None:
    D.upgrade(db_url)
    D.upgrade(db_url)
    engine = D.make_engine(db_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    finally:
        engine.dispose()


def test_cli_db_upgrade(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    target = tmp_path / "cli" / "x.sqlite"
    r = runner.invoke(app, ["db", "upgrade", "--url", f"sqlite:///{target}"])
    assert r.exit_code == 0, r.output
    engine = D.make_engine(f"sqlite:///{target}")
    assert D.current_revision(engine) == HEAD
    engine.dispose()
    # without --url: $CNNQUIZ_DB_URL
    env_target = tmp_path / "env.sqlite"
    monkeypatch.setenv("CNNQUIZ_DB_URL", f"sqlite:///{env_target}")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert env_target.exists()
    bad = runner.invoke(app, ["db", "upgrade", "--url", "nosuchdialect://x"])
    assert bad.exit_code == 1


# ------------------------------------------------------------------ engines and URLs


def test_default_url_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CNNQUIZ_DB_URL", raising=False)
    monkeypatch.delenv("CNNQUIZ_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert D.default_url() == f"sqlite:///{tmp_path / 'xdg' / 'cnnquiz' / 'cnnquiz.sqlite'}"
    monkeypatch.setenv("CNNQUIZ_DATA_DIR", str(tmp_path / "data"))
    assert D.default_url() == f"sqlite:///{tmp_path / 'data' / 'cnnquiz.sqlite'}"
    monkeypatch.setenv("CNNQUIZ_DB_URL", "postgresql://u@h/db")
    assert D.default_url() == "postgresql://u@h/db"
    assert D.normalize_url(None) == "postgresql+psycopg://u@h/db"
    assert D.normalize_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert D.normalize_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_sqlite_file_is_wal_with_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'dir' / 'db.sqlite'}"
    engine = D.make_engine(url)  # creates the directory
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == D.SQLITE_BUSY_TIMEOUT_MS
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 1  # NORMAL
        assert (tmp_path / "new" / "dir").is_dir()
    finally:
        engine.dispose()


def test_postgres_session_is_utc_and_json_is_jsonb(request: pytest.FixtureRequest) -> None:
    pg = request.getfixturevalue("pg_server")
    url = pg.create_database("t_jsonb_check")
    D.upgrade(url)
    engine = D.make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW timezone").scalar_one() == "UTC"
            types = dict(
                conn.exec_driver_sql(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_name = 'question_instances'"
                ).all()
            )
        assert types["params"] == "jsonb"
        assert types["created_at"] == "timestamp with time zone"
        assert types["seed"] == "bigint"
    finally:
        engine.dispose()


def test_postgres_pooled_connections_killed_while_idle_are_replaced(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server drops every connection (a restart, an idle timeout): the next checkout pings the idle one, finds
    it dead and opens a new one, so no caller sees the error (without the ping the caller would)."""
    import psycopg

    pg = request.getfixturevalue("pg_server")
    url = pg.create_database("t_idle_ping")
    D.upgrade(url)
    engine = D.make_engine(url, pool_size=4)
    try:
        with engine.connect() as conn:  # a pooled connection, now idle
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        with psycopg.connect(pg.dsn("t_idle_ping"), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()")
        monkeypatch.setattr(D, "PG_PING_AFTER_IDLE_S", 0.0)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one() != pid
        with D.write_session(D.session_factory(engine)) as s:  # and the services' paths work on as well
            s.add(D.User(username="after-restart", role="student"))
    finally:
        engine.dispose()


# ------------------------------------------------------------------ types and constraints


def test_timestamps_are_aware_utc_and_naive_ones_are_refused(sf: D.SessionFactory) -> None:
    ist = dt.timezone(dt.timedelta(hours=5, minutes=30))
    with D.write_session(sf) as s:
        _, a, _, _ = _world(s)
        a.closes_at = dt.datetime(2026, 3, 2, 17, 30, tzinfo=ist)  # = 12:00 UTC
        aid = a.id
    with D.read_session(sf) as s:
        back = s.get(D.Assessment, aid)
        assert back is not None and back.closes_at is not None
        assert back.closes_at.tzinfo is not None and back.closes_at.utcoffset() == dt.timedelta(0)
        assert back.closes_at == dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
        assert back.opens_at == T0 and back.created_at.tzinfo is not None
        # comparisons in SQL use the same UTC representation
        found = s.execute(
            select(D.Assessment.id).where(D.Assessment.closes_at > dt.datetime(2026, 3, 2, 11, 59, tzinfo=dt.UTC))
        ).all()
        assert [r[0] for r in found] == [aid]
    with pytest.raises(Exception, match="naive datetime"), D.write_session(sf) as s:
        s.add(D.Course(code="x", title="x", created_at=dt.datetime(2026, 1, 1)))
        s.flush()


def test_foreign_keys_are_enforced(sf: D.SessionFactory) -> None:
    with pytest.raises(IntegrityError), D.write_session(sf) as s:
        s.add(D.Attempt(user_id=999, assessment_id=999, number=1, started_at=T0))
        s.flush()


def test_idempotency_key_is_unique_per_attempt_in_the_schema(sf: D.SessionFactory) -> None:
    def response(attempt: int, qi: int, key: str, try_number: int) -> D.Response:
        return D.Response(
            attempt_id=attempt,
            question_instance_id=qi,
            attempt_number=1,
            try_number=try_number,
            idempotency_key=key,
            raw_text="1",
            parsed=1.0,
            correct=False,
            score=0.0,
            max_score=1.0,
        )

    with D.write_session(sf) as s:
        u, a, qi, att = _world(s)
        other = D.Attempt(user_id=u.id, assessment_id=a.id, number=2, started_at=T0)
        s.add(other)
        s.flush()
        ids = (att.id, other.id, qi.id)
        s.add_all([response(att.id, qi.id, "k", 1), response(other.id, qi.id, "k", 1)])  # same key, 2 attempts: ok
    with pytest.raises(IntegrityError), D.write_session(sf) as s:
        s.add(response(ids[0], ids[2], "k", 2))
        s.flush()
    with pytest.raises(IntegrityError), D.write_session(sf) as s:  # the same try twice
        s.add(response(ids[0], ids[2], "k2", 1))
        s.flush()
    with D.read_session(sf) as s:
        assert len(s.execute(select(D.Response.id)).all()) == 2


def test_attempt_numbers_are_unique_per_user_and_assessment(sf: D.SessionFactory) -> None:
    with D.write_session(sf) as s:
        u, a, _, _ = _world(s)
        uid, aid = u.id, a.id
    with pytest.raises(IntegrityError), D.write_session(sf) as s:
        s.add(D.Attempt(user_id=uid, assessment_id=aid, number=1, started_at=T0))
        s.flush()


# ------------------------------------------------------------------ questions as data, never pickles


def test_instances_are_json_and_regenerate_to_the_same_key(sf: D.SessionFactory) -> None:
    with D.write_session(sf) as s:
        _, _, qi, _ = _world(s)
        qid = qi.id
    with D.read_session(sf) as s:
        raw = s.execute(text("SELECT params FROM question_instances WHERE id = :i"), {"i": qid}).scalar_one()
        stored = raw if isinstance(raw, dict) else json.loads(raw)  # jsonb comes back decoded, SQLite JSON as text
        fresh = generate("conv_params.count", 5, 1)
        assert stored == json.loads(json.dumps(fresh.params))
        inst = s.get(D.QuestionInstance, qid)
        assert inst is not None
        q = regenerate(inst)
        assert q.key == fresh.key and q.model_dump_json() == fresh.model_dump_json()


def test_a_tampered_instance_is_refused(sf: D.SessionFactory) -> None:
    with D.write_session(sf) as s:
        _, _, qi, _ = _world(s)
        qi.params = {**qi.params, "c_out": qi.params["c_out"] + 1}
        qid = qi.id
    with D.read_session(sf) as s:
        inst = s.get(D.QuestionInstance, qid)
        assert inst is not None
        with pytest.raises(KeyMismatch, match="different params"):
            regenerate(inst)
        inst.params = canonical_json(generate("conv_params.count", 5, 1).params)
        inst.version = 99
        with pytest.raises(KeyMismatch, match="version"):
            regenerate(inst)


def test_grader_never_imports_the_ui() -> None:
    code = (
        "import sys, grader.db, grader.services, grader.export, tools.db_load;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'ui', 'keras', 'tensorflow'));"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_sqlite_durability_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CNNQUIZ_SQLITE_SYNCHRONOUS", "full")
    engine = D.make_engine(f"sqlite:///{tmp_path / 'full.sqlite'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL: an fsync per commit
    finally:
        engine.dispose()
    monkeypatch.setenv("CNNQUIZ_SQLITE_SYNCHRONOUS", "NORMAL; DROP TABLE users")
    with pytest.raises(ValueError, match="CNNQUIZ_SQLITE_SYNCHRONOUS"):
        D.sqlite_synchronous()
