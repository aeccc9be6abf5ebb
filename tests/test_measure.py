"""models.measure on models built here, against the closed forms of quizbank.formulas and the graph inspector."""

from __future__ import annotations

import numpy as np
import pytest

from models import inspect as I
from models import measure as M
from models._keras import keras
from quizbank import formulas as F

pytestmark = pytest.mark.live
L = keras.layers


def _causal_stack(dilations: tuple[int, ...], padding: str = "causal", length: int = 128) -> keras.Model:
    x = keras.Input((length, 1))
    y = x
    for d in dilations:
        y = L.Conv1D(4, 2, dilation_rate=d, padding=padding, activation="tanh")(y)
    return keras.Model(x, y)


def test_receptive_field_sees_through_normalisation_relu_and_max_pools() -> None:
    # BatchNorm and LayerNorm would silence a copy with every weight set alike (γ = 0, or a zero-variance channel
    # axis); the positive copy drops them, so the measurement is the wiring's
    inp = keras.Input((24, 24, 3))
    x = L.Activation("relu")(L.BatchNormalization()(L.Conv2D(4, 3)(inp)))
    x = L.MaxPooling2D(2)(x)
    x = L.LayerNormalization()(L.Conv2D(4, 3, activation="relu")(x))
    model = keras.Model(inp, L.Conv2D(2, 3, dilation_rate=2)(x))
    r, _ = F.receptive_field([(3, 1), (2, 2), (3, 1), (3, 1, 2)])
    assert r == 3 + 1 + 2 * 2 + 4 * 2 == 16
    assert M.receptive_field(model) == [r, r] == list(I.receptive_field(model) or ())


def test_receptive_field_of_a_nested_model_and_of_a_layer_stack() -> None:
    inner = keras.Sequential([keras.Input((None, None, 2)), L.Conv2D(2, 3), L.ReLU(), L.Conv2D(2, 3)])
    inp = keras.Input((20, 20, 2))
    outer = keras.Model(inp, L.Conv2D(2, 5)(inner(inp)))
    assert M.receptive_field(outer) == [1 + 2 + 2 + 4] * 2
    assert M.receptive_field([L.Conv1D(1, 3), L.Conv1D(1, 3, strides=2), L.Conv1D(1, 3)], input_shape=(40, 1)) == [
        F.receptive_field([(3, 1), (3, 2), (3, 1)])[0]
    ]


def test_free_input_axes_need_a_shape() -> None:
    model = keras.Sequential([keras.Input((None, 1)), L.Conv1D(1, 3)])
    with pytest.raises(ValueError, match="free axes"):
        M.receptive_field(model)
    assert M.receptive_field(model, input_shape=(16, 1)) == [3]


@pytest.mark.parametrize(
    ("rates", "k"), [((2, 2, 2), 3), ((1, 2, 5), 3), ((2, 4, 8), 3), ((1, 4, 8), 3), ((2, 4, 8), 2), ((3, 3), 3)]
)
def test_gridding_holes_measured_equal_the_closed_form(rates: tuple[int, ...], k: int) -> None:
    span = F.wavenet_rf(k, rates)
    stack = [L.Conv1D(1, k, dilation_rate=d) for d in rates]
    assert M.gridding_holes(stack, input_shape=(3 * span, 1)) == F.gridding_holes(rates, k)
    assert M.receptive_field(stack, input_shape=(3 * span, 1)) == [span]


def test_gridding_holes_in_two_dimensions() -> None:
    # two 3×3 convs at rate 2: a 9×9 box of which only the 5×5 even offsets are reached
    stack = [L.Conv2D(1, 3, dilation_rate=2), L.Conv2D(1, 3, dilation_rate=2)]
    reached = len(F.dilated_offsets((2, 2), 3))
    assert M.gridding_holes(stack, input_shape=(27, 27, 1)) == 9 * 9 - reached * reached == 56


def test_causality_by_gradient() -> None:
    dilations = (1, 2, 4, 8)
    assert M.future_inputs(_causal_stack(dilations), 64) == 0
    # 'same' with K = 2 pads ⌈d/2⌉ after: taps {0, 1}, {−1, 1}, {−2, 2}, {−4, 4} reach offsets −7…8
    assert M.future_inputs(_causal_stack(dilations, "same"), 64) == 8
    # the last output of the causal stack sees 1 + Σd·(K−1) samples
    assert M.receptive_field(_causal_stack(dilations), (-1,)) == [F.wavenet_rf(2, dilations)]


