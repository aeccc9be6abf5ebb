"""Benchmark: keyed-question generation (no TensorFlow on that path) vs live validation, side by side.

Writes JSON with, per generator: questions/s generated, ms per live validation
(first, uncached witnesses) and the ratio validate/generate; plus the bank-wide
generation rate (round-robin over every generator and difficulty, one process)
and proof that TensorFlow was not imported while generating.

    python bench/bench_generation.py --out bench/results/generation.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.progress import track
from rich.table import Table


def bank_rate(gen_ids: list[str], seconds: float, first_seed: int = 0) -> tuple[float, int]:
    from quizbank.generators import generate

    n, seed, t0 = 0, first_seed, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for g in gen_ids:
            for d in (1, 2, 3):
                generate(g, seed, d)
                n += 1
        seed += 1
    return n / (time.perf_counter() - t0), n


def _warm_generators() -> None:
    import quizbank.generators  # noqa: F401


def machine_rate(gen_ids: list[str], seconds: float, procs: int) -> tuple[float, int]:
    """The bank-wide rate of ``procs`` spawned processes generating at once (disjoint seeds), summed."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    with ProcessPoolExecutor(procs, mp_context=get_context("spawn"), initializer=_warm_generators) as pool:
        runs = list(pool.map(bank_rate, [gen_ids] * procs, [seconds] * procs, [i * 1_000_000 for i in range(procs)]))
    return sum(r for r, _ in runs), sum(n for _, n in runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("bench/results/generation.json"))
    ap.add_argument("--seconds", type=float, default=5.0, help="duration of the bank-wide generation run")
    ap.add_argument("--per-gen", type=int, default=300, help="questions per generator for the per-generator rate")
    ap.add_argument("--validate-seeds", type=int, default=10, help="seeds per difficulty validated per generator")
    args = ap.parse_args()

    from quizbank.generators import REGISTRY, generate

    gen_ids = sorted(REGISTRY)
    rate, n = bank_rate(gen_ids, args.seconds)
    tf_loaded = any(m.split(".")[0] in ("tensorflow", "keras") for m in sys.modules)
    procs = os.cpu_count() or 1
    all_rate, all_n = machine_rate(gen_ids, args.seconds, procs)

    rows = []
    for g in track(gen_ids, description="per generator", console=Console(stderr=True)):
        t0 = time.perf_counter()
        for i in range(args.per_gen):
            generate(g, i, 1 + i % 3)
        gen_s = (time.perf_counter() - t0) / args.per_gen
        rows.append({"generator": g, "generate_us": gen_s * 1e6, "questions_per_s": 1 / gen_s})

    from quizbank.sweep import warm
    from quizbank.validate import clear_cache, validate_question

    warm()
    for row in track(rows, description="validate (live Keras)", console=Console(stderr=True)):
        clear_cache()
        qs = [generate(row["generator"], s, d) for d in (1, 2, 3) for s in range(args.validate_seeds)]
        t0 = time.perf_counter()
        ok = sum(validate_question(q).ok for q in qs)
        val_s = (time.perf_counter() - t0) / len(qs)
        row.update(
            validate_ms=val_s * 1e3,
            validated=len(qs),
            validated_ok=ok,
            validate_over_generate=val_s / (row["generate_us"] / 1e6),
        )

    result = {
        "benchmark": "generation",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "bank_questions_per_s": rate,
        "bank_questions": n,
        "machine_processes": procs,
        "machine_questions_per_s": all_rate,
        "machine_questions": all_n,
        "generators": len(gen_ids),
        "tensorflow_imported_while_generating": tf_loaded,
        "target_questions_per_s": 20_000,
        "meets_target": all_rate >= 20_000,
        "per_generator": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))

    table = Table(
        "generator",
        "q/s",
        "validate ms",
        "validate/generate",
        title=(
            f"bank: {rate:,.0f} questions/s in one process, {all_rate:,.0f}/s in {procs} "
            f"(TensorFlow imported while generating: {tf_loaded})"
        ),
    )
    for r in rows:
        table.add_row(
            r["generator"],
            f"{r['questions_per_s']:,.0f}",
            f"{r['validate_ms']:.2f}",
            f"{r['validate_over_generate']:,.0f}×",
        )
    Console().print(table)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
