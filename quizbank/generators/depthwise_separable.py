"""Depthwise and depthwise-separable convolutions (MobileNet).

Depthwise ``K×K`` with depth multiplier ``m``: ``K·K·C_in·m`` weights (+ ``C_in·m`` biases in ``DepthwiseConv2D``).
Keras ``SeparableConv2D``: depthwise ``K·K·C_in·m`` (no bias) + pointwise ``C_in·m·C_out`` + ``C_out`` bias.
Standard ÷ separable (no biases) ``= 1/(1/C_out + 1/K²)``: about 8–9× for ``K = 3``.
"""

from __future__ import annotations

import random
from typing import Any

from .. import formulas as F
from .. import traps as T
from .. import witness as W
from .base import (
    RATIO_TOL,
    article,
    claims_choice,
    compared,
    fmt,
    generator,
    multi_select,
    numeric,
    numeric_choice,
    pick,
    spread,
    topic,
)

TOPIC = topic(
    "depthwise_separable",
    "Depthwise-separable convolutions",
    "Depthwise K×K then pointwise 1×1: parameters, the saving over a standard conv, and MobileNet.",
)

WIDTHS = {
    1: (32, 64, 128, 256, 512),
    2: (16, 24, 48, 96, 144, 256, 384, 512),
    3: (24, 40, 80, 112, 192, 320, 512, 960, 1024),
}


def _draw(rng: random.Random, difficulty: int) -> dict[str, Any]:
    k = 3 if difficulty == 1 else pick(rng, (3, 5) if difficulty == 2 else (5, 7))
    c_in, c_out = pick(rng, WIDTHS[difficulty]), pick(rng, WIDTHS[difficulty])
    m = pick(rng, (1, 1, 2, 4)) if difficulty == 3 else 1
    bias = True if difficulty == 1 else rng.random() < 0.6
    return {"k": k, "c_in": c_in, "c_out": c_out, "m": m, "bias": bias, "h": pick(rng, (14, 28, 56, 112))}


def _sep(p: dict[str, Any], bias: bool | None = None) -> int:
    b = p["bias"] if bias is None else bias
    return F.separable_params(p["k"], p["c_in"], p["c_out"], bias=b, depth_multiplier=p["m"])


def _dw(p: dict[str, Any], bias: bool | None = None) -> int:
    b = p["bias"] if bias is None else bias
    return F.depthwise_params(p["k"], p["c_in"], depth_multiplier=p["m"], bias=b)


def _std(p: dict[str, Any], bias: bool | None = None) -> int:
    return F.conv_params(p["k"], p["c_in"], p["c_out"], bias=p["bias"] if bias is None else bias)


def _shape(p: dict[str, Any]) -> list[int]:
    return [p["h"], p["h"], p["c_in"]]


def _sep_layer(p: dict[str, Any]) -> Any:
    return W.separable2d(p["c_out"], p["k"], padding="same", depth_multiplier=p["m"], use_bias=p["bias"])


def _sep_witness(p: dict[str, Any]) -> Any:
    return W.sequential(_shape(p), [_sep_layer(p)], "count_params")


def _dw_witness(p: dict[str, Any]) -> Any:
    layer = W.depthwise2d(p["k"], padding="same", depth_multiplier=p["m"], use_bias=p["bias"])
    return W.sequential(_shape(p), [layer], "count_params")


def _std_witness(p: dict[str, Any]) -> Any:
    layer = W.conv2d(p["c_out"], p["k"], padding="same", use_bias=p["bias"])
    return W.sequential(_shape(p), [layer], "count_params")


def _args(p: dict[str, Any], sep: bool) -> str:
    a = f"{p['c_out']}, {p['k']}" if sep else f"{p['k']}"
    a += ", padding='same'"
    if p["m"] > 1:
        a += f", depth_multiplier={p['m']}"
    if not p["bias"]:
        a += ", use_bias=False"
    return a


