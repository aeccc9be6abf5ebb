"""A student's own progress: mastery per topic, the traps they fall into most, their attempts and grades.

Only the actor's own rows are read, and only what they may already see: responses of an exam count (towards
accuracy and traps) once its key is released, and an exam's score stays hidden until then.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Integer, and_, cast, func, or_, select

from .. import db as D
from ..db import SessionFactory, read_session
from .common import Kind, OutModel, now_utc, user_row


class TopicMastery(OutModel):
    topic: str
    answered: int
    """Questions of this topic answered (first graded tries)."""
    first_try_correct: int
    reviews: int
    """Spaced-repetition reviews of this concept."""
    due: dt.datetime | None
    retrievability: float | None
    """FSRS's probability that the student recalls the concept now (``None``: no card yet)."""
    stability: float | None
    """Days for retrievability to fall to 90% (``None``: no card or never reviewed)."""


class TrapCount(OutModel):
    trap: str
    topic: str
    generator: str
    count: int
    last_at: dt.datetime


class AttemptSummary(OutModel):
    assessment_id: int
    title: str
    kind: Kind
    course_code: str
    attempt_id: int
    attempt_number: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    score: float | None
    """``None`` while unfinished, or while an exam's key is not released."""
    max_score: float | None


class ProgressOut(OutModel):
    topics: list[TopicMastery]
    traps: list[TrapCount]
    attempts: list[AttemptSummary]


def student_progress(
    sf: SessionFactory, actor_id: int, *, now: dt.datetime | None = None, traps: int = 10
) -> ProgressOut:
    """The actor's progress (see the module docstring); ``traps``: how many of the most frequent traps to list."""
    from .. import srs

    t = now_utc(now)
    visible = or_(
        D.Assessment.kind != "exam",
        and_(D.Assessment.key_release_at.is_not(None), D.Assessment.key_release_at <= t),
    )
    with read_session(sf) as s:
        user_row(s, actor_id)
        mine = (
            select(D.Response, D.QuestionInstance.topic, D.QuestionInstance.generator)
            .join(D.Attempt, D.Attempt.id == D.Response.attempt_id)
            .join(D.Assessment, D.Assessment.id == D.Attempt.assessment_id)
            .join(D.QuestionInstance, D.QuestionInstance.id == D.Response.question_instance_id)
            .where(D.Attempt.user_id == actor_id, visible)
            .subquery()
        )
        per_topic = s.execute(
            select(
                mine.c.topic,
                func.count(),
                func.sum(cast(mine.c.correct, Integer)),
            )
            .where(mine.c.try_number == 1)
            .group_by(mine.c.topic)
        ).all()
        trap_rows = s.execute(
            select(mine.c.trap, mine.c.topic, mine.c.generator, func.count().label("n"), func.max(mine.c.created_at))
            .where(mine.c.trap.is_not(None))
            .group_by(mine.c.trap, mine.c.topic, mine.c.generator)
            .order_by(func.count().desc(), func.max(mine.c.created_at).desc())
            .limit(traps)
        ).all()
        cards = s.execute(select(D.ReviewCard).where(D.ReviewCard.user_id == actor_id)).scalars().all()
        attempt_rows = s.execute(
            select(D.Attempt, D.Assessment, D.Course.code, D.Grade)
            .join(D.Assessment, D.Assessment.id == D.Attempt.assessment_id)
            .join(D.Course, D.Course.id == D.Assessment.course_id)
            .outerjoin(D.Grade, D.Grade.attempt_id == D.Attempt.id)
            .where(D.Attempt.user_id == actor_id, D.Assessment.owner_id.is_(None))
            .order_by(D.Attempt.started_at.desc(), D.Attempt.id.desc())
        ).all()

    answered = {topic: (int(n), int(ok or 0)) for topic, n, ok in per_topic}
    by_card = {}
    for c in cards:
        js = json.dumps(c.card)
        by_card[c.concept] = (c, srs.recall_probability(js, t), srs.load_card(js).stability)
    topics = []
    for topic in sorted(set(answered) | set(by_card)):
        n, ok = answered.get(topic, (0, 0))
        card = by_card.get(topic)
        topics.append(
            TopicMastery(
                topic=topic,
                answered=n,
                first_try_correct=ok,
                reviews=card[0].reviews if card else 0,
                due=card[0].due if card else None,
                retrievability=card[1] if card else None,
                stability=card[2] if card else None,
            )
        )
    attempts = []
    for att, a, code, g in attempt_rows:
        shown = a.kind != "exam" or (a.key_release_at is not None and t >= a.key_release_at)
        attempts.append(
            AttemptSummary(
                assessment_id=a.id,
                title=a.title,
                kind=a.kind,
                course_code=code,
                attempt_id=att.id,
                attempt_number=att.number,
                started_at=att.started_at,
                finished_at=att.finished_at,
                score=g.score if g is not None and shown else None,
                max_score=g.max_score if g is not None else None,
            )
        )
    return ProgressOut(
        topics=topics,
        traps=[
            TrapCount(trap=trap, topic=topic, generator=gen, count=int(n), last_at=last)
            for trap, topic, gen, n, last in trap_rows
        ],
        attempts=attempts,
    )
