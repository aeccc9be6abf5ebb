"""The pure math of CNN layers (sections 1–3 of ``shared/concepts.md``).

Every function checks its inputs and raises a ``ValueError`` that says why.
Keras' ``same``/``valid`` padding is first-class next to an explicit ``P``:
``padding`` is either the string ``"same"``/``"valid"``/``"causal"`` or an
integer applied on both sides.  Nothing here imports TensorFlow or Keras; the
live models in :mod:`models` prove these formulas in the tests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

Padding = Literal["same", "valid", "causal"] | int


def _pos(name: str, v: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError(f"{name} must be an integer, got {v!r}")
    if v < 1:
        raise ValueError(f"{name} must be at least 1, got {v}")
    return v


def _nonneg(name: str, v: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError(f"{name} must be an integer, got {v!r}")
    if v < 0:
        raise ValueError(f"{name} must be non-negative, got {v}")
    return v


# ---------------------------------------------------------------- parameters


def conv_params(
    k: int, c_in: int, c_out: int, *, bias: bool = True, groups: int = 1, dims: int = 2, k_t: int = 1
) -> int:
    """``(K·K·C_in/groups + 1)·C_out``; independent of H and W.

    ``dims`` is 1, 2 or 3; for ``dims=3`` the kernel is ``k_t×K×K``.
    """
    _pos("K", k), _pos("C_in", c_in), _pos("C_out", c_out), _pos("groups", groups), _pos("K_t", k_t)
    if dims not in (1, 2, 3):
        raise ValueError(f"dims must be 1, 2 or 3, got {dims}")
    if c_in % groups or c_out % groups:
        raise ValueError(f"C_in={c_in} and C_out={c_out} must both be divisible by groups={groups}")
    if dims != 3 and k_t != 1:
        raise ValueError("K_t applies only to 3D convolutions")
    spatial = k if dims == 1 else k * k
    return (k_t * spatial * (c_in // groups) + (1 if bias else 0)) * c_out


def conv3d_params(k_t: int, k: int, c_in: int, c_out: int, *, bias: bool = True) -> int:
    """``(K_t·K·K·C_in + 1)·C_out``: a factor ``K_t`` over 2D (bias aside)."""
    return conv_params(k, c_in, c_out, bias=bias, dims=3, k_t=k_t)


def dense_params(n_in: int, n_out: int, *, bias: bool = True) -> int:
    _pos("inputs", n_in), _pos("outputs", n_out)
    return n_in * n_out + (n_out if bias else 0)


def fc_equivalent_params(h: int, w: int, c_in: int, c_out: int, *, bias: bool = True) -> int:
    """A dense layer from ``H·W·C_in`` inputs to ``H·W·C_out`` outputs."""
    _pos("H", h), _pos("W", w)
    return dense_params(h * w * c_in, h * w * c_out, bias=bias)


def one_by_one_params(c_in: int, c_out: int, *, bias: bool = True) -> int:
    """``C_in·C_out + C_out``."""
    return conv_params(1, c_in, c_out, bias=bias)


def pool_params() -> int:
    """Max, average and global pools have no weights: they cut FLOPs, not parameters."""
    return 0


def depthwise_params(k: int, c_in: int, *, depth_multiplier: int = 1, bias: bool = True) -> int:
    """``K·K·C_in·m`` (+ ``C_in·m`` bias)."""
    _pos("K", k), _pos("C_in", c_in), _pos("depth_multiplier", depth_multiplier)
    return (k * k + (1 if bias else 0)) * c_in * depth_multiplier


def separable_params(k: int, c_in: int, c_out: int, *, bias: bool = True, depth_multiplier: int = 1) -> int:
    """Keras ``SeparableConv2D``: depthwise ``K·K·C_in·m`` (no bias) + pointwise ``C_in·m·C_out`` (+ ``C_out``)."""
    _pos("K", k), _pos("C_in", c_in), _pos("C_out", c_out), _pos("depth_multiplier", depth_multiplier)
    return k * k * c_in * depth_multiplier + c_in * depth_multiplier * c_out + (c_out if bias else 0)


def separable_ratio(k: int, c_out: int) -> float:
    """``separable / standard = 1/C_out + 1/K²`` (no biases)."""
    _pos("K", k), _pos("C_out", c_out)
    return 1 / c_out + 1 / (k * k)


def batchnorm_params(c: int) -> tuple[int, int]:
    """``(trainable, count_params)`` = ``(2C, 4C)``: γ, β plus Keras' moving mean and variance."""
    _pos("C", c)
    return 2 * c, 4 * c


