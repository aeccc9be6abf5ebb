"""Measurements of any Keras model or stack of layers, taken by running it.

Where :mod:`models.inspect` reads a model's graph, this module runs the model and measures what it does:

* **gradients**: the input gradient of a weighted sum of outputs (:func:`input_gradient`), of one output unit,
  the full Jacobian, the gradients that reach a layer's weights;
* **receptive field by gradient**: which inputs reach one output unit (:func:`gradient_support`), measured on a
  *positive copy* of the model (linear activations, average pools for max pools, no normalisation, every kernel
  0.5, every bias 0, an all-ones input) so that no dead ReLU, tie or cancelling weight hides a connection; from it
  the per-axis extent (:func:`receptive_field`), the positions inside it that never reach the unit
  (:func:`gridding_holes`) and the future inputs an output depends on (:func:`future_inputs`, causality);
* **shifts**: how far the feature map moves when the input moves (:func:`feature_shift`), the error of
  ``f(shift x) = shift f(x)`` (:func:`equivariance_error`) and of ``pool f(shift x) = pool f(x)`` after global
  average pooling (:func:`invariance_error`); :func:`circular_stack` runs a layer stack with wrap-around padding, so
  that borders do not spoil the comparison;
* **video**: the boring-video responses of a 2D kernel and its 3D inflation (:func:`boring_video`).

Models, ``keras.layers.Layer`` objects and plain callables are all accepted where only a forward pass is needed
(``net``); the gradient receptive field needs a ``keras.Model`` or a list of layers (``model``), because it
rebuilds the positive copy from the config.  Used by :mod:`models.probes` (the question bank's live checks) and by
the autograder's checks on rebuilt student models.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from ._keras import keras, np

Net = Callable[..., Any]
"""A ``keras.Model``, a ``keras.layers.Layer`` or any callable from a batch to a batch."""
Stack = keras.Model | Sequence[keras.layers.Layer]
"""A ``keras.Model``, or layers to apply in turn (given with an ``input_shape``)."""

# activation and normalisation layers become identities in the positive copy: they change values, not wiring
_IDENTITY_IN_COPY = {
    "Activation",
    "ReLU",
    "LeakyReLU",
    "PReLU",
    "ELU",
    "Softmax",
    "Dropout",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "BatchNormalization",
    "LayerNormalization",
    "GroupNormalization",
    "UnitNormalization",
}


# the averaging copy also drops the input's scaling and averages gating merges, so that every value stays near 1
_IDENTITY_IN_AVERAGING_COPY = frozenset({*_IDENTITY_IN_COPY, "Rescaling", "Normalization"})
_AVERAGED_MERGES = frozenset({"Multiply", "Subtract", "Minimum"})


def _tf() -> Any:
    import tensorflow as tf

    return tf


def random_input(shape: Sequence[int], seed: int = 0, positive: bool = False) -> np.ndarray:
    """A float32 array of ``shape``: standard normal, or uniform in [0.1, 1.1) when ``positive``."""
    r = np.random.default_rng(seed)
    x = r.random(shape) + 0.1 if positive else r.standard_normal(shape)
    return x.astype("float32")


def _run(net: Net, x: Any) -> Any:
    """``net(x)``, in inference mode when ``net`` is a Keras layer or model."""
    return net(x, training=False) if isinstance(net, keras.layers.Layer) else net(x)


def forward(net: Net, x: np.ndarray) -> np.ndarray:
    """``net(x)`` as a numpy array (inference mode)."""
    return np.asarray(_run(net, x))


# ------------------------------------------------------------------ gradients


def _weighted_sum(y: Any, upstream: np.ndarray | None) -> Any:
    """``Σ upstream·y`` (``Σ y`` without an upstream gradient)."""
    if upstream is None:
        return _tf().reduce_sum(y)
    if tuple(y.shape) != tuple(upstream.shape):
        raise ValueError(f"upstream gradient shape {upstream.shape} does not match the output {tuple(y.shape)}")
    return _tf().reduce_sum(y * upstream)


def _input_tape(net: Net, x: np.ndarray, loss: Callable[[Any], Any]) -> tuple[np.ndarray, np.ndarray]:
    """``(y, ∂loss(y)/∂x)`` with ``y = net(x)``."""
    tf = _tf()
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = _run(net, xt)
        target = loss(y)
    return np.asarray(y), np.asarray(tape.gradient(target, xt))


def input_gradient(net: Net, x: np.ndarray, upstream: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(y, ∂L/∂x)`` with ``y = net(x)`` and ``L = Σ upstream·y`` (``upstream`` of y's shape, default all ones)."""
    return _input_tape(net, x, lambda y: _weighted_sum(y, upstream))


