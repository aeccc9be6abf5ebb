"""Output sizes: the floor, the + 1, padding on both sides, Keras 'same' vs 'valid', the stride, the channels."""

from __future__ import annotations

from collections.abc import Sequence

from .. import formulas as F
from .base import conceptual, trap

conceptual(
    "same_pad_extra_first",
    title="'same' puts the extra pixel first",
    feedback="TensorFlow's 'same' pads total = max((O − 1)·S + K_eff − W, 0) pixels, floor(total/2) before and the "
    "rest after: an odd extra pixel goes to the bottom/right, never the top/left.",
    claim="The odd extra row goes on top (and the extra column on the left).",
)


conceptual(
    "same_pad_symmetric",
    title="'same' always pads (K − 1)/2 per side",
    feedback="(K − 1)/2 on each side holds only for odd K at stride 1. TF computes the total it needs for ceil(W/S) "
    "outputs, max((O − 1)·S + K_eff − W, 0), and splits it floor/ceil (extra at the bottom/right): e.g. a 7×7/2 conv "
    "on 224 gets 2 + 3, not 3 + 3, which is why Keras' ResNet50 uses ZeroPadding2D(3) + 'valid' instead.",
    claim="'same' always pads (K − 1)/2 on each side, like PyTorch's padding=(K − 1)/2.",
)


@trap(
    "forgot_floor",
    title="Forgot the floor",
    feedback="A window either fits or it does not: O = floor((W − K_eff + 2P)/S) + 1 is a whole number.",
)
def output_forgot_floor(w: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> float:
    return (w - F.effective_kernel(k, d) + 2 * p) / s + 1


@trap(
    "padding_once",
    title="Padding added once",
    feedback="P pads both sides of the axis, so the padded width is W + 2P, not W + P.",
)
def output_padding_once(w: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    return (w - F.effective_kernel(k, d) + p) // s + 1


@trap(
    "same_as_valid",
    title="Mixed up same and valid",
    feedback="Keras 'valid' means P = 0, so the size shrinks by K_eff − 1 before striding; 'same' gives ceil(W/S).",
)
def output_same_as_valid(w: int, k: int, s: int, padding: str, d: int = 1) -> int:
    other = "valid" if padding == "same" else "same"
    return F.output_size(w, k, s, other, d)


@trap(
    "output_ignored_stride",
    title="Ignored the stride in the output size",
    feedback="A stride S moves the window S pixels at a time, so the positions are divided by S: "
    "O = floor((W − K_eff + 2P)/S) + 1, and Keras 'same' gives ceil(W/S), which keeps W only at S = 1.",
)
def output_ignored_stride(w: int, k: int, s: int = 1, padding: F.Padding = 0, d: int = 1) -> int:
    """The output size as if the window moved 1 pixel at a time."""
    return F.output_size(w, k, 1, padding, d)


@trap(
    "same_floor_not_ceil",
    title="'same' rounded down",
    feedback="Keras/TensorFlow 'same' gives O = ceil(W/S): a partial window at the end still yields an output, "
    "because TF pads the missing pixels (on the bottom/right).",
)
def same_floor_not_ceil(w: int, s: int) -> int:
    """Keras 'same' rounded down, ``floor(W/S)``, instead of ``ceil(W/S)``."""
    return w // s


@trap(
    "channels_from_input",
    title="Output channels taken from the input",
    feedback="A conv outputs one channel per filter: C_out, whatever C_in is. Pools (and padding) keep the channel "
    "count.",
)
def channels_from_input(out_shape: Sequence[int], c_in: int) -> list[int]:
    """The output shape with the input's channel count in place of the layer's."""
    return [*out_shape[:-1], c_in]


@trap(
    "output_forgot_plus_one",
    title="Output size without the + 1",
    feedback="Count window positions, not gaps: the first window sits at offset 0 and each further one S pixels on, so "
    "O = floor((W − K_eff + 2P)/S) + 1 (a 3×3 'valid' conv on 5 pixels has 3 outputs, not 2).",
)
def output_forgot_plus_one(w: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    """``floor((W − K_eff + 2P)/S)``: the gaps between window positions, not the positions."""
    return (w - F.effective_kernel(k, d) + 2 * p) // s


@trap(
    "padding_ignored",
    title="Forgot the padding",
    feedback="Explicit padding P widens the input to W + 2P before the window slides: O = floor((W − K_eff + 2P)/S) + "
    "1, not the 'valid' size.",
)
def padding_ignored(w: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    """The 'valid' size, as if the explicit padding ``P`` were not there."""
    return F.output_size(w, k, s, 0, d)


@trap(
    "shape_batch_axis",
    title="Batch axis typed into the shape",
    feedback="The question asks for the shape of one sample, without the batch axis. Keras prints (None, H, W, C): the "
    "None is the batch, so drop it (a leading None is accepted) instead of writing a 1 for it.",
)
def shape_with_batch_axis(shape: Sequence[int]) -> list[int]:
    """The right shape with a batch axis of 1 in front: ``(1, 13, 13, 16)`` for ``13×13×16``."""
    return [1, *shape]


@trap(
    "shape_channels_first",
    title="Channels-first order",
    feedback="Keras is channels-last: a feature map is H×W×C (a clip T×H×W×C, a signal L×C). C×H×W is PyTorch's "
    "channels-first order, not what Keras reports.",
)
def shape_channels_first(shape: Sequence[int]) -> list[int]:
    """The channel axis moved to the front: ``16×13×13`` for ``13×13×16``."""
    return [shape[-1], *shape[:-1]]


conceptual(
    "same_pad_ignores_stride",
    title="'same' padding computed as at stride 1",
    feedback="At stride S, 'same' only pads what ceil(W/S) outputs need: total = max((O − 1)·S + K_eff − W, 0), which is "
    "often less than the K_eff − 1 of a stride-1 'same' conv (and 0 when the windows already fit).",
    claim="'same' always pads K_eff − 1 pixels in total, whatever the stride.",
)
