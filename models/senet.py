"""SENet: squeeze-and-excitation gates that rescale each channel of a residual branch.

Reference: J. Hu, L. Shen, G. Sun (2018), *Squeeze-and-Excitation Networks*, CVPR (arXiv:1709.01507;
extended with S. Albanie and E. Wu in TPAMI 2020).

==============  ====================================  ======  ===========  ============================
registry name   backbone                              r       Keras        published
==============  ====================================  ======  ===========  ============================
se_resnet50     ResNet-50 v1.5 (stride in the 3×3,    16      28,141,144   paper 28.09 M (trainable
                bias-free convs) + SE on every block                       28,088,024 here)
==============  ====================================  ======  ===========  ============================

The SE block (paper Fig. 3), applied to the residual branch after its last BatchNorm and before the add::

    u (H×W×C) ─ GAP ─ Dense(C/r) ─ ReLU ─ Dense(C) ─ sigmoid ─ s (1×1×C)
    u ────────────────────────────────────────────── Multiply(u, s) → + shortcut → ReLU

Its cost is two small dense layers per block, ``2·C²/r + C/r + C`` parameters (with biases) and
``2·C²/r`` MACs: about +9.9 % parameters and +0.06 % MACs over ResNet-50 (``models/facts/senet.py``).
The layer names extend ResNet's: ``conv3_block2_se_squeeze``, ``_se_reduce``, ``_se_relu``, ``_se_expand``,
``_se_sigmoid``, ``_se_scale``.

The backbone is :func:`models.resnet.resnet` (one builder, walking its stage table); this module only
supplies the gate, so a SE-ResNet-101 is ``se_resnet(depth=101)``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from ._keras import keras
from .resnet import resnet

layers = keras.layers

SE_RATIO = 16  # the paper's reduction ratio r (Table 10: r = 16 balances accuracy and cost)


def squeeze_excite(x: Any, name: str, ratio: int = SE_RATIO) -> Any:
    """Squeeze (global average pool) → excite (Dense C/r, ReLU, Dense C, sigmoid) → rescale channels of ``x``."""
    channels = int(x.shape[-1])
    s = layers.GlobalAveragePooling2D(keepdims=True, name=f"{name}_se_squeeze")(x)
    s = layers.Dense(channels // ratio, name=f"{name}_se_reduce")(s)
    s = layers.Activation("relu", name=f"{name}_se_relu")(s)
    s = layers.Dense(channels, name=f"{name}_se_expand")(s)
    s = layers.Activation("sigmoid", name=f"{name}_se_sigmoid")(s)
    return layers.Multiply(name=f"{name}_se_scale")([x, s])


def se_resnet(
    depth: int = 50,
    layout: str = "v1.5",
    ratio: int = SE_RATIO,
    include_top: bool = True,
    input_shape: tuple[Any, ...] | None = (224, 224, 3),
    classes: int = 1000,
    pooling: str | None = None,
    name: str = "se_resnet",
    classifier_activation: Any = "softmax",
    weights: Any = None,
    **resnet_kwargs: Any,
) -> Any:
    """SE-ResNet-``depth``: :func:`models.resnet.resnet` with a squeeze-and-excitation gate on every block."""
    return resnet(
        depth=depth,
        layout=layout,
        include_top=include_top,
        input_shape=input_shape,
        classes=classes,
        pooling=pooling,
        name=name,
        classifier_activation=classifier_activation,
        excite=partial(squeeze_excite, ratio=ratio),
        weights=weights,
        **resnet_kwargs,
    )


__all__ = ["SE_RATIO", "se_resnet", "squeeze_excite"]
