# expect-trap: i3d_without_t
"""Repeats along time but forgets to divide by T."""

import numpy as np


def inflate(w2d, T):
    return np.repeat(w2d[None], T, axis=0)
