"""Backward passes: the flipped kernel of the conv input gradient and ReLU's gate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import formulas as F
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


@trap(
    "bias_grad_for_weight",
    title="The bias gradient for a weight's",
    feedback="Σ ∂L/∂y is the gradient of the *bias* (it adds to every output). A weight w[a, b] multiplies a different "
    "input at each output position, so ∂L/∂w[a, b] = Σ_{p,q} G[p, q]·x[p+a, q+b]: each upstream value weighted by "
    "the input the weight met there.",
)
def bias_grad_for_weight(upstream: Sequence[Sequence[float]]) -> float:
    """``Σ G``: the bias gradient, given for a weight's."""
    return float(sum(sum(row) for row in upstream))


def _channel(t: Sequence[Sequence[Sequence[float]]], c: int) -> list[list[float]]:
    return [[v[c] for v in row] for row in t]


@trap(
    "wgrad_summed_channels",
    title="Weight gradient summed over input channels",
    feedback="Each weight w[a, b, c, o] links input channel c to output channel o: its gradient uses input channel c "
    "only, ∂L/∂w[a, b, c, o] = Σ_{p,q} x[p+a, q+b, c]·G[p, q, o]. Summing over input channels gives every c the same "
    "gradient.",
)
def wgrad_summed_channels(x: Sequence[Any], upstream: Sequence[Any], at: Sequence[int]) -> float:
    """``Σ_c Σ_{p,q} x[p+a, q+b, c]·G[p, q, o]``: every input channel's contribution, for one weight's gradient."""
    a, b, _, o = at
    return sum(F.conv_kernel_grad(_channel(x, c), _channel(upstream, o), (a, b)) for c in range(len(x[0][0])))


@trap(
    "wgrad_channels_swapped",
    title="Weight gradient with the channels swapped",
    feedback="In w[a, b, c, o] the third index is the input channel and the fourth the output channel (Keras' kernel is "
    "K×K×C_in×C_out): ∂L/∂w[a, b, c, o] pairs input channel c with the upstream gradient of output channel o.",
)
def wgrad_channels_swapped(x: Sequence[Any], upstream: Sequence[Any], at: Sequence[int]) -> float:
    """Input channel ``o`` with the upstream gradient of channel ``c``: the two channel indices exchanged."""
    a, b, c, o = at
    return F.conv_kernel_grad(_channel(x, o), _channel(upstream, c), (a, b))


def _kernel_slice(kernel: Sequence[Any], c: int, o: int) -> list[list[float]]:
    return [[kernel[a][b][c][o] for b in range(len(kernel[0]))] for a in range(len(kernel))]


@trap(
    "xgrad_one_output_channel",
    title="Input gradient from one output channel",
    feedback="Every output channel o read input channel c (through w[:, :, c, o]), so ∂L/∂x[i, j, c] sums over *all* "
    "output channels: Σ_o Σ_{a,b} G[i−a, j−b, o]·w[a, b, c, o], the flipped kernel with its channel axes transposed.",
)
def xgrad_one_output_channel(kernel: Sequence[Any], upstream: Sequence[Any], at: Sequence[int]) -> float:
    """Only the output channel with the input channel's index: ``Σ_{a,b} G[i−a, j−b, c]·w[a, b, c, c]``."""
    i, j, c = at
    return F.conv_input_grad(_kernel_slice(kernel, c, c), _channel(upstream, c), (i, j))


@trap(
    "xgrad_channels_swapped",
    title="Input gradient with the kernel's channels swapped",
    feedback="Input channel c reached output channel o through w[:, :, c, o]; going back, ∂L/∂x[i, j, c] uses those same "
    "slices, Σ_o Σ_{a,b} G[i−a, j−b, o]·w[a, b, c, o], not w[a, b, o, c].",
)
def xgrad_channels_swapped(kernel: Sequence[Any], upstream: Sequence[Any], at: Sequence[int]) -> float:
    """``Σ_o Σ_{a,b} G[i−a, j−b, o]·w[a, b, o, c]``: the kernel's input and output channel axes exchanged."""
    i, j, c = at
    return sum(
        F.conv_input_grad(_kernel_slice(kernel, o, c), _channel(upstream, o), (i, j))
        for o in range(len(upstream[0][0]))
    )


conceptual(
    "relu_grad_inverted",
    title="ReLU's gate inverted",
    feedback="ReLU passes the gradient where its forward input was > 0 (slope 1) and blocks it where the input was ≤ 0 "
    "(slope 0), not the other way round.",
    claim="ReLU's backward blocks the gradient where the input was positive and passes it where it was negative.",
)
