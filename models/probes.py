"""Behavioural facts measured on live Keras layers.

Every probe builds real layers, runs them (forward and, where the fact is about
gradients, backward with ``tf.GradientTape``) and returns the *measured*
quantity: a bool for a yes/no fact, a number for a quantity.  Questions cite
probes by name in their witness; :func:`run` dispatches by that name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ._keras import keras, np

PROBES: dict[str, Callable[..., Any]] = {}
TOL = 1e-4


def probe(fn: Callable[..., Any]) -> Callable[..., Any]:
    PROBES[fn.__name__] = fn
    return fn


def run(name: str, **args: Any) -> Any:
    try:
        fn = PROBES[name]
    except KeyError:
        raise KeyError(f"unknown probe {name!r}; known: {', '.join(sorted(PROBES))}") from None
    return fn(**args)


def _tf() -> Any:
    import tensorflow as tf

    return tf


def _rand(shape: Sequence[int], seed: int = 0, positive: bool = False) -> np.ndarray:
    r = np.random.default_rng(seed)
    x = r.random(shape) + 0.1 if positive else r.standard_normal(shape)
    return x.astype("float32")


def _conv_stack(
    channels: int, filters: int, k: int, layers: int, seed: int, padding: str = "valid"
) -> keras.Sequential:
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [keras.Input((None, None, channels))]
        + [keras.layers.Conv2D(filters, k, padding=padding, activation="relu") for _ in range(layers)]
    )


def _wrap_pad(x: np.ndarray, p: int) -> np.ndarray:
    return np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)), mode="wrap")


# ------------------------------------------------------------ equivariance


@probe
def conv_translation_equivariance(
    shift: Sequence[int] = (2, 3), size: int = 16, k: int = 3, layers: int = 2, seed: int = 0
) -> bool:
    """``f(shift x) == shift f(x)`` for a conv stack with circular padding (exact, not just away from borders)."""
    net = _conv_stack(3, 3, k, 1, seed)
    p = (k - 1) // 2

    def f(x: np.ndarray) -> np.ndarray:
        for _ in range(layers):
            x = np.asarray(net(_wrap_pad(x, p)))
        return x

    x = _rand((1, size, size, 3), seed)
    shifted = np.roll(x, shift, axis=(1, 2))
    return bool(np.allclose(f(shifted), np.roll(f(x), shift, axis=(1, 2)), atol=TOL))


@probe
def conv_rotation_equivariance(size: int = 16, k: int = 3, seed: int = 0) -> bool:
    """``f(rot90 x) == rot90 f(x)``? False for learned (non-symmetric) kernels."""
    net = _conv_stack(3, 4, k, 2, seed, padding="same")
    x = _rand((1, size, size, 3), seed)
    lhs = np.asarray(net(np.rot90(x, 1, axes=(1, 2)).copy()))
    rhs = np.rot90(np.asarray(net(x)), 1, axes=(1, 2))
    return bool(np.allclose(lhs, rhs, atol=TOL))


@probe
def gap_translation_invariance(shift: Sequence[int] = (3, 5), size: int = 16, seed: int = 0) -> bool:
    """Global average pooling after a circularly padded conv: ``g(shift x) == g(x)``."""
    net = _conv_stack(3, 8, 3, 1, seed)
    gap = keras.layers.GlobalAveragePooling2D()
    x = _rand((1, size, size, 3), seed)

    def g(z: np.ndarray) -> np.ndarray:
        return np.asarray(gap(net(_wrap_pad(z, 1))))

    return bool(np.allclose(g(np.roll(x, shift, axis=(1, 2))), g(x), atol=TOL))


@probe
def gap_loses_layout(size: int = 8, seed: int = 0) -> bool:
    """GAP gives the same vector for an input and a spatial permutation of it: the layout is gone."""
    x = _rand((1, size, size, 4), seed)
    perm = np.random.default_rng(seed).permutation(size * size)
    xp = x.reshape(1, size * size, 4)[:, perm].reshape(x.shape)
    gap = keras.layers.GlobalAveragePooling2D()
    return bool(np.allclose(np.asarray(gap(x)), np.asarray(gap(xp)), atol=TOL))


# ------------------------------------------------------------ gradients


def _grad(fn: Callable[[Any], Any], x: np.ndarray, upstream: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    tf = _tf()
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = fn(xt)
        target = tf.reduce_sum(y * upstream) if upstream is not None else tf.reduce_sum(y)
    return np.asarray(y), np.asarray(tape.gradient(target, xt))


@probe
def maxpool_grad_routes_to_argmax(k: int = 2, size: int = 8, seed: int = 0) -> bool:
    """Max-pool backward: each window's whole gradient lands on its argmax, 0 elsewhere."""
    x = _rand((1, size, size, 1), seed)
    _, g = _grad(keras.layers.MaxPooling2D(k), x)
    for i in range(0, size - size % k, k):
        for j in range(0, size - size % k, k):
            win, gw = x[0, i : i + k, j : j + k, 0], g[0, i : i + k, j : j + k, 0]
            expect = np.zeros_like(gw)
            expect[np.unravel_index(np.argmax(win), win.shape)] = 1.0
            if not np.allclose(gw, expect, atol=TOL):
                return False
    return True


