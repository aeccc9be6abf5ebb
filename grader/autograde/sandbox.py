"""Host side of the sandbox: warm zygotes (one per slot), the layers they enforce, and the run → verdict mapping.

See ``isolation.py`` for what happens inside a child.  A zygote is started with ``subprocess`` (a fresh
interpreter, so it is fork-safe: it has never run a TensorFlow op) and a scrubbed environment, so nothing secret
of the grading host is there to be read.  Layers that cannot be enforced on this machine are listed in every
result and warned about (``degrade loudly``); ``strict=True`` refuses to run without all of them.
"""

from __future__ import annotations

import json
import math
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Collection
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from . import cgroups, seccomp
from .contract import TaskKind, Verdict

LAYERS = ("session", "cgroup", "namespaces", "filesystem", "rlimits", "uid", "seccomp", "wall_clock")
BASE_UID = 61000
GiB = 1 << 30
CPU_SLACK = 0.1  # seconds: CPU accounting granularity when checking that SIGXCPU came at the CPU limit
MEMORY_EVIDENCE = 0.75  # a MemoryError counts as the memory limit once memory grew by this share of it


class Limits(BaseModel):
    cpu_seconds: int = Field(10, ge=1, le=600)
    memory_bytes: int = Field(3 * GiB // 2, ge=64 << 20)
    pids: int = Field(256, ge=8)
    cpu_cores: float = Field(1.0, gt=0, le=64)
    output_bytes: int = Field(8 << 20, ge=1 << 16)
    as_bytes: int = Field(64 * GiB, ge=GiB)  # a loose backstop only: TensorFlow reserves a lot of address space
    nofile: int = Field(256, ge=32)
    work_size: str = "32m"


class RunSpec(BaseModel):
    """What the harness should call: the task's function, and how (``build``, ``train`` or ``inflate``)."""

    function: str
    kind: TaskKind = "build"
    seed: int = 0
    train_data: str | None = None  # path of the *public* training split (.npz) for training tasks


class RunResult(BaseModel):
    verdict: Verdict | Literal["exported"]
    message: str = ""
    message_from_submission: bool = False  # the message is, or quotes, what the submission wrote (a traceback…)
    out_dir: str
    cpu_seconds: float = 0.0  # after the submission arrived
    prepared_cpu_seconds: float = 0.0  # spent by the prepared child's warm-up, before the submission existed
    wall_seconds: float = 0.0
    memory_peak: int | None = None
    stdout_bytes: int = 0
    stderr_bytes: int = 0
    stdout_head: str = ""
    layers: dict[str, str] = Field(default_factory=dict)
    exit_code: int | None = None


def _candidate_layers() -> tuple[dict[str, bool], dict[str, Any], dict[str, str]]:
    """The layers worth trying here.  Without root the namespaces and the private root come from a user namespace
    (the canary run says whether this kernel allows one); cgroups and the per-slot uid need root."""
    why: dict[str, str] = {}
    root = os.geteuid() == 0
    cg = cgroups.detect() if root else {"error": "not root: cannot create cgroups"}
    if "error" in cg:
        why["cgroup"] = cg["error"]
    if not root:
        why["uid"] = "not root: submissions run as the grader's own uid, in a user namespace with no capabilities"
    if not seccomp.supported():
        why["seccomp"] = "the filter is written for Linux x86_64"
    layers = {
        "cgroup": "error" not in cg,
        "namespaces": True,
        "filesystem": True,
        "uid": root,
        "seccomp": seccomp.supported(),
    }
    return layers, cg, why


@cache
def _ro_binds() -> list[str]:
    """What the sandbox's root needs: /usr, /etc, the Python install, the venv and any other import path.  Not this
    project's own source (the checks, the tasks, the question bank): the zygote imported the harness before
    forking, so the runner needs no project file, and a submission cannot read one."""
    import site

    project_root = Path(__file__).resolve().parents[2]
    paths = ["/usr", "/etc", sys.base_prefix, sys.prefix, *site.getsitepackages()]
    paths += os.environ.get("PYTHONPATH", "").split(os.pathsep)  # packages found only through it
    keep = (Path(p).resolve() for p in paths if p and Path(p).is_dir())
    return list(dict.fromkeys(str(p) for p in keep if p != project_root))


@cache
def _hidden_paths() -> list[str]:
    """Directories masked inside the sandbox: scikit-learn's bundled data (the held-out split comes from it) and
    the tasks' reference solutions."""
    import importlib.util

    from .tasks import REFERENCE_DIR

    out = [str(REFERENCE_DIR)]
    spec = importlib.util.find_spec("sklearn")  # wherever this interpreter finds it (venv, PYTHONPATH, system)
    if spec is not None and spec.origin:
        out.append(str(Path(spec.origin).resolve().parent / "datasets" / "data"))
    return out


class Zygote:
    def __init__(self, slot: int, env: dict[str, str]) -> None:
        self.slot = slot
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "grader.autograde.zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd="/",
            text=True,
            bufsize=1,
            start_new_session=True,
        )
        self.pid = 0

    def wait_ready(self) -> Zygote:
        """Block until the zygote has imported everything (start several, then wait: they import in parallel)."""
        if not self.pid:
            self.pid = int(self._readline()["pid"])
        return self

    def _readline(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"zygote {self.slot} died (exit {self.proc.poll()})")
        return json.loads(line)

    def request(self, job: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        return self._readline()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.send_signal(signal.SIGKILL)
                self.proc.wait()


class Sandbox:
    """``slots`` warm zygotes; ``run`` is thread-safe (one submission per slot at a time)."""

    def __init__(
        self,
        slots: int = 1,
        limits: Limits | None = None,
        strict: bool = False,
        disable: Collection[str] = (),
        prepare_ahead: bool = True,
    ) -> None:
        """``disable`` turns optional layers off on purpose (to test degraded operation); it is reported like any
        other missing layer. ``prepare_ahead``: each zygote forks and warms the next submission's child while the
        current one runs (lower latency, but a slot then uses more than one core while it works); without it the
        child is prepared when its submission arrives."""
        self.prepare_ahead = prepare_ahead
        if sys.platform != "linux":
            raise RuntimeError("the autograder's sandbox needs Linux")
        self.limits = limits or Limits()
        self.strict = strict
        layers, self._cg, self.why = _candidate_layers()
        for name in disable:
            if name not in layers:
                raise ValueError(f"layer {name!r} cannot be disabled (optional layers: {', '.join(layers)})")
            layers[name] = False
            self.why[name] = "disabled by the caller"
        self._layers = layers
        self._tmp = Path(tempfile.mkdtemp(prefix="cnnquiz-sandbox-"))
        os.chmod(self._tmp, 0o711)
        self._env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": "/tmp",
            "LANG": "C.UTF-8",
            "KERAS_BACKEND": "tensorflow",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "PYTHONDONTWRITEBYTECODE": "1",
            **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"},  # how this interpreter finds its packages
            **{k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")},
        }
        self._zygotes = [Zygote(i, self._env) for i in range(slots)]
        try:
            for z in self._zygotes:
                z.wait_ready()
        except BaseException:
            for z in self._zygotes:
                z.close()
            raise
        self._free: queue.Queue[Zygote] = queue.Queue()
        for z in self._zygotes:
            self._free.put(z)
        self.layers = self._probe()
        missing = [k for k, v in self.layers.items() if v != "ok"]
        if missing:
            msg = "sandbox running WITHOUT: " + ", ".join(f"{k} ({self.layers[k]})" for k in missing)
            if strict:
                self.close()
                raise RuntimeError(msg)
            warnings.warn(msg, RuntimeWarning, stacklevel=2)

    # -- configuration handed to the zygote with each job
    def _sandbox_cfg(self, slot: int, layers: dict[str, bool], limits: Limits) -> dict[str, Any]:
        root_dir = self._tmp / f"root{slot}"
        root_dir.mkdir(exist_ok=True)
        return {
            "slot": slot,
            "uid": BASE_UID + slot,
            "userns": os.geteuid() != 0,  # namespaces without root: a user namespace maps our uid to its root
            "layers": layers,
            "strict": self.strict,
            "cgroup": self._cg,
            "limits": limits.model_dump(),
            "work_size": limits.work_size,
            "root_dir": str(root_dir),
            "stage_dir": str(self._tmp / f"stage{slot}"),
            "ro_binds": _ro_binds(),
            "hide": _hidden_paths(),
            "env": {k: v for k, v in self._env.items() if k != "PATH"} | {"HOME": "/tmp", "PATH": "/usr/bin"},
        }

    def _probe(self) -> dict[str, str]:
        """Run a canary through every candidate layer; keep only those that held."""
        out = self._tmp / "probe"
        out.mkdir()
        raw = self._raw(
            "def build_model():\n    return None\n", RunSpec(function="build_model"), out, self._layers, self.limits
        )
        reports = raw.get("reports", {})
        result: dict[str, str] = {}
        for name in LAYERS:
            if name == "wall_clock":
                result[name] = "ok"
                continue
            rep = reports.get(name, "FAILED: not reached")
            if rep != "ok" and name in self.why:
                rep = f"FAILED: {self.why[name]}"
            result[name] = rep if rep == "ok" else rep.removeprefix("FAILED: ")
            if name in self._layers and rep != "ok":
                self._layers[name] = False
        shutil.rmtree(out, ignore_errors=True)
        return result

    def _raw(
        self, source: str, spec: RunSpec, out_dir: Path, layers: dict[str, bool], limits: Limits
    ) -> dict[str, Any]:
        z = self._free.get()
        try:
            if not z.alive():
                z = self._replace(z)
            job = {
                "source": source,
                "function": spec.function,
                "kind": spec.kind,
                "seed": spec.seed,
                "train_data": spec.train_data,
                "out_dir": str(out_dir),
                "fallback_work": str(self._tmp / f"work{z.slot}"),
                "sandbox": self._sandbox_cfg(z.slot, layers, limits),
                "prepare_ahead": self.prepare_ahead,
            }
            try:
                return z.request(job)
            except (RuntimeError, OSError):
                # a zygote never dies from a submission (the child does), but the host can kill it (the OOM
                # killer, an operator): replace it and run the submission once more
                z = self._replace(z)
                return z.request(job)
        finally:
            self._free.put(z)

    def _replace(self, dead: Zygote) -> Zygote:
        dead.close()
        if self._layers.get("cgroup"):  # what it left: the submission it ran, the child it had prepared
            cgroups.sweep_children(self._cg, f"s{dead.slot}-{dead.pid}-", kill=True)
        z = Zygote(dead.slot, self._env).wait_ready()
        self._zygotes[self._zygotes.index(dead)] = z
        return z

    def run(self, source: str, spec: RunSpec, out_dir: str | Path, cpu_seconds: int | None = None) -> RunResult:
        """Run one submission; ``cpu_seconds`` overrides the CPU limit (the wall clock is twice that)."""
        limits = self.limits if cpu_seconds is None else self.limits.model_copy(update={"cpu_seconds": cpu_seconds})
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        for f in out.iterdir():
            if f.is_file():
                f.unlink()
        raw = self._raw(source, spec, out, dict(self._layers), limits)
        return classify(raw, out, limits, self.layers)

    @property
    def cgroup_spec(self) -> dict[str, Any]:
        return self._cg

    def zygote_pids(self) -> list[int]:
        return [z.pid for z in self._zygotes]

    def close(self) -> None:
        for z in self._zygotes:
            z.close()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read(path: Path, limit: int = 1 << 20) -> str:
    try:
        with open(path, "rb") as f:
            return f.read(limit).decode(errors="replace")
    except OSError:
        return ""


def classify(raw: dict[str, Any], out: Path, limits: Limits, layers: dict[str, str]) -> RunResult:
    """Raw facts from the zygote + exported files → a verdict (``exported`` means: hand it to the checker)."""
    if "error" in raw:
        return RunResult(verdict="runtime_error", message=f"sandbox error: {raw['error']}", out_dir=str(out))
    reports = raw.get("reports", {})
    active = dict(layers)
    for name in LAYERS:  # what this very submission got
        rep = reports.get(name)
        if rep is not None and rep != "ok" and active.get(name) == "ok":
            active[name] = rep.removeprefix("FAILED: ")
    sizes = {}
    for stream in ("stdout", "stderr"):
        sizes[stream] = int(_read(out / f"{stream}.head.size") or 0)
    status: dict[str, Any] = {}
    try:
        status = json.loads(_read(out / "status.json")) if (out / "status.json").exists() else {}
        if not isinstance(status, dict):
            status = {}
    except ValueError:
        status = {}
    phase = status.get("phase")
    code = raw.get("exit_code")
    base = {
        "out_dir": str(out),
        "cpu_seconds": raw.get("cpu_seconds", 0.0),
        "prepared_cpu_seconds": raw.get("prepared_cpu_seconds", 0.0),
        "wall_seconds": raw.get("wall_seconds", 0.0),
        "memory_peak": raw.get("memory_peak"),
        "stdout_bytes": sizes["stdout"],
        "stderr_bytes": sizes["stderr"],
        "stdout_head": _read(out / "stdout.head", 2000),
        "layers": active,
        "exit_code": code,
    }
    cpu = float(raw.get("cpu_seconds", 0.0))
    if code == 111 and "internal" in reports:
        return RunResult(verdict="runtime_error", message=f"sandbox setup failed: {reports['internal']}", **base)
    if raw.get("timed_out"):
        return RunResult(
            verdict="time_limit",
            message=f"wall-clock limit of {2 * limits.cpu_seconds} s reached; every process was killed",
            **base,
        )
    # A limit verdict only on what the kernel recorded, never on what the submission can say or do to itself: the
    # signal that really ended the runner (not an exit status that looks like one) with the CPU it really used
    # (SIGXCPU comes at the runner's RLIMIT_CPU: the warm-up's CPU plus the budget, rounded up), a cgroup OOM kill,
    # a MemoryError with the memory really grown, a file at RLIMIT_FSIZE or a full file system.
    sig = int(raw.get("signal") or 0)
    prepared = float(raw.get("prepared_cpu_seconds", 0.0))
    runner_cpu = raw.get("runner_cpu_seconds")
    used = float(runner_cpu) if runner_cpu is not None else cpu + prepared
    if sig in (signal.SIGXCPU, signal.SIGKILL) and used >= math.ceil(prepared + limits.cpu_seconds) - CPU_SLACK:
        return RunResult(verdict="time_limit", message=f"CPU limit of {limits.cpu_seconds} s reached", **base)
    grown = int(raw.get("runner_rss_bytes") or 0) - int(raw.get("prepared_rss_bytes") or 0)
    if raw.get("oom") or (phase == "memory" and grown >= MEMORY_EVIDENCE * limits.memory_bytes):
        return RunResult(
            verdict="memory_limit", message=f"memory limit of {limits.memory_bytes >> 20} MiB reached", **base
        )
    cap = limits.output_bytes
    evidence = str(raw.get("output_evidence") or "")
    if max(sizes.values()) >= cap or (evidence and (phase == "output" or sig == signal.SIGXFSZ)):
        return RunResult(
            verdict="output_limit",
            message=f"output limit reached (files and stdout/stderr are capped at {cap >> 20} MiB)"
            + (f": {evidence}" if evidence else ""),
            **base,
        )
    claimed = str(status.get("message", ""))[:1000]
    if phase == "memory":  # a MemoryError with nothing to show for it
        return RunResult(
            verdict="runtime_error",
            message=f"{claimed} (memory grew by {max(grown, 0) >> 20} MiB of the {limits.memory_bytes >> 20} MiB "
            "limit: raised by the submission, not by the limit)",
            message_from_submission=True,
            **base,
        )
    if phase == "output":
        return RunResult(
            verdict="runtime_error",
            message=f"{claimed} (no file reached the {cap >> 20} MiB limit and no file system is full: raised by "
            "the submission, not by the limit)",
            message_from_submission=True,
            **base,
        )
    if phase == "exception":
        traceback = str(status.get("traceback", ""))[:4000]
        return RunResult(verdict="runtime_error", message=traceback, message_from_submission=True, **base)
    if sig:
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        extra = " (a system call the sandbox forbids)" if sig == signal.SIGSYS else ""
        if sig in (signal.SIGXCPU, signal.SIGXFSZ):
            extra = " (sent by the submission itself: the limit was not reached)"
        return RunResult(verdict="runtime_error", message=f"the process was killed by {name}{extra}", **base)
    if code:
        return RunResult(verdict="runtime_error", message=f"the process exited with status {code}", **base)
    exported = (out / "model.json").exists() or (out / "arrays.npz").exists()
    if phase == "no_model":
        return RunResult(verdict="no_model", message=claimed, message_from_submission=True, **base)
    if not exported or phase != "exported":
        return RunResult(verdict="no_model", message="the process ended before exporting a model", **base)
    return RunResult(verdict="exported", **base)
