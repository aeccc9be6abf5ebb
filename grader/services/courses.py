"""Courses and enrolment: creating a course (its creator teaches it, and it gets a join code), enrolling students
and instructors, students joining by code, and the courses a user belongs to."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import db as D
from ..db import SessionFactory, read_session, write_session
from .common import GRADERS, AccessDenied, Conflict, NotFound, OutModel, Role, require_teacher, retrying, user_row

JOIN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""Join codes avoid 0/O and 1/I/L: a code read out in class is typed right."""
JOIN_CODE_LENGTH = 8


class CourseOut(OutModel):
    id: int
    code: str
    title: str
    created_at: dt.datetime


class EnrolmentOut(OutModel):
    user_id: int
    course_id: int
    role: Role


class MyCourseOut(OutModel):
    """A course as one of its members sees it (what :func:`list_my_courses` lists, for every caller: the Account,
    Courses and Assessments pages and the CLI): ``join_code`` only for its instructors."""

    course: CourseOut
    role: Role
    join_code: str | None
    students: int | None
    """The number of enrolled students, for its instructors and TAs (``None`` for a student)."""


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalize_join_code(text: str) -> str:
    """What the student typed, as stored: upper case, without spaces or dashes (``k7qx-m2pd`` → ``K7QXM2PD``)."""
    return "".join(ch for ch in str(text).upper() if ch not in " -\t")


def create_course(sf: SessionFactory, actor_id: int, code: str, title: str) -> CourseOut:
    """A new course with a fresh join code; the instructor who creates it is enrolled as its instructor."""
    code, title = code.strip(), title.strip()
    if not code or len(code) > 64 or not title or len(title) > 200:
        raise ValueError("a course needs a code (1-64 characters) and a title (1-200 characters)")
    with write_session(sf) as s:
        if user_row(s, actor_id).role != "instructor":
            raise AccessDenied("only instructors create courses")
        if s.execute(select(D.Course.id).where(D.Course.code == code)).first() is not None:
            raise Conflict(f"the course code {code!r} is taken")
    for _ in range(8):  # a join-code collision (1 in 10^11 per pair) draws again
        try:
            with write_session(sf) as s:
                c = D.Course(code=code, title=title, join_code=new_join_code())
                s.add(c)
                s.flush()
                s.add(D.Enrolment(user_id=actor_id, course_id=c.id, role="instructor"))
                s.flush()
                return CourseOut.model_validate(c)
        except IntegrityError:
            with read_session(sf) as s:
                if s.execute(select(D.Course.id).where(D.Course.code == code)).first() is not None:
                    raise Conflict(f"the course code {code!r} is taken") from None
    raise Conflict("could not draw a free join code")  # pragma: no cover


def _course_by_join_code(s: Session, join_code: str) -> D.Course:
    code = normalize_join_code(join_code)
    c = None
    if code:
        c = s.execute(select(D.Course).where(D.Course.join_code == code)).scalar_one_or_none()
    if c is None:
        raise NotFound("no course has this join code: check it with your instructor")
    return c


def enrol_by_join_code(s: Session, user: D.User, join_code: str) -> D.Enrolment:
    """Enrol ``user`` as a student of the course whose join code this is (in the caller's transaction)."""
    if user.role != "student":
        raise AccessDenied("join codes are for students: an instructor of the course adds other instructors")
    c = _course_by_join_code(s, join_code)
    existing = s.execute(
        select(D.Enrolment).where(D.Enrolment.user_id == user.id, D.Enrolment.course_id == c.id)
    ).scalar_one_or_none()
    if existing is None:
        existing = D.Enrolment(user_id=user.id, course_id=c.id, role="student")
        s.add(existing)
        s.flush()
    return existing


def join_course(sf: SessionFactory, actor_id: int, join_code: str) -> CourseOut:
    """Enrol the actor (a student) in the course with this join code; joining twice changes nothing."""

    def tx() -> CourseOut:
        with write_session(sf) as s:
            e = enrol_by_join_code(s, user_row(s, actor_id), join_code)
            course = s.get(D.Course, e.course_id)
            return CourseOut.model_validate(course)

    return retrying(tx)


def _memberships(s: Session, actor_id: int, *order: Any) -> list[Any]:
    """``(course, role)`` for every course the actor is enrolled in, in ``order``."""
    user_row(s, actor_id)
    query = select(D.Course, D.Enrolment.role).join(D.Enrolment, D.Enrolment.course_id == D.Course.id)
    return list(s.execute(query.where(D.Enrolment.user_id == actor_id).order_by(*order)).all())


def student_counts(s: Session, course_ids: list[int]) -> dict[int, int]:
    """How many students each of these courses has (a course with none is left out)."""
    rows = s.execute(
        select(D.Enrolment.course_id, func.count())
        .where(D.Enrolment.course_id.in_(course_ids), D.Enrolment.role == "student")
        .group_by(D.Enrolment.course_id)
    ).all()
    return {course_id: int(n) for course_id, n in rows}


def list_my_courses(sf: SessionFactory, actor_id: int) -> list[MyCourseOut]:
    """The courses the actor belongs to, oldest enrolment first (join codes for their instructors, head counts for
    everyone who grades there: instructors and TAs)."""
    with read_session(sf) as s:
        rows = _memberships(s, actor_id, D.Enrolment.created_at, D.Enrolment.id)
        counts = student_counts(s, [c.id for c, role in rows if role in GRADERS])
        return [
            MyCourseOut(
                course=CourseOut.model_validate(c),
                role=role,
                join_code=c.join_code if role == "instructor" else None,
                students=int(counts.get(c.id, 0)) if role in GRADERS else None,
            )
            for c, role in rows
        ]


def new_course_join_code(sf: SessionFactory, actor_id: int, course_id: int) -> str:
    """Replace a course's join code (its instructors; e.g. after it leaked). Enrolled students stay enrolled."""
    for _ in range(8):
        try:
            with write_session(sf) as s:
                c = s.get(D.Course, course_id)
                if c is None:
                    raise NotFound(f"no course {course_id}")
                require_teacher(s, actor_id, course_id)
                c.join_code = new_join_code()
                s.flush()
                return c.join_code
        except IntegrityError:
            continue
    raise Conflict("could not draw a free join code")  # pragma: no cover


def enrol(sf: SessionFactory, actor_id: int, course_id: int, user_id: int, role: Role = "student") -> EnrolmentOut:
    """Enrol a user (idempotent: enrolling twice returns the existing enrolment)."""

    def tx() -> EnrolmentOut:
        with write_session(sf) as s:
            if s.get(D.Course, course_id) is None:
                raise NotFound(f"no course {course_id}")
            require_teacher(s, actor_id, course_id)
            u = user_row(s, user_id)
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

    return retrying(tx)
