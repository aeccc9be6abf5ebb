"""Video CNNs: C3D, I3D and SlowFast-R50, built from data tables with ``keras.applications``-style arguments.

References
----------
* **C3D** — D. Tran, L. Bourdev, R. Fergus, L. Torresani, M. Paluri (2015), *Learning Spatiotemporal Features
  with 3D Convolutional Networks*, ICCV.
* **I3D** — J. Carreira, A. Zisserman (2017), *Quo Vadis, Action Recognition? A New Model and the Kinetics
  Dataset*, CVPR.
* **SlowFast** — C. Feichtenhofer, H. Fan, J. Malik, K. He (2019), *SlowFast Networks for Video Recognition*,
  ICCV.

Inputs are channels-last clips ``(T, H, W, C)``.

================  ==============================================================  ============  =========
registry name     architecture                                                    input         classes
================  ==============================================================  ============  =========
``c3d``           8 Conv3D 3×3×3 (64,128,256,256,512,512,512,512), 5 max pools     16×112×112×3  487
                  (pool1 1×2×2, then 2×2×2), fc6/fc7 4096 + dropout, softmax
``i3d``           Inception-v1 (BN) inflated to 3D: 7×7×7 stem, 9 mixed blocks,    64×224×224×3  400
                  every N×N kernel → N×N×N except the first two 1×3×3 pools
``slowfast_r50``  ResNet-50 slow pathway (T/α frames) + fast pathway (T frames,    32×256×256×3  400
                  β=1/8 channels), 4 lateral 5×1×1 stride-α convs fast→slow
================  ==============================================================  ============  =========

Each family is one table (``C3D_BLOCKS``, ``I3D_BLOCKS``, ``SLOWFAST_STAGES``) walked by one builder.
:func:`inflate_2d_kernel` is I3D's bootstrapping rule (repeat a 2D kernel ``T`` times along time and divide by
``T``); :func:`inception_v1` builds the 2D Inception-v1 from the same table as I3D (``ndim=2``) and
:func:`i3d_from_2d` inflates a 2D kernel dict (or 2D model) into a fresh I3D.
"""

from __future__ import annotations

from typing import Any

from ._keras import check_args, global_pool, keras, np

layers = keras.layers

# ----------------------------------------------------------------------------------------------- shared helpers


def _conv(ndim: int) -> type[layers.Layer]:
    return {2: layers.Conv2D, 3: layers.Conv3D}[ndim]


def _maxpool(ndim: int) -> type[layers.Layer]:
    return {2: layers.MaxPooling2D, 3: layers.MaxPooling3D}[ndim]


def _dims(k: tuple[int, ...], ndim: int) -> tuple[int, ...]:
    """A 3D (t, h, w) kernel/stride written in the table, reduced to the last ``ndim`` axes."""
    return tuple(k[-ndim:])


# ------------------------------------------------------------------------------------------------------- C3D

C3D_BLOCKS: list[dict[str, Any]] = [
    # filters of the 3×3×3 convs of each block, then the max pool after it (Caffe's ceil-mode rounding = "same")
    {"block": 1, "filters": (64,), "pool": (1, 2, 2)},
    {"block": 2, "filters": (128,), "pool": (2, 2, 2)},
    {"block": 3, "filters": (256, 256), "pool": (2, 2, 2)},
    {"block": 4, "filters": (512, 512), "pool": (2, 2, 2)},
    {"block": 5, "filters": (512, 512), "pool": (2, 2, 2)},
]
C3D_FC: tuple[int, ...] = (4096, 4096)


