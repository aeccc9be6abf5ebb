"""What every service module shares: the refusals (errors), the base of the output models, time and retry helpers,
and the access checks.

The access checks take an open session and raise :class:`NotFound` / :class:`AccessDenied`; they are public so
that data functions elsewhere in the grader (e.g. :mod:`grader.export`) check access the same way.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from .. import db as D
from ..db import utcnow

T = TypeVar("T")
MAX_RETRIES = 8


# ------------------------------------------------------------------ errors


class ServiceError(Exception):
    """Base of every refusal a service makes (the message is safe to show the user)."""


class NotFound(ServiceError, LookupError):
    pass


class AccessDenied(ServiceError, PermissionError):
    pass


class Conflict(ServiceError):
    """E.g. a username or course code that is taken."""


class NotOpen(ServiceError):
    """The assessment has not opened yet, or has closed."""


class AttemptLimitReached(ServiceError):
    pass


class AttemptClosed(ServiceError):
    """The attempt is finished or past its deadline: no more answers."""


class TriesExhausted(ServiceError):
    """Every graded try at this question in this attempt is used (format errors never count)."""


# ------------------------------------------------------------------ output models


class OutModel(BaseModel):
    """Base of what services return: frozen pydantic copies, never ORM objects."""

    model_config = ConfigDict(frozen=True, from_attributes=True)


AccountRole = Literal["student", "instructor"]
"""What an account is (``users.role``): an instructor creates courses; anyone else is a student account."""
Role = Literal["student", "ta", "instructor"]
"""What a member is in one course (``enrolments.role``). ``ta``, a teaching assistant, grades (the gradebook, score
overrides, code submissions) but never creates, changes or publishes an assessment and never edits the roster.
Being a TA is a course-level role only: a TA's account stays a student account (or an instructor's), so one
person can assist in one course and take another."""
COURSE_ROLES: tuple[str, ...] = ("student", "ta", "instructor")
GRADERS = frozenset({"instructor", "ta"})
"""The course roles that grade: see the gradebook, override scores, read code submissions (:func:`can_grade`)."""
EXAM_EDITORS = frozenset({"instructor"})
"""The course roles that create, change and publish assessments and edit the roster (:func:`can_edit_exam`)."""
Kind = Literal["self_study", "homework", "exam"]


# ------------------------------------------------------------------ time and transactions


def now_utc(now: dt.datetime | None) -> dt.datetime:
    """``now`` in UTC (refusing a naive datetime), or the current time."""
    if now is None:
        return utcnow()
    if now.tzinfo is None:
        raise ValueError("naive datetime: pass timezone-aware UTC times")
    return now.astimezone(dt.UTC)


def aware(t: dt.datetime | None, name: str) -> dt.datetime | None:
    """``t`` in UTC; a naive datetime is refused with ``name`` in the message."""
    if t is not None and t.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return None if t is None else t.astimezone(dt.UTC)


def retrying(fn: Callable[[], T]) -> T:
    """Run a transaction, again if it lost a race (unique violation, serialization failure, deadlock, busy)."""
    for attempt in range(MAX_RETRIES):
        try:
            return fn()
        except IntegrityError:
            if attempt == MAX_RETRIES - 1:
                raise
        except OperationalError as e:
            if attempt == MAX_RETRIES - 1 or not transient(e):
                raise
    raise AssertionError("unreachable")


def transient(e: DBAPIError) -> bool:
    """A lost race worth retrying: serialization failure, deadlock, or SQLite's busy lock."""
    code = getattr(e.orig, "sqlstate", None)
    if code in ("40001", "40P01"):  # serialization_failure, deadlock_detected
        return True
    return "database is locked" in str(e.orig)


# ------------------------------------------------------------------ rows and access checks


def user_row(s: Session, user_id: int) -> D.User:
    """The user (else :class:`NotFound`)."""
    u = s.get(D.User, user_id)
    if u is None:
        raise NotFound(f"no user {user_id}")
    return u


def assessment_row(s: Session, assessment_id: int) -> D.Assessment:
    """The assessment (else :class:`NotFound`)."""
    a = s.get(D.Assessment, assessment_id)
    if a is None:
        raise NotFound(f"no assessment {assessment_id}")
    return a


def course_role(s: Session, user_id: int, course_id: int) -> str | None:
    """``student``, ``ta``, ``instructor``, or ``None`` when the user is not enrolled in the course."""
    return s.execute(
        select(D.Enrolment.role).where(D.Enrolment.user_id == user_id, D.Enrolment.course_id == course_id)
    ).scalar_one_or_none()


