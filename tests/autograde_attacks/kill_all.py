"""Attack: kill(-1, SIGKILL), i.e. every process the caller may signal (expected: the host and zygote survive)."""

import os
import signal


def build_model():
    os.kill(-1, signal.SIGKILL)
    raise RuntimeError("still alive after kill(-1, 9)")
