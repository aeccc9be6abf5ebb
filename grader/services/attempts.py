"""Attempts: starting (or resuming) one within the open window and the attempt limit, finishing and grading it,
and the access-checked reads of attempts, responses, grades and an attempt's results question by question.
Recording an answer is :mod:`.answers`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from quizbank.regenerate import build_question

from .. import db as D
from ..db import SessionFactory, read_session, write_session
from ..scoring import grade as grade_answer
from .assessments import StudentQuestionView, ensure_variant, question_view, shown_answer
from .common import (
    AccessDenied,
    AttemptLimitReached,
    NotFound,
    NotOpen,
    OutModel,
    assessment_row,
    grader_view,
    grading_visible,
    key_released,
    now_utc,
    require_member,
    require_teacher,
    retrying,
)


class AttemptOut(OutModel):
    id: int
    user_id: int
    assessment_id: int
    number: int
    started_at: dt.datetime
    deadline_at: dt.datetime | None
    finished_at: dt.datetime | None
    resumed: bool = False


class ResponseOut(OutModel):
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


class QuestionResultOut(OutModel):
    """One question of an attempt as the asker may see it: the question (a :class:`QuestionView` with its key and
    explanation once released), the last graded answer, and its feedback where grading is visible."""

    question: StudentQuestionView
    answer: ResponseOut | None
    """The last graded try (``None``: not answered)."""
    tries: int
    feedback: str | None = None
    trap_title: str | None = None


class GradeOut(OutModel):
    attempt_id: int
    user_id: int
    assessment_id: int
    attempt_number: int
    score: float | None
    max_score: float
    created_at: dt.datetime
    visible: bool = True


class AttemptResultsOut(OutModel):
    attempt: AttemptOut
    grade: GradeOut | None
    """``None`` while the attempt is open."""
    key_released: bool
    graded_visible: bool
    items: list[QuestionResultOut]


def response_out(r: Any, user_id: int, visible: bool, order: Sequence[str] | None = None) -> ResponseOut:
    """A stored row (or anything with its attributes, ``created_at`` included) as the asker may see it; ``order``:
    its question's stored option order, whose labels as shown the parsed answer is given in (as the student typed
    it: never in the generator's ids, which would tell the order the options were drawn in)."""
    return ResponseOut(
        id=r.id,
        attempt_id=r.attempt_id,
        question_instance_id=r.question_instance_id,
        user_id=user_id,
        attempt_number=r.attempt_number,
        try_number=r.try_number,
        idempotency_key=r.idempotency_key,
        raw_text=r.raw_text,
        parsed=shown_answer(r.parsed, order),
        correct=r.correct if visible else None,
        score=r.score if visible else None,
        max_score=r.max_score,
        trap=r.trap if visible else None,
        time_taken_ms=r.time_taken_ms,
        answered_at=r.created_at,
        graded_visible=visible,
    )


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
    g = D.Grade(
        attempt_id=att.id,
        user_id=att.user_id,
        assessment_id=att.assessment_id,
        score=attempt_score(s, att.id),
        max_score=float(max_score),
        created_at=t,
    )
    s.add(g)
    s.flush()
    return g


def attempt_score(s: Session, attempt_id: int) -> float:
    """An attempt's total: per question, the score of its last graded try (what its grade records)."""
    last = (
        select(D.Response.question_instance_id, func.max(D.Response.try_number).label("tn"))
        .where(D.Response.attempt_id == attempt_id)
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
        .where(D.Response.attempt_id == attempt_id)
    ).scalar_one()
    return float(score)


def start_attempt(
    sf: SessionFactory, actor_id: int, assessment_id: int, *, now: dt.datetime | None = None
) -> AttemptOut:
    """Start (or resume) the actor's attempt, enforcing the open window and the attempt limit.

    An unfinished attempt still within its deadline is resumed (``resumed=True``); one past its
    deadline is finished and graded first. The deadline is the earlier of the close time and
    ``start + time_limit_s``.
    """
    t = now_utc(now)

    def tx() -> AttemptOut:
        with write_session(sf) as s:
            a = assessment_row(s, assessment_id)
            require_member(s, actor_id, a.course_id)
            if t < a.opens_at:
                raise NotOpen("this assessment has not opened yet")
            ensure_variant(s, a, actor_id)  # a student enrolled after publishing gets theirs on first open
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

    return retrying(tx)


