"""Benchmark: answers recorded per second through the grading service, SQLite and PostgreSQL, 1 and 64 writers.

Each run is ``cnnquiz bench db`` (:func:`tools.db_load.run`): N writer threads, each a student with
an attempt, submit M answers each through ``grader.services.submit_answer`` (parse, grade, one
transaction per answer); afterwards the rows are counted: ``lost`` and ``duplicated`` must be 0.
SQLite is a fresh WAL file (``synchronous=NORMAL``, the default; also measured with ``FULL``, an
fsync per commit); PostgreSQL is a throwaway server started here with ``initdb`` (fsync on,
``synchronous_commit=on``: PostgreSQL's defaults). Targets: >= 2,000 answers/s on SQLite, 0 lost.

    python bench/bench_db.py --out bench/results/db.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table


def _sqlite_run(writers: int, answers: int, synchronous: str) -> dict[str, Any]:
    from tools.db_load import run

    old = os.environ.get("CNNQUIZ_SQLITE_SYNCHRONOUS")
    os.environ["CNNQUIZ_SQLITE_SYNCHRONOUS"] = synchronous
    try:
        with tempfile.TemporaryDirectory(prefix="cnnquiz-bench-") as d:
            return run(f"sqlite:///{Path(d) / 'bench.sqlite'}", writers, answers)
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
    args = ap.parse_args()

    from tools.db_load import run

    runs: list[dict[str, Any]] = []
    plan = [(1, args.single), (64, args.answers)]
    for writers, answers in plan:
        runs.append({"backend": "sqlite", "synchronous": "NORMAL", **_sqlite_run(writers, answers, "NORMAL")})
    for writers, answers in plan:
        runs.append({"backend": "sqlite", "synchronous": "FULL", **_sqlite_run(writers, answers, "FULL")})
    pg_version = None
    if not args.no_postgres:
        from tools.pgtemp import TempPostgres

        with TempPostgres() as pg:
            for i, (writers, answers) in enumerate(plan):
                url = pg.create_database(f"bench_{i}")
                runs.append({"backend": "postgresql", **run(url, writers, answers)})
            import psycopg

            with psycopg.connect(pg.dsn("postgres")) as conn:
                row = conn.execute("SHOW server_version").fetchone()
                pg_version = row[0] if row else None

    import sqlite3

    result = {
        "benchmark": "db",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg_version,
        "unix_time": int(time.time()),
        "runs": runs,
        "targets": {"sqlite_answers_per_s": 2000, "lost": 0},
        "lost": sum(r["lost"] for r in runs),
        "duplicated": sum(r["duplicated"] for r in runs),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")

    table = Table("backend", "writers", "answers", "recorded", "lost", "dup", "seconds", "answers/s", title="DB writes")
    for r in runs:
        name = r["backend"] + (f" ({r['synchronous']})" if "synchronous" in r else "")
        table.add_row(
            name,
            str(r["writers"]),
            str(r["answers"]),
            str(r["recorded"]),
            str(r["lost"]),
            str(r["duplicated"]),
            f"{r['seconds']:.2f}",
            f"{r['answers_per_s']:,.0f}",
        )
    Console().print(table)
    Console().print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
