"""The system of record: the schema (SQLAlchemy 2.0 typed ORM), column types, engines and sessions, migrations.

Default database: a SQLite file ``cnnquiz.sqlite`` in the user's data directory
(``platformdirs.user_data_dir("cnnquiz")``), or in ``$CNNQUIZ_DATA_DIR`` when set
(the Makefile sets it to ``./data``); ``$CNNQUIZ_DB_URL`` (any SQLAlchemy URL,
e.g. ``postgresql+psycopg://user@host/db``) overrides both.

SQLite runs in WAL mode (``synchronous=NORMAL`` unless ``$CNNQUIZ_SQLITE_SYNCHRONOUS``
says ``FULL``, see :func:`sqlite_synchronous`) with a busy timeout and foreign keys on;
write transactions start with ``BEGIN IMMEDIATE`` (see :func:`write_session`), so two
writers never deadlock on a read→write lock upgrade, and a process's writers queue on
one lock instead of polling. PostgreSQL runs through psycopg 3 with the session time
zone pinned to UTC and its own durability defaults (fsync, synchronous commit); pooled
connections idle for a while are pinged before reuse.

Every timestamp is timezone-aware UTC (:class:`UTCDateTime` refuses naive
datetimes). Question instances are stored as ``(generator, version, seed,
difficulty, params)``, never pickled: :func:`quizbank.regenerate.build_question`
rebuilds the question and checks that the regenerated params equal the stored ones.

The schema is created only by Alembic (``grader/migrations``); :func:`upgrade`
applies the migrations, ``cnnquiz db upgrade`` calls it.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
    false,
    make_url,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker
from sqlalchemy.pool import StaticPool

UTC = dt.UTC
DB_FILE = "cnnquiz.sqlite"
SQLITE_BUSY_TIMEOUT_MS = 30_000
PG_PING_AFTER_IDLE_S = 5.0
"""A PostgreSQL connection idle in the pool this long is pinged before it is handed out (see :func:`make_engine`)."""

ROLES = ("student", "instructor")
"""Account roles (``users.role``)."""
COURSE_ROLES = ("student", "ta", "instructor")
"""Roles in one course (``enrolments.role``): ``ta`` grades but does not edit assessments or the roster."""
KINDS = ("self_study", "homework", "exam")


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


# ------------------------------------------------------------------ column types


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every backend.

    PostgreSQL stores ``timestamptz``; SQLite (which has no time zones) stores
    the UTC wall time. Naive datetimes are refused on the way in, and values
    always come back aware, in UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: every timestamp must be timezone-aware (UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")
"""JSON text on SQLite, ``jsonb`` on PostgreSQL."""

BigId = BigInteger().with_variant(Integer(), "sqlite")
"""A 64-bit key on PostgreSQL; on SQLite an ``INTEGER PRIMARY KEY`` (the rowid, which is 64-bit anyway)."""


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
        list[Any]: JSONType,
    }


def _created() -> Mapped[dt.datetime]:
    return mapped_column(UTCDateTime(), default=utcnow, nullable=False)


# ------------------------------------------------------------------ tables


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('student', 'instructor')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    """Given by a roster import (or NULL); not unique, never used to sign in."""
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    """argon2id (argon2-cffi); NULL: the account cannot log in with a password."""
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Signed into every session token (:mod:`grader.services.sessions`); bumped on sign-out, which invalidates
    every token issued before."""
    created_at: Mapped[dt.datetime] = _created()


class Course(Base):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    join_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    """What a student types to enrol themselves (:func:`grader.services.join_course`); NULL: no self-enrolment."""
    created_at: Mapped[dt.datetime] = _created()


