"""Named architectures: Keras vs torchvision counts, MACs vs FLOPs, DenseNet growth, EfficientNet, SE, Inception."""

from __future__ import annotations

from typing import Any

from .. import formulas as F
from .base import conceptual, trap


def _rule_explain(*, key: Any = None, value: Any = None, **_: Any) -> str | None:
    """Whether the measured MACs grow faster or slower than the rule, read from the two numbers."""
    if not all(isinstance(v, int | float) for v in (key, value)) or key == value:
        return None
    word = "slower" if key < value else "faster"
    return (
        f"(α·β²·γ²)^φ ≈ {value} is the rule's prediction; the released models round depth, width and resolution by "
        f"hand, so the measured MACs grow {word} than the rule ({key} vs {value})."
    )


conceptual(
    "se_gate_not_sigmoid",
    title="SE gate without the sigmoid",
    feedback="Squeeze-and-excitation rescales each channel by a gate in (0, 1): GAP → FC(C/r) → ReLU → FC(C) → "
    "*sigmoid* → multiply. Without the sigmoid (or with a ReLU/softmax there) the gate is unbounded or couples the "
    "channels.",
    claim="The excitation's last FC layer uses a ReLU (or no activation) before rescaling the channels.",
)


conceptual(
    "stride_changes_params",
    title="Stride placement changes the params",
    feedback="Moving the stride from the first 1×1 to the 3×3 (ResNet v1 → v1.5) leaves every weight unchanged. It only "
    "changes where the downsampling happens: the first 1×1 of each downsampling block now runs on the 4× larger grid "
    "before it, so the MACs grow (+231 M for ResNet-50); the 3×3 produces the same output grid as before.",
    claim="Moving the stride into the 3×3 conv adds parameters to every downsampling block.",
)


@trap(
    "densenet_added",
    title="DenseNet channels added, not concatenated",
    feedback="Each of the L layers concatenates its k new channels to everything before it, so the block grows by "
    "L·k, not by the last layer's k alone: C0 + L·k.",
)
def densenet_added(c0: int, n_layers: int, growth: int) -> int:
    return c0 + growth


@trap(
    "compound_scaling_abg",
    title="Compound-scaling FLOPs as α·β·γ",
    feedback="FLOPs grow linearly with depth but quadratically with width and resolution: (α·β²·γ²)^φ ≈ 2^φ.",
)
def compound_scaling_abg(phi: float, alpha: float = 1.2, beta: float = 1.1, gamma: float = 1.15) -> float:
    return (alpha * beta * gamma) ** phi


@trap(
    "macs_as_flops",
    title="MACs doubled into FLOPs",
    feedback="One multiply-accumulate is one MAC; FLOPs ≈ 2·MACs. Tables quoting 'GFLOPs' (torchvision, papers) "
    "usually mean MACs.",
)
def macs_as_flops(macs: int) -> int:
    """``2·MACs`` (FLOPs) where the MACs are asked."""
    return 2 * macs


@trap(
    "keras_count_trainable_only",
    title="Keras count taken as trainable only",
    feedback="Keras' count_params() counts every weight, non-trainable ones included: BatchNorm's moving mean and "
    "variance (and EfficientNet's preprocessing statistics). The trainable count leaves those out.",
)
def keras_count_trainable_only(count_params: int, non_trainable: int) -> int:
    """The trainable count where Keras' ``count_params()`` (non-trainable weights included) is asked."""
    return count_params - non_trainable


@trap(
    "keras_count_is_torchvision",
    title="Keras count taken as torchvision's",
    feedback="torchvision and the papers count trainable weights only (BN γ/β), and often without conv biases; Keras' "
    "count_params() adds the BN moving statistics and, in keras.applications' ResNet, a bias per conv.",
)
def keras_count_is_torchvision(trainable: int, conv_biases: int) -> int:
    """torchvision's count of a Keras ResNet: its trainable weights without the conv biases."""
    return trainable - conv_biases


@trap(
    "share_complement",
    title="Took the other share",
    feedback="Read which part the question asks for: the share of the fully connected layers, not of the convolutions.",
)
def share_complement(share: float) -> float:
    """``100 − share``: the percentage of the other part."""
    return 100 - share


@trap(
    "aux_head_counted",
    title="Forgot the auxiliary head",
    feedback="Inception's auxiliary classifier is only used in training; figures that include it (torchvision's 27.2 "
    "M) are larger than Keras' InceptionV3, which has none.",
)
def aux_head_counted(params: int, aux_head_params: int) -> int:
    """The count with Inception's training-only auxiliary classifier included."""
    return params + aux_head_params


@trap(
    "densenet_forgot_input",
    title="DenseNet forgot the block input",
    feedback="The block's output concatenates the block's input (C0 channels) with the k new channels of every layer: "
    "C0 + L·k.",
)
def densenet_forgot_input(c0: int, n_layers: int, growth: int) -> int:
    """``L·k``: the dense block's new channels without the ``C_0`` it received."""
    return n_layers * growth


@trap(
    "params_ratio_for_macs",
    title="Params ratio used for MACs",
    feedback="Compute grows with resolution (r²) but parameters do not: a ratio of parameter counts says nothing "
    "about MACs.",
)
def params_ratio_for_macs(params: float, params_ref: float) -> float:
    """The ratio of the parameter counts where the ratio of the MACs is asked."""
    return params / params_ref


@trap(
    "compound_rule_for_measured",
    title="Rule taken as the measured ratio",
    feedback="(α·β²·γ²)^φ is the rule's prediction; the released B1–B7 round depth, width and resolution by hand (and "
    "stage repeats are rounded up), so the measured MACs ratio differs from it: measure, do not predict.",
    explain=_rule_explain,
)
def compound_rule_for_measured(phi: float) -> float:
    """The rule's ``(α·β²·γ²)^φ`` where the measured MACs ratio is asked."""
    return F.compound_scaling(phi)["flops"]


@trap(
    "se_overhead_macs_as_params",
    title="SE overhead: MACs vs params",
    feedback="The SE gates are small FC layers on pooled vectors: they add ~10 % parameters to ResNet-50 but almost "
    "no MACs.",
)
def se_overhead_macs_as_params(se_macs: float, macs: float) -> float:
    """The SE gates' share of the MACs, in percent, where their share of the parameters is asked."""
    return 100 * se_macs / macs


@trap(
    "resnet_version_confused",
    title="ResNet v1 and v1.5 confused",
    feedback="Keras' ResNets are v1 (the downsampling stride in the first 1×1 of a block); torchvision's are v1.5 (the "
    "stride in the 3×3). The weights are the same, the MACs are not: in v1.5 that 1×1 runs on the 4× larger grid, "
    "+231 M MACs for every bottleneck ResNet at 224×224.",
)
def resnet_version_confused(macs: int, stride_shift: int, *, to_v1_5: bool = True) -> int:
    """The MACs of the other ResNet variant: v1 + the shift for v1.5, or v1.5 − the shift for v1."""
    return macs + stride_shift if to_v1_5 else macs - stride_shift


conceptual(
    "v15_macs_from_3x3",
    title="v1.5's extra MACs credited to the 3×3",
    feedback="In v1.5 the strided 3×3 produces the same output grid as v1's 3×3 and costs the same. The extra MACs are "
    "the first 1×1's: without its stride it runs on the 4× larger grid before the downsampling.",
    claim="ResNet v1.5 costs more because its strided 3×3 runs on the larger grid.",
)
