"""Benchmark: build an exam for 300 students × 30 questions (one variant per student, shuffled) and write it in all
five export formats, as the builder page and ``cnnquiz exam export --format all`` do (``export_many``: the PDF
typesets while the text formats are written); the build plus that is ``total_s`` (target: 10 s on the project's
machine). Then each format alone, one after another, for the breakdown (``alone``). Wall clock and CPU (this
process's threads, Typst's included, and any child processes): on a shared machine the wall time says how loaded it
was, the CPU time what the work costs. Last, all five again in the same process (``all_five_again_s``: what a
long-running app process pays, its caches and Typst's fonts warm).

    python bench/bench_exam.py --out bench/results/exam.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import tempfile
import time
from pathlib import Path


def cpu_time() -> float:
    """CPU seconds used so far by this process (all its threads) and its waited-for children."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run(students: int, questions: int) -> dict[str, object]:
    from quizbank.exam import build_exam, parse_blueprint
    from quizbank.export import EXPORTERS, export, export_many
    from quizbank.generators import TOPICS

    topics = sorted(TOPICS)
    items = [{"topic": topics[i % len(topics)], "difficulty": 1 + i % 2} for i in range(questions)]
    bp = parse_blueprint(
        {"title": "Bench exam", "seed": 2026, "same_for_everyone": False, "shuffle_questions": True,
         "shuffle_options": True, "items": items}
    )  # fmt: skip
    ids = [f"s{i:04d}" for i in range(students)]
    t0, c0 = time.perf_counter(), cpu_time()
    exam = build_exam(bp, ids)
    seconds: dict[str, float] = {"build": time.perf_counter() - t0}
    cpu: dict[str, float] = {"build": cpu_time() - c0}
    sizes: dict[str, int] = {}
    alone: dict[str, float] = {}
    alone_cpu: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as d:
        t, c = time.perf_counter(), cpu_time()
        written = export_many(exam, {fmt: Path(d) / "all" / fmt for fmt in EXPORTERS})
        seconds["all_five"] = time.perf_counter() - t
        cpu["all_five"] = cpu_time() - c
        sizes = {fmt: sum(p.stat().st_size for p in paths) for fmt, paths in written.items()}
        for fmt in EXPORTERS:
            t, c = time.perf_counter(), cpu_time()
            export(exam, fmt, Path(d) / "alone" / fmt)
            alone[fmt] = time.perf_counter() - t
            alone_cpu[fmt] = cpu_time() - c
        t = time.perf_counter()  # again, in a process that has exported once (the builder page's)
        export_many(exam, {fmt: Path(d) / "again" / fmt for fmt in EXPORTERS})
        again = time.perf_counter() - t
    total = seconds["build"] + seconds["all_five"]
    return {
        "students": students,
        "questions_per_student": questions,
        "questions": students * questions,
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
        "total_s": round(total, 3),
        "cpu_seconds": {k: round(v, 3) for k, v in cpu.items()},
        "total_cpu_s": round(sum(cpu.values()), 3),
        "target_s": 10.0,
        "within_target": total <= 10.0,
        "alone": {
            "seconds": {k: round(v, 3) for k, v in alone.items()},
            "sum_s": round(sum(alone.values()), 3),
            "cpu_seconds": {k: round(v, 3) for k, v in alone_cpu.items()},
        },
        "all_five_again_s": round(again, 3),
        "bytes": sizes,
        "cpus": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
        "python": platform.python_version(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--students", type=int, default=300)
    ap.add_argument("--questions", type=int, default=30)
    ap.add_argument("--out", type=Path, default=Path("bench/results/exam.json"))
    a = ap.parse_args()
    r = run(a.students, a.questions)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(r, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(r, indent=1))


if __name__ == "__main__":
    main()
