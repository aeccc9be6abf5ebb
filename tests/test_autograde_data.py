"""The held-out digits the checker scores: a fresh copy of the public held-out split per grading run."""

from __future__ import annotations

import numpy as np

from grader.autograde import data


def test_the_scored_heldout_digits_are_a_secret_copy_no_memorised_image_or_label_order_matches() -> None:
    _, _, x, y = data.public_split()
    a, ya = data.fresh_heldout(1)
    b, _ = data.fresh_heldout(2)
    assert a.shape == x.shape and a.dtype == np.float32 and 0 <= a.min() and a.max() <= 1
    assert sorted(ya.tolist()) == sorted(y.tolist())  # the same digits …
    flat, pub = a.reshape(len(a), -1), x.reshape(len(x), -1)
    nearest = np.min(np.abs(flat[:, None, :] - pub[None, :, :]).max(axis=2), axis=1)
    assert nearest.min() > 0.01  # … none of them pixel for pixel
    assert np.mean(ya == y) < 0.2  # and shuffled: labels memorised in order match by chance only
    assert not np.array_equal(a, b)  # another run, another copy
    assert np.array_equal(data.fresh_heldout(1)[0], a)  # one run scores every submission on the same copy


def test_digits_split_scores_the_runs_copy_and_keeps_the_public_training_split() -> None:
    x_train, y_train, _, _ = data.public_split()
    data.use_heldout_seed(7)
    try:
        xt, yt, xh, yh = data.digits_split()
        assert xt is x_train and yt is y_train
        assert np.array_equal(xh, data.fresh_heldout(7)[0]) and np.array_equal(yh, data.fresh_heldout(7)[1])
    finally:
        data.use_heldout_seed(None)
    assert data.heldout_seed() != 7
