"""Grading by hand and again: the gradebook of an assessment, manual score overrides with their audit trail, and
the regrade of every response after a key fix.

``responses.score`` always holds the score that counts, so the gradebook, its CSV (:mod:`grader.export`), the
attempts' grades and the statistics read one column; every change to it is a :class:`grader.db.ScoreChange` row
(who, when, old, new, why). As in Moodle's manual grading, an override is per response: the response a grade counts,
the last graded try of a question in an attempt. A response is *overridden* while its newest change is an override;
a regrade leaves it alone unless asked.

A regrade rebuilds each question instance with :func:`.assessments.regenerate` (which proves the stored params still
hold) and scores each stored parsed answer with :func:`grader.scoring.grade`: a key fixed in a generator (same
version, same params) changes the credit of the answers that met the old key or the new one. The dry run lists
those changes; applying them writes the new scores and traps, an audit row each, and refreshes the affected grades.

Every function here refuses anyone who may not grade the course (:func:`_may_grade`: the course's instructors and TAs).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizbank.regenerate import KeyMismatch
from quizbank.schema import AnyQuestion

from .. import db as D
from ..db import SessionFactory, read_session, write_session
from ..scoring import grade
from .assessments import regenerate
from .attempts import attempt_score, lock_attempt
from .code import storable
from .common import AccessDenied, Conflict, NotFound, OutModel, assessment_row, can_grade, now_utc, retrying

MAX_REASON = 2000
"""The longest reason an override may give (characters)."""
REGRADE_REASON = "regrade against the current key"
_EPS = 1e-9


# ------------------------------------------------------------------ who may grade


def _may_grade(s: Session, actor_id: int, course_id: int) -> bool:
    """Whether the actor may see and change the grades of the course: its instructors and TAs."""
    return can_grade(s, actor_id, course_id)


def require_assessment_grader(s: Session, actor_id: int, assessment_id: int) -> D.Assessment:
    """The assessment, if the actor may grade its course (else :class:`NotFound` / :class:`AccessDenied`)."""
    a = assessment_row(s, assessment_id)
    if not _may_grade(s, actor_id, a.course_id):
        raise AccessDenied("only a grader of this course may do this")
    return a


# ------------------------------------------------------------------ output models


class ScoreChangeOut(OutModel):
    """One row of the audit trail, with whose response it was and which question."""

    id: int
    assessment_id: int
    response_id: int
    attempt_id: int
    attempt_number: int
    user_id: int
    username: str
    position: int
    actor_id: int | None
    actor: str | None
    """The grader's username (``None``: that account is gone)."""
    kind: Literal["override", "regrade"]
    old_score: float
    new_score: float
    max_score: float
    old_trap: str | None
    new_trap: str | None
    reason: str
    created_at: dt.datetime


class RegradeChangeOut(OutModel):
    """A response whose stored score or trap differs from what the current key gives it."""

    response_id: int
    attempt_id: int
    attempt_number: int
    user_id: int
    username: str
    question_instance_id: int
    position: int
    try_number: int
    counted: bool
    """The last graded try of its question in its attempt (the one the grade counts)."""
    old_score: float
    new_score: float
    max_score: float
    old_trap: str | None
    new_trap: str | None
    overridden: bool
    """Its score was set by hand (newest change an override): left alone unless the regrade includes overrides."""
    applies: bool
    """Whether applying this regrade changes it (not overridden, or overrides included)."""


class RegradeProblemOut(OutModel):
    """A question (or one answer to it) the regrade could not score: left as it is."""

    question_instance_id: int
    position: int
    response_id: int | None
    message: str


class RegradeOut(OutModel):
    assessment_id: int
    responses: int
    """Responses re-scored."""
    changes: list[RegradeChangeOut]
    problems: list[RegradeProblemOut]
    include_overridden: bool
    applied: bool
    applied_by: int | None = None
    applied_at: dt.datetime | None = None

    @property
    def to_apply(self) -> list[RegradeChangeOut]:
        return [c for c in self.changes if c.applies]


# ------------------------------------------------------------------ data functions


def _trail_query(assessment_id: int):  # type: ignore[no-untyped-def]
    actor = D.User.__table__.alias("actor")
    return (
        select(
            D.ScoreChange,
            D.Response.attempt_id,
            D.Response.max_score,
            D.Attempt.number,
            D.Attempt.user_id,
            D.User.username,
            D.QuestionInstance.position,
            actor.c.username,
        )
        .join(D.Response, D.Response.id == D.ScoreChange.response_id)
        .join(D.Attempt, D.Attempt.id == D.Response.attempt_id)
        .join(D.User, D.User.id == D.Attempt.user_id)
        .join(D.QuestionInstance, D.QuestionInstance.id == D.Response.question_instance_id)
        .outerjoin(actor, actor.c.id == D.ScoreChange.actor_id)
        .where(D.ScoreChange.assessment_id == assessment_id)
        .order_by(D.ScoreChange.created_at, D.ScoreChange.id)
    )


