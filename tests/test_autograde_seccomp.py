"""The hand-written seccomp program, run through a small classic-BPF interpreter on synthetic ``seccomp_data``
(the live filter is exercised by the attack tests)."""

from __future__ import annotations

import errno
import struct

import pytest

from grader.autograde import seccomp as S

ALLOW, KILL = 0x7FFF0000, 0x80000000


def run(prog: bytes, nr: int, arch: int = S.AUDIT_ARCH_X86_64, arg0: int = 0) -> int:
    data = struct.pack("=iIQ6Q", nr, arch, 0, arg0, 0, 0, 0, 0, 0)
    ins = [struct.unpack("=HBBI", prog[i : i + 8]) for i in range(0, len(prog), 8)]
    pc, acc = 0, 0
    for _ in range(10_000):
        code, jt, jf, k = ins[pc]
        if code == 0x20:  # ld word abs
            acc = struct.unpack_from("=I", data, k)[0]
            pc += 1
        elif code == 0x06:  # ret
            return k
        elif code in (0x15, 0x35, 0x45):  # jeq, jge, jset
            hit = acc == k if code == 0x15 else acc >= k if code == 0x35 else bool(acc & k)
            pc += 1 + (jt if hit else jf)
        else:
            raise AssertionError(f"unexpected opcode {code:#x}")
        assert 0 <= pc < len(ins), "jump out of the program"
    raise AssertionError("no return")


PROG = S.build_filter()
EPERM = S.SECCOMP_RET_ERRNO | errno.EPERM


@pytest.mark.parametrize("name", sorted(S.DENIED))
def test_every_denied_syscall_gets_eperm(name: str) -> None:
    assert run(PROG, S.DENIED[name]) == EPERM


@pytest.mark.parametrize("nr", [0, 1, 2, 3, 9, 11, 12, 60, 202, 231, 257, 262])  # read, write, open, mmap, futex…
def test_ordinary_syscalls_are_allowed(nr: int) -> None:
    assert run(PROG, nr) == ALLOW


def test_threads_start_but_processes_do_not() -> None:
    thread_flags = 0x003D0F00  # glibc's pthread_create: CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|…
    assert run(PROG, S.NR_CLONE, arg0=thread_flags) == ALLOW
    assert run(PROG, S.NR_CLONE, arg0=17) == EPERM  # fork(): SIGCHLD only
    assert run(PROG, S.NR_CLONE, arg0=0x4111) == EPERM  # vfork-style CLONE_VM|CLONE_VFORK|SIGCHLD
    assert run(PROG, S.NR_CLONE3) == S.SECCOMP_RET_ERRNO | errno.ENOSYS  # glibc falls back to clone


def test_foreign_architectures_and_x32_are_killed() -> None:
    assert run(PROG, 0, arch=0x40000003) == KILL  # i386
    assert run(PROG, 0x40000000 | 41) == KILL  # x32 socket


def test_the_deny_list_covers_what_the_issue_names() -> None:
    must = {"socket", "execve", "fork", "vfork", "ptrace", "mount", "unshare", "bpf", "keyctl", "execveat"}
    assert must <= set(S.DENIED)
