"""Live EfficientNet zoo: every registered ``efficientnet`` model (B0…B7) is checked against the closed form and
reference figures of ``models/facts/efficientnet.py``; the compound-scaling rule.  Build, forward pass, declared
facts, the keras.applications EfficientNetB0…B7 twins, headless and custom classes: tests/test_zoo.py."""

from __future__ import annotations

import math
import re
from types import SimpleNamespace
from typing import Any

import pytest

from models import efficientnet as E
from models import registry
from models._keras import keras, np
from models.facts import efficientnet as F

pytestmark = pytest.mark.live

NAMES = [n for n in registry.list_models() if registry.variant(n).family == "efficientnet"]


def _n(weights: list[Any]) -> int:
    return int(sum(np.prod(w.shape) for w in weights))


def _bn_channels(model: Any) -> int:
    return sum(
        int(layer.gamma.shape[0]) for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)
    )


def _approx(text: str, value: float, tol: float) -> bool:
    """A rounded published figure ("5.3M", "0.39B") agrees with ``value`` within the relative ``tol``."""
    scale = {"M": 1e6, "B": 1e9}[text[-1]]
    return abs(float(text[:-1]) * scale - value) <= tol * value


def test_registry_names() -> None:
    assert NAMES == [f"efficientnet_b{i}" for i in range(8)]
    assert [registry.variant(n).slow for n in NAMES] == [False] * 6 + [True] * 2
    assert [registry.variant(n).input_shape[0] for n in NAMES] == [224, 240, 260, 300, 380, 456, 528, 600]


def test_closed_form_agrees(built: SimpleNamespace) -> None:
    """The facts module's arithmetic reproduces every declared figure, and its stage table is the live model's."""
    v, m = built.v, built.model
    key = v.kwargs["variant"]
    cf = F.closed_form(key)
    assert (cf["params"], cf["trainable"], cf["macs"]) == (v.params.value, v.trainable_params.value, v.macs.value)
    assert (cf["receptive_field"],) * 2 == v.receptive_field.value
    assert cf["bn_channels"] == _bn_channels(m)
    top = m.get_layer("top_activation").output.shape
    assert (top[1], top[3]) == (cf["feature_map"], cf["features"])
    # repeats ⌈n·d⌉ and widths round_filters(c·w) per stage, as the official coefficients say
    w, d, _res, _ = F.COEFFICIENTS[key]
    names = [layer.name for layer in m.layers]
    for i, (_k, n, _c_in, c_out, _t, _s) in enumerate(F.B0_STAGES, start=1):
        blocks = sorted({x.split("_")[0] for x in names if re.fullmatch(rf"block{i}[a-z]_project_conv", x)})
        assert len(blocks) == math.ceil(n * d), (i, blocks)
        assert m.get_layer(f"{blocks[-1]}_project_conv").filters == E.round_filters(c_out, w)


def test_reference_facts(built: SimpleNamespace) -> None:
    """Each published figure in another convention is reproduced from the live model by its stated difference."""
    v, m, s = built.v, built.model, built.s
    key = v.kwargs["variant"]
    w, d, res, drop = F.COEFFICIENTS[key]
    for name, fact in v.reference.items():
        assert fact.source, name
        if name == "paper_params":  # trainable only, rounded (B2's 9.2M vs 9.11M trainable is the largest gap)
            assert _approx(fact.value, s.trainable, 0.02), (fact.value, s.trainable)
        elif name == "paper_flops":  # multiply-adds, rounded (B4's 4.2B vs 4.39 G is the largest gap)
            assert _approx(fact.value, s.macs, 0.05), (fact.value, s.macs)
        elif name == "bn_moving_statistics":
            assert fact.value == 2 * _bn_channels(m) == s.non_trainable_by_kind["batchnorm moving statistics"]
        elif name == "normalization_statistics":
            norm = m.get_layer("normalization")
            assert fact.value == _n(norm.non_trainable_weights) == s.params - s.trainable - 2 * _bn_channels(m)
            assert _n(norm.trainable_weights) == 0
        elif name == "coefficients":
            assert fact.value == {"depth": d, "width": w, "resolution": res, "dropout": drop}
            assert v.input_shape == (res, res, 3)
            assert m.get_layer("stem_conv").filters == E.round_filters(32, w)
            assert m.get_layer("top_conv").filters == E.round_filters(1280, w)
            assert m.get_layer("top_dropout").rate == drop
        elif name == "phi_rule":  # the seed's rule FLOPs ∝ d·w²·r² on the official coefficients
            assert fact.value == round(d * w * w * (res / 224) ** 2, 3)
        elif name == "macs_ratio_vs_b0":  # the exact ratio, measured on the live model
            assert fact.value == round(s.macs / registry.variant("efficientnet_b0").macs.value, 3)
        elif name == "torchvision_params":  # torchvision: trainable weights only
            assert fact.value == s.trainable
        elif name == "torchvision_gflops":
            # torchvision reports B2 at its 288×288 eval crop; the closed form (proven live at 260 above) scales it
            macs = F.closed_form(key, resolution=288)["macs"] if key == "b2" else s.macs
            assert round(macs / 1e9, 2) == fact.value
        else:
            pytest.fail(f"{built.name}: no live check for reference fact {name!r}")


def test_compound_scaling_rule() -> None:
    """The seed's compound scaling: d = 1.2^φ, w = 1.1^φ, r = 1.15^φ, α·β²·γ² ≈ 2 so FLOPs ≈ 2^φ."""
    assert E.compound_scaling(0) == (1.0, 1.0, 224)
    d, w, r = E.compound_scaling(1)
    assert (round(d, 6), round(w, 6), r) == (1.2, 1.1, 258)
    assert round(E.ALPHA * E.BETA**2 * E.GAMMA**2, 3) == 1.92
    # the official B1…B7 coefficients are not one φ: each axis implies its own (B7: depth 6.21, width 7.27, res 7.05)
    w7, d7, r7, _ = E.VARIANTS["b7"]
    phis = (math.log(d7) / math.log(1.2), math.log(w7) / math.log(1.1), math.log(r7 / 224) / math.log(1.15))
    assert [round(p, 2) for p in phis] == [6.21, 7.27, 7.05]
    assert E.VARIANTS == {k: F.COEFFICIENTS[k] for k in E.VARIANTS}  # builder and facts tables agree


def test_pure_phi_model() -> None:
    """``efficientnet(phi=1)`` applies the formula itself: width 1.1, depth 1.2 at 258×258, counted by the closed form."""
    keras.backend.clear_session()
    m = E.efficientnet(phi=1, include_top=False, pooling="avg", input_shape=(258, 258, 3))
    assert m.name == "efficientnet_phi1"
    blocks = {layer.name.split("_")[0] for layer in m.layers if layer.name.endswith("_project_conv")}
    assert len(blocks) == sum(math.ceil(1.2 * n) for _k, n, *_ in F.B0_STAGES) == 23  # B0 has 16
    assert m.get_layer("top_conv").filters == 1408
    assert m.output.shape == (None, 1408)
