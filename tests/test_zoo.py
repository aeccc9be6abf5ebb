"""The zoo-wide live checks, over ``registry.list_models()`` (as timm's tests iterate ``timm.list_models()``).

Every registered model is built once (the session-scoped ``built`` fixture of conftest.py, shared with the family
files ``test_zoo_<family>.py``), run forward, and checked against every fact it declares; where keras.applications
has the same network its ``weights=None`` twin is compared layer by layer; and where a family's builder takes the
keras.applications arguments, ``include_top=False`` + ``pooling`` and a custom ``classes`` are built and run.
Family-specific checks (closed forms, reference figures, special arguments) stay in the family files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from models import inspect as I
from models import registry
from models._keras import keras, np
from models.facts import alexnet as ALEXNET
from models.facts import inception as INCEPTION
from models.facts import lenet as LENET
from models.facts import vgg as VGG

pytestmark = pytest.mark.live

NAMES = registry.list_models()

# ------------------------------------------------------------------------------------------ forward pass

# I3D (111 GMACs at 64×224²) and SlowFast (36 GMACs at 32×256²) run forward on a smaller clip (their heads are
# global pools: any size works); every other model runs on its declared input
FORWARD_SHAPE: dict[str, tuple[int, ...]] = {"i3d": (16, 64, 64, 3), "slowfast_r50": (32, 64, 64, 3)}
# input range by family: keras.applications' preprocessing ([-1, 1]; EfficientNet rescales [0, 255] itself);
# a standard normal elsewhere
INPUT_RANGE: dict[str, tuple[float, float]] = {"mobilenet": (-1, 1), "xception": (-1, 1), "efficientnet": (0, 255)}


def _x(name: str, shape: tuple[int, ...], seed: int = 0) -> Any:
    rng = np.random.default_rng(seed)
    family = registry.variant(name).family
    if family in INPUT_RANGE:
        return rng.uniform(*INPUT_RANGE[family], size=(1, *shape)).astype("float32")
    return rng.normal(size=(1, *shape)).astype("float32")


def _softmax(y: Any) -> None:
    """A softmax head (per time step for WaveNet): finite, each distribution sums to 1."""
    assert np.isfinite(y).all()
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=0, atol=1e-5)


def test_forward(built: SimpleNamespace) -> None:
    name, v = built.name, built.v
    if name in FORWARD_SHAPE:
        model, shape = registry.get(name, input_shape=FORWARD_SHAPE[name]), FORWARD_SHAPE[name]
    else:
        model, shape = built.model, v.input_shape
    y = np.asarray(model(_x(name, shape), training=False))
    assert y.shape == (1, *v.output_shape.value) and y.shape[-1] == v.classes
    _softmax(y)


# ------------------------------------------------------------------------------------------ declared facts

# two pathways at different frame rates: no single receptive field is declared
RF_UNDECLARED = {"slowfast_r50"}
# outputs that do not depend on the whole input (every other output is a global pool / flatten+dense / attention)
LOCAL_OUTPUT = {"wavenet"}  # a per-time-step causal stack
# non-trainable weights besides the BatchNorm moving statistics, by family
EXTRA_NON_TRAINABLE: dict[str, dict[str, int]] = {
    "efficientnet": {"preprocessing (Normalization) statistics": 7},  # the Normalization layer's mean, variance, count
}


def _marked(names: Any) -> list[Any]:
    return [pytest.param(n, marks=pytest.mark.slow) if registry.variant(n).slow else n for n in names]


def _n(weights: list[Any]) -> int:
    return int(sum(np.prod(w.shape) for w in weights))


def _bn_channels(model: Any) -> int:
    """BatchNorm channels (moving mean per channel; some BNs have no γ)."""
    return sum(
        int(layer.moving_mean.shape[0]) for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)
    )


def test_declared_facts(built: SimpleNamespace) -> None:
    name, v, m, s = built.name, built.v, built.model, built.s
    for fact in (v.params, v.trainable_params, v.macs, v.output_shape):
        assert fact is not None and fact.source
    assert (v.receptive_field is None) == (name in RF_UNDECLARED)
    if v.receptive_field is not None:
        assert v.receptive_field.source
        assert s.receptive_field == v.receptive_field.value
    assert tuple(m.input_shape[1:]) == v.input_shape
    assert m.count_params() == s.params == v.params.value
    assert _n(m.trainable_weights) == s.trainable == v.trainable_params.value
    assert s.macs == v.macs.value
    assert s.output_shape == v.output_shape.value == tuple(m.output_shape[1:])
    assert s.whole_input == (name not in LOCAL_OUTPUT)
    # non-trainable = BN moving mean + variance (2 per BN channel; none without BN) and the family's extras only
    bn = 2 * _bn_channels(m)
    expected = ({"batchnorm moving statistics": bn} if bn else {}) | EXTRA_NON_TRAINABLE.get(v.family, {})
    assert s.non_trainable_by_kind == expected
    assert s.params - s.trainable == s.non_trainable == sum(expected.values())


# ------------------------------------------------------------------------------------------ keras.applications twins

KERAS_TWINS: dict[str, str] = {
    "vgg16": "VGG16",
    "vgg19": "VGG19",
    "inception_v3": "InceptionV3",
    "resnet50": "ResNet50",
    "resnet101": "ResNet101",
    "resnet152": "ResNet152",
    "densenet121": "DenseNet121",
    "densenet169": "DenseNet169",
    "densenet201": "DenseNet201",
    "mobilenet_v1": "MobileNet",
    "mobilenet_v2": "MobileNetV2",
    **{f"efficientnet_b{i}": f"EfficientNetB{i}" for i in range(8)},
    "xception": "Xception",
}
# Layer names: ours equal keras.applications', except the layers Keras leaves to its auto-naming (a suffix that
# depends on what was built before), compared by class and output shape only; EfficientNet's auto-named layers
# must still extend our name (rescaling → rescaling_3).  Inception-v3's names are not compared at all: ours are
# hierarchical (mixed5b_3x3_2_conv), Keras' are conv2d_17 …
AUTO_NAMED: dict[str, str] = {
    "vgg": "input_layer|global_average_pooling2d",
    "resnet": "input_layer",
    "densenet": "input_layer|zero_padding2d",  # the two stem pads
    "mobilenet": "input_layer|global_average_pooling2d|global_max_pooling2d|reshape",
    "efficientnet": "input_layer|rescaling|normalization",
    "xception": "input_layer|conv2d|batch_normalization|add|global_average_pooling2d|global_max_pooling2d",
}
AUTO_NAME_EXTENDS_OURS = {"efficientnet"}
NAMES_NOT_COMPARED = {"inception"}
LAYER_COUNT = {"inception_v3": 313}


def _twin(name: str, **kw: Any) -> Any:
    return getattr(keras.applications, KERAS_TWINS[name])(weights=None, **kw)


def _same_layers(name: str, ours: Any, app: Any) -> None:
    """Same parameter counts and, layer by layer in order, the same class, output shape and (per family) name."""
    family = registry.variant(name).family
    assert ours.count_params() == app.count_params()
    assert _n(ours.trainable_weights) == _n(app.trainable_weights)
    assert _n(ours.non_trainable_weights) == _n(app.non_trainable_weights)
    trace = [[(type(layer).__name__, tuple(layer.output.shape)) for layer in m.layers] for m in (ours, app)]
    assert trace[0] == trace[1]
    if family in NAMES_NOT_COMPARED:
        return
    auto = re.compile(rf"({AUTO_NAMED[family]})(_\d+)?")
    for a, b in zip(ours.layers, app.layers, strict=True):
        extends = b.name.startswith(a.name) or family not in AUTO_NAME_EXTENDS_OURS
        assert a.name == b.name or (auto.fullmatch(b.name) and extends), (a.name, b.name)


@pytest.mark.parametrize("built", _marked(KERAS_TWINS), indirect=True)
def test_matches_keras_applications(built: SimpleNamespace) -> None:
    v, ours, app = built.v, built.model, _twin(built.name)
    assert app.count_params() == v.params.value
    assert _n(app.trainable_weights) == v.trainable_params.value
    if built.name in LAYER_COUNT:
        assert len(ours.layers) == len(app.layers) == LAYER_COUNT[built.name]
    _same_layers(built.name, ours, app)
    app_s = I.summary(app)
    assert app_s.macs == built.s.macs and app_s.receptive_field == built.s.receptive_field


# ------------------------------------------------------------------------------------------ headless, custom classes


@dataclass(frozen=True)
class Headless:
    """``include_top=False`` + ``pooling="avg"`` and a custom ``classes`` for one model (as its family tested)."""

    features: int
    """Width of the pooled features."""
    input_shape: tuple[int, ...] | None = None
    """Headless builds at this input (smaller than declared, for speed); None: the declared input."""
    avg_params: int | None = None
    """``count_params()`` of the pooled model; None: the declared count less the ``(head_in + 1)·classes`` top."""
    twin: bool = False
    """Compare the pooled model with keras.applications' (layer by layer)."""
    max_pool: bool = False
    """Also ``pooling="max"``."""
    feature_map: tuple[int, ...] | None = None
    """Also ``pooling=None``: the output shape of the last feature map."""
    bad_pooling: bool = False
    """``pooling="mean"`` is refused."""
    pool: str = "avg_pool"
    """Name of the pooled model's last layer."""
    avg_layers: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """Output shapes of named layers inside the pooled model."""
    classes: int | None = None
    """Build with this many classes (None: no custom-classes check)."""
    classes_input_shape: tuple[int, ...] | None = None
    """Input of the custom-classes build; None: ``input_shape``."""
    head_in: int | None = None
    """Width into the classifier: the top has ``(head_in + 1)·classes`` params (None: counts not compared, e.g. the
    video models' flatten head or ViT's position embeddings depend on the input)."""
    head: str | None = None
    """Name of the classifier layer (its ``units`` are checked)."""
    classes_output: tuple[int, ...] | None = None
    """Output shape of the custom-classes model; None: ``(1, classes)``."""