def finish_attempt(sf: SessionFactory, actor_id: int, attempt_id: int, *, now: dt.datetime | None = None) -> GradeOut:
    """Finish and grade an attempt (its owner, or an instructor of the course); finishing twice is a no-op."""
    t = now_utc(now)

    def tx() -> GradeOut:
        with write_session(sf) as s:
            lock_attempt(s.connection(), attempt_id)
            att = s.get(D.Attempt, attempt_id)
            if att is None:
                raise NotFound(f"no attempt {attempt_id}")
            a = assessment_row(s, att.assessment_id)
            if att.user_id != actor_id:
                require_teacher(s, actor_id, a.course_id)
            g = _finish(s, att, t)
            visible = att.user_id != actor_id or grading_visible(a, t)
            return _grade_out(g, att.number, visible)

    return retrying(tx)


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


# ------------------------------------------------------------------ the attempt row lock


_LOCK_ATTEMPT = select(D.Attempt.id).where(D.Attempt.id == bindparam("a")).with_for_update()


def lock_attempt(conn: Connection, attempt_id: int) -> None:
    """Serialize writes to one attempt (PostgreSQL row lock until commit; SQLite's BEGIN IMMEDIATE already does).

    Taken in its own statement, so that the next statement's READ COMMITTED snapshot sees what the
    previous lock holder committed.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(_LOCK_ATTEMPT, {"a": attempt_id})


# ------------------------------------------------------------------ reads (access-checked)


def _responses_query(assessment_id: int) -> Any:
    return (
        select(D.Response, D.Attempt.user_id, D.QuestionInstance.option_order)
        .join(D.Attempt, D.Attempt.id == D.Response.attempt_id)
        .join(D.QuestionInstance, D.QuestionInstance.id == D.Response.question_instance_id)
        .where(D.Attempt.assessment_id == assessment_id)
        .order_by(D.Response.created_at, D.Response.id)
    )


def _reader(s: Any, actor_id: int, a: Any, user_id: int | None, what: str) -> tuple[bool, int | None]:
    """Whether the actor reads the assessment's course as a grader (:func:`.common.grader_view`), and whose rows
    they may read: a grader anyone's (``user_id``, or everyone's if ``None``), a student only their own."""
    grader = grader_view(s, actor_id, a.course_id)
    if not grader:
        if user_id is not None and user_id != actor_id:
            raise AccessDenied(f"students can only read their own {what}")
        user_id = actor_id
    return grader, user_id


def list_responses(
    sf: SessionFactory,
    actor_id: int,
    assessment_id: int,
    *,
    user_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[ResponseOut]:
    """Responses to an assessment: a grader of the course gets anyone's, a student only their own (asking for anyone
    else's is refused)."""
    t = now_utc(now)
    with read_session(sf) as s:
        a = assessment_row(s, assessment_id)
        grader, user_id = _reader(s, actor_id, a, user_id, "responses")
        visible = grader or grading_visible(a, t)
        stmt = _responses_query(a.id)
        if user_id is not None:
            stmt = stmt.where(D.Attempt.user_id == user_id)
        return [response_out(r, uid, visible, order) for r, uid, order in s.execute(stmt).all()]


