"""Behavioural facts measured on live Keras layers.

Every probe builds real layers, runs them (forward and, where the fact is about
gradients, backward with ``tf.GradientTape``) and returns the *measured*
quantity: a bool for a yes/no fact, a number for a quantity.  Questions cite
probes by name in their witness; :func:`run` dispatches by that name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import measure as M
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


def _conv_stack(
    channels: int, filters: int, k: int, layers: int, seed: int, padding: str = "valid"
) -> keras.Sequential:
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [keras.Input((None, None, channels))]
        + [keras.layers.Conv2D(filters, k, padding=padding, activation="relu") for _ in range(layers)]
    )


# ------------------------------------------------------------ equivariance


@probe
def conv_translation_equivariance(
    shift: Sequence[int] = (2, 3), size: int = 16, k: int = 3, layers: int = 2, seed: int = 0
) -> bool:
    """``f(shift x) == shift f(x)`` for a conv stack with circular padding (exact, not just away from borders)."""
    conv = _conv_stack(3, 3, k, 1, seed).layers[-1]
    f = M.circular_stack([conv] * layers)
    return M.equivariance_error(f, M.random_input((1, size, size, 3), seed), shift) <= TOL


@probe
def conv_rotation_equivariance(size: int = 16, k: int = 3, seed: int = 0) -> bool:
    """``f(rot90 x) == rot90 f(x)``? False for learned (non-symmetric) kernels."""
    net = _conv_stack(3, 4, k, 2, seed, padding="same")
    x = M.random_input((1, size, size, 3), seed)
    lhs = np.asarray(net(np.rot90(x, 1, axes=(1, 2)).copy()))
    rhs = np.rot90(np.asarray(net(x)), 1, axes=(1, 2))
    return bool(np.allclose(lhs, rhs, atol=TOL))


@probe
def gap_translation_invariance(shift: Sequence[int] = (3, 5), size: int = 16, seed: int = 0) -> bool:
    """Global average pooling after a circularly padded conv: ``g(shift x) == g(x)``."""
    f = M.circular_stack(_conv_stack(3, 8, 3, 1, seed).layers)
    return M.invariance_error(f, M.random_input((1, size, size, 3), seed), shift) <= TOL


@probe
def gap_loses_layout(size: int = 8, seed: int = 0) -> bool:
    """GAP gives the same vector for an input and a spatial permutation of it: the layout is gone."""
    x = M.random_input((1, size, size, 4), seed)
    perm = np.random.default_rng(seed).permutation(size * size)
    xp = x.reshape(1, size * size, 4)[:, perm].reshape(x.shape)
    gap = keras.layers.GlobalAveragePooling2D()
    return bool(np.allclose(np.asarray(gap(x)), np.asarray(gap(xp)), atol=TOL))


# ------------------------------------------------------------ gradients


@probe
def maxpool_grad_routes_to_argmax(k: int = 2, size: int = 8, seed: int = 0) -> bool:
    """Max-pool backward: each window's whole gradient lands on its argmax, 0 elsewhere."""
    x = M.random_input((1, size, size, 1), seed)
    _, g = M.input_gradient(keras.layers.MaxPooling2D(k), x)
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
    x = M.random_input((1, size, size, 1), seed)
    _, g = M.input_gradient(keras.layers.AveragePooling2D(k), x)
    vals = np.unique(np.round(g, 6))
    if len(vals) != 1:
        raise AssertionError(f"average pool gradient is not uniform: {vals}")
    return float(vals[0])


@probe
def relu_grad_gate(seed: int = 0) -> bool:
    """ReLU backward passes the upstream gradient where the input was > 0 and sends 0 elsewhere."""
    x = M.random_input((64,), seed)
    up = M.random_input((64,), seed + 1)
    _, g = M.input_gradient(keras.layers.ReLU(), x, up)
    return bool(np.allclose(g, np.where(x > 0, up, 0.0), atol=TOL))


@probe
def dead_relu_zero_grad(seed: int = 0) -> bool:
    """A unit whose pre-activation is negative for every input gets 0 gradient for every input: it cannot recover."""
    keras.utils.set_random_seed(seed)
    dense = keras.layers.Dense(1, activation="relu", bias_initializer=keras.initializers.Constant(-100.0))
    return all(not np.any(g) for g in M.weight_gradients(dense, M.random_input((256, 8), seed)))


