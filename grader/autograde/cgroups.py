"""Per-submission cgroups: memory (clean OOM verdict), pids and CPU quota; cgroup v1 or v2, whichever exists."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path("/sys/fs/cgroup")
V1_CONTROLLERS = ("memory", "pids", "cpu")


def _own_path(controller: str) -> str:
    """This process' cgroup in a v1 hierarchy (or ``""`` for v2's unified line)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, ctrls, path = line.split(":", 2)
        if controller in ctrls.split(",") or (controller == "" and ctrls == ""):
            return path
    return "/"


def detect() -> dict[str, Any]:
    """Where to create submission cgroups: ``{"version": 1, "bases": {...}}``, v2, or ``{"error": why}``."""
    if all((ROOT / c / "cgroup.procs").exists() for c in V1_CONTROLLERS):
        bases = {}
        for c in V1_CONTROLLERS:
            base = ROOT / c / _own_path(c).lstrip("/") / "cnnquiz"
            try:
                base.mkdir(exist_ok=True)
            except OSError as e:
                return {"error": f"cannot create {base}: {e}"}
            bases[c] = str(base)
        return {"version": 1, "bases": bases}
    for unified in (ROOT / "unified", ROOT):
        ctl = unified / "cgroup.controllers"
        if ctl.exists() and {"memory", "pids", "cpu"} <= set(ctl.read_text().split()):
            base = unified / _own_path("").lstrip("/") / "cnnquiz"
            try:
                base.mkdir(exist_ok=True)
                (base.parent / "cgroup.subtree_control").write_text("+memory +pids +cpu")
                (base / "cgroup.subtree_control").write_text("+memory +pids +cpu")
            except OSError as e:
                return {"error": f"cannot set up {base}: {e}"}
            return {"version": 2, "bases": {"unified": str(base)}}
    return {"error": "no writable cgroup v1 (memory, pids, cpu) or v2 hierarchy with those controllers"}


@dataclass
class Cgroup:
    version: int
    dirs: list[str]

    @classmethod
    def create(cls, spec: dict[str, Any], name: str, limits: dict[str, int]) -> Cgroup:
        mem, pids = limits["memory_bytes"], limits["pids"]
        quota = int(100_000 * limits["cpu_cores"])
        dirs = []
        if spec["version"] == 1:
            b = spec["bases"]
            m, p, c = (Path(b[k]) / name for k in V1_CONTROLLERS)
            for d in (m, p, c):
                d.mkdir()
                dirs.append(str(d))
            (m / "memory.limit_in_bytes").write_text(str(mem))
            with contextlib.suppress(OSError):  # absent without swap accounting
                (m / "memory.memsw.limit_in_bytes").write_text(str(mem))
            (p / "pids.max").write_text(str(pids))
            (c / "cpu.cfs_period_us").write_text("100000")
            (c / "cpu.cfs_quota_us").write_text(str(quota))
        else:
            d = Path(spec["bases"]["unified"]) / name
            d.mkdir()
            dirs.append(str(d))
            (d / "memory.max").write_text(str(mem))
            with contextlib.suppress(OSError):
                (d / "memory.swap.max").write_text("0")
            (d / "pids.max").write_text(str(pids))
            (d / "cpu.max").write_text(f"{quota} 100000")
        return cls(spec["version"], dirs)

    def pids(self) -> set[int]:
        out: set[int] = set()
        for d in self.dirs:
            with contextlib.suppress(OSError):
                out |= {int(x) for x in Path(d, "cgroup.procs").read_text().split()}
        return out

    def kill_all(self) -> int:
        found = self.pids()
        for pid in found:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        return len(found)

    def oom_and_peak(self) -> tuple[bool, int | None]:
        d = Path(self.dirs[0])
        try:
            if self.version == 1:
                ctl = dict(line.split() for line in (d / "memory.oom_control").read_text().splitlines())
                if "oom_kill" in ctl:
                    oom = int(ctl["oom_kill"]) > 0
                else:  # older kernels: the limit was hit at least once
                    oom = int((d / "memory.failcnt").read_text()) > 0
                return oom, int((d / "memory.max_usage_in_bytes").read_text())
            ev = dict(line.split() for line in (d / "memory.events").read_text().splitlines())
            peak = d / "memory.peak"
            return int(ev.get("oom_kill", 0)) > 0, int(peak.read_text()) if peak.exists() else None
        except OSError:
            return False, None

    def sweep(self) -> int:
        """Kill whatever is left, then remove the cgroups; returns how many processes had to be killed."""
        killed = 0
        for _ in range(200):
            n = self.kill_all()
            killed += n
            if not self.pids():
                break
            time.sleep(0.005)
        for d in self.dirs:
            _rmdir_retrying(d, 0.005)
        return killed


def host_memory() -> int:
    """The memory this host lets the grader use at most: the machine's (``MemTotal``), or less where a memory cgroup
    around the grader (its own or an ancestor) is limited."""
    total = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                total = int(line.split()[1]) * 1024
    limits = [total] if total else []
    with contextlib.suppress(OSError, ValueError):
        if (ROOT / "memory" / "cgroup.procs").exists():  # v1
            base, names = ROOT / "memory", ("memory.limit_in_bytes",)
            own = base / _own_path("memory").lstrip("/")
        else:
            base, names = ROOT, ("memory.max",)
            own = base / _own_path("").lstrip("/")
        d = own
        while True:
            for name in names:
                value = (d / name).read_text().strip() if (d / name).exists() else "max"
                if value != "max":
                    limits.append(int(value))
            if d == base or base not in d.parents:
                break
            d = d.parent
    return min(limits) if limits else 1 << 62


def _rmdir_retrying(path: str | Path, delay: float, tries: int = 100) -> None:
    """``rmdir`` a cgroup, retrying while the kernel still holds it busy just after its last process exited."""
    for _ in range(tries):
        try:
            os.rmdir(path)
            return
        except OSError:
            time.sleep(delay)


def sweep_children(spec: dict[str, Any], prefix: str, kill: bool = False) -> int:
    """Remove our leftover cgroups whose name starts with ``prefix``; with ``kill``, first kill what still runs in
    them (e.g. the submission a zygote was running when it was killed: nothing else enforces its wall clock).
    Returns how many could not be removed yet."""
    dirs = [d for base in spec.get("bases", {}).values() for d in Path(base).glob(f"{prefix}*")]
    if kill:
        Cgroup(spec["version"], [str(d) for d in dirs]).kill_all()
    for d in dirs:
        _rmdir_retrying(d, 0.01)
    return sum(d.exists() for d in dirs)
