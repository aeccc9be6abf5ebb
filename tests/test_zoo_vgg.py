"""Live VGG zoo: every registered ``vgg`` model is checked against the closed forms of ``models/facts/vgg.py`` and
its reference figures.  Build, forward pass, declared facts, the keras.applications VGG16 / VGG19 twins, headless
and custom classes: tests/test_zoo.py."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from models import registry
from models._keras import keras
from models.facts import vgg as F

pytestmark = pytest.mark.live

NAMES = [n for n in registry.list_models() if registry.variant(n).family == "vgg"]


def _of(model: Any, cls: type) -> list[Any]:
    return [layer for layer in model.layers if isinstance(layer, cls)]


def test_registry_names() -> None:
    assert set(NAMES) == {"vgg16", "vgg19"}
    assert registry.variant("vgg19").slow


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
        elif key == "torchvision_bn_params":  # vgg*_bn: a BatchNorm scale and shift per conv output channel
            filters = sum(c.filters for c in _of(m, keras.layers.Conv2D))
            assert s.params + 2 * filters == fact.value
        else:
            pytest.fail(f"{built.name}: no live check for reference fact {key!r}")
