"""Live Xception zoo: checked against the closed form, reference figures and layout of
``models/facts/xception.py``.  Build, forward pass, declared facts, the keras.applications.Xception twin, headless
and custom classes: tests/test_zoo.py."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from models import registry
from models import xception as X
from models._keras import keras
from models.facts import xception as F

pytestmark = pytest.mark.live

NAMES = [n for n in registry.list_models() if registry.variant(n).family == "xception"]


def _bn_channels(model: Any) -> int:
    return sum(
        int(layer.gamma.shape[0]) for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)
    )


def test_registry_names() -> None:
    assert NAMES == ["xception"]
    assert registry.variant("xception").input_shape == (299, 299, 3)


def test_closed_form_agrees(built: SimpleNamespace) -> None:
    v, m = built.v, built.model
    cf = F.closed_form()
    assert (cf["params"], cf["trainable"], cf["macs"]) == (v.params.value, v.trainable_params.value, v.macs.value)
    assert (cf["receptive_field"],) * 2 == v.receptive_field.value
    assert cf["bn_channels"] == _bn_channels(m)
    last = m.get_layer("block14_sepconv2_act").output.shape
    assert (last[1], last[3]) == (cf["feature_map"], cf["features"])
    # the facts table and the builder's table describe the same flow
    assert [(b.kind, b.widths, b.repeats) for b in X.BLOCKS] == list(F.FLOW)


def test_layout(built: SimpleNamespace) -> None:
    """36 convs in 14 blocks: 2 stem convs + 34 separable; 12 residual adds; 4 strided 1×1 shortcut convs."""
    m = built.model
    seps = [layer for layer in m.layers if isinstance(layer, keras.layers.SeparableConv2D)]
    assert len(seps) == 34 and not any(s.use_bias for s in seps)
    assert len([layer for layer in m.layers if isinstance(layer, keras.layers.Add)]) == 12
    shortcuts = [layer for layer in m.layers if layer.name.endswith("_shortcut")]
    assert [s.name for s in shortcuts] == ["block2_shortcut", "block3_shortcut", "block4_shortcut", "block13_shortcut"]
    assert all(s.kernel_size == (1, 1) and s.strides == (2, 2) for s in shortcuts)
    names = {layer.name for layer in m.layers}
    assert "block2_sepconv1_act" not in names and "block3_sepconv1_act" in names  # block 2 starts without a ReLU
    assert {f"block{b}_sepconv3" for b in range(5, 13)} <= names and "block13_sepconv3" not in names


def test_reference_facts(built: SimpleNamespace) -> None:
    v, m, s = built.v, built.model, built.s
    for key, fact in v.reference.items():
        assert fact.source, key
        if key == "paper_params":  # the paper counts the trainable weights, BN γ/β included
            assert fact.value == s.trainable == s.params - 2 * _bn_channels(m)
        elif key == "bn_moving_statistics":
            assert fact.value == 2 * _bn_channels(m) == s.params - s.trainable
        elif key == "input_size":  # default 299×299, at least 71×71 (as keras.applications)
            assert v.input_shape[:2] == (fact.value, fact.value) == tuple(m.input_shape[1:3])
            with pytest.raises(ValueError):
                X.xception(include_top=False, input_shape=(70, 70, 3))
        else:
            pytest.fail(f"{built.name}: no live check for reference fact {key!r}")
