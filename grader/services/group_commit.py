"""Group commit for answers: answers that arrive while a write is in flight go out together in the next one.

Recording an answer is one short conditional write (:mod:`.answers`), and its cost is mostly per *transaction* (a
commit, a WAL flush, a round trip, the driver's and SQLAlchemy's work), not per row. :class:`AnswerWriter` lets
concurrent writers share transactions, as databases do with their own log: the first writer to arrive writes what
is pending (its own answer and any that queued behind it), the others wait; when it is done it hands the next
batch to the first of those still waiting (up to :data:`POSTGRESQL_IN_FLIGHT` writes run at once on PostgreSQL,
one on SQLite). With one writer a batch is one answer and nothing waits; with many, batches grow by themselves
while the previous write is in flight, and a write that would carry far fewer answers than the last one waits at
most :data:`GATHER_S` for the writers still preparing theirs.

Every answer in a batch keeps the checks of a single write: the statement inserts a row only if its attempt is
unfinished and before its deadline (the attempt row share-locked first on PostgreSQL, so finishing it waits or
wins), a try is left, its idempotency key is new (``ON CONFLICT DO NOTHING``) and the cached facts still match
the rows. An answer is acknowledged only after its batch committed. A batch holds at most one answer per attempt
and question (another try at it waits for the next batch), so the try numbers within a batch never depend on each
other; an answer whose attempt and idempotency key are already in the batch (a double click) rides along, not
written, and is told it was not inserted once the batch committed (the caller then finds the stored row). If the
batch's statement fails as a whole (a try number taken by a concurrent writer, a lock timeout) nothing of it is
kept, and each of its answers takes the locked path on its own.

* SQLite: the rows are inserted one statement each, in one ``BEGIN IMMEDIATE`` … ``COMMIT`` (:data:`_SQLITE`).
* PostgreSQL: one autocommit statement for the whole batch, rows passed as arrays (:data:`_POSTGRESQL`).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Engine
from sqlalchemy.engine import Dialect

from .. import db as D
from ..db import SessionFactory, write_lock

MAX_BATCH = 256
POSTGRESQL_IN_FLIGHT = 4
"""Writes in flight at once per engine on PostgreSQL."""
GATHER_S = 0.002
"""How long a write may wait for the answers of writers who are still preparing them (see ``_gather``)."""

_resp = D.Response.__table__


@dataclass(slots=True, eq=False)
class PendingAnswer:
    """One answer to write, with the facts its write re-checks; ``result`` is ``(response id, try number)``, or
    ``None`` when nothing was inserted (the locked path then decides why)."""

    attempt_id: int
    instance_id: int
    user_id: int
    attempt_number: int
    assessment_id: int
    generator: str
    version: int
    seed: int
    difficulty: int
    points: float
    key: str
    raw: str
    parsed: Any
    correct: bool
    score: float
    trap: str | None
    time_taken_ms: int | None
    at: dt.datetime
    result: tuple[int, int] | None = None
    error: BaseException | None = None
    done: bool = False
    lead: bool = False
    wake: threading.Event = field(default_factory=threading.Event)


def _processor(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any]:
    proc = column.type.dialect_impl(dialect).bind_processor(dialect)
    return proc if proc is not None else (lambda v: v)


_TRIES = (
    "coalesce((SELECT max(r.try_number) FROM responses AS r"
    " WHERE r.attempt_id = a.id AND r.question_instance_id = q.id), 0)"
)
_SQLITE = f"""
INSERT INTO responses (attempt_id, question_instance_id, attempt_number, try_number, idempotency_key, raw_text,
                       parsed, correct, score, max_score, trap, time_taken_ms, created_at)
SELECT a.id, q.id, a.number, {_TRIES} + 1, :key, :raw, :parsed, :correct, :score, q.points, :trap, :ms, :t
FROM attempts AS a
JOIN assessments AS s ON s.id = a.assessment_id
JOIN question_instances AS q ON q.id = :q
WHERE a.id = :a AND a.user_id = :u AND a.number = :n AND a.assessment_id = :asm
  AND a.finished_at IS NULL AND (a.deadline_at IS NULL OR a.deadline_at > :t)
  AND q.assessment_id = a.assessment_id AND (q.owner_id IS NULL OR q.owner_id = a.user_id)
  AND q.generator = :gen AND q.version = :ver AND q.seed = :seed AND q.difficulty = :diff AND q.points = :pts
  AND (s.tries_per_question IS NULL OR {_TRIES} < s.tries_per_question)
