"""Pooling: no parameters, Keras' default strides, the Dense after Flatten or GAP, and gradient routing."""

from __future__ import annotations

from collections.abc import Sequence

from .. import formulas as F
from .base import conceptual, trap

conceptual(
    "pooling_has_params",
    title="Pooling has parameters",
    feedback="Max, average and global pooling compute a fixed function of each window: they have 0 parameters. "
    "They cut activations and FLOPs, not weights.",
    claim="A pooling layer learns a weight per window position.",
)


conceptual(
    "maxpool_grad_spread",
    title="Max-pool spreads the gradient",
    feedback="Max-pool's backward sends the whole upstream gradient to the argmax of each window and 0 elsewhere; "
    "it is average pooling that spreads 1/K² to each input.",
    claim="Max-pool spreads the upstream gradient equally over its window.",
)


@trap(
    "pool_counted_as_conv",
    title="Pool counted like a conv",
    feedback="A pool has no filters and no bias: 0 parameters, whatever its window.",
)
def pool_counted_as_conv(k: int, c: int) -> int:
    return F.conv_params(k, c, c)


@trap(
    "avgpool_grad_1_over_k",
    title="Average-pool gradient as 1/K",
    feedback="A K×K window averages K² inputs, so each receives 1/K² of the upstream gradient.",
)
def avgpool_grad_1_over_k(k: int) -> float:
    return 1.0 / k


@trap(
    "pool_default_stride_1",
    title="Pool stride taken as 1",
    feedback="Keras pools default to strides = pool_size (non-overlapping windows): a pool of size k divides H and W "
    "by k. Stride 1 is the default of Conv2D, not of pooling layers.",
)
def pool_default_stride_1(w: int, k: int, padding: F.Padding = "valid") -> int:
    """The pool's output size at stride 1 instead of Keras' default ``strides = pool_size``."""
    return F.output_size(w, k, 1, padding)


@trap(
    "pool_ignored_in_flatten",
    title="Flatten size taken before the pool",
    feedback="The Dense after Flatten sees the *pooled* map: a 2×2 pool quarters H·W, and with it the Dense weights.",
)
def pool_ignored_in_flatten(h: int, w: int, c: int, n_out: int, *, bias: bool = True) -> int:
    """The Dense after ``Flatten`` counted on the un-pooled ``H×W×C`` map."""
    return F.dense_params(h * w * c, n_out, bias=bias)


@trap(
    "gap_dense_sees_hwc",
    title="Dense after GAP sees H·W·C inputs",
    feedback="Global average pooling averages each channel over H×W, so the Dense after it has only C inputs: C·n + n "
    "parameters instead of H·W·C·n + n.",
)
def gap_dense_sees_hwc(h: int, w: int, c: int, n_out: int, *, bias: bool = True) -> int:
    """The Dense after global average pooling counted with ``H·W·C`` inputs instead of ``C``."""
    return F.dense_params(h * w * c, n_out, bias=bias)


@trap(
    "saving_forgot_new_head",
    title="Saving without subtracting the new head",
    feedback="A saving is old − new: subtract the GAP head's own C·n + n parameters from the Flatten head's.",
)
def saving_forgot_new_head(old: int, new: int) -> int:
    """The old head's count taken as the saving: ``old``, not ``old − new``."""
    return old


@trap(
    "maxpool_grad_copied",
    title="Max-pool copies the gradient to every input",
    feedback="Only the argmax of a max-pool window receives the upstream gradient; every other input of the window "
    "gets 0.",
)
def maxpool_grad_copied(upstream: Sequence[float]) -> float:
    """The upstream gradients of every window the input lies in, as if each were copied to all its inputs."""
    return sum(upstream)


@trap(
    "overlap_grad_not_summed",
    title="Overlapping windows not summed",
    feedback="When windows overlap (stride < K), an input belongs to several windows and its gradient is the *sum* of "
    "what each window sends it (multivariate chain rule).",
)
def overlap_grad_not_summed(shares: Sequence[float]) -> float:
    """Only the first window's share, where the input's gradient is the sum of the shares of all its windows."""
    return shares[0]


@trap(
    "avgpool_grad_copied",
    title="Average-pool copies the full gradient",
    feedback="Average pooling divides by K²: y = (1/K²)·Σ x, so each input receives g/K², not g.",
)
def avgpool_grad_copied(upstream: Sequence[float]) -> float:
    """The upstream gradients of the input's windows without the ``1/K²``."""
    return sum(upstream)


conceptual(
    "maxpool_no_gradient",
    title="Max-pool passes no gradient",
    feedback="Max is piecewise linear: inside a window its derivative is 1 for the input that was the maximum and 0 "
    "for the others, so the window's whole gradient reaches the argmax.",
    claim="Max pooling is not differentiable, so no gradient flows back through it.",
)
