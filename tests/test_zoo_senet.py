"""Live SENet zoo: SE-ResNet-50 is checked against the closed forms of ``models/facts/senet.py``, its reference
figures and its own backbone (``resnet50_v1_5``) for the SE overhead.  Build, forward pass, declared facts,
headless and custom classes: tests/test_zoo.py."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from models import inspect as I
from models import registry
from models._keras import keras, np
from models.facts import senet as F

pytestmark = pytest.mark.live

NAMES = [n for n in registry.list_models() if registry.variant(n).family == "senet"]


def _n(weights: list[Any]) -> int:
    return int(sum(np.prod(w.shape) for w in weights))


def _se_layers(model: Any) -> list[Any]:
    return [layer for layer in model.layers if "_se_" in layer.name]


@pytest.fixture(scope="module")
def backbone() -> SimpleNamespace:
    model = registry.get("resnet50_v1_5")
    return SimpleNamespace(model=model, s=I.summary(model))


def test_registry_names() -> None:
    assert NAMES == ["se_resnet50"]


def test_se_block_structure(built: SimpleNamespace) -> None:
    """One gate per bottleneck: GAP → Dense(C/16) → ReLU → Dense(C) → sigmoid → Multiply, before the add."""
    m = built.model
    by_name = {layer.name: layer for layer in m.layers}
    blocks = [n.removesuffix("_add") for n in by_name if n.endswith("_add")]
    assert len(blocks) == sum(n for n, _, _ in F.STAGES) == 16
    for block in blocks:
        c = by_name[f"{block}_3_conv"].filters
        assert by_name[f"{block}_se_squeeze"].output.shape[1:] == (1, 1, c)
        assert by_name[f"{block}_se_reduce"].units == c // F.RATIO
        assert by_name[f"{block}_se_relu"].activation.__name__ == "relu"
        assert by_name[f"{block}_se_expand"].units == c
        assert by_name[f"{block}_se_sigmoid"].activation.__name__ == "sigmoid"
        scale = by_name[f"{block}_se_scale"]
        assert isinstance(scale, keras.layers.Multiply)
        add_inputs = [t.name for t in by_name[f"{block}_add"]._inbound_nodes[0].input_tensors]
        assert scale.output.name in add_inputs  # the gated branch, not the shortcut, is rescaled


def test_se_overhead_vs_backbone(built: SimpleNamespace, backbone: SimpleNamespace) -> None:
    m, s, v = built.model, built.s, built.v
    assert backbone.s.trainable == 25_557_032  # torchvision resnet50
    assert (
        s.trainable - backbone.s.trainable == F.SE_PARAMS == _n([w for layer in _se_layers(m) for w in layer.weights])
    )
    assert s.non_trainable == backbone.s.non_trainable  # SE adds no BatchNorm
    assert s.macs - backbone.s.macs == F.SE_MACS
    assert s.receptive_field == backbone.s.receptive_field
    assert v.params.value == F.PARAMS and v.trainable_params.value == F.TRAINABLE and v.macs.value == F.MACS


def test_reference_facts(built: SimpleNamespace, backbone: SimpleNamespace) -> None:
    """Each published figure is reproduced from the live model by its stated difference."""
    m, s = built.model, built.s
    by_name = {layer.name: layer for layer in m.layers}
    se_dense = [layer for layer in _se_layers(m) if isinstance(layer, keras.layers.Dense)]
    for key, fact in built.v.reference.items():
        assert fact.source, key
        if key == "paper_params_m":
            assert round(s.trainable / 1e6, 2) == fact.value
        elif key == "se_params":
            assert _n([w for layer in se_dense for w in layer.weights]) == fact.value
        elif key == "paper_se_weights":  # Eq. 5 counts the FC weights, not their biases
            assert _n([layer.kernel for layer in se_dense]) == fact.value
        elif key == "se_overhead_percent":
            assert round(100 * (s.trainable - backbone.s.trainable) / backbone.s.trainable, 2) == fact.value
        elif key == "se_macs":
            assert sum(r.macs for r in s.layers if "_se_" in r.name) == fact.value
        elif key == "paper_gmacs":
            # the paper's ResNet strides in the 1×1: its first 1×1 of stages 3–5 runs on 1/4 of our positions;
            # and it counts the squeeze (adds) and scale (multiplies) element-wise ops
            macs = {r.name: r.macs for r in s.layers}
            strided = [
                n.removesuffix("_2_conv")
                for n, layer in by_name.items()
                if n.endswith("_2_conv") and layer.strides == (2, 2)
            ]
            shift = sum(3 * macs[f"{b}_1_conv"] // 4 for b in strided)
            elementwise = 2 * sum(
                int(np.prod(layer.output.shape[1:])) for n, layer in by_name.items() if n.endswith("_se_scale")
            )
            assert (shift, elementwise) == (231_211_008, F.SQUEEZE_SCALE_OPS)
            assert round((s.macs - shift + elementwise) / 1e9, 2) == fact.value
        else:
            pytest.fail(f"{built.name}: no live check for reference fact {key!r}")
