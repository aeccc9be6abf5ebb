"""Benchmark: grading through the PostgreSQL queue (grader.queue) with real ``cnnquiz worker`` processes.

A throwaway PostgreSQL server is started here (``tools.pgtemp``: fsync on, loopback). Measured, in one run:

* throughput with 1 worker and with 2 workers (each one sandbox slot) on the same batch of real submissions
  (task references and wrong solutions, no training task), after every worker has warmed up (its first grade
  starts the checker: ~20 s); target ratio >= 1.7x on 2 free cores. The submissions are stored before the clock
  starts (the students' uploads) and enqueued after it, and the bench polls for verdicts every 50 ms; ``cores``
  says where the machine's cores went during each run (the workers' trees, PostgreSQL, this bench, the rest).
  The two configurations alternate for ``--rounds`` rounds (1, 2, 1, 2: the machine's speed drifts between
  minutes) and the ratio is of their rates over all rounds;
* enqueue-to-verdict latency (p50, p90) of single submissions sent to idle warm workers, one at a time;
* the queue's overhead per job: that latency minus the in-process grading time of the same file
  (``Autograder.grade_source`` in this process);
* the no-op ceiling: jobs/s the queue itself sustains (a worker running jobs that do nothing, in process), and
  the enqueue rate of ``submit``-style single deferrals;
* CPU per job (``cpu_per_job`` in each throughput run): CPU seconds the workers' whole process trees (worker,
  zygote and the submissions' children, checker fork server and checkers; ``tools.proctree``) burnt per graded
  job, by role, against wall seconds per job, and for one worker the mean number of its runnable threads (the
  cores it asks for). CPU seconds do not stretch under other load, so this says on a busy machine whether one
  worker already wants more than one core (which would cap the 2-vs-1 ratio at ``2 / cores wanted``).

    python bench/bench_queue.py --out bench/results/queue.json
    python bench/bench_queue.py --quick --batch 120   # ~7 minutes: the throughput rounds and the ratio only
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from grader import db as D  # noqa: E402
from grader import queue as Q  # noqa: E402
from grader import services as S  # noqa: E402
from grader.autograde.tasks import get  # noqa: E402
from tools.pgtemp import TempPostgres  # noqa: E402
from tools.proctree import Sampler, tree_cpu  # noqa: E402

SUBS = ROOT / "tests" / "autograde_submissions"


def corpus() -> list[tuple[str, str, str]]:
    tasks = sorted(p.name for p in SUBS.iterdir() if p.name != "lenet-train")
    out = [(t, f"{t}-reference.py", get(t).reference_source()) for t in tasks]
    out += [(t, f.name, f.read_text()) for t in tasks for f in sorted((SUBS / t).glob("*.py"))]
    return out


def machine_busy() -> tuple[float, float]:
    """(busy, all) jiffies of every core since boot, from /proc/stat (idle and iowait are not busy)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields) - fields[3] - fields[4], sum(fields)


