"""Recording an answer, exactly once per ``(attempt, idempotency_key)``: parse and grade outside any transaction,
then one short conditional write.

1. **Facts that never change** once written (whose attempt it is, its number, its assessment and that
   assessment's kind; the question instance, whose question regenerates bit for bit) are read once per engine and
   kept (:class:`_Facts`). The access checks run on them: someone else's attempt is refused, a question of another
   assessment or someone else's personal one is not found.
2. The raw text is **parsed and graded** with no transaction open and no lock held.
3. **The response is inserted if it is still allowed**, by one conditional statement (:mod:`.group_commit`, which
   also lets concurrent answers share a transaction): the attempt not finished and before its deadline, a try left
   at this question, the key not used before in this attempt (``ON CONFLICT DO NOTHING``), and the cached facts
   still those of the rows; the try number is the stored maximum + 1, computed by the same statement.
4. When that inserts nothing, a row already stored under the key is returned as the duplicate (a stored row
   never changes: a plain read); otherwise (a closed attempt, no try left, a changed row, a lost race) the answer
   takes the **locked path** (:func:`_submit_locked`): the attempt row locked ``FOR UPDATE``, everything re-read,
   each case decided as it always was. The rare cases get the careful path; the common one a short write.

The assessment's times and limits, which may change, are never cached: the write reads them.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Literal

from sqlalchemy import Engine, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from quizbank.regenerate import build_question, canonical_json
from quizbank.schema import AnyQuestion

from .. import db as D
from ..db import SessionFactory, write_connection
from ..parse import FormatError, Parsed, parse_answer
from ..scoring import Grade
from ..scoring import grade as grade_answer
from .assessments import shown, stored_answer
from .attempts import ResponseOut, lock_attempt, response_out
from .common import AccessDenied, AttemptClosed, NotFound, OutModel, TriesExhausted, grading_visible, now_utc, retrying
from .group_commit import AnswerWriter, PendingAnswer


class SubmitResult(OutModel):
    status: Literal["recorded", "duplicate", "format_error"]
    response: ResponseOut | None = None
    error: str | None = None
    """For a format error: why the text could not be read (nothing was stored, no try was spent)."""
    feedback: str | None = None
    trap_title: str | None = None


_att, _asm, _qi, _resp = (
    D.Attempt.__table__,
    D.Assessment.__table__,
    D.QuestionInstance.__table__,
    D.Response.__table__,
)


# ------------------------------------------------------------------ facts that never change, cached per engine


@dataclass(frozen=True, slots=True)
class _AttemptFacts:
    user_id: int
    number: int
    assessment_id: int
    kind: str
    """The assessment's kind (fixed when it is created)."""


@dataclass(frozen=True, slots=True)
class _QuestionFacts:
    assessment_id: int
    owner_id: int | None
    generator: str
    version: int
    seed: int
    difficulty: int
    params: Any
    points: float
    option_order: list[str] | None
    """The option ids in the order its student sees them (labelled (a), (b)… as shown); ``None``: as generated."""

    @property
    def source(self) -> tuple[str, int, int, int]:
        """What the question is regenerated from (with ``params`` as the proof)."""
        return self.generator, self.version, self.seed, self.difficulty


class _Facts:
    """One engine's attempt and question-instance facts by id, and its :class:`AnswerWriter`. Bounded: dropped
    wholesale when full (a re-read costs one query)."""

    LIMIT = 1 << 16

    def __init__(self, engine: Engine) -> None:
        self.attempts: dict[int, _AttemptFacts] = {}
        self.questions: dict[int, _QuestionFacts] = {}
        self.writer = AnswerWriter(engine.dialect)

    def put_attempt(self, attempt_id: int, facts: _AttemptFacts) -> None:
        if len(self.attempts) >= self.LIMIT:
            self.attempts.clear()
        self.attempts[attempt_id] = facts

    def put_question(self, instance_id: int, facts: _QuestionFacts) -> None:
        if len(self.questions) >= self.LIMIT:
            self.questions.clear()
        self.questions[instance_id] = facts

    def forget(self, attempt_id: int, instance_id: int) -> None:
        self.attempts.pop(attempt_id, None)
        self.questions.pop(instance_id, None)