class Enrolment(Base):
    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        CheckConstraint("role IN ('student', 'ta', 'instructor')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    """``student``, ``ta`` (grades, but changes no assessment and no roster), or ``instructor`` (teaches the course:
    may read and change everything in it)."""
    created_at: Mapped[dt.datetime] = _created()


class Invite(Base):
    """An invitation to set the password of an account a roster import created (:mod:`grader.services.invites`).

    The link carries a token signed over the invite's id and expiry; this row makes it single-use (``used_at``)
    and revocable (``revoked_at``, set when a newer invite replaces it or the account gets a password).
    """

    __tablename__ = "invites"
    __table_args__ = (Index("ix_invites_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"), index=True)
    """The course whose roster import created it (whose instructors may list it again); NULL once that is gone."""
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = _created()


class Assessment(Base):
    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint("kind IN ('self_study', 'homework', 'exam')", name="kind"),
        CheckConstraint("attempt_limit IS NULL OR attempt_limit > 0", name="attempt_limit"),
        CheckConstraint("tries_per_question IS NULL OR tries_per_question > 0", name="tries_per_question"),
        CheckConstraint("time_limit_s IS NULL OR time_limit_s > 0", name="time_limit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    blueprint: Mapped[list[Any]] = mapped_column(JSONType)
    """``[{"topic" | "generator": ..., "count": n, "difficulty": 1-3, "points": p}, ...]``"""
    seed: Mapped[int] = mapped_column(BigInteger)
    """The base seed the blueprint was instantiated from (reproducible)."""
    attempt_limit: Mapped[int | None] = mapped_column(Integer)
    tries_per_question: Mapped[int | None] = mapped_column(Integer)
    """Graded answers allowed per question within one attempt (format errors never count)."""
    opens_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    time_limit_s: Mapped[int | None] = mapped_column(Integer)
    key_release_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    """Keys and explanations are shown to students from this time on; NULL: not released."""
    same_for_everyone: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    """False: each student gets a variant of their own, drawn from ``(blueprint, student, seed)``."""
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    shuffle_options: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """With either shuffle, or one variant per student, every student's questions are stored as their own
    instances (``question_instances.owner_id``); otherwise the course shares one list (``owner_id`` NULL)."""
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    """NULL: a course's assessment; else one user's own self-study record (their practice and reviews, see
    :mod:`grader.services.practice`), at most one per user."""
    created_at: Mapped[dt.datetime] = _created()

    questions: Mapped[list[QuestionInstance]] = relationship(
        back_populates="assessment", order_by="QuestionInstance.position", viewonly=True
    )


class QuestionInstance(Base):
    __tablename__ = "question_instances"
    __table_args__ = (
        CheckConstraint("difficulty IN (1, 2, 3)", name="difficulty"),
        CheckConstraint("seed >= 0", name="seed"),
        CheckConstraint("points >= 0", name="points"),
        Index("ix_question_instances_assessment_id_position", "assessment_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    """NULL: shared by every student of the assessment; else a personal variant (e.g. a spaced-repetition review)."""
    position: Mapped[int] = mapped_column(Integer)
    generator: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(BigInteger)
    difficulty: Mapped[int] = mapped_column(SmallInteger)
    topic: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSONType)
    points: Mapped[float] = mapped_column(Float, default=1.0)
    option_order: Mapped[list[Any] | None] = mapped_column(JSONType)
    """The option ids in the order this instance shows them (a shuffled exam); NULL: the generator's order."""
    created_at: Mapped[dt.datetime] = _created()

    assessment: Mapped[Assessment] = relationship(back_populates="questions")


class Attempt(Base):
    __tablename__ = "attempts"
    __table_args__ = (UniqueConstraint("user_id", "assessment_id", "number"), CheckConstraint("number > 0", "number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    deadline_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    """No answer is accepted after this (the earlier of the close time and start + time limit)."""
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Response(Base):
    __tablename__ = "responses"
    __table_args__ = (
        UniqueConstraint("attempt_id", "idempotency_key"),
        UniqueConstraint("attempt_id", "question_instance_id", "try_number"),
        CheckConstraint("time_taken_ms IS NULL OR time_taken_ms >= 0", name="time_taken"),
        CheckConstraint("try_number > 0", name="try_number"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    question_instance_id: Mapped[int] = mapped_column(
        ForeignKey("question_instances.id", ondelete="CASCADE"), index=True
    )
    attempt_number: Mapped[int] = mapped_column(Integer)
    try_number: Mapped[int] = mapped_column(Integer)
    """1 for the first graded answer to this question in this attempt, 2 for the next, ..."""
    idempotency_key: Mapped[str] = mapped_column(String(128))
    raw_text: Mapped[str] = mapped_column(Text)
    parsed: Mapped[Any] = mapped_column(JSONType)
    correct: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    trap: Mapped[str | None] = mapped_column(String(64))
    time_taken_ms: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = _created()


class Grade(Base):
    __tablename__ = "grades"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = _created()


class ScoreChange(Base):
    """The audit trail of a response's score: every manual override and every applied regrade, who made it and when.

    ``responses.score`` always holds the score that counts (so the gradebook, its CSV, the grades and the statistics
    read one column); this table keeps what it was before and why it changed. A response is *overridden* while its
    newest row here is an ``override``.
    """

    __tablename__ = "score_changes"
    __table_args__ = (
        CheckConstraint("kind IN ('override', 'regrade')", name="kind"),
        Index("ix_score_changes_response_id_id", "response_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    response_id: Mapped[int] = mapped_column(BigId, ForeignKey("responses.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    """Who made the change (NULL: that account has since been deleted)."""
    kind: Mapped[str] = mapped_column(String(16))
    """``override`` (a grader set the score by hand) or ``regrade`` (re-scored against the current key)."""
    old_score: Mapped[float] = mapped_column(Float)
    new_score: Mapped[float] = mapped_column(Float)
    old_trap: Mapped[str | None] = mapped_column(String(64))
    new_trap: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = _created()


class CodeSubmission(Base):
    """A submitted source file for an autograded task (filled in by grader.autograde)."""

    __tablename__ = "code_submissions"
    __table_args__ = (Index("ix_code_submissions_user_id_task_id", "user_id", "task_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id", ondelete="SET NULL"))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    """The source as text, with what a database cannot store (NUL, lone surrogates) replaced by U+FFFD."""
    source_bytes: Mapped[bytes | None] = mapped_column(LargeBinary)
    """The exact file, where ``source`` had to be sanitised (NULL: ``source`` is the file)."""
    verdict: Mapped[str | None] = mapped_column(String(32))
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float | None] = mapped_column(Float)
    results: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = _created()
    graded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ServerSecret(Base):
    """Secrets that never leave the server, by name (the key that derives an assessment's variants, the one that
    signs session tokens)."""

    __tablename__ = "server_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = _created()


class ReviewCard(Base):
    """One spaced-repetition card per (student, concept): the FSRS card state as JSON, and when it is due."""

    __tablename__ = "review_cards"
    __table_args__ = (UniqueConstraint("user_id", "concept"), Index("ix_review_cards_user_id_due", "user_id", "due"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    concept: Mapped[str] = mapped_column(String(100))
    card: Mapped[dict[str, Any]] = mapped_column(JSONType)
    due: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = _created()


class ReviewLog(Base):
    """Every FSRS review (the optimizer's training data)."""

    __tablename__ = "review_logs"
    __table_args__ = (Index("ix_review_logs_user_id_concept", "user_id", "concept"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    concept: Mapped[str] = mapped_column(String(100))
    rating: Mapped[int] = mapped_column(SmallInteger)
    response_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("responses.id", ondelete="SET NULL"))
    log: Mapped[dict[str, Any]] = mapped_column(JSONType)
    reviewed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Setting(Base):
    """Server-wide values the app records for itself (who completed the first run); secrets live in ``server_secrets``."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = _created()


class AuthFailure(Base):
    """One failed sign-in or join-code try; :mod:`grader.services.throttle` counts a key's rows in a sliding window
    (rows, not a counter: replicas only insert, so they never fight over one row)."""

    __tablename__ = "auth_failures"
    __table_args__ = (Index("ix_auth_failures_scope_key_failed_at", "scope", "key", "failed_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(200))
    failed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


# ------------------------------------------------------------------ engines and sessions


def default_url() -> str:
    """``$CNNQUIZ_DB_URL``, else ``sqlite:///$CNNQUIZ_DATA_DIR/cnnquiz.sqlite``, else the user data directory."""
    if url := os.environ.get("CNNQUIZ_DB_URL"):
        return url
    if data_dir := os.environ.get("CNNQUIZ_DATA_DIR"):
        base = Path(data_dir)
    else:
        import platformdirs

        base = Path(platformdirs.user_data_dir("cnnquiz"))
    return f"sqlite:///{(base / DB_FILE).resolve()}"


def normalize_url(url: str | None = None) -> str:
    """Resolve the default and route bare ``postgresql://`` / ``postgres://`` URLs to psycopg 3."""
    url = url or default_url()
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


SYNCHRONOUS_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")


def sqlite_synchronous() -> str:
    """``$CNNQUIZ_SQLITE_SYNCHRONOUS`` (default ``NORMAL``).

    In WAL mode, ``NORMAL`` never corrupts the database and loses nothing when the *application*
    crashes; only an OS crash or power cut can roll back the last commits (SQLite's recommended
    setting for WAL). ``FULL`` also survives those, at the price of an fsync per answer.
    """
    mode = os.environ.get("CNNQUIZ_SQLITE_SYNCHRONOUS", "NORMAL").upper()
    if mode not in SYNCHRONOUS_MODES:
        raise ValueError(f"CNNQUIZ_SQLITE_SYNCHRONOUS must be one of {SYNCHRONOUS_MODES}, not {mode!r}")
    return mode


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # let SQLAlchemy's begin event issue BEGIN itself (pysqlite's implicit BEGIN is deferred and racy)
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    mode = cur.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode == "wal":
        cur.execute(f"PRAGMA synchronous = {sqlite_synchronous()}")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("cnnquiz_write") else "BEGIN")


def _pg_checkin(_dbapi_conn: Any, record: Any) -> None:
    record.info["cnnquiz_idle_since"] = time.monotonic()


def _pg_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
    """Ping a connection that sat idle in the pool (where a restarted server or a dropped socket shows up); one in
    steady use is handed out as it is. A dead one raises :class:`DisconnectionError`: the pool replaces it."""
    idle_since = record.info.get("cnnquiz_idle_since")
    if idle_since is None or time.monotonic() - idle_since < PG_PING_AFTER_IDLE_S:
        return
    try:
        cursor = dbapi_conn.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_conn.rollback()
    except Exception as e:
        raise DisconnectionError(f"a pooled connection failed its ping: {e}") from e


def make_engine(url: str | None = None, *, pool_size: int = 10, max_overflow: int = 70, echo: bool = False) -> Engine:
    """An engine for ``url`` (default: :func:`default_url`), configured for this schema.

    SQLite: WAL journal, ``busy_timeout``, ``foreign_keys=ON``, explicit ``BEGIN`` /
    ``BEGIN IMMEDIATE``; the file's directory is created. PostgreSQL: psycopg 3, UTC session, idle pooled
    connections pinged before reuse (``pool_pre_ping`` would cost a ``BEGIN``, ``SELECT 1``, ``ROLLBACK`` per use).
    """
    url = normalize_url(url)
    u = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if u.get_backend_name() == "sqlite":
        db = u.database or ""
        memory = db in ("", ":memory:") or "mode=memory" in str(u.query)
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        if memory:
            kwargs["poolclass"] = StaticPool
        else:
            Path(db).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
            kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_timeout=120)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if u.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"options": "-c timezone=UTC", "connect_timeout": 10}
        kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_timeout=120)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "checkin", _pg_checkin)
        event.listen(engine, "checkout", _pg_checkout)
        return engine
    return create_engine(url, **kwargs)