ON CONFLICT (attempt_id, idempotency_key) DO NOTHING
RETURNING id, try_number
"""
"""SQLite, one row: run inside ``BEGIN IMMEDIATE`` (the database's one write lock), so what it reads is current."""

_POSTGRESQL = """
WITH v AS (
    SELECT * FROM unnest(
        %(a)s::bigint[], %(q)s::bigint[], %(u)s::bigint[], %(n)s::integer[], %(asm)s::bigint[],
        %(gen)s::varchar[], %(ver)s::integer[], %(seed)s::bigint[], %(diff)s::smallint[], %(pts)s::float8[],
        %(key)s::varchar[], %(raw)s::text[], %(parsed)s::jsonb[], %(correct)s::boolean[], %(score)s::float8[],
        %(trap)s::varchar[], %(ms)s::integer[], %(t)s::timestamptz[]
    ) AS v(a, q, u, n, asm, gen, ver, seed, diff, pts, key, raw, parsed, correct, score, trap, ms, t)
), open_attempt AS (
    SELECT att.id, s.tries_per_question
    FROM v
    JOIN attempts AS att
      ON att.id = v.a AND att.user_id = v.u AND att.number = v.n AND att.assessment_id = v.asm
    JOIN assessments AS s ON s.id = att.assessment_id
    WHERE att.finished_at IS NULL AND (att.deadline_at IS NULL OR att.deadline_at > v.t)
    FOR SHARE OF att
)
INSERT INTO responses (attempt_id, question_instance_id, attempt_number, try_number, idempotency_key, raw_text,
                       parsed, correct, score, max_score, trap, time_taken_ms, created_at)
SELECT v.a, v.q, v.n, coalesce(m.n, 0) + 1, v.key, v.raw, v.parsed, v.correct, v.score, q.points, v.trap, v.ms, v.t
FROM v
JOIN open_attempt AS o ON o.id = v.a
JOIN question_instances AS q
  ON q.id = v.q AND q.assessment_id = v.asm AND (q.owner_id IS NULL OR q.owner_id = v.u)
  AND q.generator = v.gen AND q.version = v.ver AND q.seed = v.seed AND q.difficulty = v.diff AND q.points = v.pts
CROSS JOIN LATERAL (
    SELECT max(r.try_number) AS n FROM responses AS r WHERE r.attempt_id = v.a AND r.question_instance_id = v.q
) AS m
WHERE o.tries_per_question IS NULL OR coalesce(m.n, 0) < o.tries_per_question
ON CONFLICT (attempt_id, idempotency_key) DO NOTHING
RETURNING attempt_id, idempotency_key, id, try_number
"""
"""PostgreSQL, a batch (at most one row per attempt and question): one autocommit statement. ``FOR SHARE`` conflicts with
finishing the attempt (``FOR UPDATE``) and with the locked path, not with other answers; after waiting for a lock
the attempt row is re-checked as it is now (READ COMMITTED), while the try count is read as of the statement's
start: a stale count loses on the ``(attempt, question, try_number)`` unique key, and the batch with it."""


@contextmanager
def dbapi_write(sf: SessionFactory) -> Iterator[Any]:
    """A DBAPI cursor for the hot path (recording answers), where SQLAlchemy's work per statement costs more than
    the statement. SQLite: one ``BEGIN IMMEDIATE`` … ``COMMIT`` under this process's write lock (:func:`grader.db.write_lock`); PostgreSQL:
    autocommit, so run one statement (one round trip). Rolled back on error; a lost connection is invalidated.
    The caller binds values itself (the driver's paramstyle, the columns' bind processors).
    """
    engine: Engine = sf.kw["bind"]
    sqlite = engine.dialect.name == "sqlite"
    with write_lock(engine) or nullcontext():
        raw = engine.raw_connection()
        driver: Any = raw.driver_connection
        cursor = None
        try:
            if sqlite:
                cursor = raw.cursor()
                cursor.execute("BEGIN IMMEDIATE")
            else:
                driver.autocommit = True
                cursor = raw.cursor()
            yield cursor
            if sqlite:
                driver.commit()
        except BaseException as e:
            if isinstance(e, engine.dialect.loaded_dbapi.Error) and engine.dialect.is_disconnect(e, driver, cursor):
                raw.invalidate(e)
                raise
            if sqlite:
                driver.rollback()
            raise
        finally:
            if raw.is_valid:
                if cursor is not None:
                    cursor.close()
                if not sqlite:
                    driver.autocommit = False
            raw.close()


class AnswerWriter:
    """Writes answers to one database, concurrent ones together (see the module's docstring). It keeps no
    reference to the engine (it lives as long as the engine does, in a weak mapping keyed by it).

    Up to ``in_flight`` writes run at once (1 on SQLite, whose writers queue on one lock anyway; more on
    PostgreSQL, whose own group commit then shares the WAL flushes of the writes in flight). Each is led by one of
    the waiting writers' threads; the others sleep until their answer is written or the lead is passed to them.
    """

    def __init__(self, dialect: Dialect, in_flight: int | None = None) -> None:
        self._sqlite = dialect.name == "sqlite"
        dbapi = dialect.loaded_dbapi
        self._lost_race = (dbapi.IntegrityError, dbapi.OperationalError)
        self._time = _processor(_resp.c.created_at, dialect)
        self._json = _processor(_resp.c.parsed, dialect)
        self._bool = _processor(_resp.c.correct, dialect)
        self._float = _processor(_resp.c.score, dialect)
        self._max_in_flight = in_flight or (1 if self._sqlite else POSTGRESQL_IN_FLIGHT)
        self._mutex = threading.Lock()
        self._arrived = threading.Condition(self._mutex)
        self._last_batch = 0
        self._pending: list[PendingAnswer] = []
        self._leaders = 0
        self._questions: set[tuple[int, int]] = set()  # (attempt, question) of the answers being written
        self._keys: set[tuple[int, str]] = set()  # (attempt, key) of the answers being written

    def write(self, sf: SessionFactory, item: PendingAnswer) -> tuple[int, int] | None:
        """Write ``item`` (with whatever else is pending) through ``sf``'s engine; ``(response id, try number)`` or
        ``None``."""
        with self._mutex:
            self._pending.append(item)
            self._arrived.notify()
            if self._leaders < self._max_in_flight:
                self._leaders += 1
                item.lead = True
        while True:
            if not item.lead:
                item.wake.wait()
                with self._mutex:
                    item.wake.clear()
                    if item.done:  # written by another leader (if the lead was passed to us meanwhile, pass it on)
                        if item.lead:
                            item.lead = False
                            self._pass_lead()
                        break
                    if not item.lead:
                        continue
            with self._mutex:
                self._gather()
                batch, riders = self._take()
                if not batch and not riders:  # ours waits for a write in flight: give the lead back, sleep
                    item.lead = False
                    self._leaders -= 1
                    continue
            self._write(sf, batch, riders)
            with self._mutex:
                for p in batch:
                    self._questions.discard((p.attempt_id, p.instance_id))
                    self._keys.discard((p.attempt_id, p.key))
                if item.done:
                    item.lead = False
                    self._pass_lead()
                    break
        return self._outcome(item)

    def _gather(self) -> None:
        """(Under the mutex.) When far fewer answers are pending than the last batch held, their writers are most
        likely still preparing their next ones: wait for them a moment (at most :data:`GATHER_S`), so that the
        batches stay large instead of alternating between a full one and a single answer."""
        want = self._last_batch // 2
        if len(self._pending) < want:
            self._arrived.wait_for(lambda: len(self._pending) >= want, GATHER_S)

    def _pass_lead(self) -> None:
        """(Under the mutex.) Hand this leader's turn to the oldest answer still waiting, or end it."""
        for p in self._pending:
            if not p.lead:
                p.lead = True
                p.wake.set()
                return
        self._leaders -= 1

    @staticmethod
    def _outcome(item: PendingAnswer) -> tuple[int, int] | None:
        if item.error is not None:
            raise item.error
        return item.result

    def _take(self) -> tuple[list[PendingAnswer], list[PendingAnswer]]:
        """(Under the mutex.) The oldest pending answers, at most :data:`MAX_BATCH`, one per (attempt, question) and
        one per (attempt, key), none of whose being written already; and the riders: answers whose (attempt, key)
        is in this batch."""
        batch: list[PendingAnswer] = []
        riders: list[PendingAnswer] = []
        rest: list[PendingAnswer] = []
        keys: set[tuple[int, str]] = set()
        for p in self._pending:
            question, key = (p.attempt_id, p.instance_id), (p.attempt_id, p.key)
            if key in keys:
                riders.append(p)
            elif len(batch) < MAX_BATCH and question not in self._questions and key not in self._keys:
                self._questions.add(question)
                self._keys.add(key)
                keys.add(key)
                batch.append(p)
            else:
                rest.append(p)
        self._pending = rest
        if batch:
            self._last_batch = len(batch)
        return batch, riders

    def _write(self, sf: SessionFactory, batch: Sequence[PendingAnswer], riders: Sequence[PendingAnswer]) -> None:
        try:
            written = self._write_sqlite(sf, batch) if self._sqlite else self._write_postgresql(sf, batch)
            for p in batch:
                p.result = written.get((p.attempt_id, p.key))
        except self._lost_race:
            pass  # nothing of the batch was kept: each answer takes the locked path
        except BaseException as e:
            for p in batch:
                p.error = e
        finally:
            for p in (*batch, *riders):
                p.done = True
                p.wake.set()

    def _write_sqlite(
        self, sf: SessionFactory, batch: Sequence[PendingAnswer]
    ) -> dict[tuple[int, str], tuple[int, int]]:
        written: dict[tuple[int, str], tuple[int, int]] = {}
        with dbapi_write(sf) as cur:
            for p in batch:
                cur.execute(
                    _SQLITE,
                    {
                        "a": p.attempt_id,
                        "q": p.instance_id,
                        "u": p.user_id,
                        "n": p.attempt_number,
                        "asm": p.assessment_id,
                        "gen": p.generator,
                        "ver": p.version,
                        "seed": p.seed,
                        "diff": p.difficulty,
                        "pts": self._float(p.points),
                        "key": p.key,
                        "raw": p.raw,
                        "parsed": self._json(p.parsed),
                        "correct": self._bool(p.correct),
                        "score": self._float(p.score),
                        "trap": p.trap,
                        "ms": p.time_taken_ms,
                        "t": self._time(p.at),
                    },
                )
                row = cur.fetchone()
                if row is not None:
                    written[p.attempt_id, p.key] = (int(row[0]), int(row[1]))
        return written

    def _write_postgresql(
        self, sf: SessionFactory, batch: Sequence[PendingAnswer]
    ) -> dict[tuple[int, str], tuple[int, int]]:
        params = {
            "a": [p.attempt_id for p in batch],
            "q": [p.instance_id for p in batch],
            "u": [p.user_id for p in batch],
            "n": [p.attempt_number for p in batch],
            "asm": [p.assessment_id for p in batch],
            "gen": [p.generator for p in batch],
            "ver": [p.version for p in batch],
            "seed": [p.seed for p in batch],
            "diff": [p.difficulty for p in batch],
            "pts": [p.points for p in batch],
            "key": [p.key for p in batch],
            "raw": [p.raw for p in batch],
            "parsed": [self._json(p.parsed) for p in batch],
            "correct": [p.correct for p in batch],
            "score": [p.score for p in batch],
            "trap": [p.trap for p in batch],
            "ms": [p.time_taken_ms for p in batch],
            "t": [self._time(p.at) for p in batch],
        }
        with dbapi_write(sf) as cur:
            cur.execute(_POSTGRESQL, params)
            rows = cur.fetchall()
        return {(int(a), key): (int(i), int(tn)) for a, key, i, tn in rows}
