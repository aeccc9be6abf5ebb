"""Grading through the PostgreSQL queue (grader.queue) with real worker processes (``cnnquiz worker``).

The workers' tests share one throwaway PostgreSQL server of their own (they restart it) and two worker processes
(each one sandbox slot), started once: a worker's sandbox and checker take ~20-40 s to warm up on a loaded
2-core machine. Every submission's verdicts are counted by a trigger, so "exactly one verdict" is observed in the
database, not inferred. The mixed batch is :data:`N_CI` submissions (references, wrong solutions, two attacks) so
the module stays under three minutes in CI; ``CNNQUIZ_QUEUE_N`` raises it, and the ``slow`` test sends 200.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from grader import db as D
from grader import queue as Q
from grader import services as S
from grader.autograde.tasks import get
from tests.support import migrated
from tools.pgtemp import TempPostgres, available

ROOT = Path(__file__).resolve().parents[1]
SUBS = ROOT / "tests" / "autograde_submissions"
ATTACKS = ROOT / "tests" / "autograde_attacks"
N_CI = int(os.environ.get("CNNQUIZ_QUEUE_N", "30"))
STALL = 6.0

pytestmark = pytest.mark.skipif(
    os.environ.get("CNNQUIZ_TEST_PG", "").lower() == "skip" or not available(), reason="needs PostgreSQL binaries"
)

VERDICT_LOG = """
CREATE TABLE verdict_log (submission_id int NOT NULL, verdict text NOT NULL, at timestamptz DEFAULT now());
CREATE FUNCTION log_verdict() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.verdict IS NOT NULL AND NEW.verdict IS DISTINCT FROM OLD.verdict THEN
    INSERT INTO verdict_log (submission_id, verdict) VALUES (NEW.id, NEW.verdict);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER verdict_log AFTER UPDATE ON code_submissions FOR EACH ROW EXECUTE FUNCTION log_verdict();
"""


def corpus() -> list[tuple[str, str, str]]:
    """(task id, file name, source): every task's reference, the wrong solutions, two attacks."""
    out = [(t, f"{t}-reference.py", get(t).reference_source()) for t in sorted(p.name for p in SUBS.iterdir())]
    out += [(d.name, f.name, f.read_text()) for d in sorted(SUBS.iterdir()) for f in sorted(d.glob("*.py"))]
    out += [("lenet5", f, (ATTACKS / f).read_text()) for f in ("kill_all.py", "sys_exit.py")]
    return [c for c in out if c[0] != "lenet-train"]  # training runs ~20 s of CPU each: the bench's business


def slow(task_id: str, seconds: float) -> str:
    """The task's reference, taking ``seconds`` longer (a job a worker holds long enough to be killed holding)."""
    fn = get(task_id).function
    return f"{get(task_id).reference_source()}\n\nimport time as _t\n_ref = {fn}\n\n\ndef {fn}(*a, **k):\n    _t.sleep({seconds})\n    return _ref(*a, **k)\n"


