"""Dilated (atrous) convolution: ``K_eff = d(K−1)+1``, unchanged parameters, RF of dilated stacks (DeepLab,
WaveNet), and the gridding artefact with its HDC fix."""

from __future__ import annotations

import math
import random
from typing import Any

from .. import formulas as F
from .. import traps as T
from .. import witness as W
from .base import (
    DOTS,
    Redraw,
    article,
    choice,
    claims_choice,
    fmt,
    generator,
    multi_select,
    numeric,
    numeric_choice,
    pick,
    terms,
    topic,
)

TOPIC = topic(
    "dilation",
    "Dilated convolution",
    "Effective kernel d(K−1)+1, the same weights over a wider window, RF of dilated stacks (DeepLab, WaveNet), "
    "gridding and hybrid dilation rates.",
)


def _keff_witness(k: int, d: int, dims: int) -> Any:
    keff = F.effective_kernel(k, d)
    n = 2 * keff + 1
    if dims == 1:
        return W.sequential([n, 1], [W.conv1d(1, k, dilation=d)], "receptive_field")
    return W.sequential([n, n, 1], [W.conv2d(1, k, dilation=d)], "receptive_field")


# ------------------------------------------------------------------ the effective kernel


def _draw_kernel(rng: random.Random, difficulty: int, allow_k2: bool = True) -> dict[str, Any]:
    dims, ctx = 2, ""
    if difficulty == 1:
        k, d = 3, pick(rng, (2, 3, 4))
    elif difficulty == 2:
        k, d = pick(rng, (3, 5, 7)), rng.randint(2, 6)
    else:
        flavour = pick(rng, ("aspp", "wavenet", "big") if allow_k2 else ("aspp", "tcn", "big"))
        if flavour == "aspp":
            k, d, ctx = 3, pick(rng, (6, 12, 18, 24)), "one of DeepLab's ASPP branches"
        elif flavour == "wavenet":
            k, d, dims, ctx = 2, pick(rng, (16, 32, 64, 128, 256, 512)), 1, "a WaveNet layer"
        elif flavour == "tcn":
            k, d, dims, ctx = 3, pick(rng, (8, 16, 32, 64)), 1, "a temporal conv network layer"
        else:
            k, d = pick(rng, (5, 7)), rng.randint(3, 8)
    return {"k": k, "d": d, "dims": dims, "ctx": ctx, "filters": pick(rng, (16, 32, 64, 256))}


def _kernel_text(p: dict[str, Any]) -> str:
    cls = "Conv1D" if p["dims"] == 1 else "Conv2D"
    ctx = f" ({p['ctx']})" if p["ctx"] else ""
    return f"`{cls}({p['filters']}, {p['k']}, dilation_rate={p['d']})`{ctx}"


def _kernel_parts(p: dict[str, Any]) -> tuple[int, list[tuple[str, int]], str]:
    k, d = p["k"], p["d"]
    keff = F.effective_kernel(k, d)
    traps = [
        ("dilation_as_k_times_d", T.effective_kernel_as_kd(k, d)),
        ("ignored_dilation", k),
        ("dilation_adds_d_minus_1", T.dilation_adds_d_minus_1(k, d)),
    ]
    unit = "samples" if p["dims"] == 1 else "pixels (per side)"
    expl = (
        f"Dilation $d$ leaves $d-1$ gaps between adjacent taps, and {article(str(k))} {k}-tap kernel has {k - 1} such gaps: "
        f"$K_{{eff}} = d(K-1)+1 = {d}\\cdot({k}-1)+1 = {keff}$ {unit}. The kernel still has only {k} taps per axis "
        f"({k * k if p['dims'] == 2 else k} weights per channel pair); they are just spread over {keff}."
    )
    return keff, traps, expl


