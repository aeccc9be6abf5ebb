"""Inspect any Keras model, student models included: parameters, shapes, MACs, receptive field.

* **Parameters**: total, trainable, and the non-trainable ones explained by kind
  (BatchNorm moving statistics, preprocessing statistics, frozen layers).
* **Shapes**: a per-layer output-shape trace, like d2l's.
* **MACs** in torchvision's convention: a conv costs ``H_out·W_out·K·K·C_in/groups·C_out``, a dense layer
  ``positions·n_in·n_out``, attention its Q/K/V/output projections plus the ``QKᵀ`` and ``AV`` products;
  pooling, normalisation and activations count 0.  FLOPs are reported as ``2·MACs`` and labelled so.
* **Receptive field** of every tensor over the whole graph, per spatial axis:
  ``r ← r + (K−1)·d·j``, ``j ← j·S`` along each path, the max over branches at merges.  Global pools,
  flatten+dense heads and squeeze-excitation gates depend on the *whole* input: such tensors are flagged
  ``whole_input`` and keep the RF of their convolutional path alongside.

The graph is walked once, from Keras' own node structure, without running the model: inspecting a built
ResNet-50 takes milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import prod
from typing import Any

from ._keras import keras

_CONV = ("Conv1D", "Conv2D", "Conv3D")
_DEPTHWISE = ("DepthwiseConv1D", "DepthwiseConv2D")
_SEPARABLE = ("SeparableConv1D", "SeparableConv2D")
_TRANSPOSE = ("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose")
_POOL = ("MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D")
_GLOBAL = (
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalAveragePooling3D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "GlobalMaxPooling3D",
    "Flatten",
)
_MERGE = ("Add", "Multiply", "Concatenate", "Subtract", "Average", "Maximum", "Minimum")
_UPSAMPLE = ("UpSampling1D", "UpSampling2D", "UpSampling3D")


@dataclass(frozen=True)
class RF:
    """Receptive field of one tensor: per-axis size ``r`` and jump ``j`` along its convolutional path."""

    r: tuple[float, ...] | None
    j: tuple[float, ...] | None
    whole_input: bool = False

    @property
    def size(self) -> tuple[int, ...] | None:
        return None if self.r is None else tuple(round(v) for v in self.r)


@dataclass(frozen=True)
class LayerRow:
    name: str
    class_name: str
    output_shape: tuple[Any, ...]
    params: int
    trainable: int
    macs: int
    receptive_field: tuple[int, ...] | None
    whole_input: bool


@dataclass(frozen=True)
class Summary:
    name: str
    input_shape: tuple[Any, ...]
    output_shape: tuple[Any, ...]
    params: int
    trainable: int
    non_trainable: int
    non_trainable_by_kind: dict[str, int]
    macs: int
    receptive_field: tuple[int, ...] | None
    """RF of the deepest spatial feature map on the output's path (per axis)."""
    whole_input: bool
    """The output depends on the whole input (a global pool / dense head / SE gate is on its path)."""
    layers: list[LayerRow] = field(repr=False)

    @property
    def flops(self) -> int:
        """FLOPs counted as 2·MACs (one multiply and one add per MAC)."""
        return 2 * self.macs


def _n(weights: list[Any]) -> int:
    return int(sum(prod(w.shape) for w in weights))


def _tuple(v: Any, n: int) -> tuple[int, ...]:
    return tuple(v) if isinstance(v, (tuple, list)) else (int(v),) * n


def _graph(model: keras.Model) -> keras.Model:
    """The functional graph behind a model (a built Sequential keeps one)."""
    if isinstance(model, keras.Sequential):
        fn = getattr(model, "_functional", None)
        if fn is None:
            raise ValueError("build the Sequential model with an Input (or call build) before inspecting it")
        return fn
    if not hasattr(model, "_nodes_by_depth"):
        raise TypeError(f"{type(model).__name__}: subclassed models have no static graph to inspect")
    return model


def _nodes(model: keras.Model) -> list[Any]:
    g = _graph(model)
    return [node for depth in sorted(g._nodes_by_depth, reverse=True) for node in g._nodes_by_depth[depth]]


def _shape(t: Any) -> tuple[Any, ...]:
    return tuple(t.shape)


def _positions(shape: tuple[Any, ...]) -> int:
    return int(prod(int(d) for d in shape[1:-1])) if len(shape) > 2 else 1


