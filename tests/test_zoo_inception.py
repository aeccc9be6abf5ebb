"""Live Inception zoo: GoogLeNet (the paper's build, and torchvision's via overrides) and Inception-v3
(torchvision's 27,161,264 via its aux head and BN γ), checked against the closed forms and reference figures of
``models/facts/inception.py``.  Build, forward pass, declared facts, the keras.applications.InceptionV3 twin,
headless and custom classes: tests/test_zoo.py."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from models import inspect as I
from models import registry
from models._keras import keras, np
from models.facts import inception as F

pytestmark = pytest.mark.live

NAMES = [n for n in registry.list_models() if registry.variant(n).family == "inception"]
TORCHVISION_GOOGLENET = {"batch_norm": True, "wide_kernel": 3, "lrn": False}


def _n(weights: list[Any]) -> int:
    return int(sum(np.prod(w.shape) for w in weights))


def _of(model: Any, cls: type) -> list[Any]:
    return [layer for layer in model.layers if isinstance(layer, cls)]


def _bn_channels(model: Any) -> int:
    return sum(int(b.moving_mean.shape[0]) for b in _of(model, keras.layers.BatchNormalization))


def _gammas(model: Any) -> int:
    return sum(int(b.gamma.shape[0]) for b in _of(model, keras.layers.BatchNormalization) if b.scale)


@pytest.fixture(scope="module")
def extra(built: SimpleNamespace) -> SimpleNamespace:
    """The one extra build per model that the reference figures need: torchvision's GoogLeNet, v3 with its aux head."""
    name = built.name
    model = registry.get(name, **TORCHVISION_GOOGLENET) if name == "googlenet" else registry.get(
        name, aux_head=True, bn_scale=True)  # fmt: skip
    return SimpleNamespace(model=model, s=I.summary(model))


def test_registry_names() -> None:
    assert set(NAMES) == {"googlenet", "inception_v3"}
    assert registry.variant("inception_v3").slow


def test_extra_forward(built: SimpleNamespace, extra: SimpleNamespace) -> None:
    x = np.random.default_rng(0).normal(size=(1, *built.v.input_shape)).astype("float32")
    outs = extra.model(x, training=False)  # inception_v3: [main, aux]; googlenet (torchvision build): main
    for out in outs if isinstance(outs, (list, tuple)) else [outs]:
        assert np.asarray(out).shape == (1, 1000) and np.isfinite(np.asarray(out)).all()


def test_closed_form_agrees(built: SimpleNamespace) -> None:
    """The facts module's conv list is the live conv list (kernel, C_in, C_out, output side), in order."""
    table = F.googlenet_convs(5) if built.name == "googlenet" else F.V3_CONVS
    live = [(*c.kernel_size, c.kernel.shape[2], c.filters, c.output.shape[1]) for c in _of(built.model,
            keras.layers.Conv2D)]  # fmt: skip
    assert sorted(live) == sorted(table)  # same multiset (the graph's layer order interleaves branches)
    if built.name == "googlenet":
        assert F.GOOGLENET_PARAMS == built.v.params.value and F.GOOGLENET_MACS == built.v.macs.value
        assert all(c.use_bias for c in _of(built.model, keras.layers.Conv2D))
    else:
        assert F.V3_PARAMS == built.v.params.value and F.V3_MACS == built.v.macs.value
        assert F.V3_BN == _bn_channels(built.model) == 17_216
        assert not any(c.use_bias for c in _of(built.model, keras.layers.Conv2D))
        assert not any(b.scale for b in _of(built.model, keras.layers.BatchNormalization))  # Keras: no γ
        # our names are hierarchical where keras.applications' are conv2d_17 ... (compared by class in test_zoo)
        names = {l.name for l in built.model.layers}
        assert {"mixed5b", "mixed6a", "mixed7c", "mixed7b_3x3_2_concat", "mixed5b_5x5_2_conv", "conv1a_bn"} <= names