@probe
def avgpool_grad(k: int = 2, size: int | None = None, seed: int = 0) -> float:
    """The gradient each input of a K×K average-pool window receives for an upstream gradient of 1 (= 1/K²)."""
    size = size or 2 * k
    x = _rand((1, size, size, 1), seed)
    _, g = _grad(keras.layers.AveragePooling2D(k), x)
    vals = np.unique(np.round(g, 6))
    if len(vals) != 1:
        raise AssertionError(f"average pool gradient is not uniform: {vals}")
    return float(vals[0])


@probe
def relu_grad_gate(seed: int = 0) -> bool:
    """ReLU backward passes the upstream gradient where the input was > 0 and sends 0 elsewhere."""
    x = _rand((64,), seed)
    up = _rand((64,), seed + 1)
    _, g = _grad(keras.layers.ReLU(), x, up)
    return bool(np.allclose(g, np.where(x > 0, up, 0.0), atol=TOL))


@probe
def dead_relu_zero_grad(seed: int = 0) -> bool:
    """A unit whose pre-activation is negative for every input gets 0 gradient for every input: it cannot recover."""
    tf = _tf()
    keras.utils.set_random_seed(seed)
    dense = keras.layers.Dense(1, activation="relu", bias_initializer=keras.initializers.Constant(-100.0))
    x = tf.constant(_rand((256, 8), seed))
    dense(x)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(dense(x))
    grads = tape.gradient(loss, dense.trainable_weights)
    return all(float(tf.reduce_max(tf.abs(g))) == 0.0 for g in grads)


@probe
def residual_identity_jacobian(width: int = 6, seed: int = 0) -> bool:
    """``y = F(x) + x``: the Jacobian of y is the Jacobian of F plus exactly I."""
    tf = _tf()
    keras.utils.set_random_seed(seed)
    f = keras.Sequential(
        [keras.Input((width,)), keras.layers.Dense(width, activation="tanh"), keras.layers.Dense(width)]
    )
    x = tf.constant(_rand((1, width), seed))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        fx = f(x)
        y = fx + x
    jy = np.asarray(tape.batch_jacobian(y, x))[0]
    jf = np.asarray(tape.batch_jacobian(fx, x))[0]
    return bool(np.allclose(jy - jf, np.eye(width), atol=TOL))


@probe
def conv_backward_flipped_kernel(size: int = 7, k: int = 3, seed: int = 0) -> bool:
    """∂L/∂x of a (cross-correlation) conv = the zero-padded upstream gradient cross-correlated with the 180°-flipped kernel."""
    keras.utils.set_random_seed(seed)
    conv = keras.layers.Conv2D(1, k, use_bias=False)
    x = _rand((1, size, size, 1), seed)
    up = _rand((1, size - k + 1, size - k + 1, 1), seed + 1)
    _, g = _grad(conv, x, up)
    w = np.asarray(conv.kernel)[:, :, 0, 0]
    flipped = w[::-1, ::-1]
    padded = np.pad(up[0, :, :, 0], k - 1)
    manual = np.array([[np.sum(padded[i : i + k, j : j + k] * flipped) for j in range(size)] for i in range(size)])
    return bool(np.allclose(g[0, :, :, 0], manual, atol=TOL))


# ------------------------------------------------------------ normalisation


@probe
def bn_inference_uses_moving_stats(channels: int = 4, seed: int = 0) -> bool:
    """``BatchNormalization(training=False)`` normalises with the moving mean/variance, not the batch's."""
    bn = keras.layers.BatchNormalization()
    x = _rand((8, 5, 5, channels), seed) * 3 + 2
    bn.build(x.shape)
    bn.moving_mean.assign(np.full(channels, 0.5, "float32"))
    bn.moving_variance.assign(np.full(channels, 4.0, "float32"))
    out = np.asarray(bn(x, training=False))
    expect = (x - 0.5) / np.sqrt(4.0 + bn.epsilon)
    return bool(np.allclose(out, expect, atol=TOL))