def layernorm_params(c: int) -> int:
    """γ and β over the normalised (last) axis: ``2C``, all trainable."""
    _pos("C", c)
    return 2 * c


def groupnorm_params(c: int, groups: int) -> int:
    """``2C`` whatever the number of groups; ``C`` must divide into the groups."""
    _pos("C", c), _pos("groups", groups)
    if c % groups:
        raise ValueError(f"C={c} channels cannot be split into {groups} groups")
    return 2 * c


def norm_axes(kind: str, rank: int = 4, *, keras_default: bool = False) -> tuple[int, ...]:
    """Axes a normalisation averages over, for an ``(N, H, W, C)`` tensor (rank 4).

    BatchNorm: ``(N, H, W)`` per channel.  LayerNorm: ``(H, W, C)`` per sample in
    the textbook, but Keras' default ``axis=-1`` normalises over ``C`` only.
    InstanceNorm: ``(H, W)`` per sample and channel.  GroupNorm: ``(H, W)`` and the
    channels of a group, per sample.
    """
    if rank < 3:
        raise ValueError(f"rank must be at least 3 (N, ..., C), got {rank}")
    spatial = tuple(range(1, rank - 1))
    c = rank - 1
    if kind == "batch":
        return (0, *spatial)
    if kind == "layer":
        return (c,) if keras_default else (*spatial, c)
    if kind == "instance":
        return spatial
    if kind == "group":
        return (*spatial, c)
    raise ValueError(f"unknown normalisation {kind!r}; expected batch, layer, instance or group")


# ---------------------------------------------------------------- sizes


