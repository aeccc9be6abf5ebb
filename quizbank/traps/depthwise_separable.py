"""Depthwise-separable convolutions (MobileNet): depthwise K×K then pointwise 1×1, and their counts."""

from __future__ import annotations

from .. import formulas as F
from .base import conceptual, trap

conceptual(
    "separable_is_depthwise_plus_3x3",
    title="Depthwise-separable = depthwise + 3×3",
    feedback="A depthwise-separable conv is a depthwise K×K (one filter per channel) followed by a *pointwise 1×1* "
    "that mixes channels. A second 3×3 would bring back the cost it removes.",
    claim="A depthwise convolution followed by a regular 3×3 convolution.",
)


conceptual(
    "mobilenet_v1_inverted_residual",
    title="MobileNet-v1 uses inverted residuals",
    feedback="MobileNet-v1 is a plain stack of depthwise-separable convs. Inverted residuals with linear bottlenecks "
    "arrive in v2.",
    claim="MobileNet-v1 is built from inverted residual blocks with linear bottlenecks.",
)


conceptual(
    "linear_bottleneck_relu",
    title="ReLU on MobileNet-v2's bottleneck",
    feedback="MobileNet-v2's projection 1×1 is *linear*: a ReLU on the narrow bottleneck destroys information, so the "
    "block ends expand 1×1 → depthwise 3×3 → linear 1×1, then adds the skip.",
    claim="Every convolution in an inverted residual block, the projection 1×1 included, is followed by a ReLU6.",
)


conceptual(
    "depthwise_mixes_channels",
    title="The depthwise step mixes channels",
    feedback="The depthwise step filters each input channel on its own (K·K weights per channel, no mixing); mixing "
    "channels is the job of the pointwise 1×1 that follows.",
    claim="A K×K convolution whose filters each see all input channels, then a 1×1 step applied to each channel on "
    "its own.",
)


conceptual(
    "separable_is_spatial_factorised",
    title="Depthwise-separable = K×1 then 1×K",
    feedback="A K×1 then 1×K pair is a *spatially* separable (factorised) conv, as in Inception-v3. "
    "Depthwise-separable separates space from channels: a depthwise K×K, then a pointwise 1×1.",
    claim="A K×1 convolution followed by a 1×K convolution.",
)


@trap(
    "separable_as_full",
    title="Separable params as K²·C_in·C_out",
    feedback="K²·C_in·C_out is the *standard* conv. Separable splits it: K²·C_in (depthwise) + C_in·C_out (pointwise).",
)
def separable_as_full(k: int, c_in: int, c_out: int) -> int:
    return k * k * c_in * c_out


@trap(
    "separable_forgot_pointwise",
    title="Forgot the pointwise 1×1",
    feedback="A depthwise-separable conv is depthwise *and* pointwise; the pointwise 1×1 (C_in·C_out) is most of its "
    "weights.",
)
def separable_forgot_pointwise(k: int, c_in: int, c_out: int) -> int:
    return k * k * c_in


@trap(
    "separable_depthwise_bias",
    title="A bias on Keras' depthwise step",
    feedback="Keras' SeparableConv2D has one bias vector of C_out after the pointwise step; its depthwise step has no "
    "bias (a standalone DepthwiseConv2D does have C_in·m biases).",
)
def separable_depthwise_bias(k: int, c_in: int, c_out: int, *, depth_multiplier: int = 1) -> int:
    """Keras' ``SeparableConv2D`` (with bias) plus ``C_in·m`` biases on its depthwise step."""
    return F.separable_params(k, c_in, c_out, bias=True, depth_multiplier=depth_multiplier) + c_in * depth_multiplier


@trap(
    "separable_ratio_k_squared",
    title="Separable saving taken as exactly K²",
    feedback="standard ÷ separable = 1/(1/C_out + 1/K²): a little *below* K², because the depthwise step still costs "
    "K²·C_in next to the pointwise C_in·C_out.",
)
def separable_ratio_k_squared(k: int) -> float:
    """``K²`` for standard ÷ separable, which is ``1/(1/C_out + 1/K²)``."""
    return float(k * k)


@trap(
    "depthwise_as_full",
    title="Depthwise counted as a full conv",
    feedback="A depthwise conv gives each input channel its own m K×K filters (m = depth_multiplier, 1 by default), "
    "each seeing that channel only: K·K·C_in·m weights (+ C_in·m biases), not K·K·C_in weights per output channel.",
)
def depthwise_as_full(k: int, c_in: int, *, depth_multiplier: int = 1, bias: bool = True) -> int:
    """A full ``K×K`` conv from ``C_in`` to ``C_in·m`` channels instead of one filter per input channel."""
    return F.conv_params(k, c_in, c_in * depth_multiplier, bias=bias)
