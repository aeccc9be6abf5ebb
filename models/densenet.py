"""DenseNet: every layer of a dense block receives the concatenation of all earlier feature maps.

Reference: G. Huang, Z. Liu, L. van der Maaten, K. Q. Weinberger (2017), *Densely Connected Convolutional
Networks*, CVPR (arXiv:1608.06993) — the DenseNet-BC variant: 1×1 bottleneck (4k channels) before each
3×3, and transitions that halve the channels (compression θ = 0.5) and the resolution (2×2 avg-pool).

=============  ====  ===========  ================  ===========  =====================================
registry name  k     stem C0      layers per block  Keras        published
=============  ====  ===========  ================  ===========  =====================================
densenet121    32    64           6, 12, 24, 16     8,062,504    keras.applications.DenseNet121
densenet161    48    96           6, 12, 36, 24     28,900,936   torchvision 28,681,000 (trainable)
densenet169    32    64           6, 12, 32, 32     14,307,880   keras.applications.DenseNet169
densenet201    32    64           6, 12, 48, 32     20,242,984   keras.applications.DenseNet201
=============  ====  ===========  ================  ===========  =====================================

Channel growth: a block of ``L`` layers turns ``C0`` channels into ``C0 + L·k`` (each layer concatenates
``k`` new maps); the transition after it keeps ``floor(C/2)``.  DenseNet-121: 64 → 256 → 128 → 512 → 256 →
1024 → 512 → 1024.

One dense layer (``conv2_block3``): BN → ReLU → 1×1 conv (4k) → BN → ReLU → 3×3 conv (k) → concatenate with
its input.  Convs have no bias (a BN follows or precedes each).  Layer names, order and output shapes equal
``keras.applications.DenseNet*`` exactly, except that the two stem paddings Keras leaves unnamed are named
``conv1_pad`` and ``pool1_pad`` here.  Keras' ``count_params()`` also counts BatchNorm moving mean and
variance (2 per BN channel), which torchvision's ``num_params`` leaves out: Keras trainable = torchvision.

The builder walks ``DEPTHS`` (stem width, growth rate, layers per block); DenseNet-161 is only a different
row, not different code.
"""

from __future__ import annotations

from typing import Any

from ._keras import check_args, head, keras
from .resnet import classifier

layers = keras.layers

BN_EPS = 1.001e-5  # keras.applications' epsilon
BOTTLENECK = 4  # the 1×1 conv of a dense layer has BOTTLENECK·k filters
COMPRESSION = 0.5  # a transition keeps floor(θ·C) channels

# depth -> (stem channels C0, growth rate k, layers per dense block)
DEPTHS: dict[int, tuple[int, int, tuple[int, int, int, int]]] = {
    121: (64, 32, (6, 12, 24, 16)),
    161: (96, 48, (6, 12, 36, 24)),
    169: (64, 32, (6, 12, 32, 32)),
    201: (64, 32, (6, 12, 48, 32)),
}
STAGE_NAMES = ("conv2", "conv3", "conv4", "conv5")  # block i is followed by transition pool{i+2} (not the last)


def _bn_relu(x: Any, name: str) -> Any:
    x = layers.BatchNormalization(axis=-1, epsilon=BN_EPS, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x)


def dense_layer(x: Any, growth: int, name: str) -> Any:
    """BN-ReLU-1×1 (4k) → BN-ReLU-3×3 (k), concatenated to the input: C → C + k channels."""
    y = _bn_relu(x, f"{name}_0")
    y = layers.Conv2D(BOTTLENECK * growth, 1, use_bias=False, name=f"{name}_1_conv")(y)
    y = _bn_relu(y, f"{name}_1")
    y = layers.Conv2D(growth, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(y)
    return layers.Concatenate(axis=-1, name=f"{name}_concat")([x, y])


def transition(x: Any, name: str) -> Any:
    """BN-ReLU-1×1 (floor(θ·C)) → 2×2 average pool, stride 2."""
    x = _bn_relu(x, name)
    x = layers.Conv2D(int(x.shape[-1] * COMPRESSION), 1, use_bias=False, name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def densenet(
    depth: int = 121,
    include_top: bool = True,
    input_shape: tuple[Any, ...] | None = (224, 224, 3),
    classes: int = 1000,
    pooling: str | None = None,
    name: str = "densenet",
    classifier_activation: Any = "softmax",
    weights: Any = None,
) -> Any:
    """DenseNet-BC-``depth`` (121, 161, 169, 201) with keras.applications' layer names and head semantics."""
    check_args(weights, pooling)
    if depth not in DEPTHS:
        raise ValueError(f"depth must be one of {sorted(DEPTHS)}, not {depth!r}")
    stem, growth, blocks = DEPTHS[depth]

    inputs = keras.Input(shape=tuple(input_shape or (224, 224, 3)), name="input_layer")
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(inputs)
    x = layers.Conv2D(stem, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = _bn_relu(x, "conv1")
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for i, (stage, n) in enumerate(zip(STAGE_NAMES, blocks, strict=True)):
        for j in range(1, n + 1):
            x = dense_layer(x, growth, f"{stage}_block{j}")
        if i < len(blocks) - 1:
            x = transition(x, f"pool{i + 2}")
    x = layers.BatchNormalization(axis=-1, epsilon=BN_EPS, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    x = head(x, include_top, pooling, classifier(classes, classifier_activation))
    return keras.Model(inputs, x, name=name)


__all__ = ["DEPTHS", "dense_layer", "densenet", "transition"]
