"""Structural and behavioural checks on a *rebuilt* model (never on anything the student's process reported).

Each check is ``fn(model, params, ctx) -> (passed, detail)``; the task spec gives it points and feedback.  Graph
patterns are found on Keras' own node structure; parameter counts and the graph receptive field come from
:mod:`models.inspect`, every behavioural measurement (gradient receptive field, causality, shift equivariance, the
boring video) from :mod:`models.measure`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from models import inspect as mi
from models import measure

Check = Callable[[Any, dict[str, Any], dict[str, Any]], tuple[bool, str]]
CHECKS: dict[str, Check] = {}

CONV = ("Conv1D", "Conv2D", "Conv3D", "DepthwiseConv2D", "DepthwiseConv1D", "SeparableConv2D", "SeparableConv1D")
PASS_THROUGH = (
    "BatchNormalization",
    "Activation",
    "ReLU",
    "Dropout",
    "LeakyReLU",
    "ZeroPadding2D",
    "LayerNormalization",
)


def check(fn: Check) -> Check:
    CHECKS[fn.__name__] = fn
    return fn


# --------------------------------------------------------------------------- the graph


@dataclass
class Graph:
    layers: dict[str, Any]
    parents: dict[str, list[str]]
    order: list[str]
    outputs: list[str]

    def children(self, name: str) -> list[str]:
        return [n for n in self.order if name in self.parents[n]]

    def ancestors(self, name: str) -> set[str]:
        seen: set[str] = set()
        stack = list(self.parents[name])
        while stack:
            n = stack.pop()
            if n not in seen:
                seen.add(n)
                stack.extend(self.parents[n])
        return seen

    def conv_parents(self, name: str) -> list[str]:
        """Nearest conv (or input/merge) layers upstream, looking through BN/activations."""
        out: list[str] = []
        for p in self.parents[name]:
            if cls(self.layers[p]) in PASS_THROUGH:
                out += self.conv_parents(p)
            else:
                out.append(p)
        return out

    def conv_children(self, name: str) -> list[str]:
        out: list[str] = []
        for c in self.children(name):
            if cls(self.layers[c]) in PASS_THROUGH:
                out += self.conv_children(c)
            else:
                out.append(c)
        return out


def cls(layer: Any) -> str:
    return type(layer).__name__


def graph(model: Any) -> Graph:
    g = mi._graph(model)  # the functional graph (a Sequential keeps one)
    nodes = [n for d in sorted(g._nodes_by_depth, reverse=True) for n in g._nodes_by_depth[d]]
    layers: dict[str, Any] = {}
    parents: dict[str, list[str]] = {}
    order: list[str] = []
    for node in nodes:
        layer = node.operation
        name = layer.name
        if name not in layers:
            layers[name] = layer
            parents[name] = []
            order.append(name)
        if not node.is_input:
            for t in node.input_tensors:
                p = t._keras_history.operation.name
                if p not in parents[name]:
                    parents[name].append(p)
    outputs = [t._keras_history.operation.name for t in g.outputs]
    return Graph(layers, parents, order, outputs)


def kernel(layer: Any) -> tuple[int, ...] | None:
    k = getattr(layer, "kernel_size", None)
    return None if k is None else tuple(int(v) for v in k)


def of_class(g: Graph, *names: str) -> list[str]:
    return [n for n in g.order if cls(g.layers[n]) in names]


def activation_name(layer: Any) -> str:
    act = getattr(layer, "activation", None)
    if act is None:
        return {"ReLU": "relu", "Softmax": "softmax"}.get(cls(layer), "linear")
    return getattr(act, "__name__", str(act))


# --------------------------------------------------------------------------- checks


def _shape(s: Any) -> list[Any]:
    return list(s[1:]) if s is not None else []


@check
def input_shape(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    got = _shape(model.inputs[0].shape)
    return got == p["shape"], f"input shape {tuple(got)}, expected {tuple(p['shape'])}"


@check
def output_shape(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    if len(model.outputs) != 1:
        return False, f"the model has {len(model.outputs)} outputs, expected 1"
    got = _shape(model.outputs[0].shape)
    return got == p["shape"], f"output shape {tuple(got)}, expected {tuple(p['shape'])}"


@check
def output_activation(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    g = graph(model)
    name = g.outputs[0]
    act = activation_name(g.layers[name])
    return act == p["activation"], f"the output layer {name!r} uses {act!r}"


@check
def conv_count(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    g = graph(model)
    convs = of_class(g, p.get("class_name", "Conv2D"))
    match = [
        n
        for n in convs
        if kernel(g.layers[n]) == tuple(p["kernel"]) and ("filters" not in p or g.layers[n].filters == p["filters"])
    ]
    desc = ", ".join(f"{n} {kernel(g.layers[n])}×{getattr(g.layers[n], 'filters', '?')}" for n in convs) or "none"
    return len(match) == p["count"] and len(convs) == p["count"], f"convolutions found: {desc}"


@check
def params_between(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    n = mi.count_params(model)
    return p["low"] <= n <= p["high"], f"{n:,} parameters (expected {p['low']:,}–{p['high']:,})"


@check
def kernels_only(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    g = graph(model)
    convs = of_class(g, *CONV)
    bad = [f"{n} {kernel(g.layers[n])}" for n in convs if kernel(g.layers[n]) != tuple(p["kernel"])]
    if not convs:
        return False, "no convolution found"
    return not bad, ("other kernels: " + ", ".join(bad)) if bad else f"{len(convs)} convs, all {tuple(p['kernel'])}"


@check
def receptive_field(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    rf = mi.receptive_field(model)
    got = list(rf) if rf is not None else None
    return got == p["rf"], f"receptive field {got}, expected {p['rf']}"


@check
def activation_between_convs(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    g = graph(model)
    convs = of_class(g, *CONV)
    for n in convs:
        downstream = [c for c in g.conv_children(n) if cls(g.layers[c]) in CONV]
        if not downstream:
            continue
        if activation_name(g.layers[n]) != "linear":
            continue
        chain = g.children(n)
        if any(cls(g.layers[c]) in ("ReLU", "Activation", "LeakyReLU") for c in chain):
            continue
        return False, f"{n} feeds {downstream[0]} with no nonlinearity in between"
    return True, "a nonlinearity separates the stacked convs"


@check
def add_skip(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    """An Add whose one input comes through a k×k conv and whose other input bypasses it, upstream of the output."""
    g = graph(model)
    want = tuple(p.get("kernel", (3, 3)))
    out_anc = set().union(*(g.ancestors(o) | {o} for o in g.outputs))
    for a in of_class(g, "Add"):
        if a not in out_anc or len(g.parents[a]) < 2:
            continue
        paths = []
        for parent in g.parents[a]:
            anc = g.ancestors(parent) | {parent}
            paths.append({n for n in anc if kernel(g.layers[n]) == want and cls(g.layers[n]) in CONV})
        for i, pi in enumerate(paths):
            for j, pj in enumerate(paths):
                if i != j and pi and not (pi & pj):
                    return True, f"{a} adds the residual path to a skip that bypasses it"
    return False, "no Add joins the residual path with a skip of the input"


@check
def no_layer(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    found = of_class(graph(model), p["class_name"])
    return not found, f"{p['class_name']} layers: {', '.join(found) or 'none'}"


@check
def has_layer(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    found = of_class(graph(model), p["class_name"])
    return bool(found), f"{p['class_name']} layers: {', '.join(found) or 'none'}"


@check
def bottleneck_chain(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    g = graph(model)
    for n in of_class(g, "Conv2D"):
        if kernel(g.layers[n]) != (3, 3):
            continue
        before = [c for c in g.conv_parents(n) if kernel(g.layers[c]) == (1, 1)]
        after = [c for c in g.conv_children(n) if kernel(g.layers[c]) == (1, 1)]
        if before and after:
            return True, f"{before[0]} → {n} → {after[0]}"
    return False, "no 1×1 → 3×3 → 1×1 chain found"


@check
def concat_inputs(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    g = graph(model)
    best = max((len(g.parents[c]) for c in of_class(g, "Concatenate")), default=0)
    return best >= p["min_inputs"], f"the widest Concatenate joins {best} tensors"


@check
def concat_count(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    n = len(of_class(graph(model), "Concatenate"))
    return n >= p["min"], f"{n} Concatenate layers"


@check
def bottleneck_before(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    g = graph(model)
    big = [n for n in of_class(g, "Conv2D") if (kernel(g.layers[n]) or (1,))[0] > 1]
    if not big:
        return False, "no 3×3 or 5×5 convolution found"
    bad = []
    for n in big:
        ups = g.conv_parents(n)
        if not ups or not all(kernel(g.layers[u]) == (1, 1) for u in ups):
            bad.append(f"{n} {kernel(g.layers[n])} reads {', '.join(ups)}")
    return not bad, "; ".join(bad) if bad else "every 3×3/5×5 reads a 1×1 reduction"


@check
def dense_units(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    g = graph(model)
    units = [g.layers[n].units for n in of_class(g, "Dense")]
    return units == p["units"], f"Dense units {units}, expected {p['units']}"


@check
def gate_sigmoid(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    g = graph(model)
    dense = of_class(g, "Dense")
    if not dense:
        return False, "no Dense layer"
    last = dense[-1]
    act = activation_name(g.layers[last])
    if act == "linear":
        kids = [c for c in g.children(last) if cls(g.layers[c]) == "Activation"]
        act = activation_name(g.layers[kids[0]]) if kids else act
    return act == "sigmoid", f"the gate {last!r} uses {act!r}"


@check
def se_gate_bounded(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    rng = np.random.default_rng(0)
    shape = (4, *model.inputs[0].shape[1:])
    x = rng.standard_normal(shape).astype("float32") * 3
    y = np.asarray(model(x, training=False))
    if y.shape != x.shape:
        return False, f"output {y.shape} is not the input's shape {x.shape}"
    ok = bool(np.all(np.abs(y) <= np.abs(x) * (1 + 1e-5) + 1e-6))
    return ok, "|y| ≤ |x| everywhere" if ok else "some outputs exceed the input: the gate is not in (0, 1)"


@check
def depthwise_pointwise(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    g = graph(model)
    dws = of_class(g, "DepthwiseConv2D")
    if not dws:
        return False, "no DepthwiseConv2D found"
    for d in dws:
        kids = [c for c in g.conv_children(d) if cls(g.layers[c]) in CONV]
        if not kids or any(kernel(g.layers[k]) != (1, 1) for k in kids):
            return False, f"{d} is followed by {', '.join(f'{k} {kernel(g.layers[k])}' for k in kids) or 'nothing'}"
    return True, "each depthwise conv feeds a pointwise 1×1"


@check
def expansion(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    g = graph(model)
    for d in of_class(g, "DepthwiseConv2D"):
        ups = g.conv_parents(d)
        if ups and all(kernel(g.layers[u]) == (1, 1) and g.layers[u].filters == p["channels"] for u in ups):
            return True, f"{ups[0]} expands to {p['channels']} channels before {d}"
    return False, f"no 1×1 expanding to {p['channels']} channels before the depthwise conv"


@check
def linear_projection(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    g = graph(model)
    for d in of_class(g, "DepthwiseConv2D"):
        for proj in [c for c in g.conv_children(d) if kernel(g.layers[c]) == (1, 1)]:
            if activation_name(g.layers[proj]) != "linear":
                return False, f"{proj} has activation {activation_name(g.layers[proj])!r}"
            stack = list(g.children(proj))
            while stack:
                c = stack.pop()
                if cls(g.layers[c]) in ("ReLU", "Activation", "LeakyReLU"):
                    return False, f"{c} puts a nonlinearity on the projected bottleneck"
                if cls(g.layers[c]) in PASS_THROUGH:
                    stack.extend(g.children(c))
            return True, f"{proj} is linear"
    return False, "no projection 1×1 after the depthwise conv"


def _sequence_shape(model: Any, length: int = 2048) -> tuple[int, ...]:
    """The model's input shape (no batch axis), with ``length`` samples when its time axis is free."""
    time, *rest = model.inputs[0].shape[1:]
    return (int(time or length), *rest)