def score_changes(s: Session, assessment_id: int, *, user_id: int | None = None) -> list[ScoreChangeOut]:
    """The audit trail of an assessment, oldest first (a data function: no access check)."""
    stmt = _trail_query(assessment_id)
    if user_id is not None:
        stmt = stmt.where(D.Attempt.user_id == user_id)
    return [
        ScoreChangeOut(
            id=c.id,
            assessment_id=c.assessment_id,
            response_id=c.response_id,
            attempt_id=attempt_id,
            attempt_number=number,
            user_id=uid,
            username=username,
            position=position,
            actor_id=c.actor_id,
            actor=actor,
            kind=c.kind,  # type: ignore[arg-type]
            old_score=c.old_score,
            new_score=c.new_score,
            max_score=max_score,
            old_trap=c.old_trap,
            new_trap=c.new_trap,
            reason=c.reason,
            created_at=c.created_at,
        )
        for c, attempt_id, max_score, number, uid, username, position, actor in s.execute(stmt).all()
    ]


def overridden_responses(s: Session, assessment_id: int) -> set[int]:
    """The ids of the responses of an assessment whose newest score change is a manual override."""
    newest = (
        select(func.max(D.ScoreChange.id))
        .where(D.ScoreChange.assessment_id == assessment_id)
        .group_by(D.ScoreChange.response_id)
        .scalar_subquery()
    )
    return set(
        s.execute(
            select(D.ScoreChange.response_id).where(D.ScoreChange.id.in_(newest), D.ScoreChange.kind == "override")
        ).scalars()
    )


def _refresh_grade(s: Session, attempt_id: int) -> None:
    """Bring a finished attempt's stored grade to the sum of its counted scores (no grade yet: nothing to do)."""
    g = s.execute(select(D.Grade).where(D.Grade.attempt_id == attempt_id)).scalar_one_or_none()
    if g is not None:
        g.score = attempt_score(s, attempt_id)


def _is_last_try(s: Session, r: D.Response) -> bool:
    last = s.execute(
        select(func.max(D.Response.try_number)).where(
            D.Response.attempt_id == r.attempt_id, D.Response.question_instance_id == r.question_instance_id
        )
    ).scalar_one()
    return bool(r.try_number == last)


def clean_reason(reason: str) -> str:
    """The reason as stored: trimmed, storable, at most :data:`MAX_REASON` characters; an empty one is refused."""
    text = storable(" ".join(reason.split())) if isinstance(reason, str) else ""
    if not text:
        raise ValueError("an override needs a reason")
    if len(text) > MAX_REASON:
        raise ValueError(f"a reason is at most {MAX_REASON} characters")
    return text


# ------------------------------------------------------------------ services


def list_score_changes(
    sf: SessionFactory, actor_id: int, assessment_id: int, *, user_id: int | None = None
) -> list[ScoreChangeOut]:
    """The audit trail of an assessment (every override and applied regrade), oldest first; for its graders."""
    with read_session(sf) as s:
        require_assessment_grader(s, actor_id, assessment_id)
        return score_changes(s, assessment_id, user_id=user_id)


def list_overridden(sf: SessionFactory, actor_id: int, assessment_id: int) -> set[int]:
    """:func:`overridden_responses`, for a grader of the course."""
    with read_session(sf) as s:
        require_assessment_grader(s, actor_id, assessment_id)
        return overridden_responses(s, assessment_id)


def override_score(
    sf: SessionFactory,
    actor_id: int,
    response_id: int,
    new_score: float,
    reason: str,
    *,
    now: dt.datetime | None = None,
) -> ScoreChangeOut:
    """Set a response's score by hand (points, between 0 and the question's points) with a required reason.

    Only the response a grade counts (the last graded try of its question in its attempt) may be overridden.
    The attempt's stored grade follows; the change is kept in the audit trail.
    """
    t = now_utc(now)
    text = clean_reason(reason)
    score = float(new_score)

    def tx() -> ScoreChangeOut:
        with write_session(sf) as s:
            r = s.get(D.Response, response_id)
            if r is None:
                raise NotFound(f"no response {response_id}")
            lock_attempt(s.connection(), r.attempt_id)
            att = s.get(D.Attempt, r.attempt_id)
            assert att is not None
            a = require_assessment_grader(s, actor_id, att.assessment_id)
            if not math.isfinite(score) or score < 0 or score > r.max_score + _EPS:
                raise ValueError(f"the score must be between 0 and {r.max_score:g}")
            if not _is_last_try(s, r):
                raise Conflict("only the last try of a question counts: override that one")
            change = D.ScoreChange(
                assessment_id=a.id,
                response_id=r.id,
                actor_id=actor_id,
                kind="override",
                old_score=r.score,
                new_score=score,
                old_trap=r.trap,
                new_trap=r.trap,
                reason=text,
                created_at=t,
            )
            r.score = score
            r.correct = r.max_score > 0 and score >= r.max_score - _EPS
            s.add(change)
            s.flush()
            _refresh_grade(s, att.id)
            s.flush()
            return next(c for c in score_changes(s, a.id, user_id=att.user_id) if c.id == change.id)

    return retrying(tx)


