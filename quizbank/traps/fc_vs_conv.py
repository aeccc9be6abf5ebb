"""A dense layer between feature maps against a conv on the same tensors: locality and weight sharing."""

from __future__ import annotations

from .. import formulas as F
from .base import conceptual, trap

conceptual(
    "fc_grows_linearly_in_pixels",
    title="FC grows like H·W",
    feedback="Both the inputs (H·W·C_in) and the outputs (H·W·C_out) of the dense layer scale with H·W, so its weight "
    "matrix grows with (H·W)²: doubling H and W multiplies it by 16.",
    claim="Doubling H and W multiplies the dense layer's weights by 4.",
)


conceptual(
    "locally_connected_is_conv",
    title="A conv has a filter per position",
    feedback="A conv uses one bank of K×K×C_in filters at every position (weight sharing). A layer with its own "
    "filters at each position is 'locally connected' and has H_out·W_out times as many weights.",
    claim="A conv learns a separate small K×K filter for every output position, and small filters are cheap.",
)


conceptual(
    "conv_fewer_outputs",
    title="The conv has fewer outputs",
    feedback="With 'same' padding the conv and the dense layer produce the same H×W×C_out tensor; the saving comes "
    "from locality and weight sharing, not from computing fewer values.",
    claim="The conv computes fewer output values than the dense layer, so it needs fewer weights.",
)


@trap(
    "fc_forgot_bias",
    title="FC without its bias",
    feedback="A dense layer has one bias per output unit: n_in·n_out + n_out.",
)
def fc_forgot_bias(n_in: int, n_out: int) -> int:
    """``n_in·n_out`` without the ``n_out`` biases."""
    return n_in * n_out


@trap(
    "fc_outputs_as_channels",
    title="FC outputs taken as C_out",
    feedback="A dense layer that produces the whole output map has one unit per output *value*: H·W·C_out units, each "
    "wired to all H·W·C_in inputs, not just C_out units.",
)
def fc_outputs_as_channels(h: int, w: int, c_in: int, c_out: int, *, bias: bool = True) -> int:
    """A dense layer from ``H·W·C_in`` inputs to ``C_out`` units instead of ``H·W·C_out``."""
    return F.dense_params(h * w * c_in, c_out, bias=bias)
