"""The analytics feed: every graded response to an assessment (or to every assessment of a course) as
:class:`grader.analytics.ResponseRecord`, with the question's drawn parameters or its design factors."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import db as D
from ..analytics import ResponseRecord, question_factors
from ..db import SessionFactory, read_session
from .assessments import regenerate
from .common import AccessDenied, NotFound
from .grading import _may_grade, require_assessment_grader


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
    """:func:`response_records` for a grader of the course (instructor or TA)."""
    with read_session(sf) as s:
        require_assessment_grader(s, actor_id, assessment_id)
        return response_records(s, assessment_id, final_only=final_only)


def factor_records(session: Session, assessment_id: int, *, final_only: bool = False) -> list[ResponseRecord]:
    """:func:`response_records` whose ``params`` are the question's design factors (stride, dilation, padding mode;
    :func:`grader.analytics.question_factors` of each instance's regenerated question), for
    :func:`grader.analytics.parameter_difficulty` (a data function: no access check)."""
    records = response_records(session, assessment_id, final_only=final_only)
    factors: dict[str, dict[str, object]] = {}
    for inst in session.execute(
        select(D.QuestionInstance).where(D.QuestionInstance.assessment_id == assessment_id)
    ).scalars():
        q = regenerate(inst)
        factors[str(inst.id)] = question_factors(q.params, q.witness)
    return [replace(r, params=factors.get(r.item, {})) for r in records]


def assessment_factor_records(
    sf: SessionFactory, actor_id: int, assessment_id: int, *, final_only: bool = False
) -> list[ResponseRecord]:
    """:func:`factor_records` for a grader of the course."""
    with read_session(sf) as s:
        require_assessment_grader(s, actor_id, assessment_id)
        return factor_records(s, assessment_id, final_only=final_only)


def course_records(sf: SessionFactory, actor_id: int, course_id: int) -> list[ResponseRecord]:
    """Every graded response to every assessment of a course (not the members' own self-study records), for a
    grader of the course: the evidence of mastery per student and topic."""
    with read_session(sf) as s:
        if s.get(D.Course, course_id) is None:
            raise NotFound(f"no course {course_id}")
        if not _may_grade(s, actor_id, course_id):
            raise AccessDenied("only a grader of this course may do this")
        ids = s.execute(
            select(D.Assessment.id)
            .where(D.Assessment.course_id == course_id, D.Assessment.owner_id.is_(None))
            .order_by(D.Assessment.id)
        ).scalars()
        return [r for aid in ids for r in response_records(s, aid)]
