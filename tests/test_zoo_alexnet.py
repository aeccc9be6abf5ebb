"""Live AlexNet zoo: torchvision's single tower and the paper's two-GPU (grouped) network, checked against the
closed forms of ``models/facts/alexnet.py``, their reference figures and LRN.  Build, forward pass, declared facts,
headless and custom classes: tests/test_zoo.py."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from models import registry
from models._keras import keras, np
from models.alexnet import LocalResponseNormalization
from models.facts import alexnet as F

pytestmark = pytest.mark.live

NAMES = [n for n in registry.list_models() if registry.variant(n).family == "alexnet"]


def _convs(model: Any) -> list[Any]:
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]


def _dense(model: Any) -> list[Any]:
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]


def test_registry_names() -> None:
    assert set(NAMES) == {"alexnet", "alexnet_2gpu"}


def test_closed_form_agrees(built: SimpleNamespace) -> None:
    """The facts module's per-conv table is the live model's: kernels, groups and output sides."""
    table = F.TORCHVISION_CONVS if built.name == "alexnet" else F.PAPER_CONVS
    convs = _convs(built.model)
    assert [
        (c.kernel_size[0], c.kernel.shape[2] * c.groups, c.filters, c.groups, c.output.shape[1]) for c in convs
    ] == [tuple(row) for row in table]
    assert [(d.kernel.shape[0], d.units) for d in _dense(built.model)] == list(F.FC)
    closed = F.TORCHVISION_PARAMS if built.name == "alexnet" else F.PAPER_PARAMS
    assert closed == built.v.params.value


def test_reference_facts(built: SimpleNamespace) -> None:
    m, s = built.model, built.s
    for key, fact in built.v.reference.items():
        assert fact.source, key
        if key == "torchvision_gmacs":
            assert round(s.macs / 1e9, 2) == fact.value
        elif key == "closed_form_params":
            assert s.params == fact.value
        elif key == "fc_params":
            assert sum(d.count_params() for d in _dense(m)) == fact.value
            assert round(fact.value / s.params, 2) == 0.96
        elif key == "paper_params":  # "60 million": the closed form is 60.97 M
            assert s.params // 1_000_000 == fact.value // 1_000_000 == 60
        elif key == "ungrouped_params":  # one GPU: every grouped kernel sees all input maps
            extra = sum(int(np.prod(c.kernel.shape)) * (c.groups - 1) for c in _convs(m))
            assert s.params + extra == fact.value
        else:
            pytest.fail(f"{built.name}: no live check for reference fact {key!r}")


def test_layout(built: SimpleNamespace) -> None:
    m = built.model
    shapes = {layer.name: tuple(layer.output.shape[1:]) for layer in m.layers}
    lrn = [layer.name for layer in m.layers if isinstance(layer, LocalResponseNormalization)]
    if built.name == "alexnet":  # torchvision: 224, conv1 padded by 2, adaptive 6×6 pool
        assert shapes["conv1_conv"] == (55, 55, 64) and shapes["conv5_pool"] == (6, 6, 256)
        assert shapes["avgpool"] == (6, 6, 256) and shapes["flatten"] == (9216,)
        assert lrn == [] and all(c.groups == 1 for c in _convs(m))
    else:  # the paper: 227, two GPUs = groups=2 on conv2, conv4, conv5; LRN after conv1 and conv2
        assert shapes["conv1_conv"] == (55, 55, 96) and shapes["conv1_pool"] == (27, 27, 96)
        assert shapes["conv2_conv"] == (27, 27, 256) and shapes["conv5_pool"] == (6, 6, 256)
        kernels = {c.name: (tuple(c.kernel.shape), c.groups) for c in _convs(m)}
        assert kernels == {
            "conv1_conv": ((11, 11, 3, 96), 1),
            "conv2_conv": ((5, 5, 48, 256), 2),
            "conv3_conv": ((3, 3, 256, 384), 1),
            "conv4_conv": ((3, 3, 192, 384), 2),
            "conv5_conv": ((3, 3, 192, 256), 2),
        }
        assert lrn == ["conv1_lrn", "conv2_lrn"]
        names = [layer.name for layer in m.layers]
        assert names.index("conv1_relu") < names.index("conv1_lrn") < names.index("conv1_pool")
    drop = [layer for layer in m.layers if isinstance(layer, keras.layers.Dropout)]
    assert len(drop) == 2 and all(d.rate == 0.5 for d in drop)


def test_lrn_matches_tensorflow() -> None:
    """Our backend-neutral LRN is the paper's formula, i.e. ``tf.nn.local_response_normalization``."""
    import tensorflow as tf

    x = np.random.default_rng(2).normal(scale=30.0, size=(2, 5, 5, 12)).astype("float32")
    layer = LocalResponseNormalization(depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75)
    ours = np.asarray(layer(x))
    ref = tf.nn.local_response_normalization(x, depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75).numpy()
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-6)
    assert layer.count_params() == 0 and not layer.weights
    cfg = LocalResponseNormalization(depth_radius=3, name="n").get_config()
    assert LocalResponseNormalization.from_config(cfg).depth_radius == 3


def test_adaptive_pool_admits_small_inputs() -> None:
    """torchvision's AdaptiveAvgPool2d((6, 6)): the same 61.1 M model runs at 127×127 (a 3×3 map pooled to 6×6)."""
    m = registry.get("alexnet", input_shape=(127, 127, 3))
    assert m.count_params() == registry.variant("alexnet").params.value
    assert tuple(m.get_layer("conv5_pool").output.shape[1:]) == (3, 3, 256)
    y = np.asarray(m(np.random.default_rng(3).normal(size=(1, 127, 127, 3)).astype("float32")))
    assert y.shape == (1, 1000) and np.isfinite(y).all()
