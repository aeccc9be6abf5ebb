"""The named traps of concepts.md section 7: present, explained, and computing the slip they name."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

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


# ------------------------------------------------------------------ the registry


def test_each_trap_record_carries_its_value_function() -> None:
    for t in T.TRAPS.values():
        if t.kind == "numeric":
            assert callable(t.fn), t.id
        else:
            assert t.fn is None, t.id
            with pytest.raises(TypeError, match="conceptual"):
                t.value()
    rec = T.get("forgot_bias")
    assert rec.fn is T.conv_forgot_bias
    assert rec.value(3, 64, 128) == T.conv_forgot_bias(3, 64, 128) == 73_728
    assert T.get("dilation_as_k_times_d").value(3, 2) == 6


def test_a_second_declaration_of_an_id_is_refused() -> None:
    n = len(T.TRAPS)
    with pytest.raises(ValueError, match="declared twice"):

        @T.trap("forgot_bias", title="Again", feedback="A second declaration of the same id.")
        def again(k: int) -> int:
            return k

    with pytest.raises(ValueError, match="declared twice"):
        T.conceptual("bn_all_axes", title="Again", feedback="A second declaration.", claim="Something.")
    assert len(T.TRAPS) == n
    assert T.get("forgot_bias").fn is T.conv_forgot_bias and T.get("bn_all_axes").title.startswith("BatchNorm")


def test_one_trap_module_per_generator_topic() -> None:
    from quizbank.generators import TOPICS

    modules = {m.name for m in pkgutil.iter_modules(T.__path__)} - {"base"}
    assert modules == set(TOPICS) | {"comparisons"}
    for t in T.TRAPS.values():
        if t.fn is not None:
            assert t.fn.__module__.rsplit(".", 1)[-1] in modules, t.id


@pytest.mark.parametrize("first", ["quizbank.traps.video", "quizbank.traps.base", "quizbank.generators", "quizbank"])
def test_import_order_does_not_matter(first: str) -> None:
    code = (
        f"import importlib; importlib.import_module({first!r}); "
        "from quizbank import traps; print(len(traps.TRAPS), sorted(traps.TRAPS) == sorted(set(traps.TRAPS)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == [str(len(T.TRAPS)), "True"]


# ------------------------------------------------------------------ the value functions, on worked examples


def test_output_size_slips() -> None:
    assert T.output_forgot_plus_one(5, 3) == 2  # a 3×3 'valid' conv on 5 pixels has 3 outputs
    assert T.padding_ignored(224, 7, 2, 3) == 109  # ResNet's conv1 gives 112 with its P = 3
    assert T.output_ignored_stride(224, 7, 2, 3) == 224
    assert T.same_floor_not_ceil(7, 2) == 3 and F.output_size(7, 3, 2, "same") == 4
    assert T.channels_from_input([112, 112, 64], 3) == [112, 112, 3]
    assert T.pool_default_stride_1(32, 2) == 31 and F.output_size(32, 2, 2) == 16


def test_receptive_field_slips() -> None:
    five = [F.RFLayer(3)] * 5
    assert F.receptive_field(five)[0] == 11 and T.rf_one_layer_short(five) == 9
    assert T.rf_forgot_one([F.RFLayer(3)]) == 2
    inception = [[F.RFLayer(1)], [F.RFLayer(3)], [F.RFLayer(1), F.RFLayer(5)]]
    assert F.rf_branches(inception) == 5
    assert T.rf_branches_summed(inception) == 7 and T.rf_shortest_path(inception) == 1


def test_dilation_slips() -> None:
    assert T.dilation_adds_params(3, 1, 1, 2, bias=False) == 25  # one weight per pixel of the 5×5 window
    assert T.dilation_adds_d_minus_1(3, 2) == 4 and F.effective_kernel(3, 2) == 5
    assert T.output_dilation_as_kd(32, 3, 1, 0, 2) == 27
    assert T.rf_dilation_as_kd([F.RFLayer(3, 1, 2), F.RFLayer(3)]) == 8  # 6 + 2 instead of 5 + 2


def test_pooling_slips() -> None:
    assert T.gap_dense_sees_hwc(7, 7, 512, 1000) == 25_088 * 1000 + 1000
    assert T.pool_ignored_in_flatten(8, 8, 16, 10, bias=False) == 4 * F.dense_params(4 * 4 * 16, 10, bias=False)
    assert T.saving_forgot_new_head(1_000_000, 10_000) == 1_000_000
    assert T.maxpool_grad_copied([2, 3]) == 5 and T.avgpool_grad_copied([4]) == 4
    assert T.overlap_grad_not_summed([1.5, 2.0]) == 1.5


def test_normalization_slips() -> None:
    assert T.ln_has_moving_stats(64) == 2 * F.layernorm_params(64)  # BatchNorm's 4C in Keras' count
    assert T.gn_params_per_group(64, 8) == 16 and F.groupnorm_params(64, 8) == 128
    assert T.ln_axes_params_2c(7, 7, 64) == 128  # the right count is 2·7·7·64
    assert T.forgot_bn_params(1_000, 256) == 744


def test_backward_and_residual_slips() -> None:
    assert T.relu_grad_times_input(-2, 3) == -6  # the gate gives 0
    proj = F.resnet_basic_params(64, 128, projection=True)
    assert T.resnet_forgot_projection(proj, 64, 128) == F.resnet_basic_params(64, 128, projection=False)
    plain = F.resnet_basic_params(64, 64)
    assert T.resnet_identity_has_params(plain, 64, 64) == F.resnet_basic_params(64, 64, projection=True)
    bottleneck = F.resnet_bottleneck_params(256, 64, 256)
    assert bottleneck == 70_016 and T.bottleneck_3x3_full_width(bottleneck, 64, 256) == 623_168
    assert T.block_ignored_stride(56, 56, 128) == [56, 56, 128]


def test_one_by_one_stacked_and_separable_slips() -> None:
    # Inception 3a's 5×5 branch: 192 → 16 → 32
    assert T.one_by_one_after(5, 192, 32) > F.conv_params(5, 192, 32)  # after the 5×5 it saves nothing
    assert T.bottleneck_forgot_reduce(5, 16, 32) == F.bottleneck_params(192, 16, 32, 5) - F.one_by_one_params(192, 16)
    assert 2 * T.stack_counted_once(3, 64, bias=False) == 18 * 64 * 64
    # a bias on the depthwise step too: a DepthwiseConv2D with bias, then a 1×1 with bias
    assert T.separable_depthwise_bias(3, 32, 64) == F.depthwise_params(3, 32) + F.one_by_one_params(32, 64)
    assert (
        T.separable_ratio_k_squared(3)
        == 9.0
        > F.conv_params(3, 256, 256, bias=False) / F.separable_params(3, 256, 256, bias=False)
    )
    assert T.depthwise_as_full(3, 32, depth_multiplier=2) == F.conv_params(3, 32, 64)


def test_fc_vs_conv_and_equivariance_slips() -> None:
    assert T.fc_forgot_bias(192, 1024) == F.dense_params(192, 1024, bias=False)
    assert T.fc_outputs_as_channels(8, 8, 3, 16) == (8 * 8 * 3) * 16 + 16
    # an input shift of 8 pixels through strides 2, 2 moves the map by 2
    assert F.feature_map_shift(8, [2, 2]) == 2
    assert T.feature_shift_ignores_stride(8, [2, 2]) == 8
    assert T.feature_shift_times_stride(8, [2, 2]) == 32
    assert T.feature_shift_one_stride(8, [1, 2, 2]) == 4


def test_video_audio_and_vit_slips() -> None:
    assert T.c3d_forgot_kt(3, 3, 64, 128) == F.conv_params(3, 64, 128)
    assert T.c3d_params_times_frames(3, 3, 64, 128, 16) == (27 * 64 + 1) * 128 * 16
    assert 16 * T.c3d_macs_forgot_frames(56, 56, 3, 64, 128, k_t=3) == F.conv_macs(56, 56, 3, 64, 128, k_t=3, t_out=16)
    assert T.i3d_assumed_division(4) == 1.0 and F.i3d_boring_factor(4, divide=False) == 4.0
    assert T.i3d_ratio_inverted(4) == 0.25
    assert T.slowfast_fast_few_frames(4, 8) == 4 and F.slowfast_fast_frames(4, 8) == 32
    assert T.slowfast_lateral_unstrided(32, 8) == 32
    wavenet = [2**i for i in range(10)]
    assert F.wavenet_rf(2, wavenet, 3) == 3070 and T.wavenet_stacks_ignored(2, wavenet, 3) == 1024
    assert T.spectrogram_axes_swapped([64, 313, 32]) == [313, 64, 32]
    assert T.vit_tokens_not_squared(224, 224, 16) == 15  # 14 per side, + CLS
    assert T.vit_divided_by_p_once(224, 224, 16) == 3137
    assert T.vit_patch_stride_1(224, 224, 16, 768) == [209, 209, 768]
    assert T.vit_patch_dim_unprojected(32, 3) == 3072


def test_edge_case_slips() -> None:
    assert F.bn_inference(2, 0, 4, eps=0.0) == 1.0 and T.bn_var_not_sqrt(2, 0, 4, eps=0.0) == 0.5
    assert F.bn_inference(2, 0, 4, 3.0, 1.0, 0.0) == 4.0 and T.bn_forgot_gamma_beta(2, 0, 4, 3.0, 1.0, 0.0) == 1.0
    assert T.bn_forgot_eps(0.1, 0.0, 0.001) == pytest.approx(3.16228, rel=1e-5)
    assert F.bn_inference(0.1, 0.0, 0.001) == pytest.approx(2.23607, rel=1e-5)
    assert F.gridding_holes([2, 2], 3) == 4 and T.gridding_holes_one_layer([2, 2], 3) == 2


def test_architecture_and_comparison_slips() -> None:
    from models.facts import VARIANTS

    r50 = VARIANTS["resnet50"]
    ref = {k: f.value for k, f in r50.reference.items()}
    assert T.keras_count_is_torchvision(r50.trainable_params.value, ref["conv_bias"]) == ref["torchvision_params"]  # type: ignore[union-attr]
    total, trainable = r50.params.value, r50.trainable_params.value  # type: ignore[union-attr]
    assert T.keras_count_trainable_only(total, total - trainable) == trainable
    assert T.macs_as_flops(4_089_184_256) == 8_178_368_512
    assert T.share_complement(89.5) == pytest.approx(10.5)
    assert T.aux_head_counted(23_851_784, 3_326_696) == 27_178_480
    assert T.densenet_forgot_input(64, 6, 32) == 192 and F.densenet_channels(64, 6, 32) == 256
    assert T.params_ratio_for_macs(7.8e6, 5.3e6) == pytest.approx(1.4717, rel=1e-4)
    assert T.compound_rule_for_measured(1) == pytest.approx(1.2 * 1.1**2 * 1.15**2)
    assert T.se_overhead_macs_as_params(10_000_000, 4_000_000_000) == pytest.approx(0.25)
    # two stacked 3×3 (18C²) against one 5×5 (25C²)
    assert T.ratio_inverted(25, 18) == 0.72
    assert T.percent_of_instead_of_fewer(18, 25) == 72.0 and F.percent_fewer(18, 25) == 28.0
    assert T.percent_relative_to_new(18, 25) == pytest.approx(38.889, rel=1e-4)


# ------------------------------------------------------------------ slips of the answer's form, on every question


def test_form_slips_values() -> None:
    assert T.percent_as_fraction(28.0) == 0.28
    assert T.shape_with_batch_axis([13, 13, 16]) == [1, 13, 13, 16]
    assert T.shape_channels_first([13, 13, 16]) == [16, 13, 13]
    assert T.shape_channels_first([16, 56, 56, 64]) == [64, 16, 56, 56]  # a clip: T×H×W×C → C×T×H×W
    assert T.ratio_as_k_squared(3) == 9
    # with biases the 3×3 vs 1×1 ratio is below K²: (9·64 + 1)/(64 + 1)
    ratio = F.conv_params(3, 64, 128) / F.one_by_one_params(64, 128)
    assert ratio == pytest.approx(577 / 65) and ratio < T.ratio_as_k_squared(3)


def test_a_fraction_typed_for_a_percentage_is_named() -> None:
    from grader.scoring import grade
    from quizbank.generators import REGISTRY, generate
    from quizbank.schema import NumericQuestion

    seen = set()
    for gen in sorted(REGISTRY):
        for d in (1, 2, 3):
            for s in range(10):
                q = generate(gen, s, d)
                if not isinstance(q, NumericQuestion) or q.unit != "%":
                    continue
                got = grade(q, q.key / 100)
                # named, unless another slip's value is within the question's tolerance of the fraction
                shadowed = any(q.tolerance.accepts(float(t.value), q.key / 100) for t in q.traps)  # type: ignore[arg-type]
                assert got.correct or got.trap == "percent_as_fraction" or shadowed, (q.uid, got)
                seen.add(gen)
    assert {"stacked_kernels.compare", "one_by_one.bottleneck", "architectures.vgg_fc_share"} <= seen


def test_a_batch_axis_or_channels_first_shape_is_named() -> None:
    from quizbank import diagnose
    from quizbank.generators import REGISTRY, generate
    from quizbank.schema import ShapeQuestion

    names: set[str] = set()
    for gen in sorted(REGISTRY):
        for s in range(6):
            q = generate(gen, s, 2)
            if not (isinstance(q, ShapeQuestion) and q.key_value):
                continue
            key = q.key_value
            assert diagnose(q, [1, *key]).trap == "shape_batch_axis"
            if len(key) >= 3 and [key[-1], *key[:-1]] != key:
                t = diagnose(q, [key[-1], *key[:-1]]).trap
                assert t is not None, q.uid  # channels-first, or an earlier trap of the same value
                names.add(t)
    assert "shape_channels_first" in names


def test_k_squared_for_the_ratio_with_biases_is_named() -> None:
    from grader.scoring import grade
    from quizbank.generators import generate
    from quizbank.schema import NumericQuestion

    hits = 0
    for s in range(80):
        q = generate("one_by_one.vs_kxk", s, 2)
        assert isinstance(q, NumericQuestion)
        if not q.params["bias"]:
            continue
        k2 = q.params["k"] ** 2
        got = grade(q, k2)
        # K² is named unless the 0.5 % tolerance accepts it (a wide C_in makes the ratio within 0.5 % of K²)
        assert got.trap == "ratio_as_k_squared" or got.correct, (q.uid, q.key)
        hits += got.trap == "ratio_as_k_squared"
    assert hits >= 5
