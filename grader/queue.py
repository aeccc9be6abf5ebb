"""Grading code submissions: in process on SQLite, through a procrastinate task queue on PostgreSQL.

* :func:`submit_code` is what the app and the CLI call once a submission is stored. On SQLite (the embedded default)
  it hands the submission to a process-wide :class:`GradingQueue` (a thread pool and one warm autograder), as
  before. On PostgreSQL it defers a ``grade_code`` job holding only the submission id, on the ``grading`` queue,
  with a priority (exams before homework) and a queueing lock (a submission is never waiting twice); a full queue
  refuses with :class:`QueueFull` (back-pressure: the page tells the student to submit again later).
* :func:`run_worker` (``cnnquiz worker --db-url URL --slots N``) hosts one :class:`~grader.autograde.grade.
  Autograder` with ``N`` warm sandbox slots and takes at most ``N`` jobs at once (procrastinate's concurrency).
  It heartbeats every :data:`HEARTBEAT_SECONDS`; every worker also looks for jobs held by workers whose heartbeat
  stopped (``kill -9``, a lost machine) and puts them back on the queue. If the database goes away the worker
  keeps its warm sandbox, waits and reconnects.
* Exactly one verdict per submission: delivery is at least once (a job can run again after its worker died between
  grading and finishing), so the verdict is written only where none is recorded yet
  (:func:`grader.services.code.record_code_verdict_once`); a rerun finds it and does nothing.
* Bounded retries: a job whose grading raises is retried; after :data:`MAX_ATTEMPTS` runs (a stalled job's rescue
  counts as one) the submission gets the ``internal_error`` verdict, which an instructor sees and can rerun
  (:func:`rerun_code`). A submission that merely crashes its own sandbox is not an error of the grader: it gets
  the sandbox's verdict on its first run.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Literal

import procrastinate
from procrastinate.schema import SchemaManager
from pydantic import BaseModel
from sqlalchemy import make_url

from . import db as D
from . import services as S
from .autograde.tasks import get
from .db import SessionFactory

log = logging.getLogger(__name__)

QUEUE = "grading"
TASK_NAME = "grade_code"
MAX_ATTEMPTS = 3
"""Runs of one job before its submission gets ``internal_error`` (a retry after a stalled worker counts too)."""
HEARTBEAT_SECONDS = 2.0
STALL_SECONDS = 15.0
"""A worker whose heartbeat is older than this is presumed dead and its jobs are put back on the queue."""
MAX_WAITING = 2000
"""Back-pressure: :func:`submit_code` refuses while this many grading jobs wait."""
INTERNAL_ERROR = "internal_error"

PRIORITY: dict[str, int] = {"exam": 100, "homework": 50, "self_study": 10, "practice": 0}
"""Job priority by the kind of assessment a submission was handed in to (higher first)."""


class QueueFull(RuntimeError):
    """Too many submissions are waiting; nothing was queued (submit again later)."""


def is_postgres(url: str) -> bool:
    return make_url(D.normalize_url(url)).get_backend_name() == "postgresql"


def conninfo(url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL."""
    u = make_url(D.normalize_url(url)).set(drivername="postgresql")
    return u.render_as_string(hide_password=False)


# ------------------------------------------------------------------ the task


def _internal_error(sf: SessionFactory, submission_id: int, task_id: str | None, why: str) -> bool:
    max_score: float | None = None
    with contextlib.suppress(Exception):
        max_score = get(task_id).max_score if task_id else None
    message = (
        "The grader failed on this submission several times; this is not a verdict on your code. "
        "An instructor can see it and grade it again."
    )
    return S.record_code_verdict_once(
        sf, submission_id, INTERNAL_ERROR, 0.0, max_score, {"message": message, "internal": why}
    )


def grade_submission(ctx: dict[str, Any], submission_id: int, attempts: int) -> str:
    """Grade one stored submission once; what happened (``graded``, ``already``, ``missing``, ``internal_error``).

    ``attempts`` is how many runs of this job came before; the last allowed run records ``internal_error``
    instead of raising."""
    sf: SessionFactory = ctx["sf"]
    sub = S.code_submission_for_grading(sf, submission_id)
    if sub is None:
        return "missing"
    if sub.verdict is not None:
        return "already"
    hook: Callable[[int, str], None] | None = ctx.get("before_grade")
    try:
        if hook is not None:
            hook(submission_id, sub.source)
        r = ctx["grader"].grade_source(get(sub.task_id), sub.source, sub.file_name)
    except Exception as e:
        if attempts + 1 >= MAX_ATTEMPTS:
            log.exception("submission %s failed %d times: internal_error", submission_id, attempts + 1)
            _internal_error(sf, submission_id, sub.task_id, f"{type(e).__name__}: {e}")
            return INTERNAL_ERROR
        raise
    S.record_code_verdict_once(sf, submission_id, r.verdict, r.score, r.max_score, r.model_dump(mode="json"))
    return "graded"


