"""AlexNet: torchvision's single-tower layout and the original two-GPU network of the 2012 paper.

Reference: A. Krizhevsky, I. Sutskever, G. E. Hinton (2012), *ImageNet Classification with Deep Convolutional
Neural Networks*, NIPS 2012.  torchvision's ``alexnet`` follows A. Krizhevsky (2014), *One weird trick for
parallelizing convolutional neural networks*, arXiv:1404.5997 (one tower, 64-192-384-256-256 filters).

=============  ============================================================  ===========  ====================
registry name  structure                                                     Keras        published
=============  ============================================================  ===========  ====================
alexnet        224×224×3; conv 64@11×11/4 p2 → max 3/2 → conv 192@5×5 p2 →    61,100,840   torchvision
               max 3/2 → conv 384, 256, 256 @3×3 p1 → max 3/2 →                           61,100,840,
               adaptive avg-pool 6×6 → dropout → FC 4096 → dropout →                      0.71 GFLOPS
               FC 4096 → FC 1000                                                          (MACs)
alexnet_2gpu   227×227×3; conv 96@11×11/4 → LRN → max 3/2 → conv 256@5×5      60,965,224   paper: "60
               p2 **groups=2** → LRN → max 3/2 → conv 384@3×3 p1 (full) →                 million
               conv 384@3×3 p1 **groups=2** → conv 256@3×3 p1 **groups=2**                parameters"
               → max 3/2 → FC 4096 → dropout → FC 4096 → dropout → FC 1000
=============  ============================================================  ===========  ====================

The paper trains one network split over two GTX 580 GPUs: each GPU holds half of every layer's kernels,
and conv2, conv4 and conv5 only see the maps on their own GPU.  That is exactly a grouped convolution
with ``groups=2`` (each of conv2's 256 kernels is 5×5×48, not 5×5×96), while conv3 and the FC layers
"communicate" across GPUs (full connectivity).  ReLU everywhere; overlapping max-pooling (3×3, stride 2);
local response normalisation (k = 2, n = 5, α = 10⁻⁴, β = 0.75) after the ReLUs of conv1 and conv2;
dropout 0.5 on the first two FC layers.  The paper's text says 224×224 input, but 11×11/4 only yields its
55×55 maps from 227×227 (224 would give 54.25); torchvision keeps 224 and pads conv1 by 2 instead.
Explicit padding ``p`` is a ``ZeroPadding2D(p)`` before a 'valid' conv, as in PyTorch.

The builder walks a table (``CONFIGS``) of conv rows; the two registry names are two tables.
"""

from __future__ import annotations

from typing import Any

from ._keras import check_args, head, keras

layers = keras.layers
ops = keras.ops

# One row per conv layer: (filters, kernel, stride, padding, groups, LRN after the ReLU, max-pool after).
CONFIGS: dict[str, dict[str, Any]] = {
    "torchvision": {
        "convs": (
            (64, 11, 4, 2, 1, False, True),
            (192, 5, 1, 2, 1, False, True),
            (384, 3, 1, 1, 1, False, False),
            (256, 3, 1, 1, 1, False, False),
            (256, 3, 1, 1, 1, False, True),
        ),
        "adaptive_pool": 6,  # AdaptiveAvgPool2d((6, 6)): the identity at 224, lets smaller inputs through
        "fc": (4096, 4096),
        "dropout_before_fc": True,  # Dropout → Linear → ReLU, twice
    },
    "paper": {
        "convs": (
            (96, 11, 4, 0, 1, True, True),
            (256, 5, 1, 2, 2, True, True),
            (384, 3, 1, 1, 1, False, False),
            (384, 3, 1, 1, 2, False, False),
            (256, 3, 1, 1, 2, False, True),
        ),
        "adaptive_pool": None,
        "fc": (4096, 4096),
        "dropout_before_fc": False,  # dropout on the outputs of the first two FC layers
    },
}
POOL = (3, 2)  # overlapping max-pooling: 3×3 windows, stride 2
LRN = {"depth_radius": 2, "bias": 2.0, "alpha": 1e-4, "beta": 0.75}  # paper sec. 3.3: n = 5, k = 2


@keras.saving.register_keras_serializable(package="cnnquiz")
class LocalResponseNormalization(keras.layers.Layer):
    """``b_i = a_i / (k + α·Σ_{|j−i| ≤ r} a_j²)^β`` across channels (Krizhevsky et al. 2012, sec. 3.3).

    ``depth_radius`` r = n/2; same convention as ``tf.nn.local_response_normalization`` (α not divided by n,
    unlike PyTorch's ``LocalResponseNorm``).  No parameters.
    """

    def __init__(
        self, depth_radius: int = 2, bias: float = 2.0, alpha: float = 1e-4, beta: float = 0.75, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.depth_radius, self.bias, self.alpha, self.beta = int(depth_radius), float(bias), float(alpha), float(beta)

    def call(self, x: Any) -> Any:
        r, c = self.depth_radius, x.shape[-1]
        sq = ops.pad(ops.square(x), [[0, 0]] * (len(x.shape) - 1) + [[r, r]])
        window = sq[..., 0:c]
        for i in range(1, 2 * r + 1):
            window = window + sq[..., i : i + c]
        return x / ops.power(self.bias + self.alpha * window, self.beta)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "depth_radius": self.depth_radius,
            "bias": self.bias,
            "alpha": self.alpha,
            "beta": self.beta,
        }


def alexnet(
    include_top: bool = True,
    input_shape: tuple[Any, ...] = (224, 224, 3),
    classes: int = 1000,
    pooling: str | None = None,
    name: str = "alexnet",
    config: str = "torchvision",
    dropout: float = 0.5,
    classifier_activation: str | None = "softmax",
    weights: Any = None,
) -> Any:
    """AlexNet from the ``CONFIGS[config]`` table (``"torchvision"`` or ``"paper"``)."""
    check_args(weights, pooling)
    cfg = CONFIGS[config]
    inputs = keras.Input(shape=tuple(input_shape), name="input_layer")
    x = inputs
    for i, (filters, kernel, stride, pad, groups, lrn, pool) in enumerate(cfg["convs"], start=1):
        p = f"conv{i}"
        if pad:
            x = layers.ZeroPadding2D(pad, name=f"{p}_pad")(x)
        x = layers.Conv2D(filters, kernel, strides=stride, groups=groups, name=f"{p}_conv")(x)
        x = layers.ReLU(name=f"{p}_relu")(x)
        if lrn:
            x = LocalResponseNormalization(**LRN, name=f"{p}_lrn")(x)
        if pool:
            x = layers.MaxPooling2D(POOL[0], strides=POOL[1], name=f"{p}_pool")(x)

    def top(x: Any) -> Any:
        if cfg["adaptive_pool"]:
            x = layers.AdaptiveAveragePooling2D(cfg["adaptive_pool"], name="avgpool")(x)
        x = layers.Flatten(name="flatten")(x)
        for i, units in enumerate(cfg["fc"], start=6):
            if cfg["dropout_before_fc"]:
                x = layers.Dropout(dropout, name=f"fc{i}_dropout")(x)
            x = layers.Dense(units, activation="relu", name=f"fc{i}")(x)
            if not cfg["dropout_before_fc"]:
                x = layers.Dropout(dropout, name=f"fc{i}_dropout")(x)
        return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)

    return keras.Model(inputs, head(x, include_top, pooling, top), name=name)


__all__ = ["CONFIGS", "LocalResponseNormalization", "alexnet"]
