"""Live MobileNet zoo: v1 and v2 are checked against the closed forms and reference figures of
``models/facts/mobilenet.py``, and at other width multipliers compared layer by layer with keras.applications'
MobileNet / MobileNetV2 (``weights=None``).  Build, forward pass, declared facts, the ``alpha=1`` twins, headless
and custom classes: tests/test_zoo.py."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest

from models import inspect as I
from models import registry
from models._keras import keras, np
from models.facts import mobilenet as F

pytestmark = pytest.mark.live

NAMES = [n for n in registry.list_models() if registry.variant(n).family == "mobilenet"]
KERAS_APPS = {"mobilenet_v1": "MobileNet", "mobilenet_v2": "MobileNetV2"}
CLOSED_FORM = {"mobilenet_v1": F.closed_form_v1, "mobilenet_v2": F.closed_form_v2}
# layers keras.applications leaves to Keras' auto-naming (suffixes depend on how many were built before)
AUTO_NAMED = re.compile(r"(input_layer|global_average_pooling2d|global_max_pooling2d|reshape)(_\d+)?")


def _n(weights: list[Any]) -> int:
    return int(sum(np.prod(w.shape) for w in weights))


def _bn_channels(model: Any) -> int:
    return sum(
        int(layer.gamma.shape[0]) for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)
    )


def _trace(model: Any) -> list[tuple[str, tuple[Any, ...]]]:
    return [(type(layer).__name__, tuple(layer.output.shape)) for layer in model.layers]


def _of(model: Any, cls: type) -> list[Any]:
    return [layer for layer in model.layers if type(layer) is cls]


def _consumers(model: Any) -> dict[str, list[Any]]:
    """Layer name → the layers that read its output."""
    out: dict[str, list[Any]] = {}
    for layer in model.layers:
        for node in layer._inbound_nodes:
            for t in node.input_tensors:
                out.setdefault(t._keras_history.operation.name, []).append(layer)
    return out


def _app(name: str, **kw: Any) -> Any:
    return getattr(keras.applications, KERAS_APPS[name])(weights=None, **kw)


def _approx(text: str, value: float, tol: float) -> bool:
    """A rounded published figure ("4.2M", "569M") agrees with ``value`` within the relative ``tol``."""
    return abs(float(text[:-1]) * 1e6 - value) <= tol * value


def _same_layers(ours: Any, app: Any) -> None:
    assert ours.count_params() == app.count_params()
    assert _n(ours.trainable_weights) == _n(app.trainable_weights)
    assert _n(ours.non_trainable_weights) == _n(app.non_trainable_weights)
    assert _trace(ours) == _trace(app)  # every layer's class and output shape, in order
    for a, b in zip(ours.layers, app.layers, strict=True):
        assert a.name == b.name or AUTO_NAMED.fullmatch(b.name), (a.name, b.name)


def test_registry_names() -> None:
    assert NAMES == ["mobilenet_v1", "mobilenet_v2"]
    assert not any(registry.variant(n).slow for n in NAMES)


def test_closed_form_agrees(built: SimpleNamespace) -> None:
    v, m = built.v, built.model
    cf = CLOSED_FORM[built.name]()
    assert (cf["params"], cf["trainable"], cf["macs"]) == (v.params.value, v.trainable_params.value, v.macs.value)
    assert (cf["receptive_field"],) * 2 == v.receptive_field.value
    assert cf["bn_channels"] == _bn_channels(m)
    last = m.get_layer("conv_pw_13_relu" if built.name == "mobilenet_v1" else "out_relu").output.shape
    assert (last[1], last[3]) == (cf["feature_map"], cf["features"])


def _check_architecture(name: str, m: Any, fact: Any) -> None:
    """v1: a plain chain, ReLU6 after every conv; v2: inverted residuals (thin-to-thin skips) + linear projections."""
    adds, convs = _of(m, keras.layers.Add), _of(m, keras.layers.Conv2D) + _of(m, keras.layers.DepthwiseConv2D)
    consumers = _consumers(m)

    def activation_after(conv: Any) -> bool:  # conv → BN → ReLU?
        (bn,) = consumers[conv.name]
        return any(isinstance(c, keras.layers.ReLU) for c in consumers[bn.name])

    assert fact.value["depthwise_separable"] and len(_of(m, keras.layers.DepthwiseConv2D)) == (
        13 if name == "mobilenet_v1" else 17
    )
    assert (len(adds) > 0) == fact.value["residuals"] == fact.value["inverted_residuals"]
    if name == "mobilenet_v1":
        assert all(activation_after(c) for c in convs if c.name != "conv_preds")
        assert not fact.value["linear_bottlenecks"]
        return
    assert len(adds) == 10 and fact.value["linear_bottlenecks"]
    projections = [c for c in convs if c.name.endswith("project")]
    assert len(projections) == 17 and not any(activation_after(c) for c in projections)  # linear bottleneck
    assert all(activation_after(c) for c in convs if not c.name.endswith("project"))
    for add in adds:  # the skip joins two thin tensors: far narrower than the expansion inside the block
        block = add.name.removesuffix("_add")
        thin = add.output.shape[-1]
        assert m.get_layer(f"{block}_expand").filters == fact.value["expansion"] * thin


def test_reference_facts(built: SimpleNamespace) -> None:
    """Each published figure in another convention is reproduced from the live model by its stated difference."""
    v, m, s = built.v, built.model, built.s
    for key, fact in v.reference.items():
        assert fact.source, key
        if key == "paper_params":  # trainable weights, rounded (v2's 3.4M ≈ conv + FC weights without BN γ/β)
            assert _approx(fact.value, s.trainable, 0.03), (fact.value, s.trainable)
            assert _approx(fact.value, s.trainable - 2 * _bn_channels(m), 0.025)
        elif key == "paper_mult_adds":
            assert _approx(fact.value, s.macs, 0.01), (fact.value, s.macs)  # 569M / 300M, rounded
        elif key == "bn_moving_statistics":
            assert fact.value == 2 * _bn_channels(m) == s.params - s.trainable
        elif key == "architecture":
            _check_architecture(built.name, m, fact)
        elif key == "width_multiplier":  # the `alpha` kwarg; live widths checked in test_width_multiplier
            assert v.kwargs == {"alpha": 1.0} and fact.value == "alpha"
        elif key == "torchvision_params":
            assert fact.value == s.trainable
        elif key == "torchvision_gflops":
            assert round(s.macs / 1e9, 2) == fact.value
        else:
            pytest.fail(f"{built.name}: no live check for reference fact {key!r}")


@pytest.mark.parametrize(
    ("name", "alpha", "side"),
    [("mobilenet_v1", 0.5, 128), ("mobilenet_v1", 0.75, 160), ("mobilenet_v2", 0.35, 96), ("mobilenet_v2", 1.4, 128)],
)
def test_width_multiplier(name: str, alpha: float, side: int) -> None:
    """Other widths and resolutions: equal to keras.applications and to the closed form (params ∝ ~α²)."""
    keras.backend.clear_session()
    ours = registry.get(name, alpha=alpha, input_shape=(side, side, 3))
    _same_layers(ours, _app(name, alpha=alpha, input_shape=(side, side, 3)))
    s, cf = I.summary(ours), CLOSED_FORM[name](alpha=alpha, resolution=side)
    assert (s.params, s.trainable, s.macs, s.receptive_field) == (
        cf["params"],
        cf["trainable"],
        cf["macs"],
        (cf["receptive_field"],) * 2,
    )
    if name == "mobilenet_v1":
        assert ours.get_layer("conv_pw_13").filters == int(1024 * alpha)
    else:  # v2 keeps the 1280-wide last conv below alpha 1 and widens it above
        assert ours.get_layer("Conv_1").filters == (1280 if alpha <= 1 else 1792)
