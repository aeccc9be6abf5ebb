"""LeNet-5, the conv → pool → conv → pool → FC → FC → classifier template.

Reference: Y. LeCun, L. Bottou, Y. Bengio, P. Haffner (1998), *Gradient-Based Learning Applied to Document
Recognition*, Proc. IEEE 86(11) — LeNet-5 is section II.B (the conv/subsampling design goes back to
LeCun et al. 1989, *Backpropagation Applied to Handwritten Zip Code Recognition*).

=============  ==============================================================  ===========  ============
registry name  structure (32×32×1 input)                                       Keras        paper
=============  ==============================================================  ===========  ============
lenet5         C1 conv 6@5×5 → S2 avg-pool 2 → C3 conv 16@5×5 → S4 avg-pool 2  61,706       60,000
               → flatten (5·5·16 = 400) → F5 dense 120 → F6 dense 84 → 10                   trainable
=============  ==============================================================  ===========  ============

This is the *modern textbook* LeNet-5 (d2l, most courses): full C3 connectivity, parameter-free average
pooling, tanh, a plain dense softmax output.  The paper's network differs in three counted places (see
``models/facts/lenet.py`` for the arithmetic): C3 connects each of its 16 maps to only 3, 4 or 6 of S2's
6 maps (1,516 parameters instead of 2,416); S2/S4 "subsampling" units have a trainable coefficient and
bias per map (12 + 32 parameters); the output layer is 10 Euclidean RBF units whose 84·10 weights are
fixed by hand, not trained.  That gives the paper's "60,000 trainable parameters" exactly.

The builder walks ``CONV_STAGES`` (filters, kernel, pool) and ``DENSE_UNITS``; both are arguments, so a
LeNet-like variant is a different table, not new code.
"""

from __future__ import annotations

from typing import Any

from ._keras import check_args, head, keras

layers = keras.layers

# (filters, kernel, pool size) per conv stage — C1/S2 and C3/S4 of the paper.
CONV_STAGES: tuple[tuple[int, int, int], ...] = ((6, 5, 2), (16, 5, 2))
# hidden dense layers after the flatten — C5 (a 5×5 conv on a 5×5 map, i.e. a dense layer) and F6.
DENSE_UNITS: tuple[int, ...] = (120, 84)


def lenet(
    include_top: bool = True,
    input_shape: tuple[Any, ...] = (32, 32, 1),
    classes: int = 10,
    pooling: str | None = None,
    name: str = "lenet5",
    conv_stages: tuple[tuple[int, int, int], ...] = CONV_STAGES,
    dense_units: tuple[int, ...] = DENSE_UNITS,
    activation: str = "tanh",
    pool: str = "avg",
    classifier_activation: str | None = "softmax",
    weights: Any = None,
) -> Any:
    """LeNet-style network: ``conv_stages`` of (filters, kernel, pool) with 'valid' convs, then dense layers."""
    check_args(weights, pooling)
    if pool not in ("avg", "max"):
        raise ValueError(f"pool must be 'avg' or 'max', not {pool!r}")
    Pool = layers.AveragePooling2D if pool == "avg" else layers.MaxPooling2D
    inputs = keras.Input(shape=tuple(input_shape), name="input_layer")
    x = inputs
    for i, (filters, kernel, size) in enumerate(conv_stages, start=1):
        x = layers.Conv2D(filters, kernel, padding="valid", activation=activation, name=f"block{i}_conv")(x)
        x = Pool(size, strides=size, name=f"block{i}_pool")(x)

    def top(x: Any) -> Any:
        x = layers.Flatten(name="flatten")(x)
        for i, units in enumerate(dense_units, start=1):
            x = layers.Dense(units, activation=activation, name=f"fc{i}")(x)
        return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)

    return keras.Model(inputs, head(x, include_top, pooling, top), name=name)


__all__ = ["CONV_STAGES", "DENSE_UNITS", "lenet"]
