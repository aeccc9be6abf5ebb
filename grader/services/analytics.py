"""The analytics feed: every graded response to an assessment as :class:`grader.analytics.ResponseRecord`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import db as D
from ..analytics import ResponseRecord
from ..db import SessionFactory, read_session
from .common import require_assessment_teacher


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
        require_assessment_teacher(s, actor_id, assessment_id)
        return response_records(s, assessment_id, final_only=final_only)
