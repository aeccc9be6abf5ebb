"""Dilated convolutions: the effective kernel ``d·(K − 1) + 1``, unchanged weights, and the rates that leave holes."""

from __future__ import annotations

from collections.abc import Sequence

from .. import formulas as F
from .base import conceptual, trap

conceptual(
    "dilation_downsamples",
    title="Dilation downsamples",
    feedback="Dilation spaces the taps of the kernel, not the outputs: at stride 1 with 'same' padding the map keeps "
    "H×W. That is why DeepLab replaces the last strides by dilation: a large RF at a fine resolution.",
    claim="Dilation skips output positions like a stride, which is how it saves compute.",
)


conceptual(
    "dilation_common_factor",
    title="Rates with a common factor cover every pixel",
    feedback="If every rate shares a factor g > 1 (2, 4, 8), all taps land on multiples of g: the other pixels are "
    "never seen (gridding). Start at rate 1, or mix rates without a common factor (HDC: 1, 2, 5).",
    claim="Rates that keep doubling from 2 (2, 4, 8) cover every pixel of the receptive field.",
)


conceptual(
    "dilation_rate_too_large",
    title="A rate larger than the RF so far",
    feedback="A dilated layer's taps are d apart; if d exceeds the width already covered by the layers below, the "
    "gaps between the taps are never filled. Grow rates gradually: each rate at most the RF covered so far (1, 2, 5 "
    "after 3×3s).",
    claim="Any schedule that starts at rate 1 covers every pixel, however fast the rates grow.",
)


conceptual(
    "hdc_leaves_holes",
    title="Mixed (HDC) rates leave holes",
    feedback="Rates such as 1, 2, 5 (or 1, 2, 4) grow no faster than the covered width, so together their taps reach "
    "every pixel: this is the hybrid-dilated-convolution fix for gridding. Holes come from repeating one rate > 1 or "
    "from a common factor.",
    claim="Mixing different rates (such as 1, 2, 5) leaves holes where the grids do not line up.",
)


@trap(
    "ignored_dilation",
    title="Ignored the dilation",
    feedback="A dilated kernel spans K_eff = d·(K − 1) + 1 pixels, so it shrinks the map and grows the RF as a K_eff "
    "kernel would.",
)
def output_ignored_dilation(w: int, k: int, s: int = 1, padding: F.Padding = 0, d: int = 1) -> int:
    return F.output_size(w, k, s, padding, 1)


@trap(
    "dilation_as_k_times_d",
    title="Dilation taken as K·d",
    feedback="Dilation inserts d − 1 gaps *between* taps: K_eff = K + (K − 1)(d − 1), not K·d.",
)
def effective_kernel_as_kd(k: int, d: int) -> int:
    return k * d


@trap(
    "dilation_adds_params",
    title="Dilation adds weights",
    feedback="Dilation spreads the same K×K taps apart: the window grows to K_eff×K_eff but the weights stay K·K per "
    "channel pair, so the parameter count is exactly that of the undilated conv.",
    claim="Dilation adds weights: a 3×3 at d = 2 has 25 weights per channel pair, one for each pixel of its 5×5 "
    "window.",
)
def dilation_adds_params(k: int, c_in: int, c_out: int, d: int, *, bias: bool = True) -> int:
    """A weight for every pixel of the ``K_eff×K_eff`` window instead of the ``K×K`` taps."""
    return F.conv_params(F.effective_kernel(k, d), c_in, c_out, bias=bias)


@trap(
    "dilation_adds_d_minus_1",
    title="Dilation gap added once",
    feedback="The d − 1 gap sits between *every* pair of adjacent taps, and a K-tap kernel has K − 1 such pairs: "
    "K_eff = K + (K − 1)(d − 1), not K + (d − 1).",
)
def dilation_adds_d_minus_1(k: int, d: int) -> int:
    """``K + (d − 1)``: one gap added instead of one between each of the ``K − 1`` pairs of taps."""
    return k + d - 1


# the same slip carried into an output size and a receptive field


def output_dilation_as_kd(w: int, k: int, s: int = 1, padding: F.Padding = 0, d: int = 1) -> int:
    """The output size with the dilated kernel taken as ``K·d`` wide."""
    return F.output_size(w, effective_kernel_as_kd(k, d), s, padding, 1)


def rf_dilation_as_kd(layers: Sequence[F.RFLayer]) -> int:
    """The receptive field with every dilated kernel taken as ``K·d`` wide."""
    return F.receptive_field([F.RFLayer(effective_kernel_as_kd(x.k, x.d), x.s, 1) for x in layers])[0]
