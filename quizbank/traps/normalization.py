"""Normalisation layers: BatchNorm's 2C/4C, the axes of each norm, LayerNorm/GroupNorm parameters, inference."""

from __future__ import annotations

from .base import conceptual, trap

conceptual(
    "bn_all_axes",
    title="BatchNorm normalises across all axes / per position",
    feedback="In a CNN, BatchNorm normalises each channel over (N, H, W): one mean and variance per channel, and one "
    "γ, β per channel, shared over all positions.",
    claim="BatchNorm learns a separate γ and β for every spatial position.",
)


conceptual(
    "bn_per_sample",
    title="BatchNorm normalises per sample",
    feedback="BatchNorm pools its statistics over the batch: per channel over (N, H, W). Normalising each sample on "
    "its own is what LayerNorm, GroupNorm and InstanceNorm do.",
    claim="BatchNorm normalises each sample on its own, over (H, W, C).",
)


conceptual(
    "keras_ln_default_hwc",
    title="Keras' LayerNormalization() normalises over H, W, C",
    feedback="Keras' LayerNormalization defaults to axis=-1: each sample *and position* is normalised over its C "
    "channels only. Pass axis=[1, 2, 3] for the textbook per-sample (H, W, C) LayerNorm.",
    claim="Keras' `LayerNormalization()` normalises each sample over H, W and C together.",
)


conceptual(
    "norm_over_batch",
    title="Per-sample norms use the batch",
    feedback="Only BatchNorm averages over the batch axis N. LayerNorm, GroupNorm and InstanceNorm compute their mean "
    "and variance inside one sample, so they work the same at any batch size.",
    claim="It averages over the batch axis N, like BatchNorm.",
)


conceptual(
    "groupnorm_needs_batch",
    title="GroupNorm needs a batch",
    feedback="GroupNorm computes mean and variance per sample over (H, W) and a group of channels: a sample's output "
    "is the same alone or in a batch, which is why it replaces BatchNorm at batch size 1.",
    claim="GroupNorm breaks at batch size 1 too, because it also needs batch statistics.",
)


conceptual(
    "norm_axes_confused",
    title="Normalisation axes mixed up",
    feedback="For an (N, H, W, C) tensor: BatchNorm averages over (N, H, W), per channel; textbook LayerNorm over (H, "
    "W, C), per sample (Keras' default axis=-1: over C only, per sample and position); InstanceNorm over (H, W), per "
    "sample and channel; GroupNorm over (H, W) and the channels of one group, per sample.",
    claim="It normalises over a different set of axes.",
)


conceptual(
    "bn_inference_identity",
    title="BN is switched off at inference",
    feedback="At inference BatchNorm still normalises and rescales: (x − moving mean)/√(moving var + ε)·γ + β, a "
    "fixed affine map per channel (often folded into the previous conv).",
    claim="BatchNorm is switched off at inference and passes its input through unchanged.",
)


@trap(
    "bn_count_as_2c",
    title="BN counted as 2C in Keras",
    feedback="Keras' count_params() also counts the moving mean and variance (non-trainable): 4C in all, 2C of them "
    "trainable.",
)
def bn_count_as_2c(c: int) -> int:
    return 2 * c


@trap(
    "bn_trainable_as_4c",
    title="BN trainable counted as 4C",
    feedback="Only γ and β are trained (2C); the moving mean and variance are statistics, updated but not trained.",
)
def bn_trainable_as_4c(c: int) -> int:
    return 4 * c


@trap(
    "ln_has_moving_stats",
    title="LayerNorm/GroupNorm counted like BatchNorm",
    feedback="LayerNorm and GroupNorm normalise each sample with its own statistics, in training and at inference, so "
    "they keep no moving mean/variance: only γ and β (2C).",
)
def ln_has_moving_stats(n_affine: int) -> int:
    """``4·n``, as if LayerNorm/GroupNorm kept moving statistics beside its ``n`` γ and ``n`` β."""
    return 4 * n_affine


@trap(
    "gn_params_per_group",
    title="GroupNorm's γ, β per group",
    feedback="Groups only decide which channels share a mean and variance; γ and β are still per channel: 2C.",
)
def gn_params_per_group(c: int, groups: int) -> int:
    """``2·G``: a γ and a β per group instead of per channel."""
    return 2 * groups


@trap(
    "ln_axes_params_2c",
    title="LayerNorm over (H, W, C) still 2C",
    feedback="Keras' LayerNormalization learns γ and β with the shape of the normalised axes: with axis=[1, 2, 3] "
    "that is H×W×C each, 2·H·W·C in all (2C only for the default axis=-1).",
)
def ln_axes_params_2c(h: int, w: int, c: int) -> int:
    """``2C`` for ``LayerNormalization(axis=[1, 2, 3])``, whose γ and β have the shape ``(H, W, C)``."""
    return 2 * c


@trap(
    "forgot_bn_params",
    title="Forgot the BatchNorm layers",
    feedback="Each BatchNorm after a conv adds γ and β per channel (2C trainable), plus moving mean and variance in "
    "Keras' count_params() (4C in all).",
)
def forgot_bn_params(total: int, bn_params: int) -> int:
    """The model's count without its BatchNorm weights."""
    return total - bn_params
