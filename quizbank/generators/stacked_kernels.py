"""Stacked small kernels vs one large kernel: two 3×3 (18C²) vs one 5×5 (25C²), three 3×3 (27C²) vs one 7×7 (49C²).

Same receptive field ``1 + L·(k−1)``, fewer weights, one more non-linearity per extra layer (VGG's argument).
"""

from __future__ import annotations

import random
from typing import Any

from .. import formulas as F
from .. import traps as T
from .. import witness as W
from .base import (
    PERCENT_TOL,
    RATIO_TOL,
    article,
    compared,
    comparison,
    comparison_choice,
    conv_chain_rf_steps,
    conv_chain_rf_witness,
    conv_chain_text,
    fmt,
    generator,
    multi_select,
    numeric,
    pick,
    stride_one_layer,
    topic,
)

TOPIC = topic(
    "stacked_kernels",
    "Stacked small kernels",
    "Two 3×3 convs vs one 5×5 (and three vs a 7×7): same receptive field, fewer parameters, more non-linearity.",
)

WIDTHS = {1: (16, 32, 64, 128, 256), 2: (24, 48, 64, 96, 128, 192, 256, 512), 3: (32, 48, 96, 160, 256, 384, 512)}
MAX_WITNESS_PARAMS = 20_000_000


def _draw(rng: random.Random, difficulty: int) -> dict[str, Any]:
    if difficulty == 1:  # two to four 3×3s: the saving grows with the stack (28 %, 44.9 %, 55.6 %)
        n, k = pick(rng, (2, 3, 4)), 3
    elif difficulty == 2:
        n, k = pick(rng, (2, 3)), 3
    else:  # never a difficulty-1 stack: five 3×3s, or 5×5s stacked
        n, k = pick(rng, ((5, 3), (2, 5), (3, 5)))
    c = pick(rng, WIDTHS[difficulty])
    big = F.rf_stacked(n, k)
    while big * big * c * c > MAX_WITNESS_PARAMS:
        c //= 2
    bias = difficulty == 3 and rng.random() < 0.5
    return {"n": n, "k": k, "big": big, "c": c, "bias": bias}


def _counts(p: dict[str, Any]) -> tuple[int, int]:
    stack = p["n"] * F.conv_params(p["k"], p["c"], p["c"], bias=p["bias"])
    single = F.conv_params(p["big"], p["c"], p["c"], bias=p["bias"])
    return stack, single


def _witness(p: dict[str, Any], which: str, quantity: str = "count_params") -> Any:
    c, b = p["c"], p["bias"]
    if which == "stack":
        layers = [W.conv2d(c, p["k"], padding="same", use_bias=b) for _ in range(p["n"])]
    else:
        layers = [W.conv2d(c, p["big"], padding="same", use_bias=b)]
    return W.sequential([16, 16, c], layers, quantity)


def _names(p: dict[str, Any]) -> tuple[str, str]:
    word = {2: "two", 3: "three", 4: "four", 5: "five"}[p["n"]]
    return f"{word} stacked {p['k']}×{p['k']} convs", f"one {p['big']}×{p['big']} conv"


def _setting(p: dict[str, Any]) -> str:
    stack, single = _names(p)
    bias = "with biases" if p["bias"] else "without biases (`use_bias=False`)"
    return (
        f"A block keeps ${p['c']}$ channels in and out ('same' padding). Design A: {stack}; design B: {single}. "
        f"Count parameters {bias}."
    )


def _derivation(p: dict[str, Any]) -> str:
    stack, single = _counts(p)
    n, k, big, c = p["n"], p["k"], p["big"], p["c"]
    if p["bias"]:
        a = f"${n}\\cdot({k}\\cdot{k}\\cdot{c} + 1)\\cdot{c} = {fmt(stack)}$"
        b = f"$({big}\\cdot{big}\\cdot{c} + 1)\\cdot{c} = {fmt(single)}$"
    else:
        a = f"${n}\\cdot{k}^2\\cdot C^2 = {n * k * k}\\cdot{c}^2 = {fmt(stack)}$"
        b = f"${big}^2\\cdot C^2 = {big * big}\\cdot{c}^2 = {fmt(single)}$"
    return (
        f"Stack: {a}. Single: {b}. Both see the same ${big}\\times{big}$ window: RF $= 1 + {n}\\cdot({k}-1) = {big}$."
    )


def _as_lk(p: dict[str, Any]) -> str:
    """The feedback of the slip that takes the single kernel with the stack's window as L·K wide."""
    n, k, big = p["n"], p["k"], p["big"]
    return (
        f"Adjacent windows overlap: {_names(p)[0]} see 1 + {n}·({k} − 1) = {big} pixels, so the single conv with the "
        f"same window is {big}×{big}, not {n}·{k} = {n * k} wide."
    )


