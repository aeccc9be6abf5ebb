"""Spaced-repetition storage: each student's FSRS card per concept, the review log, and serving and applying
self-study reviews (the scheduling itself is :mod:`grader.srs`)."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

from sqlalchemy import bindparam, select

from quizbank.regenerate import canonical_json

from .. import db as D
from ..db import SessionFactory, read_session, write_session
from .assessments import QuestionView, add_personal_question, get_question
from .common import AccessDenied, NotFound, OutModel, aware, now_utc, retrying, user_row


class ReviewCardOut(OutModel):
    user_id: int
    concept: str
    card: dict[str, Any]
    due: dt.datetime
    reviews: int
    updated_at: dt.datetime


class ReviewLogOut(OutModel):
    concept: str
    rating: int
    """FSRS's rating: 1 Again, 2 Hard, 3 Good, 4 Easy."""
    response_id: int | None
    log: dict[str, Any]
    reviewed_at: dt.datetime


def list_review_cards(sf: SessionFactory, actor_id: int) -> list[ReviewCardOut]:
    """Every card of the actor's, soonest due first."""
    with read_session(sf) as s:
        rows = s.execute(
            select(D.ReviewCard).where(D.ReviewCard.user_id == actor_id).order_by(D.ReviewCard.due, D.ReviewCard.id)
        ).scalars()
        return [ReviewCardOut.model_validate(c) for c in rows]


def review_history(sf: SessionFactory, actor_id: int, *, concept: str | None = None) -> list[ReviewLogOut]:
    """The actor's review log, oldest first (of one concept, or of all)."""
    stmt = select(D.ReviewLog).where(D.ReviewLog.user_id == actor_id)
    if concept is not None:
        stmt = stmt.where(D.ReviewLog.concept == concept)
    with read_session(sf) as s:
        rows = s.execute(stmt.order_by(D.ReviewLog.reviewed_at, D.ReviewLog.id)).scalars()
        return [ReviewLogOut.model_validate(r) for r in rows]


def get_review_card(sf: SessionFactory, actor_id: int, concept: str) -> ReviewCardOut | None:
    with read_session(sf) as s:
        c = s.execute(
            select(D.ReviewCard).where(D.ReviewCard.user_id == actor_id, D.ReviewCard.concept == concept)
        ).scalar_one_or_none()
        return None if c is None else ReviewCardOut.model_validate(c)


def save_review_card(
    sf: SessionFactory,
    actor_id: int,
    concept: str,
    card: dict[str, Any],
    due: dt.datetime,
    *,
    rating: int | None = None,
    log: dict[str, Any] | None = None,
    response_id: int | None = None,
    now: dt.datetime | None = None,
) -> ReviewCardOut:
    """Insert or replace the actor's card for a concept (and log the review when ``rating`` is given)."""
    t = now_utc(now)
    due_utc = aware(due, "due")
    assert due_utc is not None
    card_json = canonical_json(card)

    def tx() -> ReviewCardOut:
        with write_session(sf) as s:
            user_row(s, actor_id)
            c = s.execute(
                select(D.ReviewCard).where(D.ReviewCard.user_id == actor_id, D.ReviewCard.concept == concept)
            ).scalar_one_or_none()
            if c is None:
                c = D.ReviewCard(user_id=actor_id, concept=concept, card=card_json, due=due_utc, reviews=0)
                c.created_at = t
                s.add(c)
            else:
                c.card, c.due = card_json, due_utc
            c.updated_at = t
            if rating is not None:
                c.reviews = (c.reviews or 0) + 1
                s.add(
                    D.ReviewLog(
                        user_id=actor_id,
                        concept=concept,
                        rating=rating,
                        response_id=response_id,
                        log=canonical_json(log or {}),
                        reviewed_at=t,
                    )
                )
            s.flush()
            return ReviewCardOut.model_validate(c)

    return retrying(tx)


def due_review_cards(
    sf: SessionFactory, actor_id: int, *, now: dt.datetime | None = None, limit: int = 100
) -> list[ReviewCardOut]:
    """The actor's cards due at ``now``, most overdue first."""
    t = now_utc(now)
    with read_session(sf) as s:
        rows = s.execute(
            select(D.ReviewCard)
            .where(D.ReviewCard.user_id == actor_id, D.ReviewCard.due <= t)
            .order_by(D.ReviewCard.due)
            .limit(limit)
        ).scalars()
        return [ReviewCardOut.model_validate(c) for c in rows]


