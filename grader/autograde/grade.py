"""Grade submissions: sandboxed run → verdict → checker process → score.  One submission's crash or timeout never
stops a batch."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pydantic import BaseModel, Field

from .cgroups import host_memory
from .checker import CHECKER_MEMORY, CheckerPool, CheckResult, ModelReport
from .contract import MAX_SOURCE_BYTES, Verdict
from .data import write_public_train
from .sandbox import GiB, Limits, RunSpec, Sandbox
from .tasks import Task, get


class GradeResult(BaseModel):
    file: str
    task: str
    verdict: Verdict
    score: float
    max_score: float
    message: str = ""
    message_from_submission: bool = False  # the message is, or quotes, what the submission wrote: shown marked
    checks: list[CheckResult] = Field(default_factory=list)
    layers: dict[str, str] = Field(default_factory=dict)
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    stdout_head: str = ""
    model: ModelReport | None = None
    """The rebuilt model's per-layer table and receptive field (computed by the checker)."""
    exported_config: str | None = None
    """The model config the sandbox exported, as the checker rebuilt it (``CheckReport.exported_config``)."""


def submission_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, folders expanded to their ``*.py`` files (sorted, recursively)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*.py") if f.is_file())
        elif p.is_file():
            out.append(p)
        else:
            raise FileNotFoundError(f"no such file or folder: {p}")
    return out


def check_memory_fits(jobs: int, sandbox_bytes: int, checker_bytes: int, have: int | None = None) -> None:
    """Refuse to start when ``jobs`` slots, each a sandboxed submission and a checker process at their memory caps,
    could use more memory than the host has: the caps must hold before the host's OOM killer picks a victim."""
    have = host_memory() if have is None else have
    need = jobs * (sandbox_bytes + checker_bytes)
    if need > have:
        fits = have // (sandbox_bytes + checker_bytes)
        raise RuntimeError(
            f"{jobs} parallel jobs need up to {need / GiB:.1f} GiB in the worst case (each: a submission capped at "
            f"{sandbox_bytes / GiB:.1f} GiB and a checker capped at {checker_bytes / GiB:.1f} GiB), but this host "
            f"has {have / GiB:.1f} GiB: use --jobs {fits} or fewer"
            + ("" if fits else " (not even one fits: lower the caps)")
        )


class Autograder:
    """A sandbox with ``jobs`` warm zygotes and a checker pool of the same size (``CheckerPool``).

    ``prepare_ahead=False`` keeps each slot to one core while it grades (the sandbox prepares a submission's child
    when it arrives, not beside the previous one and its check): for queue workers, scaled out one slot per core."""

    def __init__(
        self,
        jobs: int = 1,
        limits: Limits | None = None,
        strict: bool = False,
        checker_memory: int = CHECKER_MEMORY,
        prepare_ahead: bool = True,
    ) -> None:
        self.jobs = jobs
        check_memory_fits(jobs, (limits or Limits()).memory_bytes, checker_memory)
        self.sandbox = Sandbox(slots=jobs, limits=limits, strict=strict, prepare_ahead=prepare_ahead)
        cg = self.sandbox.cgroup_spec if self.sandbox.layers.get("cgroup") == "ok" else None
        self.checker = CheckerPool(jobs, cg, memory_bytes=checker_memory)
        self._scratch = Path(tempfile.mkdtemp(prefix="cnnquiz-grade-"))
        self._train: Path | None = None
        self._lock = threading.Lock()
        self._seq = 0

    @property
    def layers(self) -> dict[str, str]:
        return self.sandbox.layers

    def _train_data(self) -> str:
        with self._lock:
            if self._train is None:
                self._train = write_public_train(self._scratch / "digits_train.npz")
            return str(self._train)

    def grade_source(
        self, task: Task | str, source: str, file_name: str = "submission.py", cpu_seconds: int | None = None
    ) -> GradeResult:
        """Grade one source text; ``cpu_seconds`` overrides the task's CPU limit (the wall clock is twice that)."""
        task = get(task) if isinstance(task, str) else task
        base = {"file": file_name, "task": task.id, "max_score": task.max_score}
        if len(source.encode()) > MAX_SOURCE_BYTES:
            return GradeResult(verdict="rejected", score=0, message="the source file is too large", **base)
        with self._lock:
            self._seq += 1
            out = self._scratch / f"sub{self._seq}"
        try:
            spec = RunSpec(
                function=task.function,
                kind=task.kind,
                train_data=self._train_data() if task.kind == "train" else None,
            )
            run = self.sandbox.run(source, spec, out, cpu_seconds=cpu_seconds or task.cpu_seconds)
            common = {
                "layers": run.layers,
                "cpu_seconds": run.cpu_seconds,
                "wall_seconds": run.wall_seconds,
                "stdout_head": run.stdout_head[:2000],
            }
            if run.verdict != "exported":
                return GradeResult(
                    verdict=run.verdict,
                    score=0,
                    message=run.message,
                    message_from_submission=run.message_from_submission,
                    **base,
                    **common,
                )
            report = self.checker.check(task.id, str(out))
            score = sum(c.points for c in report.checks) if report.verdict == "ok" else 0.0
            return GradeResult(
                verdict=report.verdict,
                score=score,
                message=report.message,
                checks=report.checks,
                model=report.model,
                exported_config=report.exported_config,
                **base,
                **common,
            )
        except Exception as e:  # never stop a batch
            return GradeResult(
                verdict="runtime_error", score=0, message=f"grader error: {type(e).__name__}: {e}", **base
            )
        finally:
            shutil.rmtree(out, ignore_errors=True)

    def grade_files(
        self,
        task: str,
        files: Sequence[Path],
        on_result: Callable[[GradeResult], None] | None = None,
    ) -> list[GradeResult]:
        def one(f: Path) -> GradeResult:
            try:
                source = f.read_text(encoding="utf-8", errors="replace")
            except OSError as e:
                r = GradeResult(
                    file=str(f),
                    task=task,
                    verdict="no_model",
                    score=0,
                    max_score=get(task).max_score,
                    message=f"unreadable: {e}",
                )
            else:
                r = self.grade_source(task, source, str(f))
            if on_result is not None:
                on_result(r)
            return r

        with ThreadPoolExecutor(self.jobs) as ex:
            return list(ex.map(one, files))

    def close(self) -> None:
        self.sandbox.close()
        self.checker.close()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def __enter__(self) -> Autograder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
