"""grader.srs: FSRS cards for (student, concept), JSON round trips, scheduling, fresh variants."""

from __future__ import annotations

import itertools
import json
import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fsrs import Rating, State

from grader.srs import (
    FAST_MS,
    SLOW_MS,
    card_id_for,
    due,
    due_cards,
    load_card,
    new_card,
    next_variant,
    question_difficulty,
    rating_for,
    retrievability,
    review,
)
from quizbank.generators import REGISTRY, TOPICS, generate, generators

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
NORMAL_MS = 60_000  # correct, neither fast nor slow → Good


def test_rating_mapping() -> None:
    assert rating_for(False, 5_000) == Rating.Again
    assert rating_for(False, None) == Rating.Again
    assert rating_for(True, FAST_MS) == Rating.Easy
    assert rating_for(True, FAST_MS + 1) == Rating.Good
    assert rating_for(True, SLOW_MS) == Rating.Good
    assert rating_for(True, SLOW_MS + 1) == Rating.Hard
    assert rating_for(True, None) == Rating.Good
    assert rating_for(True, -1) == Rating.Good  # a clock glitch is not a fast answer


def test_new_card_round_trips_through_json() -> None:
    js = new_card(7, "dilation", NOW)
    card = load_card(js)
    assert card.card_id == card_id_for(7, "dilation") and card.due == NOW and card.state == State.Learning
    assert load_card(js).to_json() == js
    assert card_id_for(7, "dilation") == card_id_for(7, "dilation")
    assert card_id_for(7, "dilation") != card_id_for(8, "dilation") != card_id_for(7, "pooling")
    assert 0 <= card_id_for(7, "dilation") < 2**48
    with pytest.raises(KeyError):
        new_card(7, "no_such_topic", NOW)


def test_reviewed_card_round_trips_and_reloads_to_the_same_schedule() -> None:
    js, when = review(new_card(1, "pooling", NOW), True, NORMAL_MS, NOW)
    assert load_card(js).to_json() == js and due(js) == when
    # a DB JSON column may hand the state back re-serialised with another key order
    reordered = json.dumps(dict(sorted(json.loads(js).items(), reverse=True)))
    assert review(reordered, True, NORMAL_MS, when) == review(js, True, NORMAL_MS, when)


def _run(answers: list[tuple[bool, int | None]], start: datetime = NOW) -> list[tuple[str, datetime, timedelta]]:
    """Review at each due time; returns (card json, due, interval) after every review."""
    js, t, out = new_card(1, "pooling", start), start, []
    for correct, ms in answers:
        js, nxt = review(js, correct, ms, t)
        out.append((js, nxt, nxt - t))
        t = nxt
    return out


def test_good_moves_due_forward_and_again_keeps_it_short() -> None:
    steps = _run([(True, NORMAL_MS)] * 5 + [(False, NORMAL_MS)])
    intervals = [iv for _, _, iv in steps]
    # learning step (10 min), then review intervals that grow with each Good
    assert intervals[0] <= timedelta(minutes=10)
    assert intervals[1] >= timedelta(days=1)
    assert all(b > a for a, b in itertools.pairwise(intervals[:5]))
    assert intervals[4] >= timedelta(days=14)
    assert load_card(steps[4][0]).state == State.Review
    # a lapse: back to relearning, due again within minutes
    assert intervals[5] <= timedelta(minutes=10)
    assert load_card(steps[5][0]).state == State.Relearning
    # a wrong answer on a new card: due again within the first learning step
    (_, _, first_wrong), *_ = _run([(False, NORMAL_MS)])
    assert first_wrong <= timedelta(minutes=1)


def test_easy_beats_good_beats_hard_from_the_same_state() -> None:
    js, when, _ = _run([(True, NORMAL_MS)] * 3)[-1]
    assert load_card(js).state == State.Review
    hard = review(js, True, SLOW_MS + 1, when)[1]
    good = review(js, True, NORMAL_MS, when)[1]
    easy = review(js, True, FAST_MS, when)[1]
    again = review(js, False, NORMAL_MS, when)[1]
    assert again < hard < good < easy


def test_scheduling_is_deterministic_with_a_fixed_now() -> None:
    # long intervals (past FSRS's 2.5-day fuzz threshold) come out identical on every replay
    answers = [(True, NORMAL_MS)] * 8
    a, b = _run(answers), _run(answers)
    assert a == b
    assert a[-1][2] > timedelta(days=30)
    # the day of the review shifts every due date by the same amount
    shifted = _run(answers, NOW + timedelta(days=10))
    assert [s[2] for s in shifted] == [x[2] for x in a]