def srs_next_question(
    sf: SessionFactory,
    actor_id: int,
    assessment_id: int,
    concept: str,
    *,
    seed: int | None = None,
    now: dt.datetime | None = None,
) -> QuestionView:
    """Serve a spaced-repetition review of ``concept`` (a topic id) in a self-study assessment.

    The actor's card is created on first use (:func:`grader.srs.new_card`); the question is a freshly
    generated variant (:func:`grader.srs.next_variant`, never the previous generator+seed) at the
    difficulty the card's state calls for (:func:`grader.srs.question_difficulty`), stored as a personal
    question instance, so answering it goes through :func:`submit_answer` like any other.
    """
    from .. import srs

    t = now_utc(now)
    card = get_review_card(sf, actor_id, concept)
    if card is None:
        card_json = srs.new_card(actor_id, concept, t)
        save_review_card(sf, actor_id, concept, json.loads(card_json), srs.due(card_json), now=t)
    else:
        card_json = json.dumps(card.card)
    difficulty = srs.question_difficulty(card_json)
    with read_session(sf) as s:
        prev = s.execute(
            select(D.QuestionInstance.generator, D.QuestionInstance.seed)
            .where(
                D.QuestionInstance.assessment_id == assessment_id,
                D.QuestionInstance.owner_id == actor_id,
                D.QuestionInstance.topic == concept,
            )
            .order_by(D.QuestionInstance.position.desc())
            .limit(1)
        ).one_or_none()
    previous = (prev[0], int(prev[1])) if prev is not None else None
    gen, sd = srs.next_variant(concept, difficulty, seed if seed is not None else secrets.randbits(63), previous)
    inst = add_personal_question(sf, actor_id, assessment_id, gen, difficulty, seed=sd, now=t)
    return get_question(sf, actor_id, inst.id, now=t)


_CARD_FOR_UPDATE = (
    select(D.ReviewCard)
    .where(D.ReviewCard.user_id == bindparam("u"), D.ReviewCard.concept == bindparam("c"))
    .with_for_update()
)


def srs_record_review(
    sf: SessionFactory, actor_id: int, response_id: int, *, now: dt.datetime | None = None
) -> ReviewCardOut:
    """Apply a recorded self-study response to the actor's card for the question's concept.

    Idempotent per response (a review log row names it): a retried call changes nothing. The card is
    row-locked on PostgreSQL, so two reviews of one card never interleave.
    """
    from .. import srs

    t = now_utc(now)

    def tx() -> ReviewCardOut:
        with write_session(sf) as s:
            row = s.execute(
                select(D.Response, D.Attempt.user_id, D.QuestionInstance.topic, D.Assessment.kind)
                .join(D.Attempt, D.Attempt.id == D.Response.attempt_id)
                .join(D.QuestionInstance, D.QuestionInstance.id == D.Response.question_instance_id)
                .join(D.Assessment, D.Assessment.id == D.Attempt.assessment_id)
                .where(D.Response.id == response_id)
            ).one_or_none()
            if row is None:
                raise NotFound(f"no response {response_id}")
            r, owner, concept, kind = row
            if owner != actor_id:
                raise AccessDenied("this is not your response")
            if kind != "self_study":
                raise AccessDenied("spaced repetition reviews are self-study responses")
            card = s.execute(_CARD_FOR_UPDATE, {"u": actor_id, "c": concept}).scalar_one_or_none()
            if card is None:
                fresh = srs.new_card(actor_id, concept, r.created_at)
                card = D.ReviewCard(
                    user_id=actor_id, concept=concept, card=json.loads(fresh), due=srs.due(fresh), reviews=0
                )
                card.created_at = card.updated_at = t
                s.add(card)
                s.flush()
            done = s.execute(select(D.ReviewLog.id).where(D.ReviewLog.response_id == r.id)).first()
            if done is None:
                full = r.score >= r.max_score - 1e-9
                new_json, due = srs.review(json.dumps(card.card), full, r.time_taken_ms, r.created_at)
                card.card, card.due, card.updated_at = json.loads(new_json), due, t
                card.reviews = (card.reviews or 0) + 1
                rating = srs.rating_for(full, r.time_taken_ms)
                s.add(
                    D.ReviewLog(
                        user_id=actor_id,
                        concept=concept,
                        rating=int(rating),
                        response_id=r.id,
                        log={"correct": full, "time_taken_ms": r.time_taken_ms, "rating": rating.name},
                        reviewed_at=r.created_at,
                    )
                )
                s.flush()
            return ReviewCardOut.model_validate(card)

    return retrying(tx)