def c3d(
    include_top: bool = True,
    weights: Any = None,
    input_shape: tuple[int, ...] = (16, 112, 112, 3),
    classes: int = 487,
    pooling: str | None = None,
    classifier_activation: str | None = "softmax",
    name: str = "c3d",
    blocks: list[dict[str, Any]] | None = None,
    fc: tuple[int, ...] = C3D_FC,
    kernel_size: tuple[int, int, int] = (3, 3, 3),
    dropout: float = 0.5,
) -> keras.Model:
    """C3D (Tran et al. 2015): conv1a…conv5b (3×3×3, stride 1, 'same'), pool1 1×2×2, pools 2–5 2×2×2.

    pool5 uses Caffe's ceil rounding (Keras ``padding="same"``): 2×7×7 → 1×4×4, so fc6 sees 4·4·512 = 8192
    features.  ``include_top=False`` returns pool5 (or its global pool with ``pooling``).
    """
    check_args(weights, pooling)
    inputs = keras.Input(shape=input_shape, name="input")
    x = inputs
    for b in blocks or C3D_BLOCKS:
        for i, f in enumerate(b["filters"]):
            x = layers.Conv3D(
                f, kernel_size, padding="same", activation="relu", name=f"conv{b['block']}{'abcdefgh'[i]}"
            )(x)
        x = layers.MaxPooling3D(b["pool"], strides=b["pool"], padding="same", name=f"pool{b['block']}")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        for i, units in enumerate(fc):
            x = layers.Dense(units, activation="relu", name=f"fc{6 + i}")(x)
            x = layers.Dropout(dropout, name=f"fc{6 + i}_dropout")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling:
        x = global_pool(pooling, 3, "pool")(x)
    return keras.Model(inputs, x, name=name)


# ------------------------------------------------------------------------------------------------------- I3D

# Inception-v1 (the BN version, as in TF-slim / DeepMind's kinetics-i3d) written in 3D: kernels and strides are
# (t, h, w); ndim=2 keeps (h, w).  Mixed blocks: (branch0 1×1, branch1 1×1 → 3×3, branch2 1×1 → 3×3,
# branch3 3×3 max pool stride 1 → 1×1).  (Like slim and torchvision, branch 2 uses 3×3 where GoogLeNet drew 5×5.)
I3D_BLOCKS: list[dict[str, Any]] = [
    {"type": "conv", "name": "conv1a", "filters": 64, "kernel": (7, 7, 7), "strides": (2, 2, 2)},
    {"type": "pool", "name": "pool2a", "pool": (1, 3, 3), "strides": (1, 2, 2)},
    {"type": "conv", "name": "conv2b", "filters": 64, "kernel": (1, 1, 1), "strides": (1, 1, 1)},
    {"type": "conv", "name": "conv2c", "filters": 192, "kernel": (3, 3, 3), "strides": (1, 1, 1)},
    {"type": "pool", "name": "pool3a", "pool": (1, 3, 3), "strides": (1, 2, 2)},
    {"type": "mixed", "name": "mixed3b", "filters": (64, 96, 128, 16, 32, 32)},
    {"type": "mixed", "name": "mixed3c", "filters": (128, 128, 192, 32, 96, 64)},
    {"type": "pool", "name": "pool4a", "pool": (3, 3, 3), "strides": (2, 2, 2)},
    {"type": "mixed", "name": "mixed4b", "filters": (192, 96, 208, 16, 48, 64)},
    {"type": "mixed", "name": "mixed4c", "filters": (160, 112, 224, 24, 64, 64)},
    {"type": "mixed", "name": "mixed4d", "filters": (128, 128, 256, 24, 64, 64)},
    {"type": "mixed", "name": "mixed4e", "filters": (112, 144, 288, 32, 64, 64)},
    {"type": "mixed", "name": "mixed4f", "filters": (256, 160, 320, 32, 128, 128)},
    {"type": "pool", "name": "pool5a", "pool": (2, 2, 2), "strides": (2, 2, 2)},
    {"type": "mixed", "name": "mixed5b", "filters": (256, 160, 320, 32, 128, 128)},
    {"type": "mixed", "name": "mixed5c", "filters": (384, 192, 384, 48, 128, 128)},
]


def _unit(x: Any, filters: int, kernel: tuple[int, ...], strides: tuple[int, ...], ndim: int, name: str) -> Any:
    """conv (no bias) → BN (β only, like Sonnet's/slim's default ``scale=False``) → ReLU."""
    x = _conv(ndim)(
        filters, _dims(kernel, ndim), strides=_dims(strides, ndim), padding="same", use_bias=False, name=f"{name}_conv"
    )(x)
    x = layers.BatchNormalization(axis=-1, epsilon=1e-3, scale=False, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x)


