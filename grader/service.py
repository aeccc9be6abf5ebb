"""Services: every write is one transaction that the service owns; every read checks who is asking.

Callers pass a session *factory* (:func:`grader.db.session_factory`) and the id of the acting
user; services open their own transaction (:func:`grader.db.write_session` /
:func:`grader.db.read_session`), retry it on a lost race (a unique-constraint or
serialization conflict), and return pydantic models, never ORM objects.

Access rules (enforced here, not only in the UI):

* an *instructor of a course* (an instructor enrolled in it as ``instructor``) may read and
  manage everything in it;
* a *student* may read only their own attempts, responses and grades, may see a question only
  once its assessment has opened, and never sees a key or an explanation before the
  assessment's ``key_release_at``; in an exam, scores, correctness and trap feedback are
  hidden too until the key is released.

Submitting is idempotent: ``(attempt, idempotency_key)`` is unique in the table, the insert is
``INSERT … ON CONFLICT DO NOTHING``, and a retry — sequential or concurrent — gets the stored
row back (``status="duplicate"``). A malformed answer is a ``format_error``: nothing is stored
and no try is spent.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from types import SimpleNamespace
from typing import Any, Literal, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from quizbank.exam import Blueprint, BlueprintItem, instantiate
from quizbank.regenerate import build_question, canonical_json
from quizbank.schema import (
    AnyQuestion,
    MultipleChoiceQuestion,
    MultiSelectQuestion,
    NumericQuestion,
    ShortTextQuestion,
)

from . import db as D
from .analytics import ResponseRecord
from .db import SessionFactory, read_session, utcnow, write_connection, write_session
from .parse import FormatError, parse_answer
from .scoring import grade as grade_answer

T = TypeVar("T")
MAX_RETRIES = 8
MAX_SOURCE_BYTES = 1_000_000

hasher = PasswordHasher()
"""argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile)."""


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


# ------------------------------------------------------------------ models (what services return)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


Role = Literal["student", "instructor"]
Kind = Literal["self_study", "homework", "exam"]


class UserOut(_Out):
    id: int
    username: str
    display_name: str
    role: Role
    created_at: dt.datetime


class CourseOut(_Out):
    id: int
    code: str
    title: str
    created_at: dt.datetime


class EnrolmentOut(_Out):
    user_id: int
    course_id: int
    role: Role


class AssessmentOut(_Out):
    id: int
    course_id: int
    title: str
    kind: Kind
    blueprint: list[BlueprintItem]
    seed: int
    attempt_limit: int | None
    tries_per_question: int | None
    opens_at: dt.datetime
    closes_at: dt.datetime | None
    time_limit_s: int | None
    key_release_at: dt.datetime | None
    questions: int
    max_score: float


class QuestionInstanceOut(_Out):
    id: int
    assessment_id: int
    owner_id: int | None
    position: int
    generator: str
    version: int
    seed: int
    difficulty: int
    topic: str
    kind: str
    points: float


class OptionView(_Out):
    id: str
    text: str


class QuestionView(_Out):
    """A question as the asker may see it: ``key`` and ``explanation`` are ``None`` until released."""

    instance: QuestionInstanceOut
    stem: str
    options: list[OptionView] | None
    unit: str | None
    answer_format: str
    key_released: bool
    key: Any = None
    explanation: str | None = None


class AttemptOut(_Out):
    id: int
    user_id: int
    assessment_id: int
    number: int
    started_at: dt.datetime
    deadline_at: dt.datetime | None
    finished_at: dt.datetime | None
    resumed: bool = False


class ResponseOut(_Out):
    """A stored response; ``correct``/``score``/``trap`` are ``None`` where the asker may not see grading yet."""

    id: int
    attempt_id: int
    question_instance_id: int
    user_id: int
    attempt_number: int
    try_number: int
    idempotency_key: str
    raw_text: str
    parsed: Any
    correct: bool | None
    score: float | None
    max_score: float
    trap: str | None
    time_taken_ms: int | None
    answered_at: dt.datetime
    graded_visible: bool


class SubmitResult(_Out):
    status: Literal["recorded", "duplicate", "format_error"]
    response: ResponseOut | None = None
    error: str | None = None
    """For a format error: why the text could not be read (nothing was stored, no try was spent)."""
    feedback: str | None = None
    trap_title: str | None = None


class GradeOut(_Out):
    attempt_id: int
    user_id: int
    assessment_id: int
    attempt_number: int
    score: float | None
    max_score: float
    created_at: dt.datetime
    visible: bool = True


class ReviewCardOut(_Out):
    user_id: int
    concept: str
    card: dict[str, Any]
    due: dt.datetime
    reviews: int
    updated_at: dt.datetime


class CodeSubmissionOut(_Out):
    id: int
    task_id: str
    user_id: int
    assessment_id: int | None
    file_name: str
    sha256: str
    verdict: str | None
    score: float | None
    max_score: float | None
    results: dict[str, Any] | None
    created_at: dt.datetime
    graded_at: dt.datetime | None


# ------------------------------------------------------------------ helpers


def _now(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return utcnow()
    if now.tzinfo is None:
        raise ValueError("naive datetime: pass timezone-aware UTC times")
    return now.astimezone(dt.UTC)


def _aware(t: dt.datetime | None, name: str) -> dt.datetime | None:
    if t is not None and t.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return None if t is None else t.astimezone(dt.UTC)


def _retrying(fn: Callable[[], T]) -> T:
    """Run a transaction, again if it lost a race (unique violation, serialization failure, deadlock, busy)."""
    for attempt in range(MAX_RETRIES):
        try:
            return fn()
        except IntegrityError:
            if attempt == MAX_RETRIES - 1:
                raise
        except OperationalError as e:
            if attempt == MAX_RETRIES - 1 or not _transient(e):
                raise
    raise AssertionError("unreachable")


def _transient(e: DBAPIError) -> bool:
    code = getattr(e.orig, "sqlstate", None)
    if code in ("40001", "40P01"):  # serialization_failure, deadlock_detected
        return True
    return "database is locked" in str(e.orig)


def _user(s: Session, user_id: int) -> D.User:
    u = s.get(D.User, user_id)
    if u is None:
        raise NotFound(f"no user {user_id}")
    return u


def _course_role(s: Session, user_id: int, course_id: int) -> str | None:
    return s.execute(
        select(D.Enrolment.role).where(D.Enrolment.user_id == user_id, D.Enrolment.course_id == course_id)
    ).scalar_one_or_none()


def _teaches(s: Session, user_id: int, course_id: int) -> bool:
    return _course_role(s, user_id, course_id) == "instructor"


def _require_teacher(s: Session, user_id: int, course_id: int) -> None:
    if not _teaches(s, user_id, course_id):
        raise AccessDenied("only an instructor of this course may do this")


def _require_member(s: Session, user_id: int, course_id: int) -> str:
    role = _course_role(s, user_id, course_id)
    if role is None:
        raise AccessDenied("you are not enrolled in this course")
    return role


def _assessment(s: Session, assessment_id: int) -> D.Assessment:
    a = s.get(D.Assessment, assessment_id)
    if a is None:
        raise NotFound(f"no assessment {assessment_id}")
    return a


def key_released(a: D.Assessment, now: dt.datetime) -> bool:
    return a.key_release_at is not None and now >= a.key_release_at


def grading_visible(a: D.Assessment, now: dt.datetime) -> bool:
    """Students see their scores and trap feedback at once, except in an exam before the key is released."""
    return a.kind != "exam" or key_released(a, now)


def _response_out(r: Any, user_id: int, visible: bool) -> ResponseOut:
    return ResponseOut(
        id=r.id,
        attempt_id=r.attempt_id,
        question_instance_id=r.question_instance_id,
        user_id=user_id,
        attempt_number=r.attempt_number,
        try_number=r.try_number,
        idempotency_key=r.idempotency_key,
        raw_text=r.raw_text,
        parsed=r.parsed,
        correct=r.correct if visible else None,
        score=r.score if visible else None,
        max_score=r.max_score,
        trap=r.trap if visible else None,
        time_taken_ms=r.time_taken_ms,
        answered_at=r.created_at,
        graded_visible=visible,
    )


# ------------------------------------------------------------------ users, courses, enrolments

_USERNAME = re.compile(r"^[A-Za-z0-9_.@+-]{1,64}$")


def create_user(
    sf: SessionFactory, username: str, role: Role, *, password: str | None = None, display_name: str = ""
) -> UserOut:
    """A new account (``password=None``: it cannot log in with a password, e.g. an LMS-provisioned one)."""
    if role not in ("student", "instructor"):
        raise ValueError(f"role must be student or instructor, not {role!r}")
    if not _USERNAME.match(username):
        raise ValueError("a username is 1-64 letters, digits or _ . @ + -")
    pw_hash = hasher.hash(password) if password is not None else None
    try:
        with write_session(sf) as s:
            u = D.User(username=username, role=role, display_name=display_name[:200], password_hash=pw_hash)
            s.add(u)
            s.flush()
            return UserOut.model_validate(u)
    except IntegrityError:
        raise Conflict(f"the username {username!r} is taken") from None


@functools.cache
def _dummy_hash() -> str:
    return hasher.hash(secrets.token_hex(16))


def authenticate(sf: SessionFactory, username: str, password: str) -> UserOut | None:
    """The user if the password is right, else ``None`` (same work either way: no user enumeration by timing)."""
    with read_session(sf) as s:
        u = s.execute(select(D.User).where(D.User.username == username)).scalar_one_or_none()
        stored = u.password_hash if u is not None else None
        out = UserOut.model_validate(u) if u is not None else None
    try:
        hasher.verify(stored or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if out is None or stored is None:
        return None
    if hasher.check_needs_rehash(stored):
        with write_session(sf) as s:
            s.execute(update(D.User).where(D.User.id == out.id).values(password_hash=hasher.hash(password)))
    return out


def user_ids_by_username(sf: SessionFactory, usernames: Iterable[str]) -> dict[str, int]:
    """The ids of those of ``usernames`` that exist (one query)."""
    names = sorted(set(usernames))
    if not names:
        return {}
    with read_session(sf) as s:
        rows = s.execute(select(D.User.username, D.User.id).where(D.User.username.in_(names))).all()
        return {name: uid for name, uid in rows}


def get_user(sf: SessionFactory, user_id: int) -> UserOut:
    with read_session(sf) as s:
        return UserOut.model_validate(_user(s, user_id))


def create_course(sf: SessionFactory, actor_id: int, code: str, title: str) -> CourseOut:
    """A new course; the instructor who creates it is enrolled as its instructor."""
    try:
        with write_session(sf) as s:
            if _user(s, actor_id).role != "instructor":
                raise AccessDenied("only instructors create courses")
            c = D.Course(code=code, title=title)
            s.add(c)
            s.flush()
            s.add(D.Enrolment(user_id=actor_id, course_id=c.id, role="instructor"))
            s.flush()
            return CourseOut.model_validate(c)
    except IntegrityError:
        raise Conflict(f"the course code {code!r} is taken") from None


def enrol(sf: SessionFactory, actor_id: int, course_id: int, user_id: int, role: Role = "student") -> EnrolmentOut:
    """Enrol a user (idempotent: enrolling twice returns the existing enrolment)."""

    def tx() -> EnrolmentOut:
        with write_session(sf) as s:
            if s.get(D.Course, course_id) is None:
                raise NotFound(f"no course {course_id}")
            _require_teacher(s, actor_id, course_id)
            u = _user(s, user_id)
            if role == "instructor" and u.role != "instructor":
                raise ValueError("only an instructor account can teach a course")
            existing = s.execute(
                select(D.Enrolment).where(D.Enrolment.user_id == user_id, D.Enrolment.course_id == course_id)
            ).scalar_one_or_none()
            if existing is None:
                existing = D.Enrolment(user_id=user_id, course_id=course_id, role=role)
                s.add(existing)
                s.flush()
            return EnrolmentOut.model_validate(existing)

    return _retrying(tx)


# ------------------------------------------------------------------ assessments and questions


def _assessment_out(s: Session, a: D.Assessment) -> AssessmentOut:
    n, total = s.execute(
        select(func.count(), func.coalesce(func.sum(D.QuestionInstance.points), 0.0)).where(
            D.QuestionInstance.assessment_id == a.id, D.QuestionInstance.owner_id.is_(None)
        )
    ).one()
    return AssessmentOut(
        id=a.id,
        course_id=a.course_id,
        title=a.title,
        kind=a.kind,  # type: ignore[arg-type]
        blueprint=Blueprint.validate_python(a.blueprint),
        seed=a.seed,
        attempt_limit=a.attempt_limit,
        tries_per_question=a.tries_per_question,
        opens_at=a.opens_at,
        closes_at=a.closes_at,
        time_limit_s=a.time_limit_s,
        key_release_at=a.key_release_at,
        questions=int(n),
        max_score=float(total),
    )


def _instance(
    assessment_id: int, position: int, generator: str, seed: int, difficulty: int, points: float, owner: int | None
) -> D.QuestionInstance:
    from quizbank.generators import generate

    q = generate(generator, seed, difficulty)
    return D.QuestionInstance(
        assessment_id=assessment_id,
        owner_id=owner,
        position=position,
        generator=generator,
        version=q.version,
        seed=seed,
        difficulty=difficulty,
        topic=q.topic,
        kind=q.kind,
        params=canonical_json(q.params),
        points=points,
    )


def create_assessment(
    sf: SessionFactory,
    actor_id: int,
    course_id: int,
    title: str,
    kind: Kind,
    blueprint: Sequence[BlueprintItem | dict[str, Any]],
    *,
    seed: int | None = None,
    attempt_limit: int | None = None,
    tries_per_question: int | None = None,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    time_limit_s: int | None = None,
    key_release_at: dt.datetime | Literal["auto"] | None = "auto",
    now: dt.datetime | None = None,
) -> AssessmentOut:
    """An assessment with its question instances drawn from the blueprint (seeded: ``seed`` reproduces it).

    ``key_release_at="auto"``: self-study releases keys at once (``opens_at``), homework and exams at
    ``closes_at`` (never, until set, if there is no close time).
    """
    if kind not in ("self_study", "homework", "exam"):
        raise ValueError(f"kind must be self_study, homework or exam, not {kind!r}")
    items = Blueprint.validate_python([b.model_dump() if isinstance(b, BlueprintItem) else b for b in blueprint])
    t = _now(now)
    opens = _aware(opens_at, "opens_at") or t
    closes = _aware(closes_at, "closes_at")
    if closes is not None and closes <= opens:
        raise ValueError("closes_at must be after opens_at")
    if key_release_at == "auto":
        release = opens if kind == "self_study" else closes
    else:
        release = _aware(key_release_at, "key_release_at")
    if seed is None:
        seed = secrets.randbelow(2**31)
    plan = instantiate(items, seed)
    with write_session(sf) as s:
        if s.get(D.Course, course_id) is None:
            raise NotFound(f"no course {course_id}")
        _require_teacher(s, actor_id, course_id)
        a = D.Assessment(
            course_id=course_id,
            title=title,
            kind=kind,
            blueprint=[i.model_dump(exclude_none=True) for i in items],
            seed=seed,
            attempt_limit=attempt_limit,
            tries_per_question=tries_per_question,
            opens_at=opens,
            closes_at=closes,
            time_limit_s=time_limit_s,
            key_release_at=release,
        )
        s.add(a)
        s.flush()
        s.add_all(_instance(a.id, pos + 1, g, sd, d, p, None) for pos, (g, sd, d, p) in enumerate(plan))
        s.flush()
        return _assessment_out(s, a)


def update_assessment_times(
    sf: SessionFactory,
    actor_id: int,
    assessment_id: int,
    *,
    closes_at: dt.datetime | Literal["keep"] | None = "keep",
    key_release_at: dt.datetime | Literal["keep"] | None = "keep",
) -> AssessmentOut:
    """Move the close time or release the key (instructors of the course)."""
    with write_session(sf) as s:
        a = _assessment(s, assessment_id)
        _require_teacher(s, actor_id, a.course_id)
        if closes_at != "keep":
            a.closes_at = _aware(closes_at, "closes_at")
        if key_release_at != "keep":
            a.key_release_at = _aware(key_release_at, "key_release_at")
        s.flush()
        return _assessment_out(s, a)


def get_assessment(sf: SessionFactory, actor_id: int, assessment_id: int) -> AssessmentOut:
    with read_session(sf) as s:
        a = _assessment(s, assessment_id)
        _require_member(s, actor_id, a.course_id)
        return _assessment_out(s, a)


def add_personal_question(
    sf: SessionFactory,
    actor_id: int,
    assessment_id: int,
    generator: str,
    difficulty: int,
    *,
    seed: int | None = None,
    points: float = 1.0,
    now: dt.datetime | None = None,
) -> QuestionInstanceOut:
    """A freshly generated variant only ``actor_id`` sees (self-study and spaced-repetition reviews)."""
    t = _now(now)
    if seed is None:
        seed = secrets.randbelow(2**31)
    with write_session(sf) as s:
        a = _assessment(s, assessment_id)
        _require_member(s, actor_id, a.course_id)
        if a.kind != "self_study":
            raise AccessDenied("personal questions are only for self-study")
        if t < a.opens_at:
            raise NotOpen("this assessment has not opened yet")
        last = s.execute(
            select(func.coalesce(func.max(D.QuestionInstance.position), 0)).where(
                D.QuestionInstance.assessment_id == a.id
            )
        ).scalar_one()
        inst = _instance(a.id, int(last) + 1, generator, seed, difficulty, points, actor_id)
        s.add(inst)
        s.flush()
        return QuestionInstanceOut.model_validate(inst)


def _question_view(inst: D.QuestionInstance, q: AnyQuestion, released: bool) -> QuestionView:
    options = None
    if isinstance(q, MultipleChoiceQuestion | MultiSelectQuestion):
        options = [OptionView(id=o.id, text=o.text) for o in q.options]
    fmt = f"{q.kind}:{q.format}" if isinstance(q, ShortTextQuestion) else q.kind  # e.g. short_text:shape
    return QuestionView(
        instance=QuestionInstanceOut.model_validate(inst),
        stem=q.stem,
        options=options,
        unit=q.unit if isinstance(q, NumericQuestion) else None,
        answer_format=fmt,
        key_released=released,
        key=q.key if released else None,
        explanation=q.explanation if released else None,
    )


def regenerate(inst: D.QuestionInstance) -> AnyQuestion:
    """Rebuild an instance's question (and so its key) from ``(generator, seed, difficulty)`` and check it.

    Raises :class:`quizbank.regenerate.KeyMismatch` if the generator's version or the regenerated params differ
    from what was stored when the instance was created.
    """
    return build_question(inst.generator, inst.version, inst.seed, inst.difficulty, inst.params)


def _key_visible(s: Session, actor_id: int, a: D.Assessment, inst: D.QuestionInstance, now: dt.datetime) -> bool:
    """Raises unless the actor may see this question at all; returns whether they may see its key."""
    role = _require_member(s, actor_id, a.course_id)
    if role == "instructor":
        return True
    if inst.owner_id is not None and inst.owner_id != actor_id:
        raise NotFound(f"no question {inst.id}")
    if now < a.opens_at:
        raise NotOpen("this assessment has not opened yet")
    return key_released(a, now)


def get_question(
    sf: SessionFactory, actor_id: int, instance_id: int, *, now: dt.datetime | None = None
) -> QuestionView:
    """The regenerated question (checked against the stored params); key and explanation only once released."""
    t = _now(now)
    with read_session(sf) as s:
        inst = s.get(D.QuestionInstance, instance_id)
        if inst is None:
            raise NotFound(f"no question {instance_id}")
        a = _assessment(s, inst.assessment_id)
        released = _key_visible(s, actor_id, a, inst, t)
        return _question_view(inst, regenerate(inst), released)


def list_questions(
    sf: SessionFactory, actor_id: int, assessment_id: int, *, now: dt.datetime | None = None
) -> list[QuestionView]:
    """The shared questions of an assessment plus the actor's personal ones, in order."""
    t = _now(now)
    with read_session(sf) as s:
        a = _assessment(s, assessment_id)
        insts = (
            s.execute(
                select(D.QuestionInstance)
                .where(
                    D.QuestionInstance.assessment_id == a.id,
                    D.QuestionInstance.owner_id.is_(None) | (D.QuestionInstance.owner_id == actor_id),
                )
                .order_by(D.QuestionInstance.position)
            )
            .scalars()
            .all()
        )
        if not insts:
            _require_member(s, actor_id, a.course_id)
            return []
        released = _key_visible(s, actor_id, a, insts[0], t)
        return [_question_view(i, regenerate(i), released) for i in insts]