SessionFactory = sessionmaker[Session]


def session_factory(engine: Engine) -> SessionFactory:
    """Sessions that keep loaded values after commit (services return pydantic copies anyway)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_WRITE_LOCKS_GUARD = threading.Lock()


def write_lock(bind: Any) -> threading.Lock | None:
    """One lock per SQLite engine: SQLite has a single writer, so this process's writers queue here.

    Without it they would queue in SQLite's busy handler, which polls with sleeps of up to 100 ms.
    Writers in *other* processes still wait in the busy handler (``busy_timeout``).
    """
    if not isinstance(bind, Engine) or bind.dialect.name != "sqlite":
        return None
    with _WRITE_LOCKS_GUARD:
        lock = _WRITE_LOCKS.get(bind)
        if lock is None:
            lock = _WRITE_LOCKS[bind] = threading.Lock()
        return lock


@contextmanager
def write_session(sf: SessionFactory) -> Iterator[Session]:
    """A session in one write transaction: committed on success, rolled back on error.

    On SQLite the transaction starts with ``BEGIN IMMEDIATE`` (the write lock up front,
    waiting up to the busy timeout), so concurrent writers queue instead of failing.
    """
    lock = write_lock(sf.kw.get("bind"))
    if lock is None:
        with sf() as s, s.begin():
            s.connection(execution_options={"cnnquiz_write": True})
            yield s
        return
    with lock, sf() as s, s.begin():
        s.connection(execution_options={"cnnquiz_write": True})
        yield s


@contextmanager
def write_connection(sf: SessionFactory) -> Iterator[Connection]:
    """A Core connection in one write transaction, as :func:`write_session` but without an ORM session.

    For statements built once (the locked path of recording an answer), where the ORM's unit of work is overhead.
    """
    engine = sf.kw["bind"]
    with write_lock(engine) or nullcontext(), engine.connect() as conn:
        conn = conn.execution_options(cnnquiz_write=True)
        with conn.begin():
            yield conn


@contextmanager
def read_session(sf: SessionFactory) -> Iterator[Session]:
    """A session in one read transaction (a consistent snapshot on PostgreSQL and in SQLite WAL)."""
    with sf() as s, s.begin():
        yield s


# ------------------------------------------------------------------ migrations


MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = normalize_url(url)
    return cfg


@contextmanager
def _migrating(cfg: Any) -> Iterator[Connection]:
    """One transaction for a migration run.

    On SQLite, batch mode rebuilds a table (create, copy, drop, rename), and dropping the old table with foreign
    keys on would cascade-delete every row that points at it. So foreign keys are off while migrating, as SQLite's
    documentation prescribes for table rebuilds, and ``PRAGMA foreign_key_check`` must find nothing before the
    transaction commits.
    """
    engine = make_engine(cfg.attributes["url"], pool_size=1, max_overflow=0)
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as conn:
            if sqlite:  # outside any transaction, or SQLite ignores it
                conn.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
            try:
                with conn.begin():
                    yield conn
                    if sqlite:
                        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if broken:
                            raise RuntimeError(f"the migration left rows with broken foreign keys: {broken[:5]}")
            finally:
                if sqlite:
                    conn.connection.driver_connection.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]
    finally:
        engine.dispose()


def upgrade(url: str | None = None, revision: str = "head") -> str:
    """Apply the Alembic migrations to ``url`` (default: :func:`default_url`); returns the URL (password hidden)."""
    from alembic import command

    cfg = alembic_config(url)
    with _migrating(cfg) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return make_url(cfg.attributes["url"]).render_as_string(hide_password=True)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    from alembic import command

    cfg = alembic_config(url)
    with _migrating(cfg) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
