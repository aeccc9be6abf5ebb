"""DB write benchmark: N concurrent writers (threads, each with its own sessions) × M answers each.

Every writer is a student with an attempt at a shared self-study assessment; it submits M answers
(correct keys, named-trap values and plain wrong answers, in turn) through
:func:`grader.services.submit_answer`, each with its own idempotency key. Afterwards the rows are
counted in the database: ``lost`` = answers acknowledged as recorded but missing,
``duplicated`` = rows beyond one per idempotency key. The setup (accounts, course, assessment,
attempts) is not timed. Every run uses fresh, uniquely named accounts, so it can run against a
database that holds other data.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

from sqlalchemy import func, select

from grader import db as D
from grader import services as S


def _answers_for(q: S.QuestionView) -> list[str]:
    """Raw answers that grade three ways: the key, a named trap's value and a plain wrong answer."""
    key = q.key
    if q.options is not None:
        ids = [o.id for o in q.options]
        if isinstance(key, list):
            return [", ".join(key), ids[0], ", ".join(ids)]
        return [str(key), next(i for i in ids if i != key), str(key)]
    if isinstance(key, str):  # a shape or a word
        return [key, key, "1x1x1"]
    return [str(key), str(key * 2), str(key + 1)]


def run(
    url: str, writers: int, answers: int, *, upgrade: bool = True, retry_every: int = 0, questions: int = 10
) -> dict[str, Any]:
    """Run the benchmark; returns ``writers, answers, recorded, lost, duplicated, seconds, answers_per_s``.

    ``retry_every=k`` also resubmits every k-th answer with the same idempotency key (a retry after a
    network blip): retries are not counted as answers and must come back as ``duplicate``.
    """
    if writers < 1 or answers < 1:
        raise ValueError("writers and answers must be at least 1")
    if upgrade:
        D.upgrade(url)
    engine = D.make_engine(url, pool_size=min(writers + 2, 80), max_overflow=10)
    sf = D.session_factory(engine)
    tag = secrets.token_hex(4)
    try:
        prof = S.create_user(sf, f"bench-{tag}-prof", "instructor")
        course = S.create_course(sf, prof.id, f"bench-{tag}", "DB benchmark")
        a = S.create_assessment(
            sf,
            prof.id,
            course.id,
            "bench",
            "self_study",
            [{"topic": "conv_params", "count": questions, "difficulty": 2}],
            seed=1,
        )
        qs = S.list_questions(sf, prof.id, a.id)
        raws = [(q.instance.id, r) for q in qs for r in _answers_for(q)]
        students = [S.create_user(sf, f"bench-{tag}-s{w}", "student") for w in range(writers)]
        for st in students:
            S.enrol(sf, prof.id, course.id, st.id)
        attempts = [S.start_attempt(sf, st.id, a.id) for st in students]

        barrier = threading.Barrier(writers + 1)
        acknowledged = [0] * writers
        errors: list[BaseException] = []

        def writer(w: int) -> None:
            st, att = students[w], attempts[w]
            barrier.wait()
            try:
                for i in range(answers):
                    inst, raw = raws[(w + i) % len(raws)]
                    key = f"{w}-{i}"
                    r = S.submit_answer(sf, st.id, att.id, inst, raw, key, 1000 + i)
                    if r.status == "recorded":
                        acknowledged[w] += 1
                    if retry_every and i % retry_every == 0:
                        again = S.submit_answer(sf, st.id, att.id, inst, raw, key, 1000 + i)
                        if again.status != "duplicate" or again.response != r.response:
                            raise AssertionError(f"retry of {key} was {again.status}")
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(writers)]
        for th in threads:
            th.start()
        barrier.wait()
        t0 = time.perf_counter()
        for th in threads:
            th.join()
        seconds = time.perf_counter() - t0
        if errors:
            raise errors[0]
        resp = D.Response.__table__
        with D.read_session(sf) as s:
            ids = [x.id for x in attempts]
            recorded = s.execute(select(func.count()).select_from(resp).where(resp.c.attempt_id.in_(ids))).scalar_one()
            distinct = s.execute(
                select(func.count()).select_from(
                    select(resp.c.attempt_id, resp.c.idempotency_key)
                    .where(resp.c.attempt_id.in_(ids))
                    .distinct()
                    .subquery()
                )
            ).scalar_one()
        expected = writers * answers
        if sum(acknowledged) != expected:
            raise AssertionError(f"{expected - sum(acknowledged)} fresh answers were not acknowledged as recorded")
        return {
            "writers": writers,
            "answers": answers,
            "recorded": int(recorded),
            "lost": expected - int(distinct),
            "duplicated": int(recorded) - int(distinct),
            "seconds": round(seconds, 4),
            "answers_per_s": round(expected / seconds, 1),
        }
    finally:
        engine.dispose()