def _unit(at: Sequence[int] | None, spatial: Sequence[int]) -> tuple[int, ...]:
    """The output position ``at`` (negative indices count from the end); the centre ``s // 2`` of every axis ``at``
    leaves out (all of them when it is None)."""
    at = tuple(at or ())
    if len(at) > len(spatial):
        raise ValueError(f"position {at} does not index the output's spatial axes {tuple(spatial)}")
    at = at + tuple(s // 2 for s in spatial[len(at) :])
    pos = tuple(int(a) + s if int(a) < 0 else int(a) for a, s in zip(at, spatial, strict=True))
    if any(not 0 <= p < s for p, s in zip(pos, spatial, strict=True)):
        raise ValueError(f"position {tuple(at)} is outside the output's spatial axes {tuple(spatial)}")
    return pos


def unit_gradient(net: Net, x: np.ndarray, at: Sequence[int] | None = None) -> np.ndarray:
    """∂(sum over channels of the output at spatial position ``at`` of sample 0)/∂x: the input gradient of one
    output unit (the axes ``at`` leaves out at their centre; negative indices count from the end)."""
    return _input_tape(net, x, lambda y: _tf().reduce_sum(y[(0, *_unit(at, y.shape[1:-1]))]))[1]


def jacobian(net: Net, x: np.ndarray) -> np.ndarray:
    """The full Jacobian ``∂net(x)/∂x``, of shape ``y.shape + x.shape``."""
    tf = _tf()
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = _run(net, xt)
    return np.asarray(tape.jacobian(y, xt))


def weight_gradients(layer: keras.layers.Layer, x: np.ndarray, upstream: np.ndarray | None = None) -> list[np.ndarray]:
    """The gradients of ``L = Σ upstream·layer(x)`` (``upstream`` default all ones) with respect to each of the
    layer's trainable weights, in their order (the layer is built on ``x`` first if it is not)."""
    tf = _tf()
    xt = tf.constant(x)
    if not layer.built:
        _run(layer, xt)
    with tf.GradientTape() as tape:
        loss = _weighted_sum(_run(layer, xt), upstream)
    return [np.asarray(g) for g in tape.gradient(loss, layer.trainable_weights)]


# ------------------------------------------------------------------ receptive field by gradient


def as_model(model: Stack, input_shape: Sequence[int] | None = None) -> Any:
    """``model`` itself, or a ``keras.Sequential`` of the given layers on an input of ``input_shape`` (no batch
    axis)."""
    if isinstance(model, keras.Model):
        return model
    if input_shape is None:
        raise ValueError("a layer stack needs an input_shape")
    return keras.Sequential([keras.Input(tuple(input_shape)), *model])


def _positive_config(cfg: dict[str, Any], averaging: bool = False) -> dict[str, Any]:
    """A model config with linear activations, average pools for max pools and identities for activation,
    normalisation and dropout layers, nested models included. ``averaging`` also drops the input's scaling and
    averages what gating merges (``Multiply``, ``Subtract``) combine: the wiring stays, the values stay near 1."""
    identities = _IDENTITY_IN_AVERAGING_COPY if averaging else _IDENTITY_IN_COPY

    def fix(layer_cfg: dict[str, Any]) -> dict[str, Any]:
        cls = layer_cfg["class_name"]
        c = dict(layer_cfg["config"])
        if cls in identities:
            identity = {
                **layer_cfg,
                "class_name": "Identity",
                "module": "keras.layers",
                "config": {"name": c.get("name")},
            }
            if "inbound_nodes" in layer_cfg:  # call arguments such as BatchNormalization's mask do not apply
                identity["inbound_nodes"] = [
                    {**n, "kwargs": {}} if isinstance(n, dict) else n for n in layer_cfg["inbound_nodes"]
                ]
            return identity
        if "layers" in c:
            return {**layer_cfg, "config": _positive_config(c, averaging)}
        if "activation" in c:
            c["activation"] = "linear"
        if "MaxPooling" in cls or cls == "Maximum":
            cls = cls.replace("Max", "Average") if "MaxPooling" in cls else "Average"
        if averaging and cls in _AVERAGED_MERGES:
            cls = "Average"
        return {**layer_cfg, "class_name": cls, "config": c}

    return {**cfg, "layers": [fix(lc) for lc in cfg["layers"]]}


def positive_copy(model: keras.Model) -> keras.Model:
    """A copy of ``model`` whose input gradient is non-zero exactly where its wiring reaches: linear activations,
    average pools for max pools, no normalisation, every kernel 0.5 and every bias 0."""
    cfg = _positive_config(model.get_config())
    copy = keras.Sequential.from_config(cfg) if isinstance(model, keras.Sequential) else keras.Model.from_config(cfg)
    for w in copy.weights:
        w.assign(np.full(w.shape, 0.5 if len(w.shape) > 1 else 0.0, "float32"))
    return copy


def _as_float64(cfg: Any) -> Any:
    """A config with every layer's dtype (policy) set to float64, nested models included."""
    if isinstance(cfg, dict):
        out = {k: "float64" if k == "dtype" and v is not None else _as_float64(v) for k, v in cfg.items()}
        if isinstance(out.get("layers"), list):
            for layer in out["layers"]:
                if isinstance(layer, dict) and isinstance(layer.get("config"), dict):
                    layer["config"]["dtype"] = "float64"
        return out
    if isinstance(cfg, list):
        return [_as_float64(v) for v in cfg]
    return cfg


def _fan_in(layer: Any, weight: Any) -> int:
    """How many inputs one output of ``layer`` sums through ``weight`` (a kernel of 2 or more axes)."""
    shape = tuple(int(d) for d in weight.shape)
    name = str(getattr(weight, "path", weight.name)).rsplit("/", 1)[-1]
    if type(layer).__name__.startswith("Depthwise") or name == "depthwise_kernel":
        return int(np.prod(shape[:-2]))  # one input channel per output
    if "Transpose" in type(layer).__name__:
        return int(np.prod(shape[:-2])) * shape[-1]  # kernel (…, out, in)
    return int(np.prod(shape[:-1]))


def averaging_copy(model: keras.Model) -> keras.Model:
    """A float64 copy of ``model`` whose every output averages its inputs: the positive copy's wiring (linear
    activations, average pools for max pools, no normalisation and no input scaling), gating merges averaged, every
    kernel entry ``1 / fan-in`` and every bias 0. Values stay near 1 however deep the model is, so the input gradient
    of one unit neither overflows (as ``0.5`` kernels do in wide, gated models such as EfficientNet's
    squeeze-and-excitation) nor loses the far edges of the receptive field: its magnitude is each input's share of
    the unit."""
    cfg = _as_float64(_positive_config(model.get_config(), averaging=True))
    copy = keras.Sequential.from_config(cfg) if isinstance(model, keras.Sequential) else keras.Model.from_config(cfg)
    _average(copy)
    return copy


def _average(model: keras.Model) -> None:
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            _average(layer)
            continue
        for w in layer.weights:
            w.assign(np.full(w.shape, 1.0 / _fan_in(layer, w) if len(w.shape) > 1 else 0.0, "float64"))


def gradient_map(model: Stack, at: Sequence[int] | None = None, input_shape: Sequence[int] | None = None) -> np.ndarray:
    """The magnitude of the input gradient of the output unit at spatial position ``at`` (default the centre), summed
    over the input channels, measured on :func:`averaging_copy` with an all-ones input: an array over the input's
    spatial axes, non-zero exactly where :func:`gradient_support` holds (for models whose gradient neither overflows
    nor underflows in float32), and largest where most paths meet (the *effective* receptive field)."""
    m = as_model(model, input_shape)
    shape = _input_shape(m, input_shape)
    g = unit_gradient(averaging_copy(m), np.ones((1, *shape), "float64"), at)
    return np.abs(g[0]).sum(axis=-1)


def _input_shape(m: Any, input_shape: Sequence[int] | None) -> tuple[int, ...]:
    declared = tuple(m.inputs[0].shape[1:])
    if None in declared and (input_shape is None or len(input_shape) != len(declared)):
        raise ValueError(f"the model's input {declared} has free axes: pass an input_shape of {len(declared)} axes")
    free = tuple(input_shape or declared)
    return tuple(int(d) if d is not None else int(free[i]) for i, d in enumerate(declared))


def gradient_support(
    model: Stack, at: Sequence[int] | None = None, input_shape: Sequence[int] | None = None
) -> np.ndarray:
    """Which input positions (a bool array over the input's spatial axes) reach the output unit at spatial position
    ``at`` (default the centre), measured by the gradient of the model's positive copy on an all-ones input.

    ``input_shape`` (no batch axis) builds a layer stack, and fills a model's ``None`` input axes."""
    m = as_model(model, input_shape)
    shape = _input_shape(m, input_shape)
    g = unit_gradient(positive_copy(m), np.ones((1, *shape), "float32"), at)
    return np.abs(g[0]).sum(axis=-1) > 0


def _spans(support: np.ndarray) -> list[tuple[int, int] | None]:
    """Per axis, the first and last position where the support holds (None when it holds nowhere)."""
    spans: list[tuple[int, int] | None] = []
    for axis in range(support.ndim):
        other = tuple(a for a in range(support.ndim) if a != axis)
        idx = np.nonzero(support.any(axis=other) if other else support)[0]
        spans.append((int(idx.min()), int(idx.max())) if idx.size else None)
    return spans


def receptive_field(
    model: Stack, at: Sequence[int] | None = None, input_shape: Sequence[int] | None = None
) -> list[int]:
    """The receptive field of one output unit per spatial axis: the extent (first to last input position) of its
    :func:`gradient_support`; 0 on an axis where no input reaches it."""
    return [span[1] - span[0] + 1 if span else 0 for span in _spans(gradient_support(model, at, input_shape))]


def gridding_holes(model: Stack, at: Sequence[int] | None = None, input_shape: Sequence[int] | None = None) -> int:
    """Input positions inside the receptive field's box that never reach the output unit (gridding of dilated
    stacks): the box's size minus the :func:`gradient_support`'s."""
    support = gradient_support(model, at, input_shape)
    spans = _spans(support)
    if not all(spans):
        return 0
    box = support[tuple(slice(span[0], span[1] + 1) for span in spans if span)]
    return int(np.sum(~box))


def future_inputs(model: Stack, t: int, input_shape: Sequence[int] | None = None) -> int:
    """How many inputs after position ``t`` (along the first spatial axis) reach the output at ``t`` (the other axes
    at their centre): 0 for a causal model, whose output at t depends only on inputs up to t."""
    support = gradient_support(model, (t,), input_shape)
    return int(np.count_nonzero(support.reshape(len(support), -1).any(axis=1)[t + 1 :]))


# ------------------------------------------------------------------ shifts: equivariance and invariance


def shift(x: np.ndarray, by: Sequence[int], *, circular: bool = True) -> np.ndarray:
    """``x`` (N, spatial…, C) moved by ``by[i]`` positions along spatial axis ``i``: rolled round when ``circular``,
    otherwise with zeros entering and what leaves dropped."""
    axes = tuple(range(1, 1 + len(by)))
    out = np.roll(x, tuple(int(b) for b in by), axis=axes)
    if not circular:
        for ax, b in zip(axes, by, strict=True):
            band = [slice(None)] * x.ndim
            band[ax] = slice(0, b) if b >= 0 else slice(x.shape[ax] + b, None)
            out[tuple(band)] = 0
    return out


def _window(layer: keras.layers.Layer) -> tuple[int, ...]:
    """The spatial window of a conv (``d·(K−1) + 1`` per axis) or pooling layer; ``()`` for anything else."""
    k = getattr(layer, "kernel_size", None) or getattr(layer, "pool_size", None)
    if k is None:
        return ()
    d = getattr(layer, "dilation_rate", None) or (1,) * len(k)
    return tuple(int(di) * (int(ki) - 1) + 1 for ki, di in zip(k, d, strict=True))


def circular_stack(layers: Sequence[keras.layers.Layer]) -> Callable[[np.ndarray], np.ndarray]:
    """Run ``layers`` (valid-padded convs and pools) in turn, each on its input wrapped round by its window − 1
    (split as 'same' splits it): a stack with no borders, whose output on an input of side N (a multiple of the total
    stride) has side N/S and is an exact shifted copy under input shifts that are multiples of S."""

    def f(x: np.ndarray) -> np.ndarray:
        for layer in layers:
            wrap = [((w - 1) // 2, w - 1 - (w - 1) // 2) for w in _window(layer)]
            if any(w > 1 for w in _window(layer)):
                x = np.pad(x, [(0, 0), *wrap, (0, 0)], mode="wrap")
            x = np.asarray(_run(layer, x))
        return x

    return f


def feature_shift(net: Net, x: np.ndarray, by: Sequence[int], atol: float = 1e-4) -> tuple[int, ...] | None:
    """By how many positions the output of ``net`` moves (along the spatial axes ``by`` names) when its input ``x`` is
    rolled by ``by``: the first roll of ``net(x)`` that equals ``net(shift x)`` within ``atol``, searched over every
    roll of those axes; None when none does (the output is no shifted copy, e.g. a shift that is not a multiple of
    the total stride).  Meant for border-free nets (:func:`circular_stack`)."""
    y0 = forward(net, x)
    y1 = forward(net, shift(x, by))
    sizes = y0.shape[1 : 1 + len(by)]
    for flat in range(int(np.prod(sizes))):
        moved = tuple(int(v) for v in np.unravel_index(flat, sizes))
        if np.max(np.abs(y1 - shift(y0, moved)), initial=0.0) <= atol:
            return moved
    return None


def equivariance_error(net: Net, x: np.ndarray, by: Sequence[int], *, circular: bool = True, margin: int = 0) -> float:
    """The largest ``|net(shift x) − shift net(x)|`` (a same-size feature map, stride 1): with ``circular`` shifts
    over the whole map; otherwise with zeros entering, compared only where both sides saw real input, ``margin``
    positions (the receptive-field radius) clear of every border."""
    y = forward(net, x)
    ys = forward(net, shift(x, by, circular=circular))
    if y.shape != x.shape[:-1] + y.shape[-1:]:
        raise ValueError(f"output {y.shape} is not a same-size feature map of the input {x.shape}")
    moved = shift(y, by)  # rolled: the wrapped band is cut away below when not circular
    if not circular:
        box = [slice(None)]
        for b, n in zip(by, y.shape[1:], strict=False):
            box.append(slice(max(b, 0) + margin, n + min(b, 0) - margin))
        ys, moved = ys[tuple(box)], moved[tuple(box)]
    return float(np.max(np.abs(ys - moved), initial=0.0))


def invariance_error(net: Net, x: np.ndarray, by: Sequence[int]) -> float:
    """The largest ``|GAP(net(roll x)) − GAP(net(x))|``: how far global average pooling over the spatial axes of
    ``net``'s output is from invariant to a circular input shift ``by``."""
    spatial = tuple(range(1, x.ndim - 1))
    a = forward(net, x).mean(axis=spatial)
    b = forward(net, shift(x, by)).mean(axis=spatial)
    return float(np.max(np.abs(a - b), initial=0.0))


# ------------------------------------------------------------------ video


class BoringVideo(NamedTuple):
    """A 2D kernel's response to an image, and its 3D inflation's response to the boring video of that image."""

    image: np.ndarray
    """``Conv2D(kernel_2d)(image)``, (1, H', W', C_out)."""
    video: np.ndarray
    """``Conv3D(kernel_3d)(image repeated T times)`` at its first output frame, (1, H', W', C_out)."""

    @property
    def ratio(self) -> float:
        """The median of video / image over the outputs not near 0: 1 for I3D's rule, T without its /T."""
        y2 = np.where(np.abs(self.image) > 1e-6, self.image, np.nan)
        return float(np.nanmedian(self.video / y2))


def boring_video(kernel_2d: np.ndarray, kernel_3d: np.ndarray, image: np.ndarray) -> BoringVideo:
    """Run ``kernel_2d`` (kh, kw, C_in, C_out) as a valid ``Conv2D`` on ``image`` (1, H, W, C_in) and ``kernel_3d``
    (T, kh, kw, C_in, C_out) as a valid ``Conv3D`` on the boring video (the image repeated T times), no bias."""
    w2, w3, image = (np.asarray(a, "float32") for a in (kernel_2d, kernel_3d, image))
    video = np.repeat(image[:, None], w3.shape[0], axis=1)
    c2 = keras.layers.Conv2D(w2.shape[-1], w2.shape[:2], use_bias=False)
    c2.build(image.shape)
    c2.kernel.assign(w2)
    c3 = keras.layers.Conv3D(w3.shape[-1], w3.shape[:3], use_bias=False)
    c3.build(video.shape)
    c3.kernel.assign(w3)
    return BoringVideo(forward(c2, image), forward(c3, video)[:, 0])


__all__ = [
    "BoringVideo",
    "as_model",
    "averaging_copy",
    "boring_video",
    "circular_stack",
    "equivariance_error",
    "feature_shift",
    "forward",
    "future_inputs",
    "gradient_map",
    "gradient_support",
    "gridding_holes",
    "input_gradient",
    "invariance_error",
    "jacobian",
    "positive_copy",
    "random_input",
    "receptive_field",
    "shift",
    "unit_gradient",
    "weight_gradients",
]
