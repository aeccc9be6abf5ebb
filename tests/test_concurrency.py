"""Concurrent writers on SQLite (WAL file) and on a real PostgreSQL server: nothing lost, nothing duplicated.

Threads stand in for web workers: each writer calls the services, which open their own sessions and
transactions; counts are checked in the database afterwards, exactly.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select, update

from grader import db as D
from grader import services as S

WRITERS = 64
ANSWERS = 100
RETRY_EVERY = 10  # every 10th answer is sent again with the same key (a retry after a network blip)
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _run_threads(n: int, fn: Callable[[int], Any]) -> list[Any]:
    """Start n threads that wait on one barrier and then run fn(i); re-raise the first error."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def body(i: int) -> None:
        try:
            barrier.wait()
            results[i] = fn(i)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    if errors:
        raise errors[0]
    return results


def _setup(sf: D.SessionFactory, students: int, **kw: Any) -> tuple[S.AssessmentOut, list[S.UserOut], list[int]]:
    prof = S.create_user(sf, "prof", "instructor")
    course = S.create_course(sf, prof.id, "C1", "concurrency")
    a = S.create_assessment(
        sf, prof.id, course.id, "A", "self_study", [{"topic": "conv_params", "count": 10, "difficulty": 2}], **kw
    )
    users = [S.create_user(sf, f"s{i}", "student") for i in range(students)]
    for u in users:
        S.enrol(sf, prof.id, course.id, u.id)
    questions = [q.instance.id for q in S.list_questions(sf, prof.id, a.id)]
    return a, users, questions


def _rows(sf: D.SessionFactory) -> list[tuple[int, int, int, str]]:
    with D.read_session(sf) as s:
        return [
            tuple(r)  # type: ignore[misc]
            for r in s.execute(
                select(
                    D.Response.attempt_id,
                    D.Response.question_instance_id,
                    D.Response.try_number,
                    D.Response.idempotency_key,
                )
            ).all()
        ]


def _answer(question_index: int, i: int) -> str:
    return str(1000 + 7 * i + question_index)  # a plain number: graded (usually wrong), never a format error