def grade_code(context: procrastinate.JobContext, submission_id: int) -> str:
    assert context.job is not None
    log.info("grading job %s (submission %s, attempt %d)", context.job.id, submission_id, context.job.attempts + 1)
    return grade_submission(context.additional_context, submission_id, context.job.attempts)


def noop() -> None:
    """A job that does nothing: the bench measures the queue's own ceiling with it."""


def make_app(url: str) -> procrastinate.App:
    """An app (not opened) with the ``grade_code`` task (retried ``MAX_ATTEMPTS - 1`` times, 1 s apart) and
    ``noop``."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(url)))
    retry = procrastinate.RetryStrategy(max_attempts=MAX_ATTEMPTS - 1, wait=1)
    app.task(name=TASK_NAME, queue=QUEUE, pass_context=True, retry=retry)(grade_code)
    app.task(name="noop", queue="noop")(noop)
    return app


@functools.lru_cache(maxsize=8)
def _sync_app(url: str) -> procrastinate.App:
    """One opened app per URL per process, for deferring (the app's thread)."""
    return make_app(url).open()


# ------------------------------------------------------------------ submitting


class QueueStatus(BaseModel):
    waiting: int
    running: int
    oldest_waiting_seconds: float | None
    """Age of the oldest job still waiting (``None``: none waits)."""
    workers: int
    """Workers with a fresh heartbeat."""


_STATUS_SQL = """
SELECT count(*) FILTER (WHERE j.status = 'todo') AS waiting,
       count(*) FILTER (WHERE j.status = 'doing') AS running,
       EXTRACT(EPOCH FROM now() - min(d.at) FILTER (WHERE j.status = 'todo'))::float8 AS oldest,
       (SELECT count(*) FROM procrastinate_workers
         WHERE last_heartbeat > now() - make_interval(secs => %(stall)s)) AS workers
  FROM procrastinate_jobs j
  LEFT JOIN LATERAL (SELECT min(e.at) AS at FROM procrastinate_events e
                      WHERE e.job_id = j.id AND e.type = 'deferred') d ON true
 WHERE j.queue_name = %(queue)s AND j.status IN ('todo', 'doing')
"""


def queue_status(url: str, *, stall_seconds: float = STALL_SECONDS) -> QueueStatus:
    """How many grading jobs wait and run, how long the oldest has waited, and how many workers are alive."""
    import psycopg

    with psycopg.connect(conninfo(url), connect_timeout=10) as conn:
        row = conn.execute(_STATUS_SQL, {"queue": QUEUE, "stall": stall_seconds}).fetchone()
    assert row is not None
    return QueueStatus(waiting=row[0], running=row[1], oldest_waiting_seconds=row[2], workers=row[3])


def priority_for(sf: SessionFactory, submission_id: int) -> int:
    """Exams before homework before self-study before practice (a submission outside any assessment)."""
    return PRIORITY.get(S.code_submission_kind(sf, submission_id) or "practice", 0)


def check_capacity(url: str, max_waiting: int = MAX_WAITING) -> None:
    """Raise :class:`QueueFull` while ``max_waiting`` grading jobs wait (back-pressure)."""
    if queue_status(url).waiting >= max_waiting:
        raise QueueFull(f"{max_waiting} submissions are already waiting to be graded; submit again in a minute")


def enqueue(url: str, submission_id: int, priority: int = 0, *, max_waiting: int | None = MAX_WAITING) -> int | None:
    """Defer a ``grade_code`` job for a stored submission; its job id (``None``: one already waits for it)."""
    if max_waiting is not None:
        check_capacity(url, max_waiting)
    task = _sync_app(url).tasks[TASK_NAME]
    try:
        return task.configure(priority=priority, queueing_lock=f"code:{submission_id}").defer(
            submission_id=submission_id
        )
    except procrastinate.exceptions.AlreadyEnqueued:
        return None


_local: dict[str, GradingQueue] = {}
_local_lock = threading.Lock()


def local_queue(jobs: int = 1) -> GradingQueue:
    """The process-wide in-process grader (SQLite)."""
    with _local_lock:
        if "q" not in _local:
            _local["q"] = GradingQueue(jobs=jobs)
        return _local["q"]


def submit_code(
    sf: SessionFactory,
    url: str,
    submission_id: int,
    priority: int | None = None,
    *,
    local: GradingQueue | None = None,
    max_waiting: int | None = MAX_WAITING,
) -> Literal["local", "queued", "already"]:
    """Have a stored submission graded: in process on SQLite (``local``, default :func:`local_queue`), through
    the queue on PostgreSQL (``priority`` default: :func:`priority_for`). Raises :class:`QueueFull` when
    ``max_waiting`` jobs wait (``None``: the caller checked)."""
    if not is_postgres(url):
        sub = S.code_submission_for_grading(sf, submission_id)
        if sub is None:
            raise S.NotFound(f"no code submission {submission_id}")
        (local or local_queue()).submit(sf, submission_id, sub.task_id, sub.source, sub.file_name)
        return "local"
    prio = priority_for(sf, submission_id) if priority is None else priority
    return "queued" if enqueue(url, submission_id, prio, max_waiting=max_waiting) is not None else "already"


def rerun_code(
    sf: SessionFactory, url: str, actor_id: int, submission_id: int, *, local: GradingQueue | None = None
) -> str:
    """A grader of the course grades a submission again (e.g. after ``internal_error``): its verdict is cleared, then
    it is submitted as new. A full queue refuses (:class:`QueueFull`) before the verdict is cleared."""
    if is_postgres(url):
        check_capacity(url)
    S.clear_code_verdict(sf, actor_id, submission_id)
    return submit_code(sf, url, submission_id, local=local, max_waiting=None)


def regrade_task(
    sf: SessionFactory, url: str, actor_id: int, course_id: int, task_id: str, *, local: GradingQueue | None = None
) -> list[int]:
    """A grader of the course grades every student's newest submission of ``task_id`` again; their ids. The queue
    must have room for all of them (else :class:`QueueFull`, and nothing is cleared)."""
    ids = [r.latest.id for r in S.course_code_overview(sf, actor_id, course_id, task_id) if r.latest is not None]
    if ids and is_postgres(url):
        check_capacity(url, MAX_WAITING - len(ids) + 1)
    for sid in ids:
        S.clear_code_verdict(sf, actor_id, sid)
        submit_code(sf, url, sid, local=local, max_waiting=None)
    return ids


# ------------------------------------------------------------------ the in-process grader (SQLite)

Phase = Literal["queued", "starting", "running"]


class GradingQueue:
    """A process-wide background grader: a worker thread pool and one autograder (sandbox + checker pool), started
    on the first submission, never on a page's thread. Jobs of every user share it; a page only polls."""

    def __init__(self, jobs: int = 1, autograder: Callable[[], Any] | None = None) -> None:
        self.jobs = jobs
        self._make = autograder or self._default_autograder
        self._pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="cnnquiz-grade")
        self._lock = threading.Lock()
        self._autograder: Any = None
        self._phase: dict[int, Phase] = {}

    def _default_autograder(self) -> Any:
        from .autograde.grade import Autograder

        return Autograder(jobs=self.jobs)

    def _grader(self, submission_id: int) -> Any:
        with self._lock:
            if self._autograder is None:
                self._phase[submission_id] = "starting"
                self._autograder = self._make()
            return self._autograder

    def phase(self, submission_id: int) -> Phase | None:
        """Where a submission is in this process's queue (``None``: not here, e.g. graded or lost to a restart)."""
        return self._phase.get(submission_id)

    def submit(self, sf: SessionFactory, submission_id: int, task_id: str, source: str, file_name: str) -> Future[None]:
        with self._lock:
            self._phase[submission_id] = "queued"
        return self._pool.submit(self._run, sf, submission_id, task_id, source, file_name)

    def _run(self, sf: SessionFactory, submission_id: int, task_id: str, source: str, file_name: str) -> None:
        task = get(task_id)
        try:
            grader = self._grader(submission_id)
            self._phase[submission_id] = "running"
            r = grader.grade_source(task, source, file_name)
            S.set_code_verdict(sf, submission_id, r.verdict, r.score, r.max_score, r.model_dump(mode="json"))
        except Exception as e:  # the grader itself failed: say so rather than leave the submission pending
            log.exception("grading submission %s failed", submission_id)
            message = f"The grader failed ({type(e).__name__}); this is not your code's fault. Please submit again."
            try:
                S.set_code_verdict(sf, submission_id, "runtime_error", 0.0, task.max_score, {"message": message})
            except Exception:
                log.exception("recording the failure of submission %s failed", submission_id)
        finally:
            self._phase.pop(submission_id, None)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            if self._autograder is not None:
                self._autograder.close()
                self._autograder = None