# ------------------------------------------------------------------ attempts


def _finish(s: Session, att: D.Attempt, t: dt.datetime) -> D.Grade:
    """Close an attempt and grade it: per question, the score of the last graded try (0 if unanswered)."""
    if att.finished_at is None:
        end = t if att.deadline_at is None else min(t, att.deadline_at)
        att.finished_at = max(end, att.started_at)
        s.flush()
    existing = s.execute(select(D.Grade).where(D.Grade.attempt_id == att.id)).scalar_one_or_none()
    if existing is not None:
        return existing
    max_score = s.execute(
        select(func.coalesce(func.sum(D.QuestionInstance.points), 0.0)).where(
            D.QuestionInstance.assessment_id == att.assessment_id,
            D.QuestionInstance.owner_id.is_(None) | (D.QuestionInstance.owner_id == att.user_id),
        )
    ).scalar_one()
    last = (
        select(D.Response.question_instance_id, func.max(D.Response.try_number).label("tn"))
        .where(D.Response.attempt_id == att.id)
        .group_by(D.Response.question_instance_id)
        .subquery()
    )
    score = s.execute(
        select(func.coalesce(func.sum(D.Response.score), 0.0))
        .join(
            last,
            (D.Response.question_instance_id == last.c.question_instance_id) & (D.Response.try_number == last.c.tn),
        )
        # the owning attempt's rows only
        .where(D.Response.attempt_id == att.id)
    ).scalar_one()
    g = D.Grade(
        attempt_id=att.id,
        user_id=att.user_id,
        assessment_id=att.assessment_id,
        score=float(score),
        max_score=float(max_score),
        created_at=t,
    )
    s.add(g)
    s.flush()
    return g