def _sep_derivation(p: dict[str, Any]) -> str:
    k, c_in, c_out, m = p["k"], p["c_in"], p["c_out"], p["m"]
    mm = f"\\cdot{m}" if m > 1 else ""
    b = f" + {c_out}" if p["bias"] else ""
    return (
        f"Depthwise: one ${k}\\times{k}$ filter per input channel{f' ({m} per channel)' if m > 1 else ''}, "
        f"${k}\\cdot{k}\\cdot{c_in}{mm} = {fmt(k * k * c_in * m)}$ (Keras puts no bias on this step). Pointwise 1×1: "
        f"${c_in}{mm}\\cdot{c_out} = {fmt(c_in * m * c_out)}$"
        + (f", plus ${c_out}$ biases" if p["bias"] else "")
        + f". Total ${fmt(k * k * c_in * m)} + {fmt(c_in * m * c_out)}{b} = {fmt(_sep(p))}$."
    )


def _dw_derivation(p: dict[str, Any]) -> str:
    k, c_in, m = p["k"], p["c_in"], p["m"]
    mm = f"\\cdot{m}" if m > 1 else ""
    b = " + 1" if p["bias"] else ""
    return (
        f"A depthwise conv gives each of the ${c_in}$ input channels its own "
        + (f"${m}$ ${k}\\times{k}$ filters, which see" if m > 1 else f"${k}\\times{k}$ filter, which sees")
        + " that channel only: "
        f"$({k}\\cdot{k}{b})\\cdot{c_in}{mm} = {fmt(_dw(p))}$"
        + (" (one bias per output channel)." if p["bias"] else ".")
    )


def _sep_traps(p: dict[str, Any]) -> list[tuple[str, int]]:
    k, c_in, c_out, m = p["k"], p["c_in"], p["c_out"], p["m"]
    b_out = c_out if p["bias"] else 0
    key = _sep(p)
    traps: list[tuple[str, int]] = [
        ("separable_as_full", T.separable_as_full(k, c_in, c_out) + b_out),
        ("separable_forgot_pointwise", T.separable_forgot_pointwise(k, c_in, c_out) * m),
    ]
    if p["bias"]:
        traps.append(("separable_depthwise_bias", T.separable_depthwise_bias(k, c_in, c_out, depth_multiplier=m)))
        traps.append(("forgot_bias", key - c_out))
    return traps


def _dw_traps(p: dict[str, Any]) -> list[tuple[str, int]]:
    k, c_in, m = p["k"], p["c_in"], p["m"]
    traps: list[tuple[str, int]] = [
        ("depthwise_as_full", T.depthwise_as_full(k, c_in, depth_multiplier=m, bias=p["bias"]))
    ]
    if p["bias"]:
        traps.append(("forgot_bias", _dw(p, bias=False)))
        traps.append(("bias_per_input_channel", k * k * c_in * m + c_in * c_in * m))
    traps.append(("conv_times_hw", _dw(p) * p["h"] * p["h"]))
    return traps