# ------------------------------------------------------------------ the worker


async def rescue_stalled(app: procrastinate.App, sf: SessionFactory, stall_seconds: float) -> int:
    """Put the jobs of workers whose heartbeat stopped back on the queue (their last allowed run: record
    ``internal_error`` and fail the job); how many were rescued."""
    from procrastinate.jobs import Status

    n = 0
    for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stall_seconds, queue=QUEUE):
        assert job.id is not None
        try:
            if job.attempts + 1 >= MAX_ATTEMPTS:
                sid = int(job.task_kwargs.get("submission_id", 0))
                sub = await asyncio.to_thread(S.code_submission_for_grading, sf, sid)
                why = f"its worker stopped responding {job.attempts + 1} times"
                await asyncio.to_thread(_internal_error, sf, sid, sub.task_id if sub else None, why)
                await app.job_manager.finish_job_by_id_async(job.id, status=Status.FAILED, delete_job=False)
            else:
                await app.job_manager.retry_job(job)
            n += 1
            log.warning("rescued job %s (submission %s) from a stalled worker", job.id, job.task_kwargs)
        except Exception:  # another worker rescued it first
            log.debug("job %s was rescued elsewhere", job.id, exc_info=True)
    return n


async def _rescuer(app: procrastinate.App, sf: SessionFactory, stall_seconds: float) -> None:
    while True:
        await asyncio.sleep(max(1.0, stall_seconds / 3))
        try:
            await rescue_stalled(app, sf, stall_seconds)
        except Exception:
            log.warning("looking for stalled jobs failed", exc_info=True)


