"""Live DenseNet zoo: every registered ``densenet`` model is checked against the closed forms of
``models/facts/densenet.py``, its reference figures and its per-layer channel growth.  Build, forward pass,
declared facts, the keras.applications DenseNet121/169/201 twins, headless and custom classes: tests/test_zoo.py."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from models import registry
from models._keras import keras
from models.facts import densenet as F

pytestmark = pytest.mark.live

NAMES = [n for n in registry.list_models() if registry.variant(n).family == "densenet"]


def _bn_channels(model: Any) -> int:
    return sum(
        int(layer.gamma.shape[0]) for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)
    )


def test_registry_names() -> None:
    assert set(NAMES) == {"densenet121", "densenet161", "densenet169", "densenet201"}
    assert registry.variant("densenet201").slow


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


def test_stem_pads_are_named(built: SimpleNamespace) -> None:
    """Keras leaves its two stem ZeroPadding2D layers unnamed (test_zoo compares them by class); ours are named."""
    pads = [l.name for l in built.model.layers if isinstance(l, keras.layers.ZeroPadding2D)]
    assert pads == ["conv1_pad", "pool1_pad"]
