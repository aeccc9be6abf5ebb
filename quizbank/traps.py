"""Named mistakes (section 7 of ``shared/concepts.md``).

Each trap has an id, a short title, the feedback a student who fell into it
should read, and, for conceptual traps, the wrong *claim* as it appears among
the options.  Numeric traps also have functions that compute the
wrong-but-plausible value from the same parameters as the right formula.  The
grader reuses these ids, so the same misconception is tracked across quizzes
and submitted code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from . import formulas as F


@dataclass(frozen=True)
class Trap:
    id: str
    title: str
    kind: Literal["conceptual", "numeric"]
    feedback: str
    claim: str = ""


TRAPS: dict[str, Trap] = {}


def _t(id: str, title: str, kind: Literal["conceptual", "numeric"], feedback: str, claim: str = "") -> Trap:
    if id in TRAPS:
        raise ValueError(f"trap {id!r} is declared twice")
    trap = Trap(id, title, kind, feedback, claim)
    TRAPS[id] = trap
    return trap


def get(trap_id: str) -> Trap:
    try:
        return TRAPS[trap_id]
    except KeyError:
        raise KeyError(f"unknown trap {trap_id!r}") from None


# ------------------------------------------------------- the 10 conceptual traps

_t(
    "conv_params_depend_on_hw",
    "Conv params depend on H×W",
    "conceptual",
    "A conv layer slides the *same* filters over every position (weight sharing), so its parameters depend on "
    "K, C_in and C_out only, never on the input's height and width.",
    "The number of weights grows with the input's height and width.",
)
_t(
    "pooling_has_params",
    "Pooling has parameters",
    "conceptual",
    "Max, average and global pooling compute a fixed function of each window: they have 0 parameters. "
    "They cut activations and FLOPs, not weights.",
    "A pooling layer learns a weight per window position.",
)
_t(
    "bn_all_axes",
    "BatchNorm normalises across all axes / per position",
    "conceptual",
    "In a CNN, BatchNorm normalises each channel over (N, H, W): one mean and variance per channel, and one γ, β "
    "per channel, shared over all positions.",
    "BatchNorm learns a separate γ and β for every spatial position.",
)
_t(
    "inception_1x1_after",
    "Inception's 1×1 sits after the 3×3/5×5",
    "conceptual",
    "Inception puts the 1×1 bottleneck *before* the expensive 3×3/5×5 so those run on fewer channels; "
    "after them it would save nothing on the expensive conv.",
    "The 1×1 convolutions come after the 3×3 and 5×5 convolutions, to shrink their outputs.",
)
_t(
    "resnet_output_fx",
    "ResNet's output is F(x)",
    "conceptual",
    "A residual block outputs y = F(x) + x. F is the *residual*; the skip adds x back, which gives ∂y/∂x = ∂F/∂x + I.",
    "A residual block outputs y = F(x), where F is learned to approximate the target mapping.",
)
_t(
    "separable_is_depthwise_plus_3x3",
    "Depthwise-separable = depthwise + 3×3",
    "conceptual",
    "A depthwise-separable conv is a depthwise K×K (one filter per channel) followed by a *pointwise 1×1* that mixes "
    "channels. A second 3×3 would bring back the cost it removes.",
    "A depthwise convolution followed by a regular 3×3 convolution.",
)
_t(
    "cnn_rotation_equivariant",
    "CNNs are rotation-equivariant",
    "conceptual",
    "Convolution is equivariant to translation only. Learned kernels are not rotation-symmetric, so rotating the "
    "input does not rotate the feature maps; use augmentation or group-equivariant CNNs.",
    "Rotating the input rotates the feature maps by the same angle.",
)
_t(
    "equivariance_is_invariance",
    "Equivariance = invariance",
    "conceptual",
    "Equivariance: f(Tx) = T f(x), the output moves with the input (conv feature maps). Invariance: f(Tx) = f(x), "
    "the output does not change (after global pooling + FC).",
    "Equivariance and invariance mean the same thing: the output does not change.",
)
_t(
    "i3d_from_scratch",
    "I3D trains 3D convs from scratch",
    "conceptual",
    "Training 3D convs from scratch is C3D. I3D *inflates* pretrained 2D ImageNet filters to 3D: repeat them T times "
    "along time and divide by T.",
    "I3D trains its 3D convolutions from scratch on video.",
)
_t(
    "mobilenet_v1_inverted_residual",
    "MobileNet-v1 uses inverted residuals",
    "conceptual",
    "MobileNet-v1 is a plain stack of depthwise-separable convs. Inverted residuals with linear bottlenecks arrive in v2.",
    "MobileNet-v1 is built from inverted residual blocks with linear bottlenecks.",
)

# further named conceptual mistakes, used as distractors where the ten are too few
_t(
    "conv_is_convolution_forward",
    "Forward conv flips the kernel",
    "conceptual",
    "The forward 'conv' of deep learning is a cross-correlation (no flip). The backward pass to the input is the one "
    "that uses the 180°-flipped kernel, i.e. a true convolution.",
    "The backward pass uses the kernel exactly as in the forward pass, unflipped.",
)
_t(
    "maxpool_grad_spread",
    "Max-pool spreads the gradient",
    "conceptual",
    "Max-pool's backward sends the whole upstream gradient to the argmax of each window and 0 elsewhere; "
    "it is average pooling that spreads 1/K² to each input.",
    "Max-pool spreads the upstream gradient equally over its window.",
)
_t(
    "relu_grad_passes_all",
    "ReLU passes every gradient",
    "conceptual",
    "ReLU's backward is a gate: the gradient passes where the forward input was > 0 and is 0 elsewhere.",
    "ReLU's gradient is 1 everywhere, so the upstream gradient always passes through.",
)
_t(
    "bn_batch_stats_at_inference",
    "BN uses batch statistics at inference",
    "conceptual",
    "At inference BatchNorm must use the running (moving) mean and variance collected in training. Using the batch's "
    "own statistics is a deployment bug: predictions then depend on the other samples in the batch.",
    "At inference, BatchNorm normalises with the mean and variance of the current batch.",
)
_t(
    "bn_fine_at_batch_1",
    "BN works at batch size 1",
    "conceptual",
    "With one sample, a channel's batch variance over (N, H, W) comes from a single image (and at 1×1 spatial size it is "
    "exactly 0): training statistics are meaningless. Use GroupNorm or LayerNorm, which normalise per sample.",
    "BatchNorm's batch statistics are just as reliable at batch size 1.",
)
_t(
    "degradation_is_overfitting",
    "Degradation is overfitting",
    "conceptual",
    "Plain CNNs deeper than ~20 layers have *higher training* error: an optimisation failure, not overfitting. "
    "Residual connections fix it by making the identity easy.",
    "Very deep plain CNNs get worse because they overfit the training set.",
)
_t(
    "dying_relu_fix_sigmoid",
    "Fix dying ReLU with sigmoid",
    "conceptual",
    "Dead ReLUs output 0 for every input, so their gradient is 0 for ever. Fixes keep a gradient for negative inputs "
    "(Leaky ReLU, ELU, GELU) or avoid the dead start (Kaiming init, lower learning rate); sigmoid brings back vanishing "
    "gradients.",
    "Replace ReLU by sigmoid so that no unit can die.",
)
_t(
    "gap_keeps_layout",
    "GAP keeps the spatial layout",
    "conceptual",
    "Global average pooling collapses H×W to one number per channel: fine for classification, fatal for segmentation, "
    "which needs a prediction per pixel.",
    "Global average pooling keeps where each feature was, so it suits segmentation heads.",
)
_t(
    "gridding_fixed_by_same_rate",
    "Gridding fixed by repeating one rate",
    "conceptual",
    "Stacking the same large dilation samples the input on a sparse grid (holes). Mixing rates with no common factor, "
    "as in HDC (1, 2, 5), covers every pixel.",
    "Repeating the same large dilation rate fills the holes of the previous layer.",
)
_t(
    "resnet_concatenates",
    "Residual skips concatenate",
    "conceptual",
    "ResNet *adds* the skip (channels unchanged); DenseNet *concatenates* earlier outputs (channels grow by k per layer).",
    "A residual block concatenates x with F(x) along the channels.",
)
_t(
    "one_by_one_spatial",
    "1×1 convs mix space",
    "conceptual",
    "A 1×1 conv looks at one pixel: it mixes channels but never neighbouring positions and leaves the RF unchanged.",
    "A 1×1 convolution enlarges the receptive field.",
)
_t(
    "separable_more_expressive",
    "Separable is as expressive as standard",
    "conceptual",
    "Depthwise-separable convs factor the kernel into spatial × channel parts, a low-rank restriction: cheaper, but "
    "less expressive than a standard conv of the same width.",
    "A depthwise-separable conv can represent every standard conv of the same width.",
)
_t(
    "slowfast_fast_is_wide",
    "The fast pathway is the wide one",
    "conceptual",
    "SlowFast's fast pathway runs at a high frame rate with few channels (β≈1/8) to capture motion; the slow pathway has "
    "few frames and many channels for semantics.",
    "The fast pathway has the most channels, since it sees the most frames.",
)
_t(
    "wavenet_not_causal",
    "WaveNet convs see the future",
    "conceptual",
    "WaveNet's convs are causal: output t depends only on inputs ≤ t (the padding is all on the left), so audio can be "
    "generated sample by sample.",
    "WaveNet's dilated convolutions are centred, so each output also sees future samples.",
)
_t(
    "single_large_kernel",
    "One large kernel beats stacked 3×3s",
    "conceptual",
    "Two stacked 3×3 convs see a 5×5 window (three see 7×7) with fewer weights (2·9·C² vs 25·C²) and an extra "
    "nonlinearity in between: VGG replaced large kernels by stacks of 3×3.",
    "A single 5×5 conv is cheaper than two stacked 3×3 convs with the same receptive field.",
)
_t(
    "se_gate_not_sigmoid",
    "SE gate without the sigmoid",
    "conceptual",
    "Squeeze-and-excitation rescales each channel by a gate in (0, 1): GAP → FC(C/r) → ReLU → FC(C) → *sigmoid* → "
    "multiply. Without the sigmoid (or with a ReLU/softmax there) the gate is unbounded or couples the channels.",
    "The excitation's last FC layer uses a ReLU (or no activation) before rescaling the channels.",
)
_t(
    "linear_bottleneck_relu",
    "ReLU on MobileNet-v2's bottleneck",
    "conceptual",
    "MobileNet-v2's projection 1×1 is *linear*: a ReLU on the narrow bottleneck destroys information, so the block "
    "ends expand 1×1 → depthwise 3×3 → linear 1×1, then adds the skip.",
    "Every convolution in an inverted residual block, the projection 1×1 included, is followed by a ReLU6.",
)

# ------------------------------------------------------------- numeric slips

_t(
    "forgot_bias",
    "Forgot the bias",
    "numeric",
    "Each filter has one bias, so add C_out (the +1 in (K·K·C_in + 1)·C_out).",
)
_t(
    "bias_per_input_channel",
    "A bias per input channel",
    "numeric",
    "There is one bias per *output* channel (per filter), not one per input channel of every filter.",
)
_t(
    "conv_times_hw",
    "Multiplied by H×W",
    "numeric",
    "Weights are shared over positions: H and W do not enter a conv's parameter count (they enter its MACs).",
)
_t(
    "forgot_floor",
    "Forgot the floor",
    "numeric",
    "A window either fits or it does not: O = floor((W − K_eff + 2P)/S) + 1 is a whole number.",
)
_t(
    "padding_once",
    "Padding added once",
    "numeric",
    "P pads both sides of the axis, so the padded width is W + 2P, not W + P.",
)
_t(
    "same_as_valid",
    "Mixed up same and valid",
    "numeric",
    "Keras 'valid' means P = 0, so the size shrinks by K_eff − 1 before striding; 'same' gives ceil(W/S).",
)
_t(
    "ignored_dilation",
    "Ignored the dilation",
    "numeric",
    "A dilated kernel spans K_eff = d·(K − 1) + 1 pixels, so it shrinks the map and grows the RF as a K_eff kernel would.",
)
_t(
    "dilation_as_k_times_d",
    "Dilation taken as K·d",
    "numeric",
    "Dilation inserts d − 1 gaps *between* taps: K_eff = K + (K − 1)(d − 1), not K·d.",
)
_t(
    "rf_l_times_k",
    "RF computed as L·K",
    "numeric",
    "Adjacent layers overlap: each K×K conv adds K − 1, so L stacked convs have RF 1 + L·(K − 1).",
)
_t(
    "rf_ignored_stride",
    "Ignored the stride in the RF",
    "numeric",
    "After a stride-S layer each step of the next layer moves S input pixels: r_l = r_{l−1} + (K_l − 1)·d_l·j_{l−1} with the "
    "jump j = product of earlier strides.",
)
_t(
    "bn_count_as_2c",
    "BN counted as 2C in Keras",
    "numeric",
    "Keras' count_params() also counts the moving mean and variance (non-trainable): 4C in all, 2C of them trainable.",
)
_t(
    "bn_trainable_as_4c",
    "BN trainable counted as 4C",
    "numeric",
    "Only γ and β are trained (2C); the moving mean and variance are statistics, updated but not trained.",
)
_t(
    "densenet_added",
    "DenseNet channels added, not concatenated",
    "numeric",
    "A dense block concatenates: every layer adds k channels, so after L layers C0 + L·k.",
)
_t(
    "vit_forgot_cls",
    "Forgot the CLS token",
    "numeric",
    "ViT prepends one learnable CLS token to the (H/P)² patch tokens: 196 + 1 = 197 at 224 with P = 16.",
)
_t(
    "i3d_without_t",
    "I3D inflated without /T",
    "numeric",
    "Repeating a 2D filter T times along time sums T equal responses on a boring video; dividing by T restores the 2D "
    "activation.",
)
_t(
    "compound_scaling_abg",
    "Compound-scaling FLOPs as α·β·γ",
    "numeric",
    "FLOPs grow linearly with depth but quadratically with width and resolution: (α·β²·γ²)^φ ≈ 2^φ.",
)
_t(
    "separable_as_full",
    "Separable params as K²·C_in·C_out",
    "numeric",
    "K²·C_in·C_out is the *standard* conv. Separable splits it: K²·C_in (depthwise) + C_in·C_out (pointwise).",
)
_t(
    "separable_forgot_pointwise",
    "Forgot the pointwise 1×1",
    "numeric",
    "A depthwise-separable conv is depthwise *and* pointwise; the pointwise 1×1 (C_in·C_out) is most of its weights.",
)
_t(
    "pool_counted_as_conv",
    "Pool counted like a conv",
    "numeric",
    "A pool has no filters and no bias: 0 parameters, whatever its window.",
)
_t(
    "avgpool_grad_1_over_k",
    "Average-pool gradient as 1/K",
    "numeric",
    "A K×K window averages K² inputs, so each receives 1/K² of the upstream gradient.",
)
_t(
    "one_by_one_after",
    "1×1 placed after the 3×3",
    "numeric",
    "The bottleneck only saves if the 1×1 reduction comes *before* the expensive K×K conv, so the K×K runs on the "
    "reduced width.",
)
_t(
    "fc_forgot_bias",
    "FC without its bias",
    "numeric",
    "A dense layer has one bias per output unit: n_in·n_out + n_out.",
)
_t(
    "macs_as_flops",
    "MACs doubled into FLOPs",
    "numeric",
    "One multiply-accumulate is one MAC; FLOPs ≈ 2·MACs. Tables quoting 'GFLOPs' (torchvision, papers) usually mean MACs.",
)
_t(
    "percent_of_instead_of_fewer",
    "Percent of instead of percent fewer",
    "numeric",
    "'How many percent fewer' is (old − new)/old, not new/old.",
)
_t(
    "ratio_inverted",
    "Ratio inverted",
    "numeric",
    "Check which count is divided by which: the question asks how many times *fewer*, a number above 1.",
)
_t(
    "wavenet_rf_dilation_sum",
    "WaveNet RF as Σd",
    "numeric",
    "Each causal K-tap layer adds (K − 1)·d, and the output sample itself counts: RF = 1 + Σ d·(K − 1).",
)
_t(
    "c3d_factor_k_squared",
    "3D cost factor as K_t²",
    "numeric",
    "A K_t×K×K kernel has K_t times the weights of a K×K one, so params and FLOPs grow by K_t, not K_t².",
)


# ---------------------------------------------- numeric traps as functions


def conv_forgot_bias(k: int, c_in: int, c_out: int, **kw: int) -> int:
    return F.conv_params(k, c_in, c_out, bias=False, **kw)


def conv_bias_per_input_channel(k: int, c_in: int, c_out: int, **kw: int) -> int:
    return F.conv_params(k, c_in, c_out, bias=False, **kw) + c_in * c_out


def conv_times_hw(k: int, c_in: int, c_out: int, h: int, w: int, **kw: int) -> int:
    return F.conv_params(k, c_in, c_out, **kw) * h * w


def output_forgot_floor(w: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> float:
    return (w - F.effective_kernel(k, d) + 2 * p) / s + 1


def output_padding_once(w: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    return (w - F.effective_kernel(k, d) + p) // s + 1


def output_same_as_valid(w: int, k: int, s: int, padding: str, d: int = 1) -> int:
    other = "valid" if padding == "same" else "same"
    return F.output_size(w, k, s, other, d)


def output_ignored_dilation(w: int, k: int, s: int = 1, padding: F.Padding = 0, d: int = 1) -> int:
    return F.output_size(w, k, s, padding, 1)


def output_dilation_as_kd(w: int, k: int, s: int = 1, padding: F.Padding = 0, d: int = 1) -> int:
    return F.output_size(w, k * d, s, padding, 1)


def effective_kernel_as_kd(k: int, d: int) -> int:
    return k * d


def rf_l_times_k(layers: Sequence[F.RFLayer]) -> int:
    return sum(layer.k for layer in layers)


def rf_ignored_stride(layers: Sequence[F.RFLayer]) -> int:
    return 1 + sum((layer.k - 1) * layer.d for layer in layers)


def rf_dilation_as_kd(layers: Sequence[F.RFLayer]) -> int:
    return F.receptive_field(
        [F.RFLayer(layer.k * layer.d if layer.d > 1 else layer.k, layer.s, 1) for layer in layers]
    )[0]


def bn_count_as_2c(c: int) -> int:
    return 2 * c


def bn_trainable_as_4c(c: int) -> int:
    return 4 * c


def densenet_added(c0: int, n_layers: int, growth: int) -> int:
    return c0 + growth


def vit_forgot_cls(image: int, patch: int) -> int:
    return F.vit_tokens(image, patch, cls=False)


def i3d_without_t(t: int) -> float:
    return F.i3d_boring_factor(t, divide=False)


def compound_scaling_abg(phi: float, alpha: float = 1.2, beta: float = 1.1, gamma: float = 1.15) -> float:
    return (alpha * beta * gamma) ** phi


def separable_as_full(k: int, c_in: int, c_out: int) -> int:
    return k * k * c_in * c_out


def separable_forgot_pointwise(k: int, c_in: int, c_out: int) -> int:
    return k * k * c_in


def pool_counted_as_conv(k: int, c: int) -> int:
    return F.conv_params(k, c, c)


def avgpool_grad_1_over_k(k: int) -> float:
    return 1.0 / k


def wavenet_rf_dilation_sum(dilations: Sequence[int], stacks: int = 1) -> int:
    return stacks * sum(dilations)


def c3d_factor_k_squared(k_t: int) -> int:
    return k_t * k_t


# ------------------------------------- fc vs conv, 1×1, stacked kernels, depthwise-separable

_t(
    "fc_outputs_as_channels",
    "FC outputs taken as C_out",
    "numeric",
    "A dense layer that produces the whole output map has one unit per output *value*: H·W·C_out units, each wired "
    "to all H·W·C_in inputs, not just C_out units.",
)
_t(
    "fc_grows_linearly_in_pixels",
    "FC grows like H·W",
    "conceptual",
    "Both the inputs (H·W·C_in) and the outputs (H·W·C_out) of the dense layer scale with H·W, so its weight matrix "
    "grows with (H·W)²: doubling H and W multiplies it by 16.",
    "Doubling H and W multiplies the dense layer's weights by 4.",
)
_t(
    "locally_connected_is_conv",
    "A conv has a filter per position",
    "conceptual",
    "A conv uses one bank of K×K×C_in filters at every position (weight sharing). A layer with its own filters at each "
    "position is 'locally connected' and has H_out·W_out times as many weights.",
    "A conv learns a separate small K×K filter for every output position, and small filters are cheap.",
)
_t(
    "conv_fewer_outputs",
    "The conv has fewer outputs",
    "conceptual",
    "With 'same' padding the conv and the dense layer produce the same H×W×C_out tensor; the saving comes from "
    "locality and weight sharing, not from computing fewer values.",
    "The conv computes fewer output values than the dense layer, so it needs fewer weights.",
)
_t(
    "one_by_one_no_mixing",
    "1×1 convs do not mix channels",
    "conceptual",
    "Each 1×1 filter has C_in weights: a weighted sum over all input channels at one pixel (a per-pixel dense layer). "
    "It mixes channels; it is a depthwise conv that keeps channels apart.",
    "A 1×1 convolution only rescales each channel on its own, so it cannot mix channels.",
)
_t(
    "one_by_one_downsamples",
    "1×1 convs shrink H×W",
    "conceptual",
    "At stride 1 a 1×1 conv keeps H×W exactly (no padding needed); it changes only the number of channels.",
    "A 1×1 convolution halves the height and width of the feature map.",
)
_t(
    "percent_relative_to_new",
    "Percent fewer divided by the new count",
    "numeric",
    "'How many percent fewer' divides the saving by the *old* (larger) count: (old − new)/old, not (old − new)/new.",
)
_t(
    "stack_costs_more",
    "The 3×3 stack costs more",
    "conceptual",
    "Two 3×3 convs cost 2·9·C² = 18C², fewer than the 25C² of one 5×5; three cost 27C² against 49C² for a 7×7.",
    "The stack of 3×3 convolutions has more parameters than the single large kernel.",
)
_t(
    "stack_equals_big_kernel",
    "A 3×3 stack is the same as the big kernel",
    "conceptual",
    "With a non-linearity between them, two 3×3 convs are not a 5×5 conv; even without one they reach only the 5×5 "
    "kernels that factor into two 3×3s (18C² free weights against 25C²). Same RF, different function class.",
    "Two stacked 3×3 convolutions with a ReLU between them compute exactly the same functions as one 5×5.",
)
_t(
    "separable_depthwise_bias",
    "A bias on Keras' depthwise step",
    "numeric",
    "Keras' SeparableConv2D has one bias vector of C_out after the pointwise step; its depthwise step has no bias "
    "(a standalone DepthwiseConv2D does have C_in·m biases).",
)
_t(
    "depthwise_mixes_channels",
    "The depthwise step mixes channels",
    "conceptual",
    "The depthwise step filters each input channel on its own (K·K weights per channel, no mixing); mixing channels is "
    "the job of the pointwise 1×1 that follows.",
    "A K×K convolution whose filters each see all input channels, then a 1×1 step applied to each channel on its own.",
)
_t(
    "separable_is_spatial_factorised",
    "Depthwise-separable = K×1 then 1×K",
    "conceptual",
    "A K×1 then 1×K pair is a *spatially* separable (factorised) conv, as in Inception-v3. Depthwise-separable "
    "separates space from channels: a depthwise K×K, then a pointwise 1×1.",
    "A K×1 convolution followed by a 1×K convolution.",
)
_t(
    "separable_ratio_k_squared",
    "Separable saving taken as exactly K²",
    "numeric",
    "standard ÷ separable = 1/(1/C_out + 1/K²): a little *below* K², because the depthwise step still costs K²·C_in "
    "next to the pointwise C_in·C_out.",
)


# ------------------------------------- pooling, normalisation, backward and residual slips (appended)

_t(
    "pool_default_stride_1",
    "Pool stride taken as 1",
    "numeric",
    "Keras pools default to strides = pool_size (non-overlapping windows): MaxPooling2D(2) halves H and W. "
    "Stride 1 is the default of Conv2D, not of pooling layers.",
)
_t(
    "pool_ignored_in_flatten",
    "Flatten size taken before the pool",
    "numeric",
    "The Dense after Flatten sees the *pooled* map: a 2×2 pool quarters H·W, and with it the Dense weights.",
)
_t(
    "gap_dense_sees_hwc",
    "Dense after GAP sees H·W·C inputs",
    "numeric",
    "Global average pooling averages each channel over H×W, so the Dense after it has only C inputs: C·n + n "
    "parameters instead of H·W·C·n + n.",
)
_t(
    "saving_forgot_new_head",
    "Saving without subtracting the new head",
    "numeric",
    "A saving is old − new: subtract the GAP head's own C·n + n parameters from the Flatten head's.",
)
_t(
    "ln_has_moving_stats",
    "LayerNorm/GroupNorm counted like BatchNorm",
    "numeric",
    "LayerNorm and GroupNorm normalise each sample with its own statistics, in training and at inference, so they "
    "keep no moving mean/variance: only γ and β (2C).",
)
_t(
    "gn_params_per_group",
    "GroupNorm's γ, β per group",
    "numeric",
    "Groups only decide which channels share a mean and variance; γ and β are still per channel: 2C.",
)
_t(
    "ln_axes_params_2c",
    "LayerNorm over (H, W, C) still 2C",
    "numeric",
    "Keras' LayerNormalization learns γ and β with the shape of the normalised axes: with axis=[1, 2, 3] that is "
    "H×W×C each, 2·H·W·C in all (2C only for the default axis=-1).",
)
_t(
    "bn_per_sample",
    "BatchNorm normalises per sample",
    "conceptual",
    "BatchNorm pools its statistics over the batch: per channel over (N, H, W). Normalising each sample on its own "
    "is what LayerNorm, GroupNorm and InstanceNorm do.",
    "BatchNorm normalises each sample on its own, over (H, W, C).",
)
_t(
    "keras_ln_default_hwc",
    "Keras' LayerNormalization() normalises over H, W, C",
    "conceptual",
    "Keras' LayerNormalization defaults to axis=-1: each sample *and position* is normalised over its C channels "
    "only. Pass axis=[1, 2, 3] for the textbook per-sample (H, W, C) LayerNorm.",
    "Keras' `LayerNormalization()` normalises each sample over H, W and C together.",
)
_t(
    "norm_over_batch",
    "Per-sample norms use the batch",
    "conceptual",
    "Only BatchNorm averages over the batch axis N. LayerNorm, GroupNorm and InstanceNorm compute their mean and "
    "variance inside one sample, so they work the same at any batch size.",
    "It averages over the batch axis N, like BatchNorm.",
)
_t(
    "groupnorm_needs_batch",
    "GroupNorm needs a batch",
    "conceptual",
    "GroupNorm computes mean and variance per sample over (H, W) and a group of channels: a sample's output is the "
    "same alone or in a batch, which is why it replaces BatchNorm at batch size 1.",
    "GroupNorm breaks at batch size 1 too, because it also needs batch statistics.",
)
_t(
    "maxpool_grad_copied",
    "Max-pool copies the gradient to every input",
    "numeric",
    "Only the argmax of a max-pool window receives the upstream gradient; every other input of the window gets 0.",
)
_t(
    "overlap_grad_not_summed",
    "Overlapping windows not summed",
    "numeric",
    "When windows overlap (stride < K), an input belongs to several windows and its gradient is the *sum* of what "
    "each window sends it (multivariate chain rule).",
)
_t(
    "avgpool_grad_copied",
    "Average-pool copies the full gradient",
    "numeric",
    "Average pooling divides by K²: y = (1/K²)·Σ x, so each input receives g/K², not g.",
)
_t(
    "relu_grad_times_input",
    "ReLU gradient scaled by the input",
    "numeric",
    "ReLU's local derivative is the step 1[x > 0], not x: the upstream gradient passes unchanged where x > 0.",
)
_t(
    "conv_grad_unflipped",
    "Conv input gradient with the unflipped kernel",
    "numeric",
    "∂L/∂x[i, j] = Σ g[i − a, j − b]·w[a, b]: the padded upstream gradient cross-correlated with the 180°-flipped "
    "kernel. Sliding the kernel unflipped pairs each g with the wrong weight.",
)
_t(
    "conv_xgrad_wgrad_swapped",
    "Input and weight gradients swapped",
    "conceptual",
    "∂L/∂W is the input cross-correlated with ∂L/∂y; ∂L/∂x is the zero-padded ∂L/∂y cross-correlated with the "
    "180°-flipped kernel.",
    "The input cross-correlated with ∂L/∂y.",
)
_t(
    "resnet_forgot_projection",
    "Forgot the projection shortcut",
    "numeric",
    "When the block changes the width (or strides), the skip is a 1×1 projection conv with C_in·C_out (+ C_out) "
    "parameters of its own.",
)
_t(
    "resnet_identity_has_params",
    "Identity skip given parameters",
    "numeric",
    "An identity skip just adds x: it has 0 parameters. Only a projection shortcut (1×1 conv) has weights.",
)
_t(
    "bottleneck_3x3_full_width",
    "Bottleneck 3×3 at full width",
    "numeric",
    "The point of the bottleneck: the 1×1 first reduces to C_mid, so the 3×3 runs C_mid → C_mid, and a second 1×1 "
    "expands back.",
)
_t(
    "forgot_bn_params",
    "Forgot the BatchNorm layers",
    "numeric",
    "Each BatchNorm after a conv adds γ and β per channel (2C trainable), plus moving mean and variance in Keras' "
    "count_params() (4C in all).",
)
_t(
    "block_ignored_stride",
    "Block stride ignored",
    "numeric",
    "A stride-2 block halves H and W (its projection shortcut strides too, so the Add sees matching shapes).",
)
_t(
    "residual_grads_summed",
    "Stacked residual gradients summed",
    "numeric",
    "The chain rule multiplies: through stacked blocks y = F(t) + t the gradient is the product of (F_i' + 1).",
)


def conv_grad_unflipped(
    kernel: Sequence[Sequence[float]], upstream: Sequence[Sequence[float]], at: Sequence[int]
) -> float:
    """The padded upstream gradient slid over with the kernel *unflipped*: Σ g[i + a − (K−1), j + b − (K−1)]·w[a, b]."""
    i, j = at
    kh, kw = len(kernel), len(kernel[0])
    oh, ow = len(upstream), len(upstream[0])
    total = 0.0
    for a in range(kh):
        for b in range(kw):
            p, q = i + a - (kh - 1), j + b - (kw - 1)
            if 0 <= p < oh and 0 <= q < ow:
                total += upstream[p][q] * kernel[a][b]
    return total


def residual_grads_summed(blocks: Sequence[Sequence[float]], x: float) -> float:
    """Σ (F_i' + 1) instead of the product."""
    t, total = float(x), 0.0
    for w1, b1, w2 in blocks:
        pre = w1 * t + b1
        total += (w2 * w1 if pre > 0 else 0.0) + 1.0
        t = w2 * max(pre, 0.0) + t
    return total


_t(
    "stack_counted_once",
    "Counted one layer of the stack",
    "numeric",
    "Each of the L stacked convs has its own K·K·C_in·C_out weights (and C_out biases): multiply one layer's count by L.",
)
_t(
    "depthwise_as_full",
    "Depthwise counted as a full conv",
    "numeric",
    "A depthwise conv gives each input channel its own K×K filter(s), seeing that channel only: K·K·C_in·m weights "
    "(+ C_in·m biases), not K·K·C_in weights per output channel.",
)


# ------------------------------------- output size, receptive field and dilation slips (appended)

_t(
    "output_ignored_stride",
    "Ignored the stride in the output size",
    "numeric",
    "A stride S moves the window S pixels at a time, so the positions are divided by S: "
    "O = floor((W − K_eff + 2P)/S) + 1, and Keras 'same' gives ceil(W/S), which keeps W only at S = 1.",
)
_t(
    "same_floor_not_ceil",
    "'same' rounded down",
    "numeric",
    "Keras/TensorFlow 'same' gives O = ceil(W/S): a partial window at the end still yields an output, "
    "because TF pads the missing pixels (on the bottom/right).",
)
_t(
    "channels_from_input",
    "Output channels taken from the input",
    "numeric",
    "A conv outputs one channel per filter: C_out, whatever C_in is. Pools (and padding) keep the channel count.",
)
_t(
    "same_pad_extra_first",
    "'same' puts the extra pixel first",
    "conceptual",
    "TensorFlow's 'same' pads total = max((O − 1)·S + K_eff − W, 0) pixels, floor(total/2) before and the rest after: "
    "an odd extra pixel goes to the bottom/right, never the top/left.",
    "The odd extra row goes on top (and the extra column on the left).",
)
_t(
    "same_pad_symmetric",
    "'same' always pads (K − 1)/2 per side",
    "conceptual",
    "(K − 1)/2 on each side holds only for odd K at stride 1. TF computes the total it needs for ceil(W/S) outputs, "
    "max((O − 1)·S + K_eff − W, 0), and splits it floor/ceil (extra at the bottom/right): e.g. a 7×7/2 conv on 224 "
    "gets 2 + 3, not 3 + 3, which is why Keras' ResNet50 uses ZeroPadding2D(3) + 'valid' instead.",
    "'same' always pads (K − 1)/2 on each side, like PyTorch's padding=(K − 1)/2.",
)
_t(
    "rf_forgot_one",
    "RF without the centre pixel",
    "numeric",
    "Each K×K layer adds K − 1 pixels to a window that starts as the output pixel itself: RF = 1 + Σ (K_l − 1)·d_l·j_{l−1}. "
    "Without the leading 1 a single 3×3 would see only 2 pixels.",
)
_t(
    "rf_one_layer_short",
    "RF counted one layer short",
    "numeric",
    "Fencepost slip: every one of the L layers adds K − 1, the first included: RF = 1 + L·(K − 1) (five 3×3 → 11, not 9).",
)
_t(
    "rf_branches_summed",
    "Parallel branches' RFs added",
    "numeric",
    "Parallel branches see the same input side by side, so they do not compound: the RF of a merge (Concatenate or Add) "
    "is the max over the paths through it, not the sum of the branches' growths.",
)
_t(
    "rf_shortest_path",
    "RF taken along the shortest path",
    "numeric",
    "An output depends on every pixel any path reaches; the RF of a branching graph is the max over paths. "
    "A 1×1 branch or an identity skip does not shrink what the longest branch sees.",
)
_t(
    "dilation_adds_params",
    "Dilation adds weights",
    "numeric",
    "Dilation spreads the same K×K taps apart: the window grows to K_eff×K_eff but the weights stay K·K per channel pair, "
    "so the parameter count is exactly that of the undilated conv.",
    "Dilation adds weights: a 3×3 at d = 2 has 25 weights per channel pair, one for each pixel of its 5×5 window.",
)
_t(
    "dilation_adds_d_minus_1",
    "Dilation gap added once",
    "numeric",
    "The d − 1 gap sits between *every* pair of adjacent taps, and a K-tap kernel has K − 1 such pairs: "
    "K_eff = K + (K − 1)(d − 1), not K + (d − 1).",
)
_t(
    "dilation_downsamples",
    "Dilation downsamples",
    "conceptual",
    "Dilation spaces the taps of the kernel, not the outputs: at stride 1 with 'same' padding the map keeps H×W. "
    "That is why DeepLab replaces the last strides by dilation: a large RF at a fine resolution.",
    "Dilation skips output positions like a stride, which is how it saves compute.",
)
_t(
    "dilation_common_factor",
    "Rates with a common factor cover every pixel",
    "conceptual",
    "If every rate shares a factor g > 1 (2, 4, 8), all taps land on multiples of g: the other pixels are never seen "
    "(gridding). Start at rate 1, or mix rates without a common factor (HDC: 1, 2, 5).",
    "Rates that keep doubling from 2 (2, 4, 8) cover every pixel of the receptive field.",
)
_t(
    "dilation_rate_too_large",
    "A rate larger than the RF so far",
    "conceptual",
    "A dilated layer's taps are d apart; if d exceeds the width already covered by the layers below, the gaps between "
    "the taps are never filled. Grow rates gradually: each rate at most the RF covered so far (1, 2, 5 after 3×3s).",
    "Any schedule that starts at rate 1 covers every pixel, however fast the rates grow.",
)
_t(
    "hdc_leaves_holes",
    "Mixed (HDC) rates leave holes",
    "conceptual",
    "Rates such as 1, 2, 5 (or 1, 2, 4) grow no faster than the covered width, so together their taps reach every "
    "pixel: this is the hybrid-dilated-convolution fix for gridding. Holes come from repeating one rate > 1 or from a "
    "common factor.",
    "Mixing different rates (such as 1, 2, 5) leaves holes where the grids do not line up.",
)
_t(
    "bottleneck_forgot_reduce",
    "Forgot the 1×1 reduction's own cost",
    "numeric",
    "The 1×1 reduction is a layer too: it costs C_in·C_mid weights (+ C_mid biases) on top of the K×K that now reads "
    "C_mid channels.",
)

_t(
    "norm_axes_confused",
    "Normalisation axes mixed up",
    "conceptual",
    "For an (N, H, W, C) tensor: BatchNorm averages over (N, H, W), per channel; textbook LayerNorm over (H, W, C), per "
    "sample (Keras' default axis=-1: over C only, per sample and position); InstanceNorm over (H, W), per sample and "
    "channel; GroupNorm over (H, W) and the channels of one group, per sample.",
    "It normalises over a different set of axes.",
)
_t(
    "bn_inference_identity",
    "BN is switched off at inference",
    "conceptual",
    "At inference BatchNorm still normalises and rescales: (x − moving mean)/√(moving var + ε)·γ + β, a fixed affine "
    "map per channel (often folded into the previous conv).",
    "BatchNorm is switched off at inference and passes its input through unchanged.",
)


# ------------------------------------- equivariance, video, audio, ViT, edge cases

_t(
    "shift_scrambles_features",
    "A shift scrambles the feature maps",
    "conceptual",
    "The same filters are applied at every position (weight sharing), so a shifted input produces the same responses, "
    "shifted: f(Tx) = T f(x). Nothing is scrambled.",
    "The feature maps change unpredictably, because each position is processed differently.",
)
_t(
    "strided_shift_equivariant",
    "Strided nets are equivariant to every shift",
    "conceptual",
    "With total stride S the output grid moves in steps of S input pixels: a shift by a multiple of S moves the maps by "
    "s/S positions, but any other shift changes the values (aliasing) and gives no exact shifted copy.",
    "A network with stride-2 layers gives an exactly shifted output for every input shift, even a 1-pixel one.",
)
_t(
    "feature_shift_ignores_stride",
    "Map shift not divided by the stride",
    "numeric",
    "Each output position of a strided stack covers S input pixels (S = product of the strides), so an input shift of "
    "s pixels moves the feature map by s/S positions, not s.",
)
_t(
    "feature_shift_times_stride",
    "Map shift multiplied by the stride",
    "numeric",
    "Striding shrinks the map: one output step spans S input pixels, so the map moves by s/S positions, fewer than the "
    "input's s, never S·s.",
)
_t(
    "feature_shift_one_stride",
    "Only one stride divided",
    "numeric",
    "Every strided layer (conv or pool) coarsens the grid again: the map moves by s/(S_1·S_2·…), the product of all "
    "the strides up to that layer.",
)
_t(
    "pooling_rotation_invariant",
    "Pooling gives rotation invariance",
    "conceptual",
    "Pooling adds robustness to small *shifts* inside its window; it does nothing for rotations. Rotation robustness "
    "comes from augmentation or group-equivariant convolutions.",
    "Max pooling makes a CNN invariant to rotations of the input.",
)
_t(
    "rotation_fix_gap",
    "GAP makes a CNN rotation-invariant",
    "conceptual",
    "Global average pooling removes *where* a feature is (translation invariance). A rotated input gives different "
    "feature values (the kernels are not rotation-symmetric), so the pooled vector changes too.",
    "Add global average pooling: it makes the network invariant to rotations.",
)
_t(
    "c3d_forgot_kt",
    "3D kernel counted as 2D",
    "numeric",
    "A Conv3D filter spans K_t frames as well as K×K pixels: K_t·K·K·C_in weights, K_t times those of a 2D filter.",
)
_t(
    "c3d_params_times_frames",
    "Params multiplied by the number of frames",
    "numeric",
    "The same 3D filters slide over time as over space: the clip length T never enters the parameter count, and in a "
    "cost ratio against a frame-by-frame 2D conv it cancels. Only the kernel depth K_t matters.",
)
_t(
    "c3d_macs_forgot_frames",
    "MACs without the output frames",
    "numeric",
    "A 3D conv computes an output at every (t, h, w) position: MACs = T_out·H_out·W_out·K_t·K·K·C_in·C_out.",
)
_t(
    "i3d_assumed_division",
    "Assumed I3D's /T",
    "numeric",
    "Without the division, the T repeated copies of the 2D filter add up: a boring video gives T times the 2D "
    "activation. Only dividing each copy by T brings the response back to 1×.",
)
_t(
    "i3d_ratio_inverted",
    "Inflated response taken as 1/T",
    "numeric",
    "Repeating the 2D filter T times sums T equal responses: the response grows to T× (or stays 1× after /T); it "
    "never shrinks to 1/T.",
)
_t(
    "i3d_frames_independent",
    "I3D = 2D net per frame",
    "conceptual",
    "Running the 2D network on each frame and averaging is a per-frame baseline with no temporal modelling. I3D's "
    "inflated T×N×N kernels mix neighbouring frames; only their initial values come from the 2D weights.",
    "I3D runs the pretrained 2D network on every frame separately and averages the predictions.",
)
_t(
    "slowfast_fast_few_frames",
    "Fast pathway given the slow frame rate",
    "numeric",
    "The fast pathway samples α times *more* frames than the slow one (temporal stride τ/α instead of τ); it is thin "
    "in channels (β·C), not in time.",
)
_t(
    "slowfast_lateral_unstrided",
    "Lateral connection without its time stride",
    "numeric",
    "The fast→slow lateral connection must match the slow pathway's frame count: its time-strided conv (stride α) turns "
    "T_fast = α·T_slow frames into T_slow before the fusion.",
)
_t(
    "wavenet_stacks_ignored",
    "Repeated stacks counted once",
    "numeric",
    "Each repeat of the dilation cycle 1, 2, …, 512 adds its Σ d·(K − 1) again: RF = 1 + stacks·Σ d·(K − 1).",
)
_t(
    "wavenet_uses_pooling",
    "WaveNet grows its RF by pooling",
    "conceptual",
    "Pooling would lower the time resolution. WaveNet doubles the dilation at each layer, so the RF grows exponentially "
    "with depth while the output keeps one value per input sample.",
    "WaveNet grows its receptive field with pooling layers between the convolutions.",
)
_t(
    "causal_shrinks_output",
    "Causal padding shortens the output",
    "conceptual",
    "Causal padding adds (K − 1)·d zeros on the *left* only: at stride 1 the output has the input's length, and output "
    "t sees inputs ≤ t only.",
    "Causal padding drops the first outputs, so the sequence gets shorter at every layer.",
)
_t(
    "spectrogram_axes_swapped",
    "Mel bins and frames swapped",
    "numeric",
    "The input is (mel bins × frames × 1): height is frequency, width is time, and a Conv2D keeps that order in its "
    "output (mel axis first, frame axis second, channels last).",
)
_t(
    "vit_tokens_not_squared",
    "Patches per side not squared",
    "numeric",
    "The image is cut into a grid: (H/P)·(W/P) patches, e.g. 14·14 = 196 at 224 with P = 16, plus the CLS token; "
    "H/P is only one side of the grid.",
)
_t(
    "vit_divided_by_p_once",
    "Pixels divided by P, not P²",
    "numeric",
    "Each patch covers P·P pixels: the number of patches is H·W/P², e.g. 224·224/256 = 196, not H·W/P.",
)
_t(
    "vit_patch_stride_1",
    "Patch conv with stride 1",
    "numeric",
    "The patch embedding is a P×P conv with stride P: non-overlapping patches, an (H/P)×(W/P) grid, not the "
    "(H − P + 1)×(W − P + 1) of a stride-1 conv.",
)
_t(
    "vit_patch_dim_unprojected",
    "Token width P²·C instead of D",
    "numeric",
    "A flattened patch has P·P·C values; the linear projection (the conv's D filters) maps it to the model width D, "
    "which is each token's length.",
)
_t(
    "dying_relu_raise_lr",
    "Fix dying ReLU with a larger learning rate",
    "conceptual",
    "A dead unit's gradient is exactly 0, so no learning rate moves its weights; large steps are what push units into "
    "the dead zone in the first place. Lower the learning rate and use Leaky ReLU / ELU / GELU.",
    "Raise the learning rate, so that the dead units are pushed back into the active range.",
)
_t(
    "dying_relu_dropout",
    "Fix dying ReLU with dropout",
    "conceptual",
    "Dropout only zeroes activations at random; a unit that outputs 0 for every input still receives 0 gradient with "
    "or without it.",
    "Add dropout before the ReLU layers: it re-activates units that have died.",
)
_t(
    "bn_var_not_sqrt",
    "BN divided by the variance",
    "numeric",
    "BatchNorm divides by the standard deviation √(σ² + ε), not by the variance σ² + ε.",
)
_t(
    "bn_forgot_gamma_beta",
    "BN without γ and β",
    "numeric",
    "After normalising, BatchNorm scales and shifts: y = γ·(x − μ)/√(σ² + ε) + β.",
)
_t(
    "bn_forgot_eps",
    "BN without ε",
    "numeric",
    "ε is inside the square root: √(σ² + ε). With a small moving variance (here comparable to ε) leaving it out changes "
    "the output noticeably.",
)
_t(
    "gridding_holes_one_layer",
    "Holes of one layer only",
    "numeric",
    "Stacking does not fill the gaps when all rates share a factor g > 1: the reachable pixels are the sums Σ d_l·t_l, "
    "all multiples of g, so every pixel of the whole receptive field that is not a multiple of g is a hole.",
)
_t(
    "gridding_common_factor",
    "Rates with a common factor cover everything",
    "conceptual",
    "Rates that share a factor g > 1 (e.g. 2, 4, 8) reach only every g-th pixel, however many layers are stacked. "
    "Hybrid dilated convolution (HDC) picks rates with no common factor, starting at 1, e.g. 1, 2, 5.",
    "Growing the rates (e.g. 2, 4, 8) removes the holes, because each layer fills the previous layer's gaps.",
)
_t(
    "degradation_fix_regularise",
    "Fix degradation with regularisation",
    "conceptual",
    "The deeper plain net already has the *higher training* error; dropout and weight decay make fitting the training "
    "set harder still. The fix is architectural: residual connections.",
    "Add dropout and weight decay to the deeper network.",
)
_t(
    "degradation_less_capacity",
    "The deeper net has less capacity",
    "conceptual",
    "The deeper net can represent everything the shallower one can (its extra layers could be the identity), so its "
    "capacity is larger; its solver simply fails to find that solution.",
    "The deeper network has less capacity than the shallower one, so it cannot fit the training data as well.",
)
_t(
    "separable_more_params",
    "Separable has more parameters",
    "conceptual",
    "A depthwise-separable conv has K²·C_in + C_in·C_out weights against K²·C_in·C_out for the standard conv: far "
    "fewer, and the saving is exactly its restriction (one spatial pattern per input channel).",
    "It is more expressive, because the two steps together have more parameters than a standard conv.",
)
_t(
    "output_forgot_plus_one",
    "Output size without the + 1",
    "numeric",
    "Count window positions, not gaps: the first window sits at offset 0 and each further one S pixels on, so "
    "O = floor((W − K_eff + 2P)/S) + 1 (a 3×3 'valid' conv on 5 pixels has 3 outputs, not 2).",
)
_t(
    "padding_ignored",
    "Forgot the padding",
    "numeric",
    "Explicit padding P widens the input to W + 2P before the window slides: O = floor((W − K_eff + 2P)/S) + 1, "
    "not the 'valid' size.",
)

# --- architectures (questions from the zoo) ---
_t(
    "keras_count_trainable_only",
    "Keras count taken as trainable only",
    "numeric",
    "Keras' count_params() counts every weight, non-trainable ones included: BatchNorm's moving mean and variance "
    "(and EfficientNet's preprocessing statistics). The trainable count leaves those out.",
)
_t(
    "keras_count_is_torchvision",
    "Keras count taken as torchvision's",
    "numeric",
    "torchvision and the papers count trainable weights only (BN γ/β), and often without conv biases; Keras' "
    "count_params() adds the BN moving statistics and, in keras.applications' ResNet, a bias per conv.",
)
_t(
    "share_complement",
    "Took the other share",
    "numeric",
    "Read which part the question asks for: the share of the fully connected layers, not of the convolutions.",
)
_t(
    "aux_head_counted",
    "Forgot the auxiliary head",
    "numeric",
    "Inception's auxiliary classifier is only used in training; figures that include it (torchvision's 27.2 M) are "
    "larger than Keras' InceptionV3, which has none.",
)
_t(
    "stride_changes_params",
    "Stride placement changes the params",
    "conceptual",
    "Moving the stride from the 1×1 to the 3×3 (ResNet v1 → v1.5) leaves every weight unchanged; it changes where "
    "the 3×3 runs at full resolution, so it changes the MACs (+231 M for ResNet-50).",
    "Moving the stride into the 3×3 conv adds parameters to every downsampling block.",
)
_t(
    "densenet_forgot_input",
    "DenseNet forgot the block input",
    "numeric",
    "The block's output concatenates the block's input (C0 channels) with the k new channels of every layer: C0 + L·k.",
)
_t(
    "params_ratio_for_macs",
    "Params ratio used for MACs",
    "numeric",
    "Compute grows with resolution (r²) but parameters do not: a ratio of parameter counts says nothing about MACs.",
)
_t(
    "compound_rule_for_measured",
    "Rule taken as the measured ratio",
    "numeric",
    "(α·β²·γ²)^φ is the rule's prediction; the released B1–B7 round depth, width and resolution by hand (and stage "
    "repeats are rounded up), so measured MACs grow faster than the rule.",
)
_t(
    "se_overhead_macs_as_params",
    "SE overhead: MACs vs params",
    "numeric",
    "The SE gates are small FC layers on pooled vectors: they add ~10 % parameters to ResNet-50 but almost no MACs.",
)