@generator(
    "dilation.effective_kernel", topic="dilation", title="Effective kernel size of a dilated conv", kind="numeric"
)
def effective_kernel(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw_kernel(rng, difficulty)
    keff, traps, expl = _kernel_parts(p)
    axis = "along the time axis" if p["dims"] == 1 else "along each side"
    return numeric(
        stem=f"For {_kernel_text(p)}, how many input positions {axis} does one output's window span "
        "(its effective kernel size)?",
        key=keff,
        traps=traps,
        explanation=expl,
        params={k: v for k, v in p.items() if k != "ctx"},
        witness=_keff_witness(p["k"], p["d"], p["dims"]),
    )


@generator("dilation.window", topic="dilation", title="Pick the window a dilated conv sees", kind="choice")
def window(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw_kernel(rng, difficulty, allow_k2=False)
    keff, traps, expl = _kernel_parts(p)

    def render(v: int) -> str:
        return f"{fmt(v)} samples" if p["dims"] == 1 else f"{fmt(v)}×{fmt(v)}"

    return numeric_choice(
        rng,
        stem=f"What window of the input does one output of {_kernel_text(p)} see?",
        key=keff,
        traps=traps,
        explanation=expl,
        params={k: v for k, v in p.items() if k != "ctx"},
        witness=_keff_witness(p["k"], p["d"], p["dims"]),
        render=render,
    )


# ------------------------------------------------------------------ parameters do not change


@generator("dilation.params", topic="dilation", title="Parameters of a dilated conv", kind="numeric", version=2)
def params(rng: random.Random, difficulty: int) -> dict[str, Any]:
    k = pick(rng, {1: (2, 3, 5, 7), 2: (3, 3, 5)}.get(difficulty, (3, 5, 7)))
    d = pick(rng, (2, 3, 4) if difficulty < 3 else (2, 4, 6, 12))
    keff = F.effective_kernel(k, d)
    side = max(32, keff + 8)
    if difficulty == 1:
        c_in = pick(rng, (3, 16, 32, 64))
        c_out = pick(rng, (16, 32, 64, 128))
        key = k * k
        stem = (
            f"`Conv2D({c_out}, {k}, dilation_rate={d})` runs on {article(str(side))} {side}×{side}×{c_in} input. How many weights connect "
            "one input channel to one output channel?"
        )
        traps = [
            ("dilation_adds_params", T.dilation_adds_params(k, 1, 1, d, bias=False)),
            ("dilation_as_k_times_d", T.effective_kernel_as_kd(k, d) ** 2),
        ]
        witness = W.sequential([side, side, 1], [W.conv2d(1, k, dilation=d, use_bias=False)], "count_params")
        expl = (
            f"Dilation spreads the {k}×{k} taps over {article(str(keff))} {keff}×{keff} window ($K_{{eff}} = {d}\\cdot({k}-1)+1$) "
            f"but adds no taps: still ${k}\\cdot{k} = {key}$ weights per channel pair."
        )
        p = {"k": k, "d": d, "c_in": c_in, "c_out": c_out, "form": "pair"}
    elif difficulty == 2 or rng.random() < 0.5:
        c_in = pick(rng, (3, 16, 32, 64, 128, 256))
        c_out = pick(rng, (16, 32, 64, 128, 256))
        bias = difficulty == 2 or rng.random() < 0.5
        key = F.conv_params(k, c_in, c_out, bias=bias)
        b = "" if bias else ", use_bias=False"
        stem = (
            f"How many parameters does `Conv2D({c_out}, {k}, dilation_rate={d}{b})` have on "
            f"{article(str(side))} {side}×{side}×{c_in} input?"
        )
        traps = [
            ("dilation_adds_params", T.dilation_adds_params(k, c_in, c_out, d, bias=bias)),
            ("dilation_as_k_times_d", F.conv_params(T.effective_kernel_as_kd(k, d), c_in, c_out, bias=bias)),
            ("forgot_bias", key - c_out if bias else key + c_out),
        ]
        witness = W.sequential([side, side, c_in], [W.conv2d(c_out, k, dilation=d, use_bias=bias)], "count_params")
        plus = " + 1" if bias else ""
        expl = (
            f"Dilation does not add weights: each filter still has ${k}\\cdot{k}\\cdot{c_in}$ taps"
            f"{' and one bias' if bias else ''}, only spread over {article(str(keff))} {keff}×{keff} window. "
            f"$({k}\\cdot{k}\\cdot{c_in}{plus})\\cdot{c_out} = {fmt(key)}$, exactly the undilated count."
        )
        p = {"k": k, "d": d, "c_in": c_in, "c_out": c_out, "bias": bias, "form": "conv"}
    else:
        c = pick(rng, (32, 64, 128, 256, 512, 728))
        bias = rng.random() < 0.5
        key = F.depthwise_params(k, c, bias=bias)
        b = "" if bias else ", use_bias=False"
        stem = (
            f"DeepLabv3+ uses atrous depthwise convs. How many parameters does `DepthwiseConv2D({k}, "
            f"dilation_rate={d}{b})` have on {article(str(side))} {side}×{side}×{c} input?"
        )
        traps = [
            ("dilation_adds_params", F.depthwise_params(keff, c, bias=bias)),
            ("dilation_as_k_times_d", F.depthwise_params(T.effective_kernel_as_kd(k, d), c, bias=bias)),
            ("depthwise_as_full", T.depthwise_as_full(k, c, bias=bias)),
            ("forgot_bias", key - c if bias else key + c),
        ]
        witness = W.sequential([side, side, c], [W.depthwise2d(k, dilation=d, use_bias=bias)], "count_params")
        expl = (
            f"A depthwise conv has one {k}×{k} filter per channel{' and one bias per channel' if bias else ''}; dilation "
            f"spreads the taps over {keff}×{keff} without adding any: "
            f"$({k}\\cdot{k}{' + 1' if bias else ''})\\cdot{c} = {fmt(key)}$."
        )
        p = {"k": k, "d": d, "c": c, "bias": bias, "form": "depthwise"}
    return numeric(stem=stem, key=key, traps=traps, explanation=expl, params=p, witness=witness)


# ------------------------------------------------------------------ gridding


SAME_RATE = ((2, 2, 2), (3, 3, 3), (4, 4, 4), (2, 2), (5, 5, 5))
COMMON_FACTOR = ((2, 4, 8), (2, 4, 6), (3, 6, 9), (2, 6, 10), (4, 8, 12))
TOO_FAST = ((1, 4, 8), (1, 5, 10), (1, 2, 8), (1, 4, 5), (1, 2, 9))
COVERING = ((1, 2, 5), (1, 2, 4), (1, 2, 3), (1, 1, 1), (1, 3, 9), (1, 2, 5, 9), (1, 2, 4, 8), (2, 1, 3), (1, 3, 5))


# hole counts along one axis, computed once (they are constants of the schedules above)
HOLES: dict[tuple[int, ...], int] = {r: F.gridding_holes(r, 3) for r in SAME_RATE + COMMON_FACTOR + TOO_FAST + COVERING}


def _holey_trap(rates: tuple[int, ...]) -> str:
    if len(set(rates)) == 1:
        return "gridding_fixed_by_same_rate"
    if math.gcd(*rates) > 1:
        return "dilation_common_factor"
    return "dilation_rate_too_large"


def _rates(r: tuple[int, ...]) -> str:
    return "rates " + ", ".join(map(str, r))


def _permuted(rng: random.Random, rates: tuple[int, ...]) -> tuple[int, ...]:
    out = list(rates)
    rng.shuffle(out)
    return tuple(out)


def _coverage_line(r: tuple[int, ...]) -> str:
    span = 1 + sum(2 * d for d in r)
    holes = F.gridding_holes(r, 3)
    return f"- {_rates(r)}: span {span}, " + (
        f"**{holes} positions never reached**" if holes else "every position reached"
    )


@generator(
    "dilation.gridding",
    topic="dilation",
    title="Which dilation schedule leaves holes (gridding)",
    kind="choice",
    version=2,
)
def gridding(rng: random.Random, difficulty: int) -> dict[str, Any]:
    polarity = "holes" if difficulty == 1 else pick(rng, ("holes", "covers")) if difficulty == 2 else "covers"
    if polarity == "holes":
        correct = pick(rng, SAME_RATE if difficulty == 1 else SAME_RATE + COMMON_FACTOR + TOO_FAST)
        pool = [c for c in COVERING if len(c) == 3 or difficulty == 3]
        others = [_permuted(rng, o) for o in rng.sample(pool, 3)]  # any layer order covers the same offsets
        distractors: list[tuple[str, ...]] = [
            (
                "hdc_leaves_holes",
                _rates(o),
                f"{_rates(o).capitalize()} reach all {1 + 2 * sum(o)} positions of their span: sorted, they start at 1 "
                "and no rate outruns the width the smaller ones cover. " + T.get("hdc_leaves_holes").feedback,
            )
            for o in others
        ]
        ask = "Which schedule leaves **holes** — input pixels inside the receptive field that no path ever reaches?"
    else:
        correct = pick(rng, COVERING[:5] if difficulty == 2 else COVERING)
        others = [pick(rng, SAME_RATE), pick(rng, COMMON_FACTOR), pick(rng, TOO_FAST)]
        distractors = [(_holey_trap(o), _rates(o)) for o in others]
        ask = "Which schedule covers **every** input pixel of its receptive field (no gridding)?"
    holes = F.gridding_holes(correct, 3)
    if (holes > 0) != (polarity == "holes") or any((F.gridding_holes(o, 3) > 0) == (holes > 0) for o in others):
        raise Redraw
    stem = (
        f"Each option is a schedule of dilation rates for stacked 3×3 convs (stride 1). {ask} "
        "(Look along one axis; the 2D pattern is the product of the 1D one.)"
    )
    expl = (
        "A 3×3 layer at rate $d$ adds taps at offsets $\\{-d, 0, d\\}$ to every position already reached. The set stays "
        "gap-free only if each rate is at most the width covered so far; repeating a rate > 1, or rates with a common "
        "factor, only ever reach a sparse grid (the gridding artefact). Hybrid dilated convolution (HDC) picks rates "
        "such as 1, 2, 5 that fill each other's gaps. Along one axis:\n\n"
        + "\n".join(_coverage_line(r) for r in (correct, *others))
    )
    return choice(
        rng,
        stem=stem,
        correct=_rates(correct),
        distractors=distractors,
        explanation=expl,
        params={"rates": list(correct), "polarity": polarity, "others": [list(o) for o in others]},
        witness=W.probe("dilation_gridding_holes", expect=holes, rates=list(correct), k=3),
    )


# ------------------------------------------------------------------ RF of dilated stacks


def _stack_draw(rng: random.Random, difficulty: int) -> dict[str, Any]:
    if difficulty == 1:
        rates = pick(rng, ((1, 2, 4), (1, 2, 5), (2, 2), (1, 3), (1, 2), (2, 4), (1, 2, 3), (1, 1, 2)))
        return {"form": "2d", "k": 3, "rates": list(rates), "stacks": 1, "pre": []}
    if difficulty == 2:
        n = rng.randint(4, 10)
        return {"form": "wavenet", "k": 2, "rates": [2**i for i in range(n)], "stacks": 1, "pre": []}
    if rng.random() < 0.5:
        n = rng.randint(3, 9)
        return {"form": "wavenet", "k": 2, "rates": [2**i for i in range(n)], "stacks": rng.randint(2, 3), "pre": []}
    pre = [pick(rng, ((7, 2), (3, 2), (5, 1))), (2, 2)]
    rates = pick(rng, ((2, 2), (2, 4), (1, 2, 4), (2, 4, 8), (4,)))
    return {"form": "deeplab", "k": 3, "rates": list(rates), "stacks": 1, "pre": [list(x) for x in pre]}


def _stack_layers(p: dict[str, Any]) -> list[F.RFLayer]:
    pre = [F.RFLayer(k, s, 1) for k, s in p["pre"]]
    return pre + [F.RFLayer(p["k"], 1, d) for d in p["rates"]] * p["stacks"]


@generator("dilation.stack_rf", topic="dilation", title="Receptive field of dilated stacks", kind="numeric")
def stack_rf(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _stack_draw(rng, difficulty)
    k, rates, stacks = p["k"], p["rates"], p["stacks"]
    rate_txt = ", ".join(map(str, rates))
    if p["form"] == "wavenet":
        key = F.wavenet_rf(k, rates, stacks)
        n_layers = stacks * len(rates)
        traps: list[tuple[str, Any]] = [
            ("wavenet_rf_dilation_sum", T.wavenet_rf_dilation_sum(rates, stacks)),
            # the same values as T.rf_dilation_as_kd / ignored dilation / T.rf_l_times_k on the layer list (tested)
            ("dilation_as_k_times_d", 1 + stacks * sum(k * d - 1 if d > 1 else k - 1 for d in rates)),
            ("ignored_dilation", 1 + n_layers * (k - 1)),
            ("rf_l_times_k", n_layers * k),
        ]
        reps = f"{stacks} repetitions of " if stacks > 1 else ""
        stem = (
            f"A WaveNet-style stack: {reps}causal `Conv1D(32, 2, dilation_rate=d, padding='causal')` layers with "
            f"$d$ = {rate_txt}. How many input samples does one output sample depend on (its receptive field)?"
        )
        expl = (
            f"Each causal layer with $K=2$ adds $(K-1)\\cdot d = d$ samples; the output sample itself counts 1: "
            f"$RF = 1 + {stacks if stacks > 1 else ''}{'·' if stacks > 1 else ''}({' + '.join(map(str, rates))}) = "
            f"1 + {stacks * sum(rates)} = {key}$. Doubling rates double the RF per layer (WaveNet: 1…512 → 1024) while "
            "each layer keeps 2 taps. Causal padding only shifts the window into the past; it does not change its size."
        )
        n = 2 * key + 2
        witness = W.sequential(
            [n, 1], [W.conv1d(1, k, dilation=d, padding="causal") for d in rates] * stacks, "receptive_field"
        )
        params_out = {"k": k, "rates": rates, "stacks": stacks, "form": "wavenet"}
    else:
        layers = _stack_layers(p)
        key, j = F.receptive_field(layers)
        traps = [
            ("dilation_as_k_times_d", T.rf_dilation_as_kd(layers)),
            ("ignored_dilation", F.receptive_field([F.RFLayer(x.k, x.s, 1) for x in layers])[0]),
            ("rf_l_times_k", T.rf_l_times_k(layers)),
        ]
        if p["pre"]:
            traps.insert(0, ("rf_ignored_stride", T.rf_ignored_stride(layers)))
        pre_txt = "".join(f"`Conv2D(64, {kk}{f', strides={s}' if s > 1 else ''})` → " for kk, s in p["pre"])
        body = " → ".join(f"`Conv2D(64, 3, dilation_rate={d})`" if d > 1 else "`Conv2D(64, 3)`" for d in rates)
        stem = (
            f"What is the receptive field (side, in input pixels) of one output of {pre_txt}{body}? "
            "All layers use 'valid' padding."
        )
        rows, r, jj = [], 1, 1
        for x in layers:
            add = (x.k - 1) * x.d * jj
            rows.append(
                f"- {x.k}×{x.k}{f', d={x.d}' if x.d > 1 else ''}{f', stride {x.s}' if x.s > 1 else ''}: "
                f"$+({x.k}-1)\\cdot{x.d}\\cdot{jj} = +{add}$ → {r + add}"
            )
            r, jj = r + add, jj * x.s
        expl = (
            "Each layer adds $(K-1)\\cdot d\\cdot j$, with $j$ the product of the earlier strides:\n\n"
            + "\n".join(rows)
            + f"\n\nRF = {key}×{key}. Dilation grows the RF like a $K_{{eff}} = d(K-1)+1$ kernel with only $K\\times K$ "
            "weights, and after strides it is multiplied by the jump — DeepLab's way to keep a large RF at output stride "
            "8 or 16."
        )
        n = 2 * key + j + 2
        keras_layers = [W.conv2d(1, kk, strides=s) for kk, s in p["pre"]] + [W.conv2d(1, 3, dilation=d) for d in rates]
        witness = W.sequential([n, n, 1], keras_layers, "receptive_field")
        params_out = {"k": k, "rates": rates, "pre": p["pre"], "form": p["form"]}
    return numeric(
        stem=stem,
        key=key,
        traps=traps,
        explanation=expl,
        params=params_out,
        witness=witness,
        unit="samples" if p["form"] == "wavenet" else "pixels",
    )


# ------------------------------------------------------------------ why dilate


def _deeplab(rng: random.Random) -> dict[str, Any]:
    d = pick(rng, (2, 4))
    return claims_choice(
        rng,
        stem=(
            "DeepLab removes the stride of its last stages and makes their 3×3 convs dilated (atrous, e.g. "
            f"`dilation_rate={d}`) instead. What does that buy?"
        ),
        right=[
            "A larger receptive field at the same feature-map resolution and the same weights.",
            f"Each 3×3 sees a {2 * d + 1}×{2 * d + 1} window, with no downsampling and no extra weights.",
            "Context without striding: the map keeps its size, the weights stay 3×3.",
        ],
        wrong=[
            ("dilation_adds_params", f"More weights: a 3×3 at rate {d} has {(2 * d + 1) ** 2} per channel pair."),
            ("dilation_downsamples", "Speed: dilation skips output positions like a stride does."),
            ("ignored_dilation", "Only speed: a dilated 3×3 still sees a 3×3 window."),
            ("gridding_fixed_by_same_rate", f"Hole-free features: repeating rate {d} fills every pixel."),
        ],
        explanation=(
            f"A 3×3 at rate {d} spans $K_{{eff}} = {d}\\cdot 2 + 1 = {2 * d + 1}$ pixels with the same 9 weights per "
            "channel pair, and at stride 1 with 'same' padding the map keeps its size. Striding would also grow the RF, "
            "but by throwing away resolution that segmentation needs."
        ),
        params={"variant": "deeplab", "d": d},
        witness=W.probe("dilation_free_rf_growth", expect=True, k=3, d=d),
    )


def _wavenet(rng: random.Random) -> dict[str, Any]:
    n = pick(rng, (8, 9, 10))
    rates = [2**i for i in range(n)]
    rf = F.wavenet_rf(2, rates)
    return claims_choice(
        rng,
        stem=(
            f"WaveNet stacks causal `Conv1D` layers with kernel size 2 and dilation rates 1, 2, 4, …, {rates[-1]} "
            f"({n} layers). What does one output sample of the stack see?"
        ),
        right=[
            f"The previous {rf} samples, itself included: each layer doubles the context.",
            f"{rf} samples, all at or before its own time step.",
        ],
        wrong=[
            ("ignored_dilation", f"The previous {n + 1} samples: each layer adds one, dilation only speeds it up."),
            ("wavenet_rf_dilation_sum", f"The previous {rf - 1} samples: the context is the sum of the rates."),
            ("wavenet_not_causal", f"{rf} samples centred on it, half of them from the future."),
            ("rf_l_times_k", f"{2 * n} samples: {n} layers of 2 taps each."),
        ],
        explanation=(
            f"Each causal $K=2$ layer adds $(K-1)\\cdot d = d$ samples: $RF = 1 + ({terms(rates, dots=DOTS)}) = "
            f"{rf}$. Causal padding puts all of them in the past, so audio can be generated sample by sample."
        ),
        params={"variant": "wavenet", "n": n},
        witness=W.probe("dilated_rf_extent", expect=rf, rates=rates, k=2),
    )


HDC_GOOD = ((1, 2, 5), (1, 2, 3), (1, 3, 5), (1, 2, 4))
HDC_FACTOR = ((2, 4, 8), (2, 4, 6), (3, 6, 9))
HDC_JUMP = ((1, 4, 8), (1, 2, 8), (1, 5, 9))


def _hdc(rng: random.Random) -> dict[str, Any]:
    r = pick(rng, (2, 3))
    good = list(pick(rng, HDC_GOOD))
    rng.shuffle(good)
    factor, jump = pick(rng, HDC_FACTOR), pick(rng, HDC_JUMP)
    same = pick(rng, tuple(x for x in (2, 3, 4, 5) if x != r))
    rates = ", ".join(map(str, good))
    return choice(
        rng,
        stem=(
            f"A segmentation net stacks three 3×3 convs all at `dilation_rate={r}` and its outputs show a checkerboard "
            "pattern: some input pixels never reach them (gridding). Which change removes the holes?"
        ),
        correct=f"Use rates {rates}: each rate fills the gaps the others leave.",
        distractors=[
            ("gridding_fixed_by_same_rate", f"Use rate {same} in all three layers: a new rate fills the gaps."),
            ("dilation_common_factor", f"Use rates {', '.join(map(str, factor))}: growing the rates fills the gaps."),
            ("dilation_rate_too_large", f"Use rates {', '.join(map(str, jump))}: starting at rate 1 is enough."),
        ],
        explanation=(
            f"Rates {r}, {r}, {r} reach only offsets that are multiples of {r} ({F.gridding_holes((r, r, r), 3)} holes "
            f"along one axis), as do {same}, {same}, {same}; {', '.join(map(str, factor))} share the factor "
            f"{factor[0]}; {', '.join(map(str, jump))} jump past the pixels covered by the smaller rates. Rates "
            f"{rates} (in any order: the reachable offsets are sums) start at 1 and never jump further than the width "
            f"already covered, so every pixel of the {1 + 2 * sum(good)}-pixel span is reached (hybrid dilated "
            "convolution)."
        ),
        params={"variant": "hdc", "r": r, "good": good, "same": same, "factor": list(factor), "jump": list(jump)},
        witness=W.probe("dilation_gridding_holes", expect=0, rates=good, k=3),
    )


def _facts(rng: random.Random) -> dict[str, Any]:
    k, d = pick(rng, ((3, 2), (3, 3), (3, 4), (5, 2)))
    keff = F.effective_kernel(k, d)
    return multi_select(
        rng,
        stem=f"Select every true statement about `Conv2D(64, {k}, dilation_rate={d}, padding='same')` at stride 1.",
        correct=[
            f"Each output sees {article(str(keff))} {keff}×{keff} window of its input.",
            f"It has exactly as many parameters as `Conv2D(64, {k})`.",
            "It keeps the input's height and width.",
        ],
        wrong=[
            ("dilation_adds_params", f"It has {keff * keff} weights per channel pair, one per pixel of its window."),
            ("dilation_as_k_times_d", f"Each output sees {article(str(k * d))} {k * d}×{k * d} window of its input."),
            "dilation_downsamples",
        ],
        explanation=(
            f"$K_{{eff}} = {d}\\cdot({k}-1)+1 = {keff}$; the {k}×{k} taps are spread out, not multiplied, so the "
            "weights are those of the undilated conv; dilation spaces the taps, not the outputs, so 'same' at stride 1 "
            "keeps H×W."
        ),
        params={"variant": "facts", "k": k, "d": d},
        witness=W.probe("dilation_free_rf_growth", expect=True, k=k, d=d),
    )


@generator("dilation.uses", topic="dilation", title="Why dilate: DeepLab, WaveNet, HDC", kind="choice", version=2)
def uses(rng: random.Random, difficulty: int) -> dict[str, Any]:
    variants = {1: (_deeplab, _hdc), 2: (_wavenet, _hdc, _deeplab), 3: (_facts, _wavenet)}[difficulty]
    return pick(rng, variants)(rng)
