"""The behavioural probes, each measured on live Keras layers."""

from __future__ import annotations

import pytest

from models import probes as P

pytestmark = pytest.mark.live


def test_translation_equivariance_but_not_rotation() -> None:
    assert P.run("conv_translation_equivariance", shift=(2, 3)) is True
    assert P.run("conv_translation_equivariance", shift=(5, 1), k=5) is True
    assert P.run("conv_rotation_equivariance") is False


def test_invariance_after_global_pooling() -> None:
    assert P.run("gap_translation_invariance", shift=(3, 5)) is True
    assert P.run("gap_loses_layout") is True


def test_pool_backward_routing() -> None:
    assert P.run("maxpool_grad_routes_to_argmax", k=2) is True
    assert P.run("maxpool_grad_routes_to_argmax", k=3, size=9) is True
    assert P.run("avgpool_grad", k=2) == pytest.approx(1 / 4)
    assert P.run("avgpool_grad", k=3) == pytest.approx(1 / 9)


def test_relu_gate_and_dead_units() -> None:
    assert P.run("relu_grad_gate") is True
    assert P.run("dead_relu_zero_grad") is True


def test_residual_skip_keeps_identity_in_jacobian() -> None:
    assert P.run("residual_identity_jacobian", width=6) is True
    assert P.run("deeper_contains_shallow") is True


def test_conv_backward_uses_the_flipped_kernel() -> None:
    assert P.run("conv_backward_flipped_kernel") is True


def test_batchnorm_training_inference_and_batch_1() -> None:
    assert P.run("bn_training_uses_batch_stats") is True
    assert P.run("bn_inference_uses_moving_stats") is True
    assert P.run("bn_batch1_output_constant") is True  # training-mode BN at batch 1 (1×1 map): output is β
    assert P.run("groupnorm_batch1_independent") is True


@pytest.mark.parametrize("channels", [2, 4, 8])
def test_normalisation_axes(channels: int) -> None:
    assert P.run("norm_axes", kind="batch", channels=channels) == [0, 1, 2]
    assert P.run("norm_axes", kind="layer", channels=channels) == [3]  # Keras' default axis=-1: channels only
    assert P.run("norm_axes", kind="layer_chw", channels=channels) == [1, 2, 3]
    assert P.run("norm_axes", kind="instance", channels=channels) == [1, 2]


def test_i3d_boring_video() -> None:
    assert P.run("i3d_boring_video_ratio", t=3, divide=True) == pytest.approx(1.0)
    assert P.run("i3d_boring_video_ratio", t=4, divide=False) == pytest.approx(4.0)  # T× without /T


def test_wavenet_causality() -> None:
    assert P.run("causal_conv_no_future", dilations=(1, 2, 4, 8, 16)) is True


def test_gridding_and_its_hdc_fix() -> None:
    assert P.run("dilation_gridding_holes", rates=(2, 2, 2)) > 0
    assert P.run("dilation_gridding_holes", rates=(1, 2, 5)) == 0
    assert P.run("dilated_rf_extent", rates=(1, 2, 5)) == 1 + 2 * (1 + 2 + 5)


def test_unknown_probe() -> None:
    with pytest.raises(KeyError, match="unknown probe"):
        P.run("no_such_probe")