def get_response(sf: SessionFactory, actor_id: int, response_id: int, *, now: dt.datetime | None = None) -> ResponseOut:
    t = now_utc(now)
    with read_session(sf) as s:
        row = s.execute(
            select(D.Response, D.Attempt, D.QuestionInstance.option_order)
            .join(D.Attempt, D.Attempt.id == D.Response.attempt_id)
            .join(D.QuestionInstance, D.QuestionInstance.id == D.Response.question_instance_id)
            .where(D.Response.id == response_id)
        ).one_or_none()
        if row is None:
            raise NotFound(f"no response {response_id}")
        r, att, order = row
        a = assessment_row(s, att.assessment_id)
        grader = grader_view(s, actor_id, a.course_id)
        if not grader and att.user_id != actor_id:
            raise AccessDenied("students can only read their own responses")
        return response_out(r, att.user_id, grader or grading_visible(a, t), order)


def list_attempts(
    sf: SessionFactory, actor_id: int, assessment_id: int, *, user_id: int | None = None
) -> list[AttemptOut]:
    with read_session(sf) as s:
        a = assessment_row(s, assessment_id)
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
    """Grades of finished attempts: a grader of the course gets anyone's, a student only their own (scores hidden in
    an exam until release)."""
    t = now_utc(now)
    with read_session(sf) as s:
        a = assessment_row(s, assessment_id)
        grader, user_id = _reader(s, actor_id, a, user_id, "grades")
        visible = grader or grading_visible(a, t)
        stmt = (
            select(D.Grade, D.Attempt.number)
            .join(D.Attempt, D.Attempt.id == D.Grade.attempt_id)
            .where(D.Grade.assessment_id == a.id)
            .order_by(D.Grade.user_id, D.Attempt.number)
        )
        if user_id is not None:
            stmt = stmt.where(D.Grade.user_id == user_id)
        return [_grade_out(g, n, visible) for g, n in s.execute(stmt).all()]


def attempt_results(
    sf: SessionFactory, actor_id: int, attempt_id: int, *, now: dt.datetime | None = None
) -> AttemptResultsOut:
    """An attempt question by question: the stored answers (so a page can resume it), and, where the asker may see
    them, scores, feedback and the trap each wrong answer fell into; keys and explanations once released.

    Its owner or a grader of the course (instructor or TA); anyone else is refused.
    """
    t = now_utc(now)
    with read_session(sf) as s:
        att = s.get(D.Attempt, attempt_id)
        if att is None:
            raise NotFound(f"no attempt {attempt_id}")
        a = assessment_row(s, att.assessment_id)
        grader = grader_view(s, actor_id, a.course_id)
        if att.user_id != actor_id and not grader:
            raise AccessDenied("this is not your attempt")
        visible = grader or grading_visible(a, t)
        released = key_released(a, t)
        insts = (
            s.execute(
                select(D.QuestionInstance)
                .where(
                    D.QuestionInstance.assessment_id == a.id,
                    D.QuestionInstance.owner_id.is_(None) | (D.QuestionInstance.owner_id == att.user_id),
                )
                .order_by(D.QuestionInstance.position)
            )
            .scalars()
            .all()
        )
        last: dict[int, D.Response] = {}
        for r in s.execute(
            select(D.Response).where(D.Response.attempt_id == att.id).order_by(D.Response.try_number)
        ).scalars():
            last[r.question_instance_id] = r
        g = s.execute(select(D.Grade).where(D.Grade.attempt_id == att.id)).scalar_one_or_none()
        items = []
        for inst in insts:
            q = build_question(inst.generator, inst.version, inst.seed, inst.difficulty, inst.params)
            r = last.get(inst.id)
            feedback = title = None
            if r is not None and visible:
                graded = grade_answer(q, r.parsed)
                feedback, title = graded.feedback, graded.trap_title
            items.append(
                QuestionResultOut(
                    question=question_view(inst, q, grader or released),
                    answer=None if r is None else response_out(r, att.user_id, visible, inst.option_order),
                    tries=0 if r is None else r.try_number,
                    feedback=feedback,
                    trap_title=title,
                )
            )
        return AttemptResultsOut(
            attempt=AttemptOut.model_validate(att),
            grade=None if g is None else _grade_out(g, att.number, visible),
            key_released=released,
            graded_visible=visible,
            items=items,
        )