def test_reference_facts(built: SimpleNamespace, extra: SimpleNamespace) -> None:
    m, s = built.model, built.s
    xs, extra = extra.s, extra.model  # the extra build's summary, then the model itself
    kernels = sum(int(np.prod(l.kernel.shape)) for l in m.layers if isinstance(l, (keras.layers.Conv2D,
                  keras.layers.Dense)))  # fmt: skip
    aux_trainable = sum(_n(l.trainable_weights) for l in extra.layers if l.name.startswith("aux"))
    for key, fact in built.v.reference.items():
        assert fact.source, key
        if built.name == "googlenet" and key == "torchvision_params":  # BN γβ instead of bias, 3×3 branch
            assert xs.trainable == fact.value
            assert not any(c.use_bias for c in _of(extra, keras.layers.Conv2D))
            assert xs.params == fact.value + 2 * _bn_channels(extra)
        elif key == "torchvision_gmacs":
            macs = xs.macs if built.name == "googlenet" else s.macs  # v3: the aux head runs only in training
            assert round(macs / 1e9, 2) == fact.value
        elif key == "torchvision_macs":
            assert xs.macs == fact.value
        elif key == "paper_macs":  # Table 1's conv1 row (34 M) in place of the real 7×7×3→64 conv's MACs
            conv1 = next(r.macs for r in s.layers if r.name == "conv1_conv")
            assert conv1 == 112 * 112 * 7 * 7 * 3 * 64
            assert round((s.macs - conv1 + 34_000_000) / 1e9, 2) == fact.value / 1e9
        elif key == "paper_weights":
            assert kernels == fact.value
        elif key == "aux_heads_params":
            with_aux = registry.get("googlenet", aux_heads=True)
            assert len(with_aux.outputs) == 3
            assert with_aux.count_params() - s.params == fact.value
        elif key == "closed_form_params":
            assert s.params == fact.value
        elif key == "torchvision_params":  # v3: aux head + BN γ, trainable only — exactly the published figure
            assert len(extra.outputs) == 2 and xs.trainable == fact.value
            assert xs.params == fact.value + 2 * _bn_channels(extra)
        elif key == "torchvision_no_aux":
            assert xs.trainable - aux_trainable == fact.value == s.trainable + _bn_channels(m)
        elif key == "aux_head_trainable_keras":  # Keras' BN (no γ): short of torchvision by the γ's
            assert xs.trainable - _gammas(extra) == fact.value
            assert built.v.reference["torchvision_params"].value - fact.value == _gammas(extra) == 18_112
        elif key == "aux_head_params_keras":
            assert xs.params - _gammas(extra) == fact.value
        else:
            pytest.fail(f"{built.name}: no live check for reference fact {key!r}")


def test_googlenet_table1_output_sizes() -> None:
    """Paper Table 1's output-size column, block by block."""
    m = registry.get("googlenet", include_top=False)
    shapes = {l.name: tuple(l.output.shape[1:]) for l in m.layers}
    expected = {"conv1_relu": (112, 112, 64), "pool1": (56, 56, 64), "conv2_relu": (56, 56, 192), "pool2": (28, 28, 192),
                "inception3a": (28, 28, 256), "inception3b": (28, 28, 480), "pool3": (14, 14, 480),
                "inception4a": (14, 14, 512), "inception4b": (14, 14, 512), "inception4c": (14, 14, 512),
                "inception4d": (14, 14, 528), "inception4e": (14, 14, 832), "pool4": (7, 7, 832),
                "inception5a": (7, 7, 832), "inception5b": (7, 7, 1024)}  # fmt: skip
    assert {k: shapes[k] for k in expected} == expected
    # the 1×1 reduce sits before the 3×3 / 5×5 (and the projection after the pool)
    names = [l.name for l in m.layers]
    assert names.index("inception3a_3x3_1_conv") < names.index("inception3a_3x3_2_conv")
    assert m.get_layer("inception3a_5x5_1_conv").kernel_size == (1, 1)
    assert m.get_layer("inception3a_5x5_2_conv").kernel_size == (5, 5)
    assert m.get_layer("inception3a_pool_2_conv").kernel_size == (1, 1)
    assert [l.name for l in m.layers if l.__class__.__name__ == "LocalResponseNormalization"] == ["norm1", "norm2"]


def test_googlenet_module_rows_match_the_live_modules() -> None:
    """models.facts' Table 1 rows (what the question bank names a module by) are the live GoogLeNet's modules."""
    from models.facts.inception import GOOGLENET_ROWS

    m = registry.get("googlenet", include_top=False)
    for name, c_in, c1, c3r, c3, c5r, c5, pool_proj, side in GOOGLENET_ROWS:
        reduce3 = m.get_layer(f"inception{name}_3x3_1_conv")
        assert tuple(reduce3.input.shape[1:]) == (side, side, c_in), name
        widths = [m.get_layer(f"inception{name}_{b}_conv").filters for b in ("3x3_1", "3x3_2", "5x5_1", "5x5_2")]
        assert widths == [c3r, c3, c5r, c5], name
        assert m.get_layer(f"inception{name}_pool_2_conv").filters == pool_proj, name
        assert m.get_layer(f"inception{name}").output.shape[-1] == c1 + c3 + c5 + pool_proj, name