def start_attempt(
    sf: SessionFactory, actor_id: int, assessment_id: int, *, now: dt.datetime | None = None
) -> AttemptOut:
    """Start (or resume) the actor's attempt, enforcing the open window and the attempt limit.

    An unfinished attempt still within its deadline is resumed (``resumed=True``); one past its
    deadline is finished and graded first. The deadline is the earlier of the close time and
    ``start + time_limit_s``.
    """
    t = _now(now)

    def tx() -> AttemptOut:
        with write_session(sf) as s:
            a = _assessment(s, assessment_id)
            _require_member(s, actor_id, a.course_id)
            if t < a.opens_at:
                raise NotOpen("this assessment has not opened yet")
            attempts = (
                s.execute(
                    select(D.Attempt)
                    .where(D.Attempt.user_id == actor_id, D.Attempt.assessment_id == a.id)
                    .order_by(D.Attempt.number)
                )
                .scalars()
                .all()
            )
            if attempts and attempts[-1].finished_at is None:
                cur = attempts[-1]
                if cur.deadline_at is None or t < cur.deadline_at:
                    return AttemptOut.model_validate(cur).model_copy(update={"resumed": True})
                _finish(s, cur, t)
            if a.closes_at is not None and t >= a.closes_at:
                raise NotOpen("this assessment has closed")
            if a.attempt_limit is not None and len(attempts) >= a.attempt_limit:
                raise AttemptLimitReached(f"all {a.attempt_limit} attempts are used")
            deadline = a.closes_at
            if a.time_limit_s:
                end = t + dt.timedelta(seconds=a.time_limit_s)
                deadline = end if deadline is None else min(deadline, end)
            att = D.Attempt(
                user_id=actor_id, assessment_id=a.id, number=len(attempts) + 1, started_at=t, deadline_at=deadline
            )
            s.add(att)
            s.flush()
            return AttemptOut.model_validate(att)

    return _retrying(tx)