def ceil_div(a: int, b: int) -> int:
    """``ceil(a/b)`` for integers, exactly (no float rounding)."""
    return -(-a // b)


def effective_kernel(k: int, d: int = 1) -> int:
    """``K_eff = d·(K−1) + 1 = K + (K−1)(d−1)``."""
    _pos("K", k), _pos("dilation", d)
    return d * (k - 1) + 1


def same_padding(k: int) -> int:
    """For odd ``K`` and stride 1, ``P = (K−1)/2`` keeps ``O = W``."""
    _pos("K", k)
    if k % 2 == 0:
        raise ValueError(f"K={k} is even: no symmetric padding keeps the size (Keras pads one extra on bottom/right)")
    return (k - 1) // 2


def output_size(w: int, k: int, s: int = 1, padding: Padding = 0, d: int = 1) -> int:
    """Spatial output size of a conv or pool along one axis.

    Explicit ``P``: ``floor((W − K_eff + 2P)/S) + 1``.  Keras ``valid`` is ``P = 0``;
    Keras ``same`` is ``ceil(W/S)`` (TF pads asymmetrically, the extra on
    bottom/right); ``causal`` (1D) pads ``K_eff − 1`` on the left, so ``ceil(W/S)``
    at any stride, and ``W`` at stride 1.
    """
    _pos("W", w), _pos("K", k), _pos("stride", s), _pos("dilation", d)
    k_eff = effective_kernel(k, d)
    if padding in ("same", "causal"):
        return ceil_div(w, s)
    if padding == "valid":
        p = 0
    elif isinstance(padding, int) and not isinstance(padding, bool):
        p = _nonneg("P", padding)
    else:
        raise ValueError(f"padding must be 'same', 'valid', 'causal' or a non-negative integer, got {padding!r}")
    span = w - k_eff + 2 * p
    if span < 0:
        raise ValueError(
            f"the effective kernel ({k_eff}) is larger than the padded input ({w} + 2·{p} = {w + 2 * p}): "
            "the output size would be ≤ 0"
        )
    return span // s + 1


def same_pad_total(w: int, k: int, s: int = 1, d: int = 1) -> tuple[int, int]:
    """The (before, after) padding TensorFlow's ``same`` adds: the extra goes after (bottom/right)."""
    o = output_size(w, k, s, "same", d)
    total = max((o - 1) * s + effective_kernel(k, d) - w, 0)
    return total // 2, total - total // 2


# ---------------------------------------------------------------- receptive field


@dataclass(frozen=True)
class RFLayer:
    """One layer of a chain, for receptive-field arithmetic (pools are layers too)."""

    k: int
    s: int = 1
    d: int = 1

    def __post_init__(self) -> None:
        _pos("K", self.k), _pos("stride", self.s), _pos("dilation", self.d)


def receptive_field(layers: Sequence[RFLayer | tuple[int, ...]]) -> tuple[int, int]:
    """``(r, j)`` after the chain: ``r_l = r_{l−1} + (K_l − 1)·d_l·j_{l−1}``, ``j_l = j_{l−1}·S_l``."""
    r, j = 1, 1
    for layer in layers:
        lay = layer if isinstance(layer, RFLayer) else RFLayer(*layer)
        r += (lay.k - 1) * lay.d * j
        j *= lay.s
    return r, j


def rf_stacked(n_layers: int, k: int) -> int:
    """``1 + L·(K−1)`` for ``L`` stacked ``K×K`` convs at stride 1."""
    _pos("L", n_layers), _pos("K", k)
    return 1 + n_layers * (k - 1)


def rf_branches(paths: Sequence[Sequence[RFLayer | tuple[int, ...]]]) -> int:
    """A branching graph's RF is the max over its paths."""
    if not paths:
        raise ValueError("a graph needs at least one path")
    return max(receptive_field(p)[0] for p in paths)


def wavenet_rf(k: int = 2, dilations: Sequence[int] = tuple(2**i for i in range(10)), stacks: int = 1) -> int:
    """RF of stacked causal dilated 1D convs: ``1 + stacks·Σ d·(K−1)``."""
    _pos("K", k), _pos("stacks", stacks)
    if not dilations:
        raise ValueError("at least one dilation")
    for d in dilations:
        _pos("dilation", d)
    return 1 + stacks * sum(d * (k - 1) for d in dilations)


# ---------------------------------------------------------------- compute


def conv_macs(
    h_out: int, w_out: int, k: int, c_in: int, c_out: int, *, groups: int = 1, k_t: int = 1, t_out: int = 1
) -> int:
    """``H_out·W_out·K·K·C_in/groups·C_out`` (torchvision's convention; FLOPs ≈ 2·MACs)."""
    for n, v in (("H_out", h_out), ("W_out", w_out), ("K", k), ("C_in", c_in), ("C_out", c_out), ("groups", groups)):
        _pos(n, v)
    _pos("K_t", k_t), _pos("T_out", t_out)
    if c_in % groups:
        raise ValueError(f"C_in={c_in} is not divisible by groups={groups}")
    return t_out * h_out * w_out * k_t * k * k * (c_in // groups) * c_out


def dense_macs(n_in: int, n_out: int) -> int:
    _pos("inputs", n_in), _pos("outputs", n_out)
    return n_in * n_out


# ---------------------------------------------------------------- design rules


def stacked_vs_single(n_small: int, c: int, k_small: int = 3) -> tuple[int, int]:
    """``(n·k²·C², K²·C²)`` for ``n`` stacked ``k×k`` convs vs the single conv of equal RF (no bias)."""
    _pos("n", n_small), _pos("C", c), _pos("k", k_small)
    k_big = rf_stacked(n_small, k_small)
    return n_small * k_small * k_small * c * c, k_big * k_big * c * c


def percent_fewer(new: float, old: float) -> float:
    """How many percent fewer ``new`` is than ``old``."""
    if old <= 0:
        raise ValueError("the reference must be positive")
    return 100.0 * (old - new) / old


def bottleneck_params(c_in: int, c_mid: int, c_out: int, k: int = 3, *, bias: bool = True) -> int:
    """A ``1×1`` reduction to ``c_mid`` before a ``K×K`` conv to ``c_out``."""
    return one_by_one_params(c_in, c_mid, bias=bias) + conv_params(k, c_mid, c_out, bias=bias)


def resnet_bottleneck_params(c_in: int, c_mid: int, c_out: int, *, bias: bool = True, projection: bool = False) -> int:
    """1×1 → 3×3 → 1×1 (+ a 1×1 projection on the skip if the widths differ)."""
    p = one_by_one_params(c_in, c_mid, bias=bias) + conv_params(3, c_mid, c_mid, bias=bias)
    p += one_by_one_params(c_mid, c_out, bias=bias)
    if projection:
        p += one_by_one_params(c_in, c_out, bias=bias)
    return p


def densenet_channels(c0: int, n_layers: int, growth: int) -> int:
    """``C0 + L·k``: each layer concatenates ``k`` new channels."""
    _pos("C0", c0), _pos("L", n_layers), _pos("k", growth)
    return c0 + n_layers * growth


def vit_tokens(image: int, patch: int, *, cls: bool = True) -> int:
    """``(H/P)² + 1`` tokens (the +1 is the CLS token)."""
    _pos("image", image), _pos("patch", patch)
    if image % patch:
        raise ValueError(f"the image side {image} is not a multiple of the patch size {patch}")
    return (image // patch) ** 2 + (1 if cls else 0)


def vit_patch_embed_params(patch: int, channels: int, dim: int, *, bias: bool = True) -> int:
    """The patch embedding is a ``P×P`` conv with stride ``P``: ``(P·P·C + 1)·D``."""
    return conv_params(patch, channels, dim, bias=bias)


def i3d_inflate(w2d: Sequence[float], t: int) -> list[float]:
    """Repeat a 2D weight ``T`` times along time and divide by ``T`` (flattened values)."""
    _pos("T", t)
    return [v / t for v in w2d]


def i3d_boring_factor(t: int, *, divide: bool = True) -> float:
    """The 3D response to a boring video over the 2D response: 1 with ``/T``, ``T`` without."""
    _pos("T", t)
    return 1.0 if divide else float(t)


def compound_scaling(phi: float, alpha: float = 1.2, beta: float = 1.1, gamma: float = 1.15) -> dict[str, float]:
    """EfficientNet: depth ``α^φ``, width ``β^φ``, resolution ``γ^φ``; FLOPs ``(α·β²·γ²)^φ``."""
    if phi < 0:
        raise ValueError(f"φ must be non-negative, got {phi}")
    if min(alpha, beta, gamma) < 1:
        raise ValueError("α, β, γ must each be at least 1")
    return {
        "depth": alpha**phi,
        "width": beta**phi,
        "resolution": gamma**phi,
        "flops": (alpha * beta**2 * gamma**2) ** phi,
    }


def avgpool_grad(k: int) -> float:
    """Average-pool backward sends ``1/K²`` of the upstream gradient to each input of the window."""
    _pos("K", k)
    return 1.0 / (k * k)


def slowfast_channels(slow_channels: int, beta: float = 1 / 8) -> int:
    """Fast pathway width ``β·C_slow``."""
    _pos("C_slow", slow_channels)
    if not 0 < beta <= 1:
        raise ValueError("β must be in (0, 1]")
    c = slow_channels * beta
    if c != int(c):
        raise ValueError(f"β·C = {c} is not a whole number of channels")
    return int(c)


def log2_int(x: int) -> int:
    if x < 1 or x & (x - 1):
        raise ValueError(f"{x} is not a power of two")
    return int(math.log2(x))


# ---------------------------------------------------------------- backward passes and residual blocks (small, exact)


def resnet_basic_params(c_in: int, c_out: int, *, bias: bool = True, projection: bool = False) -> int:
    """Basic block: 3×3 (C_in → C_out) → 3×3 (C_out → C_out) (+ a 1×1 projection C_in → C_out on the skip)."""
    p = conv_params(3, c_in, c_out, bias=bias) + conv_params(3, c_out, c_out, bias=bias)
    if projection:
        p += one_by_one_params(c_in, c_out, bias=bias)
    return p


def pool_grad(
    kind: str, x: Sequence[Sequence[float]], k: int, s: int, upstream: Sequence[Sequence[float]], at: Sequence[int]
) -> float:
    """∂L/∂x[at] of a 2D ``valid`` pool (window ``k``, stride ``s``) with upstream gradient ``upstream``.

    Max: each window sends its whole upstream gradient to its argmax (ties: the first in row-major order, as
    TensorFlow does); avg: each window sends ``1/K²`` of it to every input.  An input in several (overlapping)
    windows sums what each sends.
    """
    _pos("K", k), _pos("stride", s)
    if kind not in ("max", "avg"):
        raise ValueError(f"kind must be 'max' or 'avg', got {kind!r}")
    h, w = len(x), len(x[0])
    oh, ow = output_size(h, k, s), output_size(w, k, s)
    if len(upstream) != oh or any(len(row) != ow for row in upstream):
        raise ValueError(f"upstream must be {oh}×{ow}")
    ti, tj = at
    total = 0.0
    for oi in range(oh):
        for oj in range(ow):
            i0, j0 = oi * s, oj * s
            if not (i0 <= ti < i0 + k and j0 <= tj < j0 + k):
                continue
            if kind == "avg":
                total += upstream[oi][oj] / (k * k)
                continue
            best = max((x[i][j], -i, -j) for i in range(i0, i0 + k) for j in range(j0, j0 + k))
            if (-best[1], -best[2]) == (ti, tj):
                total += upstream[oi][oj]
    return total


def relu_grad(x: Sequence[float], upstream: Sequence[float]) -> list[float]:
    """ReLU backward is a gate: ``g`` where ``x > 0``, else 0."""
    if len(x) != len(upstream):
        raise ValueError("x and the upstream gradient must have the same length")
    return [g if v > 0 else 0.0 for v, g in zip(x, upstream)]


def conv_input_grad(kernel: Sequence[Sequence[float]], upstream: Sequence[Sequence[float]], at: Sequence[int]) -> float:
    """∂L/∂x[i, j] of a valid, stride-1 cross-correlation ``y[p, q] = Σ x[p+a, q+b]·w[a, b]``:
    ``Σ_{a,b} g[i−a, j−b]·w[a, b]`` = the zero-padded ``g`` cross-correlated with the 180°-flipped kernel."""
    i, j = at
    kh, kw = len(kernel), len(kernel[0])
    oh, ow = len(upstream), len(upstream[0])
    return sum(
        upstream[i - a][j - b] * kernel[a][b]
        for a in range(kh)
        for b in range(kw)
        if 0 <= i - a < oh and 0 <= j - b < ow
    )


def conv_kernel_grad(x: Sequence[Sequence[float]], upstream: Sequence[Sequence[float]], at: Sequence[int]) -> float:
    """∂L/∂w[a, b] = ``Σ_{p,q} x[p+a, q+b]·g[p, q]``: the input cross-correlated with the upstream gradient."""
    a, b = at
    return sum(upstream[p][q] * x[p + a][q + b] for p in range(len(upstream)) for q in range(len(upstream[0])))


def residual_scalar_grad(blocks: Sequence[Sequence[float]], x: float, *, skip: bool = True) -> float:
    """``dy/dx`` through stacked scalar blocks ``F(t) = w2·relu(w1·t + b1)``; residual: ``t ← F(t) + t``,
    so each block multiplies the gradient by ``F'(t) + 1`` (``F'(t) = w2·w1`` if ``w1·t + b1 > 0``, else 0)."""
    t, d = float(x), 1.0
    for w1, b1, w2 in blocks:
        pre = w1 * t + b1
        f_prime = w2 * w1 if pre > 0 else 0.0
        f = w2 * max(pre, 0.0)
        d *= f_prime + (1.0 if skip else 0.0)
        t = f + t if skip else f
    return d


# ---------------------------------------------------------------- dilation coverage (gridding)


def dilated_offsets(rates: Sequence[int], k: int = 3) -> set[int]:
    """Input positions (0 = the first of the span) that reach one output of stacked dilated 1D ``K``-tap convs: the
    distinct sums ``Σ d_l·t_l`` with ``0 ≤ t_l < K``."""
    _pos("K", k)
    reach = {0}
    for d in rates:
        _pos("dilation", d)
        reach = {o + i * d for o in reach for i in range(k)}
    return reach


def gridding_holes(rates: Sequence[int], k: int = 3) -> int:
    """Positions inside the receptive field ``1 + Σ d·(K−1)`` of stacked dilated ``K``-tap convs that never reach the
    output (the gridding holes); :func:`dilated_offsets` are the positions that do."""
    if not rates:
        raise ValueError("at least one dilation rate")
    reach = dilated_offsets(rates, k)
    return max(reach) + 1 - len(reach)


# ---------------------------------------------------------------- equivariance, ViT, BN at inference


def feature_map_shift(shift: int, strides: Sequence[int]) -> int | None:
    """An input shift of ``s`` pixels moves a conv/pool stack's feature map (total stride ``S = ΠS_l``) by ``s/S``
    positions when ``S`` divides ``s``; otherwise the output is not a shifted copy (``None``)."""
    _nonneg("shift", shift)
    total = 1
    for s in strides:
        total *= _pos("stride", s)
    return shift // total if shift % total == 0 else None


def vit_tokens_hw(h: int, w: int, patch: int, *, cls: bool = True) -> int:
    """``(H/P)·(W/P) + 1`` tokens for a possibly non-square image."""
    _pos("H", h), _pos("W", w), _pos("patch", patch)
    if h % patch or w % patch:
        raise ValueError(f"the image {h}×{w} is not a multiple of the patch size {patch}")
    return (h // patch) * (w // patch) + (1 if cls else 0)


def bn_inference(x: float, mean: float, var: float, gamma: float = 1.0, beta: float = 0.0, eps: float = 1e-3) -> float:
    """BatchNorm at inference: ``γ·(x − μ_moving)/√(σ²_moving + ε) + β`` (Keras' default ε = 0.001)."""
    if var < 0 or eps < 0:
        raise ValueError("the variance and ε must be non-negative")
    return gamma * (x - mean) / math.sqrt(var + eps) + beta


def slowfast_fast_frames(slow_frames: int, alpha: int) -> int:
    """The fast pathway sees ``α`` times the slow pathway's frames."""
    return _pos("T_slow", slow_frames) * _pos("α", alpha)


def conv_input_grad_channels(kernel: Sequence[Any], upstream: Sequence[Any], at: Sequence[int]) -> float:
    """∂L/∂x[i, j, c] of a valid, stride-1, multi-channel cross-correlation ``y[p, q, o] = Σ x[p+a, q+b, c]·w[a, b, c,
    o]`` (kernel ``K×K×C_in×C_out``, upstream ``O×O×C_out``): ``Σ_o Σ_{a,b} g[i−a, j−b, o]·w[a, b, c, o]``, the padded
    upstream gradient convolved with the flipped kernel, its channel axes transposed (C_out in, C_in out)."""
    i, j, c = at
    return sum(
        conv_input_grad(
            [[kernel[a][b][c][o] for b in range(len(kernel[0]))] for a in range(len(kernel))],
            [[row[q][o] for q in range(len(row))] for row in upstream],
            (i, j),
        )
        for o in range(len(upstream[0][0]))
    )


def conv_kernel_grad_channels(x: Sequence[Any], upstream: Sequence[Any], at: Sequence[int]) -> float:
    """∂L/∂w[a, b, c, o] = ``Σ_{p,q} x[p+a, q+b, c]·g[p, q, o]``: input channel ``c`` cross-correlated with the
    upstream gradient of output channel ``o``."""
    a, b, c, o = at
    xc = [[v[c] for v in row] for row in x]
    go = [[v[o] for v in row] for row in upstream]
    return conv_kernel_grad(xc, go, (a, b))
