"""A seccomp deny-list written as classic BPF by hand (x86_64), installed with ``seccomp(2)`` via ctypes.

Denied (``EPERM``): sockets, exec, new processes (``fork``/``vfork``/``clone`` without ``CLONE_THREAD``), ptrace and
cross-process memory access, mounts and namespaces, BPF, the kernel keyring, module loading, io_uring.  ``clone3``
answers ``ENOSYS`` so glibc falls back to ``clone``, whose flags a classic filter can inspect: threads (TensorFlow's
and numpy's pools) still start.  Any other architecture or the x32 ABI kills the process.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

AUDIT_ARCH_X86_64 = 0xC000003E
X32_SYSCALL_BIT = 0x40000000
CLONE_THREAD = 0x00010000

SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_ALLOW = 0x7FFF0000

_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_JSET_K = 0x45
_RET_K = 0x06

_OFF_NR, _OFF_ARCH, _OFF_ARG0 = 0, 4, 16

# x86_64 syscall numbers
DENIED: dict[str, int] = {
    "socket": 41,
    "connect": 42,
    "socketpair": 53,
    "fork": 57,
    "vfork": 58,
    "execve": 59,
    "ptrace": 101,
    "pivot_root": 155,
    "chroot": 161,
    "mount": 165,
    "umount2": 166,
    "swapon": 167,
    "swapoff": 168,
    "reboot": 169,
    "init_module": 175,
    "delete_module": 176,
    "kexec_load": 246,
    "add_key": 248,
    "request_key": 249,
    "keyctl": 250,
    "unshare": 272,
    "perf_event_open": 298,
    "open_by_handle_at": 304,
    "setns": 308,
    "process_vm_readv": 310,
    "process_vm_writev": 311,
    "finit_module": 313,
    "bpf": 321,
    "execveat": 322,
    "userfaultfd": 323,
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
    "mount_setattr": 442,
}
NR_CLONE = 56
NR_CLONE3 = 435
NR_SECCOMP = 317


def _ins(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def build_filter() -> bytes:
    """The filter program as raw ``struct sock_filter`` bytes."""
    deny = SECCOMP_RET_ERRNO | errno.EPERM
    prog = [
        _ins(_LD_W_ABS, 0, 0, _OFF_ARCH),
        _ins(_JEQ_K, 1, 0, AUDIT_ARCH_X86_64),
        _ins(_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
        _ins(_LD_W_ABS, 0, 0, _OFF_NR),
        _ins(_JGE_K, 0, 1, X32_SYSCALL_BIT),
        _ins(_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
        # clone3 → ENOSYS (glibc then uses clone, which we can inspect)
        _ins(_JEQ_K, 0, 1, NR_CLONE3),
        _ins(_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.ENOSYS),
        # clone: allow only with CLONE_THREAD in the flags (low 32 bits of args[0])
        _ins(_JEQ_K, 0, 4, NR_CLONE),
        _ins(_LD_W_ABS, 0, 0, _OFF_ARG0),
        _ins(_JSET_K, 0, 1, CLONE_THREAD),
        _ins(_RET_K, 0, 0, SECCOMP_RET_ALLOW),
        _ins(_RET_K, 0, 0, deny),
    ]
    numbers = sorted(set(DENIED.values()))
    for i, nr in enumerate(numbers):
        # jump to the shared deny at the end when equal
        remaining = len(numbers) - i - 1
        prog.append(_ins(_JEQ_K, remaining + 1, 0, nr))
    prog.append(_ins(_RET_K, 0, 0, SECCOMP_RET_ALLOW))
    prog.append(_ins(_RET_K, 0, 0, deny))
    return b"".join(prog)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def supported() -> bool:
    return platform.system() == "Linux" and platform.machine() == "x86_64"


def install() -> None:
    """Install the filter on every thread of the calling process (``TSYNC``); raises ``OSError`` on failure."""
    if not supported():
        raise OSError(errno.ENOSYS, "seccomp filter is written for Linux x86_64 only")
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        e = ctypes.get_errno()
        raise OSError(e, f"prctl(PR_SET_NO_NEW_PRIVS): {errno.errorcode.get(e, e)}")
    raw = build_filter()
    buf = ctypes.create_string_buffer(raw, len(raw))
    prog = _SockFprog(len(raw) // 8, ctypes.cast(buf, ctypes.c_void_p))
    # seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog)
    libc.syscall.restype = ctypes.c_long
    rc = libc.syscall(ctypes.c_long(NR_SECCOMP), ctypes.c_long(1), ctypes.c_long(1), ctypes.byref(prog))
    if rc != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"seccomp(SET_MODE_FILTER): {errno.errorcode.get(e, e)}")
