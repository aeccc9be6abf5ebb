"""ResNet: residual learning, ``y = F(x) + x``, with basic (3×3, 3×3) or bottleneck (1×1, 3×3, 1×1) blocks.

Reference: K. He, X. Zhang, S. Ren, J. Sun (2016), *Deep Residual Learning for Image Recognition*, CVPR
(arXiv:1512.03385).  ResNet v1.5 (stride in the 3×3) is torchvision's / NVIDIA's variant of the same paper.

==============  ==========  ===============  ======  ====  ===========  ====================================
registry name   block       blocks/stage     stride  bias  Keras        published
==============  ==========  ===============  ======  ====  ===========  ====================================
resnet18        basic       2, 2, 2, 2       3×3     yes   11,703,912   torchvision 11,689,512 (no bias)
resnet34        basic       3, 4, 6, 3       3×3     yes   21,823,208   torchvision 21,797,672 (no bias)
resnet50        bottleneck  3, 4, 6, 3       1×1     yes   25,636,712   keras.applications.ResNet50
resnet101       bottleneck  3, 4, 23, 3      1×1     yes   44,707,176   keras.applications.ResNet101
resnet152       bottleneck  3, 8, 36, 3      1×1     yes   60,419,944   keras.applications.ResNet152
resnet50_v1_5   bottleneck  3, 4, 6, 3       3×3     no    25,610,152   torchvision 25,557,032 trainable
==============  ==========  ===============  ======  ====  ===========  ====================================

Two layouts (``LAYOUTS``):

* ``"v1"`` — keras.applications' ResNet50/101/152: the stage's stride sits in the block's first 1×1 conv and
  every conv has a bias (redundant before BatchNorm, but that is what Keras ships).  Layer names, order and
  output shapes equal ``keras.applications.ResNet*`` exactly (``conv3_block2_1_conv`` …).
* ``"v1.5"`` — torchvision's ``resnet50``: the stride sits in the 3×3 (explicit 1-pixel zero padding, like
  PyTorch's ``padding=1``, named ``conv3_block1_2_pad``) and convs have no bias.  Moving the stride costs
  FLOPs (the first 1×1 of stages 3–5 runs at 4× the positions: 3.86 → 4.09 GMACs) but no parameters.

Basic blocks have no 1×1 to put the stride in: it is in their first 3×3, as in torchvision, under both
layouts.  A projection shortcut (``_0_conv`` + ``_0_bn``) is used where the stride or width changes.

The builder walks ``STAGES`` (name, bottleneck width, stride of the first block) with the per-depth block
counts of ``DEPTHS``; ``excite`` lets :mod:`models.senet` insert a squeeze-and-excitation gate on each
residual branch without a second copy of this code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._keras import check_args, head, keras

layers = keras.layers

BN_EPS = 1.001e-5  # keras.applications' epsilon

# (stage name, bottleneck width ``planes``, stride of the stage's first block)
STAGES: tuple[tuple[str, int, int], ...] = (("conv2", 64, 1), ("conv3", 128, 2), ("conv4", 256, 2), ("conv5", 512, 2))

# depth -> (block kind, blocks per stage)
DEPTHS: dict[int, tuple[str, tuple[int, int, int, int]]] = {
    18: ("basic", (2, 2, 2, 2)),
    34: ("basic", (3, 4, 6, 3)),
    50: ("bottleneck", (3, 4, 6, 3)),
    101: ("bottleneck", (3, 4, 23, 3)),
    152: ("bottleneck", (3, 8, 36, 3)),
}

# output channels = planes · expansion
EXPANSION = {"basic": 1, "bottleneck": 4}

LAYOUTS: dict[str, dict[str, Any]] = {
    "v1": {"stride_in": "1x1", "use_bias": True},  # keras.applications.ResNet50/101/152
    "v1.5": {"stride_in": "3x3", "use_bias": False},  # torchvision.models.resnet50
}

Excite = Callable[[Any, str], Any]


def _bn(x: Any, name: str) -> Any:
    return layers.BatchNormalization(axis=-1, epsilon=BN_EPS, name=name)(x)


def _conv3x3(x: Any, filters: int, stride: int, use_bias: bool, name: str) -> Any:
    """3×3 conv; a strided one pads 1 pixel explicitly (torchvision's ``padding=1``), a stride-1 one uses 'same'."""
    if stride == 1:
        return layers.Conv2D(filters, 3, padding="same", use_bias=use_bias, name=f"{name}_conv")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=f"{name}_pad")(x)
    return layers.Conv2D(filters, 3, strides=stride, use_bias=use_bias, name=f"{name}_conv")(x)