class Cluster:
    def __init__(self, pg: TempPostgres, url: str, tmp: Path) -> None:
        self.pg, self.url, self.tmp = pg, url, tmp
        self.engine = D.make_engine(url)
        self.sf = D.session_factory(self.engine)
        self.workers: dict[str, subprocess.Popen[bytes]] = {}
        self.student = S.create_user(self.sf, "ada", "student").id

    def start_worker(self, name: str) -> None:
        log = open(self.tmp / f"worker-{name}.log", "ab")
        self.workers[name] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ui.cli",
                "worker",
                "--db-url",
                self.url,
                "--slots",
                "1",
                "--stall-seconds",
                str(STALL),
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )
        log.close()

    def ensure_workers(self, names: tuple[str, ...] = ("a", "b")) -> None:
        for n in names:
            if n not in self.workers or self.workers[n].poll() is not None:
                self.start_worker(n)

    def log(self, name: str) -> str:
        return (self.tmp / f"worker-{name}.log").read_text(errors="replace")

    def submit(self, task_id: str, name: str, source: str, priority: int = 0) -> int:
        sid = S.record_code_submission(self.sf, self.student, task_id, name, source).id
        assert Q.submit_code(self.sf, self.url, sid, priority) == "queued"
        return sid

    def sql(self, query: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        with psycopg.connect(Q.conninfo(self.url)) as conn:
            return conn.execute(query, params).fetchall()  # type: ignore[arg-type]

    def verdict_counts(self, ids: list[int]) -> dict[int, int]:
        rows = self.sql(
            "SELECT submission_id, count(*) FROM verdict_log WHERE submission_id = ANY(%(i)s) GROUP BY 1", {"i": ids}
        )
        return {i: 0 for i in ids} | {r[0]: r[1] for r in rows}

    def wait_graded(self, ids: list[int], timeout: float) -> dict[int, tuple[str, float]]:
        deadline = time.monotonic() + timeout
        while True:
            rows = self.sql(
                "SELECT id, verdict, score FROM code_submissions WHERE id = ANY(%(i)s) AND verdict IS NOT NULL",
                {"i": ids},
            )
            if len(rows) == len(ids):
                return {r[0]: (r[1], r[2]) for r in rows}
            if time.monotonic() > deadline:
                logs = "\n".join(f"--- {n}\n{self.log(n)[-3000:]}" for n in self.workers)
                raise AssertionError(f"{len(ids) - len(rows)} of {len(ids)} not graded in {timeout} s\n{logs}")
            time.sleep(0.3)

    def stop(self) -> None:
        for p in self.workers.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.workers.values():
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.engine.dispose()


@pytest.fixture(scope="module")
def expected() -> dict[tuple[str, str], tuple[str, float]]:
    """In-process grading of every corpus file (the reference the queue's verdicts must equal)."""
    from grader.autograde.grade import Autograder

    ag = Autograder(jobs=1)
    try:
        return {
            (t, name): (r.verdict, r.score) for t, name, src in corpus() for r in [ag.grade_source(get(t), src, name)]
        }
    finally:
        ag.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with TempPostgres() as pg:
        url = pg.create_database("queue")
        D.upgrade(url)
        with psycopg.connect(pg.dsn("queue"), autocommit=True) as conn:
            conn.execute(VERDICT_LOG)  # type: ignore[arg-type]
        c = Cluster(pg, url, tmp_path_factory.mktemp("workers"))
        c.ensure_workers()
        try:
            yield c
        finally:
            c.stop()


def _batch(c: Cluster, n: int) -> tuple[list[int], dict[int, tuple[str, str]]]:
    items = corpus()
    ids, names = [], {}
    for k in range(n):
        t, name, src = items[k % len(items)]
        sid = c.submit(t, name, src)
        ids.append(sid)
        names[sid] = (t, name)  # two tasks have a file of the same name
    return ids, names


def test_a_mixed_batch_through_two_workers_gets_the_in_process_verdicts(
    cluster: Cluster, expected: dict[tuple[str, str], tuple[str, float]]
) -> None:
    ids, names = _batch(cluster, N_CI)
    got = cluster.wait_graded(ids, timeout=180)
    assert {sid: got[sid] for sid in ids} == {sid: expected[names[sid]] for sid in ids}
    assert set(cluster.verdict_counts(ids).values()) == {1}
    assert all("grading job" in cluster.log(n) for n in ("a", "b")), "a worker took no job"
    st = Q.queue_status(cluster.url)
    assert (st.waiting, st.running, st.oldest_waiting_seconds) == (0, 0, None) and st.workers == 2


@pytest.mark.slow
def test_two_hundred_submissions_through_two_workers(
    cluster: Cluster, expected: dict[tuple[str, str], tuple[str, float]]
) -> None:
    cluster.ensure_workers()
    ids, names = _batch(cluster, 200)
    got = cluster.wait_graded(ids, timeout=600)
    assert {sid: got[sid] for sid in ids} == {sid: expected[names[sid]] for sid in ids}
    assert set(cluster.verdict_counts(ids).values()) == {1}


def test_a_poison_submission_ends_as_internal_error_after_the_bounded_retries(cluster: Cluster) -> None:
    cluster.ensure_workers()
    sid = cluster.submit("no-such-task", "poison.py", "def build_model():\n    pass\n")
    got = cluster.wait_graded([sid], timeout=60)
    assert got[sid][0] == Q.INTERNAL_ERROR
    attempts = cluster.sql(
        "SELECT attempts, status FROM procrastinate_jobs WHERE args->>'submission_id' = %(s)s", {"s": str(sid)}
    )
    assert attempts == [(Q.MAX_ATTEMPTS, "succeeded")]  # runs 1 and 2 raised and were retried; run 3 recorded it
    assert cluster.verdict_counts([sid]) == {sid: 1}
    sub = S.code_submission_for_grading(cluster.sf, sid)
    assert sub is not None and sub.verdict == Q.INTERNAL_ERROR


def test_a_postgres_restart_mid_run_loses_nothing(cluster: Cluster) -> None:
    cluster.ensure_workers()
    ids = [cluster.submit("se-block", f"slow{k}.py", slow("se-block", 1.0)) for k in range(8)]
    deadline = time.monotonic() + 90
    while not cluster.sql("SELECT 1 FROM code_submissions WHERE id = ANY(%(i)s) AND verdict IS NOT NULL", {"i": ids}):
        assert time.monotonic() < deadline, "nothing was graded before the restart"
        time.sleep(0.2)
    cluster.pg.restart(down_seconds=2.0)
    got = cluster.wait_graded(ids, timeout=120)
    assert set(got.values()) == {("ok", get("se-block").max_score)}
    assert set(cluster.verdict_counts(ids).values()) == {1}
    assert all(p.poll() is None for p in cluster.workers.values()), "a worker died instead of reconnecting"


def test_kill_9_a_worker_holding_a_job_and_the_survivor_grades_it(cluster: Cluster) -> None:
    cluster.ensure_workers()
    ids = [cluster.submit("se-block", f"held{k}.py", slow("se-block", 4.0)) for k in range(4)]
    deadline = time.monotonic() + 90
    victim_name = None
    while victim_name is None:  # a worker logs the job it starts: kill -9 the one holding a job
        assert time.monotonic() < deadline, "no job was taken"
        doing = [r[0] for r in cluster.sql("SELECT id FROM procrastinate_jobs WHERE status = 'doing'")]
        victim_name = next((n for n in cluster.workers for j in doing if f"grading job {j} " in cluster.log(n)), None)
        time.sleep(0.1)
    victim = cluster.workers[victim_name]
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    t0 = time.monotonic()
    got = cluster.wait_graded(ids, timeout=STALL * 3 + 60)
    assert time.monotonic() - t0 < STALL * 3 + 60
    assert set(got.values()) == {("ok", get("se-block").max_score)}
    assert set(cluster.verdict_counts(ids).values()) == {1}
    rescued = cluster.sql(
        "SELECT count(*) FROM procrastinate_jobs WHERE args->>'submission_id' = ANY(%(i)s) AND attempts > 0",
        {"i": [str(i) for i in ids]},
    )[0][0]
    assert rescued >= 1, "no job was taken back from the killed worker"


# ------------------------------------------------------------------ no workers: enqueueing, priorities, one verdict


@pytest.fixture
def pg_sf(pg_server: TempPostgres) -> Iterator[tuple[str, D.SessionFactory]]:
    url = pg_server.create_database(f"q_{uuid.uuid4().hex[:12]}")
    with migrated(url) as sf:
        yield url, sf


def _fetch_order(url: str) -> list[int]:
    """Submission ids in the order a worker would take their jobs (procrastinate's own fetch)."""

    async def go() -> list[int]:
        app = Q.make_app(url)
        out = []
        async with app.open_async():
            wid = await app.job_manager.register_worker()
            while job := await app.job_manager.fetch_job(queues=[Q.QUEUE], worker_id=wid):
                out.append(job.task_kwargs["submission_id"])
        return out

    return asyncio.run(go())


def test_exams_are_taken_before_homework_and_a_waiting_submission_is_not_queued_twice(
    pg_sf: tuple[str, D.SessionFactory],
) -> None:
    url, sf = pg_sf
    teacher = S.create_user(sf, "t", "instructor").id
    student = S.create_user(sf, "s", "student").id
    course = S.create_course(sf, teacher, "CNN1", "CNNs").id
    S.enrol(sf, teacher, course, student)
    t0 = D.utcnow()
    hw = S.create_assessment(sf, teacher, course, "hw", "homework", [], opens_at=t0).id
    exam = S.create_assessment(sf, teacher, course, "ex", "exam", [], opens_at=t0).id
    ids = {}
    for name, aid in (("practice", None), ("homework", hw), ("exam", exam)):
        ids[name] = S.record_code_submission(sf, student, "lenet5", "a.py", "x = 1\n", assessment_id=aid).id
        assert Q.submit_code(sf, url, ids[name]) == "queued"
    assert Q.submit_code(sf, url, ids["exam"]) == "already"
    st = Q.queue_status(url)
    assert st.waiting == 3 and st.running == 0 and st.oldest_waiting_seconds is not None
    assert _fetch_order(url) == [ids["exam"], ids["homework"], ids["practice"]]


def test_a_full_queue_refuses(pg_sf: tuple[str, D.SessionFactory]) -> None:
    url, sf = pg_sf
    u = S.create_user(sf, "s", "student").id
    subs = [S.record_code_submission(sf, u, "lenet5", "a.py", "x = 1\n").id for _ in range(3)]
    Q.enqueue(url, subs[0], max_waiting=2)
    Q.enqueue(url, subs[1], max_waiting=2)
    with pytest.raises(Q.QueueFull):
        Q.enqueue(url, subs[2], max_waiting=2)
    assert Q.queue_status(url).waiting == 2


def test_a_verdict_is_recorded_once(pg_sf: tuple[str, D.SessionFactory]) -> None:
    _, sf = pg_sf
    u = S.create_user(sf, "s", "student").id
    sid = S.record_code_submission(sf, u, "lenet5", "a.py", "x = 1\n").id
    assert S.record_code_verdict_once(sf, sid, "ok", 8.0, 8.0, {"n": 1})
    assert not S.record_code_verdict_once(sf, sid, "runtime_error", 0.0, 8.0, {"n": 2})
    got = S.get_code_submission(sf, u, sid)
    assert (got.verdict, got.score, got.results) == ("ok", 8.0, {"n": 1})


class _Fake:
    def grade_source(self, task: Any, source: str, file_name: str) -> Any:
        from grader.autograde.grade import GradeResult

        return GradeResult(file=file_name, task=task.id, verdict="ok", score=5, max_score=task.max_score)

    def close(self) -> None:
        pass


def test_on_sqlite_submit_code_grades_in_process(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'q.sqlite'}"
    D.upgrade(url)
    engine = D.make_engine(url)
    sf = D.session_factory(engine)
    try:
        u = S.create_user(sf, "s", "student").id
        sid = S.record_code_submission(sf, u, "lenet5", "a.py", "x = 1\n").id
        q = Q.GradingQueue(autograder=_Fake)
        assert Q.submit_code(sf, url, sid, local=q) == "local"
        q.close()  # waits for the job
        got = S.get_code_submission(sf, u, sid)
        assert (got.verdict, got.score) == ("ok", 5)
    finally:
        engine.dispose()


def test_worker_status_on_the_command_line(pg_sf: tuple[str, D.SessionFactory], tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from ui.cli import app

    url, sf = pg_sf
    u = S.create_user(sf, "s", "student").id
    Q.enqueue(url, S.record_code_submission(sf, u, "lenet5", "a.py", "x = 1\n").id)
    r = CliRunner().invoke(app, ["worker", "--status", "--json", "--db-url", url])
    assert r.exit_code == 0, r.output
    st = json.loads(r.output)
    assert (st["waiting"], st["running"], st["workers"]) == (1, 0, 0) and st["oldest_waiting_seconds"] >= 0
    r = CliRunner().invoke(app, ["worker", "--status", "--db-url", f"sqlite:///{tmp_path / 'x.sqlite'}"])
    assert r.exit_code == 2 and "PostgreSQL" in r.output