async def _serve(url: str, ctx: dict[str, Any], slots: int, stall_seconds: float, queues: list[str]) -> None:
    app = make_app(url)
    async with app.open_async():
        rescuer = asyncio.create_task(_rescuer(app, ctx["sf"], stall_seconds))
        try:
            await app.run_worker_async(
                queues=queues,
                concurrency=slots,
                name=f"cnnquiz-{slots}",
                additional_context=ctx,
                update_heartbeat_interval=HEARTBEAT_SECONDS,
                stalled_worker_timeout=stall_seconds,
                fetch_job_polling_interval=1.0,
                install_signal_handlers=True,
                wait=True,
            )
        finally:
            rescuer.cancel()
            with contextlib.suppress(BaseException):
                await rescuer


def run_worker(
    url: str,
    slots: int = 1,
    *,
    stall_seconds: float = STALL_SECONDS,
    queues: list[str] | None = None,
    autograder: Any = None,
    before_grade: Callable[[int, str], None] | None = None,
) -> None:
    """Run a grading worker until SIGINT/SIGTERM: ``slots`` warm sandboxes, at most ``slots`` jobs at once. Lost
    database connections are waited out (the worker reconnects; the sandbox stays warm)."""
    if not is_postgres(url):
        raise ValueError("grading workers need a PostgreSQL database (SQLite grades in process)")
    engine = D.make_engine(url, pool_size=max(2, slots), max_overflow=slots)  # pre-ping: survives restarts
    sf = D.session_factory(engine)
    if autograder is None:
        from .autograde.grade import Autograder

        # one core per slot: workers scale out by process and machine, so a slot never takes a second core
        autograder = Autograder(jobs=slots, prepare_ahead=False)
    ctx: dict[str, Any] = {"sf": sf, "grader": autograder}
    if before_grade is not None:
        ctx["before_grade"] = before_grade
    try:
        while True:
            started = time.monotonic()
            try:
                asyncio.run(_serve(url, ctx, slots, stall_seconds, queues or [QUEUE]))
                return  # stopped by a signal
            except (KeyboardInterrupt, SystemExit):
                return
            except Exception:
                log.warning("the worker lost its database; reconnecting", exc_info=True)
                time.sleep(1.0 if time.monotonic() - started > 10 else 3.0)
    finally:
        with contextlib.suppress(Exception):
            autograder.close()
        engine.dispose()


def install_schema(url: str) -> None:
    """Create procrastinate's tables and functions if the database has none (the ``0005_queue`` migration does the
    same on ``cnnquiz db upgrade``)."""
    import psycopg

    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        exists = conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL").fetchone()
        if exists and exists[0]:
            return
        conn.execute(SchemaManager.get_schema())
