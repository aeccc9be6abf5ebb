"""scikit-learn's bundled 8×8 digits (shipped in the package, no download), split once with a fixed seed.

Only the *training* split is ever written for the sandbox.  The held-out split stays in the checker, and since the
whole data set is public (a submission could carry it, or weights trained on it, inside its 256 KiB), what the
checker scores is never the public held-out digits themselves but a fresh copy of them made for each grading run
with a secret seed: every pixel is resampled the way the data set was made (an 8×8 pixel counts the set pixels of a
4×4 block of a 32×32 bitmap), lightly blurred, its contrast and brightness changed and noise added, and the order
shuffled.  No memorised image matches one pixel for pixel, and no memorised label order lines up; the task stays as
hard as before (the reference scores 97–99% on such copies).
"""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path

import numpy as np

HELDOUT_FRACTION = 0.3
# how far each held-out copy strays from its digit; measured to keep the reference well above the 95% bar
CONTRAST = (0.8, 1.2)
BRIGHTNESS = 0.05
NOISE = 0.03
BLUR = 0.25

_seed: int | None = None


@cache
def public_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Train and held-out digits exactly as scikit-learn ships them: public, so never scored as they are."""
    from sklearn.datasets import load_digits

    d = load_digits()
    x = (d.images / 16.0).astype("float32")[..., None]
    y = d.target.astype("int64")
    order = np.random.default_rng(20240601).permutation(len(y))
    n_test = int(len(y) * HELDOUT_FRACTION)
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


def use_heldout_seed(seed: int | None) -> None:
    """The grading run's secret (the checker pool draws one per run and hands it to its processes); ``None`` draws
    a fresh one in this process at first use."""
    global _seed
    _seed = seed


def heldout_seed() -> int:
    global _seed
    if _seed is None:
        _seed = secrets.randbits(63)
    return _seed


@cache
def fresh_heldout(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The held-out digits as this seed makes them: resampled, blurred, re-lit, noisy and shuffled."""
    _, _, x, y = public_split()
    rng = np.random.default_rng(seed)
    n = len(y)
    im = rng.binomial(16, x[..., 0].astype("float64")) / 16.0  # another 4×4-block count with the same density
    pad = np.pad(im, ((0, 0), (1, 1), (1, 1)))
    k = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16.0
    blurred = sum(k[u, v] * pad[:, u : u + 8, v : v + 8] for u in range(3) for v in range(3))
    mix = rng.uniform(0, BLUR, (n, 1, 1))
    im = (1 - mix) * im + mix * blurred
    im = rng.uniform(*CONTRAST, (n, 1, 1)) * im + rng.uniform(-BRIGHTNESS, BRIGHTNESS, (n, 1, 1))
    im = np.clip(im + rng.normal(0, NOISE, im.shape), 0, 1)
    order = rng.permutation(n)
    xs, ys = im[order, ..., None].astype("float32"), y[order]
    xs.flags.writeable = ys.flags.writeable = False
    return xs, ys


def digits_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The public training split and this grading run's held-out copy (``fresh_heldout(heldout_seed())``)."""
    x_train, y_train, _, _ = public_split()
    return (x_train, y_train, *fresh_heldout(heldout_seed()))


def write_public_train(path: Path) -> Path:
    x, y, _, _ = public_split()
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, x=x, y=y)
    return path
