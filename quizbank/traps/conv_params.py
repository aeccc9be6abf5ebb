"""Conv parameter counts: the bias, and H×W that never enter them."""

from __future__ import annotations

import re
from typing import Any

from .. import formulas as F
from .base import conceptual, trap

BIAS_FREE = re.compile(r"use_bias=False|without (conv )?biases|no (conv )?bias|biases disabled", re.I)
COUNT = re.compile(r"\bhow many\b(?! times| percent)", re.I)


def _bias_explain(*, key: Any = None, value: Any = None, stem: str = "", **_: Any) -> str | None:
    """On a layer without bias the same slip runs the other way: the student *added* the biases."""
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (key, value))
    added = value > key if numbers and COUNT.search(stem) else bool(BIAS_FREE.search(stem))
    if not added:
        return None
    extra = f" ({value:,} − {key:,} = {value - key:,} of them)" if numbers and COUNT.search(stem) else ""
    return (
        "These layers are built with `use_bias=False`: they have no bias, so nothing is added per filter. Counting "
        f"a bias for every output channel adds parameters the layer does not have{extra}."
    )


conceptual(
    "conv_params_depend_on_hw",
    title="Conv params depend on H×W",
    feedback="A conv layer slides the *same* filters over every position (weight sharing), so its parameters depend on "
    "K, C_in and C_out only, never on the input's height and width.",
    claim="The number of weights grows with the input's height and width.",
)


@trap(
    "forgot_bias",
    title="Forgot the bias (or added one use_bias=False removed)",
    feedback="Each filter has one bias, so add C_out (the +1 in (K·K·C_in + 1)·C_out).",
    explain=_bias_explain,
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


@trap(
    "groups_ignored",
    title="Ignored groups=",
    feedback="With groups=g the input channels are split into g groups and each filter sees only its group's C_in/g "
    "channels: (K·K·C_in/g + 1)·C_out. Ignoring groups counts every filter on all C_in channels, g times the weights.",
)
def conv_groups_ignored(k: int, c_in: int, c_out: int, *, bias: bool = True, **kw: int) -> int:
    """The count of the same conv without ``groups`` (every filter on all ``C_in`` channels)."""
    kw.pop("groups", None)
    return F.conv_params(k, c_in, c_out, bias=bias, **kw)
