"""Spaced repetition for self-study, on the FSRS scheduler (the ``fsrs`` package, v6 API).

Each (student, concept) pair is one FSRS card; a concept is a quizbank topic id.  A review serves a
**freshly generated variant** of the concept (:func:`next_variant`: another generator of the topic
and a new seed), so a student recalls the idea, not one memorised answer.  The card's state is plain
JSON (``fsrs.Card.to_json``), which the DB stores; every function here is pure: JSON in, JSON out,
with an explicit ``now``.

Grade → FSRS rating (:func:`rating_for`)
    * wrong (no full credit)                      → ``Again``
    * correct in at most ``fast_ms`` (20 s)        → ``Easy``
    * correct after more than ``slow_ms`` (3 min)  → ``Hard``
    * correct otherwise, or time unknown           → ``Good``

Format errors never reach this module: they cost no attempt and are not reviews.

Fuzzing is off (``Scheduler(enable_fuzzing=False)``): FSRS's fuzz draws from the global ``random``
module, and a schedule replayed from the stored state must give the same due date.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Literal, TypeVar

from fsrs import Card, Rating, Scheduler, State

from quizbank.generators import generators

FAST_MS = 20_000
SLOW_MS = 180_000
REVIEW_STABILITY_DAYS = 21.0
"""From this stability on, reviews serve difficulty-3 variants (see :func:`question_difficulty`)."""

SCHEDULER = Scheduler(enable_fuzzing=False)

K = TypeVar("K")


def _utc(now: datetime) -> datetime:
    """FSRS demands aware UTC datetimes; a naive one (as SQLite returns) is taken to be UTC."""
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def card_id_for(student: int, concept: str) -> int:
    """A stable card id for (student, concept): 48 bits of BLAKE2b, the same on every machine and run."""
    digest = hashlib.blake2b(f"{student}/{concept}".encode(), digest_size=6).digest()
    return int.from_bytes(digest, "big")


def new_card(student: int, concept: str, now: datetime) -> str:
    """The JSON of a new card for (student, concept), due at ``now``."""
    if not generators(concept):
        raise KeyError(f"concept {concept!r} has no generators")
    return Card(card_id=card_id_for(student, concept), due=_utc(now)).to_json()


def load_card(card_json: str) -> Card:
    """Parse stored card JSON, with a clear error when it is not a card."""
    try:
        data = json.loads(card_json)
        return Card.from_dict(data)
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(f"not an FSRS card: {e}") from e


def rating_for(correct: bool, time_taken_ms: int | None, fast_ms: int = FAST_MS, slow_ms: int = SLOW_MS) -> Rating:
    """The FSRS rating of a graded review (the mapping in the module docstring)."""
    if not correct:
        return Rating.Again
    if time_taken_ms is None or time_taken_ms < 0:
        return Rating.Good
    if time_taken_ms <= fast_ms:
        return Rating.Easy
    if time_taken_ms > slow_ms:
        return Rating.Hard
    return Rating.Good


def review(
    card_json: str,
    correct: bool,
    time_taken_ms: int | None,
    now: datetime,
    scheduler: Scheduler = SCHEDULER,
) -> tuple[str, datetime]:
    """Apply one review at ``now``; returns the new card JSON and its next due time (UTC)."""
    card = load_card(card_json)
    rating = rating_for(correct, time_taken_ms)
    duration = time_taken_ms if time_taken_ms is not None and time_taken_ms >= 0 else None
    updated, _log = scheduler.review_card(card, rating, review_datetime=_utc(now), review_duration=duration)
    return updated.to_json(), updated.due


def due(card_json: str) -> datetime:
    return load_card(card_json).due


def due_cards(cards: Mapping[K, str], now: datetime) -> list[K]:
    """The keys (e.g. ``(student, concept)``) of the cards due at ``now``, most overdue first."""
    t = _utc(now)
    dues = [(load_card(js).due, i, k) for i, (k, js) in enumerate(cards.items())]
    return [k for d, _, k in sorted(dues, key=lambda x: (x[0], x[1])) if d <= t]


def retrievability(card_json: str, now: datetime, scheduler: Scheduler = SCHEDULER) -> float:
    """FSRS's predicted probability of recall at ``now`` (0 for a card never reviewed)."""
    return float(scheduler.get_card_retrievability(load_card(card_json), _utc(now)))


def recall_probability(card_json: str, when: datetime, scheduler: Scheduler = SCHEDULER) -> float:
    """FSRS's forgetting curve ``R = (1 + F·t/S)^D`` at ``when``, with ``t`` the days since the last review as a
    real number (:func:`retrievability`, like the scheduler, counts whole days, a step a chart should not draw);
    0 for a card never reviewed."""
    card = load_card(card_json)
    if card.last_review is None or card.stability is None:
        return 0.0
    decay = -float(scheduler.parameters[20])
    factor = 0.9 ** (1 / decay) - 1
    days = max(0.0, (_utc(when) - _utc(card.last_review)).total_seconds() / 86400)
    return float((1 + factor * days / card.stability) ** decay)


def question_difficulty(card_json: str) -> Literal[1, 2, 3]:
    """The quizbank difficulty to serve next: 1 while learning or relearning, 2 in review, 3 once the
    memory is stable (stability ≥ :data:`REVIEW_STABILITY_DAYS`)."""
    card = load_card(card_json)
    if card.state != State.Review or card.stability is None:
        return 1
    return 3 if card.stability >= REVIEW_STABILITY_DAYS else 2


def next_variant(
    concept: str,
    difficulty: int,
    rng_or_seed: random.Random | int,
    previous: tuple[str, int] | None = None,
) -> tuple[str, int]:
    """A fresh variant of ``concept``: ``(generator_id, seed)`` for :func:`quizbank.generators.generate`.

    The generator is drawn among the topic's generators that offer ``difficulty``, avoiding the
    ``previous`` variant's generator when the topic has another; the seed is a new 31-bit draw (never
    the previous seed).  The same ``rng_or_seed`` gives the same variant.
    """
    rng = rng_or_seed if isinstance(rng_or_seed, random.Random) else random.Random(rng_or_seed)
    specs = [g for g in generators(concept) if difficulty in g.difficulties]
    if not specs:
        raise ValueError(f"concept {concept!r} has no generator at difficulty {difficulty}")
    choices = sorted(g.id for g in specs)
    if previous is not None and len(choices) > 1:
        choices = [c for c in choices if c != previous[0]]
    gen_id = rng.choice(choices)
    seed = rng.randrange(2**31)
    while previous is not None and (gen_id, seed) == tuple(previous):
        seed = rng.randrange(2**31)
    return gen_id, seed
