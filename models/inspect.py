"""Inspect any Keras model: parameters, per-layer output shapes, MACs, receptive field.

MACs follow torchvision's convention: a conv costs ``H_out·W_out·K·K·C_in/groups·C_out``,
a dense layer ``n_in·n_out``; FLOPs are reported as ``2·MACs`` and labelled so.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod
from typing import Any

from ._keras import keras


@dataclass(frozen=True)
class LayerInfo:
    name: str
    class_name: str
    output_shape: tuple[Any, ...]
    params: int
    trainable: int
    macs: int


def _n(weights: list[Any]) -> int:
    return int(sum(prod(w.shape) for w in weights))


def _out_shape(layer: keras.layers.Layer) -> tuple[Any, ...]:
    out = layer.output
    return tuple(out.shape) if hasattr(out, "shape") else tuple(tuple(o.shape) for o in out)


def layer_macs(layer: keras.layers.Layer) -> int:
    """Multiply-accumulates of one built layer, from its live kernel and output shapes."""
    cls = type(layer).__name__
    try:
        out = layer.output.shape
    except (AttributeError, ValueError):
        return 0
    positions = prod(int(d) for d in out[1:-1]) if len(out) > 2 else 1
    if cls in ("Conv1D", "Conv2D", "Conv3D"):
        # kernel: (*K, C_in/groups, C_out) — every output position costs prod(kernel)
        return positions * prod(layer.kernel.shape)
    if cls == "DepthwiseConv2D" or cls == "DepthwiseConv1D":
        return positions * prod(layer.kernel.shape)
    if cls in ("SeparableConv2D", "SeparableConv1D"):
        in_positions = positions  # stride applies in the depthwise step; outputs share its grid
        return in_positions * prod(layer.depthwise_kernel.shape) + positions * prod(layer.pointwise_kernel.shape)
    if cls == "Dense":
        return positions * prod(layer.kernel.shape)
    return 0


def layers(model: keras.Model) -> list[LayerInfo]:
    return [
        LayerInfo(l.name, type(l).__name__, _out_shape(l), _n(l.weights), _n(l.trainable_weights), layer_macs(l))
        for l in model.layers
    ]


def count_params(model: keras.Model) -> int:
    return int(model.count_params())


def trainable_params(model: keras.Model) -> int:
    return _n(model.trainable_weights)


def non_trainable_params(model: keras.Model) -> int:
    return _n(model.non_trainable_weights)


def macs(model: keras.Model) -> int:
    return sum(layer_macs(l) for l in model.layers)
