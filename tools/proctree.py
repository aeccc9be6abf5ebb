"""What a process tree costs in CPU, read from ``/proc`` (Linux): for benchmarks, never in the product.

* :func:`tree_cpu` — CPU seconds (user + system) of a process and all its live descendants, plus what each of them
  has reaped (``cutime``/``cstime``), per process role (:func:`role`). A difference of two readings is what the
  tree burnt in between, whatever else the machine runs: CPU seconds, unlike wall seconds, do not stretch under
  other load.
* :class:`Sampler` — a thread that counts the tree's *runnable* threads (state ``R``: running, or waiting for a
  core) every ``interval`` seconds. Its mean is how many cores the tree asks for while it works; on a loaded machine
  the tree gets less than it asks for, but what it asks for does not shrink.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int | str) -> list[bytes] | None:
    """The fields of ``/proc/PID/stat`` after the command (state first)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def descendants(root: int) -> dict[int, int]:
    """``{pid: parent}`` of ``root`` and every live descendant (``root`` maps to 0)."""
    parent: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit() and (fields := _stat(d)) is not None:
            parent[int(d)] = int(fields[1])
    children: dict[int, list[int]] = {}
    for pid, ppid in parent.items():
        children.setdefault(ppid, []).append(pid)
    out, stack = {root: 0}, [root]
    while stack:
        for c in children.get(stack.pop(), []):
            out[c] = parent[c]
            stack.append(c)
    return out


def role(pid: int, root: int, tree: dict[int, int]) -> str:
    """What a process of a grading worker's tree is: ``worker`` (the root), ``sandbox`` (the zygote and the
    submissions' children it forks and reaps), ``checker`` (the fork server and its checker processes), ``other``."""
    p = pid
    while p and p != root:
        cmd = _cmdline(p)
        if "grader.autograde.zygote" in cmd:
            return "sandbox"
        if "forkserver" in cmd or "multiprocessing" in cmd:
            return "checker"
        p = tree.get(p, 0)
    return "worker" if pid == root else "other"


def tree_cpu(root: int) -> dict[str, float]:
    """CPU seconds of ``root``'s tree by :func:`role`, and their ``total``. Each process counts its own CPU and that
    of the children it has reaped, so a child that ended is counted once, in its parent."""
    tree = descendants(root)
    out: dict[str, float] = {}
    for pid in tree:
        fields = _stat(pid)
        if fields is None:
            continue
        cpu = sum(int(x) for x in fields[11:15]) / TICK  # utime stime cutime cstime
        r = role(pid, root, tree)
        out[r] = out.get(r, 0.0) + cpu
    out["total"] = sum(out.values())
    return out


def runnable_threads(pids: list[int]) -> int:
    """Threads in state ``R`` (running or waiting for a core) among the given processes."""
    n = 0
    for pid in pids:
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            fields = _stat(f"{pid}/task/{tid}")
            n += fields is not None and fields[0] == b"R"
    return n


@dataclass
class Sampler:
    """Samples :func:`runnable_threads` of ``root``'s tree (re-read every sample: children come and go) until
    :meth:`stop`; ``samples`` holds the counts."""

    root: int
    interval: float = 0.05
    samples: list[int] = field(default_factory=list)
    by_role: dict[str, int] = field(default_factory=dict)
    """Runnable threads counted over all samples, by :func:`role`."""

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="proctree-sampler")

    def _run(self) -> None:
        roles: dict[int, str] = {}
        while not self._stop.wait(self.interval):
            tree = descendants(self.root)
            n = 0
            for pid in tree:
                k = runnable_threads([pid])
                if k:
                    r = roles.get(pid) or roles.setdefault(pid, role(pid, self.root, tree))
                    self.by_role[r] = self.by_role.get(r, 0) + k
                n += k
            self.samples.append(n)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def stop(self) -> dict[str, Any]:
        """Stop; the mean runnable threads and the share of samples with two or more."""
        self._stop.set()
        self._thread.join()
        n = len(self.samples) or 1
        return {
            "samples": len(self.samples),
            "mean_runnable": sum(self.samples) / n,
            "share_two_or_more": sum(s >= 2 for s in self.samples) / n,
            "mean_runnable_by_role": {r: k / n for r, k in sorted(self.by_role.items())},
        }
