"""Live ViT zoo: ``vit_b16`` is built and checked against torchvision's ``vit_b_16`` figures (86,567,656 params,
17.56 GMACs) and the closed form of ``models/facts/vit.py``; the embedding stage yields 197 tokens.
ViT is not in ``keras.applications`` (no applications twin to compare)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from models import inspect as I
from models import registry
from models._keras import keras, np
from models.vit import ClassTokenPosEmbedding

pytestmark = pytest.mark.live

NAMES = [n for n in registry.list_models() if registry.variant(n).family == "vit"]


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
    assert set(NAMES) == {"vit_b16"}


def test_declared_facts(built: SimpleNamespace) -> None:
    v, m, s = built.v, built.model, built.s
    for fact in (v.params, v.trainable_params, v.macs, v.output_shape, v.receptive_field):
        assert fact is not None and fact.source
    assert tuple(m.input_shape[1:]) == v.input_shape
    assert m.count_params() == s.params == v.params.value
    assert _n(m.trainable_weights) == s.trainable == v.trainable_params.value
    assert s.non_trainable == 0
    assert s.macs == v.macs.value
    assert tuple(m.output_shape[1:]) == s.output_shape == v.output_shape.value
    assert s.receptive_field == v.receptive_field.value
    assert s.whole_input  # attention mixes all tokens


def test_forward(built: SimpleNamespace) -> None:
    y = np.asarray(built.model(_x(built.v.input_shape), training=False))
    assert y.shape == (1, *built.v.output_shape.value)
    assert np.isfinite(y).all()
    assert abs(float(y.sum()) - 1.0) < 1e-4


def test_reference_facts(built: SimpleNamespace) -> None:
    m, s = built.model, built.s
    for key, fact in built.v.reference.items():
        assert fact.source, key
        if key == "tokens":
            assert tuple(m.get_layer("embedding").output.shape[1:]) == fact.value == (197, 768)
            assert tuple(m.get_layer("patches").output.shape[1:]) == (196, 768)
        elif key == "closed_form_params":
            assert s.params == fact.value == 86_567_656
        elif key == "torchvision_gflops":
            assert round(s.macs / 1e9, 2) == fact.value == 17.56
        else:
            pytest.fail(f"{built.name}: no live check for reference fact {key!r}")


def test_layout(built: SimpleNamespace) -> None:
    m, s = built.model, built.s
    blocks = [lay for lay in m.layers if isinstance(lay, keras.layers.MultiHeadAttention)]
    assert len(blocks) == 12 and all(b.num_heads == 12 and b.key_dim == 64 for b in blocks)
    assert m.get_layer("conv_proj").kernel.shape == (16, 16, 3, 768)
    assert m.get_layer("encoder_block1_mlp_dense1").units == 3072
    emb = m.get_layer("embedding")
    assert [tuple(w.shape) for w in emb.weights] == [(1, 1, 768), (1, 197, 768)]
    # per-block weights: torchvision's encoder_layer = 7,087,872
    per_block = sum(lay.count_params() for lay in m.layers if lay.name.startswith("encoder_block1_"))
    assert per_block == 2 * 1536 + 4 * (768 * 768 + 768) + 768 * 3072 + 3072 + 3072 * 768 + 768 == 7_087_872
    macs = {r.name: r.macs for r in s.layers}
    assert macs["encoder_block1_mha"] == 4 * 197 * 768 * 768 + 2 * 197 * 197 * 768
    # only the custom layer is not a Keras built-in
    custom = {type(lay).__name__ for lay in m.layers if not type(lay).__module__.startswith("keras")}
    assert custom == {"ClassTokenPosEmbedding"}


def test_embedding_layer_serializes() -> None:
    layer = ClassTokenPosEmbedding(name="embedding")
    x = _x((4, 8))
    y = np.asarray(layer(x))
    assert y.shape == (1, 5, 8)
    np.testing.assert_allclose(y[:, 1:], x + np.asarray(layer.pos_embedding)[:, 1:], rtol=1e-6)
    cfg = keras.saving.serialize_keras_object(layer)
    clone = keras.saving.deserialize_keras_object(cfg)
    assert isinstance(clone, ClassTokenPosEmbedding) and clone.name == "embedding"


@pytest.mark.slow
def test_headless_and_custom_classes() -> None:
    shape = (64, 64, 3)  # 16 patches + CLS (position embeddings sized for the input)
    x = _x(shape, seed=1)
    keras.backend.clear_session()
    avg = registry.get("vit_b16", include_top=False, pooling="avg", input_shape=shape)
    y = np.asarray(avg(x, training=False))
    assert avg.output_shape == (None, 768) and y.shape == (1, 768) and np.isfinite(y).all()
    assert tuple(avg.get_layer("embedding").output.shape[1:]) == (17, 768)
    keras.backend.clear_session()
    custom = registry.get("vit_b16", classes=7, input_shape=shape)
    y = np.asarray(custom(x, training=False))
    assert y.shape == (1, 7) and np.isfinite(y).all() and abs(float(y.sum()) - 1.0) < 1e-4
    assert custom.get_layer("head").units == 7