def _params_question(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw(rng, difficulty)
    which = "separable" if difficulty == 1 else pick(rng, ("separable", "separable", "depthwise"))
    p["ask"] = which
    shape = f"${p['h']}\\times{p['h']}\\times{p['c_in']}$"
    if which == "separable":
        return {
            "p": p,
            "stem": f"How many parameters does `SeparableConv2D({_args(p, True)})` on {article(str(shape))} {shape} input have "
            "(Keras `count_params()`)?",
            "key": _sep(p),
            "traps": _sep_traps(p),
            "explanation": _sep_derivation(p)
            + f" A standard `Conv2D({p['c_out']}, {p['k']})` would have {fmt(_std(p))}.",
            "witness": _sep_witness(p),
        }
    return {
        "p": p,
        "stem": f"How many parameters does `DepthwiseConv2D({_args(p, False)})` on {article(str(shape))} {shape} input have "
        "(Keras `count_params()`)?",
        "key": _dw(p),
        "traps": _dw_traps(p),
        "explanation": _dw_derivation(p),
        "witness": _dw_witness(p),
    }


@generator(
    "depthwise_separable.params", topic="depthwise_separable", title="Count separable params", kind="numeric", version=2
)
def params(rng: random.Random, difficulty: int) -> dict[str, Any]:
    q = _params_question(rng, difficulty)
    return numeric(
        stem=q["stem"],
        key=q["key"],
        traps=q["traps"],
        explanation=q["explanation"],
        params=q["p"],
        witness=q["witness"],
    )


@generator(
    "depthwise_separable.pick", topic="depthwise_separable", title="Pick separable params", kind="choice", version=2
)
def pick_params(rng: random.Random, difficulty: int) -> dict[str, Any]:
    q = _params_question(rng, difficulty)
    return numeric_choice(
        rng,
        stem=q["stem"],
        key=q["key"],
        traps=q["traps"],
        explanation=q["explanation"],
        params=q["p"],
        witness=q["witness"],
    )


@generator(
    "depthwise_separable.ratio", topic="depthwise_separable", title="Standard ÷ separable", kind="numeric", version=2
)
def ratio(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw(rng, difficulty)
    p["m"] = 1
    if difficulty < 3:
        p["bias"] = False
    k, c_in, c_out = p["k"], p["c_in"], p["c_out"]
    std, sep = _std(p), _sep(p)
    r = std / sep
    traps: list[tuple[str, float]] = [
        ("ratio_inverted", T.ratio_inverted(std, sep)),
        ("separable_ratio_k_squared", T.separable_ratio_k_squared(k)),
        ("separable_forgot_pointwise", std / (k * k * c_in)),
        ("separable_as_full", 1.0),
    ]
    if p["bias"]:
        traps.append(("separable_depthwise_bias", std / (sep + c_in)))
    bias = (
        "with biases (Keras defaults: the separable layer has one bias of $C_{out}$)"
        if p["bias"]
        else "without biases (`use_bias=False` on both)"
    )
    text = (
        f"Standard: ${k}\\cdot{k}\\cdot{c_in}\\cdot{c_out}{f' + {c_out}' if p['bias'] else ''} = {fmt(std)}$. "
        + _sep_derivation(p)
        + f" Ratio ${fmt(std)}/{fmt(sep)} \\approx {r:.3f}$."
    )
    if not p["bias"]:
        text += (
            f" In closed form, separable/standard $= 1/C_{{out}} + 1/K^2 = 1/{c_out} + 1/{k * k}$, so standard ÷ "
            f"separable $= 1/(1/{c_out} + 1/{k * k}) \\approx {r:.3f}$: a little below $K^2 = {k * k}$."
        )
    return numeric(
        stem=(
            f"A `Conv2D({c_out}, {k})` and a `SeparableConv2D({c_out}, {k})` both map ${c_in}$ channels to "
            f"${c_out}$, {bias}. How many times more parameters does the standard conv have? Give standard ÷ "
            "separable (within 0.5%)."
        ),
        key=round(r, 3),
        traps=spread(r, traps),
        tolerance=RATIO_TOL,
        unit="×",
        explanation=text,
        params=p,
        witness=W.combine("ratio", _std_witness(p), _sep_witness(p)),
    )


DEFINITION = (
    "A depthwise K×K conv (each input channel filtered on its own, no channel mixing) followed by a pointwise 1×1 "
    "conv that mixes the channels."
)


def _equivalence_probe(p: dict[str, Any]) -> Any:
    return W.probe(
        "separable_is_depthwise_then_pointwise",
        expect=True,
        size=p["k"] + 4,
        k=p["k"],
        c_in=min(p["c_in"], 4),
        c_out=min(p["c_out"], 6),
        depth_multiplier=p["m"],
    )


@generator(
    "depthwise_separable.definition",
    topic="depthwise_separable",
    title="What a separable conv is",
    kind="choice",
    version=2,
)
def definition(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw(rng, difficulty)
    extra = (
        f" With `depth_multiplier={p['m']}` the depthwise step makes {p['m']} filters per input channel."
        if p["m"] > 1
        else ""
    )
    dm = f", depth_multiplier={p['m']}" if p["m"] > 1 else ""
    k, c_in, c_out, m = p["k"], p["c_in"], p["c_out"], p["m"]
    per = "one per channel" if m == 1 else f"{m} per channel"
    return claims_choice(
        rng,
        stem=(
            f"MobileNet replaces a standard ${k}\\times{k}$ conv by a depthwise-separable one, e.g. Keras "
            f"`SeparableConv2D({c_out}, {k}{dm})` on ${c_in}$ channels.{extra} What does this layer consist of?"
        ),
        right=[
            f"A {k}×{k} depthwise conv ({per}), then a 1×1 conv to {c_out} channels.",
            f"`DepthwiseConv2D({k}{dm})` followed by `Conv2D({c_out}, 1)`.",
            f"Per-channel {k}×{k} filtering, then a pointwise 1×1 mixing into {c_out} channels.",
        ],
        wrong=[
            (
                "separable_is_depthwise_plus_3x3",
                f"`DepthwiseConv2D({k}{dm})` followed by a regular `Conv2D({c_out}, 3)`.",
            ),
            (
                "depthwise_mixes_channels",
                f"A {k}×{k} conv whose filters see all {c_in} channels, then a per-channel 1×1.",
            ),
            ("separable_is_spatial_factorised", f"A {k}×1 conv followed by a 1×{k} conv, each to {c_out} channels."),
            ("separable_as_full", f"A standard `Conv2D({c_out}, {k})`, computed by a faster algorithm."),
        ],
        correct_feedback="Right: depthwise filters space per channel, pointwise mixes channels.",
        explanation=(
            _sep_derivation(p) + " The depthwise step filters space channel by channel; the pointwise 1×1 mixes the "
            "channels. The live probe copies the kernels of a real `SeparableConv2D` into a `DepthwiseConv2D` and a "
            "1×1 `Conv2D` and gets the same output."
        ),
        params=p,
        witness=_equivalence_probe(p),
    )


@generator(
    "depthwise_separable.facts",
    topic="depthwise_separable",
    title="Separable convs and MobileNet",
    kind="choice",
    version=2,
)
def facts(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw(rng, difficulty)
    p["m"], p["bias"] = 1, False
    r = _std(p) / _sep(p)
    true = [
        "It is a depthwise K×K conv followed by a pointwise 1×1 conv.",
        f"Without biases, {article(str(p['k']))} {p['k']}×{p['k']} separable conv from {p['c_in']} to {p['c_out']} channels has about "
        f"{r:.1f}× {compared(_sep(p), _std(p))} parameters than the standard conv ({fmt(_sep(p))} vs "
        f"{fmt(_std(p))}).",
        "At the same width it is less expressive than a standard conv: its kernels are restricted to a factorised "
        "(low-rank) form.",
        "MobileNet-v1 is a plain stack of depthwise-separable convs; inverted residuals with linear bottlenecks "
        "came with MobileNet-v2.",
    ]
    wrong: list[str | tuple[str, str]] = [
        "mobilenet_v1_inverted_residual",
        "separable_more_expressive",
        ("separable_is_depthwise_plus_3x3", "It is a depthwise conv followed by a regular 3×3 conv."),
        ("depthwise_mixes_channels", "Its depthwise step already mixes all input channels, like a standard conv."),
    ]
    n_true, n_false = {1: (2, 2), 2: (3, 2), 3: (3, 3)}[difficulty]
    right = [true[0], *rng.sample(true[1:], n_true - 1)]
    if true[2] in right and rng.random() < 0.5:
        witness = W.probe(
            "separable_less_expressive", expect=True, k=p["k"], c_in=min(p["c_in"], 3), c_out=min(p["c_out"], 4)
        )
        how = "fits the best separable factorisation to a random standard `Conv2D` and finds a clear output error"
    else:
        witness = _equivalence_probe(p)
        how = "rebuilds a real `SeparableConv2D` as `DepthwiseConv2D` + 1×1 `Conv2D` and gets the same output"
    return multi_select(
        rng,
        stem=(
            f"About depthwise-separable convolutions (Keras `SeparableConv2D`, here ${p['k']}\\times{p['k']}$, "
            f"${p['c_in']}$ → ${p['c_out']}$ channels): select **all** true statements."
        ),
        correct=right,
        wrong=rng.sample(wrong, n_false),
        explanation=(
            f"Standard: ${p['k']}^2\\cdot{p['c_in']}\\cdot{p['c_out']} = {fmt(_std(p))}$. "
            + _sep_derivation(p)
            + f" Ratio $\\approx {r:.2f}$ ($= 1/(1/C_{{out}} + 1/K^2)$). The factorisation is a restriction, so it "
            "is less expressive at equal width. MobileNet-v1 stacks these blocks plainly; v2 adds inverted "
            f"residuals and linear bottlenecks. The live probe {how}."
        ),
        params=p,
        witness=witness,
    )
