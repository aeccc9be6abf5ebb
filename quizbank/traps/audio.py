"""Audio CNNs: WaveNet's causal dilated stacks and 2D CNNs over mel spectrograms."""

from __future__ import annotations

from collections.abc import Sequence

from .. import formulas as F
from .base import conceptual, trap

conceptual(
    "wavenet_not_causal",
    title="WaveNet convs see the future",
    feedback="WaveNet's convs are causal: output t depends only on inputs ≤ t (the padding is all on the left), so "
    "audio can be generated sample by sample.",
    claim="WaveNet's dilated convolutions are centred, so each output also sees future samples.",
)


conceptual(
    "wavenet_uses_pooling",
    title="WaveNet grows its RF by pooling",
    feedback="Pooling would lower the time resolution. WaveNet doubles the dilation at each layer, so the RF grows "
    "exponentially with depth while the output keeps one value per input sample.",
    claim="WaveNet grows its receptive field with pooling layers between the convolutions.",
)


conceptual(
    "causal_shrinks_output",
    title="Causal padding shortens the output",
    feedback="Causal padding adds (K − 1)·d zeros on the *left* only: at stride 1 the output has the input's length, "
    "and output t sees inputs ≤ t only.",
    claim="Causal padding drops the first outputs, so the sequence gets shorter at every layer.",
)


@trap(
    "wavenet_rf_dilation_sum",
    title="WaveNet RF as Σd",
    feedback="Each causal K-tap layer adds (K − 1)·d, and the output sample itself counts: RF = 1 + Σ d·(K − 1).",
)
def wavenet_rf_dilation_sum(dilations: Sequence[int], stacks: int = 1) -> int:
    return stacks * sum(dilations)


@trap(
    "wavenet_stacks_ignored",
    title="Repeated stacks counted once",
    feedback="Each repeat of the dilation cycle (WaveNet's 1, 2, …, 512) adds its Σ d·(K − 1) again: RF = 1 + "
    "stacks·Σ d·(K − 1).",
)
def wavenet_stacks_ignored(k: int, dilations: Sequence[int], stacks: int) -> int:
    """The RF of one repeat of the dilation cycle: ``1 + Σ d·(K − 1)``, not ``1 + stacks·Σ d·(K − 1)``."""
    return F.wavenet_rf(k, dilations, 1)


@trap(
    "spectrogram_axes_swapped",
    title="Mel bins and frames swapped",
    feedback="The input is (mel bins × frames × 1): height is frequency, width is time, and a Conv2D keeps that order "
    "in its output (mel axis first, frame axis second, channels last).",
)
def spectrogram_axes_swapped(out_shape: Sequence[int]) -> list[int]:
    """The output shape with its mel (height) and frame (width) axes swapped."""
    return [out_shape[1], out_shape[0], *out_shape[2:]]
