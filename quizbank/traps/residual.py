"""Residual blocks: y = F(x) + x, added not concatenated; projection shortcuts, bottlenecks, stride, gradients."""

from __future__ import annotations

from collections.abc import Sequence

from .. import formulas as F
from .base import conceptual, trap

conceptual(
    "resnet_output_fx",
    title="ResNet's output is F(x)",
    feedback="A residual block outputs y = F(x) + x. F is the *residual*; the skip adds x back, which gives ∂y/∂x = "
    "∂F/∂x + I.",
    claim="A residual block outputs y = F(x), where F is learned to approximate the target mapping.",
)


conceptual(
    "resnet_concatenates",
    title="Residual skips concatenate",
    feedback="ResNet *adds* the skip (channels unchanged); DenseNet *concatenates* earlier outputs (channels grow by "
    "k per layer).",
    claim="A residual block concatenates x with F(x) along the channels.",
)


@trap(
    "resnet_forgot_projection",
    title="Forgot the projection shortcut",
    feedback="When the block changes the width (or strides), the skip is a 1×1 projection conv with C_in·C_out (+ "
    "C_out) parameters of its own.",
)
def resnet_forgot_projection(block_params: int, c_in: int, c_out: int, *, bias: bool = True) -> int:
    """The block's count without its 1×1 projection shortcut's ``C_in·C_out (+ C_out)``."""
    return block_params - F.one_by_one_params(c_in, c_out, bias=bias)


@trap(
    "resnet_identity_has_params",
    title="Identity skip given parameters",
    feedback="An identity skip just adds x: it has 0 parameters. Only a projection shortcut (1×1 conv) has weights.",
)
def resnet_identity_has_params(block_params: int, c_in: int, c_out: int, *, bias: bool = True) -> int:
    """The block's count with a 1×1 projection's ``C_in·C_out (+ C_out)`` given to the identity skip."""
    return block_params + F.one_by_one_params(c_in, c_out, bias=bias)


@trap(
    "bottleneck_3x3_full_width",
    title="Bottleneck 3×3 at full width",
    feedback="The point of the bottleneck: the 1×1 first reduces to C_mid, so the 3×3 runs C_mid → C_mid, and a "
    "second 1×1 expands back.",
)
def bottleneck_3x3_full_width(block_params: int, c_mid: int, c_out: int, *, bias: bool = True) -> int:
    """The bottleneck block's count with its 3×3 run ``C_out → C_out`` instead of ``C_mid → C_mid``."""
    return block_params + F.conv_params(3, c_out, c_out, bias=bias) - F.conv_params(3, c_mid, c_mid, bias=bias)


@trap(
    "block_ignored_stride",
    title="Block stride ignored",
    feedback="A stride-2 block halves H and W (its projection shortcut strides too, so the Add sees matching shapes).",
)
def block_ignored_stride(h: int, w: int, c_out: int) -> list[int]:
    """The block's output shape with the input's ``H×W`` kept."""
    return [h, w, c_out]


@trap(
    "residual_grads_summed",
    title="Stacked residual gradients summed",
    feedback="The chain rule multiplies: through stacked blocks y = F(t) + t the gradient is the product of (F_i' + "
    "1).",
)
def residual_grads_summed(blocks: Sequence[Sequence[float]], x: float) -> float:
    """Σ (F_i' + 1) instead of the product."""
    t, total = float(x), 0.0
    for w1, b1, w2 in blocks:
        pre = w1 * t + b1
        total += (w2 * w1 if pre > 0 else 0.0) + 1.0
        t = w2 * max(pre, 0.0) + t
    return total


conceptual(
    "residual_skip_only",
    title="Gradient through the skip only",
    feedback="Both paths carry gradient: ∂y/∂x = ∂F/∂x + I. The identity term keeps the signal alive through the skip, "
    "and F's weights still learn from ∂F/∂x.",
    claim="The gradient flows through the skip only, so F receives none.",
)
