"""Edge cases: dying ReLU, BatchNorm at inference and batch 1, gridding, degradation, GAP, separable expressiveness."""

from __future__ import annotations

from collections.abc import Sequence

from .. import formulas as F
from .base import conceptual, trap

conceptual(
    "bn_batch_stats_at_inference",
    title="BN uses batch statistics at inference",
    feedback="At inference BatchNorm must use the running (moving) mean and variance collected in training. Using the "
    "batch's own statistics is a deployment bug: predictions then depend on the other samples in the batch.",
    claim="At inference, BatchNorm normalises with the mean and variance of the current batch.",
)


conceptual(
    "bn_fine_at_batch_1",
    title="BN works at batch size 1",
    feedback="With one sample, a channel's batch variance over (N, H, W) comes from a single image (and at 1×1 "
    "spatial size it is exactly 0): training statistics are meaningless. Use GroupNorm or LayerNorm, which normalise "
    "per sample.",
    claim="BatchNorm's batch statistics are just as reliable at batch size 1.",
)


conceptual(
    "degradation_is_overfitting",
    title="Degradation is overfitting",
    feedback="Plain CNNs deeper than ~20 layers have *higher training* error: an optimisation failure, not "
    "overfitting. Residual connections fix it by making the identity easy.",
    claim="Very deep plain CNNs get worse because they overfit the training set.",
)


conceptual(
    "dying_relu_fix_sigmoid",
    title="Fix dying ReLU with sigmoid",
    feedback="Dead ReLUs output 0 for every input, so their gradient is 0 for ever. Fixes keep a gradient for "
    "negative inputs (Leaky ReLU, ELU, GELU) or avoid the dead start (Kaiming init, lower learning rate); sigmoid "
    "brings back vanishing gradients.",
    claim="Replace ReLU by sigmoid: its gradient is large for every input, so deep nets train faster.",
)


conceptual(
    "gap_keeps_layout",
    title="GAP keeps the spatial layout",
    feedback="Global average pooling collapses H×W to one number per channel: fine for classification, fatal for "
    "segmentation, which needs a prediction per pixel.",
    claim="Global average pooling keeps where each feature was, so it suits segmentation heads.",
)


conceptual(
    "gridding_fixed_by_same_rate",
    title="Gridding fixed by repeating one rate",
    feedback="Stacking the same large dilation samples the input on a sparse grid (holes). Mixing rates with no "
    "common factor, as in HDC (1, 2, 5), covers every pixel.",
    claim="Repeating the same large dilation rate fills the holes of the previous layer.",
)


conceptual(
    "separable_more_expressive",
    title="Separable is as expressive as standard",
    feedback="Depthwise-separable convs factor the kernel into spatial × channel parts, a low-rank restriction: "
    "cheaper, but less expressive than a standard conv of the same width.",
    claim="A depthwise-separable conv can represent every standard conv of the same width.",
)


conceptual(
    "dying_relu_raise_lr",
    title="Fix dying ReLU with a larger learning rate",
    feedback="A dead unit's gradient is exactly 0, so no learning rate moves its weights; large steps are what push "
    "units into the dead zone in the first place. Lower the learning rate and use Leaky ReLU / ELU / GELU.",
    claim="Raise the learning rate, so that the dead units are pushed back into the active range.",
)


conceptual(
    "dying_relu_dropout",
    title="Fix dying ReLU with dropout",
    feedback="Dropout only zeroes activations at random; a unit that outputs 0 for every input still receives 0 "
    "gradient with or without it.",
    claim="Add dropout before the ReLU layers: it re-activates units that have died.",
)


conceptual(
    "gridding_common_factor",
    title="Rates with a common factor cover everything",
    feedback="Rates that share a factor g > 1 (e.g. 2, 4, 8) reach only every g-th pixel, however many layers are "
    "stacked. Hybrid dilated convolution (HDC) picks rates with no common factor, starting at 1, e.g. 1, 2, 5.",
    claim="Growing the rates (e.g. 2, 4, 8) removes the holes, because each layer fills the previous layer's gaps.",
)


conceptual(
    "degradation_fix_regularise",
    title="Fix degradation with regularisation",
    feedback="The deeper plain net already has the *higher training* error; dropout and weight decay make fitting the "
    "training set harder still. The fix is architectural: residual connections.",
    claim="Add dropout and weight decay to the deeper network.",
)


conceptual(
    "degradation_less_capacity",
    title="The deeper net has less capacity",
    feedback="The deeper net can represent everything the shallower one can (its extra layers could be the identity), "
    "so its capacity is larger; its solver simply fails to find that solution.",
    claim="The deeper network has less capacity than the shallower one, so it cannot fit the training data as well.",
)


conceptual(
    "separable_more_params",
    title="Separable has more parameters",
    feedback="A depthwise-separable conv has K²·C_in + C_in·C_out weights against K²·C_in·C_out for the standard "
    "conv: far fewer, and the saving is exactly its restriction (one spatial pattern per input channel).",
    claim="It is more expressive, because the two steps together have more parameters than a standard conv.",
)


@trap(
    "bn_var_not_sqrt",
    title="BN divided by the variance",
    feedback="BatchNorm divides by the standard deviation √(σ² + ε), not by the variance σ² + ε.",
)
def bn_var_not_sqrt(
    x: float, mean: float, var: float, gamma: float = 1.0, beta: float = 0.0, eps: float = 1e-3
) -> float:
    """``γ·(x − μ)/(σ² + ε) + β``: divided by the variance, not the standard deviation."""
    return gamma * (x - mean) / (var + eps) + beta


@trap(
    "bn_forgot_gamma_beta",
    title="BN without γ and β",
    feedback="After normalising, BatchNorm scales and shifts: y = γ·(x − μ)/√(σ² + ε) + β.",
)
def bn_forgot_gamma_beta(
    x: float, mean: float, var: float, gamma: float = 1.0, beta: float = 0.0, eps: float = 1e-3
) -> float:
    """``(x − μ)/√(σ² + ε)``: normalised, but not scaled by γ and shifted by β."""
    return F.bn_inference(x, mean, var, 1.0, 0.0, eps)


@trap(
    "bn_forgot_eps",
    title="BN without ε",
    feedback="ε is inside the square root: √(σ² + ε). With a small moving variance (here comparable to ε) leaving it "
    "out changes the output noticeably.",
)
def bn_forgot_eps(x: float, mean: float, var: float, gamma: float = 1.0, beta: float = 0.0, eps: float = 1e-3) -> float:
    """``γ·(x − μ)/√σ² + β``: ε left out of the square root."""
    return F.bn_inference(x, mean, var, gamma, beta, 0.0)


@trap(
    "gridding_holes_one_layer",
    title="Holes of one layer only",
    feedback="Stacking does not fill the gaps when all rates share a factor g > 1: the reachable pixels are the sums "
    "Σ d_l·t_l, all multiples of g, so every pixel of the whole receptive field that is not a multiple of g is a hole.",
)
def gridding_holes_one_layer(rates: Sequence[int], k: int) -> int:
    """The holes between the taps of the last layer alone, ``(K − 1)·(d_last − 1)``."""
    return (k - 1) * (rates[-1] - 1)


conceptual(
    "global_max_keeps_position",
    title="Global max pooling keeps the position",
    feedback="Global max pooling keeps each channel's largest value, not where it was: like global average pooling it "
    "gives the same vector for any rearrangement of the positions, so the layout is lost.",
    claim="Global max pooling remembers where each maximum was, so it keeps the layout.",
)
