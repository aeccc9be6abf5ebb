"""Live LeNet zoo: every registered ``lenet`` model is checked against the closed forms of ``models/facts/lenet.py``
and the paper's per-layer counts (the "~60 k" of the seed).  Build, forward pass, declared facts, headless and
custom classes: tests/test_zoo.py."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from models import registry
from models._keras import keras
from models.facts import lenet as F

pytestmark = pytest.mark.live

NAMES = [n for n in registry.list_models() if registry.variant(n).family == "lenet"]


def test_registry_names() -> None:
    assert set(NAMES) == {"lenet5"}


def test_closed_form_per_layer(built: SimpleNamespace) -> None:
    """Each term of the closed form is one live layer."""
    m, s = built.model, built.s
    counts = {layer.name: layer.count_params() for layer in m.layers}
    assert counts["block1_conv"] == F.C1 == 156
    assert counts["block2_conv"] == F.C3 == 2_416
    assert counts["fc1"] == F.F5 == 48_120
    assert counts["fc2"] == F.F6 == 10_164
    assert counts["predictions"] == F.OUT == 850
    assert counts["block1_pool"] == counts["block2_pool"] == 0  # pooling has no parameters
    macs = {r.name: r.macs for r in s.layers}
    assert macs["block1_conv"] == 28 * 28 * 25 * 6 and macs["block2_conv"] == 10 * 10 * 150 * 16
    assert sum(macs.values()) == F.MACS


def test_reference_facts(built: SimpleNamespace) -> None:
    """The paper's 60,000 = this model with the paper's three counted differences applied to live layers."""
    m, s = built.model, built.s
    layer = m.get_layer
    for key, fact in built.v.reference.items():
        assert fact.source, key
        if key == "paper_trainable":
            c3_kernel = layer("block2_conv").kernel.shape
            assert tuple(c3_kernel) == (5, 5, 6, 16)  # textbook: every C3 map sees all 6 S2 maps
            paper = (
                layer("block1_conv").count_params()
                + 2 * layer("block1_conv").filters  # S2: coefficient + bias per map
                + F.PAPER_C3  # partial C3
                + 2 * layer("block2_conv").filters  # S4
                + layer("fc1").count_params()
                + layer("fc2").count_params()
            )  # the RBF output layer's 84·10 weights are fixed: not trainable, not counted
            assert paper == fact.value == 60_000
            assert s.params - paper == (F.C3 - F.PAPER_C3) + layer("predictions").count_params() - 44 == 1_706
            assert layer("predictions").kernel.shape[0] * 10 == F.PAPER_RBF_FIXED
        elif key == "paper_c3":
            # 6 maps × 3 inputs + 9 × 4 + 1 × 6 = 60 of the 96 (map, input) pairs, 25 weights each, + 16 biases
            assert fact.value == 25 * 60 + layer("block2_conv").filters == 1_516
        else:
            pytest.fail(f"{built.name}: no live check for reference fact {key!r}")


def test_layout(built: SimpleNamespace) -> None:
    """Paper sec. II.B shapes: C1 28×28×6, S2 14×14×6, C3 10×10×16, S4 5×5×16, then 120, 84, 10."""
    shapes = {layer.name: tuple(layer.output.shape[1:]) for layer in built.model.layers}
    assert shapes["block1_conv"] == (28, 28, 6) and shapes["block1_pool"] == (14, 14, 6)
    assert shapes["block2_conv"] == (10, 10, 16) and shapes["block2_pool"] == (5, 5, 16)
    assert shapes["flatten"] == (400,) and shapes["fc1"] == (120,) and shapes["fc2"] == (84,)
    m = built.model
    assert isinstance(m.get_layer("block1_pool"), keras.layers.AveragePooling2D)
    assert m.get_layer("block1_conv").activation.__name__ == "tanh"