def teaches(s: Session, user_id: int, course_id: int) -> bool:
    return course_role(s, user_id, course_id) == "instructor"


def require_teacher(s: Session, user_id: int, course_id: int) -> None:
    """Raise :class:`AccessDenied` unless the user is an instructor of the course (a TA is refused too)."""
    require_course_role(s, user_id, course_id, EXAM_EDITORS)


def require_course_role(s: Session, user_id: int, course_id: int, roles: frozenset[str] | set[str]) -> str:
    """The user's role in the course if it is one of ``roles``, else :class:`AccessDenied` (which says why).

    The one access check by course role: ``require_course_role(s, actor_id, course_id, GRADERS)`` before grading,
    ``EXAM_EDITORS`` before creating or changing an assessment or the roster.
    """
    unknown = set(roles) - set(COURSE_ROLES)
    if unknown:
        raise ValueError(f"unknown course roles {sorted(unknown)}")
    role = course_role(s, user_id, course_id)
    if role in roles:
        return role
    if role == "ta":
        raise AccessDenied("a teaching assistant grades but may not do this: ask an instructor of this course")
    if role is None:
        raise AccessDenied("you are not a member of this course")
    raise AccessDenied("only an instructor of this course may do this")


def can_grade(s: Session, user_id: int, course_id: int) -> bool:
    """Whether the user grades in the course: an instructor or a TA of it."""
    return course_role(s, user_id, course_id) in GRADERS


def can_edit_exam(s: Session, user_id: int, course_id: int) -> bool:
    """Whether the user may create, change or publish the course's assessments (its instructors; never a TA)."""
    return course_role(s, user_id, course_id) in EXAM_EDITORS


def require_grader(s: Session, user_id: int, course_id: int) -> str:
    """The user's role (``instructor`` or ``ta``) if they grade in the course, else :class:`AccessDenied`."""
    return require_course_role(s, user_id, course_id, GRADERS)


def require_member(s: Session, user_id: int, course_id: int) -> str:
    """The user's role in the course; :class:`AccessDenied` if they are not enrolled."""
    role = course_role(s, user_id, course_id)
    if role is None:
        raise AccessDenied("you are not enrolled in this course")
    return role


def grader_view(s: Session, user_id: int, course_id: int) -> bool:
    """Whether a member of the course reads it as its graders do (:data:`GRADERS`: everyone's attempts, responses and
    grades, scores before the release, question identities and keys) rather than as a student (their own, as
    released); :class:`AccessDenied` if they are not enrolled. Roles are per course: a TA here may be a student of
    another course, and reads that one as a student."""
    return require_member(s, user_id, course_id) in GRADERS


class Release(Protocol):
    """What decides when grading and keys are shown: an assessment row, or any row carrying these two columns."""

    @property
    def kind(self) -> str: ...

    @property
    def key_release_at(self) -> dt.datetime | None: ...


def key_released(a: Release, now: dt.datetime) -> bool:
    return a.key_release_at is not None and now >= a.key_release_at


def grading_visible(a: Release, now: dt.datetime) -> bool:
    """Students see their scores and trap feedback at once, except in an exam before the key is released."""
    return a.kind != "exam" or key_released(a, now)


# ------------------------------------------------------------------ server-side secrets

SEED_SECRET = "assessment-seeds"
"""The key under which an assessment's per-position seeds are derived (:func:`quizbank.exam.derive_seed`)."""


def server_secret(s: Session, name: str) -> bytes:
    """The named server secret (32 random bytes, created on first use); it never leaves the server.

    Concurrent first uses agree: the insert does nothing if another transaction stored one first.
    """
    table = D.ServerSecret.__table__
    query = select(table.c.value).where(table.c.name == name)
    value = s.execute(query).scalar_one_or_none()
    if value is None:
        row = {"name": name, "value": secrets.token_bytes(32), "created_at": utcnow()}
        dialect = s.get_bind().dialect.name
        if dialect in ("postgresql", "sqlite"):
            ins = pg_insert if dialect == "postgresql" else sqlite_insert
            s.execute(ins(table).values(**row).on_conflict_do_nothing(index_elements=["name"]))
        else:
            s.execute(insert(table).values(**row))
        value = s.execute(query).scalar_one()
    return bytes(value)