def _inception(
    ndim: int,
    include_top: bool,
    weights: Any,
    input_shape: tuple[int, ...],
    classes: int,
    pooling: str | None,
    classifier_activation: str | None,
    name: str,
    blocks: list[dict[str, Any]] | None,
    dropout: float,
) -> keras.Model:
    """The one builder behind :func:`i3d` (``ndim=3``) and :func:`inception_v1` (``ndim=2``)."""
    check_args(weights, pooling)
    inputs = keras.Input(shape=input_shape, name="input")
    x = inputs
    one = (1, 1, 1)
    for b in blocks or I3D_BLOCKS:
        n = b["name"]
        if b["type"] == "conv":
            x = _unit(x, b["filters"], b["kernel"], b["strides"], ndim, n)
        elif b["type"] == "pool":
            x = _maxpool(ndim)(_dims(b["pool"], ndim), strides=_dims(b["strides"], ndim), padding="same", name=n)(x)
        else:
            f0, f1a, f1b, f2a, f2b, f3 = b["filters"]
            k3 = (3, 3, 3)
            b0 = _unit(x, f0, one, one, ndim, f"{n}_branch0")
            b1 = _unit(_unit(x, f1a, one, one, ndim, f"{n}_branch1a"), f1b, k3, one, ndim, f"{n}_branch1b")
            b2 = _unit(_unit(x, f2a, one, one, ndim, f"{n}_branch2a"), f2b, k3, one, ndim, f"{n}_branch2b")
            b3 = _maxpool(ndim)(_dims(k3, ndim), strides=1, padding="same", name=f"{n}_branch3_pool")(x)
            b3 = _unit(b3, f3, one, one, ndim, f"{n}_branch3")
            x = layers.Concatenate(axis=-1, name=f"{n}_concat")([b0, b1, b2, b3])
    if include_top:
        x = global_pool("avg", ndim, "avg_pool")(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling:
        x = global_pool(pooling, ndim, "pool")(x)
    return keras.Model(inputs, x, name=name)


def i3d(
    include_top: bool = True,
    weights: Any = None,
    input_shape: tuple[int, ...] = (64, 224, 224, 3),
    classes: int = 400,
    pooling: str | None = None,
    classifier_activation: str | None = "softmax",
    name: str = "i3d",
    blocks: list[dict[str, Any]] | None = None,
    dropout: float = 0.5,
) -> keras.Model:
    """I3D (Carreira & Zisserman 2017), RGB stream: Inception-v1 with every kernel inflated to 3D.

    The head is global average pooling → dropout → dense (DeepMind's code averages a 2×7×7 pool and a 1×1×1
    conv over time; the parameter count is the same: 1024·classes + classes).
    """
    return _inception(
        3, include_top, weights, input_shape, classes, pooling, classifier_activation, name, blocks, dropout
    )


def inception_v1(
    include_top: bool = True,
    weights: Any = None,
    input_shape: tuple[int, ...] = (224, 224, 3),
    classes: int = 1000,
    pooling: str | None = None,
    classifier_activation: str | None = "softmax",
    name: str = "inception_v1",
    blocks: list[dict[str, Any]] | None = None,
    dropout: float = 0.5,
) -> keras.Model:
    """The 2D Inception-v1 (BN) that I3D inflates: the same table with the temporal axis dropped."""
    return _inception(
        2, include_top, weights, input_shape, classes, pooling, classifier_activation, name, blocks, dropout
    )


def inflate_2d_kernel(w2d: Any, T: int) -> Any:
    """I3D's rule: repeat a 2D kernel ``(kh, kw, C_in, C_out)`` ``T`` times along time and divide by ``T``.

    The result ``(T, kh, kw, C_in, C_out)`` sums over time to ``w2d``, so a "boring video" (one image repeated
    ``T`` times) produces the 2D activation at every interior frame; without ``/T`` it would be ``T`` times larger.
    """
    w = np.asarray(w2d)
    if w.ndim != 4:
        raise ValueError(f"expected a 2D conv kernel (kh, kw, C_in, C_out), got shape {w.shape}")
    return np.repeat(w[None], T, axis=0) / T


def kernels_2d(model: keras.Model) -> dict[str, list[Any]]:
    """A googlenet-style weight dict ``{layer_name: [weights...]}`` from a 2D model (e.g. :func:`inception_v1`)."""
    return {lay.name: [np.asarray(w) for w in lay.get_weights()] for lay in model.layers if lay.get_weights()}


def i3d_from_2d(source: Any, **kwargs: Any) -> keras.Model:
    """Build an I3D and bootstrap it from a 2D Inception-v1: conv kernels inflated, everything else copied.

    ``source`` is a 2D Keras model or a dict ``{layer_name: kernel}`` / ``{layer_name: [weights...]}`` keyed by
    the layer names this module uses (``conv1a_conv``, ``mixed3b_branch1b_conv``, ``mixed3b_branch1b_bn``, …).
    Layers absent from the dict keep their random initialisation.
    """
    weights2d = kernels_2d(source) if isinstance(source, keras.Model) else dict(source)
    model = i3d(**kwargs)
    for lay in model.layers:
        if lay.name not in weights2d:
            continue
        given = weights2d[lay.name]
        given = list(given) if isinstance(given, (list, tuple)) else [given]
        current = lay.get_weights()
        if isinstance(lay, layers.Conv3D):
            given[0] = inflate_2d_kernel(given[0], lay.kernel.shape[0])
            given = given + current[len(given) :]
        elif len(given) < len(current):
            given = given + current[len(given) :]
        lay.set_weights(given)
    return model


# ------------------------------------------------------------------------------------------------- SlowFast

# ResNet-50 stages (Feichtenhofer et al. 2019, Table 1): blocks, bottleneck width of the slow pathway, temporal
# kernel of each pathway's first 1×1 conv ("non-degenerate" temporal convs in res4/res5 of the slow pathway),
# spatial stride of the stage's first block.  Fast-pathway widths are β·width.
SLOWFAST_STAGES: list[dict[str, Any]] = [
    {"stage": "res2", "blocks": 3, "width": 64, "slow_tk": 1, "fast_tk": 3, "stride": 1},
    {"stage": "res3", "blocks": 4, "width": 128, "slow_tk": 1, "fast_tk": 3, "stride": 2},
    {"stage": "res4", "blocks": 6, "width": 256, "slow_tk": 3, "fast_tk": 3, "stride": 2},
    {"stage": "res5", "blocks": 3, "width": 512, "slow_tk": 3, "fast_tk": 3, "stride": 2},
]


def _conv_bn(
    x: Any, filters: int, kernel: tuple[int, int, int], strides: tuple[int, int, int], name: str, relu: bool = True
) -> Any:
    x = layers.Conv3D(filters, kernel, strides=strides, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(axis=-1, epsilon=1e-5, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x) if relu else x


def _bottleneck(x: Any, width: int, tk: int, stride: int, first: bool, name: str) -> Any:
    """PySlowFast's bottleneck: tk×1×1 → 1×3×3 (spatial stride here) → 1×1×1, projection shortcut on block 1."""
    out = 4 * width
    shortcut = x
    if first:
        shortcut = _conv_bn(x, out, (1, 1, 1), (1, stride, stride), f"{name}_shortcut", relu=False)
    y = _conv_bn(x, width, (tk, 1, 1), (1, 1, 1), f"{name}_a")
    y = _conv_bn(y, width, (1, 3, 3), (1, stride, stride), f"{name}_b")
    y = _conv_bn(y, out, (1, 1, 1), (1, 1, 1), f"{name}_c", relu=False)
    y = layers.Add(name=f"{name}_add")([shortcut, y])
    return layers.Activation("relu", name=f"{name}_out")(y)


def _lateral(slow: Any, fast: Any, alpha: int, kernel: int, ratio: int, name: str) -> Any:
    """Fast→slow fusion: time-strided conv (kernel×1×1, stride α, ratio·C_fast channels) + BN + ReLU, concat."""
    c = ratio * fast.shape[-1]
    p = (kernel - 1) // 2
    f = layers.ZeroPadding3D(((p, p), (0, 0), (0, 0)), name=f"{name}_pad")(fast)
    f = layers.Conv3D(c, (kernel, 1, 1), strides=(alpha, 1, 1), padding="valid", use_bias=False, name=f"{name}_conv")(f)
    f = layers.BatchNormalization(axis=-1, epsilon=1e-5, name=f"{name}_bn")(f)
    f = layers.Activation("relu", name=f"{name}_relu")(f)
    return layers.Concatenate(axis=-1, name=f"{name}_concat")([slow, f])


def slowfast(
    include_top: bool = True,
    weights: Any = None,
    input_shape: tuple[int, ...] = (32, 256, 256, 3),
    classes: int = 400,
    pooling: str | None = None,
    classifier_activation: str | None = "softmax",
    name: str = "slowfast_r50",
    stages: list[dict[str, Any]] | None = None,
    alpha: int = 8,
    beta_inv: int = 8,
    fusion_kernel: int = 5,
    fusion_ratio: int = 2,
    stem_width: int = 64,
    dropout: float = 0.5,
) -> keras.Model:
    """SlowFast (Feichtenhofer et al. 2019), ResNet-50, the Kinetics 4×16 configuration by default.

    The input is the fast pathway's clip (``T`` frames, here 32); the slow pathway sees every ``α``-th frame
    (a 1×1×1 max pool with temporal stride ``α``: 4 frames).  Laterals after pool1, res2, res3 and res4.
    ``include_top=False`` without ``pooling`` returns the two res5 feature maps ``[slow, fast]``; with
    ``pooling`` it returns the concatenated pooled features (2048 + 256 = 2304 for R50).  The default input is
    the paper's 256×256 inference view (training uses 224² crops; the global-pool head accepts any size).
    """
    check_args(weights, pooling)
    inputs = keras.Input(shape=input_shape, name="input")
    slow = layers.MaxPooling3D((1, 1, 1), strides=(alpha, 1, 1), name="slow_subsample")(inputs)
    fast = inputs
    slow = _conv_bn(slow, stem_width, (1, 7, 7), (1, 2, 2), "slow_conv1")
    fast = _conv_bn(fast, stem_width // beta_inv, (5, 7, 7), (1, 2, 2), "fast_conv1")
    slow = layers.MaxPooling3D((1, 3, 3), strides=(1, 2, 2), padding="same", name="slow_pool1")(slow)
    fast = layers.MaxPooling3D((1, 3, 3), strides=(1, 2, 2), padding="same", name="fast_pool1")(fast)
    slow = _lateral(slow, fast, alpha, fusion_kernel, fusion_ratio, "lateral_pool1")
    table = stages or SLOWFAST_STAGES
    for i, st in enumerate(table):
        for b in range(st["blocks"]):
            stride = st["stride"] if b == 0 else 1
            slow = _bottleneck(slow, st["width"], st["slow_tk"], stride, b == 0, f"slow_{st['stage']}_block{b + 1}")
            fast = _bottleneck(
                fast, st["width"] // beta_inv, st["fast_tk"], stride, b == 0, f"fast_{st['stage']}_block{b + 1}"
            )
        if i < len(table) - 1:
            slow = _lateral(slow, fast, alpha, fusion_kernel, fusion_ratio, f"lateral_{st['stage']}")
    if not include_top and not pooling:
        return keras.Model(inputs, [slow, fast], name=name)
    kind = "avg" if include_top else pooling
    x = layers.Concatenate(axis=-1, name="pool_concat")(
        [global_pool(kind, 3, "slow_pool")(slow), global_pool(kind, 3, "fast_pool")(fast)]
    )
    if include_top:
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    return keras.Model(inputs, x, name=name)


__all__ = [
    "C3D_BLOCKS",
    "I3D_BLOCKS",
    "SLOWFAST_STAGES",
    "c3d",
    "i3d",
    "i3d_from_2d",
    "inception_v1",
    "inflate_2d_kernel",
    "kernels_2d",
    "slowfast",
]
