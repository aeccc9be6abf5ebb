"""Xception, layer-for-layer equal to ``keras.applications.Xception``.

Reference: F. Chollet (2017), *Xception: Deep Learning with Depthwise Separable Convolutions*, CVPR 2017,
arXiv:1610.02357.

Inception's modules taken to the extreme: every 3×3 conv after the two stem convs is a depthwise-separable
conv (3×3 depthwise per channel, then a 1×1 pointwise mix), organised in residual blocks:

============  ==========================================================  ===========  ==============
flow          blocks                                                      Keras        paper (Table 3)
============  ==========================================================  ===========  ==============
entry         2 stem convs (3×3/2 32, 3×3 64, 'valid'); blocks 2–4:       22,910,480   22,855,952
              2 separable convs + 3×3/2 max pool, 1×1/2 conv shortcut     (299×299)    (trainable)
middle        blocks 5–12: 3 separable convs (728), identity shortcut
exit          block 13: separable 728, 1024 + pool, 1×1/2 shortcut;
              block 14: separable 1536, 2048 (ReLU after); GAP + dense
============  ==========================================================  ===========  ==============

The Keras figure counts BN moving statistics (54,528 = 2 × 27,264 BN channels); without them the count is
the paper's 22,855,952.  Separable convs carry no bias (BN follows), and in the residual blocks the ReLU
comes *before* each separable conv (pre-activation), except in block 2 whose input already passed one.
Input 299×299 (minimum 71).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._keras import check_args, global_pool, keras

layers = keras.layers


@dataclass(frozen=True)
class XBlock:
    """A stage of Xception blocks.

    ``kind``: ``"down"`` — separable convs, 3×3/2 max pool, 1×1/2 conv + BN on the shortcut;
    ``"identity"`` — separable convs, identity shortcut; ``"exit"`` — separable convs with ReLU *after*
    each, no shortcut.  ``relu_first``: a ReLU precedes the first separable conv (pre-activation).
    """

    kind: str
    widths: tuple[int, ...]
    repeats: int = 1
    relu_first: bool = True


STEM: tuple[tuple[int, int], ...] = ((32, 2), (64, 1))  # 3×3 'valid' convs: (filters, stride)
BLOCKS: tuple[XBlock, ...] = (
    XBlock("down", (128, 128), relu_first=False),  # block 2 (its input is block1_conv2_act)
    XBlock("down", (256, 256)),  # block 3
    XBlock("down", (728, 728)),  # block 4
    XBlock("identity", (728, 728, 728), repeats=8),  # blocks 5–12: the middle flow
    XBlock("down", (728, 1024)),  # block 13
    XBlock("exit", (1536, 2048)),  # block 14
)


def xception(
    include_top: bool = True,
    input_shape: tuple[Any, ...] = (299, 299, 3),
    classes: int = 1000,
    pooling: str | None = None,
    name: str = "xception",
    classifier_activation: str | None = "softmax",
    weights: Any = None,
) -> Any:
    """Xception (Chollet 2017); equal to ``keras.applications.Xception`` (``weights=None``)."""
    check_args(weights, pooling)
    input_shape = tuple(input_shape)
    if len(input_shape) != 3 or input_shape[-1] != 3:
        raise ValueError(f"input_shape must be (H, W, 3), got {input_shape}")
    if any(s is not None and s < 71 for s in input_shape[:2]):
        raise ValueError(f"Xception needs inputs of at least 71×71, got {input_shape}")

    inputs = keras.Input(shape=input_shape, name="input_layer")
    x = inputs
    for i, (filters, stride) in enumerate(STEM, start=1):
        p = f"block1_conv{i}"
        x = layers.Conv2D(filters, 3, strides=stride, use_bias=False, name=p)(x)
        x = layers.BatchNormalization(name=f"{p}_bn")(x)
        x = layers.Activation("relu", name=f"{p}_act")(x)

    block = 1
    for spec in BLOCKS:
        for _ in range(spec.repeats):
            block += 1
            p = f"block{block}"
            shortcut = x
            if spec.kind == "down":
                shortcut = layers.Conv2D(
                    spec.widths[-1], 1, strides=2, padding="same", use_bias=False, name=f"{p}_shortcut"
                )(x)
                shortcut = layers.BatchNormalization(name=f"{p}_shortcut_bn")(shortcut)
            for i, width in enumerate(spec.widths, start=1):
                if spec.kind != "exit" and (i > 1 or spec.relu_first):
                    x = layers.Activation("relu", name=f"{p}_sepconv{i}_act")(x)
                x = layers.SeparableConv2D(width, 3, padding="same", use_bias=False, name=f"{p}_sepconv{i}")(x)
                x = layers.BatchNormalization(name=f"{p}_sepconv{i}_bn")(x)
                if spec.kind == "exit":
                    x = layers.Activation("relu", name=f"{p}_sepconv{i}_act")(x)
            if spec.kind == "down":
                x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"{p}_pool")(x)
            if spec.kind != "exit":
                x = layers.Add(name=f"{p}_add")([x, shortcut])

    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling is not None:
        x = global_pool(pooling)(x)
    return keras.Model(inputs, x, name=name)


__all__ = ["BLOCKS", "STEM", "XBlock", "xception"]
