"""Receptive fields: overlapping windows, the jump after strides, the centre pixel, branching graphs."""

from __future__ import annotations

from collections.abc import Sequence

from .. import formulas as F
from .base import trap


@trap(
    "rf_l_times_k",
    title="RF computed as L·K",
    feedback="Adjacent layers overlap: each K×K conv adds K − 1, so L stacked convs have RF 1 + L·(K − 1).",
)
def rf_l_times_k(layers: Sequence[F.RFLayer]) -> int:
    return sum(layer.k for layer in layers)


@trap(
    "rf_ignored_stride",
    title="Ignored the stride in the RF",
    feedback="After a stride-S layer each step of the next layer moves S input pixels: r_l = r_{l−1} + (K_l − "
    "1)·d_l·j_{l−1} with the jump j = product of earlier strides.",
)
def rf_ignored_stride(layers: Sequence[F.RFLayer]) -> int:
    return 1 + sum((layer.k - 1) * layer.d for layer in layers)


@trap(
    "rf_forgot_one",
    title="RF without the centre pixel",
    feedback="Each K×K layer adds K − 1 pixels to a window that starts as the output pixel itself: RF = 1 + Σ (K_l − "
    "1)·d_l·j_{l−1}. Without the leading 1 a single 3×3 would see only 2 pixels.",
)
def rf_forgot_one(layers: Sequence[F.RFLayer]) -> int:
    """``Σ (K_l − 1)·d_l·j_{l−1}`` without the leading 1 of the output pixel itself."""
    return F.receptive_field(layers)[0] - 1


@trap(
    "rf_one_layer_short",
    title="RF counted one layer short",
    feedback="Fencepost slip: every one of the L layers adds K − 1, the first included: RF = 1 + L·(K − 1) (five 3×3 "
    "→ 11, not 9).",
)
def rf_one_layer_short(layers: Sequence[F.RFLayer]) -> int:
    """The RF of the stack counted from its second layer: one ``K − 1`` short."""
    return F.receptive_field(layers[1:])[0]


@trap(
    "rf_branches_summed",
    title="Parallel branches' RFs added",
    feedback="Parallel branches see the same input side by side, so they do not compound: the RF of a merge "
    "(Concatenate or Add) is the max over the paths through it, not the sum of the branches' growths.",
)
def rf_branches_summed(paths: Sequence[Sequence[F.RFLayer]]) -> int:
    """Parallel paths merged: their growths added, ``1 + Σ (RF(path) − 1)``, where :func:`formulas.rf_branches` takes
    the max over the paths."""
    return 1 + sum(F.receptive_field(p)[0] - 1 for p in paths)


@trap(
    "rf_shortest_path",
    title="RF taken along the shortest path",
    feedback="An output depends on every pixel any path reaches; the RF of a branching graph is the max over paths. "
    "A 1×1 branch or an identity skip does not shrink what the longest branch sees.",
)
def rf_shortest_path(paths: Sequence[Sequence[F.RFLayer]]) -> int:
    """Parallel paths merged: the RF taken along the path that sees least, instead of the max over the paths."""
    return min(F.receptive_field(p)[0] for p in paths)
