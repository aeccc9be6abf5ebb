"""Live ViT zoo: ``vit_b16`` is checked against torchvision's ``vit_b_16`` figures (86,567,656 params,
17.56 GMACs) and the closed form of ``models/facts/vit.py``; the embedding stage yields 197 tokens.  Build, forward
pass, declared facts, headless and custom classes: tests/test_zoo.py.
ViT is not in ``keras.applications`` (no applications twin to compare)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from models import registry
from models._keras import keras, np
from models.vit import ClassTokenPosEmbedding

pytestmark = pytest.mark.live

NAMES = [n for n in registry.list_models() if registry.variant(n).family == "vit"]


def _x(shape: tuple[int, ...], seed: int = 0) -> Any:
    return np.random.default_rng(seed).normal(size=(1, *shape)).astype("float32")


def test_registry_names() -> None:
    assert set(NAMES) == {"vit_b16"}


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


def test_published_configs_agree_with_the_builder_and_the_zoo() -> None:
    """The ViT configurations questions may name (models.facts.vit) agree with the builder's table and the zoo."""
    from models.facts import vit as facts
    from models.vit import VIT_CONFIGS

    for name, cfg in VIT_CONFIGS.items():
        assert facts.CONFIGS[name] == {"hidden_dim": cfg["hidden_dim"], "patch_size": cfg["patch_size"]}, name
    b16 = registry.variant("vit_b16")
    assert b16.reference["tokens"].value == (197, facts.CONFIGS[b16.kwargs["config"]]["hidden_dim"])
    assert facts.WIDTHS == {"Ti": 192, "S": 384, "B": 768, "L": 1024, "H": 1280, "g": 1536}
