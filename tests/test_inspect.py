"""The inspector against independent measurements: TensorFlow's profiler (MACs) and gradients (RF)."""

from __future__ import annotations

import pytest

from models import inspect as I
from models import measure as M
from models._keras import keras
from models.profiler import profiler_macs

pytestmark = pytest.mark.live
L = keras.layers


def _seq(shape: tuple[int, ...], *layers: keras.layers.Layer) -> keras.Model:
    return keras.Sequential([keras.Input(shape), *layers])


def _branchy(side: int = 50) -> keras.Model:
    """An Inception-style module, a residual add and a dilated branch: RF is the max over paths.

    The stem's 24×24 output is a multiple of the dilation rate: TensorFlow runs a dilated 'same' conv as
    space-to-batch on an input padded to such a multiple, and its profiler counts those padded positions too.
    """
    x = keras.Input((side, side, 3))
    stem = L.Conv2D(8, 3, strides=2, name="stem")(x)
    b1 = L.Conv2D(4, 1, name="b1")(stem)
    b2 = L.Conv2D(4, 3, padding="same", name="b2_3x3")(L.Conv2D(2, 1, name="b2_reduce")(stem))
    b3 = L.Conv2D(4, 5, padding="same", name="b3_5x5")(L.Conv2D(2, 1, name="b3_reduce")(stem))
    b4 = L.Conv2D(4, 1, name="b4_proj")(L.MaxPooling2D(3, 1, padding="same", name="b4_pool")(stem))
    cat = L.Concatenate(name="mixed")([b1, b2, b3, b4])
    res = L.Add(name="add")([cat, L.Conv2D(16, 3, padding="same", dilation_rate=2, name="dil")(cat)])
    return keras.Model(x, L.Conv2D(4, 3, name="head")(res))


MODELS = {
    "conv_stack": lambda: _seq(
        (40, 40, 3), L.Conv2D(8, 3), L.Conv2D(8, 5, strides=2), L.MaxPooling2D(2), L.Conv2D(4, 3, dilation_rate=2)
    ),
    "depthwise_separable": lambda: _seq(
        (32, 32, 8), L.DepthwiseConv2D(3, strides=2), L.SeparableConv2D(16, 3), L.Conv2D(8, 1), L.AveragePooling2D(2)
    ),
    "grouped": lambda: _seq((20, 20, 8), L.Conv2D(16, 3, groups=4), L.Conv2D(8, 3, groups=2)),
    "conv1d_causal": lambda: _seq(
        (64, 2),
        L.Conv1D(4, 2, padding="causal", dilation_rate=1),
        L.Conv1D(4, 2, padding="causal", dilation_rate=2),
        L.Conv1D(4, 2, padding="causal", dilation_rate=4),
    ),
    "conv3d": lambda: _seq((8, 20, 20, 3), L.Conv3D(4, (3, 3, 3)), L.MaxPooling3D((1, 2, 2)), L.Conv3D(4, (3, 3, 3))),
    "branchy": _branchy,
}


@pytest.mark.parametrize("name", sorted(set(MODELS) - {"grouped"}))
def test_macs_equal_tensorflow_profiler(name: str) -> None:
    m = MODELS[name]()
    assert I.macs(m) == profiler_macs(m)


def test_grouped_conv_macs() -> None:
    # Keras runs grouped convs inside a nested compiled function the profiler does not enter: count by hand
    assert I.macs(MODELS["grouped"]()) == 18 * 18 * 9 * (8 // 4) * 16 + 16 * 16 * 9 * (16 // 2) * 8


@pytest.mark.parametrize("name", sorted(MODELS))
def test_receptive_field_equals_gradient_measurement(name: str) -> None:
    m = MODELS[name]()
    assert list(I.summary(m).receptive_field) == M.receptive_field(m)


def test_dense_head_macs_and_params() -> None:
    m = _seq((8, 8, 4), L.Conv2D(6, 3), L.Flatten(), L.Dense(10), L.Dense(3))
    s = I.summary(m)
    assert s.macs == profiler_macs(m) == 6 * 6 * 9 * 4 * 6 + 216 * 10 + 10 * 3
    assert s.flops == 2 * s.macs
    assert s.whole_input and s.receptive_field == (3, 3)  # the conv path's RF, alongside the whole-input flag


def test_attention_macs_by_formula() -> None:
    x = keras.Input((10, 16))
    y = L.MultiHeadAttention(num_heads=2, key_dim=8)(x, x)
    m = keras.Model(x, y)
    t, d, h, k = 10, 16, 2, 8
    expected = 3 * t * d * h * k + t * h * k * d + 2 * h * t * t * k
    assert I.macs(m) == expected


def test_se_gate_is_whole_input_with_conv_path_alongside() -> None:
    x = keras.Input((24, 24, 8))
    f = L.Conv2D(8, 3, padding="same", name="conv")(x)
    s = L.GlobalAveragePooling2D(keepdims=True, name="squeeze")(f)
    s = L.Conv2D(2, 1, activation="relu", name="fc1")(s)
    s = L.Conv2D(8, 1, activation="sigmoid", name="fc2")(s)
    y = L.Multiply(name="scale")([f, s])
    m = keras.Model(x, y)
    rows = {r.name: r for r in I.summary(m).layers}
    assert rows["conv"].receptive_field == (3, 3) and not rows["conv"].whole_input
    assert rows["squeeze"].whole_input
    assert rows["scale"].whole_input and rows["scale"].receptive_field == (3, 3)


def test_non_trainable_explained_and_per_layer_table() -> None:
    m = _seq((8, 8, 3), L.Normalization(mean=0.0, variance=1.0), L.Conv2D(4, 3), L.BatchNormalization(), L.ReLU())
    frozen = L.Dense(2, name="frozen")
    frozen.trainable = False
    m = keras.Sequential([*m.layers, L.GlobalAveragePooling2D(), frozen])
    m.build((None, 8, 8, 3))
    s = I.summary(m)
    assert s.non_trainable_by_kind["batchnorm moving statistics"] == 8
    assert s.non_trainable_by_kind["frozen weights"] == 4 * 2 + 2
    assert s.params == s.trainable + s.non_trainable == m.count_params()
    rows = I.table(s)
    assert [r["type"] for r in rows][:4] == ["Normalization", "Conv2D", "BatchNormalization", "ReLU"]
    assert rows[1]["output_shape"] == [6, 6, 4] and rows[1]["params"] == 3 * 9 * 4 + 4


@pytest.mark.slow
def test_resnet50_macs_equal_profiler_and_rf() -> None:
    m = keras.applications.ResNet50(weights=None)
    s = I.summary(m)
    assert s.macs == profiler_macs(m) == 3_857_973_248
    assert I.receptive_field(m, "conv1_conv") == (7, 7)
    assert I.receptive_field(m, "pool1_pool") == (11, 11)


def test_subclassed_models_are_refused_clearly() -> None:
    class Net(keras.Model):
        def __init__(self) -> None:
            super().__init__()
            self.c = L.Conv2D(2, 3)

        def call(self, x):  # type: ignore[no-untyped-def]
            return self.c(x)

    net = Net()
    net.build((None, 8, 8, 1))
    with pytest.raises(TypeError, match="subclassed"):
        I.summary(net)
