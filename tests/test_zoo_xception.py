"""Live Xception zoo: built, run, checked against its declared facts and the closed form of
``models/facts/xception.py``, and compared layer by layer with keras.applications.Xception (``weights=None``)."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest

from models import inspect as I
from models import registry
from models import xception as X
from models._keras import keras, np
from models.facts import xception as F

pytestmark = pytest.mark.live

NAMES = [n for n in registry.list_models() if registry.variant(n).family == "xception"]
# layers keras.applications leaves to Keras' auto-naming: the shortcut convs, their BNs, the adds, the pools
AUTO_NAMED = re.compile(
    r"(input_layer|conv2d|batch_normalization|add|global_average_pooling2d|global_max_pooling2d)(_\d+)?"
)


def _n(weights: list[Any]) -> int:
    return int(sum(np.prod(w.shape) for w in weights))


def _bn_channels(model: Any) -> int:
    return sum(
        int(layer.gamma.shape[0]) for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)
    )


def _trace(model: Any) -> list[tuple[str, tuple[Any, ...]]]:
    return [(type(layer).__name__, tuple(layer.output.shape)) for layer in model.layers]


def _same_layers(ours: Any, app: Any) -> None:
    assert ours.count_params() == app.count_params()
    assert _n(ours.trainable_weights) == _n(app.trainable_weights)
    assert _n(ours.non_trainable_weights) == _n(app.non_trainable_weights)
    assert _trace(ours) == _trace(app)  # every layer's class and output shape, in order
    for a, b in zip(ours.layers, app.layers, strict=True):
        assert a.name == b.name or AUTO_NAMED.fullmatch(b.name), (a.name, b.name)


@pytest.fixture(scope="module", params=NAMES)
def built(request: pytest.FixtureRequest) -> SimpleNamespace:
    name = request.param
    keras.backend.clear_session()
    model = registry.get(name)
    app = keras.applications.Xception(weights=None)
    return SimpleNamespace(name=name, v=registry.variant(name), model=model, s=I.summary(model), app=app)


def test_registry_names() -> None:
    assert NAMES == ["xception"]
    assert registry.variant("xception").input_shape == (299, 299, 3)


def test_forward(built: SimpleNamespace) -> None:
    x = np.random.default_rng(0).uniform(-1, 1, size=(1, *built.v.input_shape)).astype("float32")
    y = np.asarray(built.model(x, training=False))
    assert y.shape == (1, built.v.classes) == (1, *built.v.output_shape.value)
    assert np.isfinite(y).all()
    assert abs(float(y.sum()) - 1.0) < 1e-4  # softmax head


def test_declared_facts(built: SimpleNamespace) -> None:
    v, m, s = built.v, built.model, built.s
    for fact in (v.params, v.trainable_params, v.macs, v.output_shape, v.receptive_field):
        assert fact is not None and fact.source
    assert m.count_params() == s.params == v.params.value
    assert _n(m.trainable_weights) == s.trainable == v.trainable_params.value
    assert s.macs == v.macs.value
    assert s.receptive_field == v.receptive_field.value
    assert s.output_shape == v.output_shape.value == tuple(m.output_shape[1:])
    assert s.non_trainable_by_kind == {"batchnorm moving statistics": 2 * _bn_channels(m)}


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


def test_matches_keras_applications(built: SimpleNamespace) -> None:
    assert built.app.count_params() == built.v.params.value
    _same_layers(built.model, built.app)


def test_top_false_pooling_and_classes() -> None:
    """keras.applications semantics at the minimum input 71×71: pooled features, feature map, custom head."""
    keras.backend.clear_session()
    v = registry.variant("xception")
    head = 2048 * 1000 + 1000
    feats = registry.get("xception", include_top=False, pooling="avg", input_shape=(71, 71, 3))
    assert feats.output.shape == (None, 2048)
    assert feats.count_params() == v.params.value - head  # params do not depend on H, W
    _same_layers(
        feats, keras.applications.Xception(weights=None, include_top=False, pooling="avg", input_shape=(71, 71, 3))
    )
    y = np.asarray(feats(np.zeros((1, 71, 71, 3), "float32"), training=False))
    assert y.shape == (1, 2048) and np.isfinite(y).all()
    assert registry.get("xception", include_top=False, pooling="max", input_shape=(71, 71, 3)).output.shape == (
        None,
        2048,
    )
    assert registry.get("xception", include_top=False, input_shape=(71, 71, 3)).output.shape == (None, 3, 3, 2048)

    ten = registry.get("xception", classes=10, input_shape=(71, 71, 3))
    assert ten.count_params() == v.params.value - head + 2048 * 10 + 10
    y = np.asarray(ten(np.zeros((1, 71, 71, 3), "float32"), training=False))
    assert y.shape == (1, 10) and abs(float(y.sum()) - 1.0) < 1e-4