_FACTS: weakref.WeakKeyDictionary[Engine, _Facts] = weakref.WeakKeyDictionary()
_FACTS_GUARD = threading.Lock()


def _facts(engine: Engine) -> _Facts:
    f = _FACTS.get(engine)
    if f is None:
        with _FACTS_GUARD:
            f = _FACTS.get(engine)
            if f is None:
                f = _FACTS[engine] = _Facts(engine)
    return f


_ATTEMPT_FACTS = (
    select(_att.c.user_id, _att.c.number, _att.c.assessment_id, _asm.c.kind)
    .join_from(_att, _asm, _asm.c.id == _att.c.assessment_id)
    .where(_att.c.id == bindparam("a"))
)
_QUESTION_COLUMNS = (
    _qi.c.owner_id,
    _qi.c.generator,
    _qi.c.version,
    _qi.c.seed,
    _qi.c.difficulty,
    _qi.c.params,
    _qi.c.points,
    _qi.c.option_order,
)
"""What grading needs of a question instance (both answer paths read these)."""
_QUESTION_FACTS = select(
    _qi.c.assessment_id,
    *_QUESTION_COLUMNS,
).where(_qi.c.id == bindparam("q"))
_KEY_RELEASE = select(_asm.c.kind, _asm.c.key_release_at).where(_asm.c.id == bindparam("s"))
_STORED = select(_resp).where(_resp.c.attempt_id == bindparam("a"), _resp.c.idempotency_key == bindparam("k"))


def _load(engine: Engine, f: _Facts, attempt_id: int, instance_id: int) -> tuple[_AttemptFacts, _QuestionFacts | None]:
    att, q = f.attempts.get(attempt_id), f.questions.get(instance_id)
    if att is not None and q is not None:
        return att, q
    with engine.connect() as conn:
        if att is None:
            row = conn.execute(_ATTEMPT_FACTS, {"a": attempt_id}).one_or_none()
            if row is None:
                raise NotFound(f"no attempt {attempt_id}")
            att = _AttemptFacts(*row)
            f.put_attempt(attempt_id, att)
        if q is None:
            row = conn.execute(_QUESTION_FACTS, {"q": instance_id}).one_or_none()
            if row is not None:
                q = _QuestionFacts(*row)
                f.put_question(instance_id, q)
    return att, q


# ------------------------------------------------------------------ the answer, parsed and graded once


@dataclass(frozen=True, slots=True)
class _Prepared:
    """The raw text parsed and graded against the question regenerated from ``source``, as its student is shown it
    (options in ``order``, labelled (a), (b)… as shown); ``stored`` is the parsed value in the generator's ids."""

    source: tuple[str, int, int, int]
    order: list[str] | None
    parsed: Parsed | None
    error: FormatError | None
    grade: Grade | None
    stored: Any = None


def _prepare(q: AnyQuestion, source: tuple[str, int, int, int], raw: str, order: list[str] | None) -> _Prepared:
    """Parse and grade ``raw`` as the student meant it: against ``q`` under the labels they were shown."""
    q = shown(q, order)
    try:
        parsed = parse_answer(q, raw)
    except FormatError as e:
        return _Prepared(source, order, None, e, None)
    value = stored_answer(parsed.value, order)
    return _Prepared(source, order, parsed, None, grade_answer(q, parsed.value), value)


