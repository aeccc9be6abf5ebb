"""Group commit of answers (grader.services.group_commit), its coordination alone: the database write is replaced by
a recording stub, so what is tested is which answers go out together, who waits and what each writer is told."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import create_engine

from grader.services.group_commit import AnswerWriter, PendingAnswer

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _answer(attempt: int, question: int, key: str) -> PendingAnswer:
    return PendingAnswer(
        attempt_id=attempt,
        instance_id=question,
        user_id=attempt,
        attempt_number=1,
        assessment_id=1,
        generator="conv_params.count",
        version=1,
        seed=1,
        difficulty=1,
        points=1.0,
        key=key,
        raw="1",
        parsed=1,
        correct=False,
        score=0.0,
        trap=None,
        time_taken_ms=None,
        at=T0,
    )


class _Recording(AnswerWriter):
    """Writes nothing: records each batch, holds the first one until ``release`` is set, and "inserts" every row
    (ids in order of arrival in the batches) unless told to fail."""

    def __init__(self, in_flight: int = 1) -> None:
        super().__init__(create_engine("sqlite://").dialect, in_flight)
        self.batches: list[list[tuple[int, int, str]]] = []
        self.release = threading.Event()
        self.fail: BaseException | None = None
        self.writing: set[tuple[int, int]] = set()
        self.overlaps: list[tuple[int, int]] = []
        self._guard = threading.Lock()

    def _write_sqlite(self, sf: Any, batch: Sequence[PendingAnswer]) -> dict[tuple[int, str], tuple[int, int]]:
        pairs = {(p.attempt_id, p.instance_id) for p in batch}
        with self._guard:
            self.overlaps += sorted(pairs & self.writing)
            self.writing |= pairs
            self.batches.append([(p.attempt_id, p.instance_id, p.key) for p in batch])
            first = len(self.batches) == 1
        if first:
            assert self.release.wait(10)
        else:
            time.sleep(0.002)
        with self._guard:
            self.writing -= pairs
        if self.fail is not None:
            raise self.fail
        return {(p.attempt_id, p.key): (1000 + p.attempt_id, 1) for p in batch}


def _run(writer: _Recording, first: PendingAnswer, others: list[PendingAnswer]) -> dict[int, Any]:
    """``first`` is written alone (and held); ``others`` queue behind it; then the first write is let go. Returns
    what each writer was told (or raised), by ``id()`` of its answer."""
    outcome: dict[int, Any] = {}

    def write(p: PendingAnswer) -> None:
        try:
            outcome[id(p)] = writer.write(None, p)  # type: ignore[arg-type]
        except BaseException as e:
            outcome[id(p)] = e

    threads = [threading.Thread(target=write, args=(first,))]
    threads[0].start()
    while not writer.batches:
        time.sleep(0.001)
    for p in others:
        threads.append(threading.Thread(target=write, args=(p,)))
        threads[-1].start()
    deadline = time.monotonic() + 10
    while len(writer._pending) < len(others) and time.monotonic() < deadline:
        time.sleep(0.001)
    writer.release.set()
    for t in threads:
        t.join(timeout=10)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    return outcome


def test_answers_that_arrive_during_a_write_go_out_together_in_the_next() -> None:
    writer = _Recording()
    first, others = _answer(1, 7, "k1"), [_answer(a, 7, f"k{a}") for a in range(2, 33)]
    out = _run(writer, first, others)
    assert [len(b) for b in writer.batches] == [1, 31]
    assert sorted(writer.batches[1]) == sorted((p.attempt_id, 7, p.key) for p in others)
    assert [out[id(p)] for p in (first, *others)] == [(1000 + a, 1) for a in range(1, 33)]


def test_one_answer_per_attempt_and_question_in_a_batch_and_double_clicks_ride_along() -> None:
    writer = _Recording()
    twin_a, other_key, twin_b, elsewhere = (
        _answer(1, 7, "k1"),
        _answer(1, 7, "k2"),  # another try at the same question: waits for the next batch
        _answer(1, 7, "k1"),  # the same key again: rides along, is not written
        _answer(2, 7, "k3"),
    )
    out = _run(writer, _answer(9, 9, "first"), [twin_a, other_key, twin_b, elsewhere])
    assert writer.batches[1:] == [[(1, 7, "k1"), (2, 7, "k3")], [(1, 7, "k2")]]
    assert out[id(twin_a)] == (1001, 1) and out[id(elsewhere)] == (1002, 1) and out[id(other_key)] == (1001, 1)
    assert out[id(twin_b)] is None  # the rider is told nothing was inserted: its caller then finds the stored row
    assert not writer.overlaps


def test_a_batch_that_loses_a_race_keeps_nothing_and_an_error_reaches_every_writer() -> None:
    lost = _Recording()
    lost.fail = sqlite3.IntegrityError("UNIQUE constraint failed")
    out = _run(lost, _answer(1, 1, "a"), [_answer(2, 1, "b"), _answer(3, 1, "c")])
    assert list(out.values()) == [None, None, None]  # each answer then takes the locked path

    broken = _Recording()
    broken.fail = RuntimeError("disk on fire")
    out = _run(broken, _answer(1, 1, "a"), [_answer(2, 1, "b"), _answer(3, 1, "c")])
    assert all(isinstance(v, RuntimeError) for v in out.values()) and len(out) == 3


@pytest.mark.parametrize("in_flight", [2, 4])
def test_writes_in_flight_together_never_share_an_attempt_and_question(in_flight: int) -> None:
    writer = _Recording(in_flight)
    writer.release.set()
    answers = [_answer(a % 5, q, f"{a}-{q}-{i}") for a in range(10) for q in range(3) for i in range(4)]
    results: list[Any] = []

    def write(p: PendingAnswer) -> None:
        results.append(writer.write(None, p))  # type: ignore[arg-type]

    threads = [threading.Thread(target=write, args=(p,)) for p in answers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    assert len(results) == len(answers) and None not in results
    assert not writer.overlaps  # two tries at one question are never written by two statements at once
    assert sum(len(b) for b in writer.batches) == len(answers)
    assert writer._leaders == 0 and not writer._pending
