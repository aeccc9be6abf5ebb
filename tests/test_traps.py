"""The named traps of concepts.md section 7: present, explained, and computing the slip they name."""

from __future__ import annotations

import pytest

from quizbank import formulas as F
from quizbank import traps as T

CONCEPTUAL_TEN = [
    "conv_params_depend_on_hw",
    "pooling_has_params",
    "bn_all_axes",
    "inception_1x1_after",
    "resnet_output_fx",
    "separable_is_depthwise_plus_3x3",
    "cnn_rotation_equivariant",
    "equivariance_is_invariance",
    "i3d_from_scratch",
    "mobilenet_v1_inverted_residual",
]
NUMERIC_SLIPS = [
    "forgot_bias",
    "bias_per_input_channel",
    "forgot_floor",
    "padding_once",
    "rf_l_times_k",
    "dilation_as_k_times_d",
    "bn_count_as_2c",
    "bn_trainable_as_4c",
    "densenet_added",
    "vit_forgot_cls",
    "i3d_without_t",
    "compound_scaling_abg",
    "separable_as_full",
]


def test_all_section_7_traps_exist() -> None:
    for t in CONCEPTUAL_TEN:
        assert T.get(t).kind == "conceptual"
    for t in NUMERIC_SLIPS:
        assert T.get(t).kind == "numeric"
    assert len([t for t in T.TRAPS.values() if t.kind == "numeric"]) >= 12


@pytest.mark.parametrize("trap", list(T.TRAPS.values()), ids=list(T.TRAPS))
def test_every_trap_has_feedback_and_conceptual_ones_a_claim(trap: T.Trap) -> None:
    assert len(trap.feedback) > 30 and trap.title
    if trap.kind == "conceptual":
        assert trap.claim and trap.claim != trap.feedback


def test_unknown_trap() -> None:
    with pytest.raises(KeyError, match="unknown trap"):
        T.get("no_such_trap")


def test_numeric_trap_values_on_the_worked_examples() -> None:
    assert T.conv_forgot_bias(3, 64, 128) == 73_728
    assert T.conv_bias_per_input_channel(3, 64, 128) == 73_728 + 64 * 128
    assert T.conv_times_hw(3, 64, 128, 56, 56) == 73_856 * 56 * 56
    assert T.output_forgot_floor(224, 7, 2, 3) == 112.5
    assert T.output_padding_once(224, 7, 2, 3) == 111  # floor((224 − 7 + 3)/2) + 1
    assert T.output_same_as_valid(112, 3, 2, "same") == 55
    assert T.output_dilation_as_kd(32, 3, 1, 0, 2) == 27  # K·d = 6 instead of K_eff = 5
    assert T.effective_kernel_as_kd(3, 2) == 6
    layers = [F.RFLayer(3)] * 5
    assert T.rf_l_times_k(layers) == 15
    assert T.rf_ignored_stride([F.RFLayer(3), F.RFLayer(2, 2), F.RFLayer(3)]) == 6
    assert T.bn_count_as_2c(64) == 128 and T.bn_trainable_as_4c(64) == 256
    assert T.densenet_added(64, 6, 32) == 96
    assert T.vit_forgot_cls(224, 16) == 196
    assert T.i3d_without_t(4) == 4.0
    assert T.compound_scaling_abg(1) == pytest.approx(1.2 * 1.1 * 1.15)
    assert T.separable_as_full(3, 512, 512) == 2_359_296
    assert T.separable_forgot_pointwise(3, 512, 512) == 4_608
    assert T.pool_counted_as_conv(2, 16) == (4 * 16 + 1) * 16
    assert T.avgpool_grad_1_over_k(3) == pytest.approx(1 / 3)
    assert T.wavenet_rf_dilation_sum([2**i for i in range(10)]) == 1023
    assert T.c3d_factor_k_squared(3) == 9


def test_trap_values_differ_from_the_truth() -> None:
    assert T.conv_forgot_bias(3, 64, 128) != F.conv_params(3, 64, 128)
    assert T.vit_forgot_cls(224, 16) != F.vit_tokens(224, 16)
    assert T.compound_scaling_abg(2) != pytest.approx(F.compound_scaling(2)["flops"])
