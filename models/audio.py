"""Audio CNNs: WaveNet (dilated causal Conv1D stacks) and a small 2D CNN over mel spectrograms.

References
----------
* **WaveNet** — A. van den Oord, S. Dieleman, H. Zen, K. Simonyan, O. Vinyals, A. Graves, N. Kalchbrenner,
  A. Senior, K. Kavukcuoglu (2016), *WaveNet: A Generative Model for Raw Audio*, arXiv:1609.03499.
* **spectrogram_cnn** — our own design (no paper): "audio as an image", a VGG-style stack of 3×3 conv → BN →
  ReLU blocks over a log-mel spectrogram, global average pooling and a dense classifier (as in many
  ESC-50 / UrbanSound baselines).

===================  ==================================================================  ============  =======
registry name        architecture                                                        input         classes
===================  ==================================================================  ============  =======
``wavenet``          causal conv K=2 → 2 stacks × dilations 1, 2, …, 512 of gated residual  4096×256      256
                     layers (tanh·sigmoid, 1×1 residual + 1×1 skip) → ReLU → 1×1 → ReLU
                     → 1×1 → softmax per time step (µ-law, 256 levels in and out)
``spectrogram_cnn``  4 blocks × 2 conv 3×3 (32, 64, 128, 256) + BN + ReLU, 2×2 max pool;     128×128×1     50
                     global average pool, dropout, dense
===================  ==================================================================  ============  =======

The receptive field of one WaveNet stack with kernel ``K`` is ``1 + Σ d·(K−1)`` = 1 + 1023 = 1024 samples for
dilations 1…512 and ``K = 2``; the whole model adds ``(K₀−1)`` for the initial causal conv and 1023 per stack.
"""

from __future__ import annotations

from typing import Any

from ._keras import check_args, global_pool, keras

layers = keras.layers

# --------------------------------------------------------------------------------------------------- WaveNet

WAVENET_DILATIONS: tuple[int, ...] = tuple(2**i for i in range(10))  # 1, 2, 4, …, 512: one stack
"""One stack of dilations; ``stacks`` repeats it (the paper's "1, 2, 4, …, 512, 1, 2, 4, …, 512, …")."""


def wavenet(
    include_top: bool = True,
    weights: Any = None,
    input_shape: tuple[int, ...] = (4096, 256),
    classes: int = 256,
    pooling: str | None = None,
    classifier_activation: str | None = "softmax",
    name: str = "wavenet",
    dilations: tuple[int, ...] = WAVENET_DILATIONS,
    stacks: int = 2,
    kernel_size: int = 2,
    initial_kernel: int = 2,
    residual_channels: int = 32,
    dilation_channels: int = 32,
    skip_channels: int = 256,
) -> keras.Model:
    """WaveNet (van den Oord et al. 2016, §2.1–2.4, Fig. 4).

    Input: a one-hot µ-law signal ``(T, 256)``.  Every residual layer computes
    ``z = tanh(W_f * x) ⊙ σ(W_g * x)`` with dilated causal convs, then a 1×1 skip conv (summed over all
    layers) and a 1×1 residual conv added to ``x`` (the very last layer has no residual conv: nothing uses it).
    ``include_top=True`` gives a softmax over ``classes`` at every time step; ``include_top=False`` returns the
    ReLU of the skip sum ``(T, skip_channels)``, or its global pool with ``pooling``.
    """
    check_args(weights, pooling)
    inputs = keras.Input(shape=input_shape, name="input")
    x = layers.Conv1D(residual_channels, initial_kernel, padding="causal", name="causal_conv")(inputs)
    table = [(s + 1, i + 1, d) for s in range(stacks) for i, d in enumerate(dilations)]
    skips = []
    for n, (s, i, d) in enumerate(table):
        p = f"stack{s}_layer{i}"
        f = layers.Conv1D(dilation_channels, kernel_size, dilation_rate=d, padding="causal", name=f"{p}_filter_conv")(x)
        g = layers.Conv1D(dilation_channels, kernel_size, dilation_rate=d, padding="causal", name=f"{p}_gate_conv")(x)
        f = layers.Activation("tanh", name=f"{p}_tanh")(f)
        g = layers.Activation("sigmoid", name=f"{p}_sigmoid")(g)
        z = layers.Multiply(name=f"{p}_gated")([f, g])
        skips.append(layers.Conv1D(skip_channels, 1, name=f"{p}_skip_conv")(z))
        if n + 1 < len(table):
            r = layers.Conv1D(residual_channels, 1, name=f"{p}_res_conv")(z)
            x = layers.Add(name=f"{p}_res_add")([x, r])
    x = layers.Add(name="skip_add")(skips) if len(skips) > 1 else skips[0]
    x = layers.Activation("relu", name="head_relu1")(x)
    if include_top:
        x = layers.Conv1D(skip_channels, 1, name="head_conv1")(x)
        x = layers.Activation("relu", name="head_relu2")(x)
        x = layers.Conv1D(classes, 1, name="head_conv2")(x)
        x = layers.Activation(classifier_activation or "linear", name="predictions")(x)
    elif pooling:
        x = global_pool(pooling, 1, "pool")(x)
    return keras.Model(inputs, x, name=name)


# ---------------------------------------------------------------------------------------- spectrogram CNN

SPECTROGRAM_BLOCKS: list[dict[str, Any]] = [
    {"block": 1, "filters": 32, "convs": 2, "pool": (2, 2)},
    {"block": 2, "filters": 64, "convs": 2, "pool": (2, 2)},
    {"block": 3, "filters": 128, "convs": 2, "pool": (2, 2)},
    {"block": 4, "filters": 256, "convs": 2, "pool": (2, 2)},
]


def spectrogram_cnn(
    include_top: bool = True,
    weights: Any = None,
    input_shape: tuple[int, ...] = (128, 128, 1),
    classes: int = 50,
    pooling: str | None = None,
    classifier_activation: str | None = "softmax",
    name: str = "spectrogram_cnn",
    blocks: list[dict[str, Any]] | None = None,
    kernel_size: int = 3,
    dropout: float = 0.3,
) -> keras.Model:
    """A 2D CNN over a (mel bins × frames × 1) log-mel spectrogram: the spectrogram is treated as an image.

    Each block: ``convs`` × (Conv2D k×k 'same', no bias → BN → ReLU), then a max pool.  The head is global
    average pooling → dropout → dense (so any number of frames works); ``include_top=False`` returns the last
    pool's feature map (or its global pool with ``pooling``).
    """
    check_args(weights, pooling)
    inputs = keras.Input(shape=input_shape, name="input")
    x = inputs
    for b in blocks or SPECTROGRAM_BLOCKS:
        p = f"block{b['block']}"
        for i in range(1, b["convs"] + 1):
            x = layers.Conv2D(b["filters"], kernel_size, padding="same", use_bias=False, name=f"{p}_conv{i}")(x)
            x = layers.BatchNormalization(axis=-1, name=f"{p}_bn{i}")(x)
            x = layers.Activation("relu", name=f"{p}_relu{i}")(x)
        x = layers.MaxPooling2D(b["pool"], strides=b["pool"], name=f"{p}_pool")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling:
        x = global_pool(pooling, 2, "pool")(x)
    return keras.Model(inputs, x, name=name)


__all__ = ["SPECTROGRAM_BLOCKS", "WAVENET_DILATIONS", "spectrogram_cnn", "wavenet"]