def test_naive_and_non_utc_times_are_read_as_utc() -> None:
    js = new_card(2, "vit", NOW)
    utc = review(js, True, NORMAL_MS, NOW)
    assert review(js, True, NORMAL_MS, NOW.replace(tzinfo=None)) == utc
    paris = NOW.astimezone(timezone(timedelta(hours=1)))
    assert review(js, True, NORMAL_MS, paris) == utc
    assert utc[1].tzinfo is not None and utc[1].utcoffset() == timedelta(0)


def test_due_cards_most_overdue_first() -> None:
    cards = {
        (1, "pooling"): new_card(1, "pooling", NOW - timedelta(days=2)),
        (1, "vit"): new_card(1, "vit", NOW + timedelta(hours=1)),
        (2, "pooling"): new_card(2, "pooling", NOW - timedelta(days=5)),
        (2, "vit"): new_card(2, "vit", NOW),
    }
    assert due_cards(cards, NOW) == [(2, "pooling"), (1, "pooling"), (2, "vit")]
    assert due_cards(cards, NOW - timedelta(days=10)) == []
    assert len(due_cards(cards, NOW + timedelta(days=1))) == 4


def test_retrievability_and_question_difficulty_follow_the_card() -> None:
    js = new_card(3, "dilation", NOW)
    assert retrievability(js, NOW) == 0 and question_difficulty(js) == 1
    steps = _run([(True, NORMAL_MS)] * 2)
    js2, when, _ = steps[-1]
    assert load_card(js2).state == State.Review and question_difficulty(js2) == 2
    # at the due date the predicted recall is about the desired retention (0.9)
    assert retrievability(js2, when) == pytest.approx(0.9, abs=0.05)
    assert retrievability(js2, when + timedelta(days=60)) < retrievability(js2, when)
    stable = _run([(True, FAST_MS)] * 4)[-1][0]
    assert load_card(stable).stability is not None and load_card(stable).stability >= 21
    assert question_difficulty(stable) == 3
    lapsed = review(stable, False, NORMAL_MS, NOW + timedelta(days=400))[0]
    assert question_difficulty(lapsed) == 1


def test_load_card_rejects_garbage() -> None:
    for bad in ("", "{}", "[1, 2]", '{"card_id": "x"}', "not json"):
        with pytest.raises(ValueError, match="not an FSRS card"):
            load_card(bad)


# ------------------------------------------------------------------ fresh variants


def test_next_variant_serves_a_fresh_variant_of_the_concept() -> None:
    for topic in sorted(TOPICS):
        gen, seed = next_variant(topic, 2, 123)
        assert REGISTRY[gen].topic == topic and 0 <= seed < 2**31
        q = generate(gen, seed, 2)
        assert q.topic == topic and q.generator == gen
        assert next_variant(topic, 2, 123) == (gen, seed)  # same seed, same variant
        if len(generators(topic)) > 1:
            assert next_variant(topic, 2, 123, previous=(gen, seed))[0] != gen


def test_successive_reviews_get_different_variants() -> None:
    rng = random.Random(5)
    served: list[tuple[str, int]] = []
    prev = None
    for _ in range(20):
        prev = next_variant("output_size", 1, rng, previous=prev)
        served.append(prev)
    assert len(set(served)) == 20
    assert all(a[0] != b[0] for a, b in itertools.pairwise(served))


def test_next_variant_errors() -> None:
    with pytest.raises(KeyError):
        next_variant("no_such_topic", 1, 0)
    with pytest.raises(ValueError, match="difficulty 9"):
        next_variant("pooling", 9, 0)


def test_a_full_self_study_loop_survives_a_restart() -> None:
    """Serve, grade, review, store as JSON text, reload, and carry on, as the DB-backed service does."""
    from grader.parse import parse_answer
    from grader.scoring import grade

    store = {(42, "output_size"): new_card(42, "output_size", NOW)}
    t, prev = NOW, None
    rng = random.Random(0)
    for _ in range(4):
        assert due_cards(store, t) == [(42, "output_size")]
        js = store[(42, "output_size")]
        prev = next_variant("output_size", question_difficulty(js), rng, previous=prev)
        q = generate(prev[0], prev[1], question_difficulty(js))
        key_text = ", ".join(q.key) if isinstance(q.key, list) else str(q.key)
        correct = grade(q, parse_answer(q, key_text).value).correct
        assert correct
        new_js, when = review(js, correct, NORMAL_MS, t)
        # "restart": the whole store goes to text (as in a DB column) and is read back
        text = json.dumps({f"{k[0]}|{k[1]}": v for k, v in {**store, (42, "output_size"): new_js}.items()})
        store = {(int(a), b): v for k, v in json.loads(text).items() for a, b in [k.split("|")]}
        assert store[(42, "output_size")] == new_js and due(new_js) == when
        assert when > t
        t = when
    assert load_card(store[(42, "output_size")]).state == State.Review
