"""Builders for witnesses: the live Keras counterpart of a question, as plain data.

The dicts produced here are exactly what ``keras.layers.serialize`` writes
(``module``/``class_name``/``config``), restricted to the keys that matter, so
``keras.layers.deserialize`` rebuilds them, and so does anyone with plain Keras.
Nothing here imports Keras: this runs on the question hot path.
"""

from __future__ import annotations

from typing import Any

from .schema import AnyWitness, CombinedWitness, LayersWitness, Measure, ModelWitness, ProbeWitness, ZooWitness

Layer = dict[str, Any]


def layer(class_name: str, **config: Any) -> Layer:
    """A serialized built-in Keras layer."""
    return {"module": "keras.layers", "class_name": class_name, "config": config, "registered_name": None}


def _pair(v: int | tuple[int, ...], n: int = 2) -> list[int]:
    return list(v) if isinstance(v, (tuple, list)) else [v] * n


def conv(
    dims: int,
    filters: int,
    k: int | tuple[int, ...],
    *,
    strides: int | tuple[int, ...] = 1,
    padding: str = "valid",
    dilation: int | tuple[int, ...] = 1,
    use_bias: bool = True,
    groups: int = 1,
    activation: str | None = None,
    name: str | None = None,
) -> Layer:
    cfg: dict[str, Any] = {
        "filters": filters,
        "kernel_size": _pair(k, dims),
        "strides": _pair(strides, dims),
        "padding": padding,
        "dilation_rate": _pair(dilation, dims),
        "use_bias": use_bias,
        "groups": groups,
        "activation": activation or "linear",
    }
    if name:
        cfg["name"] = name
    return layer(f"Conv{dims}D", **cfg)


def conv2d(filters: int, k: int | tuple[int, int], **kw: Any) -> Layer:
    return conv(2, filters, k, **kw)


def conv1d(filters: int, k: int, **kw: Any) -> Layer:
    return conv(1, filters, k, **kw)


def conv3d(filters: int, k: int | tuple[int, int, int], **kw: Any) -> Layer:
    return conv(3, filters, k, **kw)


def depthwise2d(
    k: int,
    *,
    strides: int = 1,
    padding: str = "valid",
    depth_multiplier: int = 1,
    use_bias: bool = True,
    dilation: int = 1,
) -> Layer:
    return layer(
        "DepthwiseConv2D",
        kernel_size=_pair(k),
        strides=_pair(strides),
        padding=padding,
        depth_multiplier=depth_multiplier,
        use_bias=use_bias,
        dilation_rate=_pair(dilation),
    )


def separable2d(
    filters: int, k: int, *, strides: int = 1, padding: str = "valid", depth_multiplier: int = 1, use_bias: bool = True
) -> Layer:
    return layer(
        "SeparableConv2D",
        filters=filters,
        kernel_size=_pair(k),
        strides=_pair(strides),
        padding=padding,
        depth_multiplier=depth_multiplier,
        use_bias=use_bias,
    )


def dense(units: int, *, use_bias: bool = True, activation: str | None = None) -> Layer:
    return layer("Dense", units=units, use_bias=use_bias, activation=activation or "linear")


def pool2d(kind: str, k: int, *, strides: int | None = None, padding: str = "valid") -> Layer:
    cls = {"max": "MaxPooling2D", "avg": "AveragePooling2D"}[kind]
    return layer(cls, pool_size=_pair(k), strides=_pair(strides if strides is not None else k), padding=padding)


def global_pool2d(kind: str = "avg") -> Layer:
    return layer({"max": "GlobalMaxPooling2D", "avg": "GlobalAveragePooling2D"}[kind])


def zero_pad2d(p: int) -> Layer:
    return layer("ZeroPadding2D", padding=[[p, p], [p, p]])


def batchnorm(axis: int = -1) -> Layer:
    return layer("BatchNormalization", axis=axis)


def layernorm(axis: int | list[int] = -1) -> Layer:
    return layer("LayerNormalization", axis=axis)


def groupnorm(groups: int) -> Layer:
    return layer("GroupNormalization", groups=groups)


def flatten() -> Layer:
    return layer("Flatten")


def relu() -> Layer:
    return layer("ReLU")


def sequential(
    input_shape: list[int] | tuple[int, ...], layers: list[Layer], quantity: Measure, *, at: str | None = None
) -> LayersWitness:
    return LayersWitness(quantity=quantity, input_shape=list(input_shape), layers=layers, layer=at)


def zoo(name: str, quantity: Measure, *, at: str | None = None, **kwargs: Any) -> ZooWitness:
    """A model of the cnnquiz zoo (``models.registry.get(name, **kwargs)``), measured at layer ``at``."""
    return ZooWitness(quantity=quantity, zoo=name, zoo_kwargs=kwargs, layer=at)


def probe(name: str, *, expect: Any = None, **args: Any) -> ProbeWitness:
    return ProbeWitness(probe=name, args=args, expect=expect)


def combine(op: str, *parts: AnyWitness) -> CombinedWitness:
    return CombinedWitness(quantity=parts[0].quantity, op=op, parts=list(parts))  # type: ignore[arg-type]


class Graph:
    """A tiny builder for functional (branching) model configs in Keras 3's format.

    >>> g = Graph([8, 8, 16]); x = g.input
    >>> a = g.add(conv2d(4, 1), x); b = g.add(conv2d(4, 3, padding="same"), x)
    >>> y = g.add(layer("Concatenate", axis=-1), [a, b]); cfg = g.config(y)
    """

    def __init__(self, input_shape: list[int] | tuple[int, ...], name: str = "witness") -> None:
        self.name = name
        self._layers: list[dict[str, Any]] = []
        self._count: dict[str, int] = {}
        self.input = self._node(
            {
                "module": "keras.layers",
                "class_name": "InputLayer",
                "config": {"batch_shape": [None, *input_shape], "dtype": "float32"},
                "registered_name": None,
            },
            [],
            "input",
        )

    def _node(self, spec: Layer, inputs: list[str], base: str) -> str:
        n = self._count.get(base, 0)
        self._count[base] = n + 1
        name = base if n == 0 else f"{base}_{n}"
        cfg = dict(spec["config"], name=name)
        args: list[Any] = []
        if inputs:
            tensors = [
                {
                    "class_name": "__keras_tensor__",
                    "config": {"shape": [None], "dtype": "float32", "keras_history": [i, 0, 0]},
                }
                for i in inputs
            ]
            args = [tensors[0] if len(tensors) == 1 else tensors]
        self._layers.append(
            {**spec, "config": cfg, "name": name, "inbound_nodes": [{"args": args, "kwargs": {}}] if inputs else []}
        )
        return name

    def add(self, spec: Layer, inputs: str | list[str], name: str | None = None) -> str:
        ins = [inputs] if isinstance(inputs, str) else list(inputs)
        return self._node(spec, ins, name or spec["class_name"].lower())

    def config(self, outputs: str | list[str]) -> dict[str, Any]:
        outs = [outputs] if isinstance(outputs, str) else outputs
        return {
            "module": "keras.src.models.functional",
            "class_name": "Functional",
            "registered_name": None,
            "config": {
                "name": self.name,
                "trainable": True,
                "layers": self._layers,
                "input_layers": [["input", 0, 0]],
                "output_layers": [[o, 0, 0] for o in outs],
            },
        }

    def witness(self, outputs: str | list[str], quantity: Measure, *, at: str | None = None) -> ModelWitness:
        return ModelWitness(quantity=quantity, model=self.config(outputs), layer=at)
