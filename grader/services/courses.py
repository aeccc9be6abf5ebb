"""Courses and enrolment: creating a course (its creator teaches it), enrolling students and instructors."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import db as D
from ..db import SessionFactory, read_session, write_session
from .common import AccessDenied, Conflict, NotFound, OutModel, Role, require_teacher, retrying, user_row


class CourseOut(OutModel):
    id: int
    code: str
    title: str
    created_at: dt.datetime


class MemberCourseOut(CourseOut):
    """A course and the asker's role in it."""

    role: Role


class EnrolmentOut(OutModel):
    user_id: int
    course_id: int
    role: Role


def create_course(sf: SessionFactory, actor_id: int, code: str, title: str) -> CourseOut:
    """A new course; the instructor who creates it is enrolled as its instructor."""
    try:
        with write_session(sf) as s:
            if user_row(s, actor_id).role != "instructor":
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


def list_courses(sf: SessionFactory, actor_id: int) -> list[MemberCourseOut]:
    """The courses the actor is enrolled in (as a student or teaching), by code."""
    with read_session(sf) as s:
        user_row(s, actor_id)
        rows = s.execute(
            select(D.Course, D.Enrolment.role)
            .join(D.Enrolment, D.Enrolment.course_id == D.Course.id)
            .where(D.Enrolment.user_id == actor_id)
            .order_by(D.Course.code)
        ).all()
        return [
            MemberCourseOut(id=c.id, code=c.code, title=c.title, created_at=c.created_at, role=role)  # type: ignore[arg-type]
            for c, role in rows
        ]
