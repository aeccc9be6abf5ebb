"""Attack: run a shell command (expected: runtime_error, execve/fork are denied)."""

import os


def build_model():
    rc = os.system("touch /tmp/pwned_by_os_system")
    if rc != 0:
        raise RuntimeError(f"os.system returned {rc}")