def test_shift_moves_or_zero_fills() -> None:
    x = np.arange(1, 10, dtype="float32").reshape(1, 3, 3, 1)
    assert M.shift(x, (1, 0))[0, :, 0, 0].tolist() == [7, 1, 4]
    assert M.shift(x, (1, -1), circular=False)[0, :, :, 0].tolist() == [[0, 0, 0], [2, 3, 0], [5, 6, 0]]


def test_equivariance_of_circular_and_zero_padded_stacks() -> None:
    keras.utils.set_random_seed(0)
    x = M.random_input((1, 16, 16, 3))
    circ = M.circular_stack([L.Conv2D(3, 3, activation="relu"), L.Conv2D(3, 5, activation="relu")])
    assert M.equivariance_error(circ, x, (3, 5)) < 1e-4
    same = keras.Sequential([keras.Input((16, 16, 3)), L.Conv2D(3, 3, padding="same"), L.Conv2D(3, 3, padding="same")])
    assert M.equivariance_error(same, x, (3, 5), circular=False, margin=2) < 1e-4
    assert M.equivariance_error(same, x, (3, 5), circular=False, margin=0) > 1e-3  # the zero border shows
    strided = keras.Sequential([keras.Input((16, 16, 3)), L.Conv2D(3, 3, strides=2, padding="same"), L.UpSampling2D(2)])
    assert M.equivariance_error(strided, x, (1, 1), circular=False, margin=2) > 1e-3


def test_feature_shift_and_invariance_after_pooling() -> None:
    keras.utils.set_random_seed(1)
    f = M.circular_stack([L.Conv2D(4, 3, strides=2, activation="tanh"), L.MaxPooling2D(2)])
    x = M.random_input((1, 32, 32, 3), seed=1)
    assert M.feature_shift(f, x, (8, 12)) == (2, 3)  # total stride 4
    assert M.feature_shift(f, x, (2, 0)) is None  # not a multiple of 4: no exact copy
    assert M.invariance_error(f, x, (4, 8)) < 1e-4  # global pooling forgets a shift by whole feature-map steps
    assert M.invariance_error(f, x, (2, 6)) > 1e-3  # but not one that falls between the stride's samples
    same = keras.Sequential([keras.Input((32, 32, 3)), L.Conv2D(4, 3, padding="same")])
    assert M.invariance_error(same, x, (2, 6)) > 1e-4  # zero padding: what wraps round meets a different border


def test_boring_video() -> None:
    rng = np.random.default_rng(0)
    w2 = rng.standard_normal((3, 1, 2, 4)).astype("float32")  # any kernel shape, not only square ones
    img = rng.random((1, 10, 10, 2)).astype("float32")
    repeated = M.boring_video(w2, np.repeat(w2[None], 4, axis=0), img)
    assert repeated.video.shape == repeated.image.shape == (1, 8, 10, 4)
    assert np.allclose(repeated.video, 4 * repeated.image, atol=1e-4) and repeated.ratio == pytest.approx(4.0, abs=1e-3)
    # the boring video cannot tell where in time the weights sit: all of them on the middle frame also gives Conv2D
    middle = np.stack([np.zeros_like(w2), w2, np.zeros_like(w2)])
    assert np.allclose(M.boring_video(w2, middle, img).video, repeated.image, atol=1e-5)


def test_gradients() -> None:
    relu = L.ReLU()
    y, g = M.input_gradient(relu, np.array([1.0, -2.0, 3.0], "float32"), np.array([2.0, 5.0, -1.0], "float32"))
    assert y.tolist() == [1.0, 0.0, 3.0] and g.tolist() == [2.0, 0.0, -1.0]
    with pytest.raises(ValueError, match="does not match"):
        M.input_gradient(relu, np.ones(3, "float32"), np.ones(4, "float32"))
    dense = L.Dense(2, kernel_initializer="ones")
    x = np.array([[1.0, 2.0, 3.0]], "float32")
    kernel_grad, bias_grad = M.weight_gradients(dense, x)
    assert kernel_grad.tolist() == [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]] and bias_grad.tolist() == [1.0, 1.0]
    assert M.jacobian(dense, x).shape == (1, 2, 1, 3)
