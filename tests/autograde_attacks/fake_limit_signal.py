"""Attack: send itself SIGXCPU after 0.01 s, as if the CPU limit were reached (expected: runtime_error, not
time_limit: it used no CPU to speak of)."""

import os
import signal
import time


def build_model():
    time.sleep(0.01)
    os.kill(os.getpid(), signal.SIGXCPU)
    time.sleep(5)
