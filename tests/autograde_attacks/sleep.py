"""Attack: sleep past the wall clock without using CPU (expected: time_limit)."""

import time


def build_model():
    time.sleep(3600)