@probe
def residual_identity_jacobian(width: int = 6, seed: int = 0) -> bool:
    """``y = F(x) + x``: the Jacobian of y is the Jacobian of F plus exactly I."""
    keras.utils.set_random_seed(seed)
    f = keras.Sequential(
        [keras.Input((width,)), keras.layers.Dense(width, activation="tanh"), keras.layers.Dense(width)]
    )
    x = M.random_input((1, width), seed)
    jy = M.jacobian(lambda t: f(t) + t, x)[0, :, 0]
    jf = M.jacobian(f, x)[0, :, 0]
    return bool(np.allclose(jy - jf, np.eye(width), atol=TOL))


@probe
def conv_backward_flipped_kernel(size: int = 7, k: int = 3, seed: int = 0) -> bool:
    """∂L/∂x of a (cross-correlation) conv = the zero-padded upstream gradient cross-correlated with the 180°-flipped kernel."""
    keras.utils.set_random_seed(seed)
    conv = keras.layers.Conv2D(1, k, use_bias=False)
    x = M.random_input((1, size, size, 1), seed)
    up = M.random_input((1, size - k + 1, size - k + 1, 1), seed + 1)
    _, g = M.input_gradient(conv, x, up)
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
    x = M.random_input((8, 5, 5, channels), seed) * 3 + 2
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
    x = M.random_input((8, 5, 5, channels), seed) * 3 + 2
    out = np.asarray(bn(x, training=True))
    m, v = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    return bool(np.allclose(out, (x - m) / np.sqrt(v + bn.epsilon), atol=1e-3))


@probe
def bn_batch1_output_constant(channels: int = 4, seed: int = 0) -> bool:
    """At batch 1 with a 1×1 map, training-mode BN outputs β whatever the input: the batch variance is 0."""
    bn = keras.layers.BatchNormalization()
    a = np.asarray(bn(M.random_input((1, 1, 1, channels), seed), training=True))
    b = np.asarray(bn(M.random_input((1, 1, 1, channels), seed + 1) * 10, training=True))
    return bool(np.allclose(a, b, atol=TOL) and np.allclose(a, 0.0, atol=TOL))


@probe
def groupnorm_batch1_independent(channels: int = 8, groups: int = 4, seed: int = 0) -> bool:
    """GroupNorm normalises per sample: a sample's output is the same alone or in a batch."""
    gn = keras.layers.GroupNormalization(groups)
    x = M.random_input((4, 5, 5, channels), seed)
    return bool(np.allclose(np.asarray(gn(x))[:1], np.asarray(gn(x[:1])), atol=TOL))


# from the finest reduction to the coarsest: the first that holds is the one the layer uses
_AXES_CANDIDATES: list[tuple[int, ...]] = [(3,), (1, 2), (0, 1, 2), (1, 2, 3), (0, 1, 2, 3)]


@probe
def norm_axes(kind: str = "batch", channels: int = 6, seed: int = 0) -> list[int]:
    """The axes of an (N, H, W, C) tensor over which a normalisation layer makes mean 0 and variance 1.

    ``kind``: ``batch`` (training mode), ``layer`` (Keras default ``axis=-1``),
    ``layer_chw`` (``axis=[1, 2, 3]``, the textbook), ``instance`` (GroupNorm with groups = C).
    """
    eps = 1e-7  # a negligible ε, so that a unit variance is measurable even over a handful of values
    layers = {
        "batch": lambda: keras.layers.BatchNormalization(center=False, scale=False, epsilon=eps),
        "layer": lambda: keras.layers.LayerNormalization(center=False, scale=False, epsilon=eps),
        "layer_chw": lambda: keras.layers.LayerNormalization(axis=[1, 2, 3], center=False, scale=False, epsilon=eps),
        "instance": lambda: keras.layers.GroupNormalization(groups=channels, center=False, scale=False, epsilon=eps),
    }
    if kind not in layers:
        raise ValueError(f"unknown kind {kind!r}; expected one of {sorted(layers)}")
    x = M.random_input((6, 5, 5, channels), seed) * 2 + 1
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
    from .video import inflate_2d_kernel

    keras.utils.set_random_seed(seed)
    conv2 = keras.layers.Conv2D(4, k, use_bias=False)
    img = M.random_input((1, size, size, 3), seed, positive=True)
    conv2.build(img.shape)
    w2 = np.asarray(conv2.kernel)
    w3 = inflate_2d_kernel(w2, t) if divide else np.repeat(w2[None], t, axis=0)
    return round(M.boring_video(w2, w3, img).ratio, 4)


