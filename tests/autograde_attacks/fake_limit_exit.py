"""Attack: exit with the status a CPU-limit signal would give, 128 + SIGXCPU, after 0.01 s (expected: runtime_error,
not time_limit: the limit was not reached)."""

import os
import time


def build_model():
    time.sleep(0.01)
    os._exit(128 + 24)
