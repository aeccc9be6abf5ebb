"""MobileNet v1 and v2, layer-for-layer equal to ``keras.applications.MobileNet`` / ``MobileNetV2``.

References:

* A. G. Howard, M. Zhu, B. Chen, D. Kalenichenko, W. Wang, T. Weyand, M. Andreetto, H. Adam (2017),
  *MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications*, arXiv:1704.04861.
* M. Sandler, A. Howard, M. Zhu, A. Zhmoginov, L.-C. Chen (2018),
  *MobileNetV2: Inverted Residuals and Linear Bottlenecks*, CVPR 2018, arXiv:1801.04381.

=============  ============================================================  ==========  ===========
registry name  structure                                                     Keras       paper
=============  ============================================================  ==========  ===========
mobilenet_v1   3×3 conv (s2) + 13 depthwise-separable blocks                 4,253,864   4.2 M,
               (3×3 depthwise → BN → ReLU6 → 1×1 pointwise → BN → ReLU6),                569 M MACs
               plain chain: **no residuals, no bottlenecks**; 1×1-conv head
mobilenet_v2   3×3 conv (s2) + 17 inverted-residual blocks                   3,538,984   3.4 M,
               (1×1 expand ×t → ReLU6 → 3×3 depthwise → ReLU6 → 1×1                      300 M MACs
               project, **linear**: no activation), skip when stride 1 and
               C_in = C_out; 1×1 conv to 1280 + GAP + dense head
=============  ============================================================  ==========  ===========

Keras figures are ``count_params()`` at ``alpha=1.0``, 224×224 (BN moving statistics included).

Both builders take the width multiplier ``alpha`` (paper: α; v1 ``int(C·α)``, v2 rounds to a multiple of
8 and keeps the 1280-wide last conv for ``alpha ≤ 1``); v1 also takes ``depth_multiplier`` (channels
per input channel of each depthwise conv — Keras' docstring calls it the paper's "resolution
multiplier", but the paper's ρ is simply the input resolution, i.e. ``input_shape`` here).  Layer names are Keras' own (``conv_dw_3_bn``, ``block_5_expand``, ...), so a
layer can be looked up by the name the Keras docs use.

**v1 vs v2** (quiz facts): v1 has *neither* inverted residuals nor linear bottlenecks — every pointwise
conv is followed by ReLU6 and nothing is added back.  v2's blocks are *inverted*: the skip connects the
thin (bottleneck) tensors and the expansion happens inside the block (ResNet's bottleneck is the other way
round: wide → thin → wide), and the projection back to the thin tensor is *linear* (no ReLU), because a
ReLU on a low-dimensional manifold destroys information.
"""

from __future__ import annotations

from typing import Any

from ._keras import check_args, head, keras

layers = keras.layers

# v1: (pointwise filters, stride of the first block, blocks) per stage — paper Table 1 (depthwise-separable
# rows; a stride-2 row downsamples in its depthwise conv).
V1_STAGES: tuple[tuple[int, int, int], ...] = (
    (64, 1, 1),
    (128, 2, 2),
    (256, 2, 2),
    (512, 2, 6),
    (1024, 2, 2),
)
V1_STEM_FILTERS = 32

# v2: (expansion t, output channels c, repeats n, stride s of the first block) — paper Table 2.
V2_STAGES: tuple[tuple[int, int, int, int], ...] = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)
V2_STEM_FILTERS = 32
V2_LAST_FILTERS = 1280


