"""MACs of a conv layer: counted per output position, over K·K·C_in/groups inputs, biases and FLOPs apart."""

from __future__ import annotations

from .. import formulas as F
from .base import trap


@trap(
    "macs_with_input_size",
    title="MACs counted on the input's H×W",
    feedback="A conv does one K·K·C_in/groups dot product per *output* position: multiply by H_out·W_out (after the "
    "stride and the padding), not by the input's H·W.",
)
def macs_with_input_size(h_in: int, w_in: int, k: int, c_in: int, c_out: int, *, groups: int = 1) -> int:
    """The right per-position cost times the *input* size ``H_in·W_in``."""
    return F.conv_macs(h_in, w_in, k, c_in, c_out, groups=groups)


@trap(
    "macs_counted_bias",
    title="Parameters × positions for the MACs",
    feedback="MACs count multiply-accumulates: K·K·C_in/groups per output value. The bias is one addition per output, "
    "not a MAC, so MACs are H_out·W_out·K²·C_in/groups·C_out, not the parameter count times H_out·W_out.",
)
def macs_counted_bias(h_out: int, w_out: int, k: int, c_in: int, c_out: int, *, groups: int = 1) -> int:
    """``(K²·C_in/groups + 1)·C_out`` parameters times the ``H_out·W_out`` positions: the bias counted as a MAC."""
    return F.conv_params(k, c_in, c_out, groups=groups) * h_out * w_out


@trap(
    "params_for_macs",
    title="The parameter count for the MACs",
    feedback="Parameters are the weights stored once; MACs are the multiply-accumulates of one forward pass, each "
    "weight used once per output position: about H_out·W_out times the weight count for a conv.",
)
def params_for_macs(params: int) -> int:
    """The layer's (or model's) parameter count given where its MACs are asked."""
    return params


@trap(
    "macs_ignored_groups",
    title="Grouped conv counted as a full conv",
    feedback="With groups=g each filter sees only C_in/g input channels (a depthwise conv: one), so the MACs are "
    "H_out·W_out·K²·(C_in/g)·C_out: g times fewer than a full conv of the same widths.",
)
def macs_ignored_groups(h_out: int, w_out: int, k: int, c_in: int, c_out: int) -> int:
    """The MACs of the same conv with ``groups=1``."""
    return F.conv_macs(h_out, w_out, k, c_in, c_out)
