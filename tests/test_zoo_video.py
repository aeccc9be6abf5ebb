"""Live video zoo (C3D, I3D, SlowFast-R50): every registered ``video`` model is checked at its declared input
against the reference figures of ``models/facts/video.py`` and its layout, and I3D's inflation rule is
demonstrated on a boring video.  Build, forward pass (at a smaller clip where the architecture allows), declared
facts, headless and custom classes: tests/test_zoo.py.

None of these models exists in ``keras.applications``, so there is no applications twin to compare against;
I3D's 2D source network is checked instead against torchvision's GoogLeNet figures.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from models import inspect as I
from models import measure, registry, video
from models._keras import keras, np

pytestmark = pytest.mark.live

NAMES = [n for n in registry.list_models() if registry.variant(n).family == "video"]


def _n(weights: list[Any]) -> int:
    return int(sum(np.prod(w.shape) for w in weights))


def _x(shape: tuple[int, ...], seed: int = 0) -> Any:
    return np.random.default_rng(seed).normal(size=(1, *shape)).astype("float32")


def test_registry_names() -> None:
    assert set(NAMES) == {"c3d", "i3d", "slowfast_r50"}
    for n in NAMES:
        assert registry.variant(n).slow


def test_reference_facts(built: SimpleNamespace) -> None:
    m, s = built.model, built.s
    layer = m.get_layer
    for key, fact in built.v.reference.items():
        assert fact.source, key
        if key == "fc6_inputs":
            assert tuple(layer("pool5").output.shape[1:]) == (1, 4, 4, 512)
            assert layer("flatten").output.shape[-1] == fact.value == 8192
            assert layer("fc6").kernel.shape[0] == 8192
        elif key == "ucf101_params":
            head = layer("predictions")
            assert head.count_params() == (4096 + 1) * 487
            assert s.params - head.count_params() + (4096 + 1) * 101 == fact.value == 78_409_573
        elif key == "torch_params":
            bn_channels = s.non_trainable // 2  # β-only BN: moving mean + variance per channel
            assert s.trainable + bn_channels == fact.value  # adding γ per channel
        elif key == "paper_two_stream_params_m":
            bn_channels = s.non_trainable // 2
            rgb = s.trainable + bn_channels
            flow = rgb - 7 * 7 * 7 * 1 * 64  # 2 input channels instead of 3 in conv1a
            assert round((rgb + flow) / 1e6) == fact.value == 25
        elif key == "features":
            if built.name == "slowfast_r50":
                assert layer("pool_concat").output.shape[-1] == fact.value == 2304
            else:
                assert layer("mixed5c_concat").output.shape[-1] == fact.value == 1024
        elif key == "paper_gflops":
            assert round(s.macs / 1e9, 1) == fact.value == 36.1
        elif key in ("mmaction2_params", "mmaction2_no_lateral_bn"):
            lateral_bn = sum(
                _n(lay.trainable_weights)
                for lay in m.layers
                if lay.name.startswith("lateral_") and lay.name.endswith("_bn")
            )
            assert lateral_bn == 2 * (16 + 64 + 128 + 256)
            assert s.trainable - lateral_bn == fact.value == 34_479_288
        elif key == "mmaction2_flops":
            # mmcv also counts BN/ReLU/pool ops: above our conv+dense MACs, within 1 %
            assert s.macs < fact.value < 1.01 * s.macs
        else:
            pytest.fail(f"{built.name}: no live check for reference fact {key!r}")


def test_layout(built: SimpleNamespace) -> None:
    shapes = {lay.name: tuple(lay.output.shape[1:]) for lay in built.model.layers if not isinstance(lay.output, list)}
    if built.name == "c3d":
        assert shapes["conv1a"] == (16, 112, 112, 64) and shapes["pool1"] == (16, 56, 56, 64)
        assert shapes["pool2"] == (8, 28, 28, 128) and shapes["pool4"] == (2, 7, 7, 512)
        convs = [lay for lay in built.model.layers if isinstance(lay, keras.layers.Conv3D)]
        assert [c.filters for c in convs] == [64, 128, 256, 256, 512, 512, 512, 512]
        assert all(tuple(c.kernel_size) == (3, 3, 3) for c in convs)
        assert shapes["fc6"] == shapes["fc7"] == (4096,)
    elif built.name == "i3d":
        assert shapes["conv1a_conv"] == (32, 112, 112, 64) and shapes["pool2a"] == (32, 56, 56, 64)
        assert shapes["mixed3c_concat"] == (32, 28, 28, 480) and shapes["mixed4f_concat"] == (16, 14, 14, 832)
        assert shapes["mixed5c_concat"] == (8, 7, 7, 1024)
    else:
        # slow pathway: T/α = 4 frames, fast: 32 frames; laterals concatenate 2βC fast channels onto the slow ones
        assert shapes["slow_subsample"] == (4, 256, 256, 3)
        assert shapes["slow_conv1_conv"] == (4, 128, 128, 64) and shapes["fast_conv1_conv"] == (32, 128, 128, 8)
        assert shapes["lateral_pool1_conv"] == (4, 64, 64, 16) and shapes["lateral_pool1_concat"] == (4, 64, 64, 80)
        assert shapes["lateral_res2_concat"] == (4, 64, 64, 256 + 64)
        assert shapes["lateral_res3_concat"] == (4, 32, 32, 512 + 128)
        assert shapes["lateral_res4_concat"] == (4, 16, 16, 1024 + 256)
        assert shapes["slow_res5_block3_out"] == (4, 8, 8, 2048) and shapes["fast_res5_block3_out"] == (32, 8, 8, 256)
        lat = built.model.get_layer("lateral_res2_conv")
        assert tuple(lat.kernel_size) == (5, 1, 1) and tuple(lat.strides) == (8, 1, 1)
        # slow res2/res3 have no temporal kernels, res4/res5 do ("non-degenerate" temporal convs)
        assert built.model.get_layer("slow_res3_block1_a_conv").kernel_size[0] == 1
        assert built.model.get_layer("slow_res4_block1_a_conv").kernel_size[0] == 3
        assert built.model.get_layer("fast_res2_block1_a_conv").kernel_size[0] == 3


@pytest.mark.slow
def test_slowfast_two_pathway_features() -> None:
    keras.backend.clear_session()
    m = registry.get("slowfast_r50", include_top=False, input_shape=(16, 32, 32, 3))
    slow, fast = m(_x((16, 32, 32, 3)), training=False)
    assert tuple(slow.shape) == (1, 2, 1, 1, 2048) and tuple(fast.shape) == (1, 16, 1, 1, 256)


# ------------------------------------------------------------------------------------------ I3D inflation


def test_inflate_2d_kernel_rule() -> None:
    rng = np.random.default_rng(2)
    w2d = rng.normal(size=(3, 3, 2, 4)).astype("float32")
    w3d = video.inflate_2d_kernel(w2d, 5)
    assert w3d.shape == (5, 3, 3, 2, 4)
    np.testing.assert_allclose(w3d.sum(axis=0), w2d, rtol=1e-6)
    with pytest.raises(ValueError):
        video.inflate_2d_kernel(w3d, 3)
    # a boring video (one image repeated T times) through the inflated kernel gives the 2D activation; without /T
    # it gives T times the activation
    img = rng.normal(size=(1, 8, 8, 2)).astype("float32")
    bv = measure.boring_video(w2d, w3d, img)
    np.testing.assert_allclose(bv.video, bv.image, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(measure.boring_video(w2d, w3d * 5, img).video, 5 * bv.image, rtol=1e-4, atol=1e-4)


def test_googlenet_2d_source() -> None:
    """The 2D network I3D inflates (same table, ndim=2) is torchvision's GoogLeNet: 6,624,904 weights, 1.5 GMACs."""
    keras.backend.clear_session()
    m = video.inception_v1()
    s = I.summary(m)
    assert s.trainable + s.non_trainable // 2 == 6_624_904  # torchvision googlenet docs (BN with γ and β)
    assert round(s.macs / 1e9, 1) == 1.5  # torchvision googlenet docs: GFLOPS 1.50
    assert {type(lay).__name__ for lay in m.layers} >= {"Conv2D", "MaxPooling2D", "Concatenate"}


