"""Every formula of concepts.md sections 1–3 against the worked examples of section 5, and its input checks."""

from __future__ import annotations

import pytest

from quizbank import formulas as F


def test_worked_example_conv_params() -> None:
    assert F.conv_params(3, 64, 128) == 73_856  # (9·64 + 1)·128
    assert F.conv_params(3, 64, 128, bias=False) == 73_728


def test_worked_example_resnet_conv1_and_pool() -> None:
    assert F.output_size(224, 7, 2, 3) == 112
    assert F.output_size(112, 3, 2, "same") == 56
    assert F.output_size(112, 3, 2, "valid") == 55


def test_worked_example_receptive_field() -> None:
    assert F.rf_stacked(5, 3) == 11
    assert F.receptive_field([(3, 1)] * 5)[0] == 11
    assert F.rf_stacked(3, 3) == 7
    # a stride-2 pool in the middle: the later 3×3s add 2·2 each instead of 2
    r, j = F.receptive_field([(3, 1), (3, 1), (2, 2), (3, 1), (3, 1)])
    assert (r, j) == (1 + 2 + 2 + 1 + 4 + 4, 2)


def test_worked_example_separable() -> None:
    assert F.separable_params(3, 512, 512, bias=False) == 4_608 + 262_144 == 266_752
    assert F.conv_params(3, 512, 512, bias=False) == 2_359_296
    assert round(2_359_296 / 266_752, 1) == 8.8
    assert F.separable_ratio(3, 512) == pytest.approx(266_752 / 2_359_296)


def test_worked_example_stacked_vs_single() -> None:
    assert F.stacked_vs_single(2, 256) == (1_179_648, 1_638_400)
    assert round(F.percent_fewer(1_179_648, 1_638_400)) == 28
    three, seven = F.stacked_vs_single(3, 1)
    assert (three, seven) == (27, 49)


def test_worked_example_batchnorm() -> None:
    assert F.batchnorm_params(64) == (128, 256)


def test_layer_formulas() -> None:
    assert F.dense_params(10, 5) == 55
    assert F.fc_equivalent_params(2, 2, 3, 4) == 12 * 16 + 16
    assert F.one_by_one_params(256, 64) == 256 * 64 + 64
    assert F.conv_params(3, 256, 64, bias=False) == 9 * F.one_by_one_params(256, 64, bias=False)
    assert F.pool_params() == 0
    assert F.depthwise_params(3, 32) == 9 * 32 + 32
    assert F.depthwise_params(3, 32, depth_multiplier=2, bias=False) == 9 * 64
    assert F.conv3d_params(3, 3, 64, 64) == (27 * 64 + 1) * 64
    assert F.conv_params(3, 64, 64, groups=4) == (9 * 16 + 1) * 64
    assert F.conv_params(5, 8, 16, dims=1) == (5 * 8 + 1) * 16
    assert F.layernorm_params(768) == 1536
    assert F.groupnorm_params(64, 32) == 128


def test_sizes() -> None:
    assert F.effective_kernel(3, 2) == 5
    assert F.effective_kernel(3, 4) == 3 + 2 * 3
    assert F.same_padding(7) == 3
    assert F.output_size(32, 3, 1, F.same_padding(3)) == 32  # odd K, S=1, P=(K−1)/2 keeps the size
    assert F.output_size(32, 5, 1, "valid") == 28  # valid shrinks by K−1
    assert F.output_size(32, 3, 1, 0, d=2) == 28
    assert F.output_size(7, 2, 2, "same") == 4  # ceil(7/2)
    assert F.output_size(10, 3, 3, "causal") == 4
    assert F.same_pad_total(7, 2, 2) == (0, 1)  # TF puts the extra pad after (bottom/right)
    assert F.same_pad_total(224, 7, 2) == (2, 3)
    assert [F.ceil_div(n, 4) for n in (0, 1, 4, 5, 16_001)] == [0, 1, 1, 2, 4_001]


def test_design_rules() -> None:
    assert F.wavenet_rf() == 1024
    assert F.wavenet_rf(2, [1, 2, 4, 8], stacks=3) == 1 + 3 * 15
    assert F.vit_tokens(224, 16) == 197
    assert F.vit_tokens(224, 16, cls=False) == 196
    assert F.vit_patch_embed_params(16, 3, 768) == (16 * 16 * 3 + 1) * 768
    assert F.densenet_channels(64, 6, 32) == 256
    assert F.i3d_inflate([3.0, 6.0], 3) == [1.0, 2.0]
    assert F.i3d_boring_factor(4, divide=False) == 4.0
    s = F.compound_scaling(1)
    assert s["flops"] == pytest.approx(1.2 * 1.1**2 * 1.15**2)
    assert s["flops"] == pytest.approx(1.92, abs=0.01)  # α·β²·γ² ≈ 2
    assert F.avgpool_grad(3) == pytest.approx(1 / 9)
    assert F.rf_branches([[(1, 1)], [(3, 1), (3, 1)], [(5, 1)]]) == 5
    assert F.bottleneck_params(256, 64, 256, 3, bias=False) == 256 * 64 + 9 * 64 * 256
    assert F.resnet_bottleneck_params(256, 64, 256, bias=False) == 256 * 64 + 9 * 64 * 64 + 64 * 256
    assert F.conv_macs(112, 112, 7, 3, 64) == 112 * 112 * 49 * 3 * 64
    assert F.norm_axes("batch") == (0, 1, 2)
    assert F.norm_axes("layer", keras_default=True) == (3,)
    assert F.slowfast_channels(64) == 8


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: F.output_size(3, 7), "larger than the padded input"),
        (lambda: F.output_size(5, 3, 1, 0, d=3), "effective kernel (7)"),
        (lambda: F.output_size(32, 3, 0), "stride must be at least 1"),
        (lambda: F.output_size(32, 3, 1, -1), "P must be non-negative"),
        (lambda: F.output_size(32, 3, 1, "full"), "padding must be"),
        (lambda: F.conv_params(0, 3, 3), "K must be at least 1"),
        (lambda: F.conv_params(3, 6, 8, groups=4), "divisible by groups"),
        (lambda: F.conv_params(3.0, 6, 8), "K must be an integer"),  # type: ignore[arg-type]
        (lambda: F.same_padding(4), "even"),
        (lambda: F.vit_tokens(224, 15), "not a multiple"),
        (lambda: F.groupnorm_params(10, 4), "cannot be split"),
        (lambda: F.wavenet_rf(2, []), "at least one dilation"),
        (lambda: F.compound_scaling(-1), "non-negative"),
        (lambda: F.norm_axes("weird"), "unknown normalisation"),
    ],
)
def test_invalid_inputs_raise_clear_errors(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()
