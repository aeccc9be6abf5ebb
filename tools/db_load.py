"""DB write benchmark: N concurrent writers (threads, each with its own sessions) × M answers each.

Every writer is a student with an attempt at a shared self-study assessment; it submits M answers
(correct keys, named-trap values and plain wrong answers, in turn) through
:func:`grader.services.submit_answer`, each with its own idempotency key. Afterwards the rows are
counted in the database: ``lost`` = answers acknowledged as recorded but missing,
``duplicated`` = rows beyond one per idempotency key. The setup (accounts, course, assessment,
attempts) is not timed. Every run uses fresh, uniquely named accounts, so it can run against a
database that holds other data.

The writers are threads of this process, or (``processes=k``) threads of k fresh processes, as a web
server runs several worker processes: one Python process executes Python code on one core at a time.
"""

from __future__ import annotations

import queue
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from grader import db as D
from grader import services as S
from grader.autograde.spawning import mainless_spawn_context

START_TIMEOUT_S = 600.0


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


@dataclass(frozen=True)
class _Plan:
    """What the writers of one process do (plain data: it is sent to child processes)."""

    raws: list[tuple[int, str]]
    """``(question instance id, raw answer)``, taken in turn."""
    writers: list[tuple[int, int, int]]
    """``(writer number, student id, attempt id)``."""
    answers: int
    retry_every: int


def _writer(sf: D.SessionFactory, plan: _Plan, w: int, student: int, attempt: int) -> int:
    """Submit the writer's answers; returns how many were acknowledged as recorded."""
    acknowledged = 0
    for i in range(plan.answers):
        inst, raw = plan.raws[(w + i) % len(plan.raws)]
        key = f"{w}-{i}"
        r = S.submit_answer(sf, student, attempt, inst, raw, key, 1000 + i)
        if r.status == "recorded":
            acknowledged += 1
        if plan.retry_every and i % plan.retry_every == 0:
            again = S.submit_answer(sf, student, attempt, inst, raw, key, 1000 + i)
            if again.status != "duplicate" or again.response != r.response:
                raise AssertionError(f"retry of {key} was {again.status}")
    return acknowledged


def _run_writers(sf: D.SessionFactory, plan: _Plan, start: Callable[[], None]) -> tuple[int, float]:
    """One thread per writer, all started and waiting; ``start()`` is called when they are (it returns when the
    clock starts), then they run. Returns the answers acknowledged as recorded and the CPU seconds this process
    spent meanwhile; re-raises a writer's error."""
    barrier = threading.Barrier(len(plan.writers) + 1)
    acknowledged = [0] * len(plan.writers)
    errors: list[BaseException] = []

    def body(slot: int) -> None:
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            return  # the start was called off
        try:
            acknowledged[slot] = _writer(sf, plan, *plan.writers[slot])
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=body, args=(slot,), daemon=True) for slot in range(len(plan.writers))]
    for th in threads:
        th.start()
    try:
        start()
    except BaseException:
        barrier.abort()
        raise
    cpu = time.process_time()
    barrier.wait()
    for th in threads:
        th.join()
    cpu = time.process_time() - cpu
    if errors:
        raise errors[0]
    return sum(acknowledged), cpu


def _child(url: str, plan: _Plan, warm: tuple[int, int], go: Any, results: Any) -> None:
    """A writer process: its own engine, the questions regenerated once (as the parent's setup did), then its
    writers wait for ``go`` with everyone else's."""
    engine = D.make_engine(url, pool_size=min(len(plan.writers) + 2, 80), max_overflow=10)
    try:
        sf = D.session_factory(engine)
        S.list_questions(sf, *warm)

        def start() -> None:
            results.put(("ready", 0))
            if not go.wait(START_TIMEOUT_S):
                raise TimeoutError("the other writer processes never got ready")

        results.put(("done", _run_writers(sf, plan, start)))
    except BaseException as e:
        results.put(("error", f"{type(e).__name__}: {e}"))
    finally:
        engine.dispose()


