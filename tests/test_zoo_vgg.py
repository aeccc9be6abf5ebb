"""Live VGG zoo: every registered ``vgg`` model is built, run, checked against its declared facts and the closed
forms of ``models/facts/vgg.py``, and compared layer by layer with keras.applications' VGG16 / VGG19."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from models import inspect as I
from models import registry
from models._keras import keras, np
from models.facts import vgg as F

pytestmark = pytest.mark.live

NAMES = [n for n in registry.list_models() if registry.variant(n).family == "vgg"]
KERAS_APPS = {"vgg16": "VGG16", "vgg19": "VGG19"}


def _param(name: str) -> Any:
    return pytest.param(name, marks=pytest.mark.slow) if registry.variant(name).slow else name


def _n(weights: list[Any]) -> int:
    return int(sum(np.prod(w.shape) for w in weights))


def _of(model: Any, cls: type) -> list[Any]:
    return [layer for layer in model.layers if isinstance(layer, cls)]


def _trace(model: Any) -> list[tuple[str, str, tuple[Any, ...]]]:
    """(class, name, output shape) of every layer in order; the input layer's name is not compared."""
    return [
        (type(l).__name__, "" if isinstance(l, keras.layers.InputLayer) else l.name, tuple(l.output.shape))
        for l in model.layers
    ]


@pytest.fixture(scope="module", params=[_param(n) for n in NAMES])
def built(request: pytest.FixtureRequest) -> SimpleNamespace:
    name = request.param
    keras.backend.clear_session()
    model = registry.get(name)
    app = getattr(keras.applications, KERAS_APPS[name])(weights=None)
    return SimpleNamespace(name=name, v=registry.variant(name), model=model, s=I.summary(model), app=app)


def test_registry_names() -> None:
    assert set(NAMES) == {"vgg16", "vgg19"}
    assert registry.variant("vgg19").slow


def test_forward(built: SimpleNamespace) -> None:
    x = np.random.default_rng(0).normal(size=(1, *built.v.input_shape)).astype("float32")
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
    assert s.non_trainable == 0
    assert s.macs == v.macs.value
    assert s.receptive_field == v.receptive_field.value
    assert s.output_shape == v.output_shape.value == tuple(m.output_shape[1:])


def test_closed_form_agrees(built: SimpleNamespace) -> None:
    """The facts module's (C_in, C_out, H) list is the live conv stack, and its totals are the published ones."""
    convs = _of(built.model, keras.layers.Conv2D)
    assert [(c.kernel.shape[2], c.filters, c.output.shape[1]) for c in convs] == F._convs(F.DEPTHS[built.name])
    assert all(tuple(c.kernel_size) == (3, 3) and c.padding == "same" for c in convs)  # only 3×3 convs
    assert F.CLOSED[built.name] == built.v.params.value
    assert sum(c.count_params() for c in convs) == F.CONV_PARAMS[built.name]


def test_reference_facts(built: SimpleNamespace) -> None:
    m, s = built.model, built.s
    fc = sum(d.count_params() for d in _of(m, keras.layers.Dense))
    for key, fact in built.v.reference.items():
        assert fact.source, key
        if key == "closed_form_params":
            assert s.params == fact.value
        elif key == "conv_params":
            assert s.params - fc == fact.value
        elif key == "fc_params":
            assert fc == fact.value
            assert m.get_layer("fc1").count_params() > s.params - fc  # fc1 alone outweighs every conv
        elif key == "fc_share":
            assert round(fc / s.params, 3) == fact.value
        elif key == "paper_params":
            assert round(s.params / 1e6) * 1_000_000 == fact.value
        elif key == "torchvision_gmacs":
            assert round(s.macs / 1e9, 2) == fact.value
        else:
            pytest.fail(f"{built.name}: no live check for reference fact {key!r}")


def test_matches_keras_applications(built: SimpleNamespace) -> None:
    ours, app = built.model, built.app
    assert ours.count_params() == app.count_params() == built.v.params.value
    assert _n(ours.trainable_weights) == _n(app.trainable_weights) == built.v.trainable_params.value
    assert _trace(ours) == _trace(app)  # every layer: class, name and output shape, in order
    app_s = I.summary(app)
    assert app_s.macs == built.s.macs and app_s.receptive_field == built.s.receptive_field


@pytest.mark.parametrize("name", NAMES)
def test_headless_matches_keras_applications(name: str) -> None:
    """include_top=False + pooling='avg' gives the pooled 512-d features, as keras.applications does."""
    shape = (64, 64, 3)
    ours = registry.get(name, include_top=False, pooling="avg", input_shape=shape)
    app = getattr(keras.applications, KERAS_APPS[name])(
        weights=None, include_top=False, pooling="avg", input_shape=shape
    )
    assert ours.output_shape == app.output_shape == (None, 512)
    assert ours.count_params() == app.count_params() == F.CONV_PARAMS[name]
    assert [t for t in _trace(ours)[:-1]] == [t for t in _trace(app)[:-1]]  # the pool layer's name differs
    y = np.asarray(ours(np.random.default_rng(1).normal(size=(1, *shape)).astype("float32")))
    assert y.shape == (1, 512) and np.isfinite(y).all()
    mx = registry.get(name, include_top=False, pooling="max", input_shape=shape)
    assert mx.output_shape == (None, 512) and mx.layers[-1].name == "max_pool"
    assert registry.get(name, include_top=False, input_shape=shape).output_shape == (None, 2, 2, 512)
    with pytest.raises(ValueError):
        registry.get(name, include_top=False, pooling="mean", input_shape=shape)


def test_custom_classes() -> None:
    v = registry.variant("vgg16")
    top = registry.get("vgg16", classes=10)
    assert top.output_shape == (None, 10)
    assert top.count_params() == v.params.value - (4096 + 1) * (1000 - 10)
    y = np.asarray(top(np.random.default_rng(2).normal(size=(1, 224, 224, 3)).astype("float32")))
    assert y.shape == (1, 10) and np.isfinite(y).all()
