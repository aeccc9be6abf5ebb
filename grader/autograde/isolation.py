"""The per-submission isolation steps, run inside the zygote's forked children (Linux only).

Process tree of one submission::

    zygote (host namespaces, root, never ran a TF op)
      └─ child      setsid, joins the submission's cgroups, unshare(mount, net, IPC, UTS, PID)
           └─ init  PID 1 of the new PID namespace: builds the root file system, pivots into it, reaps
                └─ runner   warms TensorFlow and Keras up, then waits for the submission on a pipe; when it comes:
                            stdout/stderr to capped files, unprivileged uid, rlimits, seccomp, student code

The zygote prepares the next child as soon as the previous submission is done, so a submission that arrives finds
a sandbox already isolated and warm (like Android's pre-forked app processes).  Nothing of the submission exists
before the runner reads it, and the warm-up runs only our code.

Every step reports ``layer ok`` or ``layer FAILED: why`` on a pipe the zygote reads, so the results list which
layers were active for *this* submission; a failed layer degrades loudly, never silently.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import math
import os
import resource
import shutil
import signal
import socket
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import seccomp
from .contract import TaskKind

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
SYS_CAPSET = 126
_LINUX_CAPABILITY_VERSION_3 = 0x20080522

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_RELATIME = 1 << 21
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2
SYS_PIVOT_ROOT = 155

EXPORT_FILES = {  # file name in the work dir → at most this many bytes copied out
    "model.json": 4 << 20,
    "arrays.npz": 8 << 20,
    "status.json": 64 << 10,
}
OUTPUT_HEAD = 4096
FULL_BYTES = 64 << 10  # a size-capped file system with less free than this is full
PR_SET_DUMPABLE = 4

_libc = ctypes.CDLL(None, use_errno=True)


def _check(rc: int, what: str) -> None:
    if rc != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"{what}: {os.strerror(e)}")


def unshare(flags: int) -> None:
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def mount(source: str | None, target: str, fstype: str | None, flags: int = 0, data: str | None = None) -> None:
    enc = lambda s: None if s is None else s.encode()  # noqa: E731
    _check(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)), f"mount {target}")


def umount2(target: str, flags: int) -> None:
    _check(_libc.umount2(target.encode(), ctypes.c_int(flags)), f"umount {target}")


def pivot_root(new: str, old: str) -> None:
    _libc.syscall.restype = ctypes.c_long
    _check(_libc.syscall(ctypes.c_long(SYS_PIVOT_ROOT), new.encode(), old.encode()), "pivot_root")


class Reporter:
    """Writes ``layer<TAB>ok|FAILED: why`` lines on the report pipe; strict mode turns a failure into an abort."""

    def __init__(self, fd: int, strict: bool) -> None:
        self.fd, self.strict = fd, strict

    def say(self, key: str, value: str) -> None:
        with contextlib.suppress(OSError):
            os.write(self.fd, f"{key}\t{value}\n".encode()[:4000])

    def layer(self, name: str, enabled: bool, fn: Callable[[], Any]) -> bool:
        if not enabled:
            self.say(name, "FAILED: disabled")
            return False
        try:
            fn()
        except Exception as e:  # reported, then either degrade loudly or abort
            self.say(name, f"FAILED: {type(e).__name__}: {e}")
            if self.strict:
                os._exit(111)
            return False
        self.say(name, "ok")
        return True


def _bind_ro(src: str, root: str) -> None:
    dst = root + src
    os.makedirs(dst, exist_ok=True)
    mount(src, dst, None, MS_BIND | MS_REC)
    # keep the flags the source mount already has (in a user namespace they are locked: dropping one is EPERM)
    st = os.statvfs(dst).f_flag
    kept = st & (os.ST_NOEXEC | os.ST_NOATIME | os.ST_NODIRATIME)  # the same bits as MS_*
    kept |= MS_RELATIME if st & os.ST_RELATIME else 0
    mount(None, dst, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | kept)


def _tmpfs(target: str, size: str, mode: str = "1777", extra: str = "") -> None:
    os.makedirs(target, exist_ok=True)
    mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode={mode}{extra}")


def build_root(cfg: dict[str, Any]) -> None:
    """Inside the new mount + PID namespace: a fresh root with only what Python, Keras and the harness need."""
    root = cfg["root_dir"]
    uid = cfg["uid"] if cfg["layers"].get("uid") else os.getuid()
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=0755")
    for name in ("tmp", "home", "root"):
        _tmpfs(f"{root}/{name}", "64m" if name == "tmp" else "4m")
    for p in ("/bin", "/lib", "/lib64", "/sbin"):
        if os.path.islink(p):
            os.symlink(os.readlink(p), root + p)
        elif os.path.isdir(p):
            _bind_ro(p, root)
    for p in cfg["ro_binds"]:
        if os.path.exists(p):
            _bind_ro(p, root)
    for p in cfg["hide"]:  # e.g. scikit-learn's bundled data: the held-out split comes from it
        if os.path.isdir(root + p):
            mount("tmpfs", root + p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0555")
    # /dev: a handful of character devices, and a tmpfs /dev/shm
    _tmpfs(f"{root}/dev", "1m", "0755")
    for d in ("null", "zero", "urandom", "random", "full"):
        Path(f"{root}/dev/{d}").touch()
        mount(f"/dev/{d}", f"{root}/dev/{d}", None, MS_BIND)
    _tmpfs(f"{root}/dev/shm", "16m")
    os.makedirs(f"{root}/proc", exist_ok=True)
    mount("proc", f"{root}/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    mask_proc(root, cfg["limits"]["memory_bytes"])
    # the size-limited work dir, owned by the slot's uid
    _tmpfs(f"{root}/box", cfg["work_size"], "0700", f",uid={uid},gid={uid}")
    os.makedirs(f"{root}/.oldroot", exist_ok=True)
    os.chdir(root)
    pivot_root(".", ".oldroot")
    os.chdir("/")
    umount2("/.oldroot", MNT_DETACH)
    os.rmdir("/.oldroot")
    mount(None, "/", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


# /proc files that show the whole host; the PID namespace hides processes, not these
PROC_SYNTHETIC = ("meminfo", "loadavg", "uptime", "swaps")
PROC_EMPTY = (
    "vmstat", "zoneinfo", "buddyinfo", "pagetypeinfo", "slabinfo", "diskstats", "partitions", "interrupts",
    "softirqs", "schedstat", "sched_debug", "timer_list", "latency_stats", "keys", "key-users", "kcore",
    "sysrq-trigger", "kallsyms",
)  # fmt: skip


def mask_proc(root: str, memory_bytes: int) -> None:
    """Bind files of the sandbox's own over the host-wide figures in its /proc: a memory of the sandbox's size, an
    idle load, an uptime and swap of nothing; /dev/null over counters and tables of the host's devices, memory and
    scheduler.  Best effort, file by file (a kernel may refuse one); what cannot be masked is in the README."""
    kb = memory_bytes // 1024
    mem = {"MemTotal": kb, "MemFree": kb, "MemAvailable": kb, "Buffers": 0, "Cached": 0, "SwapCached": 0}
    mem |= {"Active": 0, "Inactive": 0, "SwapTotal": 0, "SwapFree": 0, "Shmem": 0}
    text = {
        "meminfo": "".join(f"{k}:{v:>16} kB\n" for k, v in mem.items()),
        "loadavg": "0.00 0.00 0.00 1/1 1\n",
        "uptime": "0.00 0.00\n",
        "swaps": "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n",
    }
    fake = f"{root}/.proc"
    os.makedirs(fake, mode=0o755, exist_ok=True)
    for name in PROC_SYNTHETIC:
        with contextlib.suppress(OSError):
            Path(fake, name).write_text(text[name])
            os.chmod(f"{fake}/{name}", 0o444)
            mount(f"{fake}/{name}", f"{root}/proc/{name}", None, MS_BIND)
    for name in PROC_EMPTY:
        if os.path.exists(f"{root}/proc/{name}"):
            with contextlib.suppress(OSError):
                mount(f"{root}/dev/null", f"{root}/proc/{name}", None, MS_BIND)


def enter_namespaces(userns: bool) -> None:
    """New mount, network, IPC, UTS and PID namespaces; without root, inside a new user namespace whose only uid
    (its root) is the caller's own, which is what lets an unprivileged grader build the private root."""
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID
    if not userns:
        unshare(flags)
        return
    uid, gid = os.getuid(), os.getgid()
    unshare(flags | CLONE_NEWUSER)
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
    Path("/proc/self/gid_map").write_text(f"0 {gid} 1")