def _costs(p: dict[str, Any]) -> str:
    """The feedback of the slip that the stack costs more than the single kernel."""
    n, k, big = p["n"], p["k"], p["big"]
    return (
        f"Each of the {n} stacked {k}×{k} convs has {k}²·C² weights, {n * k * k}C² in all, against {big * big}C² for "
        f"one {big}×{big}: the stack is {compared(n * k * k, big * big, 'costlier', 'cheaper')} although it has more "
        "layers."
    )


def _param_traps(p: dict[str, Any], which: str) -> list[tuple[Any, ...]]:
    n, k, big, c, b = p["n"], p["k"], p["big"], p["c"], p["bias"]
    traps: list[tuple[Any, ...]] = []
    if which == "stack":
        traps.append(("stack_counted_once", T.stack_counted_once(k, c, bias=b)))
        if b:
            traps.append(("forgot_bias", n * F.conv_params(k, c, c, bias=False)))
            traps.append(("bias_per_input_channel", n * (F.conv_params(k, c, c, bias=False) + c * c)))
    else:
        traps.append(("rf_l_times_k", F.conv_params(n * k, c, c, bias=b), _as_lk(p)))
        if b:
            traps.append(("forgot_bias", F.conv_params(big, c, c, bias=False)))
            traps.append(("bias_per_input_channel", F.conv_params(big, c, c, bias=False) + c * c))
        stack = n * F.conv_params(k, c, c, bias=b)
        traps.append(
            (
                "stack_costs_more",
                stack,
                f"{fmt(stack)} is design A ({_names(p)[0]}); the question asks for design B ({_names(p)[1]}). "
                f"{_costs(p)}",
            )
        )
    return traps