@probe
def bn_training_uses_batch_stats(channels: int = 4, seed: int = 0) -> bool:
    """In training, BatchNorm normalises each channel with the batch's mean/variance over (N, H, W)."""
    bn = keras.layers.BatchNormalization()
    x = _rand((8, 5, 5, channels), seed) * 3 + 2
    out = np.asarray(bn(x, training=True))
    m, v = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    return bool(np.allclose(out, (x - m) / np.sqrt(v + bn.epsilon), atol=1e-3))


@probe
def bn_batch1_output_constant(channels: int = 4, seed: int = 0) -> bool:
    """At batch 1 with a 1×1 map, training-mode BN outputs β whatever the input: the batch variance is 0."""
    bn = keras.layers.BatchNormalization()
    a = np.asarray(bn(_rand((1, 1, 1, channels), seed), training=True))
    b = np.asarray(bn(_rand((1, 1, 1, channels), seed + 1) * 10, training=True))
    return bool(np.allclose(a, b, atol=TOL) and np.allclose(a, 0.0, atol=TOL))


@probe
def groupnorm_batch1_independent(channels: int = 8, groups: int = 4, seed: int = 0) -> bool:
    """GroupNorm normalises per sample: a sample's output is the same alone or in a batch."""
    gn = keras.layers.GroupNormalization(groups)
    x = _rand((4, 5, 5, channels), seed)
    return bool(np.allclose(np.asarray(gn(x))[:1], np.asarray(gn(x[:1])), atol=TOL))


# from the finest reduction to the coarsest: the first that holds is the one the layer uses
_AXES_CANDIDATES: list[tuple[int, ...]] = [(3,), (1, 2), (0, 1, 2), (1, 2, 3), (0, 1, 2, 3)]


@probe
def norm_axes(kind: str = "batch", channels: int = 6, seed: int = 0) -> list[int]:
    """The axes of an (N, H, W, C) tensor over which a normalisation layer makes mean 0 and variance 1.

    ``kind``: ``batch`` (training mode), ``layer`` (Keras default ``axis=-1``),
    ``layer_chw`` (``axis=[1, 2, 3]``, the textbook), ``instance`` (GroupNorm with groups = C).
    """
    layers = {
        "batch": lambda: keras.layers.BatchNormalization(center=False, scale=False),
        "layer": lambda: keras.layers.LayerNormalization(center=False, scale=False),
        "layer_chw": lambda: keras.layers.LayerNormalization(axis=[1, 2, 3], center=False, scale=False),
        "instance": lambda: keras.layers.GroupNormalization(groups=channels, center=False, scale=False),
    }
    if kind not in layers:
        raise ValueError(f"unknown kind {kind!r}; expected one of {sorted(layers)}")
    x = _rand((6, 5, 5, channels), seed) * 2 + 1
    out = np.asarray(layers[kind]()(x, training=True))
    for axes in _AXES_CANDIDATES:
        if np.allclose(out.mean(axis=axes), 0, atol=1e-3) and np.allclose(out.var(axis=axes), 1, atol=2e-2):
            return list(axes)
    raise AssertionError(f"{kind}: no candidate axis set normalises the output")


# ------------------------------------------------------------ video and audio


@probe
def i3d_boring_video_ratio(t: int = 3, k: int = 3, divide: bool = True, size: int = 8, seed: int = 0) -> float:
    """Inflate a 2D kernel to 3D (repeat T times along time, /T if ``divide``); the 3D response to a boring video
    (one image repeated) over the 2D response to the image."""
    keras.utils.set_random_seed(seed)
    conv2 = keras.layers.Conv2D(4, k, use_bias=False)
    img = _rand((1, size, size, 3), seed, positive=True)
    y2 = np.asarray(conv2(img))
    w2 = np.asarray(conv2.kernel)
    w3 = np.repeat(w2[None], t, axis=0) / (t if divide else 1)
    conv3 = keras.layers.Conv3D(4, (t, k, k), use_bias=False)
    conv3.build((1, t, size, size, 3))
    conv3.kernel.assign(w3)
    video = np.repeat(img[:, None], t, axis=1)
    y3 = np.asarray(conv3(video))[:, 0]
    return float(np.round(np.median(y3 / y2), 4))


