"""VGG: only 3×3 convolutions, stacked deep; layer-for-layer equal to ``keras.applications.VGG16`` / ``VGG19``.

Reference: K. Simonyan, A. Zisserman (2014), *Very Deep Convolutional Networks for Large-Scale Image
Recognition*, arXiv:1409.1556 (ICLR 2015).

=============  ==========  ==============================  =============  ==========================
registry name  paper cfg   3×3 convs per block (64→512)    Keras          published
=============  ==========  ==============================  =============  ==========================
vgg16          D           2, 2, 3, 3, 3  (13 conv + 3 FC)  138,357,544   paper 138 M; torchvision
                                                                          15.47 GFLOPS (MACs)
vgg19          E           2, 2, 4, 4, 4  (16 conv + 3 FC)  143,667,240   paper 144 M; torchvision
                                                                          19.63 GFLOPS (MACs)
=============  ==========  ==============================  =============  ==========================

Every block: ``n`` × (3×3 conv, 'same', ReLU) then 2×2 max-pool stride 2; widths 64, 128, 256, 512, 512.
Top: flatten (7·7·512 = 25,088) → FC 4096 → FC 4096 → FC ``classes``.  The three FC layers hold
123,642,856 parameters — 89% of VGG-16, 86% of VGG-19: the quiz fact "most parameters sit in the FC
layers".  Like Keras (and unlike the paper and torchvision) the top has no dropout layers, which keeps the
layer sequence identical to ``keras.applications``; dropout has no parameters, so the counts are unaffected.
Layer names are Keras' own (``block3_conv2``, ``block5_pool``, ``fc1``, ``predictions``).

The builder walks ``CONFIGS[config]`` (the paper's configuration letters A, B, D, E of Table 1).
"""

from __future__ import annotations

from typing import Any

from ._keras import check_args, global_pool, keras

layers = keras.layers

WIDTHS: tuple[int, ...] = (64, 128, 256, 512, 512)
# paper Table 1: number of 3×3 convs in each of the five blocks (A = VGG-11, B = 13, D = 16, E = 19)
CONFIGS: dict[str, tuple[int, ...]] = {
    "A": (1, 1, 2, 2, 2),
    "B": (2, 2, 2, 2, 2),
    "D": (2, 2, 3, 3, 3),
    "E": (2, 2, 4, 4, 4),
}
FC_UNITS: tuple[int, ...] = (4096, 4096)


def vgg(
    include_top: bool = True,
    input_shape: tuple[Any, ...] = (224, 224, 3),
    classes: int = 1000,
    pooling: str | None = None,
    name: str = "vgg16",
    config: str = "D",
    classifier_activation: str | None = "softmax",
    weights: Any = None,
) -> Any:
    """VGG from the paper's configuration letter (``"D"`` = VGG-16, ``"E"`` = VGG-19)."""
    check_args(weights, pooling)
    inputs = keras.Input(shape=tuple(input_shape), name="input_layer")
    x = inputs
    for b, (n, width) in enumerate(zip(CONFIGS[config], WIDTHS), start=1):
        for i in range(1, n + 1):
            x = layers.Conv2D(width, 3, padding="same", activation="relu", name=f"block{b}_conv{i}")(x)
        x = layers.MaxPooling2D(2, strides=2, name=f"block{b}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        for i, units in enumerate(FC_UNITS, start=1):
            x = layers.Dense(units, activation="relu", name=f"fc{i}")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling is not None:
        x = global_pool(pooling)(x)
    return keras.Model(inputs, x, name=name)


__all__ = ["CONFIGS", "FC_UNITS", "WIDTHS", "vgg"]