def node_macs(layer: Any, inputs: list[Any], outputs: list[Any]) -> int:
    """MACs of one call of ``layer`` (torchvision's convention)."""
    cls = type(layer).__name__
    if isinstance(layer, keras.Model):
        return summary(layer).macs
    if not outputs:
        return 0
    out = _shape(outputs[0])
    if cls in _CONV or cls in _DEPTHWISE:
        return _positions(out) * prod(layer.kernel.shape)
    if cls in _SEPARABLE:
        return _positions(out) * (prod(layer.depthwise_kernel.shape) + prod(layer.pointwise_kernel.shape))
    if cls in _TRANSPOSE:
        return _positions(_shape(inputs[0])) * prod(layer.kernel.shape)
    if cls == "Dense":
        return _positions(out) * prod(layer.kernel.shape)
    if cls == "EinsumDense":
        # every output element contracts over (kernel size / kernel output size) inputs
        out_units = prod(int(d) for d in layer.full_output_shape[1:]) if hasattr(layer, "full_output_shape") else 0
        elements = prod(int(d) for d in out[1:])
        per = prod(layer.kernel.shape) // max(1, prod(layer.kernel.shape[-1:]))
        return int(elements * per) if out_units else 0
    if cls == "MultiHeadAttention":
        q, v = _shape(inputs[0]), _shape(inputs[1] if len(inputs) > 1 else inputs[0])
        k = _shape(inputs[2]) if len(inputs) > 2 else v
        tq, tk, tv = _positions(q), _positions(k), _positions(v)
        h, kd = layer.num_heads, layer.key_dim
        vd = layer.value_dim or kd
        proj = tq * q[-1] * h * kd + tk * k[-1] * h * kd + tv * v[-1] * h * vd + tq * h * vd * out[-1]
        return int(proj + h * tq * tk * kd + h * tq * tk * vd)
    return 0


