"""EfficientNet-B0 … B7, layer-for-layer equal to ``keras.applications.EfficientNetB0`` … ``B7``.

Reference: M. Tan, Q. V. Le (2019), *EfficientNet: Rethinking Model Scaling for Convolutional Neural
Networks*, ICML 2019, arXiv:1905.11946.

B0 is a searched network of MBConv blocks (MobileNet-v2 inverted residuals with squeeze-and-excitation and
swish); B1–B7 scale it up.  **Compound scaling** (the seed's rule, paper eq. 3): with one knob φ,

    depth  d = α^φ,   width  w = β^φ,   resolution  r = γ^φ,   α = 1.2, β = 1.1, γ = 1.15,  α·β²·γ² ≈ 2,

and since a conv net's FLOPs grow ∝ d·w²·r², every +1 of φ roughly doubles the FLOPs (× 1.2·1.21·1.3225
= 1.92).  :func:`compound_scaling` implements exactly that; ``efficientnet(phi=...)`` builds such a model.

The *released* B1–B7 (the official TPU code's ``efficientnet_params``, which Keras copies) do **not** use
one integer φ: their coefficients were hand-rounded from the formula, independently per axis (Keras'
EfficientNet guide: hand-picked, and they "may deviate from the compound scaling formula").  The φ each
axis implies (``log d / log 1.2``, ``log w / log 1.1``, ``log(R/224) / log 1.15``):

=======  =====  =====  ===  ===================  ===========  ===========  ==========
variant  d      w      R    implied φ d / w / R  d·w²·r²      exact MACs   Keras
                                                 (seed rule)  ratio to B0  params
=======  =====  =====  ===  ===================  ===========  ===========  ==========
b0       1.0    1.0    224  0 / 0 / 0            1.00         1.00         5,330,571
b1       1.1    1.0    240  0.52 / 0 / 0.49      1.26         1.78         7,856,239
b2       1.2    1.1    260  1.00 / 1.00 / 1.07   1.96         2.58         9,177,569
b3       1.4    1.2    300  1.85 / 1.91 / 2.09   3.62         4.74         12,320,535
b4       1.8    1.4    380  3.22 / 3.53 / 3.78   10.15        11.39        19,466,823
b5       2.2    1.6    456  4.32 / 4.93 / 5.09   23.34        26.61        30,562,527
b6       2.6    1.8    528  5.24 / 6.17 / 6.14   46.81        49.42        43,265,143
b7       3.1    2.0    600  6.21 / 7.27 / 7.05   88.97        97.83        66,658,687
=======  =====  =====  ===  ===================  ===========  ===========  ==========

For comparison the pure rule gives φ=1: (1.2, 1.1, 258), φ=2: (1.44, 1.21, 296), φ=3: (1.73, 1.33, 341),
FLOPs × 1.92, 3.69, 7.08.  So B1 is "φ≈0.5", B2 "φ≈1", B3 "φ≈2", B7 "φ≈6–7".  The exact MACs ratios
(``models.facts.efficientnet``, closed form) exceed the rule because repeats round *up* (``⌈1.1·1⌉ = 2``:
B1 already doubles the one-block stages) and channels round to multiples of 8.

Per-block arithmetic (both Keras and the official code): channels ``round_filters(c) = max(8,
⌊c·w + 4⌋₈)`` (nearest multiple of 8, never 10% below ``c·w``), repeats ``⌈n·d⌉`` per stage; the stem
(32) and head (1280) widths are scaled too, their depth is not.

**Keras' count includes preprocessing**: Keras' EfficientNet starts with ``Rescaling(1/255)`` and an
un-adapted ``Normalization`` layer whose mean (3), variance (3) and count (1) are **7 non-trainable
weights** in ``count_params()``; with BN moving statistics (2 per BN channel) they make up the whole gap
to torchvision's / the paper's trainable count (B0: 5,330,571 = 5,288,548 + 42,016 BN stats + 7;
torchvision ``efficientnet_b0``: 5,288,548 params, 0.39 GFLOPS; paper: 5.3 M, 0.39 B FLOPS — both are
the trainable weights and the multiply-adds, 385,814,752 MACs here).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ._keras import check_args, global_pool, keras

layers = keras.layers

ALPHA, BETA, GAMMA = 1.2, 1.1, 1.15
BASE_RESOLUTION = 224


@dataclass(frozen=True)
class BlockArgs:
    """One stage of MBConv blocks (B0's Table 1 row), as Keras' ``DEFAULT_BLOCKS_ARGS``."""

    kernel_size: int
    repeats: int
    filters_in: int
    filters_out: int
    expand_ratio: int
    strides: int
    se_ratio: float = 0.25
    id_skip: bool = True


# EfficientNet-B0, paper Table 1, stages 2–8 (stage 1 is the 3×3 stem conv, stage 9 the 1×1 head conv)
BLOCKS_ARGS: tuple[BlockArgs, ...] = (
    BlockArgs(3, 1, 32, 16, 1, 1),
    BlockArgs(3, 2, 16, 24, 6, 2),
    BlockArgs(5, 2, 24, 40, 6, 2),
    BlockArgs(3, 3, 40, 80, 6, 2),
    BlockArgs(5, 3, 80, 112, 6, 1),
    BlockArgs(5, 4, 112, 192, 6, 2),
    BlockArgs(3, 1, 192, 320, 6, 1),
)
STEM_FILTERS = 32
HEAD_FILTERS = 1280

# variant: (width coefficient, depth coefficient, resolution, dropout rate) — official efficientnet_params
VARIANTS: dict[str, tuple[float, float, int, float]] = {
    "b0": (1.0, 1.0, 224, 0.2),
    "b1": (1.0, 1.1, 240, 0.2),
    "b2": (1.1, 1.2, 260, 0.3),
    "b3": (1.2, 1.4, 300, 0.3),
    "b4": (1.4, 1.8, 380, 0.4),
    "b5": (1.6, 2.2, 456, 0.4),
    "b6": (1.8, 2.6, 528, 0.5),
    "b7": (2.0, 3.1, 600, 0.5),
}

CONV_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"},
}
DENSE_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 1.0 / 3.0, "mode": "fan_out", "distribution": "uniform"},
}


def compound_scaling(
    phi: float, alpha: float = ALPHA, beta: float = BETA, gamma: float = GAMMA
) -> tuple[float, float, int]:
    """The seed's rule: ``(depth α^φ, width β^φ, resolution round(224·γ^φ))``; FLOPs grow ≈ ``(α·β²·γ²)^φ ≈ 2^φ``."""
    return alpha**phi, beta**phi, round(BASE_RESOLUTION * gamma**phi)


def round_filters(filters: float, width_coefficient: float, divisor: int = 8) -> int:
    """Channels ``filters·w`` rounded to the nearest multiple of ``divisor``, never more than 10% down."""
    filters *= width_coefficient
    new = max(divisor, int(filters + divisor / 2) // divisor * divisor)
    if new < 0.9 * filters:
        new += divisor
    return int(new)


def round_repeats(repeats: int, depth_coefficient: float) -> int:
    return math.ceil(depth_coefficient * repeats)


def _correct_pad(size: int | None, kernel: int) -> tuple[int, int]:
    """Explicit zero padding before a stride-2 'valid' conv, as ``imagenet_utils.correct_pad``."""
    adjust = 1 if size is None else 1 - size % 2
    return (kernel // 2 - adjust, kernel // 2)


def _mbconv(
    inputs: Any,
    a: BlockArgs,
    filters_in: int,
    filters_out: int,
    strides: int,
    drop_rate: float,
    activation: str,
    name: str,
) -> Any:
    """MBConv: 1×1 expand → k×k depthwise → squeeze-excitation → 1×1 linear projection (+ skip)."""
    filters = filters_in * a.expand_ratio
    x = inputs
    if a.expand_ratio != 1:
        x = layers.Conv2D(
            filters,
            1,
            padding="same",
            use_bias=False,
            kernel_initializer=CONV_KERNEL_INITIALIZER,
            name=f"{name}expand_conv",
        )(x)
        x = layers.BatchNormalization(name=f"{name}expand_bn")(x)
        x = layers.Activation(activation, name=f"{name}expand_activation")(x)
    if strides == 2:
        pad = _correct_pad(x.shape[1], a.kernel_size), _correct_pad(x.shape[2], a.kernel_size)
        x = layers.ZeroPadding2D(pad, name=f"{name}dwconv_pad")(x)
    x = layers.DepthwiseConv2D(
        a.kernel_size,
        strides=strides,
        padding="valid" if strides == 2 else "same",
        use_bias=False,
        depthwise_initializer=CONV_KERNEL_INITIALIZER,
        name=f"{name}dwconv",
    )(x)
    x = layers.BatchNormalization(name=f"{name}bn")(x)
    x = layers.Activation(activation, name=f"{name}activation")(x)
    if 0 < a.se_ratio <= 1:
        filters_se = max(1, int(filters_in * a.se_ratio))  # squeeze width from the block *input* channels
        se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
        se = layers.Reshape((1, 1, filters), name=f"{name}se_reshape")(se)
        se = layers.Conv2D(
            filters_se,
            1,
            padding="same",
            activation=activation,
            kernel_initializer=CONV_KERNEL_INITIALIZER,
            name=f"{name}se_reduce",
        )(se)
        se = layers.Conv2D(
            filters,
            1,
            padding="same",
            activation="sigmoid",
            kernel_initializer=CONV_KERNEL_INITIALIZER,
            name=f"{name}se_expand",
        )(se)
        x = layers.Multiply(name=f"{name}se_excite")([x, se])
    x = layers.Conv2D(
        filters_out,
        1,
        padding="same",
        use_bias=False,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name=f"{name}project_conv",
    )(x)
    x = layers.BatchNormalization(name=f"{name}project_bn")(x)
    if a.id_skip and strides == 1 and filters_in == filters_out:
        if drop_rate > 0:  # stochastic depth ("drop connect"): drops the whole residual branch per sample
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = layers.Add(name=f"{name}add")([x, inputs])
    return x


def efficientnet(
    include_top: bool = True,
    input_shape: tuple[Any, ...] | None = None,
    classes: int = 1000,
    pooling: str | None = None,
    name: str | None = None,
    variant: str = "b0",
    phi: float | None = None,
    width_coefficient: float | None = None,
    depth_coefficient: float | None = None,
    dropout_rate: float | None = None,
    drop_connect_rate: float = 0.2,
    depth_divisor: int = 8,
    activation: str = "swish",
    blocks_args: tuple[BlockArgs, ...] = BLOCKS_ARGS,
    classifier_activation: str | None = "softmax",
    weights: Any = None,
) -> Any:
    """EfficientNet ``variant`` (``"b0"``…``"b7"``, the official coefficients, = Keras), or, with ``phi``, the
    pure compound-scaling rule ``d = 1.2^φ, w = 1.1^φ, r = 224·1.15^φ``; explicit coefficients override both."""
    check_args(weights, pooling)
    w, d, res, drop = VARIANTS[variant]
    if phi is not None:
        d, w, res = compound_scaling(phi)
    w = w if width_coefficient is None else width_coefficient
    d = d if depth_coefficient is None else depth_coefficient
    drop = drop if dropout_rate is None else dropout_rate
    input_shape = (res, res, 3) if input_shape is None else tuple(input_shape)
    if len(input_shape) != 3 or input_shape[-1] != 3:
        raise ValueError(f"input_shape must be (H, W, 3), got {input_shape}")
    name = name or (f"efficientnet_{variant}" if phi is None else f"efficientnet_phi{phi:g}")

    inputs = keras.Input(shape=input_shape, name="input_layer")
    x = layers.Rescaling(1.0 / 255.0, name="rescaling")(inputs)
    x = layers.Normalization(axis=-1, name="normalization")(x)  # un-adapted: mean/var/count = 7 weights
    pad = _correct_pad(x.shape[1], 3), _correct_pad(x.shape[2], 3)
    x = layers.ZeroPadding2D(pad, name="stem_conv_pad")(x)
    x = layers.Conv2D(
        round_filters(STEM_FILTERS, w, depth_divisor),
        3,
        strides=2,
        padding="valid",
        use_bias=False,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name="stem_conv",
    )(x)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)

    total = float(sum(round_repeats(a.repeats, d) for a in blocks_args))
    b = 0
    for i, a in enumerate(blocks_args):
        if a.repeats <= 0:
            raise ValueError(f"repeats must be > 0, got {a.repeats}")
        f_in, f_out = round_filters(a.filters_in, w, depth_divisor), round_filters(a.filters_out, w, depth_divisor)
        for j in range(round_repeats(a.repeats, d)):
            x = _mbconv(
                x,
                a,
                f_in if j == 0 else f_out,
                f_out,
                a.strides if j == 0 else 1,
                drop_connect_rate * b / total,
                activation,
                name=f"block{i + 1}{chr(j + 97)}_",
            )
            b += 1

    x = layers.Conv2D(
        round_filters(HEAD_FILTERS, w, depth_divisor),
        1,
        padding="same",
        use_bias=False,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name="top_conv",
    )(x)
    x = layers.BatchNormalization(name="top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if drop > 0:
            x = layers.Dropout(drop, name="top_dropout")(x)
        x = layers.Dense(
            classes, activation=classifier_activation, kernel_initializer=DENSE_KERNEL_INITIALIZER, name="predictions"
        )(x)
    elif pooling is not None:
        x = global_pool(pooling)(x)
    return keras.Model(inputs, x, name=name)


__all__ = ["BLOCKS_ARGS", "VARIANTS", "BlockArgs", "compound_scaling", "efficientnet", "round_filters", "round_repeats"]