def finish_attempt(sf: SessionFactory, actor_id: int, attempt_id: int, *, now: dt.datetime | None = None) -> GradeOut:
    """Finish and grade an attempt (its owner, or an instructor of the course); finishing twice is a no-op."""
    t = _now(now)

    def tx() -> GradeOut:
        with write_session(sf) as s:
            _lock_attempt(s.connection(), attempt_id)
            att = s.get(D.Attempt, attempt_id)
            if att is None:
                raise NotFound(f"no attempt {attempt_id}")
            a = _assessment(s, att.assessment_id)
            if att.user_id != actor_id:
                _require_teacher(s, actor_id, a.course_id)
            g = _finish(s, att, t)
            visible = att.user_id != actor_id or grading_visible(a, t)
            return _grade_out(g, att.number, visible)

    return _retrying(tx)


def _grade_out(g: D.Grade, number: int, visible: bool) -> GradeOut:
    return GradeOut(
        attempt_id=g.attempt_id,
        user_id=g.user_id,
        assessment_id=g.assessment_id,
        attempt_number=number,
        score=g.score if visible else None,
        max_score=g.max_score,
        created_at=g.created_at,
        visible=visible,
    )


# ------------------------------------------------------------------ submitting answers


# The hot path uses statements built once (bound parameters, Core, no ORM unit of work): building a
# statement costs more than running it on SQLite.
_att, _asm, _qi, _resp = (
    D.Attempt.__table__,
    D.Assessment.__table__,
    D.QuestionInstance.__table__,
    D.Response.__table__,
)
_CONTEXT = (
    select(
        _att.c.user_id,
        _att.c.number,
        _att.c.finished_at,
        _att.c.deadline_at,
        _asm.c.id.label("assessment_id"),
        _asm.c.kind,
        _asm.c.key_release_at,
        _asm.c.tries_per_question,
        _qi.c.assessment_id.label("q_assessment_id"),
        _qi.c.owner_id,
        _qi.c.generator,
        _qi.c.version,
        _qi.c.seed,
        _qi.c.difficulty,
        _qi.c.params,
        _qi.c.points,
        select(func.coalesce(func.max(_resp.c.try_number), 0))
        .where(_resp.c.attempt_id == bindparam("a"), _resp.c.question_instance_id == bindparam("q"))
        .scalar_subquery()
        .label("tries"),
    )
    .select_from(_att.join(_asm, _asm.c.id == _att.c.assessment_id).outerjoin(_qi, _qi.c.id == bindparam("q")))
    .where(_att.c.id == bindparam("a"))
)
_LOCK_ATTEMPT = select(_att.c.id).where(_att.c.id == bindparam("a")).with_for_update()
_STORED = select(_resp).where(_resp.c.attempt_id == bindparam("a"), _resp.c.idempotency_key == bindparam("k"))
_INSERT = {
    name: ins(_resp).on_conflict_do_nothing(index_elements=["attempt_id", "idempotency_key"]).returning(_resp.c.id)
    for name, ins in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


def _lock_attempt(conn: Connection, attempt_id: int) -> None:
    """Serialize writes to one attempt (PostgreSQL row lock until commit; SQLite's BEGIN IMMEDIATE already does).

    Taken in its own statement, so that the next statement's READ COMMITTED snapshot sees what the
    previous lock holder committed.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(_LOCK_ATTEMPT, {"a": attempt_id})


class _Assessment:
    """Just what :func:`grading_visible` needs."""

    __slots__ = ("key_release_at", "kind")

    def __init__(self, kind: str, key_release_at: dt.datetime | None) -> None:
        self.kind, self.key_release_at = kind, key_release_at


def submit_answer(
    sf: SessionFactory,
    actor_id: int,
    attempt_id: int,
    instance_id: int,
    raw: str,
    idempotency_key: str,
    time_taken_ms: int | None = None,
    *,
    now: dt.datetime | None = None,
) -> SubmitResult:
    """Parse, grade and record one answer, exactly once per ``(attempt, idempotency_key)``.

    * a malformed answer → ``status="format_error"`` with the reason; nothing is stored, no try is spent;
    * the same key again (a double click, a retry, a concurrent duplicate) → ``status="duplicate"`` and the
      row stored the first time, even after the attempt has closed;
    * otherwise → ``status="recorded"`` and the new row.

    Raises :class:`AttemptClosed` past the deadline or after finishing, :class:`TriesExhausted` past
    ``tries_per_question``, :class:`AccessDenied` for someone else's attempt.
    """
    if not isinstance(idempotency_key, str) or not 1 <= len(idempotency_key) <= 128:
        raise ValueError("an idempotency key is 1-128 characters")
    if time_taken_ms is not None and (
        isinstance(time_taken_ms, bool) or not isinstance(time_taken_ms, int) or time_taken_ms < 0
    ):
        raise ValueError("time_taken_ms must be a non-negative integer")
    if not isinstance(raw, str):
        raise ValueError("the answer must be text")
    t = _now(now)

    def tx() -> SubmitResult:
        with write_connection(sf) as conn:
            _lock_attempt(conn, attempt_id)
            row = conn.execute(_CONTEXT, {"a": attempt_id, "q": instance_id}).one_or_none()
            if row is None:
                raise NotFound(f"no attempt {attempt_id}")
            if row.user_id != actor_id:
                raise AccessDenied("this is not your attempt")
            if row.q_assessment_id != row.assessment_id or row.owner_id not in (None, row.user_id):
                raise NotFound(f"question {instance_id} is not part of this attempt")
            q = build_question(row.generator, row.version, row.seed, row.difficulty, row.params)
            visible = grading_visible(_Assessment(row.kind, row.key_release_at), t)  # type: ignore[arg-type]

            def stored() -> SubmitResult | None:
                r = conn.execute(_STORED, {"a": attempt_id, "k": idempotency_key}).one_or_none()
                return None if r is None else _submit_result("duplicate", r, row.user_id, visible, q)

            if row.finished_at is not None or (row.deadline_at is not None and t >= row.deadline_at):
                if (dup := stored()) is not None:
                    return dup
                raise AttemptClosed("this attempt is over: no more answers are accepted")
            try:
                parsed = parse_answer(q, raw)
            except FormatError as e:
                if (dup := stored()) is not None:
                    return dup
                return SubmitResult(status="format_error", error=str(e))
            if row.tries_per_question is not None and row.tries >= row.tries_per_question:
                if (dup := stored()) is not None:
                    return dup
                raise TriesExhausted(f"all {row.tries_per_question} tries at this question are used")
            g = grade_answer(q, parsed.value)
            values = {
                "attempt_id": attempt_id,
                "question_instance_id": instance_id,
                "attempt_number": row.number,
                "try_number": int(row.tries) + 1,
                "idempotency_key": idempotency_key,
                "raw_text": raw,
                "parsed": canonical_json(parsed.value),
                "correct": g.correct,
                "score": g.score * row.points,
                "max_score": row.points,
                "trap": g.trap,
                "time_taken_ms": time_taken_ms,
                "created_at": t,
            }
            new_id = conn.execute(_INSERT[conn.dialect.name], values).scalar_one_or_none()
            if new_id is None:  # a concurrent duplicate won the race
                dup = stored()
                assert dup is not None
                return dup
            return SubmitResult(
                status="recorded",
                response=_response_out(SimpleNamespace(id=new_id, **values), row.user_id, visible),
                feedback=g.feedback if visible else None,
                trap_title=g.trap_title if visible else None,
            )

    return _retrying(tx)


def _submit_result(
    status: Literal["recorded", "duplicate"], r: Any, user_id: int, visible: bool, q: AnyQuestion
) -> SubmitResult:
    feedback = title = None
    if visible:
        g = grade_answer(q, r.parsed)
        feedback, title = g.feedback, g.trap_title
    return SubmitResult(status=status, response=_response_out(r, user_id, visible), feedback=feedback, trap_title=title)


# ------------------------------------------------------------------ reads (access-checked)


def _responses_query(assessment_id: int) -> Any:
    return (
        select(D.Response, D.Attempt.user_id)
        .join(D.Attempt, D.Attempt.id == D.Response.attempt_id)
        .where(D.Attempt.assessment_id == assessment_id)
        .order_by(D.Response.created_at, D.Response.id)
    )


def _reader(s: Any, actor_id: int, a: Any, user_id: int | None, what: str) -> tuple[str, int | None]:
    """The actor's role in the assessment's course and whose rows they may read: a student only their own."""
    role = _require_member(s, actor_id, a.course_id)
    if role != "instructor":
        if user_id is not None and user_id != actor_id:
            raise AccessDenied(f"students can only read their own {what}")
        user_id = actor_id
    return role, user_id


def list_responses(
    sf: SessionFactory,
    actor_id: int,
    assessment_id: int,
    *,
    user_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[ResponseOut]:
    """Responses to an assessment: a student gets only their own (asking for anyone else's is refused)."""
    t = _now(now)
    with read_session(sf) as s:
        a = _assessment(s, assessment_id)
        role, user_id = _reader(s, actor_id, a, user_id, "responses")
        visible = role == "instructor" or grading_visible(a, t)
        stmt = _responses_query(a.id)
        if user_id is not None:
            stmt = stmt.where(D.Attempt.user_id == user_id)
        return [_response_out(r, uid, visible) for r, uid in s.execute(stmt).all()]


def get_response(sf: SessionFactory, actor_id: int, response_id: int, *, now: dt.datetime | None = None) -> ResponseOut:
    t = _now(now)
    with read_session(sf) as s:
        row = s.execute(select(D.Response, D.Attempt).join(D.Attempt).where(D.Response.id == response_id)).one_or_none()
        if row is None:
            raise NotFound(f"no response {response_id}")
        r, att = row
        a = _assessment(s, att.assessment_id)
        role = _require_member(s, actor_id, a.course_id)
        if role != "instructor" and att.user_id != actor_id:
            raise AccessDenied("students can only read their own responses")
        return _response_out(r, att.user_id, role == "instructor" or grading_visible(a, t))


def list_attempts(
    sf: SessionFactory, actor_id: int, assessment_id: int, *, user_id: int | None = None
) -> list[AttemptOut]:
    with read_session(sf) as s:
        a = _assessment(s, assessment_id)
        _, user_id = _reader(s, actor_id, a, user_id, "attempts")
        stmt = select(D.Attempt).where(D.Attempt.assessment_id == a.id).order_by(D.Attempt.user_id, D.Attempt.number)
        if user_id is not None:
            stmt = stmt.where(D.Attempt.user_id == user_id)
        return [AttemptOut.model_validate(x) for x in s.execute(stmt).scalars()]


def list_grades(
    sf: SessionFactory,
    actor_id: int,
    assessment_id: int,
    *,
    user_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[GradeOut]:
    """Grades of finished attempts: a student gets only their own (scores hidden in an exam until release)."""
    t = _now(now)
    with read_session(sf) as s:
        a = _assessment(s, assessment_id)
        role, user_id = _reader(s, actor_id, a, user_id, "grades")
        visible = role == "instructor" or grading_visible(a, t)
        stmt = (
            select(D.Grade, D.Attempt.number)
            .join(D.Attempt, D.Attempt.id == D.Grade.attempt_id)
            .where(D.Grade.assessment_id == a.id)
            .order_by(D.Grade.user_id, D.Attempt.number)
        )
        if user_id is not None:
            stmt = stmt.where(D.Grade.user_id == user_id)
        return [_grade_out(g, n, visible) for g, n in s.execute(stmt).all()]


# ------------------------------------------------------------------ analytics feed


def response_records(session: Session, assessment_id: int, *, final_only: bool = False) -> list[ResponseRecord]:
    """Every graded response to an assessment as :class:`grader.analytics.ResponseRecord` (a data function:
    no access check, the caller owns the session; see :func:`assessment_records` for the checked service).

    ``item`` is the question instance id as text; ``attempt`` the attempt number. ``final_only`` keeps only
    the last try per (attempt, question), the one the grade counts.
    """
    stmt = (
        select(
            D.Attempt.user_id,
            D.QuestionInstance.id,
            D.QuestionInstance.generator,
            D.QuestionInstance.topic,
            D.QuestionInstance.params,
            D.Response.score,
            D.Response.max_score,
            D.Response.trap,
            D.Response.attempt_number,
            D.Response.created_at,
            D.Response.attempt_id,
            D.Response.try_number,
        )
        .join(D.Attempt, D.Attempt.id == D.Response.attempt_id)
        .join(D.QuestionInstance, D.QuestionInstance.id == D.Response.question_instance_id)
        .where(D.Attempt.assessment_id == assessment_id)
        .order_by(D.Response.created_at, D.Response.id)
    )
    rows = session.execute(stmt).all()
    if final_only:
        last: dict[tuple[int, int], int] = {}
        for r in rows:
            key = (r[10], r[1])
            last[key] = max(last.get(key, 0), r[11])
        rows = [r for r in rows if last[(r[10], r[1])] == r[11]]
    return [
        ResponseRecord(
            student=r[0],
            item=str(r[1]),
            generator=r[2],
            topic=r[3],
            params=r[4],
            score=float(r[5]),
            max_score=float(r[6]),
            trap=r[7],
            attempt=r[8],
            answered_at=r[9],
        )
        for r in rows
    ]


def assessment_records(
    sf: SessionFactory, actor_id: int, assessment_id: int, *, final_only: bool = False
) -> list[ResponseRecord]:
    """:func:`response_records` for an instructor of the course."""
    with read_session(sf) as s:
        a = _assessment(s, assessment_id)
        _require_teacher(s, actor_id, a.course_id)
        return response_records(s, assessment_id, final_only=final_only)


# ------------------------------------------------------------------ spaced repetition storage


def get_review_card(sf: SessionFactory, actor_id: int, concept: str) -> ReviewCardOut | None:
    with read_session(sf) as s:
        c = s.execute(
            select(D.ReviewCard).where(D.ReviewCard.user_id == actor_id, D.ReviewCard.concept == concept)
        ).scalar_one_or_none()
        return None if c is None else ReviewCardOut.model_validate(c)


def save_review_card(
    sf: SessionFactory,
    actor_id: int,
    concept: str,
    card: dict[str, Any],
    due: dt.datetime,
    *,
    rating: int | None = None,
    log: dict[str, Any] | None = None,
    response_id: int | None = None,
    now: dt.datetime | None = None,
) -> ReviewCardOut:
    """Insert or replace the actor's card for a concept (and log the review when ``rating`` is given)."""
    t = _now(now)
    due_utc = _aware(due, "due")
    assert due_utc is not None
    card_json = canonical_json(card)

    def tx() -> ReviewCardOut:
        with write_session(sf) as s:
            _user(s, actor_id)
            c = s.execute(
                select(D.ReviewCard).where(D.ReviewCard.user_id == actor_id, D.ReviewCard.concept == concept)
            ).scalar_one_or_none()
            if c is None:
                c = D.ReviewCard(user_id=actor_id, concept=concept, card=card_json, due=due_utc, reviews=0)
                c.created_at = t
                s.add(c)
            else:
                c.card, c.due = card_json, due_utc
            c.updated_at = t
            if rating is not None:
                c.reviews = (c.reviews or 0) + 1
                s.add(
                    D.ReviewLog(
                        user_id=actor_id,
                        concept=concept,
                        rating=rating,
                        response_id=response_id,
                        log=canonical_json(log or {}),
                        reviewed_at=t,
                    )
                )
            s.flush()
            return ReviewCardOut.model_validate(c)

    return _retrying(tx)


def due_review_cards(
    sf: SessionFactory, actor_id: int, *, now: dt.datetime | None = None, limit: int = 100
) -> list[ReviewCardOut]:
    """The actor's cards due at ``now``, most overdue first."""
    t = _now(now)
    with read_session(sf) as s:
        rows = s.execute(
            select(D.ReviewCard)
            .where(D.ReviewCard.user_id == actor_id, D.ReviewCard.due <= t)
            .order_by(D.ReviewCard.due)
            .limit(limit)
        ).scalars()
        return [ReviewCardOut.model_validate(c) for c in rows]


def srs_next_question(
    sf: SessionFactory,
    actor_id: int,
    assessment_id: int,
    concept: str,
    *,
    seed: int | None = None,
    now: dt.datetime | None = None,
) -> QuestionView:
    """Serve a spaced-repetition review of ``concept`` (a topic id) in a self-study assessment.

    The actor's card is created on first use (:func:`grader.srs.new_card`); the question is a freshly
    generated variant (:func:`grader.srs.next_variant`, never the previous generator+seed) at the
    difficulty the card's state calls for (:func:`grader.srs.question_difficulty`), stored as a personal
    question instance, so answering it goes through :func:`submit_answer` like any other.
    """
    from . import srs

    t = _now(now)
    card = get_review_card(sf, actor_id, concept)
    if card is None:
        card_json = srs.new_card(actor_id, concept, t)
        save_review_card(sf, actor_id, concept, json.loads(card_json), srs.due(card_json), now=t)
    else:
        card_json = json.dumps(card.card)
    difficulty = srs.question_difficulty(card_json)
    with read_session(sf) as s:
        prev = s.execute(
            select(D.QuestionInstance.generator, D.QuestionInstance.seed)
            .where(
                D.QuestionInstance.assessment_id == assessment_id,
                D.QuestionInstance.owner_id == actor_id,
                D.QuestionInstance.topic == concept,
            )
            .order_by(D.QuestionInstance.position.desc())
            .limit(1)
        ).one_or_none()
    previous = (prev[0], int(prev[1])) if prev is not None else None
    gen, sd = srs.next_variant(concept, difficulty, seed if seed is not None else secrets.randbits(63), previous)
    inst = add_personal_question(sf, actor_id, assessment_id, gen, difficulty, seed=sd, now=t)
    return get_question(sf, actor_id, inst.id, now=t)


_CARD_FOR_UPDATE = (
    select(D.ReviewCard)
    .where(D.ReviewCard.user_id == bindparam("u"), D.ReviewCard.concept == bindparam("c"))
    .with_for_update()
)


def srs_record_review(
    sf: SessionFactory, actor_id: int, response_id: int, *, now: dt.datetime | None = None
) -> ReviewCardOut:
    """Apply a recorded self-study response to the actor's card for the question's concept.

    Idempotent per response (a review log row names it): a retried call changes nothing. The card is
    row-locked on PostgreSQL, so two reviews of one card never interleave.
    """
    from . import srs

    t = _now(now)

    def tx() -> ReviewCardOut:
        with write_session(sf) as s:
            row = s.execute(
                select(D.Response, D.Attempt.user_id, D.QuestionInstance.topic, D.Assessment.kind)
                .join(D.Attempt, D.Attempt.id == D.Response.attempt_id)
                .join(D.QuestionInstance, D.QuestionInstance.id == D.Response.question_instance_id)
                .join(D.Assessment, D.Assessment.id == D.Attempt.assessment_id)
                .where(D.Response.id == response_id)
            ).one_or_none()
            if row is None:
                raise NotFound(f"no response {response_id}")
            r, owner, concept, kind = row
            if owner != actor_id:
                raise AccessDenied("this is not your response")
            if kind != "self_study":
                raise AccessDenied("spaced repetition reviews are self-study responses")
            card = s.execute(_CARD_FOR_UPDATE, {"u": actor_id, "c": concept}).scalar_one_or_none()
            if card is None:
                fresh = srs.new_card(actor_id, concept, r.created_at)
                card = D.ReviewCard(
                    user_id=actor_id, concept=concept, card=json.loads(fresh), due=srs.due(fresh), reviews=0
                )
                card.created_at = card.updated_at = t
                s.add(card)
                s.flush()
            done = s.execute(select(D.ReviewLog.id).where(D.ReviewLog.response_id == r.id)).first()
            if done is None:
                full = r.score >= r.max_score - 1e-9
                new_json, due = srs.review(json.dumps(card.card), full, r.time_taken_ms, r.created_at)
                card.card, card.due, card.updated_at = json.loads(new_json), due, t
                card.reviews = (card.reviews or 0) + 1
                rating = srs.rating_for(full, r.time_taken_ms)
                s.add(
                    D.ReviewLog(
                        user_id=actor_id,
                        concept=concept,
                        rating=int(rating),
                        response_id=r.id,
                        log={"correct": full, "time_taken_ms": r.time_taken_ms, "rating": rating.name},
                        reviewed_at=r.created_at,
                    )
                )
                s.flush()
            return ReviewCardOut.model_validate(card)

    return _retrying(tx)


# ------------------------------------------------------------------ code submissions (issue 5 hook)


def record_code_submission(
    sf: SessionFactory,
    actor_id: int,
    task_id: str,
    file_name: str,
    source: str,
    *,
    assessment_id: int | None = None,
    now: dt.datetime | None = None,
) -> CodeSubmissionOut:
    """Store a submitted source file (its sha256 too) before the autograder runs it."""
    data = source.encode("utf-8")
    if len(data) > MAX_SOURCE_BYTES:
        raise ValueError(f"the file is {len(data)} bytes; at most {MAX_SOURCE_BYTES} are accepted")
    t = _now(now)
    with write_session(sf) as s:
        _user(s, actor_id)
        if assessment_id is not None:
            _require_member(s, actor_id, _assessment(s, assessment_id).course_id)
        c = D.CodeSubmission(
            task_id=task_id,
            user_id=actor_id,
            assessment_id=assessment_id,
            file_name=file_name[:255],
            sha256=hashlib.sha256(data).hexdigest(),
            source=source,
            created_at=t,
        )
        s.add(c)
        s.flush()
        return CodeSubmissionOut.model_validate(c)


def set_code_verdict(
    sf: SessionFactory,
    submission_id: int,
    verdict: str,
    score: float | None,
    max_score: float | None,
    results: dict[str, Any] | None,
    *,
    now: dt.datetime | None = None,
) -> CodeSubmissionOut:
    """Record the autograder's verdict (called by the autograder, not by users)."""
    t = _now(now)
    with write_session(sf) as s:
        c = s.get(D.CodeSubmission, submission_id)
        if c is None:
            raise NotFound(f"no code submission {submission_id}")
        c.verdict, c.score, c.max_score = verdict, score, max_score
        c.results = None if results is None else canonical_json(results)
        c.graded_at = t
        s.flush()
        return CodeSubmissionOut.model_validate(c)


def code_submission_source(sf: SessionFactory, actor_id: int, submission_id: int) -> str:
    with read_session(sf) as s:
        c = s.get(D.CodeSubmission, submission_id)
        if c is None:
            raise NotFound(f"no code submission {submission_id}")
        if c.user_id != actor_id:
            course = _assessment(s, c.assessment_id).course_id if c.assessment_id is not None else None
            if course is None or not _teaches(s, actor_id, course):
                raise AccessDenied("this is not your submission")
        return c.source
