"""Hypothesis: the closed-form formulas agree with live Keras over random valid layer configs."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from models._keras import keras, np
from quizbank import formulas as F

pytestmark = pytest.mark.live
LIVE = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ks = st.integers(1, 7)
strides = st.integers(1, 4)
dils = st.integers(1, 4)
chans = st.integers(1, 24)
sizes = st.integers(1, 40)
pads = st.sampled_from(["same", "valid"])


def _build(input_shape: tuple[int, ...], *layers: keras.layers.Layer) -> keras.Model:
    return keras.Sequential([keras.Input(input_shape), *layers])


def _out(model: keras.Model) -> list[int]:
    y = model(np.zeros((1, *model.input_shape[1:]), "float32"))
    assert list(y.shape[1:]) == list(model.output_shape[1:])
    return list(y.shape[1:])


@LIVE
@given(w=sizes, k=ks, s=strides, d=dils, c_in=chans, c_out=chans, padding=pads, bias=st.booleans())
def test_conv2d(w: int, k: int, s: int, d: int, c_in: int, c_out: int, padding: str, bias: bool) -> None:
    assume(d == 1 or s == 1)  # Keras forbids dilation with stride > 1
    try:
        o = F.output_size(w, k, s, padding, d)
    except ValueError:
        with pytest.raises(ValueError):
            _out(_build((w, w, c_in), keras.layers.Conv2D(c_out, k, s, padding, dilation_rate=d)))
        return
    m = _build((w, w, c_in), keras.layers.Conv2D(c_out, k, s, padding, dilation_rate=d, use_bias=bias))
    assert m.count_params() == F.conv_params(k, c_in, c_out, bias=bias)
    assert _out(m) == [o, o, c_out]


@LIVE
@given(w=sizes, k=ks, s=strides, p=st.integers(0, 4), c=chans)
def test_explicit_padding(w: int, k: int, s: int, p: int, c: int) -> None:
    assume(w + 2 * p >= k)
    m = _build((w, w, c), keras.layers.ZeroPadding2D(p), keras.layers.Conv2D(2, k, s))
    o = F.output_size(w, k, s, p)
    assert _out(m) == [o, o, 2]


@LIVE
@given(w=st.integers(4, 40), k=ks, s=strides, c_in=chans, m_=st.integers(1, 3), bias=st.booleans(), padding=pads)
def test_depthwise(w: int, k: int, s: int, c_in: int, m_: int, bias: bool, padding: str) -> None:
    assume(w >= k)
    m = _build((w, w, c_in), keras.layers.DepthwiseConv2D(k, s, padding, depth_multiplier=m_, use_bias=bias))
    assert m.count_params() == F.depthwise_params(k, c_in, depth_multiplier=m_, bias=bias)
    o = F.output_size(w, k, s, padding)
    assert _out(m) == [o, o, c_in * m_]


@LIVE
@given(w=st.integers(4, 40), k=ks, c_in=chans, c_out=chans, m_=st.integers(1, 3), bias=st.booleans())
def test_separable(w: int, k: int, c_in: int, c_out: int, m_: int, bias: bool) -> None:
    assume(w >= k)
    m = _build((w, w, c_in), keras.layers.SeparableConv2D(c_out, k, depth_multiplier=m_, use_bias=bias))
    assert m.count_params() == F.separable_params(k, c_in, c_out, bias=bias, depth_multiplier=m_)
    std = F.conv_params(k, c_in, c_out, bias=False)
    assert F.separable_params(k, c_in, c_out, bias=False) / std == pytest.approx(F.separable_ratio(k, c_out))


@LIVE
@given(w=sizes, k=st.integers(1, 5), s=strides, c=chans, padding=pads, kind=st.sampled_from(["max", "avg"]))
def test_pooling(w: int, k: int, s: int, c: int, padding: str, kind: str) -> None:
    assume(padding == "same" or w >= k)
    layer = (keras.layers.MaxPooling2D if kind == "max" else keras.layers.AveragePooling2D)(k, s, padding)
    m = _build((w, w, c), layer)
    assert m.count_params() == F.pool_params() == 0
    o = F.output_size(w, k, s, padding)
    assert _out(m) == [o, o, c]


@LIVE
@given(c=st.integers(1, 256), groups=st.sampled_from([1, 2, 4, 8]))
def test_normalisation_params(c: int, groups: int) -> None:
    bn = _build((4, 4, c), keras.layers.BatchNormalization())
    trainable, total = F.batchnorm_params(c)
    assert bn.count_params() == total
    assert sum(int(np.prod(v.shape)) for v in bn.trainable_weights) == trainable
    assert _build((4, 4, c), keras.layers.LayerNormalization()).count_params() == F.layernorm_params(c)
    if c % groups == 0:
        gn = _build((4, 4, c), keras.layers.GroupNormalization(groups))
        assert gn.count_params() == F.groupnorm_params(c, groups)
    else:
        with pytest.raises(ValueError):
            F.groupnorm_params(c, groups)


@LIVE
@given(length=st.integers(2, 60), k=st.integers(1, 4), s=st.integers(1, 3), d=st.integers(1, 8), c=chans)
def test_conv1d_causal(length: int, k: int, s: int, d: int, c: int) -> None:
    assume(d == 1 or s == 1)
    m = _build((length, c), keras.layers.Conv1D(3, k, s, "causal", dilation_rate=d))
    assert m.count_params() == F.conv_params(k, c, 3, dims=1)
    assert _out(m) == [F.output_size(length, k, s, "causal", d), 3]


@LIVE
@given(
    t=st.integers(3, 10),
    w=st.integers(3, 16),
    kt=st.integers(1, 3),
    k=st.integers(1, 3),
    c_in=chans,
    c_out=chans,
    bias=st.booleans(),
)
def test_conv3d(t: int, w: int, kt: int, k: int, c_in: int, c_out: int, bias: bool) -> None:
    m = _build((t, w, w, c_in), keras.layers.Conv3D(c_out, (kt, k, k), use_bias=bias))
    assert m.count_params() == F.conv3d_params(kt, k, c_in, c_out, bias=bias)
    assert _out(m) == [t - kt + 1, w - k + 1, w - k + 1, c_out]


@LIVE
@given(layers=st.lists(st.tuples(st.integers(1, 5), st.integers(1, 2), st.integers(1, 3)), min_size=1, max_size=4))
def test_receptive_field_matches_gradient(layers: list[tuple[int, int, int]]) -> None:
    from models import measure

    assume(all(d == 1 or s == 1 for _, s, d in layers))
    rf, jump = F.receptive_field(layers)
    side = 2 * rf + 2 * jump + 8
    m = _build((side, side, 1), *[keras.layers.Conv2D(1, k, s, dilation_rate=d) for k, s, d in layers])
    assert measure.receptive_field(m) == [rf, rf]
