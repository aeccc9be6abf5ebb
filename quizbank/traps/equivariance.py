"""Equivariance and invariance: shifts through strided stacks, and what rotations do to a CNN."""

from __future__ import annotations

import math
from collections.abc import Sequence

from .base import conceptual, trap

conceptual(
    "cnn_rotation_equivariant",
    title="CNNs are rotation-equivariant",
    feedback="Convolution is equivariant to translation only. Learned kernels are not rotation-symmetric, so rotating "
    "the input does not rotate the feature maps; use augmentation or group-equivariant CNNs.",
    claim="Rotating the input rotates the feature maps by the same angle.",
)


conceptual(
    "equivariance_is_invariance",
    title="Equivariance = invariance",
    feedback="Equivariance: f(Tx) = T f(x), the output moves with the input (conv feature maps). Invariance: f(Tx) = "
    "f(x), the output does not change (after global pooling + FC).",
    claim="Equivariance and invariance mean the same thing: the output does not change.",
)


conceptual(
    "shift_scrambles_features",
    title="A shift scrambles the feature maps",
    feedback="The same filters are applied at every position (weight sharing), so a shifted input produces the same "
    "responses, shifted: f(Tx) = T f(x). Nothing is scrambled.",
    claim="The feature maps change unpredictably, because each position is processed differently.",
)


conceptual(
    "strided_shift_equivariant",
    title="Strided nets are equivariant to every shift",
    feedback="With total stride S the output grid moves in steps of S input pixels: a shift by a multiple of S moves "
    "the maps by s/S positions, but any other shift changes the values (aliasing) and gives no exact shifted copy.",
    claim="A network with stride-2 layers gives an exactly shifted output for every input shift, even a 1-pixel one.",
)


conceptual(
    "pooling_rotation_invariant",
    title="Pooling gives rotation invariance",
    feedback="Pooling adds robustness to small *shifts* inside its window; it does nothing for rotations. Rotation "
    "robustness comes from augmentation or group-equivariant convolutions.",
    claim="Max pooling makes a CNN invariant to rotations of the input.",
)


conceptual(
    "rotation_fix_gap",
    title="GAP makes a CNN rotation-invariant",
    feedback="Global average pooling removes *where* a feature is (translation invariance). A rotated input gives "
    "different feature values (the kernels are not rotation-symmetric), so the pooled vector changes too.",
    claim="Add global average pooling: it makes the network invariant to rotations.",
)


@trap(
    "feature_shift_ignores_stride",
    title="Map shift not divided by the stride",
    feedback="Each output position of a strided stack covers S input pixels (S = product of the strides), so an input "
    "shift of s pixels moves the feature map by s/S positions, not s.",
)
def feature_shift_ignores_stride(shift: int, strides: Sequence[int]) -> int:
    """The input's shift, as if the map moved pixel for pixel."""
    return shift


@trap(
    "feature_shift_times_stride",
    title="Map shift multiplied by the stride",
    feedback="Striding shrinks the map: one output step spans S input pixels, so the map moves by s/S positions, "
    "fewer than the input's s, never S·s.",
)
def feature_shift_times_stride(shift: int, strides: Sequence[int]) -> int:
    """The shift multiplied by the total stride instead of divided by it."""
    return shift * math.prod(strides)


@trap(
    "feature_shift_one_stride",
    title="Only one stride divided",
    feedback="Every strided layer (conv or pool) coarsens the grid again: the map moves by s/(S_1·S_2·…), the product "
    "of all the strides up to that layer.",
)
def feature_shift_one_stride(shift: int, strides: Sequence[int]) -> int:
    """The shift divided by the first stride > 1 only, not by the product of all of them."""
    return shift // next((s for s in strides if s > 1), 1)


conceptual(
    "weight_sharing_rotation",
    title="Weight sharing handles rotations",
    feedback="Weight sharing applies the same filters at every *position*: it makes convs follow translations. A "
    "rotated input meets the same, unrotated kernels, so the maps are neither unchanged nor rotated copies.",
    claim="Because the weights are shared, a rotated input gives the same feature maps.",
)
