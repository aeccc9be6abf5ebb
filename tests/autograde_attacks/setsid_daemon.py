"""Attack: double-fork a setsid daemon that outlives the grading (expected: runtime_error, and no survivor)."""

import os
import time


def build_model():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            while True:
                time.sleep(1)
        os._exit(0)
