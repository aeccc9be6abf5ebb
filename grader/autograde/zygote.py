"""The warm zygote: ``python -m grader.autograde.zygote`` (started with subprocess, never forked from a TF user).

It imports Keras, numpy and the harness once, **never runs a TensorFlow op** (children of a process that ran one
hang in ``fit``), and holds no secrets, DB handles or hidden data.  Protocol: one JSON line on stdin per job, one
JSON line back on stdout with the raw facts (exit status, CPU time, OOM, sizes, layer reports).  Verdicts and scores
are decided by the host and the checker, not here.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import select
import signal
import sys
import time
from typing import Any

from . import harness, isolation
from .cgroups import Cgroup


def _read_reports(fd: int, into: dict[str, str]) -> bool:
    """Drain what is readable; False at EOF."""
    try:
        data = os.read(fd, 65536)
    except BlockingIOError:
        return True
    if not data:
        return False
    into["_buf"] = into.get("_buf", "") + data.decode(errors="replace")
    *lines, rest = into["_buf"].split("\n")
    into["_buf"] = rest
    for line in lines:
        key, _, value = line.partition("\t")
        into[key] = value
    return True


def run_job(job: dict[str, Any], seq: int) -> dict[str, Any]:
    cfg = job["sandbox"]
    limits = cfg["limits"]
    wall = 2.0 * limits["cpu_seconds"]
    cg = None
    cg_error = ""
    if cfg["layers"].get("cgroup"):
        try:
            cg = Cgroup.create(cfg["cgroup"], f"s{cfg['slot']}-{os.getpid()}-{seq}", limits)
        except OSError as e:
            cg_error = str(e)
    cfg = {**cfg, "cgroup_dirs": cg.dirs if cg else []}
    job = {**job, "sandbox": cfg}
    rfd, wfd = os.pipe()
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(rfd)
        isolation.run_child(job, wfd, harness.run)
    os.close(wfd)
    os.set_blocking(rfd, False)
    reports: dict[str, str] = {}
    if cg_error:
        reports["cgroup"] = f"FAILED: {cg_error}"
    pidfd = os.pidfd_open(pid)
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    poller.register(rfd, select.POLLIN)
    timed_out = False
    open_pipe = True
    while True:
        left = t0 + wall - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        events = poller.poll(left * 1000)
        done = False
        for fd, _ in events:
            if fd == rfd:
                open_pipe = _read_reports(rfd, reports)
                if not open_pipe:
                    poller.unregister(rfd)
            elif fd == pidfd:
                done = True
        if done:
            break
    if timed_out:
        _kill_all(pid, reports, cg)
    _, status, usage = os.wait4(pid, 0)
    wall_s = time.monotonic() - t0
    if open_pipe:
        with contextlib.suppress(OSError):
            _read_reports(rfd, reports)
    os.close(rfd)
    os.close(pidfd)
    oom = False
    mem_peak = None
    if cg is not None:
        oom, mem_peak = cg.oom_and_peak()
        leftover = cg.sweep()
        if leftover:
            reports["sweep"] = f"killed {leftover} leftover processes"
    reports.pop("_buf", None)
    code = os.WTERMSIG(status) + 128 if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    return {
        "exit_code": code,
        "timed_out": timed_out,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "wall_seconds": wall_s,
        "oom": oom,
        "memory_peak": mem_peak,
        "reports": reports,
    }


def _kill_all(pid: int, reports: dict[str, str], cg: Cgroup | None) -> None:
    init = reports.get("init_pid")
    if init and init.isdigit():
        with contextlib.suppress(OSError):
            os.kill(int(init), signal.SIGKILL)  # PID 1 of the sandbox: the kernel kills the whole namespace
    if cg is not None:
        cg.kill_all()
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


def main() -> None:
    proto_in = sys.stdin.buffer
    proto_out = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # nothing a child prints can corrupt the protocol
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    # everything imported so far is shared copy-on-write with the children: keep the collector off those pages
    gc.collect()
    gc.freeze()
    proto_out.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    seq = 0
    train_cache: dict[str, Any] = {}
    for line in proto_in:
        if not line.strip():
            continue
        seq += 1
        job = json.loads(line)
        try:
            td = job.get("train_data")
            if isinstance(td, str):  # the public training split: load once, keep it (never the held-out split)
                if td not in train_cache:
                    import numpy as np

                    with np.load(td, allow_pickle=False) as d:
                        train_cache[td] = (d["x"].copy(), d["y"].copy())
                job["train_data"] = train_cache[td]
            result = run_job(job, seq)
        except Exception as e:  # report, keep serving
            result = {"error": f"{type(e).__name__}: {e}"}
        proto_out.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