@probe
def causal_conv_no_future(dilations: Sequence[int] = (1, 2, 4, 8), k: int = 2, length: int = 64, seed: int = 0) -> bool:
    """A stack of ``Conv1D(padding='causal')``: output t has zero gradient w.r.t. every input after t."""
    keras.utils.set_random_seed(seed)
    net = keras.Sequential(
        [keras.Input((length, 1))]
        + [keras.layers.Conv1D(2, k, dilation_rate=d, padding="causal", activation="tanh") for d in dilations]
    )
    t = length // 2
    return M.future_inputs(net, t) == 0 and M.receptive_field(net, (t,))[0] > 0


def _dilated_stack(rates: Sequence[int], k: int) -> keras.Sequential:
    """Stacked valid dilated ``Conv1D(1, k)`` on an input three times their span long (the centre output is clear
    of the borders)."""
    span = 1 + sum((k - 1) * d for d in rates)
    layers = [keras.layers.Conv1D(1, k, dilation_rate=d, use_bias=False) for d in rates]
    return keras.Sequential([keras.Input((3 * span, 1)), *layers])


@probe
def dilation_gridding_holes(rates: Sequence[int] = (2, 2, 2), k: int = 3) -> int:
    """Input positions inside the receptive field of stacked dilated convs that never reach the output (holes)."""
    return M.gridding_holes(_dilated_stack(rates, k))


@probe
def dilated_rf_extent(rates: Sequence[int] = (1, 2, 4), k: int = 3) -> int:
    """The measured extent (first to last contributing input) of stacked dilated 1D convs."""
    return M.receptive_field(_dilated_stack(rates, k))[0]


# ------------------------------------------------------------ fc vs conv, 1×1, stacked kernels, separable


