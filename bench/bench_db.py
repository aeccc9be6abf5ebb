"""Benchmark: answers recorded per second through the grading service, SQLite and PostgreSQL side by side.

Each run is ``cnnquiz bench db`` (:func:`tools.db_load.run`): N writer threads, each a student with an attempt,
submit M answers each through ``grader.services.submit_answer`` (parse and grade outside any transaction, then one
short conditional write); afterwards the rows are counted: ``lost`` and ``duplicated`` must be 0. The same plan
runs on every backend: 1 writer, 64 writers in this process, and 64 writers as 2 processes of 32 threads (as a
web server runs worker processes; one Python process runs Python code on one core at a time).

SQLite is a fresh WAL file (``synchronous=NORMAL``, the default; also ``FULL``, an fsync per commit); PostgreSQL
is a throwaway server started here with ``initdb`` (fsync on, ``synchronous_commit=on``: PostgreSQL's defaults),
over TCP on 127.0.0.1. Besides answers/s, each run reports the CPU spent per answer by the writers' processes
(``client``; on SQLite that includes the database engine) and by the PostgreSQL server: what the machine must
supply per answer, whatever else is running on it (the load average before and after is recorded too).
Targets: >= 4,000 answers/s with 64 writers, 0 lost, 0 duplicated.

    python bench/bench_db.py --out bench/results/db.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

TARGET = 4000


def _sqlite_run(synchronous: str, writers: int, answers: int, processes: int) -> dict[str, Any]:
    from tools.db_load import run

    old = os.environ.get("CNNQUIZ_SQLITE_SYNCHRONOUS")
    os.environ["CNNQUIZ_SQLITE_SYNCHRONOUS"] = synchronous  # child processes inherit it
    try:
        with tempfile.TemporaryDirectory(prefix="cnnquiz-bench-") as d:
            return run(f"sqlite:///{Path(d) / 'bench.sqlite'}", writers, answers, processes=processes)
    finally:
        if old is None:
            os.environ.pop("CNNQUIZ_SQLITE_SYNCHRONOUS", None)
        else:
            os.environ["CNNQUIZ_SQLITE_SYNCHRONOUS"] = old


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("bench/results/db.json"))
    ap.add_argument("--answers", type=int, default=100, help="answers per writer in the 64-writer runs")
    ap.add_argument("--single", type=int, default=2000, help="answers of the single writer")
    ap.add_argument("--no-postgres", action="store_true", help="SQLite only")
    ap.add_argument("--no-full", action="store_true", help="skip SQLite with synchronous=FULL")
    args = ap.parse_args()

    plan = [(1, 1, args.single), (64, 1, args.answers), (64, 2, args.answers)]
    backends: dict[str, Callable[[int, int, int], dict[str, Any]]] = {
        "sqlite": lambda w, p, n: _sqlite_run("NORMAL", w, n, p),
    }
    if not args.no_full:
        backends["sqlite_full"] = lambda w, p, n: _sqlite_run("FULL", w, n, p)
    load_before = os.getloadavg()
    runs: list[dict[str, Any]] = []
    for name, fn in backends.items():
        for writers, processes, answers in plan:
            runs.append({"backend": name, **fn(writers, processes, answers)})
    pg_version = None
    if not args.no_postgres:
        import psycopg

        from tools.db_load import run
        from tools.pgtemp import TempPostgres

        with TempPostgres() as pg:
            for i, (writers, processes, answers) in enumerate(plan):
                url = pg.create_database(f"bench_{i}")
                r = run(url, writers, answers, processes=processes, server_cpu=pg.cpu_seconds)
                runs.append({"backend": "postgresql", **r})
            with psycopg.connect(pg.dsn("postgres")) as conn:
                row = conn.execute("SHOW server_version").fetchone()
                pg_version = row[0] if row else None
    load_after = os.getloadavg()

    import sqlite3

    names = list(backends) + ([] if args.no_postgres else ["postgresql"])
    by = {(r["backend"], r["writers"], r["processes"]): r for r in runs}
    side_by_side = [
        {"writers": w, "processes": p, **{n: by[(n, w, p)]["answers_per_s"] for n in names}} for w, p, _ in plan
    ]
    best_64 = {n: max(by[(n, w, p)]["answers_per_s"] for w, p, _ in plan if w == 64) for n in names}
    result = {
        "benchmark": "db",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg_version,
        "unix_time": int(time.time()),
        "side_by_side": side_by_side,
        "runs": runs,
        "targets": {"answers_per_s_64_writers": TARGET, "lost": 0, "duplicated": 0},
        "best_64_writers": best_64,
        "met": {n: best_64[n] >= TARGET for n in names},
        "lost": sum(r["lost"] for r in runs),
        "duplicated": sum(r["duplicated"] for r in runs),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")

    titles = {"sqlite": "SQLite", "sqlite_full": "SQLite FULL", "postgresql": "PostgreSQL"}
    rate = Table("writers", *(titles[n] for n in names), title="answers/s")
    cpu = Table("writers", *(titles[n] for n in names), title="CPU µs per answer (writers' processes + server)")
    for w, p, _ in plan:
        label = f"{w}" + (f" ({p} processes)" if p > 1 else "")
        runs_here = [by[(n, w, p)] for n in names]
        rate.add_row(label, *(f"{r['answers_per_s']:,.0f}" for r in runs_here))
        cpu.add_row(
            label,
            *(
                f"{r['client_cpu_us_per_answer']:.0f}"
                + ("" if r["server_cpu_us_per_answer"] is None else f" + {r['server_cpu_us_per_answer']:.0f}")
                for r in runs_here
            ),
        )
    console = Console()
    console.print(rate)
    console.print(cpu)
    console.print(
        f"lost {result['lost']}, duplicated {result['duplicated']}; load average {load_before[0]:.1f} → "
        f"{load_after[0]:.1f} on {os.cpu_count()} CPUs; wrote {args.out}"
    )


if __name__ == "__main__":
    main()