def _regrade(s: Session, a: D.Assessment, include_overridden: bool) -> RegradeOut:
    """Re-score every response of the assessment against its regenerated question (no write)."""
    rows = s.execute(
        select(D.Response, D.Attempt.number, D.Attempt.user_id, D.User.username, D.QuestionInstance)
        .join(D.Attempt, D.Attempt.id == D.Response.attempt_id)
        .join(D.User, D.User.id == D.Attempt.user_id)
        .join(D.QuestionInstance, D.QuestionInstance.id == D.Response.question_instance_id)
        .where(D.Attempt.assessment_id == a.id)
        .order_by(D.User.username, D.Attempt.number, D.QuestionInstance.position, D.Response.try_number)
    ).all()
    overridden = overridden_responses(s, a.id)
    last: dict[tuple[int, int], int] = {}
    for r, *_ in rows:
        k = (r.attempt_id, r.question_instance_id)
        last[k] = max(last.get(k, 0), r.try_number)
    questions: dict[int, AnyQuestion | None] = {}
    problems: list[RegradeProblemOut] = []
    changes: list[RegradeChangeOut] = []
    scored = 0
    for r, number, uid, username, inst in rows:
        if inst.id not in questions:
            try:
                questions[inst.id] = regenerate(inst)
            except (KeyMismatch, KeyError, ValueError) as e:
                questions[inst.id] = None
                problems.append(RegradeProblemOut(question_instance_id=inst.id, position=inst.position, response_id=None, message=str(e)))  # fmt: skip
        q = questions[inst.id]
        if q is None:
            continue
        try:
            g = grade(q, r.parsed)
        except (ValueError, TypeError) as e:
            problems.append(RegradeProblemOut(question_instance_id=inst.id, position=inst.position, response_id=r.id, message=str(e)))  # fmt: skip
            continue
        scored += 1
        new = round(g.score * r.max_score, 9)
        if abs(new - r.score) <= _EPS and g.trap == r.trap:
            continue
        manual = r.id in overridden
        changes.append(
            RegradeChangeOut(
                response_id=r.id,
                attempt_id=r.attempt_id,
                attempt_number=number,
                user_id=uid,
                username=username,
                question_instance_id=inst.id,
                position=inst.position,
                try_number=r.try_number,
                counted=last[(r.attempt_id, inst.id)] == r.try_number,
                old_score=r.score,
                new_score=new,
                max_score=r.max_score,
                old_trap=r.trap,
                new_trap=g.trap,
                overridden=manual,
                applies=include_overridden or not manual,
            )
        )
    return RegradeOut(
        assessment_id=a.id,
        responses=scored,
        changes=changes,
        problems=problems,
        include_overridden=include_overridden,
        applied=False,
    )


def regrade_assessment(
    sf: SessionFactory,
    actor_id: int,
    assessment_id: int,
    *,
    apply: bool = False,
    include_overridden: bool = False,
    reason: str = REGRADE_REASON,
    now: dt.datetime | None = None,
) -> RegradeOut:
    """Re-score every response of an assessment against the current key.

    ``apply=False`` (the dry run) only lists what would change. ``apply=True`` writes the new scores and traps
    (overridden responses only with ``include_overridden``), records an audit row per change (who, when, old, new,
    ``reason``) and refreshes the grades of the attempts it touched. Applying twice changes nothing the second time.
    """
    t = now_utc(now)
    note = storable(" ".join(reason.split()))[:MAX_REASON] or REGRADE_REASON
    if not apply:
        with read_session(sf) as s:
            a = require_assessment_grader(s, actor_id, assessment_id)
            return _regrade(s, a, include_overridden)

    def tx() -> RegradeOut:
        with write_session(sf) as s:
            a = require_assessment_grader(s, actor_id, assessment_id)
            out = _regrade(s, a, include_overridden)
            todo = out.to_apply
            for attempt_id in sorted({c.attempt_id for c in todo}):
                lock_attempt(s.connection(), attempt_id)
            for c in todo:
                r = s.get(D.Response, c.response_id)
                assert r is not None
                s.add(
                    D.ScoreChange(
                        assessment_id=a.id,
                        response_id=r.id,
                        actor_id=actor_id,
                        kind="regrade",
                        old_score=r.score,
                        new_score=c.new_score,
                        old_trap=r.trap,
                        new_trap=c.new_trap,
                        reason=note,
                        created_at=t,
                    )
                )
                r.score = c.new_score
                r.trap = c.new_trap
                r.correct = r.max_score > 0 and c.new_score >= r.max_score - _EPS
            s.flush()
            for attempt_id in {c.attempt_id for c in todo}:
                _refresh_grade(s, attempt_id)
            s.flush()
            return out.model_copy(update={"applied": True, "applied_by": actor_id, "applied_at": t})

    return retrying(tx)
