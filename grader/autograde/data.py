"""scikit-learn's bundled 8×8 digits (shipped in the package, no download), split once with a fixed seed.

Only the *training* split is ever written for the sandbox; the held-out split stays in the checker.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

HELDOUT_FRACTION = 0.3


@cache
def digits_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    d = load_digits()
    x = (d.images / 16.0).astype("float32")[..., None]
    y = d.target.astype("int64")
    order = np.random.default_rng(20240601).permutation(len(y))
    n_test = int(len(y) * HELDOUT_FRACTION)
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


def write_public_train(path: Path) -> Path:
    x, y, _, _ = digits_split()
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, x=x, y=y)
    return path