def drop_capabilities() -> None:
    """Empty the effective, permitted and inheritable sets (they are empty already after a uid drop; in a user
    namespace they are not, and would let student code unmount what hides data)."""

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    _libc.syscall.restype = ctypes.c_long
    header, data = Header(_LINUX_CAPABILITY_VERSION_3, 0), (Data * 2)()
    _check(_libc.syscall(ctypes.c_long(SYS_CAPSET), ctypes.byref(header), ctypes.byref(data)), "capset")


def set_rlimits(limits: dict[str, int]) -> None:
    cpu = limits["cpu_seconds"]
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits["as_bytes"], limits["as_bytes"]))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["output_bytes"], limits["output_bytes"]))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits["nofile"], limits["nofile"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def drop_privileges(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise OSError(errno.EPERM, "uid drop did not stick")


def close_fds_except(keep: set[int]) -> None:
    for fd in range(3, 1024):
        if fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)


def _read_capped(fd: int, cap: int) -> bytes:
    chunks, n = [], 0
    while n <= cap:
        b = os.read(fd, min(1 << 20, cap + 1 - n))
        if not b:
            break
        chunks.append(b)
        n += len(b)
    return b"".join(chunks)


def _write_all(dir_fd: int, name: str, data: bytes) -> None:
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600, dir_fd=dir_fd)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def copy_out(work: str, out_fd: int) -> None:
    """Init, after the runner has exited: copy the whitelisted export files (regular files only, no symlinks, no
    FIFOs that would block, capped sizes) to the host's out dir."""
    for name, cap in {**EXPORT_FILES, "stdout.txt": OUTPUT_HEAD, "stderr.txt": OUTPUT_HEAD}.items():
        try:
            fd = os.open(f"{work}/{name}", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                continue
            data = _read_capped(fd, cap)
        finally:
            os.close(fd)
        if name.endswith(".txt"):
            name = name.replace(".txt", ".head")
            _write_all(out_fd, f"{name}.size", str(st.st_size).encode())
            data = data[:cap]
        elif len(data) > cap:
            continue  # an oversized export is dropped: the submission gets no_model
        _write_all(out_fd, name, data)


def _wait_code(status: int) -> int:
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def run_child(prep: dict[str, Any], report_fd: int, job_fd: int, payload: Callable[[dict[str, Any]], None]) -> None:
    """Everything after the zygote's fork; never returns.  ``prep`` says how to isolate and warm up; the submission
    itself arrives later on ``job_fd`` (the child is prepared ahead of it)."""
    code = 1
    try:
        code = _child(prep, report_fd, job_fd, payload)
    except BaseException as e:  # the zygote must never see an exception escape a child
        with contextlib.suppress(Exception):
            os.write(report_fd, f"internal\t{type(e).__name__}: {e}\n".encode())
        code = 111
    os._exit(code)


def _child(prep: dict[str, Any], report_fd: int, job_fd: int, payload: Callable[[dict[str, Any]], None]) -> int:
    cfg = prep["sandbox"]
    layers = cfg["layers"]
    close_fds_except({report_fd, job_fd})  # the zygote's protocol pipes stay with the zygote
    rep = Reporter(report_fd, cfg["strict"])
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    rep.layer("session", True, os.setsid)

    def join_cgroups() -> None:
        for d in cfg["cgroup_dirs"]:
            Path(d, "cgroup.procs").write_text(str(os.getpid()))

    rep.layer("cgroup", layers.get("cgroup", False) and bool(cfg["cgroup_dirs"]), join_cgroups)
    ns = rep.layer("namespaces", layers.get("namespaces", False), lambda: enter_namespaces(cfg.get("userns", False)))
    out_fd = os.open(cfg["stage_dir"], os.O_RDONLY | os.O_DIRECTORY)
    init = os.fork()
    if init == 0:
        os._exit(_init(prep, cfg, rep, ns, out_fd, job_fd, payload))
    os.close(job_fd)
    rep.say("init_pid", str(init))
    _, status = os.waitpid(init, 0)
    return _wait_code(status)


def _init(
    prep: dict[str, Any],
    cfg: dict[str, Any],
    rep: Reporter,
    ns: bool,
    out_fd: int,
    job_fd: int,
    payload: Callable[[dict[str, Any]], None],
) -> int:
    layers = cfg["layers"]
    if ns:
        rep.layer("hostname", True, lambda: socket.sethostname("sandbox"))
    fs = rep.layer("filesystem", layers.get("filesystem", False) and ns, lambda: build_root(cfg))
    work = "/box"
    if not fs:  # degraded: a private work dir on the host file system, emptied first (no stale exports)
        work = prep["fallback_work"]
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work, mode=0o700)
        if layers.get("uid"):
            os.chown(work, cfg["uid"], cfg["uid"])
    runner = os.fork()
    if runner == 0:
        os.close(out_fd)
        os._exit(_runner(prep, cfg, rep, work, job_fd, payload))
    os.close(job_fd)
    with contextlib.suppress(OSError):  # nothing running as our uid may open this process' files (the report pipe)
        _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    code, sig, runner_cpu, runner_rss = 1, 0, 0.0, 0
    while True:  # PID 1: reap everything, stop when the runner is gone
        try:
            pid, status, usage = os.wait4(-1, 0)
        except ChildProcessError:
            break
        if pid == runner:
            # what the kernel says of the runner itself, which the submission cannot write: the signal that ended
            # it (not an exit status that looks like one), its CPU time and its peak resident memory
            code = _wait_code(status)
            sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
            runner_cpu, runner_rss = usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024
            if ns:
                with contextlib.suppress(OSError):
                    os.kill(-1, signal.SIGKILL)  # PID 1 of its namespace: this kills only the sandbox
            else:
                break
    try:
        copy_out(work, out_fd)
    except OSError as e:
        rep.say("internal", f"copy_out: {e}")
    writable = [work, "/tmp", "/home", "/root", "/dev/shm"] if fs else [work]
    evidence = output_evidence(writable, cfg["limits"]["output_bytes"], tmpfs=fs)
    # the runner and everything it started are gone and the exports are out: the zygote can answer now, without
    # waiting for this process tree to be torn down
    tree = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = {
        "code": code,
        "signal": sig,
        "cpu": round(tree.ru_utime + tree.ru_stime, 4),
        "runner_cpu": round(runner_cpu, 4),
        "runner_rss": runner_rss,
        "output": evidence,
    }
    rep.say("done", json.dumps(done))
    return code


