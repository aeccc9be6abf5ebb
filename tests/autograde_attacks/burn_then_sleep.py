"""Attack: spend 1 s of CPU, then sleep past the wall clock, staying under the CPU limit (expected: time_limit,
with the 1 s of CPU it used reported, not 0)."""

import time


def build_model():
    start = time.process_time()  # the sandbox's warm-up ran in this process before
    while time.process_time() - start < 1.0:
        pass
    time.sleep(3600)
