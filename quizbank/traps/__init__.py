"""Named mistakes (section 7 of ``shared/concepts.md``): one module per topic, as in :mod:`quizbank.generators`.

Each topic module declares its traps with the :func:`~quizbank.traps.base.trap` decorator (numeric slips, on their
value functions) or :func:`~quizbank.traps.base.conceptual` (wrong claims); :mod:`.comparisons` holds the slips of
ratio and percentage questions that every topic asks.  All topic modules are imported here, so ``TRAPS`` is complete
whichever module is imported first.  ``get(id)`` finds a trap; the value functions are also importable by name
(``traps.conv_forgot_bias(3, 64, 128)``), or reached from the record (``traps.get("forgot_bias").value(3, 64, 128)``).
"""

from __future__ import annotations

import importlib
import pkgutil

from .architectures import (
    aux_head_counted,
    compound_rule_for_measured,
    compound_scaling_abg,
    densenet_added,
    densenet_forgot_input,
    keras_count_is_torchvision,
    keras_count_trainable_only,
    macs_as_flops,
    params_ratio_for_macs,
    resnet_version_confused,
    se_overhead_macs_as_params,
    share_complement,
)
from .audio import spectrogram_axes_swapped, wavenet_rf_dilation_sum, wavenet_stacks_ignored
from .backward import (
    bias_grad_for_weight,
    conv_grad_unflipped,
    relu_grad_times_input,
    wgrad_channels_swapped,
    wgrad_summed_channels,
    xgrad_channels_swapped,
    xgrad_one_output_channel,
)
from .base import TRAPS, Trap, TrapKind, conceptual, get, trap
from .comparisons import (
    percent_as_fraction,
    percent_of_instead_of_fewer,
    percent_of_total,
    percent_relative_to_new,
    ratio_inverted,
)
from .compute import macs_counted_bias, macs_ignored_groups, macs_with_input_size, params_for_macs
from .conv_params import conv_bias_per_input_channel, conv_forgot_bias, conv_groups_ignored, conv_times_hw
from .depthwise_separable import (
    depthwise_as_full,
    separable_as_full,
    separable_depthwise_bias,
    separable_forgot_pointwise,
    separable_ratio_k_squared,
)
from .dilation import (
    dilation_adds_d_minus_1,
    dilation_adds_params,
    effective_kernel_as_kd,
    output_dilation_as_kd,
    output_ignored_dilation,
    rf_dilation_as_kd,
)
from .edge_cases import bn_forgot_eps, bn_forgot_gamma_beta, bn_var_not_sqrt, gridding_holes_one_layer
from .equivariance import feature_shift_ignores_stride, feature_shift_one_stride, feature_shift_times_stride
from .fc_vs_conv import fc_forgot_bias, fc_outputs_as_channels
from .normalization import (
    bn_count_as_2c,
    bn_trainable_as_4c,
    forgot_bn_params,
    gn_params_per_group,
    ln_axes_params_2c,
    ln_has_moving_stats,
)
from .one_by_one import (
    bottleneck_forgot_reduce,
    fpn_lateral_3x3,
    laterals_one_resolution,
    one_by_one_after,
    ratio_as_k_squared,
    se_no_reduction,
)
from .output_size import (
    channels_from_input,
    output_forgot_floor,
    output_forgot_plus_one,
    output_ignored_stride,
    output_padding_once,
    output_same_as_valid,
    padding_ignored,
    same_floor_not_ceil,
    shape_channels_first,
    shape_with_batch_axis,
)
from .pooling import (
    avgpool_grad_1_over_k,
    avgpool_grad_copied,
    gap_dense_sees_hwc,
    maxpool_grad_copied,
    overlap_grad_not_summed,
    pool_counted_as_conv,
    pool_default_stride_1,
    pool_ignored_in_flatten,
    saving_forgot_new_head,
)
from .receptive_field import (
    rf_branches_summed,
    rf_forgot_one,
    rf_ignored_stride,
    rf_l_times_k,
    rf_one_layer_short,
    rf_shortest_path,
)
from .residual import (
    block_ignored_stride,
    bottleneck_3x3_full_width,
    residual_grads_summed,
    resnet_forgot_projection,
    resnet_identity_has_params,
)
from .stacked_kernels import stack_counted_once
from .video import (
    c3d_factor_k_squared,
    c3d_forgot_kt,
    c3d_macs_forgot_frames,
    c3d_params_times_frames,
    i3d_assumed_division,
    i3d_ratio_inverted,
    i3d_without_t,
    slowfast_fast_few_frames,
    slowfast_lateral_unstrided,
    video_macs_one_clip,
    windows_forgot_plus_one,
    windows_ignored_clip,
    windows_non_overlapping,
)
from .vit import (
    vit_divided_by_p_once,
    vit_forgot_cls,
    vit_patch_dim_unprojected,
    vit_patch_stride_1,
    vit_tokens_not_squared,
)

