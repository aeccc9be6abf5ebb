"""Live LeNet zoo: every registered ``lenet`` model is built, run and checked against its declared facts, the
closed forms of ``models/facts/lenet.py`` and the paper's per-layer counts (the "~60 k" of the seed)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from models import inspect as I
from models import registry
from models._keras import keras, np
from models.facts import lenet as F

pytestmark = pytest.mark.live

NAMES = [n for n in registry.list_models() if registry.variant(n).family == "lenet"]


def _param(name: str) -> Any:
    return pytest.param(name, marks=pytest.mark.slow) if registry.variant(name).slow else name


def _n(weights: list[Any]) -> int:
    return int(sum(np.prod(w.shape) for w in weights))


@pytest.fixture(scope="module", params=[_param(n) for n in NAMES])
def built(request: pytest.FixtureRequest) -> SimpleNamespace:
    name = request.param
    keras.backend.clear_session()
    model = registry.get(name)
    return SimpleNamespace(name=name, v=registry.variant(name), model=model, s=I.summary(model))


def test_registry_names() -> None:
    assert set(NAMES) == {"lenet5"}


def test_forward(built: SimpleNamespace) -> None:
    x = np.random.default_rng(0).normal(size=(1, *built.v.input_shape)).astype("float32")
    y = np.asarray(built.model(x, training=False))
    assert y.shape == (1, built.v.classes) == (1, *built.v.output_shape.value)
    assert np.isfinite(y).all()
    assert abs(float(y.sum()) - 1.0) < 1e-5  # softmax head


def test_declared_facts(built: SimpleNamespace) -> None:
    v, m, s = built.v, built.model, built.s
    for fact in (v.params, v.trainable_params, v.macs, v.output_shape, v.receptive_field):
        assert fact is not None and fact.source
    assert m.count_params() == s.params == v.params.value
    assert _n(m.trainable_weights) == s.trainable == v.trainable_params.value
    assert s.non_trainable == 0 and s.non_trainable_by_kind == {}
    assert s.macs == v.macs.value
    assert s.receptive_field == v.receptive_field.value
    assert s.whole_input  # flatten + dense head: every output sees the whole 32×32 input
    assert s.output_shape == v.output_shape.value == tuple(m.output_shape[1:])


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


def test_headless_and_custom_classes() -> None:
    v = registry.variant("lenet5")
    x = np.random.default_rng(1).normal(size=(1, 32, 32, 1)).astype("float32")
    avg = registry.get("lenet5", include_top=False, pooling="avg")
    assert avg.output_shape == (None, 16) and np.asarray(avg(x)).shape == (1, 16)
    mx = registry.get("lenet5", include_top=False, pooling="max")
    assert mx.output_shape == (None, 16) and mx.layers[-1].name == "max_pool"
    fmap = registry.get("lenet5", include_top=False)
    assert fmap.output_shape == (None, 5, 5, 16)
    assert avg.count_params() == F.C1 + F.C3
    top = registry.get("lenet5", classes=26)
    y = np.asarray(top(x))
    assert y.shape == (1, 26) and np.isfinite(y).all()
    assert top.count_params() == v.params.value + (84 + 1) * (26 - 10)
    with pytest.raises(ValueError):
        registry.get("lenet5", include_top=False, pooling="mean")