def _collect(results: Any, procs: list[Any], want: str, n: int) -> list[Any]:
    """``n`` messages of kind ``want`` from the children (an error, or a child dying first, raises)."""
    values: list[Any] = []
    deadline = time.monotonic() + START_TIMEOUT_S
    while len(values) < n:
        try:
            kind, value = results.get(timeout=1.0)
        except queue.Empty:
            if any(p.exitcode not in (None, 0) for p in procs):
                raise RuntimeError("a writer process died") from None
            if time.monotonic() > deadline:
                raise TimeoutError(f"writer processes: {len(values)} of {n} {want}") from None
            continue
        if kind == "error":
            raise RuntimeError(f"writer process failed: {value}")
        if kind == want:
            values.append(value)
    return values


def _run_processes(
    url: str, plans: list[_Plan], warm: tuple[int, int], server_cpu: Callable[[], float | None]
) -> tuple[int, float, float, float | None]:
    """Run each plan in a fresh process; returns the answers acknowledged, the seconds from the common start until
    the last process reported, the CPU seconds the writer processes spent meanwhile and the server's."""
    ctx = mainless_spawn_context()  # a writer never re-runs the host's __main__ (a Streamlit page in a test run)
    go = ctx.Event()
    results = ctx.Queue()
    procs = [ctx.Process(target=_child, args=(url, p, warm, go, results), daemon=True) for p in plans]
    for p in procs:
        p.start()
    try:
        _collect(results, procs, "ready", len(plans))
        s0, t0 = server_cpu(), time.perf_counter()
        go.set()
        done = _collect(results, procs, "done", len(plans))
        seconds, s1 = time.perf_counter() - t0, server_cpu()
        server = None if s0 is None or s1 is None else s1 - s0
        return sum(d[0] for d in done), seconds, sum(d[1] for d in done), server
    finally:
        for p in procs:
            p.join(timeout=60)
            if p.is_alive():
                p.kill()


def run(
    url: str,
    writers: int,
    answers: int,
    *,
    processes: int = 1,
    upgrade: bool = True,
    retry_every: int = 0,
    questions: int = 10,
    server_cpu: Callable[[], float | None] | None = None,
) -> dict[str, Any]:
    """Run the benchmark; returns ``writers, processes, answers, recorded, lost, duplicated, seconds, answers_per_s``
    and where the CPU went: ``client_cpu_us_per_answer`` (the writers' processes: services, driver and, on SQLite,
    the database engine itself) and ``server_cpu_us_per_answer`` (``server_cpu()`` sampled around the run: the
    database server's CPU seconds so far; ``None`` without it).

    ``processes=k`` splits the writers over k fresh processes (threads in each); ``1`` runs them in this one.
    ``retry_every=k`` also resubmits every k-th answer with the same idempotency key (a retry after a
    network blip): retries are not counted as answers and must come back as ``duplicate``.
    """
    if writers < 1 or answers < 1:
        raise ValueError("writers and answers must be at least 1")
    if not 1 <= processes <= writers:
        raise ValueError("processes must be between 1 and the number of writers")
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

        plan = _Plan(
            raws, [(w, st.id, att.id) for w, (st, att) in enumerate(zip(students, attempts))], answers, retry_every
        )
        sample = server_cpu or (lambda: None)
        if processes == 1:
            t0, s0 = 0.0, None

            def start() -> None:
                nonlocal t0, s0
                s0, t0 = sample(), time.perf_counter()

            acknowledged, client = _run_writers(sf, plan, start)
            seconds, s1 = time.perf_counter() - t0, sample()
            server = None if s0 is None or s1 is None else s1 - s0
        else:
            plans = [_Plan(raws, plan.writers[k::processes], answers, retry_every) for k in range(processes)]
            acknowledged, seconds, client, server = _run_processes(url, plans, (prof.id, a.id), sample)
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
        if acknowledged != expected:
            raise AssertionError(f"{expected - acknowledged} fresh answers were not acknowledged as recorded")
        return {
            "writers": writers,
            "processes": processes,
            "answers": answers,
            "recorded": int(recorded),
            "lost": expected - int(distinct),
            "duplicated": int(recorded) - int(distinct),
            "seconds": round(seconds, 4),
            "answers_per_s": round(expected / seconds, 1),
            "client_cpu_us_per_answer": round(client / expected * 1e6, 1),
            "server_cpu_us_per_answer": None if server is None else round(server / expected * 1e6, 1),
        }
    finally:
        engine.dispose()