def output_evidence(roots: list[str], fsize: int, tmpfs: bool, max_entries: int = 10_000) -> str:
    """What is left of an output limit once every process of the sandbox is gone: a file that reached
    ``RLIMIT_FSIZE``, or one of the sandbox's own size-capped file systems full.  ``""`` if there is none (then an
    EFBIG, an ENOSPC or a SIGXFSZ the submission reports was raised or sent by itself)."""
    seen = 0
    for root in roots:
        if tmpfs:
            with contextlib.suppress(OSError):
                st = os.statvfs(root)
                if st.f_bavail * st.f_frsize < FULL_BYTES:
                    return f"{root} is full"
        try:
            dev = os.stat(root, follow_symlinks=False).st_dev
        except OSError:
            continue
        stack = [root]
        while stack and seen < max_entries:
            try:
                entries = list(os.scandir(stack.pop()))
            except OSError:
                continue
            for e in entries:
                seen += 1
                with contextlib.suppress(OSError):
                    st = e.stat(follow_symlinks=False)
                    if st.st_dev != dev:  # another mount (e.g. the read-only Python install): not the sandbox's
                        continue
                    if e.is_dir(follow_symlinks=False):
                        stack.append(e.path)
                    elif e.is_file(follow_symlinks=False) and st.st_size >= fsize:
                        return f"{e.path} reached {fsize >> 20} MiB"
    return ""


