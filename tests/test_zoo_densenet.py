"""Live DenseNet zoo: every registered ``densenet`` model is built, run, and checked against its declared facts,
the closed forms of ``models/facts/densenet.py`` and keras.applications' DenseNet121/169/201."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from models import inspect as I
from models import registry
from models._keras import keras, np
from models.facts import densenet as F

pytestmark = pytest.mark.live

NAMES = [n for n in registry.list_models() if registry.variant(n).family == "densenet"]
KERAS_APPS = {"densenet121": "DenseNet121", "densenet169": "DenseNet169", "densenet201": "DenseNet201"}


def _param(name: str) -> Any:
    return pytest.param(name, marks=pytest.mark.slow) if registry.variant(name).slow else name


def _n(weights: list[Any]) -> int:
    return int(sum(np.prod(w.shape) for w in weights))


def _bn_channels(model: Any) -> int:
    return sum(
        int(layer.gamma.shape[0]) for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)
    )


@pytest.fixture(scope="module", params=[_param(n) for n in NAMES])
def built(request: pytest.FixtureRequest) -> SimpleNamespace:
    name = request.param
    keras.backend.clear_session()
    model = registry.get(name)
    app = getattr(keras.applications, KERAS_APPS[name])(weights=None) if name in KERAS_APPS else None
    return SimpleNamespace(name=name, v=registry.variant(name), model=model, s=I.summary(model), app=app)


def test_registry_names() -> None:
    assert set(NAMES) == {"densenet121", "densenet161", "densenet169", "densenet201"}
    assert registry.variant("densenet201").slow


def test_forward(built: SimpleNamespace) -> None:
    x = np.random.default_rng(0).normal(size=(1, *built.v.input_shape)).astype("float32")
    y = np.asarray(built.model(x, training=False))
    assert y.shape == (1, built.v.classes)
    assert np.isfinite(y).all()
    assert abs(float(y.sum()) - 1.0) < 1e-4  # softmax head


def test_declared_facts(built: SimpleNamespace) -> None:
    v, m, s = built.v, built.model, built.s
    for fact in (v.params, v.trainable_params, v.macs, v.output_shape, v.receptive_field):
        assert fact is not None and fact.source
    assert m.count_params() == v.params.value
    assert _n(m.trainable_weights) == v.trainable_params.value
    assert s.params == v.params.value and s.trainable == v.trainable_params.value
    assert s.macs == v.macs.value
    assert s.receptive_field == v.receptive_field.value
    assert s.output_shape == v.output_shape.value == tuple(m.output_shape[1:])
    assert s.non_trainable == 2 * _bn_channels(m)
    assert s.non_trainable_by_kind == {"batchnorm moving statistics": s.non_trainable}


def test_closed_form_agrees(built: SimpleNamespace) -> None:
    """The facts module's closed forms reproduce the declared (published) figures."""
    v = built.v
    f = F.count(v.kwargs["depth"])
    assert f["params"] == v.params.value
    assert f["trainable"] == v.trainable_params.value == v.reference["torchvision_params"].value
    assert f["macs"] == v.macs.value
    assert (f["rf"], f["rf"]) == v.receptive_field.value


def test_reference_facts(built: SimpleNamespace) -> None:
    """Each published figure in another convention is reproduced from the live model by its stated difference."""
    m, s, v = built.model, built.s, built.v
    blocks = F.DEPTHS[v.kwargs["depth"]][2]
    by_name = {layer.name: layer for layer in m.layers}
    for key, fact in v.reference.items():
        assert fact.source, key
        if key == "torchvision_params":  # bias-free convs: torchvision = Keras trainable
            assert all(not c.use_bias for c in m.layers if isinstance(c, keras.layers.Conv2D))
            assert s.trainable == fact.value
            assert s.params - 2 * _bn_channels(m) == fact.value
        elif key == "torchvision_gmacs":
            assert round(s.macs / 1e9, 3) == fact.value
        elif key == "bn_channels":
            assert _bn_channels(m) == fact.value
        elif key.endswith("_out_channels"):  # C0 + L·k at the end of each dense block
            stage = key.removesuffix("_out_channels")
            n = blocks[F.STAGES.index(stage)]
            assert by_name[f"{stage}_block{n}_concat"].output.shape[-1] == fact.value
            assert f"{stage}_block{n + 1}_concat" not in by_name
        elif key == "concepts_params_m":
            assert round(s.trainable / 1e6, 1) == fact.value
        elif key == "concepts_gmacs":
            assert round(s.macs / 1e9, 2) == fact.value
        else:
            pytest.fail(f"{built.name}: no live check for reference fact {key!r}")


def test_channel_growth_per_layer(built: SimpleNamespace) -> None:
    """Inside a block every layer adds k channels; a transition halves them (floor) and the resolution."""
    m, v = built.model, built.v
    stem, k, blocks = F.DEPTHS[v.kwargs["depth"]]
    by_name = {layer.name: layer for layer in m.layers}
    c, side = stem, 56
    for b, (stage, n) in enumerate(zip(F.STAGES, blocks, strict=True)):
        for i in range(1, n + 1):
            assert tuple(by_name[f"{stage}_block{i}_concat"].output.shape) == (None, side, side, c + i * k)
            assert by_name[f"{stage}_block{i}_1_conv"].filters == 4 * k
        c += n * k
        if b < len(blocks) - 1:
            c, side = c // 2, side // 2
            assert tuple(by_name[f"pool{b + 2}_pool"].output.shape) == (None, side, side, c)


def test_matches_keras_applications(built: SimpleNamespace) -> None:
    if built.app is None:
        assert built.name not in KERAS_APPS
        return
    ours, app = built.model, built.app
    assert ours.count_params() == app.count_params() == built.v.params.value
    assert _n(ours.trainable_weights) == _n(app.trainable_weights)
    assert _n(ours.non_trainable_weights) == _n(app.non_trainable_weights)

    def trace(model: Any) -> list[tuple[str, str, tuple[Any, ...]]]:
        # Keras leaves its two stem ZeroPadding2D layers (and the input) unnamed: compare those by class only
        unnamed = (keras.layers.InputLayer, keras.layers.ZeroPadding2D)
        return [
            (type(l).__name__, "" if isinstance(l, unnamed) else l.name, tuple(l.output.shape)) for l in model.layers
        ]

    assert trace(ours) == trace(app)  # every layer: class, name and output shape, in order
    pads = [l.name for l in ours.layers if isinstance(l, keras.layers.ZeroPadding2D)]
    assert pads == ["conv1_pad", "pool1_pad"]
    assert I.summary(app).macs == built.s.macs
    assert I.summary(app).receptive_field == built.s.receptive_field


def test_headless_and_custom_classes() -> None:
    """keras.applications semantics: include_top=False + pooling gives pooled features; classes sizes the top."""
    v = registry.variant("densenet121")
    x = np.random.default_rng(1).normal(size=(1, 64, 64, 3)).astype("float32")
    avg = registry.get("densenet121", include_top=False, pooling="avg", input_shape=(64, 64, 3))
    assert avg.output_shape == (None, 1024) and avg.layers[-1].name == "avg_pool"
    assert np.asarray(avg(x)).shape == (1, 1024)
    assert avg.count_params() == v.params.value - (1024 + 1) * v.classes
    top = registry.get("densenet121", classes=7, input_shape=(64, 64, 3))
    y = np.asarray(top(x))
    assert y.shape == (1, 7) and np.isfinite(y).all()
    assert top.count_params() == avg.count_params() + (1024 + 1) * 7
