"""Attempts: starting (or resuming) one within the open window and the attempt limit, recording answers (parse,
grade, store exactly once per idempotency key), finishing and grading, and the access-checked reads of attempts,
responses, grades and an attempt's results question by question.

Submitting is idempotent: ``(attempt, idempotency_key)`` is unique in the table, the insert is
``INSERT … ON CONFLICT DO NOTHING``, and a retry — sequential or concurrent — gets the stored
row back (``status="duplicate"``). A malformed answer is a ``format_error``: nothing is stored
and no try is spent.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any, Literal

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from quizbank.regenerate import build_question, canonical_json
from quizbank.schema import AnyQuestion

from .. import db as D
from ..db import SessionFactory, read_session, write_connection, write_session
from ..parse import FormatError, parse_answer
from ..scoring import grade as grade_answer
from .assessments import StudentQuestionView, question_view
from .common import (
    AccessDenied,
    AttemptClosed,
    AttemptLimitReached,
    NotFound,
    NotOpen,
    OutModel,
    TriesExhausted,
    assessment_row,
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


class SubmitResult(OutModel):
    status: Literal["recorded", "duplicate", "format_error"]
    response: ResponseOut | None = None
    error: str | None = None
    """For a format error: why the text could not be read (nothing was stored, no try was spent)."""
    feedback: str | None = None
    trap_title: str | None = None


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
    t = now_utc(now)

    def tx() -> AttemptOut:
        with write_session(sf) as s:
            a = assessment_row(s, assessment_id)
            require_member(s, actor_id, a.course_id)
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

    return retrying(tx)


def finish_attempt(sf: SessionFactory, actor_id: int, attempt_id: int, *, now: dt.datetime | None = None) -> GradeOut:
    """Finish and grade an attempt (its owner, or an instructor of the course); finishing twice is a no-op."""
    t = now_utc(now)

    def tx() -> GradeOut:
        with write_session(sf) as s:
            _lock_attempt(s.connection(), attempt_id)
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
    t = now_utc(now)

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

    return retrying(tx)


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
    role = require_member(s, actor_id, a.course_id)
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
    t = now_utc(now)
    with read_session(sf) as s:
        a = assessment_row(s, assessment_id)
        role, user_id = _reader(s, actor_id, a, user_id, "responses")
        visible = role == "instructor" or grading_visible(a, t)
        stmt = _responses_query(a.id)
        if user_id is not None:
            stmt = stmt.where(D.Attempt.user_id == user_id)
        return [_response_out(r, uid, visible) for r, uid in s.execute(stmt).all()]


def get_response(sf: SessionFactory, actor_id: int, response_id: int, *, now: dt.datetime | None = None) -> ResponseOut:
    t = now_utc(now)
    with read_session(sf) as s:
        row = s.execute(select(D.Response, D.Attempt).join(D.Attempt).where(D.Response.id == response_id)).one_or_none()
        if row is None:
            raise NotFound(f"no response {response_id}")
        r, att = row
        a = assessment_row(s, att.assessment_id)
        role = require_member(s, actor_id, a.course_id)
        if role != "instructor" and att.user_id != actor_id:
            raise AccessDenied("students can only read their own responses")
        return _response_out(r, att.user_id, role == "instructor" or grading_visible(a, t))


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
    """Grades of finished attempts: a student gets only their own (scores hidden in an exam until release)."""
    t = now_utc(now)
    with read_session(sf) as s:
        a = assessment_row(s, assessment_id)
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


def attempt_results(
    sf: SessionFactory, actor_id: int, attempt_id: int, *, now: dt.datetime | None = None
) -> AttemptResultsOut:
    """An attempt question by question: the stored answers (so a page can resume it), and, where the asker may see
    them, scores, feedback and the trap each wrong answer fell into; keys and explanations once released.

    Its owner or an instructor of the course; anyone else is refused.
    """
    t = now_utc(now)
    with read_session(sf) as s:
        att = s.get(D.Attempt, attempt_id)
        if att is None:
            raise NotFound(f"no attempt {attempt_id}")
        a = assessment_row(s, att.assessment_id)
        teacher = require_member(s, actor_id, a.course_id) == "instructor"
        if att.user_id != actor_id and not teacher:
            raise AccessDenied("this is not your attempt")
        visible = teacher or grading_visible(a, t)
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
                    question=question_view(inst, q, teacher or released),
                    answer=None if r is None else _response_out(r, att.user_id, visible),
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