def _values(
    attempt_id: int,
    instance_id: int,
    number: int,
    try_number: int,
    key: str,
    raw: str,
    answer: _Prepared,
    points: float,
    time_taken_ms: int | None,
    t: dt.datetime,
) -> dict[str, Any]:
    """The response row (as the services return it, before binding)."""
    assert answer.parsed is not None and answer.grade is not None
    return {
        "attempt_id": attempt_id,
        "question_instance_id": instance_id,
        "attempt_number": number,
        "try_number": try_number,
        "idempotency_key": key,
        "raw_text": raw,
        "parsed": canonical_json(answer.stored),
        "correct": answer.grade.correct,
        "score": answer.grade.score * points,
        "max_score": points,
        "trap": answer.grade.trap,
        "time_taken_ms": time_taken_ms,
        "created_at": t,
    }


# ------------------------------------------------------------------ submitting


def _visible(engine: Engine, att: _AttemptFacts, t: dt.datetime) -> bool:
    if att.kind != "exam":
        return True
    with engine.connect() as conn:
        row = conn.execute(_KEY_RELEASE, {"s": att.assessment_id}).one()
    return grading_visible(row, t)


def _already_stored(
    engine: Engine,
    att: _AttemptFacts,
    attempt_id: int,
    key: str,
    q: AnyQuestion,
    order: list[str] | None,
    t: dt.datetime,
) -> SubmitResult | None:
    """The response stored under ``key`` as a duplicate, if there is one (whatever else has changed since)."""
    with engine.connect() as conn:
        r = conn.execute(_STORED, {"a": attempt_id, "k": key}).one_or_none()
    return None if r is None else _submit_result("duplicate", r, att.user_id, _visible(engine, att, t), q, order)


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
    engine: Engine = sf.kw["bind"]
    f = _facts(engine)
    att, q = _load(engine, f, attempt_id, instance_id)
    if att.user_id != actor_id:
        raise AccessDenied("this is not your attempt")
    if q is None or q.assessment_id != att.assessment_id or q.owner_id not in (None, att.user_id):
        raise NotFound(f"question {instance_id} is not part of this attempt")
    question = build_question(q.generator, q.version, q.seed, q.difficulty, q.params)
    answer = _prepare(question, q.source, raw, q.option_order)
    if answer.error is None:
        values = _values(
            attempt_id, instance_id, att.number, 0, idempotency_key, raw, answer, q.points, time_taken_ms, t
        )
        pending = PendingAnswer(
            attempt_id=attempt_id,
            instance_id=instance_id,
            user_id=att.user_id,
            attempt_number=att.number,
            assessment_id=att.assessment_id,
            generator=q.generator,
            version=q.version,
            seed=q.seed,
            difficulty=q.difficulty,
            points=q.points,
            key=idempotency_key,
            raw=raw,
            parsed=values["parsed"],
            correct=values["correct"],
            score=values["score"],
            trap=values["trap"],
            time_taken_ms=time_taken_ms,
            at=t,
        )
        inserted = f.writer.write(sf, pending)
        if inserted is not None:
            values["try_number"] = inserted[1]
            visible = _visible(engine, att, t)
            assert answer.grade is not None
            return SubmitResult(
                status="recorded",
                response=response_out(SimpleNamespace(id=inserted[0], **values), att.user_id, visible, q.option_order),
                feedback=answer.grade.feedback if visible else None,
                trap_title=answer.grade.trap_title if visible else None,
            )
    if (dup := _already_stored(engine, att, attempt_id, idempotency_key, question, q.option_order, t)) is not None:
        return dup  # a stored row never changes: no lock needed to return it
    try:
        return _submit_locked(sf, actor_id, attempt_id, instance_id, raw, idempotency_key, time_taken_ms, t, answer)
    except (NotFound, AccessDenied):
        f.forget(attempt_id, instance_id)
        raise


