"""Getting people in: a student registering with a course's join code, and the first run of a new installation
(the first instructor, a demo course with its join code, and demo self-study assessments)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import db as D
from ..db import SessionFactory, read_session, write_session
from .accounts import UserOut, check_password, check_username, hasher
from .assessments import AssessmentOut, create_assessment
from .common import Conflict, OutModel
from .courses import CourseOut, _course_by_join_code, create_course, enrol_by_join_code

FIRST_RUN_SETTING = "setup.first_run"

DEMO_ASSESSMENTS: tuple[tuple[str, list[dict[str, object]]], ...] = (
    (
        "Warm-up: parameters and output sizes",
        [
            {"topic": "conv_params", "count": 3, "difficulty": 1},
            {"topic": "output_size", "count": 3, "difficulty": 1},
        ],
    ),
    (
        "Pooling and receptive fields",
        [
            {"topic": "pooling", "count": 2, "difficulty": 1},
            {"topic": "receptive_field", "count": 3, "difficulty": 1},
        ],
    ),
)
"""The demo course's self-study assessments: the gentle start of the suggested order."""


class FirstRunOut(OutModel):
    instructor: UserOut
    course: CourseOut
    join_code: str
    assessments: list[AssessmentOut]


def register_student(
    sf: SessionFactory, username: str, password: str, join_code: str, *, display_name: str = ""
) -> UserOut:
    """A new student account, enrolled in the course whose join code this is: both or neither.

    The code is checked before anything is written, so a mistyped code creates no account.
    """
    check_username(username)
    check_password(password)
    pw_hash = hasher.hash(password)
    try:
        with write_session(sf) as s:
            _course_by_join_code(s, join_code)  # NotFound before the account exists
            u = D.User(
                username=username, role="student", display_name=display_name.strip()[:200], password_hash=pw_hash
            )
            s.add(u)
            s.flush()
            enrol_by_join_code(s, u, join_code)
            return UserOut.model_validate(u)
    except IntegrityError:
        raise Conflict(f"the username {username!r} is taken: choose another") from None


def first_run(
    sf: SessionFactory,
    username: str,
    password: str,
    *,
    display_name: str = "",
    course_code: str = "CNN101",
    course_title: str = "CNN architectures",
    demo: bool = True,
    now: dt.datetime | None = None,
) -> FirstRunOut:
    """Set up an empty installation: the first instructor, a course (with its join code) and demo assessments.

    Refused with :class:`Conflict` once any account exists; two first runs at once are settled by the
    ``settings`` row each inserts (the loser's transaction fails on its primary key).
    """
    check_username(username)
    check_password(password)
    pw_hash = hasher.hash(password)
    try:
        with write_session(sf) as s:
            if s.execute(select(D.User.id).limit(1)).first() is not None:
                raise Conflict("this installation is already set up: sign in instead")
            s.add(D.Setting(key=FIRST_RUN_SETTING, value=username))
            u = D.User(
                username=username, role="instructor", display_name=display_name.strip()[:200], password_hash=pw_hash
            )
            s.add(u)
            s.flush()
            instructor = UserOut.model_validate(u)
    except IntegrityError:
        raise Conflict("this installation is already set up: sign in instead") from None
    course = create_course(sf, instructor.id, course_code, course_title)
    with read_session(sf) as s:
        join_code = s.execute(select(D.Course.join_code).where(D.Course.id == course.id)).scalar_one()
    assessments = []
    if demo:
        for title, blueprint in DEMO_ASSESSMENTS:
            assessments.append(
                create_assessment(sf, instructor.id, course.id, title, "self_study", blueprint, now=now)  # type: ignore[arg-type]
            )
    return FirstRunOut(instructor=instructor, course=course, join_code=join_code, assessments=assessments)