for _m in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _m != "base" and not _m.startswith("_"):
        importlib.import_module(f"{__name__}.{_m}")


__all__ = [
    "TRAPS",
    "Trap",
    "TrapKind",
    "conceptual",
    "get",
    "trap",
    "aux_head_counted",
    "avgpool_grad_1_over_k",
    "avgpool_grad_copied",
    "bias_grad_for_weight",
    "block_ignored_stride",
    "bn_count_as_2c",
    "bn_forgot_eps",
    "bn_forgot_gamma_beta",
    "bn_trainable_as_4c",
    "bn_var_not_sqrt",
    "bottleneck_3x3_full_width",
    "bottleneck_forgot_reduce",
    "c3d_factor_k_squared",
    "c3d_forgot_kt",
    "c3d_macs_forgot_frames",
    "c3d_params_times_frames",
    "channels_from_input",
    "compound_rule_for_measured",
    "compound_scaling_abg",
    "conv_bias_per_input_channel",
    "conv_forgot_bias",
    "conv_grad_unflipped",
    "conv_groups_ignored",
    "conv_times_hw",
    "densenet_added",
    "densenet_forgot_input",
    "depthwise_as_full",
    "dilation_adds_d_minus_1",
    "dilation_adds_params",
    "effective_kernel_as_kd",
    "fc_forgot_bias",
    "fc_outputs_as_channels",
    "feature_shift_ignores_stride",
    "feature_shift_one_stride",
    "feature_shift_times_stride",
    "forgot_bn_params",
    "fpn_lateral_3x3",
    "gap_dense_sees_hwc",
    "gn_params_per_group",
    "gridding_holes_one_layer",
    "i3d_assumed_division",
    "i3d_ratio_inverted",
    "i3d_without_t",
    "keras_count_is_torchvision",
    "keras_count_trainable_only",
    "laterals_one_resolution",
    "ln_axes_params_2c",
    "ln_has_moving_stats",
    "macs_as_flops",
    "macs_counted_bias",
    "macs_ignored_groups",
    "macs_with_input_size",
    "maxpool_grad_copied",
    "one_by_one_after",
    "output_dilation_as_kd",
    "output_forgot_floor",
    "output_forgot_plus_one",
    "output_ignored_dilation",
    "output_ignored_stride",
    "output_padding_once",
    "output_same_as_valid",
    "overlap_grad_not_summed",
    "padding_ignored",
    "params_for_macs",
    "params_ratio_for_macs",
    "percent_as_fraction",
    "percent_of_instead_of_fewer",
    "percent_of_total",
    "percent_relative_to_new",
    "pool_counted_as_conv",
    "pool_default_stride_1",
    "pool_ignored_in_flatten",
    "ratio_as_k_squared",
    "ratio_inverted",
    "relu_grad_times_input",
    "residual_grads_summed",
    "resnet_version_confused",
    "resnet_forgot_projection",
    "resnet_identity_has_params",
    "rf_branches_summed",
    "rf_dilation_as_kd",
    "rf_forgot_one",
    "rf_ignored_stride",
    "rf_l_times_k",
    "rf_one_layer_short",
    "rf_shortest_path",
    "same_floor_not_ceil",
    "saving_forgot_new_head",
    "se_no_reduction",
    "se_overhead_macs_as_params",
    "separable_as_full",
    "separable_depthwise_bias",
    "separable_forgot_pointwise",
    "separable_ratio_k_squared",
    "shape_channels_first",
    "shape_with_batch_axis",
    "share_complement",
    "slowfast_fast_few_frames",
    "slowfast_lateral_unstrided",
    "spectrogram_axes_swapped",
    "stack_counted_once",
    "video_macs_one_clip",
    "vit_divided_by_p_once",
    "vit_forgot_cls",
    "vit_patch_dim_unprojected",
    "vit_patch_stride_1",
    "vit_tokens_not_squared",
    "wavenet_rf_dilation_sum",
    "wavenet_stacks_ignored",
    "wgrad_channels_swapped",
    "wgrad_summed_channels",
    "windows_forgot_plus_one",
    "windows_ignored_clip",
    "windows_non_overlapping",
    "xgrad_channels_swapped",
    "xgrad_one_output_channel",
]
