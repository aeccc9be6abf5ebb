"""Conv parameter counts: the bias, and H×W that never enter them."""

from __future__ import annotations

from .. import formulas as F
from .base import conceptual, trap

conceptual(
    "conv_params_depend_on_hw",
    title="Conv params depend on H×W",
    feedback="A conv layer slides the *same* filters over every position (weight sharing), so its parameters depend on "
    "K, C_in and C_out only, never on the input's height and width.",
    claim="The number of weights grows with the input's height and width.",
)


@trap(
    "forgot_bias",
    title="Forgot the bias",
    feedback="Each filter has one bias, so add C_out (the +1 in (K·K·C_in + 1)·C_out).",
)
def conv_forgot_bias(k: int, c_in: int, c_out: int, **kw: int) -> int:
    return F.conv_params(k, c_in, c_out, bias=False, **kw)


@trap(
    "bias_per_input_channel",
    title="A bias per input channel",
    feedback="There is one bias per *output* channel (per filter), not one per input channel of every filter.",
)
def conv_bias_per_input_channel(k: int, c_in: int, c_out: int, **kw: int) -> int:
    return F.conv_params(k, c_in, c_out, bias=False, **kw) + c_in * c_out


@trap(
    "conv_times_hw",
    title="Multiplied by H×W",
    feedback="Weights are shared over positions: H and W do not enter a conv's parameter count (they enter its MACs).",
)
def conv_times_hw(k: int, c_in: int, c_out: int, h: int, w: int, **kw: int) -> int:
    return F.conv_params(k, c_in, c_out, **kw) * h * w