def test_64_writers_x_100_answers_with_retries(sf: D.SessionFactory) -> None:
    a, users, _ = _setup(sf, WRITERS)
    attempts = [S.start_attempt(sf, u.id, a.id) for u in users]
    numeric = [q.instance.id for q in S.list_questions(sf, users[0].id, a.id) if q.answer_format == "numeric"]
    assert numeric, "the blueprint has numeric questions"

    def writer(w: int) -> Counter[str]:
        seen: Counter[str] = Counter()
        for i in range(ANSWERS):
            qid = numeric[(w + i) % len(numeric)]
            key = f"w{w}-a{i}"
            r = S.submit_answer(sf, users[w].id, attempts[w].id, qid, _answer(qid, i), key, i)
            seen[r.status] += 1
            if i % RETRY_EVERY == 0:
                again = S.submit_answer(sf, users[w].id, attempts[w].id, qid, _answer(qid, i), key, i)
                assert again.status == "duplicate" and again.response == r.response
                seen["retry"] += 1
        return seen

    statuses = _run_threads(WRITERS, writer)
    assert all(s == Counter(recorded=ANSWERS, retry=ANSWERS // RETRY_EVERY) for s in statuses)

    rows = _rows(sf)
    assert len(rows) == WRITERS * ANSWERS  # none lost, none duplicated
    assert len({(r[0], r[3]) for r in rows}) == WRITERS * ANSWERS
    per_attempt = Counter(r[0] for r in rows)
    assert sorted(per_attempt.values()) == [ANSWERS] * WRITERS
    expected_keys = {(attempts[w].id, f"w{w}-a{i}") for w in range(WRITERS) for i in range(ANSWERS)}
    assert {(r[0], r[3]) for r in rows} == expected_keys
    # tries are numbered 1..n without gaps or repeats per (attempt, question)
    tries: dict[tuple[int, int], list[int]] = {}
    for att, qid, tn, _ in rows:
        tries.setdefault((att, qid), []).append(tn)
    assert all(sorted(v) == list(range(1, len(v) + 1)) for v in tries.values())


def test_concurrent_duplicates_are_recorded_once(sf: D.SessionFactory) -> None:
    """64 threads send the same 20 answers (same keys) of one student at the same moment: 20 rows."""
    a, (ada,), _ = _setup(sf, 1)
    att = S.start_attempt(sf, ada.id, a.id)
    numeric = [q.instance.id for q in S.list_questions(sf, ada.id, a.id) if q.answer_format == "numeric"]
    keys = [f"dup-{k}" for k in range(20)]

    def writer(w: int) -> list[tuple[str, int]]:
        out = []
        for k, key in enumerate(keys):
            qid = numeric[k % len(numeric)]
            r = S.submit_answer(sf, ada.id, att.id, qid, _answer(qid, k), key, 10)
            assert r.response is not None and r.response.idempotency_key == key
            out.append((r.status, r.response.id))
        return out

    results = _run_threads(WRITERS, writer)
    recorded = Counter(key for res in results for key, (status, _) in zip(keys, res) if status == "recorded")
    assert recorded == Counter({k: 1 for k in keys})  # exactly one winner per key
    ids_per_key = {key: {res[k][1] for res in results} for k, key in enumerate(keys)}
    assert all(len(ids) == 1 for ids in ids_per_key.values())  # everyone got the same stored row
    rows = _rows(sf)
    assert len(rows) == len(keys) and {r[3] for r in rows} == set(keys)


def test_concurrent_tries_at_one_question_get_distinct_numbers(sf: D.SessionFactory) -> None:
    a, (ada,), _ = _setup(sf, 1, tries_per_question=100)
    att = S.start_attempt(sf, ada.id, a.id)
    qid = next(q.instance.id for q in S.list_questions(sf, ada.id, a.id) if q.answer_format == "numeric")

    def writer(w: int) -> list[str]:
        statuses = []
        for i in range(10):
            try:
                statuses.append(S.submit_answer(sf, ada.id, att.id, qid, _answer(qid, i), f"t{w}-{i}").status)
            except S.TriesExhausted:
                statuses.append("exhausted")
        return statuses

    results = _run_threads(16, writer)  # 160 tries race for 100 allowed
    flat = Counter(s for res in results for s in res)
    assert flat == Counter(recorded=100, exhausted=60)
    rows = _rows(sf)
    assert sorted(r[2] for r in rows) == list(range(1, 101))


def test_concurrent_starts_and_finishes(sf: D.SessionFactory) -> None:
    a, (ada,), _ = _setup(sf, 1, attempt_limit=1)
    started = _run_threads(16, lambda _: S.start_attempt(sf, ada.id, a.id))
    assert len({x.id for x in started}) == 1 and sum(not x.resumed for x in started) == 1
    grades = _run_threads(16, lambda _: S.finish_attempt(sf, ada.id, started[0].id))
    assert len({(g.attempt_id, g.score, g.created_at) for g in grades}) == 1
    with D.read_session(sf) as s:
        assert s.execute(select(func.count()).select_from(D.Attempt)).scalar_one() == 1
        assert s.execute(select(func.count()).select_from(D.Grade)).scalar_one() == 1
    with pytest.raises(S.AttemptLimitReached):
        S.start_attempt(sf, ada.id, a.id)


def test_bench_cli_reports_exact_counts(db_url: str) -> None:
    import json

    from typer.testing import CliRunner

    from ui.cli import app

    r = CliRunner().invoke(app, ["bench", "db", "--url", db_url, "--writers", "8", "--answers", "25", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert {"writers", "answers", "recorded", "lost", "duplicated", "seconds", "answers_per_s"} <= set(data)
    assert (data["writers"], data["answers"], data["recorded"], data["lost"], data["duplicated"]) == (8, 25, 200, 0, 0)
    assert data["answers_per_s"] == pytest.approx(200 / data["seconds"], rel=0.01)


def test_an_answer_waits_for_a_finish_in_progress_and_is_then_refused(sf: D.SessionFactory) -> None:
    """An answer arriving while the attempt is being finished (its row locked, ``finished_at`` set, not yet
    committed) waits for the finish and is then refused: it is never stored behind the grade's back."""
    a, (ada,), _ = _setup(sf, 1)
    att = S.start_attempt(sf, ada.id, a.id)
    qid = next(q.instance.id for q in S.list_questions(sf, ada.id, a.id) if q.answer_format == "numeric")
    assert S.submit_answer(sf, ada.id, att.id, qid, _answer(qid, 0), "before").status == "recorded"
    outcome: list[object] = []

    def answer() -> None:
        try:
            outcome.append(S.submit_answer(sf, ada.id, att.id, qid, _answer(qid, 1), "during"))
        except S.AttemptClosed as e:
            outcome.append(e)

    engine = sf.kw["bind"]
    with engine.connect() as conn:
        conn = conn.execution_options(cnnquiz_write=True)  # SQLite: BEGIN IMMEDIATE, the database's write lock
        with conn.begin():
            conn.execute(select(D.Attempt.id).where(D.Attempt.id == att.id).with_for_update())
            conn.execute(update(D.Attempt).where(D.Attempt.id == att.id).values(finished_at=D.utcnow()))
            t = threading.Thread(target=answer)
            t.start()
            t.join(timeout=1.0)
            assert t.is_alive(), "the answer did not wait for the finish in progress"
        t.join(timeout=60)
    assert len(outcome) == 1 and isinstance(outcome[0], S.AttemptClosed)
    assert [r[3] for r in _rows(sf)] == ["before"]


def test_bench_cli_splits_writers_over_processes(db_url: str) -> None:
    import json

    from typer.testing import CliRunner

    from ui.cli import app

    args = ["bench", "db", "--url", db_url, "--writers", "4", "--answers", "10", "--processes", "2", "--json"]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert (data["writers"], data["processes"], data["recorded"], data["lost"], data["duplicated"]) == (4, 2, 40, 0, 0)
    assert data["client_cpu_us_per_answer"] > 0