def read_job(fd: int) -> dict[str, Any] | None:
    """The submission, as one JSON document the zygote writes and then closes; ``None`` if the zygote went away
    (or discarded this prepared child) without sending one."""
    chunks = []
    while True:
        b = os.read(fd, 1 << 20)
        if not b:
            break
        chunks.append(b)
    os.close(fd)
    return json.loads(b"".join(chunks)) if chunks else None


def _runner(prep: dict[str, Any], cfg: dict[str, Any], rep: Reporter, work: str, job_fd: int, payload: Callable) -> int:
    layers = cfg["layers"]
    limits = cfg["limits"]
    os.chdir(work)
    close_fds_except({rep.fd, job_fd})  # before the warm-up, so the file descriptors TensorFlow opens survive
    # Warm up before the submission exists: our code, no student data, nothing to steal.  This is what makes a
    # prepared child fast; the CPU it takes is reported apart from the submission's.
    try:
        warm_up(prep["kind"], limits["cpu_cores"])
    except Exception as e:  # not an isolation layer: the submission just pays for its own first build
        rep.say("warm_up", f"FAILED: {type(e).__name__}: {e}")
    prepared = _cpu_self()
    rep.say("prepared_cpu", f"{prepared:.4f}")
    rep.say("prepared_rss", str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024))
    job = read_job(job_fd)
    if job is None:
        return 0
    devnull = os.open("/dev/null", os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    for fd, name in ((1, "stdout.txt"), (2, "stderr.txt")):
        f = os.open(f"{work}/{name}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        if layers.get("uid"):
            os.fchown(f, cfg["uid"], cfg["uid"])
        os.dup2(f, fd)
        os.close(f)
    rep.layer("uid", layers.get("uid", False), lambda: drop_privileges(cfg["uid"]))
    drop_capabilities()
    with open(f"{work}/submission.py", "w", encoding="utf-8") as f:
        f.write(job["source"])
    # RLIMIT_CPU counts the whole process: the submission gets its full budget on top of the warm-up
    cpu_limit = math.ceil(prepared + job.get("cpu_seconds", limits["cpu_seconds"]))
    as_limit = limits["as_bytes"]
    if not (layers.get("cgroup") and cfg["cgroup_dirs"]):
        # no memory cgroup: the address-space limit becomes the memory cap, what the warm process has mapped
        # (TensorFlow reserves much it never touches) plus the memory limit
        as_limit = min(as_limit, mapped_bytes() + limits["memory_bytes"])
    rep.layer("rlimits", True, lambda: set_rlimits({**limits, "cpu_seconds": cpu_limit, "as_bytes": as_limit}))
    os.environ.clear()
    os.environ.update(cfg["env"])
    rep.layer("seccomp", layers.get("seccomp", False), seccomp.install)
    rep.say("ready", "1")
    os.close(rep.fd)
    payload({**job, "work": work})
    return 0


def mapped_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def warm_up(kind: TaskKind, cpu_cores: float) -> None:
    """Run, once per prepared child, what every submission of ``kind`` would otherwise pay for first: TensorFlow's
    runtime set-up, Keras' first layer build and JSON export, and for training tasks the first traced ``fit``.

    TensorFlow's thread pools are sized to the CPU quota first: threads beyond it only spin on the quota the
    submission's own work needs (a 1-epoch fit under a 1-core quota is ~60 ms faster with one thread)."""
    if kind == "inflate":  # numpy only
        return
    import numpy as np
    import tensorflow as tf

    from models._keras import keras

    threads = max(1, math.ceil(cpu_cores))
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)

    layers = keras.layers
    x = keras.Input((8, 8, 1))
    y = layers.GlobalAveragePooling2D()(layers.Conv2D(2, 3)(x))
    keras.Model(x, layers.Dense(2)(y)).to_json()
    if kind == "train":
        m = keras.Sequential([keras.Input((4,)), layers.Dense(2, activation="softmax")])
        m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        m.fit(np.zeros((4, 4), "float32"), np.zeros(4, "int32"), epochs=1, batch_size=4, verbose=0)
    keras.backend.clear_session()  # the submission's layer names start from scratch, as in a fresh process


if sys.platform != "linux":  # pragma: no cover
    raise ImportError("grader.autograde.isolation needs Linux")