@generator(
    "stacked_kernels.params",
    topic="stacked_kernels",
    title="Parameters of a stack or a big kernel",
    kind="numeric",
    version=2,
)
def params(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw(rng, difficulty)
    which = pick(rng, ("stack", "single"))
    p["ask"] = which
    stack, single = _counts(p)
    name = _names(p)[0 if which == "stack" else 1]
    traps = _param_traps(p, which)
    return numeric(
        stem=_setting(p) + f"\n\nHow many parameters does design {'A' if which == 'stack' else 'B'} ({name}) have?",
        key=stack if which == "stack" else single,
        traps=traps,
        explanation=_derivation(p),
        params=p,
        witness=_witness(p, which),
    )


def _compare(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw(rng, difficulty)
    stack, single = _counts(p)
    n, k, c, b = p["n"], p["k"], p["c"], p["bias"]
    as_lk = F.conv_params(n * k, c, c, bias=b)  # the single kernel taken as n·k wide (RF as L·K)
    ask = "percent" if difficulty == 1 else pick(rng, ("percent", "times"))
    p["ask"] = ask
    ws, wb = _witness(p, "stack"), _witness(p, "single")
    if ask == "percent":
        pct = F.percent_fewer(stack, single)
        return {
            "p": p,
            "tail": "How many percent fewer parameters does design A (the stack) have than design B?",
            "note": " (within 0.1 percentage points)",
            "key": pct,
            "traps": [
                ("percent_of_instead_of_fewer", T.percent_of_instead_of_fewer(stack, single)),
                ("percent_relative_to_new", T.percent_relative_to_new(stack, single)),
                ("rf_l_times_k", F.percent_fewer(stack, as_lk), _as_lk(p)),
            ],
            "tol": PERCENT_TOL,
            "unit": "%",
            "witness": W.combine("percent_fewer", ws, wb),
            "extra": f" Percent fewer $= ({fmt(single)} - {fmt(stack)})/{fmt(single)} = {pct:.1f}\\%$.",
        }
    r = single / stack
    return {
        "p": p,
        "tail": "How many times more parameters does design B (the single kernel) have than design A?",
        "note": " Give B ÷ A (within 0.5%).",
        "key": r,
        "traps": [
            ("ratio_inverted", T.ratio_inverted(single, stack)),
            ("rf_l_times_k", as_lk / stack, _as_lk(p)),
            ("stack_counted_once", single / T.stack_counted_once(k, c, bias=b)),
        ],
        "tol": RATIO_TOL,
        "unit": "×",
        "witness": W.combine("ratio", wb, ws),
        "extra": f" Ratio $= {fmt(single)}/{fmt(stack)} \\approx {fmt(r)}$.",
    }


@generator(
    "stacked_kernels.compare", topic="stacked_kernels", title="How much a 3×3 stack saves", kind="numeric", version=2
)
def compare(rng: random.Random, difficulty: int) -> dict[str, Any]:
    q = _compare(rng, difficulty)
    return comparison(q, _setting(q["p"]), _derivation(q["p"]))


@generator(
    "stacked_kernels.pick", topic="stacked_kernels", title="Pick the saving of a 3×3 stack", kind="choice", version=2
)
def pick_saving(rng: random.Random, difficulty: int) -> dict[str, Any]:
    q = _compare(rng, difficulty)
    render = (lambda v: f"{v:.1f}%") if q["unit"] == "%" else (lambda v: f"{v:.3g}×")
    return comparison_choice(rng, q, _setting(q["p"]), _derivation(q["p"]), render)


def _draw_chain(rng: random.Random, difficulty: int) -> list[tuple[int, int]]:
    """(K, S) per layer: L equal 3×3 at difficulty 1, mixed 3×3/5×5 at 2, and a stride-2 layer at 3."""
    if difficulty == 1:
        return [(3, 1)] * pick(rng, (2, 3, 4, 5))
    n = pick(rng, (2, 3, 4, 5)) if difficulty == 2 else pick(rng, (3, 4, 5))
    chain = [(pick(rng, (3, 3, 5)), 1) for _ in range(n)]
    return stride_one_layer(rng, chain) if difficulty == 3 else chain


@generator("stacked_kernels.rf", topic="stacked_kernels", title="Receptive field of a stack", kind="numeric")
def rf(rng: random.Random, difficulty: int) -> dict[str, Any]:
    chain = _draw_chain(rng, difficulty)
    layers = [F.RFLayer(k, s) for k, s in chain]
    key, jump = F.receptive_field(layers)
    traps: list[tuple[str, int]] = [("rf_l_times_k", T.rf_l_times_k(layers))]
    if difficulty == 3:
        traps.append(("rf_ignored_stride", T.rf_ignored_stride(layers)))
    same = all(c == chain[0] for c in chain)
    formula = f" (for {len(chain)} stacked {chain[0][0]}×{chain[0][0]}: $1 + L\\cdot(K-1)$)" if same else ""
    return numeric(
        stem=(
            f"Convolutions are stacked, all 'valid', stride 1 unless stated: {conv_chain_text(chain)}, in this order. "
            "What is the receptive field (side, in input pixels) of one output unit of the last layer?"
        ),
        key=key,
        traps=traps,
        explanation=(
            "Each layer adds $(K-1)$ times the jump (the product of the strides before it); adjacent windows overlap, "
            "so it is not $\\sum K$. " + conv_chain_rf_steps(chain) + f". RF = {key}{formula}."
        ),
        params={"chain": [list(c) for c in chain]},
        witness=conv_chain_rf_witness(chain, key, jump),
    )


@generator("stacked_kernels.why", topic="stacked_kernels", title="Why stack 3×3 kernels", kind="choice", version=2)
def why(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw(rng, difficulty)
    stack, single = _counts(p)
    n, k, big, c = p["n"], p["k"], p["big"], p["c"]
    stack_name, single_name = _names(p)
    true = [
        f"Both have the same receptive field, {big}×{big}.",
        f"The stack has {compared(stack, single)} parameters: {fmt(stack)} against {fmt(single)}.",
        f"The stack applies {n} non-linearities (a ReLU after each conv) instead of 1.",
    ]
    false: list[str | tuple[Any, ...]] = [
        ("rf_l_times_k", f"The stack sees a larger region: {n * k}×{n * k} instead of {big}×{big}.", _as_lk(p)),
        ("stack_costs_more", f"The stack has more parameters: {n} layers cost more than one.", _costs(p)),
        (
            "stack_equals_big_kernel",
            f"With a ReLU after each conv, the stack computes exactly the same functions as {single_name}.",
            f"With a non-linearity between them, {n} stacked {k}×{k} convs are not one {big}×{big} conv; even without "
            f"one they reach only the {big}×{big} kernels that factor into {n} {k}×{k}s ({n * k * k}C² free weights "
            f"against {big * big}C²). Same receptive field, different function class.",
        ),
    ]
    n_true, n_false = {1: (2, 2), 2: (3, 2), 3: (3, 3)}[difficulty]
    probe_c = min(c, 8)
    return multi_select(
        rng,
        stem=_setting(p) + f"\n\nA ReLU follows every conv. Select **all** true statements comparing {stack_name} "
        f"with {single_name}.",
        correct=rng.sample(true, n_true),
        wrong=rng.sample(false, n_false),
        explanation=(
            _derivation(p) + f" The stack is {compared(stack, single, 'costlier', 'cheaper')} ({fmt(stack)} vs "
            f"{fmt(single)}) and inserts a ReLU between "
            f"convs, so it is *more* non-linear; it is not the same function class as {article(str(big))} {big}×{big} conv. The live "
            f"probe measures RF {big} for both and their parameter counts on real layers (at {probe_c} channels)."
        ),
        params=p,
        witness=W.probe(
            "stacked_vs_single_kernel",
            expect=[
                big,
                big,
                n * F.conv_params(k, probe_c, probe_c, bias=p["bias"]),
                F.conv_params(big, probe_c, probe_c, bias=p["bias"]),
            ],
            n=n,
            k=k,
            c=probe_c,
            bias=p["bias"],
        ),
    )