def self_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class Bench:
    def __init__(self, url: str, logs: Path, postgres_pid: int | None = None) -> None:
        self.url, self.logs, self.postgres_pid = url, logs, postgres_pid
        self.sf = D.session_factory(D.make_engine(url))
        self.user = S.create_user(self.sf, "bench", "student").id
        self.procs: list[subprocess.Popen[bytes]] = []

    def start_workers(self, n: int) -> None:
        for k in range(n):
            log = open(self.logs / f"worker{len(self.procs)}-{k}.log", "ab")
            self.procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "ui.cli", "worker", "--db-url", self.url, "--slots", "1"],
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            log.close()

    def stop_workers(self) -> None:
        for p in self.procs:
            p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        self.procs = []

    def submit(self, task: str, name: str, src: str) -> int:
        sid = S.record_code_submission(self.sf, self.user, task, name, src).id
        Q.enqueue(self.url, sid, 0, max_waiting=None)
        return sid

    def record(self, batch: list[tuple[str, str, str]]) -> list[int]:
        """Store the batch's submissions (the students' uploads, before the clock starts); not yet enqueued."""
        return [S.record_code_submission(self.sf, self.user, *c).id for c in batch]

    def wait(self, ids: list[int], timeout: float = 900, poll: float = 0.02) -> float:
        """Seconds until every submission has a verdict (polling every ``poll`` seconds)."""
        t0 = time.perf_counter()
        while True:
            with D.read_session(self.sf) as s:
                n = s.execute(
                    select(func.count())
                    .select_from(D.CodeSubmission)
                    .where(D.CodeSubmission.id.in_(ids), D.CodeSubmission.verdict.is_not(None))
                ).scalar_one()
            if n == len(ids):
                return time.perf_counter() - t0
            if time.perf_counter() - t0 > timeout:
                raise TimeoutError(f"{len(ids) - n} of {len(ids)} not graded in {timeout} s")
            time.sleep(poll)

    def warm(self, n: int) -> None:
        """Every one of ``n`` fresh workers grades one slow-to-start submission (each holds one at a time)."""
        t, _, src = corpus()[0]
        deadline = time.monotonic() + 300
        while Q.queue_status(self.url).workers < n:  # every worker registered (its sandbox is warm by then)
            if time.monotonic() > deadline:
                raise TimeoutError("workers did not start")
            time.sleep(0.2)
        self.wait([self.submit(t, "warm.py", src) for _ in range(n)], timeout=600)
        time.sleep(1.0)

    def tree_cpu(self) -> dict[str, float]:
        """CPU seconds of every running worker's process tree, summed, by role."""
        out: dict[str, float] = {}
        for p in self.procs:
            for k, v in tree_cpu(p.pid).items():
                out[k] = out.get(k, 0.0) + v
        return out

    def throughput(self, workers: int, batch: list[tuple[str, str, str]]) -> dict[str, Any]:
        self.start_workers(workers)
        self.warm(workers)
        sampler = Sampler(self.procs[0].pid).start() if workers == 1 else None
        ids = self.record(batch)
        cpu0, busy0, me0 = self.tree_cpu(), machine_busy(), self_cpu()
        pg0 = tree_cpu(self.postgres_pid)["total"] if self.postgres_pid else 0.0
        t0 = time.perf_counter()
        for sid in ids:
            Q.enqueue(self.url, sid, 0, max_waiting=None)
        self.wait(ids, poll=0.05)  # the poll's own queries compete with the workers for the cores: 50 ms, not 20
        dt = time.perf_counter() - t0
        cpu1, busy1, me1 = self.tree_cpu(), machine_busy(), self_cpu()
        pg1 = tree_cpu(self.postgres_pid)["total"] if self.postgres_pid else 0.0
        demand = sampler.stop() if sampler is not None else None
        self.stop_workers()
        n = len(ids)
        spent = {k: cpu1.get(k, 0.0) - cpu0.get(k, 0.0) for k in cpu1}
        cpu_per_job = {
            "cpu_s": spent["total"] / n,
            "wall_s": dt / n,
            "cores_used": spent["total"] / dt,
            "by_role_cpu_s": {k: v / n for k, v in sorted(spent.items()) if k != "total"},
        }
        if demand is not None:
            cpu_per_job["runnable_threads"] = demand
        # where every core's time went during the run: the workers' trees, PostgreSQL, this bench, the rest
        busy = (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1]) * (os.cpu_count() or 1)
        cores = {
            "machine_busy": busy,
            "workers": spent["total"] / dt,
            "postgres": (pg1 - pg0) / dt,
            "bench": (me1 - me0) / dt,
        }
        cores["other"] = busy - cores["workers"] - cores["postgres"] - cores["bench"]
        return {
            "workers": workers,
            "slots_each": 1,
            "jobs": n,
            "seconds": dt,
            "jobs_per_s": n / dt,
            "cpu_per_job": cpu_per_job,
            "cores": cores,
        }


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


async def _noop_ceiling(url: str, jobs: int, concurrency: int) -> dict[str, Any]:
    app = Q.make_app(url)
    async with app.open_async():
        noop = app.tasks["noop"]
        t0 = time.perf_counter()
        for _ in range(200):
            await noop.defer_async()
        single = 200 / (time.perf_counter() - t0)
        await noop.batch_defer_async(*({} for _ in range(jobs - 200)))
        t0 = time.perf_counter()
        await app.run_worker_async(queues=["noop"], concurrency=concurrency, wait=False, install_signal_handlers=False)
        dt = time.perf_counter() - t0
    return {"jobs": jobs, "concurrency": concurrency, "seconds": dt, "jobs_per_s": jobs / dt, "defers_per_s": single}