def make_divisible(v: float, divisor: int = 8, min_value: int | None = None) -> int:
    """Round ``v`` to the nearest multiple of ``divisor``, never more than 10% down (TF-slim's rule)."""
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def _correct_pad(size: int | None, kernel: int) -> tuple[int, int]:
    """Explicit zero padding before a stride-2 'valid' conv, as ``imagenet_utils.correct_pad``."""
    adjust = 1 if size is None else 1 - size % 2
    return (kernel // 2 - adjust, kernel // 2)


def _check(input_shape: tuple[Any, ...], include_top: bool, weights: Any, pooling: str | None) -> None:
    check_args(weights, pooling)
    if len(input_shape) != 3 or input_shape[-1] != 3:
        raise ValueError(f"input_shape must be (H, W, 3), got {input_shape}")
    if include_top and None in input_shape[:2]:
        raise ValueError("include_top=True needs a fixed input_shape")


def mobilenet_v1(
    include_top: bool = True,
    input_shape: tuple[Any, ...] = (224, 224, 3),
    classes: int = 1000,
    pooling: str | None = None,
    name: str = "mobilenet_v1",
    alpha: float = 1.0,
    depth_multiplier: int = 1,
    dropout: float = 1e-3,
    classifier_activation: str | None = "softmax",
    weights: Any = None,
) -> Any:
    """MobileNet v1 (Howard et al. 2017) with width multiplier ``alpha``; equal to ``keras.applications.MobileNet``."""
    _check(tuple(input_shape), include_top, weights, pooling)
    inputs = keras.Input(shape=tuple(input_shape), name="input_layer")
    x = layers.Conv2D(int(V1_STEM_FILTERS * alpha), 3, strides=2, padding="same", use_bias=False, name="conv1")(inputs)
    x = layers.BatchNormalization(name="conv1_bn")(x)
    x = layers.ReLU(6.0, name="conv1_relu")(x)

    block_id = 0
    for filters, first_stride, blocks in V1_STAGES:
        for i in range(blocks):
            block_id += 1
            stride = first_stride if i == 0 else 1
            p = f"conv_dw_{block_id}"
            if stride != 1:
                x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
            x = layers.DepthwiseConv2D(
                3,
                strides=stride,
                padding="same" if stride == 1 else "valid",
                depth_multiplier=depth_multiplier,
                use_bias=False,
                name=p,
            )(x)
            x = layers.BatchNormalization(name=f"{p}_bn")(x)
            x = layers.ReLU(6.0, name=f"{p}_relu")(x)
            p = f"conv_pw_{block_id}"
            x = layers.Conv2D(int(filters * alpha), 1, padding="same", use_bias=False, name=p)(x)
            x = layers.BatchNormalization(name=f"{p}_bn")(x)
            x = layers.ReLU(6.0, name=f"{p}_relu")(x)

    def top(x: Any) -> Any:
        # the paper's FC layer, written (as Keras does) as a 1×1 conv on the pooled 1×1 map
        x = layers.GlobalAveragePooling2D(keepdims=True, name="global_pool")(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, 1, padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_preds")(x)
        return layers.Activation(classifier_activation, name="predictions")(x)

    return keras.Model(inputs, head(x, include_top, pooling, top), name=name)


def mobilenet_v2(
    include_top: bool = True,
    input_shape: tuple[Any, ...] = (224, 224, 3),
    classes: int = 1000,
    pooling: str | None = None,
    name: str = "mobilenet_v2",
    alpha: float = 1.0,
    classifier_activation: str | None = "softmax",
    weights: Any = None,
) -> Any:
    """MobileNet v2 (Sandler et al. 2018) with width multiplier ``alpha``; equal to ``keras.applications.MobileNetV2``."""
    _check(tuple(input_shape), include_top, weights, pooling)

    def bn(name: str) -> Any:
        return layers.BatchNormalization(epsilon=1e-3, momentum=0.999, name=name)

    inputs = keras.Input(shape=tuple(input_shape), name="input_layer")
    x = layers.Conv2D(
        make_divisible(V2_STEM_FILTERS * alpha, 8), 3, strides=2, padding="same", use_bias=False, name="Conv1"
    )(inputs)
    x = bn("bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)

    block_id = 0
    for t, c, n, s in V2_STAGES:
        out_channels = make_divisible(int(c * alpha), 8)
        for i in range(n):
            stride = s if i == 0 else 1
            in_channels = x.shape[-1]
            block_input = x
            if t != 1:  # the first block (t = 1) has no expansion conv
                p = f"block_{block_id}_"
                x = layers.Conv2D(t * in_channels, 1, padding="same", use_bias=False, name=f"{p}expand")(x)
                x = bn(f"{p}expand_BN")(x)
                x = layers.ReLU(6.0, name=f"{p}expand_relu")(x)
            else:
                p = "expanded_conv_"
            if stride == 2:
                pad = _correct_pad(x.shape[1], 3), _correct_pad(x.shape[2], 3)
                x = layers.ZeroPadding2D(pad, name=f"{p}pad")(x)
            x = layers.DepthwiseConv2D(
                3, strides=stride, padding="same" if stride == 1 else "valid", use_bias=False, name=f"{p}depthwise"
            )(x)
            x = bn(f"{p}depthwise_BN")(x)
            x = layers.ReLU(6.0, name=f"{p}depthwise_relu")(x)
            # linear bottleneck: the projection has no activation
            x = layers.Conv2D(out_channels, 1, padding="same", use_bias=False, name=f"{p}project")(x)
            x = bn(f"{p}project_BN")(x)
            if stride == 1 and in_channels == out_channels:  # inverted residual: thin-to-thin skip
                x = layers.Add(name=f"{p}add")([block_input, x])
            block_id += 1

    last = make_divisible(V2_LAST_FILTERS * alpha, 8) if alpha > 1.0 else V2_LAST_FILTERS
    x = layers.Conv2D(last, 1, use_bias=False, name="Conv_1")(x)
    x = bn("Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)

    def top(x: Any) -> Any:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)

    return keras.Model(inputs, head(x, include_top, pooling, top), name=name)


__all__ = ["V1_STAGES", "V2_STAGES", "make_divisible", "mobilenet_v1", "mobilenet_v2"]