def _rf_step(layer: Any, ins: list[RF], in_shapes: list[tuple[Any, ...]], out_shape: tuple[Any, ...]) -> RF:
    cls = type(layer).__name__
    spatial = [i for i, s in zip(ins, in_shapes) if i.r is not None and len(s) > 2]
    if cls in _MERGE:
        whole = any(i.whole_input for i in ins)
        if not spatial:
            return RF(None, None, whole)
        n = max(len(i.r or ()) for i in spatial)
        pick = [i for i in spatial if len(i.r or ()) == n]
        r = tuple(max(i.r[a] for i in pick) for a in range(n))  # type: ignore[index]
        j = tuple(max(i.j[a] for i in pick) for a in range(n))  # type: ignore[index]
        return RF(r, j, whole)
    src = ins[0] if ins else RF(None, None)
    if isinstance(layer, keras.Model):
        sub = _rf_of_model(layer)
        if src.r is None or sub.r is None:
            return RF(None, None, True)
        r = tuple(ri + (rs - 1) * ji for ri, rs, ji in zip(src.r, sub.r, src.j))  # type: ignore[arg-type]
        j = tuple(ji * js for ji, js in zip(src.j, sub.j))  # type: ignore[arg-type]
        return RF(r, j, src.whole_input or sub.whole_input)
    if len(out_shape) <= 2 or cls in _GLOBAL or cls == "MultiHeadAttention" or cls == "Reshape":
        # the spatial layout is gone (or mixed across all positions): the output sees the whole input
        return RF(None, None, True)
    if src.r is None:
        return src
    n = len(src.r)
    if cls in _CONV or cls in _DEPTHWISE or cls in _SEPARABLE or cls in _POOL or cls in _TRANSPOSE:
        k = _tuple(getattr(layer, "kernel_size", None) or layer.pool_size, n)
        s = _tuple(layer.strides, n)
        d = _tuple(getattr(layer, "dilation_rate", 1), n)
        if cls in _TRANSPOSE:
            j = tuple(ji / si for ji, si in zip(src.j, s))  # type: ignore[arg-type]
            return RF(tuple(ri + (ki - 1) * di * jn for ri, ki, di, jn in zip(src.r, k, d, j)), j, src.whole_input)
        r = tuple(ri + (ki - 1) * di * ji for ri, ki, di, ji in zip(src.r, k, d, src.j))  # type: ignore[arg-type]
        j = tuple(ji * si for ji, si in zip(src.j, s))  # type: ignore[arg-type]
        return RF(r, j, src.whole_input)
    if cls.startswith("Adaptive") and "Pooling" in cls:
        # windows of ceil(in/out) at a stride of floor(in/out) (exact when out divides in)
        ins_sp = [int(v) for v in in_shapes[0][1:-1]]
        outs_sp = [int(v) for v in out_shape[1:-1]]
        k = tuple(-(-i // o) for i, o in zip(ins_sp, outs_sp))
        s = tuple(max(1, i // o) for i, o in zip(ins_sp, outs_sp))
        r = tuple(ri + (ki - 1) * ji for ri, ki, ji in zip(src.r, k, src.j))  # type: ignore[arg-type]
        return RF(r, tuple(ji * si for ji, si in zip(src.j, s)), src.whole_input)  # type: ignore[arg-type]
    if cls in _UPSAMPLE:
        size = _tuple(layer.size, n)
        return RF(src.r, tuple(ji / si for ji, si in zip(src.j, size)), src.whole_input)  # type: ignore[arg-type]
    return src  # pointwise: BN, activations, dropout, padding, 1×1-like Dense on a feature map, …


def _walk(model: keras.Model) -> tuple[dict[int, RF], list[tuple[Any, Any, list[Any], list[Any], RF]]]:
    """RF state per tensor id, and (layer, node, inputs, outputs, rf) for every node in topological order."""
    states: dict[int, RF] = {}
    rows: list[tuple[Any, Any, list[Any], list[Any], RF]] = []
    for node in _nodes(model):
        layer = node.operation
        outs = list(node.output_tensors)
        if node.is_input:
            for t in outs:
                n = len(t.shape) - 2
                states[id(t)] = RF((1.0,) * n, (1.0,) * n) if n > 0 else RF(None, None)
            continue
        ins = list(node.input_tensors)
        in_rf = [states.get(id(t), RF(None, None)) for t in ins]
        rf = _rf_step(layer, in_rf, [_shape(t) for t in ins], _shape(outs[0]) if outs else ())
        for t in outs:
            states[id(t)] = rf
        rows.append((layer, node, ins, outs, rf))
    return states, rows


def _rf_of_model(model: keras.Model) -> RF:
    states, _ = _walk(model)
    outs = _graph(model).outputs
    return states.get(id(outs[0]), RF(None, None, True))


def _nontrainable_kind(path: str) -> str:
    p = path.lower()
    if "moving_mean" in p or "moving_variance" in p:
        return "batchnorm moving statistics"
    if p.endswith(("/mean", "/variance", "/count")):
        return "preprocessing (Normalization) statistics"
    return "frozen weights"


def non_trainable_by_kind(model: keras.Model) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for w in model.non_trainable_weights:
        k = _nontrainable_kind(getattr(w, "path", w.name))
        kinds[k] = kinds.get(k, 0) + int(prod(w.shape))
    return kinds


def summary(model: keras.Model) -> Summary:
    """Everything the inspector knows about ``model`` (built, functional or Sequential)."""
    _, rows = _walk(model)
    layer_rows: list[LayerRow] = []
    seen: set[int] = set()
    total_macs = 0
    deepest: RF | None = None
    for layer, _node, ins, outs, rf in rows:
        macs = node_macs(layer, ins, outs)
        total_macs += macs
        first = id(layer) not in seen  # a shared layer's weights count once
        seen.add(id(layer))
        if rf.r is not None:
            deepest = rf
        layer_rows.append(
            LayerRow(
                layer.name,
                type(layer).__name__,
                _shape(outs[0])[1:] if outs else (),
                _n(layer.weights) if first else 0,
                _n(layer.trainable_weights) if first else 0,
                macs,
                rf.size,
                rf.whole_input,
            )
        )
    out_rf = _rf_of_model(model)
    final = out_rf if out_rf.r is not None else deepest
    g = _graph(model)
    return Summary(
        name=model.name,
        input_shape=tuple(g.inputs[0].shape[1:]),
        output_shape=tuple(g.outputs[0].shape[1:]),
        params=int(model.count_params()),
        trainable=_n(model.trainable_weights),
        non_trainable=_n(model.non_trainable_weights),
        non_trainable_by_kind=non_trainable_by_kind(model),
        macs=total_macs,
        receptive_field=final.size if final else None,
        whole_input=out_rf.whole_input or out_rf.r is None,
        layers=layer_rows,
    )


def receptive_field(model: keras.Model, layer: str | None = None) -> tuple[int, ...] | None:
    """Per-axis RF of ``layer``'s output (default: the model's deepest spatial feature map on its output path)."""
    if layer is None:
        return summary(model).receptive_field
    for row in summary(model).layers:
        if row.name == layer:
            return row.receptive_field
    raise KeyError(f"no layer named {layer!r}")


def layer_macs(layer: Any) -> int:
    """MACs of a single-use layer inside a built model (its first call)."""
    node = layer._inbound_nodes[0]
    return node_macs(layer, list(node.input_tensors), list(node.output_tensors))


def macs(model: keras.Model) -> int:
    return summary(model).macs


def count_params(model: keras.Model) -> int:
    return int(model.count_params())


def trainable_params(model: keras.Model) -> int:
    return _n(model.trainable_weights)


def non_trainable_params(model: keras.Model) -> int:
    return _n(model.non_trainable_weights)


def table(s: Summary) -> list[dict[str, Any]]:
    """The per-layer trace as plain rows (for JSON and the CLI)."""
    return [
        {
            "name": r.name,
            "type": r.class_name,
            "output_shape": list(r.output_shape),
            "params": r.params,
            "trainable": r.trainable,
            "macs": r.macs,
            "receptive_field": list(r.receptive_field) if r.receptive_field else None,
            "whole_input": r.whole_input,
        }
        for r in s.layers
    ]