def _shortcut(x: Any, filters: int, stride: int, use_bias: bool, name: str) -> Any:
    if stride == 1 and x.shape[-1] == filters:
        return x
    s = layers.Conv2D(filters, 1, strides=stride, use_bias=use_bias, name=f"{name}_0_conv")(x)
    return _bn(s, f"{name}_0_bn")


def basic_block(
    x: Any, planes: int, stride: int, use_bias: bool, name: str, excite: Excite | None = None, **_: Any
) -> Any:
    """3×3 → BN → ReLU → 3×3 → BN (+ shortcut) → ReLU; the stride is in the first 3×3."""
    shortcut = _shortcut(x, EXPANSION["basic"] * planes, stride, use_bias, name)
    x = _conv3x3(x, planes, stride, use_bias, f"{name}_1")
    x = layers.Activation("relu", name=f"{name}_1_relu")(_bn(x, f"{name}_1_bn"))
    x = _conv3x3(x, EXPANSION["basic"] * planes, 1, use_bias, f"{name}_2")
    x = _bn(x, f"{name}_2_bn")
    if excite is not None:
        x = excite(x, name)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def bottleneck_block(
    x: Any, planes: int, stride: int, use_bias: bool, name: str, stride_in: str = "1x1", excite: Excite | None = None
) -> Any:
    """1×1 (planes) → 3×3 (planes) → 1×1 (``EXPANSION["bottleneck"]``·planes = 4·planes), each with BN, ReLU
    between; stride in the 1×1 or the 3×3."""
    s1, s3 = (stride, 1) if stride_in == "1x1" else (1, stride)
    out = EXPANSION["bottleneck"] * planes
    shortcut = _shortcut(x, out, stride, use_bias, name)
    x = layers.Conv2D(planes, 1, strides=s1, use_bias=use_bias, name=f"{name}_1_conv")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(_bn(x, f"{name}_1_bn"))
    x = _conv3x3(x, planes, s3, use_bias, f"{name}_2")
    x = layers.Activation("relu", name=f"{name}_2_relu")(_bn(x, f"{name}_2_bn"))
    x = layers.Conv2D(out, 1, use_bias=use_bias, name=f"{name}_3_conv")(x)
    x = _bn(x, f"{name}_3_bn")
    if excite is not None:
        x = excite(x, name)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


BLOCKS = {"basic": basic_block, "bottleneck": bottleneck_block}


def classifier(classes: int, classifier_activation: Any) -> Any:
    """keras.applications' top: global average pooling, then ``Dense(classes)``."""

    def top(x: Any) -> Any:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)

    return top


def resnet(
    depth: int = 50,
    layout: str = "v1",
    include_top: bool = True,
    input_shape: tuple[Any, ...] | None = (224, 224, 3),
    classes: int = 1000,
    pooling: str | None = None,
    name: str = "resnet",
    use_bias: bool | None = None,
    classifier_activation: Any = "softmax",
    excite: Excite | None = None,
    weights: Any = None,
) -> Any:
    """ResNet-``depth`` (18, 34, 50, 101, 152) in ``layout`` ``"v1"`` (Keras) or ``"v1.5"`` (torchvision).

    ``use_bias`` overrides the layout's conv-bias choice (``resnet18`` with ``use_bias=False`` is
    torchvision's count); ``excite(x, block_name)`` is applied to each residual branch before the add.
    """
    check_args(weights, pooling)
    if depth not in DEPTHS:
        raise ValueError(f"depth must be one of {sorted(DEPTHS)}, not {depth!r}")
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {sorted(LAYOUTS)}, not {layout!r}")
    kind, counts = DEPTHS[depth]
    bias = LAYOUTS[layout]["use_bias"] if use_bias is None else use_bias
    block = BLOCKS[kind]

    inputs = keras.Input(shape=tuple(input_shape or (224, 224, 3)), name="input_layer")
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(inputs)
    x = layers.Conv2D(64, 7, strides=2, use_bias=bias, name="conv1_conv")(x)
    x = layers.Activation("relu", name="conv1_relu")(_bn(x, "conv1_bn"))
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for (stage, planes, stride), n in zip(STAGES, counts, strict=True):
        for i in range(1, n + 1):
            x = block(
                x,
                planes,
                stride if i == 1 else 1,
                bias,
                f"{stage}_block{i}",
                stride_in=LAYOUTS[layout]["stride_in"],
                excite=excite,
            )
    x = head(x, include_top, pooling, classifier(classes, classifier_activation))
    return keras.Model(inputs, x, name=name)


__all__ = ["BLOCKS", "DEPTHS", "EXPANSION", "LAYOUTS", "STAGES", "basic_block", "bottleneck_block", "head", "resnet"]
