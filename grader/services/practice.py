"""Each user's own self-study record: practice answers and spaced-repetition reviews, kept in one personal
self-study assessment per user (``assessments.owner_id``).

The record lives in the user's first course (the oldest enrolment), so that course's instructors see the
practice in their analytics; a user in no course has no record (:class:`NotFound`, with a message saying how to
get one). Every question in it is a personal variant (:func:`add_personal_question`), every answer goes through
:func:`submit_answer` (so it is parsed, graded and stored exactly once per idempotency key, and a malformed
answer costs nothing), in one unfinished attempt that is resumed each time. A question allows
:data:`PRACTICE_TRIES` graded tries; the *first* graded try of each question is a spaced-repetition review of its
concept (:func:`srs_record_review`), rated from its correctness and time.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import db as D
from ..db import SessionFactory, read_session, write_session
from .answers import SubmitResult, submit_answer
from .assessments import QuestionInstanceOut, QuestionView, add_personal_question
from .attempts import start_attempt
from .common import AccessDenied, NotFound, OutModel, now_utc, user_row
from .review import ReviewCardOut, srs_next_question, srs_record_review

PRACTICE_TRIES = 2
"""Graded tries per practice question (Moodle's interactive mode: try, feedback, try again, then the answer)."""


class PracticeAnswerOut(OutModel):
    instance_id: int
    result: SubmitResult
    card: ReviewCardOut | None = None
    """The concept's spaced-repetition card after this answer (first graded tries only)."""
    rating: str | None = None
    """The FSRS rating the answer earned (``Again``, ``Hard``, ``Good``, ``Easy``), first graded tries only."""


def practice_assessment_id(sf: SessionFactory, actor_id: int, *, now: dt.datetime | None = None) -> int:
    """The actor's personal self-study assessment, created on first use in their first course."""
    t = now_utc(now)
    with read_session(sf) as s:
        found = s.execute(select(D.Assessment.id).where(D.Assessment.owner_id == actor_id)).scalar_one_or_none()
    if found is not None:
        return int(found)
    try:
        with write_session(sf) as s:
            u = user_row(s, actor_id)
            course_id = s.execute(
                select(D.Enrolment.course_id)
                .where(D.Enrolment.user_id == actor_id)
                .order_by(D.Enrolment.created_at, D.Enrolment.id)
                .limit(1)
            ).scalar_one_or_none()
            if course_id is None:
                raise NotFound("your practice is kept once you are in a course: join one with its join code")
            a = D.Assessment(
                course_id=course_id,
                title=f"Self-study: {u.username}",
                kind="self_study",
                blueprint=[],
                seed=0,
                tries_per_question=PRACTICE_TRIES,
                opens_at=t,
                key_release_at=t,
                owner_id=actor_id,
            )
            s.add(a)
            s.flush()
            return a.id
    except IntegrityError:  # a concurrent first use made it
        with read_session(sf) as s:
            return int(s.execute(select(D.Assessment.id).where(D.Assessment.owner_id == actor_id)).scalar_one())


def add_practice_question(
    sf: SessionFactory, actor_id: int, generator: str, seed: int, difficulty: int, *, now: dt.datetime | None = None
) -> QuestionInstanceOut:
    """Store the variant ``(generator, seed, difficulty)`` the actor is practising, as a personal question."""
    aid = practice_assessment_id(sf, actor_id, now=now)
    return add_personal_question(sf, actor_id, aid, generator, difficulty, seed=seed, now=now)


def _own_practice_question(sf: SessionFactory, actor_id: int, instance_id: int) -> int:
    """The personal assessment holding the actor's practice question ``instance_id`` (else refused)."""
    with read_session(sf) as s:
        row = s.execute(
            select(D.QuestionInstance.owner_id, D.Assessment.owner_id, D.Assessment.id)
            .join(D.Assessment, D.Assessment.id == D.QuestionInstance.assessment_id)
            .where(D.QuestionInstance.id == instance_id)
        ).one_or_none()
    if row is None:
        raise NotFound(f"no question {instance_id}")
    q_owner, a_owner, aid = row
    if q_owner != actor_id or a_owner != actor_id:
        raise AccessDenied("this question is not in your practice record")
    return int(aid)


def answer_practice(
    sf: SessionFactory,
    actor_id: int,
    instance_id: int,
    raw: str,
    idempotency_key: str,
    time_taken_ms: int | None = None,
    *,
    now: dt.datetime | None = None,
) -> PracticeAnswerOut:
    """Record an answer to one of the actor's practice questions; a first graded try also reviews its concept.

    Refuses someone else's question (:class:`AccessDenied`) and a third try (:class:`TriesExhausted`); a
    malformed answer records nothing (``result.status == "format_error"``). Idempotent per key, the review too.
    """
    from .. import srs

    t = now_utc(now)
    aid = _own_practice_question(sf, actor_id, instance_id)
    attempt = start_attempt(sf, actor_id, aid, now=t)
    result = submit_answer(sf, actor_id, attempt.id, instance_id, raw, idempotency_key, time_taken_ms, now=t)
    if result.response is None or result.response.try_number != 1:
        return PracticeAnswerOut(instance_id=instance_id, result=result)
    card = srs_record_review(sf, actor_id, result.response.id, now=t)
    full = result.response.score is not None and result.response.score >= result.response.max_score - 1e-9
    rating = srs.rating_for(full, result.response.time_taken_ms).name
    return PracticeAnswerOut(instance_id=instance_id, result=result, card=card, rating=rating)


def next_review_question(
    sf: SessionFactory, actor_id: int, concept: str, *, seed: int | None = None, now: dt.datetime | None = None
) -> QuestionView:
    """A freshly generated variant of ``concept`` to review, at the difficulty the actor's card calls for."""
    aid = practice_assessment_id(sf, actor_id, now=now)
    return srs_next_question(sf, actor_id, aid, concept, seed=seed, now=now)