_VGG = {"input_shape": (64, 64, 3), "twin": True, "max_pool": True, "feature_map": (2, 2, 512), "bad_pooling": True}
_MOBILENET = {"input_shape": (96, 96, 3), "twin": True, "max_pool": True, "classes": 10}
_VIDEO = {"classes": 7, "head": "predictions", "pool": "pool"}

HEADLESS: dict[str, Headless] = {
    "lenet5": Headless(16, avg_params=LENET.C1 + LENET.C3, max_pool=True, feature_map=(5, 5, 16), bad_pooling=True,
                       classes=26, head_in=84),
    **{n: Headless(256, avg_params=registry.variant(n).params.value - ALEXNET.FC_PARAMS,  # type: ignore[union-attr]
                   feature_map=(6, 6, 256), bad_pooling=True, classes=10, head_in=4096)
       for n in ("alexnet", "alexnet_2gpu")},
    "vgg16": Headless(512, **_VGG, avg_params=VGG.CONV_PARAMS["vgg16"], classes=10, classes_input_shape=(224, 224, 3),
                      head_in=4096),
    "vgg19": Headless(512, **_VGG, avg_params=VGG.CONV_PARAMS["vgg19"]),
    "googlenet": Headless(1024, max_pool=True, feature_map=(7, 7, 1024), bad_pooling=True, classes=10, head_in=1024),
    "inception_v3": Headless(2048, input_shape=(150, 150, 3), twin=True, bad_pooling=True,
                             avg_params=INCEPTION.V3_PARAMS - INCEPTION.V3_FC,
                             classes=10, classes_input_shape=(299, 299, 3), head_in=2048),
    "resnet18": Headless(512, input_shape=(64, 64, 3), max_pool=True, feature_map=(2, 2, 512), bad_pooling=True,
                         classes=10, head_in=512),
    "resnet50_v1_5": Headless(2048, input_shape=(64, 64, 3), classes=10, head_in=2048),
    "se_resnet50": Headless(2048, input_shape=(64, 64, 3), classes=5, head_in=2048),
    "densenet121": Headless(1024, input_shape=(64, 64, 3), classes=7, head_in=1024),
    "mobilenet_v1": Headless(1024, **_MOBILENET, feature_map=(3, 3, 1024), head_in=1024),
    "mobilenet_v2": Headless(1280, **_MOBILENET, feature_map=(3, 3, 1280), head_in=1280),
    "efficientnet_b0": Headless(1280, input_shape=(64, 64, 3), twin=True, max_pool=True, feature_map=(2, 2, 1280),
                                classes=10, head_in=1280),
    "xception": Headless(2048, input_shape=(71, 71, 3), twin=True, max_pool=True, feature_map=(3, 3, 2048),
                         classes=10, head_in=2048),  # at the minimum input, 71×71
    "c3d": Headless(512, input_shape=(16, 32, 32, 3), **_VIDEO),
    "i3d": Headless(1024, input_shape=(8, 32, 32, 3), **_VIDEO),
    "slowfast_r50": Headless(2304, input_shape=(16, 32, 32, 3), **(_VIDEO | {"pool": "pool_concat"})),  # two pathways
    "wavenet": Headless(256, input_shape=(512, 256), pool="pool", classes=7, classes_output=(1, 512, 7)),  # any length
    "spectrogram_cnn": Headless(256, input_shape=(128, 64, 1), pool="pool", classes=7),
    "vit_b16": Headless(768, input_shape=(64, 64, 3), pool="pool", avg_layers={"embedding": (17, 768)}, classes=7,
                        head="head"),
}  # fmt: skip