@probe
def causal_conv_no_future(dilations: Sequence[int] = (1, 2, 4, 8), k: int = 2, length: int = 64, seed: int = 0) -> bool:
    """A stack of ``Conv1D(padding='causal')``: output t has zero gradient w.r.t. every input after t."""
    keras.utils.set_random_seed(seed)
    net = keras.Sequential(
        [keras.Input((length, 1))]
        + [keras.layers.Conv1D(2, k, dilation_rate=d, padding="causal", activation="tanh") for d in dilations]
    )
    x = _rand((1, length, 1), seed)
    t = length // 2
    up = np.zeros((1, length, 2), "float32")
    up[0, t] = 1.0
    _, g = _grad(net, x, up)
    return bool(np.all(g[0, t + 1 :] == 0.0) and np.any(g[0, : t + 1] != 0.0))


def _rf_support_1d(rates: Sequence[int], k: int) -> np.ndarray:
    """Which input positions reach the centre output of stacked dilated 1D convs (all-ones kernels)."""
    span = 1 + sum((k - 1) * d for d in rates)
    length = 3 * span
    net = keras.Sequential(
        [keras.Input((length, 1))]
        + [keras.layers.Conv1D(1, k, dilation_rate=d, use_bias=False, kernel_initializer="ones") for d in rates]
    )
    x = np.ones((1, length, 1), "float32")
    out_len = length - span + 1
    up = np.zeros((1, out_len, 1), "float32")
    up[0, out_len // 2] = 1.0
    _, g = _grad(net, x, up)
    support = g[0, :, 0] != 0
    idx = np.nonzero(support)[0]
    return support[idx.min() : idx.max() + 1]


@probe
def dilation_gridding_holes(rates: Sequence[int] = (2, 2, 2), k: int = 3) -> int:
    """Input positions inside the receptive field of stacked dilated convs that never reach the output (holes)."""
    return int(np.sum(~_rf_support_1d(rates, k)))


@probe
def dilated_rf_extent(rates: Sequence[int] = (1, 2, 4), k: int = 3) -> int:
    """The measured extent (first to last contributing input) of stacked dilated 1D convs."""
    return len(_rf_support_1d(rates, k))


# ------------------------------------------------------------ receptive field of any model


def measure_rf(model: keras.Model) -> list[int]:
    """Receptive field per spatial axis of a model's output, measured by gradient.

    A copy of the model with all-positive kernels, linear activations and
    average pools in place of max pools is evaluated on a positive input; the
    extent of non-zero ∂(centre output)/∂(input) along each axis is the RF.
    """
    cfg = _linearise(model)
    lin = (
        keras.Model.from_config(cfg)
        if isinstance(model, keras.Model) and not isinstance(model, keras.Sequential)
        else keras.Sequential.from_config(cfg)
    )
    for w in lin.weights:
        w.assign(np.full(w.shape, 0.5, "float32") if len(w.shape) > 1 else np.zeros(w.shape, "float32"))
    shape = [1, *lin.input_shape[1:]]
    x = np.ones(shape, "float32")
    out_shape = [1, *lin.output_shape[1:]]
    up = np.zeros(out_shape, "float32")
    centre = tuple([0] + [s // 2 for s in out_shape[1:-1]] + [0])
    up[centre] = 1.0
    _, g = _grad(lin, x, up)
    support = np.abs(g[0]).sum(axis=-1) > 0
    extents = []
    for ax in range(support.ndim):
        other = tuple(a for a in range(support.ndim) if a != ax)
        line = support.any(axis=other) if other else support
        idx = np.nonzero(line)[0]
        extents.append(int(idx.max() - idx.min() + 1))
    return extents


def _linearise(model: keras.Model) -> dict[str, Any]:
    cfg = model.get_config()

    def fix(layer_cfg: dict[str, Any]) -> dict[str, Any]:
        cls = layer_cfg["class_name"]
        c = dict(layer_cfg["config"])
        if "activation" in c:
            c["activation"] = "linear"
        if cls.startswith("MaxPooling"):
            layer_cfg = {**layer_cfg, "class_name": cls.replace("Max", "Average")}
        if cls in ("ReLU", "Activation", "LeakyReLU"):
            layer_cfg = {**layer_cfg, "class_name": "Identity", "config": {"name": c.get("name")}}
            return layer_cfg
        return {**layer_cfg, "config": c}

    cfg["layers"] = [fix(lc) for lc in cfg["layers"]]
    return cfg