class _Done(Exception):
    """The quick mode's early end."""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("bench/results/queue.json"))
    ap.add_argument("--batch", type=int, default=60, help="submissions in each throughput run")
    ap.add_argument("--rounds", type=int, default=2, help="alternating 1-worker and 2-worker runs of each")
    ap.add_argument("--latency", type=int, default=20, help="single submissions timed on idle workers")
    ap.add_argument("--noop", type=int, default=2000, help="no-op jobs for the ceiling")
    ap.add_argument(
        "--quick",
        action="store_true",
        help="the throughput rounds (24 submissions each, or --batch) and the ratio only",
    )
    args = ap.parse_args()
    if args.quick and "--batch" not in sys.argv[1:]:
        args.batch = min(args.batch, 24)  # a longer quick run: give --batch

    items = corpus()
    batch = [items[k % len(items)] for k in range(args.batch)]
    result: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "batch": args.batch,
        "rounds": args.rounds,
        "load_average_at_start": os.getloadavg(),
    }
    with TempPostgres() as pg, tempfile.TemporaryDirectory(prefix="cnnquiz-bench-q-") as tmp:
        url = pg.create_database("bench")
        D.upgrade(url)
        b = Bench(url, Path(tmp), pg.proc.pid if pg.proc is not None else None)
        try:
            # 1 worker, 2 workers, 1, 2, …: this machine's speed drifts by 10-15 % from minute to minute (CPU seconds
            # per job vary that much on one worker), so the two configurations alternate and the ratio is of their
            # rates over every round
            runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
            for _ in range(args.rounds):
                for workers in (1, 2):
                    runs[workers].append(b.throughput(workers, batch))
            rate = {w: sum(r["jobs"] for r in rs) / sum(r["seconds"] for r in rs) for w, rs in runs.items()}
            result["throughput"] = [r for pair in zip(runs[1], runs[2]) for r in pair]
            result["jobs_per_s"] = rate
            result["ratio_2_vs_1"] = rate[2] / rate[1]
            result["ratio_per_round"] = [t["jobs_per_s"] / o["jobs_per_s"] for o, t in zip(runs[1], runs[2])]
            # one worker asking for more than one core caps what a second one can add on two cores
            wanted = statistics.mean(r["cpu_per_job"]["runnable_threads"]["mean_runnable"] for r in runs[1])
            result["ratio_cap_from_demand"] = 2 / max(1.0, wanted)
            print(
                f"ratio_2_vs_1 {result['ratio_2_vs_1']:.2f} (rounds: "
                + ", ".join(f"{x:.2f}" for x in result["ratio_per_round"])
                + ")",
                file=sys.stderr,
                flush=True,
            )
            if args.quick:
                raise _Done

            # latency on idle warm workers, and the same file graded in process
            t, name, src = next(c for c in items if c[0] == "se-block")
            b.start_workers(2)
            b.warm(2)
            lat = []
            for _ in range(args.latency):
                t0 = time.perf_counter()
                b.wait([b.submit(t, name, src)])
                lat.append(time.perf_counter() - t0)
                time.sleep(0.2)
            b.stop_workers()
            from grader.autograde.grade import Autograder

            ag = Autograder(jobs=1)
            ag.grade_source(get(t), src, name)  # warm-up
            inproc = []
            for _ in range(args.latency):
                t0 = time.perf_counter()
                ag.grade_source(get(t), src, name)
                inproc.append(time.perf_counter() - t0)
            ag.close()
            result["latency_idle"] = {
                "file": name,
                "samples": len(lat),
                "p50_s": pct(lat, 0.5),
                "p90_s": pct(lat, 0.9),
                "in_process_p50_s": statistics.median(inproc),
                "overhead_per_job_s": pct(lat, 0.5) - statistics.median(inproc),
            }
            result["noop_ceiling"] = [asyncio.run(_noop_ceiling(url, args.noop, c)) for c in (1, 8)]
        except _Done:
            pass
        finally:
            b.stop_workers()
    result["load_average_at_end"] = os.getloadavg()  # other load on the machine caps the 2-vs-1 ratio
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
