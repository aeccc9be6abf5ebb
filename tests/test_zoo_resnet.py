"""Live ResNet zoo: every registered ``resnet`` model is checked against the closed forms of
``models/facts/resnet.py``, its reference figures and its layout; torchvision's bias-free resnet18/34.  Build,
forward pass, declared facts, the keras.applications ResNet50/101/152 twins, headless and custom classes:
tests/test_zoo.py."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from models import registry
from models._keras import keras, np
from models.facts import resnet as F

pytestmark = pytest.mark.live

NAMES = [n for n in registry.list_models() if registry.variant(n).family == "resnet"]


def _n(weights: list[Any]) -> int:
    return int(sum(np.prod(w.shape) for w in weights))


def _convs(model: Any) -> list[Any]:
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]


def _conv_bias(model: Any) -> int:
    return sum(int(np.prod(c.bias.shape)) for c in _convs(model) if c.use_bias)


def _bn_channels(model: Any) -> int:
    return sum(
        int(layer.gamma.shape[0]) for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)
    )


def _stride_shift(model: Any, summary: Any) -> int:
    """MACs torchvision's v1.5 adds over this model: a strided 1×1 would run on 4× the positions."""
    macs = {r.name: r.macs for r in summary.layers}
    return sum(
        3 * macs[c.name]
        for c in _convs(model)
        if tuple(c.kernel_size) == (1, 1) and c.strides != (1, 1) and c.name.endswith("_1_conv")
    )


def test_registry_names() -> None:
    assert set(NAMES) == {"resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnet50_v1_5"}
    assert registry.variant("resnet152").slow


def test_closed_form_agrees(built: SimpleNamespace) -> None:
    """The facts module's closed forms reproduce the declared (published) figures."""
    v = built.v
    depth, v15 = v.kwargs["depth"], v.kwargs["layout"] == "v1.5"
    w, b = F.torchvision_params(depth), F.conv_channels(depth)
    assert w == v.reference["torchvision_params"].value
    assert v.params.value == w + (2 if v15 else 3) * b
    assert v.trainable_params.value == w + (0 if v15 else b)
    assert v.macs.value == F.macs(depth, stride_in_3x3=v15)
    assert v.receptive_field.value == (F.receptive_field(depth, v15),) * 2


def test_reference_facts(built: SimpleNamespace) -> None:
    """Each published figure in another convention is reproduced from the live model by its stated difference."""
    m, s = built.model, built.s
    for key, fact in built.v.reference.items():
        assert fact.source, key
        if key == "torchvision_params":  # torchvision: no conv bias, no BN moving statistics
            assert s.trainable - _conv_bias(m) == fact.value
        elif key == "conv_bias":
            assert _conv_bias(m) == fact.value
            if fact.value:  # every conv has a bias and a BN on the same channels
                assert _bn_channels(m) == fact.value == sum(c.filters for c in _convs(m))
        elif key == "torchvision_gmacs":  # torchvision is v1.5: stride in the 3×3
            assert round((s.macs + _stride_shift(m, s)) / 1e9, 3) == fact.value
        elif key == "stride_shift_macs":
            assert _stride_shift(m, s) == fact.value
        elif key == "paper_gmacs":
            assert round(s.macs / 1e9, 2) == fact.value
        elif key == "keras_v1_params":  # v1 = this model + one bias per conv output channel
            assert s.params + sum(c.filters for c in _convs(m)) == fact.value
        else:
            pytest.fail(f"{built.name}: no live check for reference fact {key!r}")


def test_layout(built: SimpleNamespace) -> None:
    """Stride placement, conv biases and hierarchical names as the layout says."""
    m, v = built.model, built.v
    by_name = {layer.name: layer for layer in m.layers}
    assert {"conv1_pad", "conv1_conv", "conv1_bn", "conv1_relu", "pool1_pad", "pool1_pool", "predictions"} <= set(
        by_name
    )
    depth, v15 = v.kwargs["depth"], v.kwargs["layout"] == "v1.5"
    assert all(c.use_bias != v15 for c in _convs(m))
    for stage, n in zip(("conv2", "conv3", "conv4", "conv5"), F.BLOCKS[depth], strict=True):
        assert f"{stage}_block{n}_out" in by_name and f"{stage}_block{n + 1}_out" not in by_name
    if F.BOTTLENECK[depth]:
        assert by_name["conv3_block2_3_conv"].filters == 512
        strided = "conv3_block1_2_conv" if v15 else "conv3_block1_1_conv"
        assert by_name[strided].strides == (2, 2)
        assert ("conv3_block1_2_pad" in by_name) == v15
    else:
        assert by_name["conv3_block1_1_conv"].strides == (2, 2) and "conv3_block1_1_pad" in by_name
        assert "conv2_block1_0_conv" not in by_name and "conv3_block1_0_conv" in by_name  # projection only on change


@pytest.mark.parametrize(("name", "published"), [("resnet18", 11_689_512), ("resnet34", 21_797_672)])
def test_basic_resnets_without_bias_are_torchvision(name: str, published: int) -> None:
    """torchvision's resnet18/34 counts = trainable weights of the same network with bias-free convs."""
    with_bias = registry.variant(name)
    m = registry.get(name, use_bias=False, input_shape=(64, 64, 3))  # parameter counts do not depend on H, W
    assert _n(m.trainable_weights) == published == with_bias.reference["torchvision_params"].value
    b = with_bias.reference["conv_bias"].value
    assert with_bias.trainable_params.value == published + b and with_bias.params.value == published + 3 * b
    assert m.count_params() == published + 2 * b
