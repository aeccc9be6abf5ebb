"""1×1 convolutions: channel mixing at one pixel, and the bottleneck placed before the expensive K×K."""

from __future__ import annotations

from collections.abc import Sequence

from .. import formulas as F
from .base import conceptual, trap

conceptual(
    "inception_1x1_after",
    title="Inception's 1×1 sits after the 3×3/5×5",
    feedback="Inception puts the 1×1 bottleneck *before* the expensive 3×3/5×5 so those run on fewer channels; "
    "after them it would save nothing on the expensive conv.",
    claim="The 1×1 convolutions come after the 3×3 and 5×5 convolutions, to shrink their outputs.",
)


conceptual(
    "one_by_one_spatial",
    title="1×1 convs mix space",
    feedback="A 1×1 conv looks at one pixel: it mixes channels but never neighbouring positions and leaves the RF "
    "unchanged.",
    claim="A 1×1 convolution enlarges the receptive field.",
)


conceptual(
    "one_by_one_no_mixing",
    title="1×1 convs do not mix channels",
    feedback="Each 1×1 filter has C_in weights: a weighted sum over all input channels at one pixel (a per-pixel "
    "dense layer). It mixes channels; it is a depthwise conv that keeps channels apart.",
    claim="A 1×1 convolution only rescales each channel on its own, so it cannot mix channels.",
)


conceptual(
    "one_by_one_downsamples",
    title="1×1 convs shrink H×W",
    feedback="At stride 1 a 1×1 conv keeps H×W exactly (no padding needed); it changes only the number of channels.",
    claim="A 1×1 convolution halves the height and width of the feature map.",
)


@trap(
    "one_by_one_after",
    title="1×1 placed after the 3×3",
    feedback="The bottleneck only saves if the 1×1 reduction comes *before* the expensive K×K conv, so the K×K runs "
    "on the reduced width.",
)
def one_by_one_after(k: int, c_in: int, c_out: int, *, bias: bool = True) -> int:
    """The ``K×K`` at the full width ``C_in → C_in``, then a 1×1 down to ``C_out``."""
    return F.conv_params(k, c_in, c_in, bias=bias) + F.one_by_one_params(c_in, c_out, bias=bias)


@trap(
    "bottleneck_forgot_reduce",
    title="Forgot the 1×1 reduction's own cost",
    feedback="The 1×1 reduction is a layer too: it costs C_in·C_mid weights (+ C_mid biases) on top of the K×K that "
    "now reads C_mid channels.",
)
def bottleneck_forgot_reduce(k: int, c_mid: int, c_out: int, *, bias: bool = True) -> int:
    """Only the ``K×K`` on the reduced width ``C_mid``, without the 1×1 reduction itself."""
    return F.conv_params(k, c_mid, c_out, bias=bias)


@trap(
    "ratio_as_k_squared",
    title="K² for the ratio with biases",
    feedback="K² is the ratio only without biases. With one bias per filter a K×K filter has K²·C_in + 1 parameters "
    "and a 1×1 filter C_in + 1, so the ratio is (K²·C_in + 1)/(C_in + 1): a little below K², since the bias is a "
    "larger share of the small 1×1 filter.",
)
def ratio_as_k_squared(k: int) -> int:
    """``K²``, the bias-free ratio of a ``K×K`` conv to a 1×1 conv at the same widths, where biases are counted."""
    return k * k


@trap(
    "fpn_lateral_3x3",
    title="FPN laterals as 3×3 convs",
    feedback="FPN's lateral connections are 1×1 convs: they only bring each backbone stage to the pyramid's d "
    "channels (C_i·d + d parameters) so it can be added to the upsampled top-down map. The 3×3 convs come after "
    "that sum, to smooth it.",
)
def fpn_lateral_3x3(c_in: int, d: int) -> int:
    """A lateral counted as a 3×3 conv, ``(9·C_in + 1)·d``, where FPN uses a 1×1."""
    return F.conv_params(3, c_in, d)


@trap(
    "se_no_reduction",
    title="SE without its reduction ratio",
    feedback="The excitation squeezes C → C/r → C (r = 16 in SENet): its two 1×1 convs (FC layers) hold 2·C²/r "
    "weights + C/r + C biases, not 2·C² + 2·C. The reduction is what keeps SE's parameter cost near 10 %.",
)
def se_no_reduction(stages: Sequence[Sequence[int]]) -> int:
    """SE gates over ``stages`` of ``(blocks N, channels C, …)`` with ``r = 1``: ``Σ N·(2·C² + 2·C)``."""
    return sum(s[0] * (2 * s[1] * s[1] + 2 * s[1]) for s in stages)


@trap(
    "laterals_one_resolution",
    title="Every lateral at one resolution",
    feedback="Each FPN level sits at its own stride: C2 at 1/4 of the input, C3 at 1/8, C4 at 1/16, C5 at 1/32. A 1×1 "
    "lateral costs H_i·W_i·C_i·d MACs at *its* level's size, so the deep, wide levels are cheap.",
)
def laterals_one_resolution(side: int, channels: Sequence[int], d: int) -> int:
    """All laterals' MACs as if every level had the finest level's ``side``."""
    return sum(side * side * c * d for c in channels)