# ------------------------------------------------------------------ the locked path

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
        *_QUESTION_COLUMNS,
        select(func.coalesce(func.max(_resp.c.try_number), 0))
        .where(_resp.c.attempt_id == bindparam("a"), _resp.c.question_instance_id == bindparam("q"))
        .scalar_subquery()
        .label("tries"),
    )
    .select_from(_att.join(_asm, _asm.c.id == _att.c.assessment_id).outerjoin(_qi, _qi.c.id == bindparam("q")))
    .where(_att.c.id == bindparam("a"))
)
_INSERT = {
    name: ins(_resp).on_conflict_do_nothing(index_elements=["attempt_id", "idempotency_key"]).returning(_resp.c.id)
    for name, ins in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


def _submit_locked(
    sf: SessionFactory,
    actor_id: int,
    attempt_id: int,
    instance_id: int,
    raw: str,
    idempotency_key: str,
    time_taken_ms: int | None,
    t: dt.datetime,
    prepared: _Prepared,
) -> SubmitResult:
    """The answer decided under the attempt's row lock, every fact re-read: duplicates, closed attempts, format
    errors, exhausted tries, and answers whose short write lost a race."""

    def tx() -> SubmitResult:
        with write_connection(sf) as conn:
            lock_attempt(conn, attempt_id)
            row = conn.execute(_CONTEXT, {"a": attempt_id, "q": instance_id}).one_or_none()
            if row is None:
                raise NotFound(f"no attempt {attempt_id}")
            if row.user_id != actor_id:
                raise AccessDenied("this is not your attempt")
            if row.q_assessment_id != row.assessment_id or row.owner_id not in (None, row.user_id):
                raise NotFound(f"question {instance_id} is not part of this attempt")
            source = (row.generator, row.version, row.seed, row.difficulty)
            q = build_question(*source, row.params)
            order = row.option_order
            visible = grading_visible(row, t)

            def stored() -> SubmitResult | None:
                r = conn.execute(_STORED, {"a": attempt_id, "k": idempotency_key}).one_or_none()
                return None if r is None else _submit_result("duplicate", r, row.user_id, visible, q, order)

            if row.finished_at is not None or (row.deadline_at is not None and t >= row.deadline_at):
                if (dup := stored()) is not None:
                    return dup
                raise AttemptClosed("this attempt is over: no more answers are accepted")
            same = prepared.source == source and prepared.order == order
            answer = prepared if same else _prepare(q, source, raw, order)
            if answer.error is not None:
                if (dup := stored()) is not None:
                    return dup
                return SubmitResult(status="format_error", error=str(answer.error))
            if row.tries_per_question is not None and row.tries >= row.tries_per_question:
                if (dup := stored()) is not None:
                    return dup
                raise TriesExhausted(f"all {row.tries_per_question} tries at this question are used")
            values = _values(
                attempt_id,
                instance_id,
                row.number,
                int(row.tries) + 1,
                idempotency_key,
                raw,
                answer,
                row.points,
                time_taken_ms,
                t,
            )
            new_id = conn.execute(_INSERT[conn.dialect.name], values).scalar_one_or_none()
            if new_id is None:  # a concurrent duplicate won the race
                dup = stored()
                assert dup is not None
                return dup
            assert answer.grade is not None
            return SubmitResult(
                status="recorded",
                response=response_out(SimpleNamespace(id=new_id, **values), row.user_id, visible, order),
                feedback=answer.grade.feedback if visible else None,
                trap_title=answer.grade.trap_title if visible else None,
            )

    return retrying(tx)


def _submit_result(
    status: Literal["recorded", "duplicate"],
    r: Any,
    user_id: int,
    visible: bool,
    q: AnyQuestion,
    order: list[str] | None,
) -> SubmitResult:
    """A stored row as the answer's result (``q``: the question regenerated, under the generator's ids, as the
    row's ``parsed`` is)."""
    feedback = title = None
    if visible:
        g = grade_answer(q, r.parsed)
        feedback, title = g.feedback, g.trap_title
    out = response_out(r, user_id, visible, order)
    return SubmitResult(status=status, response=out, feedback=feedback, trap_title=title)
