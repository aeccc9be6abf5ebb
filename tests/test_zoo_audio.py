"""Live audio zoo (WaveNet, spectrogram_cnn): every registered ``audio`` model is checked against the reference
figures of ``models/facts/audio.py`` and its layout; WaveNet's one-stack receptive field (1024) and its causality
are demonstrated live.  Build, forward pass, declared facts, headless and custom classes: tests/test_zoo.py.
Neither model exists in ``keras.applications`` (no applications twin to compare)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from models import inspect as I
from models import registry
from models._keras import keras, np

pytestmark = pytest.mark.live

NAMES = [n for n in registry.list_models() if registry.variant(n).family == "audio"]


def _x(shape: tuple[int, ...], seed: int = 0) -> Any:
    return np.random.default_rng(seed).normal(size=(1, *shape)).astype("float32")


def test_registry_names() -> None:
    assert set(NAMES) == {"wavenet", "spectrogram_cnn"}


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
