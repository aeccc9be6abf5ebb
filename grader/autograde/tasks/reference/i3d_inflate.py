"""Reference for ``i3d-inflate``: repeat along time, divide by T."""

import numpy as np


def inflate(w2d, T):
    return np.repeat(w2d[None], T, axis=0) / T
