"""Validate many questions against live Keras, optionally in worker processes.

TensorFlow is not fork-safe once it has run an op, so workers are *spawned*
(fresh interpreters) and each validates whole ``(generator, difficulty)`` jobs,
keeping its own witness cache.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any


@dataclass
class Failure:
    generator: str
    difficulty: int
    seed: int
    expected: Any
    live: Any
    detail: str = ""


@dataclass
class JobResult:
    generator: str
    difficulty: int
    seeds: int
    seconds: float
    failures: list[Failure] = field(default_factory=list)


def warm() -> None:
    """Import Keras and TensorFlow up front, so job timings measure validation, not start-up."""
    import models._keras  # noqa: F401


def run_job(gen_id: str, difficulty: int, seeds: Iterable[int]) -> JobResult:
    from .generators import generate
    from .validate import validate_question

    t0 = time.perf_counter()
    seeds = list(seeds)
    fails: list[Failure] = []
    for s in seeds:
        try:
            q = generate(gen_id, s, difficulty)
            r = validate_question(q)
        except Exception as e:
            fails.append(Failure(gen_id, difficulty, s, None, None, f"{type(e).__name__}: {e}"))
            continue
        if not r.ok:
            fails.append(Failure(gen_id, difficulty, s, r.expected, r.live, r.detail))
    return JobResult(gen_id, difficulty, len(seeds), time.perf_counter() - t0, fails)


def sweep(
    jobs: list[tuple[str, int]],
    seeds: int,
    *,
    workers: int = 1,
    start_seed: int = 0,
    on_done: Callable[[JobResult], None] | None = None,
) -> list[JobResult]:
    """Validate ``seeds`` seeds of every ``(generator, difficulty)`` job."""
    results: list[JobResult] = []
    seed_range = range(start_seed, start_seed + seeds)
    if workers <= 1:
        warm()
        for g, d in jobs:
            r = run_job(g, d, seed_range)
            results.append(r)
            if on_done:
                on_done(r)
        return results
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=warm) as pool:
        futs = [pool.submit(run_job, g, d, seed_range) for g, d in jobs]
        for f in as_completed(futs):
            r = f.result()
            results.append(r)
            if on_done:
                on_done(r)
    order = {j: i for i, j in enumerate(jobs)}
    results.sort(key=lambda r: order[(r.generator, r.difficulty)])
    return results
