"""Live audio zoo (WaveNet, spectrogram_cnn): every registered ``audio`` model is built, run and checked against
the closed forms of ``models/facts/audio.py``; WaveNet's one-stack receptive field (1024) and its causality are
demonstrated live.  Neither model exists in ``keras.applications`` (no applications twin to compare)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from models import inspect as I
from models import registry
from models._keras import keras, np

pytestmark = pytest.mark.live

NAMES = [n for n in registry.list_models() if registry.variant(n).family == "audio"]
FEATURES = {"wavenet": 256, "spectrogram_cnn": 256}
SMALL_SHAPE = {"wavenet": (512, 256), "spectrogram_cnn": (128, 64, 1)}  # GAP / fully-convolutional: any length


def _param(name: str) -> Any:
    return pytest.param(name, marks=pytest.mark.slow) if registry.variant(name).slow else name


def _n(weights: list[Any]) -> int:
    return int(sum(np.prod(w.shape) for w in weights))


def _x(shape: tuple[int, ...], seed: int = 0) -> Any:
    return np.random.default_rng(seed).normal(size=(1, *shape)).astype("float32")


@pytest.fixture(scope="module", params=[_param(n) for n in NAMES])
def built(request: pytest.FixtureRequest) -> SimpleNamespace:
    name = request.param
    keras.backend.clear_session()
    model = registry.get(name)
    return SimpleNamespace(name=name, v=registry.variant(name), model=model, s=I.summary(model))


def test_registry_names() -> None:
    assert set(NAMES) == {"wavenet", "spectrogram_cnn"}


def test_declared_facts(built: SimpleNamespace) -> None:
    v, m, s = built.v, built.model, built.s
    for fact in (v.params, v.trainable_params, v.macs, v.output_shape, v.receptive_field):
        assert fact is not None and fact.source
    assert tuple(m.input_shape[1:]) == v.input_shape
    assert m.count_params() == s.params == v.params.value
    assert _n(m.trainable_weights) == s.trainable == v.trainable_params.value
    assert s.params - s.trainable == s.non_trainable == s.non_trainable_by_kind.get("batchnorm moving statistics", 0)
    assert s.macs == v.macs.value
    assert tuple(m.output_shape[1:]) == s.output_shape == v.output_shape.value
    assert s.receptive_field == v.receptive_field.value


def test_forward(built: SimpleNamespace) -> None:
    y = np.asarray(built.model(_x(built.v.input_shape), training=False))
    assert y.shape == (1, *built.v.output_shape.value)
    assert np.isfinite(y).all()
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-4)  # softmax (per time step for WaveNet)


def test_reference_facts(built: SimpleNamespace) -> None:
    m = built.model
    for key, fact in built.v.reference.items():
        assert fact.source, key
        if key == "rf_one_stack":
            keras.backend.clear_session()
            one = registry.get("wavenet", stacks=1, initial_kernel=1, input_shape=(2048, 256))
            assert I.receptive_field(one) == (fact.value,) == (1024,)
            assert len([lay for lay in one.layers if lay.name.endswith("_filter_conv")]) == 10
        elif key == "features":
            assert tuple(m.get_layer("block4_pool").output.shape[1:]) == fact.value == (8, 8, 256)
        else:
            pytest.fail(f"{built.name}: no live check for reference fact {key!r}")


def test_layout(built: SimpleNamespace) -> None:
    m = built.model
    if built.name == "wavenet":
        dil = [lay.dilation_rate[0] for lay in m.layers if lay.name.endswith("_filter_conv")]
        assert dil == [2**i for i in range(10)] * 2
        assert all(
            lay.padding == "causal"
            for lay in m.layers
            if isinstance(lay, keras.layers.Conv1D) and lay.kernel_size[0] > 1
        )
        assert "stack2_layer10_res_conv" not in [lay.name for lay in m.layers]  # last residual output is unused
        assert isinstance(m.get_layer("stack1_layer1_gated"), keras.layers.Multiply)
        assert m.get_layer("stack1_layer1_tanh").activation.__name__ == "tanh"
        assert m.get_layer("stack1_layer1_sigmoid").activation.__name__ == "sigmoid"
    else:
        shapes = {lay.name: tuple(lay.output.shape[1:]) for lay in m.layers}
        assert shapes["block1_pool"] == (64, 64, 32) and shapes["block2_pool"] == (32, 32, 64)
        assert shapes["block3_pool"] == (16, 16, 128)


def test_wavenet_is_causal() -> None:
    """Changing input sample t₀ changes no output before t₀ (causal padding), and does change outputs from t₀ on."""
    keras.backend.clear_session()
    m = registry.get("wavenet", input_shape=(256, 256))
    x = _x((256, 256), seed=4)
    x2 = x.copy()
    x2[:, 100] += 1.0
    y, y2 = np.asarray(m(x)), np.asarray(m(x2))
    np.testing.assert_array_equal(y[:, :100], y2[:, :100])
    assert not np.allclose(y[:, 100], y2[:, 100])


@pytest.mark.parametrize("name", [_param(n) for n in NAMES])
def test_headless_and_custom_classes(name: str) -> None:
    shape = SMALL_SHAPE[name]
    x = _x(shape, seed=1)
    keras.backend.clear_session()
    avg = registry.get(name, include_top=False, pooling="avg", input_shape=shape)
    y = np.asarray(avg(x, training=False))
    assert avg.output_shape == (None, FEATURES[name]) and y.shape == (1, FEATURES[name]) and np.isfinite(y).all()
    keras.backend.clear_session()
    custom = registry.get(name, classes=7, input_shape=shape)
    y = np.asarray(custom(x, training=False))
    expected = (1, shape[0], 7) if name == "wavenet" else (1, 7)
    assert y.shape == expected and np.isfinite(y).all()
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-4)