@probe
def conv_sharing_locality(size: int = 8, k: int = 3, c_in: int = 3, c_out: int = 4, seed: int = 0) -> bool:
    """A conv is local and shares its weights: the Jacobian of the output at every position is non-zero exactly on
    the K×K×C_in window there, the window's weights are the same at every position, and the layer's parameter count
    is the same on a 2× larger input (while a dense layer between the flattened maps grows 16×)."""
    keras.utils.set_random_seed(seed)
    conv = keras.layers.Conv2D(c_out, k, use_bias=False)
    jac = M.jacobian(conv, M.random_input((1, size, size, c_in), seed))[0, :, :, :, 0]  # (O, O, C_out, H, W, C_in)
    o = size - k + 1
    ref = None
    for i in range(o):
        for j in range(o):
            block = jac[i, j]
            inside = np.zeros(block.shape, bool)
            inside[:, i : i + k, j : j + k, :] = True
            if np.any(block[~inside] != 0) or not np.all(np.any(block[inside].reshape(c_out, -1) != 0, axis=0)):
                return False
            window = block[:, i : i + k, j : j + k, :]
            if ref is None:
                ref = window
            elif not np.allclose(window, ref, atol=TOL):
                return False

    def count(layer_fn: Callable[[], Any], side: int, flat: bool = False) -> int:
        layers = [keras.layers.Flatten()] if flat else []
        m = keras.Sequential([keras.Input((side, side, c_in)), *layers, layer_fn()])
        return int(m.count_params())

    same_conv = count(lambda: keras.layers.Conv2D(c_out, k), size) == count(
        lambda: keras.layers.Conv2D(c_out, k), 2 * size
    )
    small = max(2, size // 4)
    dense_small = count(lambda: keras.layers.Dense(small * small * c_out, use_bias=False), small, flat=True)
    dense_big = count(lambda: keras.layers.Dense(4 * small * small * c_out, use_bias=False), 2 * small, flat=True)
    return bool(same_conv and dense_big == 16 * dense_small)


@probe
def one_by_one_pointwise_mixing(size: int = 6, c_in: int = 4, c_out: int = 3, seed: int = 0) -> bool:
    """A 1×1 conv keeps H×W, and its output at (i, j) depends on every input channel at (i, j) and on nothing else:
    it mixes channels, never neighbouring positions (RF 1)."""
    keras.utils.set_random_seed(seed)
    conv = keras.layers.Conv2D(c_out, 1)
    jac = M.jacobian(conv, M.random_input((1, size, size, c_in), seed))[0, :, :, :, 0]  # (H, W, C_out, H, W, C_in)
    if jac.shape[:2] != (size, size):
        return False
    for i in range(size):
        for j in range(size):
            block = jac[i, j]
            here = block[:, i, j, :]
            rest = block.copy()
            rest[:, i, j, :] = 0
            if np.any(rest != 0) or np.any(here == 0):
                return False
    return True


@probe
def stacked_vs_single_kernel(n: int = 2, k: int = 3, c: int = 4, bias: bool = False) -> list[int]:
    """``[RF of n stacked k×k convs, RF of the single conv of equal RF, params of the stack, params of the single]``,
    all measured on live layers (C channels in and out)."""
    big = 1 + n * (k - 1)
    side = 2 * big + 3
    stack = keras.Sequential(
        [keras.Input((side, side, c))] + [keras.layers.Conv2D(c, k, use_bias=bias) for _ in range(n)]
    )
    single = keras.Sequential([keras.Input((side, side, c)), keras.layers.Conv2D(c, big, use_bias=bias)])
    rf_stack, rf_single = M.receptive_field(stack), M.receptive_field(single)
    if len(set(rf_stack)) != 1 or len(set(rf_single)) != 1:
        raise AssertionError(f"non-square receptive fields {rf_stack}, {rf_single}")
    return [rf_stack[0], rf_single[0], int(stack.count_params()), int(single.count_params())]


@probe
def separable_is_depthwise_then_pointwise(
    size: int = 7, k: int = 3, c_in: int = 4, c_out: int = 6, depth_multiplier: int = 1, seed: int = 0
) -> bool:
    """Keras' ``SeparableConv2D`` equals a ``DepthwiseConv2D`` (no bias) followed by a 1×1 ``Conv2D``: copying its two
    kernels (and its single C_out bias) into those layers reproduces its output exactly."""
    keras.utils.set_random_seed(seed)
    sep = keras.layers.SeparableConv2D(c_out, k, depth_multiplier=depth_multiplier, bias_initializer="random_normal")
    x = M.random_input((1, size, size, c_in), seed)
    y = np.asarray(sep(x))
    dw = keras.layers.DepthwiseConv2D(k, depth_multiplier=depth_multiplier, use_bias=False)
    pw = keras.layers.Conv2D(c_out, 1)
    dw.build(x.shape)
    pw.build((1, size - k + 1, size - k + 1, c_in * depth_multiplier))
    dw.kernel.assign(np.asarray(sep.depthwise_kernel))
    pw.kernel.assign(np.asarray(sep.pointwise_kernel))
    pw.bias.assign(np.asarray(sep.bias))
    return bool(np.allclose(np.asarray(pw(dw(x))), y, atol=TOL))


@probe
def separable_less_expressive(size: int = 8, k: int = 3, c_in: int = 2, c_out: int = 4, seed: int = 0) -> bool:
    """A random standard ``Conv2D`` cannot be matched by any ``SeparableConv2D`` of the same widths: even the best
    separable factorisation (rank 1 per input channel, from an SVD of the kernel) leaves a clear output error."""
    keras.utils.set_random_seed(seed)
    std = keras.layers.Conv2D(c_out, k, use_bias=False)
    x = M.random_input((1, size, size, c_in), seed)
    y = np.asarray(std(x))
    w = np.asarray(std.kernel)  # (k, k, C_in, C_out)
    dwk = np.zeros((k, k, c_in, 1), "float32")
    pwk = np.zeros((1, 1, c_in, c_out), "float32")
    for ci in range(c_in):
        u, s, vt = np.linalg.svd(w[:, :, ci, :].reshape(k * k, c_out), full_matrices=False)
        dwk[:, :, ci, 0] = (u[:, 0] * s[0]).reshape(k, k)
        pwk[0, 0, ci, :] = vt[0]
    sep = keras.layers.SeparableConv2D(c_out, k, use_bias=False)
    sep.build(x.shape)
    sep.depthwise_kernel.assign(dwk)
    sep.pointwise_kernel.assign(pwk)
    best = np.asarray(sep(x))
    rel = float(np.linalg.norm(best - y) / np.linalg.norm(y))
    return rel > 1e-2


# ------------------------------------------------------------ small numeric gradients (pooling, backward, residual)


@probe
def input_grad(
    layers: Sequence[dict[str, Any]],
    x: Sequence[Any],
    upstream: Sequence[Any] | None = None,
    at: Sequence[int] | None = None,
) -> float:
    """∂L/∂x with ``L = Σ upstream·f(x)``, ``f`` the given serialized Keras layers applied in turn to the one
    sample ``x`` (no batch axis; ``upstream`` has f(x)'s shape, default all ones).  Returns the entry at index
    ``at`` of the input gradient, or the sum of all its entries when ``at`` is None."""
    net = [keras.layers.deserialize(dict(s)) for s in layers]
    xa = np.asarray(x, "float32")[None]
    up = None if upstream is None else np.asarray(upstream, "float32")[None]

    def f(t: Any) -> Any:
        for lay in net:
            t = lay(t)
        return t

    _, g = M.input_gradient(f, xa, up)
    g = g[0]
    return float(g[tuple(at)]) if at is not None else float(g.sum())


@probe
def conv_grad(
    x: Sequence[Sequence[float]],
    kernel: Sequence[Sequence[float]],
    upstream: Sequence[Sequence[float]],
    at: Sequence[int],
    wrt: str = "input",
) -> float:
    """A one-channel ``Conv2D`` (valid, stride 1, no bias) with the given kernel; ``L = Σ upstream·conv(x)``.
    Returns ``∂L/∂x[at]`` (``wrt='input'``) or ``∂L/∂w[at]`` (``wrt='kernel'``), measured with GradientTape."""
    xa = np.asarray(x, "float32")[None, :, :, None]
    w = np.asarray(kernel, "float32")
    up = np.asarray(upstream, "float32")[None, :, :, None]
    conv = keras.layers.Conv2D(1, w.shape, use_bias=False)
    conv.build(xa.shape)
    conv.kernel.assign(w[:, :, None, None])
    if wrt == "input":
        return float(M.input_gradient(conv, xa, up)[1][0, at[0], at[1], 0])
    if wrt == "kernel":
        return float(M.weight_gradients(conv, xa, up)[0][at[0], at[1], 0, 0])
    raise ValueError(f"wrt must be 'input' or 'kernel', got {wrt!r}")


@probe
def residual_scalar_grad(blocks: Sequence[Sequence[float]], x: float, skip: bool = True) -> float:
    """``dy/dx`` through stacked scalar blocks, each ``F(t) = w2·relu(w1·t + b1)`` built from live ``Dense(1)``
    layers (``blocks`` = [[w1, b1, w2], ...]); with ``skip`` every block is residual, ``t ← F(t) + t``."""
    net = []
    for w1, b1, w2 in blocks:
        d1 = keras.layers.Dense(1, activation="relu")
        d2 = keras.layers.Dense(1, use_bias=False)
        d1.build((1, 1))
        d2.build((1, 1))
        d1.kernel.assign([[w1]])
        d1.bias.assign([b1])
        d2.kernel.assign([[w2]])
        net.append((d1, d2))

    def f(t: Any) -> Any:
        for d1, d2 in net:
            t = d2(d1(t)) + t if skip else d2(d1(t))
        return t

    return float(M.input_gradient(f, np.array([[float(x)]], "float32"))[1][0, 0])


@probe
def residual_zero_init_identity(channels: int = 4, size: int = 6, seed: int = 0) -> bool:
    """With its last conv zeroed, a residual block ``y = F(x) + x`` is exactly the identity, while the same plain
    block ``y = F(x)`` outputs 0: with a skip, 'do nothing' is the easiest function to learn."""
    keras.utils.set_random_seed(seed)
    c1 = keras.layers.Conv2D(channels, 3, padding="same", activation="relu")
    c2 = keras.layers.Conv2D(channels, 3, padding="same", kernel_initializer="zeros", bias_initializer="zeros")
    x = M.random_input((2, size, size, channels), seed)
    fx = np.asarray(c2(c1(x)))
    residual_is_identity = np.allclose(fx + x, x, atol=TOL)
    plain_is_identity = np.allclose(fx, x, atol=TOL)
    return bool(residual_is_identity and not plain_is_identity)


# ------------------------------------------------------------ output sizes, 'same' padding split, dilation cost


@probe
def output_dim(input_shape: Sequence[int], layers: Sequence[dict[str, Any]], axis: int = 0) -> int:
    """Size of axis ``axis`` (no batch axis; 0 = height) of the output of the given serialized Keras layers applied
    in turn to one sample of ``input_shape``, from a real forward pass, checked against Keras' own shape inference."""
    net = keras.Sequential([keras.Input(tuple(input_shape))] + [keras.layers.deserialize(dict(s)) for s in layers])
    y = net(np.zeros((1, *input_shape), "float32"))
    ran, inferred = int(y.shape[1 + axis]), net.output_shape[1 + axis]
    if ran != inferred:
        raise AssertionError(f"Keras infers {inferred} but the forward pass gives {ran}")
    return ran


@probe
def same_padding_split(w: int, k: int, s: int = 1, d: int = 1, seed: int = 0) -> list[int]:
    """``[before, after]``: the zero rows Keras/TensorFlow ``padding='same'`` adds on top (left) and bottom (right),
    found as the only explicit ``ZeroPadding2D(((before, after), (before, after)))`` + ``'valid'`` conv with the same
    kernel that reproduces the ``'same'`` conv's output on a random input."""
    keras.utils.set_random_seed(seed)
    x = M.random_input((1, w, w, 1), seed)
    same = keras.layers.Conv2D(1, k, strides=s, dilation_rate=d, padding="same", use_bias=False)
    y = np.asarray(same(x))
    valid = keras.layers.Conv2D(1, k, strides=s, dilation_rate=d, padding="valid", use_bias=False)
    valid.build((1, w + d * (k - 1) + s, w + d * (k - 1) + s, 1))
    valid.kernel.assign(np.asarray(same.kernel))
    k_eff = d * (k - 1) + 1
    for total in range(k_eff + s + 1):  # the least total padding that reproduces it (stride > 1 may ignore extra rows)
        found = []
        for before in range(total + 1):
            after = total - before
            if w + total < k_eff:
                continue
            z = np.asarray(valid(keras.layers.ZeroPadding2D(((before, after), (before, after)))(x)))
            if z.shape == y.shape and np.allclose(z, y, atol=TOL):
                found.append([before, after])
        if len(found) > 1:
            raise AssertionError(f"several explicit paddings reproduce 'same': {found}")
        if found:
            return found[0]
    raise AssertionError("no explicit padding reproduces 'same'")


@probe
def dilation_free_rf_growth(k: int = 3, d: int = 2, size: int = 16, c_in: int = 3, c_out: int = 4) -> bool:
    """A dilated ``Conv2D(c_out, k, dilation_rate=d)`` has exactly the parameters of the undilated one, keeps H×W with
    ``padding='same'``, and its receptive field (measured by gradient) is ``K_eff = d·(k−1) + 1`` instead of k."""
    dil = keras.Sequential(
        [keras.Input((size, size, c_in)), keras.layers.Conv2D(c_out, k, dilation_rate=d, padding="same")]
    )
    plain = keras.Sequential([keras.Input((size, size, c_in)), keras.layers.Conv2D(c_out, k, padding="same")])
    k_eff = d * (k - 1) + 1
    side = 2 * k_eff + 1
    rf_dil = M.receptive_field(
        keras.Sequential([keras.Input((side, side, 1)), keras.layers.Conv2D(1, k, dilation_rate=d)])
    )
    rf_plain = M.receptive_field(keras.Sequential([keras.Input((side, side, 1)), keras.layers.Conv2D(1, k)]))
    same_size = tuple(dil(np.zeros((1, size, size, c_in), "float32")).shape[1:3]) == (size, size)
    return bool(
        dil.count_params() == plain.count_params() and same_size and rf_dil == [k_eff] * 2 and rf_plain == [k] * 2
    )


# ------------------------------------------------------------ equivariance of strided stacks, ViT tokens, BN, activations


def _shift_stack(layers: Sequence[Sequence[Any]], channels: int, seed: int) -> Callable[[np.ndarray], np.ndarray]:
    """A stack of ``[kind, k, s]`` layers (kind ``conv``/``max``/``avg``) with circular (wrap) padding of ``k − 1``:
    an input of side N (a multiple of the total stride) gives an output of side N/S with no border effects."""
    keras.utils.set_random_seed(seed)
    ops = []
    for kind, k, s in layers:
        if kind == "conv":
            op = keras.layers.Conv2D(channels, int(k), strides=int(s), activation="tanh")
        elif kind in ("max", "avg"):
            op = (keras.layers.MaxPooling2D if kind == "max" else keras.layers.AveragePooling2D)(int(k), strides=int(s))
        else:
            raise ValueError(f"unknown layer kind {kind!r}; expected conv, max or avg")
        ops.append(op)
    return M.circular_stack(ops)


@probe
def feature_shift(
    layers: Sequence[Sequence[Any]] = (("conv", 3, 2),),
    shift: int | Sequence[int] = 2,
    size: int = 32,
    channels: int = 3,
    seed: int = 0,
) -> int | list[int]:
    """By how many output positions the feature maps of a conv/pool stack (circular padding) move when the input is
    shifted by ``shift`` pixels (an int: rows only; a pair: rows and columns).  Measured by searching the roll of
    f(x) that equals f(shift x) exactly; ``-1`` (or ``[-1, -1]``) when no roll matches, i.e. the output is not a
    shifted copy (a shift that is not a multiple of the total stride)."""
    f = _shift_stack(layers, channels, seed)
    by = [int(shift)] if isinstance(shift, int) else [int(v) for v in shift]
    moved = M.feature_shift(f, M.random_input((1, size, size, channels), seed), by, atol=TOL)
    found = list(moved) if moved is not None else [-1] * len(by)
    return found[0] if isinstance(shift, int) else found


@probe
def gap_shift_invariant(
    layers: Sequence[Sequence[Any]] = (("conv", 3, 2),),
    shift: Sequence[int] = (2, 2),
    size: int = 32,
    channels: int = 3,
    seed: int = 0,
) -> bool:
    """Global average pooling after a conv/pool stack (circular padding): is the pooled vector unchanged when the
    input is shifted by ``shift``?"""
    f = _shift_stack(layers, channels, seed)
    return M.invariance_error(f, M.random_input((1, size, size, channels), seed), [int(v) for v in shift]) <= TOL


@probe
def measure_each(checks: Sequence[Sequence[Any]]) -> list[Any]:
    """Run several probes, ``[[name, {args}], ...]``, and return their measured values in order (backs the several
    true statements of a multi-select question at once)."""
    return [run(str(name), **dict(args)) for name, args in checks]


class _ClsToken(keras.layers.Layer):
    """Prepend one learnable token to a (N, L, D) sequence, as ViT's CLS token."""

    def build(self, input_shape: Any) -> None:
        self.token = self.add_weight(shape=(1, 1, int(input_shape[-1])), initializer="zeros", name="cls")

    def call(self, x: Any) -> Any:
        ops = keras.ops
        tok = ops.broadcast_to(self.token, (ops.shape(x)[0], 1, ops.shape(x)[2]))
        return ops.concatenate([tok, x], axis=1)


@probe
def vit_sequence_shape(
    image_h: int = 224, image_w: int = 224, patch: int = 16, channels: int = 3, dim: int = 8, cls: bool = True
) -> list[int]:
    """The token sequence a ViT stem feeds its transformer, from a real forward pass: a ``P×P`` conv with stride
    ``P`` (the patch embedding), flattened to ``(H/P·W/P, D)``, with a learnable CLS token prepended."""
    inp = keras.Input((image_h, image_w, channels))
    x = keras.layers.Conv2D(dim, patch, strides=patch)(inp)
    x = keras.layers.Reshape((-1, dim))(x)
    if cls:
        x = _ClsToken()(x)
    model = keras.Model(inp, x)
    out = model(np.zeros((1, image_h, image_w, channels), "float32"))
    return [int(d) for d in out.shape[1:]]


@probe
def vit_token_count(
    image_h: int = 224, image_w: int = 224, patch: int = 16, channels: int = 3, cls: bool = True
) -> int:
    """The number of tokens of :func:`vit_sequence_shape` (196 + 1 = 197 for ViT-B/16 at 224)."""
    return vit_sequence_shape(image_h, image_w, patch, channels, 4, cls)[0]


@probe
def negative_preact_grad_flows(activation: str = "relu", bias: float = -2.0, seed: int = 0) -> bool:
    """A ``Dense(1)`` unit whose pre-activation is ``bias`` < 0 for every input (zero kernel): does any gradient reach
    its weights?  False for ReLU (a dead unit stays dead), True for Leaky ReLU, ELU, GELU, ..."""
    dense = keras.layers.Dense(
        1, activation=activation, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant(bias)
    )
    return any(bool(np.any(g)) for g in M.weight_gradients(dense, M.random_input((64, 8), seed)))


@probe
def bn_inference_output(
    x: float = 1.0,
    mean: float = 0.0,
    var: float = 1.0,
    gamma: float = 1.0,
    beta: float = 0.0,
    eps: float = 1e-3,
    training: bool = False,
) -> float:
    """The output of a one-channel ``BatchNormalization`` on the single sample ``x``, with the given moving
    statistics and γ, β (``training=False``: inference; ``training=True``: the batch-statistics bug)."""
    bn = keras.layers.BatchNormalization(epsilon=eps)
    bn.build((1, 1))
    bn.moving_mean.assign([mean])
    bn.moving_variance.assign([var])
    bn.gamma.assign([gamma])
    bn.beta.assign([beta])
    out = np.asarray(bn(np.array([[x]], "float32"), training=training))
    return round(float(out[0, 0]), 4)


@probe
def deeper_contains_shallow(extra: int = 6, channels: int = 4, size: int = 8, seed: int = 0) -> bool:
    """A deeper plain net can represent the shallow one exactly: its extra layers set to the identity
    (1×1 convs with identity kernels after a ReLU) reproduce the shallow net's output.  So a higher *training*
    error of the deeper net is not a lack of capacity but a failure to optimise (degradation)."""
    keras.utils.set_random_seed(seed)
    inp = keras.Input((size, size, 3))
    shallow_out = keras.layers.Conv2D(channels, 3, padding="same", activation="relu", name="shared")(inp)
    shallow = keras.Model(inp, shallow_out)
    x = shallow_out
    for i in range(extra):
        layer = keras.layers.Conv2D(channels, 1, activation="relu", name=f"extra_{i}")
        x = layer(x)
        layer.kernel.assign(np.eye(channels, dtype="float32")[None, None])
        layer.bias.assign(np.zeros(channels, "float32"))
    deep = keras.Model(inp, x)
    data = M.random_input((2, size, size, 3), seed)
    return bool(np.allclose(np.asarray(shallow(data)), np.asarray(deep(data)), atol=TOL))


@probe
def zoo_layer_counts(models: Sequence[str] = ("mobilenet_v1", "mobilenet_v2"), class_name: str = "Add") -> list[int]:
    """How many layers of a Keras class each zoo model has (e.g. the residual ``Add`` layers of MobileNet v1 vs v2)."""
    from .registry import get

    return [sum(type(layer).__name__ == class_name for layer in get(name).layers) for name in models]


_last_zoo: dict[str, Any] = {}


def _zoo(model: str, overrides: dict[str, Any]) -> Any:
    """The zoo model, built once for consecutive probes of the same model (only the last one is kept)."""
    import json

    from .registry import get

    key = json.dumps([model, overrides], sort_keys=True, default=str)
    if key not in _last_zoo:
        _last_zoo.clear()
        _last_zoo[key] = get(model, **overrides)
    return _last_zoo[key]


@probe
def zoo_layer_config(model: str, class_name: str, key: str, **overrides: Any) -> list[Any]:
    """``get_config()[key]`` of every layer of a Keras class in a zoo model, in order (e.g. the ``rate`` of AlexNet's
    ``Dropout`` layers, the ``groups`` of its convs)."""
    net = _zoo(model, overrides)
    return [layer.get_config()[key] for layer in net.layers if type(layer).__name__ == class_name]


@probe
def zoo_activations(model: str, **overrides: Any) -> list[str]:
    """The activation functions a zoo model uses, sorted: ``ReLU``/``Activation`` layers and the ``activation`` of
    every layer that has one (``linear`` left out)."""
    names: set[str] = set()
    for layer in _zoo(model, overrides).layers:
        cls = type(layer).__name__
        if cls == "ReLU":
            names.add("relu")
        cfg = layer.get_config()
        act = cfg.get("activation")
        if isinstance(act, str) and act != "linear":
            names.add(act)
        elif isinstance(act, dict):  # a serialized activation object
            names.add(str(act.get("config", {}).get("name", act.get("class_name", "?"))).lower())
    return sorted(names)


@probe
def zoo_layer_sequence(model: str, classes: Sequence[str], **overrides: Any) -> list[str]:
    """The Keras classes of a zoo model's layers in graph order, keeping only ``classes`` (its template, e.g. LeNet's
    Conv2D → AveragePooling2D → Conv2D → AveragePooling2D → Flatten → Dense → Dense → Dense)."""
    keep = set(classes)
    return [type(layer).__name__ for layer in _zoo(model, overrides).layers if type(layer).__name__ in keep]


@probe
def conv_grad_channels(
    x: Sequence[Any],
    kernel: Sequence[Any],
    upstream: Sequence[Any],
    at: Sequence[int],
    wrt: str = "input",
) -> float:
    """A multi-channel ``Conv2D`` (valid, stride 1, no bias) with the given kernel (``K×K×C_in×C_out``) on one sample
    ``x`` (``H×W×C_in``); ``L = Σ upstream·conv(x)`` with ``upstream`` of the output's shape ``O×O×C_out``.  Returns
    ``∂L/∂x[i, j, c_in]`` (``wrt='input'``, ``at = [i, j, c_in]``) or ``∂L/∂w[a, b, c_in, c_out]``
    (``wrt='kernel'``, ``at = [a, b, c_in, c_out]``), measured with GradientTape."""
    xa = np.asarray(x, "float32")[None]
    w = np.asarray(kernel, "float32")
    up = np.asarray(upstream, "float32")[None]
    conv = keras.layers.Conv2D(w.shape[3], w.shape[:2], use_bias=False)
    conv.build(xa.shape)
    conv.kernel.assign(w)
    if wrt == "input":
        return float(M.input_gradient(conv, xa, up)[1][(0, *at)])
    if wrt == "kernel":
        return float(M.weight_gradients(conv, xa, up)[0][tuple(at)])
    raise ValueError(f"wrt must be 'input' or 'kernel', got {wrt!r}")
