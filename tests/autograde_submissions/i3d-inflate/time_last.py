# expect-failed: shape
"""Puts the time axis last."""

import numpy as np


def inflate(w2d, T):
    return np.repeat(w2d[..., None], T, axis=-1) / T