@check
def causal(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    shape = _sequence_shape(model)
    t = shape[0] // 2
    future = measure.future_inputs(model, t, shape)
    return future == 0, f"output {t} depends on {future} future inputs" if future else "no future input reaches t"


@check
def rf_1d(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    rf = measure.receptive_field(model, (-1,), _sequence_shape(model))[0]
    return rf == p["rf"], f"the last output sees {rf} input samples (expected {p['rf']})"


# ----------------------------------------------------------------- i3d inflation (arrays, not a model)


def _cases(ctx: dict[str, Any]) -> list[tuple[np.ndarray, int, np.ndarray | None]]:
    return ctx["inflate_cases"]


@check
def inflate_shape(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    for w2, t, w3 in _cases(ctx):
        want = (t, *w2.shape)
        if w3 is None or w3.shape != want:
            return False, f"for T={t} got shape {None if w3 is None else w3.shape}, expected {want}"
    return True, "shapes (T, k, k, C_in, C_out)"


@check
def inflate_rule(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    for w2, t, w3 in _cases(ctx):
        if w3 is None or w3.shape != (t, *w2.shape):
            return False, "wrong shape"
        if not np.allclose(w3, np.repeat(w2[None], t, axis=0) / t, atol=1e-6):
            if np.allclose(w3, np.repeat(w2[None], t, axis=0), atol=1e-6):
                return False, f"T={t}: repeated but not divided by T"
            return False, f"T={t}: not the 2D kernel repeated along time and divided by T"
    return True, "w3[t] = w2 / T for every t"


@check
def boring_video(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    rng = np.random.default_rng(7)
    for w2, t, w3 in _cases(ctx):
        if w3 is None or w3.shape != (t, *w2.shape):
            return False, "wrong shape"
        img = rng.random((1, 12, 12, w2.shape[2])).astype("float32")
        bv = measure.boring_video(w2, w3, img)
        if not np.allclose(bv.video, bv.image, rtol=1e-4, atol=1e-4):
            return False, f"T={t}: Conv3D on the boring video is {bv.ratio:.3g}× the Conv2D response (expected 1)"
    return True, "Conv3D(boring video) = Conv2D(image)"


@check
def heldout_accuracy(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    from .data import digits_split

    _, _, x, y = digits_split()
    pred = np.asarray(model.predict(x, verbose=0, batch_size=256))
    if pred.ndim != 2 or pred.shape[1] != 10:
        return False, f"predictions of shape {pred.shape}, expected (N, 10)"
    acc = float(np.mean(pred.argmax(axis=1) == y))
    return acc >= p["min"], f"held-out accuracy {acc:.1%} on {len(y)} digits (need ≥ {p['min']:.0%})"


@check
def translation_equivariant(model: Any, p: dict[str, Any], ctx: dict[str, Any]) -> tuple[bool, str]:
    """Shift the input, run the model: the output must be the shifted output, away from the borders."""
    dy, dx = p.get("shift", (3, 5))
    shape = tuple(model.inputs[0].shape[1:])
    if len(shape) != 3 or None in shape:
        return False, f"needs a fixed H×W×C input, got {shape}"
    out = tuple(model.outputs[0].shape[1:])
    if len(out) != 3 or out[:2] != shape[:2]:
        return False, f"output {out} is not a same-size feature map"
    x = np.random.default_rng(3).standard_normal((1, *shape)).astype("float32")
    # zeros enter the shifted input; compare `margin` (the stack's receptive-field radius) clear of the borders
    err = measure.equivariance_error(model, x, (dy, dx), circular=False, margin=p.get("margin", 4))
    ok = err <= 1e-4
    return ok, "shifting the input shifts the output" if ok else f"shifted output differs by up to {err:.3g}"
