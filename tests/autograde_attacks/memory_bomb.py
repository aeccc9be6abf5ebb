"""Attack: touch more memory than the cgroup allows (expected: memory_limit)."""

import numpy as np


def build_model():
    hog = []
    while True:
        hog.append(np.ones(8 << 20))  # 64 MiB, every page written