@pytest.mark.parametrize("name", _marked(HEADLESS))
def test_headless_and_custom_classes(name: str) -> None:
    """keras.applications semantics: pooled features without the top (or the feature map); ``classes`` sizes the top."""
    h, v = HEADLESS[name], registry.variant(name)
    shape = h.input_shape or v.input_shape
    keras.backend.clear_session()
    avg = registry.get(name, include_top=False, pooling="avg", input_shape=shape)
    assert avg.output_shape == (None, h.features) and avg.layers[-1].name == h.pool
    if h.avg_params is not None:
        assert avg.count_params() == h.avg_params  # params do not depend on H, W
    elif h.head_in is not None:
        assert avg.count_params() == v.params.value - (h.head_in + 1) * v.classes
    if h.twin:
        app = _twin(name, include_top=False, pooling="avg", input_shape=shape)
        assert app.output_shape == (None, h.features)
        _same_layers(name, avg, app)
    for layer, out in h.avg_layers.items():
        assert tuple(avg.get_layer(layer).output.shape[1:]) == out
    y = np.asarray(avg(_x(name, shape, seed=1), training=False))
    assert y.shape == (1, h.features) and np.isfinite(y).all()
    if h.max_pool:
        mx = registry.get(name, include_top=False, pooling="max", input_shape=shape)
        assert mx.output_shape == (None, h.features) and mx.layers[-1].name == "max_pool"
        assert isinstance(mx.layers[-1], keras.layers.GlobalMaxPooling2D)
        assert mx.count_params() == avg.count_params()
        y = np.asarray(mx(_x(name, shape, seed=1), training=False))
        assert y.shape == (1, h.features) and np.isfinite(y).all()
    if h.feature_map is not None:
        fmap = registry.get(name, include_top=False, input_shape=shape)
        assert fmap.output_shape == (None, *h.feature_map)
        assert fmap.count_params() == avg.count_params()
    if h.bad_pooling:
        with pytest.raises(ValueError, match="pooling"):
            registry.get(name, include_top=False, pooling="mean", input_shape=shape)
    with pytest.raises(ValueError, match="never downloads"):
        registry.get(name, weights="imagenet")
    if h.classes is None:
        return
    cshape = h.classes_input_shape or shape
    keras.backend.clear_session()
    top = registry.get(name, classes=h.classes, input_shape=cshape)
    out = h.classes_output or (1, h.classes)
    assert top.output_shape == (None, *out[1:])
    if h.head_in is not None:
        assert top.count_params() == v.params.value - (h.head_in + 1) * (v.classes - h.classes)
    if h.head is not None:
        assert top.get_layer(h.head).units == h.classes
    y = np.asarray(top(_x(name, cshape, seed=2), training=False))
    assert y.shape == out
    _softmax(y)


def test_tables_name_registered_models() -> None:
    """Every table above names registered models of the right families, and every twin class exists."""
    tables = (FORWARD_SHAPE, KERAS_TWINS, HEADLESS, LAYER_COUNT, RF_UNDECLARED, LOCAL_OUTPUT)
    assert set().union(*tables) <= set(NAMES)
    families = {registry.variant(n).family for n in NAMES}
    assert (
        set().union(INPUT_RANGE, AUTO_NAMED, AUTO_NAME_EXTENDS_OURS, NAMES_NOT_COMPARED, EXTRA_NON_TRAINABLE)
        <= families
    )
    assert {registry.variant(n).family for n in KERAS_TWINS} == set(AUTO_NAMED) | NAMES_NOT_COMPARED
    assert all(hasattr(keras.applications, cls) for cls in KERAS_TWINS.values())
    assert {n for n, h in HEADLESS.items() if h.twin} <= set(KERAS_TWINS)
