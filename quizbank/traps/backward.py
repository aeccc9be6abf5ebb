"""Backward passes: the flipped kernel of the conv input gradient and ReLU's gate."""

from __future__ import annotations

from collections.abc import Sequence

from .base import conceptual, trap

conceptual(
    "conv_is_convolution_forward",
    title="Forward conv flips the kernel",
    feedback="The forward 'conv' of deep learning is a cross-correlation (no flip). The backward pass to the input is "
    "the one that uses the 180°-flipped kernel, i.e. a true convolution.",
    claim="The backward pass uses the kernel exactly as in the forward pass, unflipped.",
)


conceptual(
    "relu_grad_passes_all",
    title="ReLU passes every gradient",
    feedback="ReLU's backward is a gate: the gradient passes where the forward input was > 0 and is 0 elsewhere.",
    claim="ReLU's gradient is 1 everywhere, so the upstream gradient always passes through.",
)


conceptual(
    "conv_xgrad_wgrad_swapped",
    title="Input and weight gradients swapped",
    feedback="∂L/∂W is the input cross-correlated with ∂L/∂y; ∂L/∂x is the zero-padded ∂L/∂y cross-correlated with the "
    "180°-flipped kernel.",
    claim="The input cross-correlated with ∂L/∂y.",
)


@trap(
    "relu_grad_times_input",
    title="ReLU gradient scaled by the input",
    feedback="ReLU's local derivative is the step 1[x > 0], not x: the upstream gradient passes unchanged where x > 0.",
)
def relu_grad_times_input(x: float, g: float) -> float:
    """The upstream gradient times the input ``x`` instead of times the step ``1[x > 0]``."""
    return g * x


@trap(
    "conv_grad_unflipped",
    title="Conv input gradient with the unflipped kernel",
    feedback="∂L/∂x[i, j] = Σ g[i − a, j − b]·w[a, b]: the padded upstream gradient cross-correlated with the "
    "180°-flipped kernel. Sliding the kernel unflipped pairs each g with the wrong weight.",
)
def conv_grad_unflipped(
    kernel: Sequence[Sequence[float]], upstream: Sequence[Sequence[float]], at: Sequence[int]
) -> float:
    """The padded upstream gradient slid over with the kernel *unflipped*: Σ g[i + a − (K−1), j + b − (K−1)]·w[a, b]."""
    i, j = at
    kh, kw = len(kernel), len(kernel[0])
    oh, ow = len(upstream), len(upstream[0])
    total = 0.0
    for a in range(kh):
        for b in range(kw):
            p, q = i + a - (kh - 1), j + b - (kw - 1)
            if 0 <= p < oh and 0 <= q < ow:
                total += upstream[p][q] * kernel[a][b]
    return total


conceptual(
    "relu_grad_inverted",
    title="ReLU's gate inverted",
    feedback="ReLU passes the gradient where its forward input was > 0 (slope 1) and blocks it where the input was ≤ 0 "
    "(slope 0), not the other way round.",
    claim="ReLU's backward blocks the gradient where the input was positive and passes it where it was negative.",
)