def test_i3d_from_2d_boring_video() -> None:
    """I3D bootstrapped from a 2D Inception-v1 reproduces the 2D activations on a boring video (interior frames)."""
    keras.backend.clear_session()
    m2 = video.inception_v1(include_top=False, input_shape=(32, 32, 3))
    rng = np.random.default_rng(3)
    for lay in m2.layers:  # non-trivial BN β and moving statistics
        if isinstance(lay, keras.layers.BatchNormalization):
            beta, mean, var = lay.get_weights()
            lay.set_weights(
                [rng.normal(0, 0.1, beta.shape), rng.normal(0, 0.1, mean.shape), rng.uniform(0.5, 1.5, var.shape)]
            )
    m3 = video.i3d_from_2d(m2, include_top=False, input_shape=(32, 32, 32, 3))
    for lay in m3.layers:
        if isinstance(lay, keras.layers.Conv3D):
            np.testing.assert_allclose(
                np.asarray(lay.kernel).sum(axis=0), np.asarray(m2.get_layer(lay.name).kernel), rtol=1e-5, atol=1e-6
            )
    assert m3.get_layer("conv1a_conv").kernel.shape == (7, 7, 7, 3, 64)
    img = rng.normal(size=(1, 32, 32, 3)).astype("float32")
    boring = np.repeat(img[:, None], 32, axis=1)
    probe = "mixed3b_concat"  # temporal RF 15 frames: the centre frames never see the zero padding in time
    y2 = np.asarray(keras.Model(m2.input, m2.get_layer(probe).output)(img))
    y3 = np.asarray(keras.Model(m3.input, m3.get_layer(probe).output)(boring))
    assert y3.shape == (1, 16, 4, 4, 256)
    for t in (6, 8, 10):
        np.testing.assert_allclose(y3[:, t], y2, rtol=1e-3, atol=1e-4)
    assert not np.allclose(y3[:, 0], y2, atol=1e-3)  # the first frame sees the temporal zero padding
    # a googlenet-style kernel dict works too: {layer name: 2D kernel}
    w = rng.normal(size=(7, 7, 3, 64)).astype("float32")
    m4 = video.i3d_from_2d({"conv1a_conv": w}, include_top=False, input_shape=(8, 32, 32, 3))
    np.testing.assert_allclose(np.asarray(m4.get_layer("conv1a_conv").kernel), video.inflate_2d_kernel(w, 7), rtol=1e-6)
