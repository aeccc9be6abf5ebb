"""Pooling: 0 parameters, output sizes, backward routing (max → argmax, avg → 1/K²) and GAP heads."""

from __future__ import annotations

import itertools
import random
from typing import Any

from .. import formulas as F
from .. import traps as T
from .. import witness as W
from ..schema import LayersWitness, Tolerance
from .base import (
    POOL_CLASS,
    Redraw,
    article,
    choice,
    fact_choice,
    fmt,
    fmt_shape,
    generator,
    latex_matrix,
    multi_select,
    numeric,
    pick,
    plural,
    shape,
    topic,
)

TOPIC = topic(
    "pooling",
    "Pooling",
    "Max, average and global pooling: no parameters, output sizes, gradient routing, GAP instead of FC heads.",
)

GRAD_TOL = Tolerance(mode="absolute", value=0.006)  # answers typed to 2 decimals


def _pool_text(kind: str, k: int, s: int | None = None, padding: str = "valid") -> str:
    args = [str(k)]
    if s is not None:
        args.append(f"strides={s}")
    if padding != "valid":
        args.append(f"padding='{padding}'")
    return f"`{POOL_CLASS[kind]}({', '.join(args)})`"


def _separated(values: list[float], gap: float = 0.02) -> None:
    """Numbers a student types must be told apart (diagnose accepts ±0.01 around a non-integer trap)."""
    vs = sorted(values)
    if any(b - a < gap for a, b in itertools.pairwise(vs)):
        raise Redraw


# ------------------------------------------------------------------ parameters of a net with pools


def _net(rng: random.Random, difficulty: int) -> dict[str, Any]:
    """A small conv net with pools: layer specs (for the witness), text, key, and the trap values."""
    h = pick(rng, (28, 32, 48, 64) if difficulty < 3 else (27, 32, 33, 48, 64))
    c_in = pick(rng, (1, 3))
    bias = True if difficulty < 3 else rng.random() < 0.6
    widths = (8, 16, 32, 64) if difficulty == 1 else (16, 24, 32, 48, 64, 96, 128)
    convs: list[tuple[int, int]] = [(pick(rng, (3, 5)), pick(rng, widths)), (3, pick(rng, widths))]
    pools: list[tuple[str, int, int | None, str]] = []
    if difficulty == 1:
        pools = [("max", 2, None, "valid"), ("max", 2, None, "valid")]
    elif difficulty == 2:
        pools = [("max", 2, None, "valid"), (pick(rng, ("max", "avg")), 2, None, "valid")]
    else:
        pools = [
            (pick(rng, ("max", "avg")), pick(rng, (2, 3)), 2, pick(rng, ("same", "valid"))),
            (pick(rng, ("max", "avg")), pick(rng, (2, 3)), None, "valid"),
        ]
    head = "none" if difficulty == 1 else "flatten" if difficulty == 2 else pick(rng, ("flatten", "gap"))
    n_out = pick(rng, (10, 100)) if head != "none" else 0

    layers: list[dict[str, Any]] = []
    lines: list[str] = []
    key = 0
    pool_as_conv = 0
    c, side = c_in, h
    b_txt = "" if bias else ", use_bias=False"
    for (k, f), (kind, pk, ps, ppad) in zip(convs, pools):
        layers.append(W.conv2d(f, k, padding="same", use_bias=bias, activation="relu"))
        lines.append(f"`Conv2D({f}, {k}, padding='same', activation='relu'{b_txt})`")
        key += F.conv_params(k, c, f, bias=bias)
        c = f
        layers.append(W.pool2d(kind, pk, strides=ps, padding=ppad))
        lines.append(_pool_text(kind, pk, ps, ppad))
        pool_as_conv += T.pool_counted_as_conv(pk, c)
        side = F.output_size(side, pk, ps or pk, ppad)
    unpooled_dense = 0
    if head == "flatten":
        layers += [W.flatten(), W.dense(n_out, use_bias=bias)]
        lines += ["`Flatten()`", f"`Dense({n_out}{b_txt})`"]
        dense = F.dense_params(side * side * c, n_out, bias=bias)
        unpooled_dense = T.pool_ignored_in_flatten(h, h, c, n_out, bias=bias) - dense
        key += dense
    elif head == "gap":
        layers += [W.global_pool2d("avg"), W.dense(n_out, use_bias=bias)]
        lines += ["`GlobalAveragePooling2D()`", f"`Dense({n_out}{b_txt})`"]
        key += F.dense_params(c, n_out, bias=bias)
    n_bias = sum(f for _, f in convs) + n_out
    traps: list[tuple[str, int]] = [("pool_counted_as_conv", key + pool_as_conv)]
    if unpooled_dense:
        traps.append(("pool_ignored_in_flatten", key + unpooled_dense))
    if head == "gap":
        traps.append(
            (
                "gap_dense_sees_hwc",
                key - F.dense_params(c, n_out, bias=bias) + T.gap_dense_sees_hwc(side, side, c, n_out, bias=bias),
            )
        )
    traps.append(("forgot_bias", key - n_bias) if bias else ("forgot_bias", key + n_bias))
    return {
        "params": {
            "h": h,
            "c_in": c_in,
            "bias": bias,
            "convs": [list(c) for c in convs],
            "pools": [list(pl) for pl in pools],
            "head": head,
            "n_out": n_out,
        },
        "layers": layers,
        "lines": lines,
        "key": key,
        "traps": traps,
        "final_side": side,
        "final_c": c,
    }


@generator(
    "pooling.net_params", topic="pooling", title="Parameters of a small net with pools", kind="numeric", version=2
)
def net_params(rng: random.Random, difficulty: int) -> dict[str, Any]:
    n = _net(rng, difficulty)
    p = n["params"]
    listing = "\n".join(f"{i + 1}. {line}" for i, line in enumerate(n["lines"]))
    conv_terms = []
    c = p["c_in"]
    b = " + 1" if p["bias"] else ""
    for k, f in p["convs"]:
        conv_terms.append(f"({k}\\cdot{k}\\cdot{c}{b})\\cdot{f}")
        c = f
    head = ""
    if p["head"] == "flatten":
        head = (
            f" The pools shrink the map to ${n['final_side']}\\times{n['final_side']}\\times{c}$, so `Flatten` gives "
            f"${fmt(n['final_side'] ** 2 * c)}$ inputs to the Dense layer: $({fmt(n['final_side'] ** 2 * c)}"
            f"\\cdot{p['n_out']}){'+' + str(p['n_out']) if p['bias'] else ''}$."
        )
    elif p["head"] == "gap":
        head = (
            f" Global average pooling leaves {c} numbers (one per channel), so the Dense layer has "
            f"${c}\\cdot{p['n_out']}{' + ' + str(p['n_out']) if p['bias'] else ''}$."
        )
    return numeric(
        stem=(
            f"A model takes ${p['h']}\\times{p['h']}\\times{p['c_in']}$ inputs and applies, in order:\n\n{listing}\n\n"
            "How many parameters does it have in all (Keras `count_params()`, biases "
            f"{'included' if p['bias'] else 'disabled where `use_bias=False`'})?"
        ),
        key=n["key"],
        traps=n["traps"],
        explanation=(
            f"Only the convolutions{' and the Dense layer' if p['head'] != 'none' else ''} have weights: "
            f"${' + '.join(conv_terms)}$.{head} Every pooling layer contributes 0 (it computes a fixed max/average), "
            f"so the total is ${fmt(n['key'])}$."
        ),
        params=p,
        witness=W.sequential([p["h"], p["h"], p["c_in"]], n["layers"], "count_params"),
    )


# ------------------------------------------------------------------ a pool's parameters (choice)


@generator(
    "pooling.pool_params", topic="pooling", title="How many parameters does a pool have?", kind="choice", version=2
)
def pool_params(rng: random.Random, difficulty: int) -> dict[str, Any]:
    """Claims about one pool: its parameters (always 0) paired with its output shape (which varies), so the
    question is never "what is 0" again; at difficulty 3, a global pool and the Dense after it."""
    h = pick(rng, (14, 28, 56, 112) if difficulty < 3 else (7, 9, 13, 14, 28))
    c = pick(rng, (16, 32, 64, 128, 256))
    if difficulty == 3:
        return _global_pool_claims(rng, h, c)
    kind = pick(rng, ("max",) if difficulty == 1 else ("max", "avg"))
    k = pick(rng, (2, 3) if difficulty == 1 else (2, 3, 5))
    s = None if difficulty == 1 else pick(rng, (None, 1, 2))
    padding = "valid" if difficulty == 1 else pick(rng, ("valid", "same"))
    layer = W.pool2d(kind, k, strides=s, padding=padding)
    name = _pool_text(kind, k, s, padding)
    o = F.output_size(h, k, s or k, padding)
    wrong_stride = F.output_size(h, k, 1 if (s or k) != 1 else k, padding)
    if wrong_stride == o:
        raise Redraw
    conv = T.pool_counted_as_conv(k, c)
    what = "maximum" if kind == "max" else "average"
    claims: list[tuple[Any, ...]] = [
        (
            "pooling_has_params",
            f"It learns one {k}×{k} window of weights per channel: {fmt(k * k * c)} parameters; output {o}×{o}×{c}.",
            f"{name} takes the {what} of each {k}×{k} window: a fixed function with nothing to learn, so 0 "
            f"parameters (not {k}·{k}·{c}).",
        ),
        (
            "pool_counted_as_conv",
            f"Like a {k}×{k} conv from {c} to {c} channels: ({k}·{k}·{c} + 1)·{c} = {fmt(conv)} parameters; output "
            f"{o}×{o}×{c}.",
            f"A pool has no filters and no bias: {name} has 0 parameters, not the {fmt(conv)} of a {k}×{k} conv.",
        ),
        (
            "pool_default_stride_1" if s is None else "output_ignored_stride",
            f"It has 0 parameters; output {wrong_stride}×{wrong_stride}×{c}.",
            (
                f"Keras pools default to strides = pool_size: {name} moves {k} pixels at a time, so the output is "
                f"{o}×{o}, not {wrong_stride}×{wrong_stride}."
            )
            if s is None
            else f"`strides={s}` moves the window {plural(s, 'pixel')} at a time: the output is {o}×{o}, not "
            f"{wrong_stride}×{wrong_stride}.",
        ),
    ]
    return choice(
        rng,
        stem=f"{name} is applied to {article(str(h))} ${h}\\times{h}\\times{c}$ feature map. Which statement is true?",
        correct=f"It has 0 parameters; output {o}×{o}×{c}.",
        distractors=claims,
        correct_feedback=f"Right: a pool computes a fixed {what}, so it has nothing to learn, and it keeps the {c} channels.",
        explanation=(
            f"A pooling layer computes a fixed function of each window (its {what}): there is nothing to learn, so it "
            f"has **0** parameters, whatever the window or the ${c}$ channels, and it keeps the channels. Its output "
            f"side is {_side_text(h, k, s or k, padding, o)}. {T.get('pooling_has_params').feedback}"
        ),
        params={"h": h, "c": c, "layer": layer["class_name"], "k": k, "strides": s, "padding": padding},
        witness=LayersWitness(quantity="count_params", input_shape=[h, h, c], layers=[layer], expect=0),
    )


def _side_text(h: int, k: int, s: int, padding: str, o: int) -> str:
    if padding == "same":
        return f"$\\lceil {h}/{s} \\rceil = {o}$ ('same')"
    return f"$\\lfloor ({h} - {k})/{s} \\rfloor + 1 = {o}$ ('valid')"


def _global_pool_claims(rng: random.Random, h: int, c: int) -> dict[str, Any]:
    kind = pick(rng, ("max", "avg"))
    layer = W.global_pool2d(kind)
    name = f"`{layer['class_name']}()`"
    n = pick(rng, (10, 100, 1000))
    dense, dense_hwc = F.dense_params(c, n), T.gap_dense_sees_hwc(h, h, c, n)
    true = [
        "It has 0 parameters.",
        f"It outputs {c} numbers per image, one per channel.",
        f"A `Dense({n})` after it has {c}·{n} + {n} = {fmt(dense)} parameters.",
    ]
    false: list[tuple[Any, ...]] = [
        (
            "pooling_has_params",
            f"It learns one weight per position and channel: {fmt(h * h * c)} parameters.",
            f"{name} takes one {'maximum' if kind == 'max' else 'average'} per channel over all {h}×{h} positions: "
            f"a fixed function, 0 parameters.",
        ),
        (
            "gap_dense_sees_hwc",
            f"A `Dense({n})` after it has {h}·{h}·{c}·{n} + {n} = {fmt(dense_hwc)} parameters.",
            f"After {name} the Dense sees only the {c} pooled values: {c}·{n} + {n}, not {h}·{h}·{c}·{n} + {n}.",
        ),
        (
            "gap_keeps_layout",
            f"Its output is still {h}×{h}×{c}: global pooling only smooths each map.",
            f"{name} collapses each {h}×{h} map to one number: the output has {c} values, the layout is gone.",
        ),
    ]
    n_true = pick(rng, (2, 3))
    return multi_select(
        rng,
        stem=(
            f"A backbone's last feature map is {h}×{h}×{c}; {name} follows it, then a `Dense({n})` classifier. "
            "Select **all** true statements about the global pool."
        ),
        correct=rng.sample(true, n_true),
        wrong=rng.sample(false, pick(rng, (2, 3))),
        explanation=(
            f"{name} reduces each of the {c} channels to one number over all {h}×{h} positions: a fixed function, "
            f"**0** parameters, {c} outputs. The Dense after it therefore has ${c}\\cdot{n} + {n} = {fmt(dense)}$ "
            f"parameters, against {fmt(dense_hwc)} after a `Flatten()` of the whole map."
        ),
        params={"h": h, "c": c, "layer": layer["class_name"], "n": n},
        witness=LayersWitness(quantity="count_params", input_shape=[h, h, c], layers=[layer], expect=0),
    )


# ------------------------------------------------------------------ output shape


def _pool_cfg(rng: random.Random, difficulty: int) -> tuple[str, int, int | None, str]:
    kind = pick(rng, ("max", "avg"))
    if difficulty == 1:
        return kind, 2, None, "valid"
    k = pick(rng, (2, 3))
    s = pick(rng, (None, 2, 2, 1) if difficulty == 2 else (None, 2, 3))
    if s == 1 and k == 2:
        s = None
    return kind, k, s, pick(rng, ("valid", "same"))


@generator("pooling.output_shape", topic="pooling", title="Output shape after pooling", kind="shape", version=2)
def output_shape(rng: random.Random, difficulty: int) -> dict[str, Any]:
    if difficulty == 1:
        h = pick(rng, (8, 14, 16, 28, 32, 56, 64, 112, 224))
    else:
        h = rng.randrange(7, 120)
    c = pick(rng, (3, 8, 16, 32, 64))
    if h * h * c > 1_000_000:
        raise Redraw
    n_pools = 2 if difficulty == 3 else 1
    cfgs = [_pool_cfg(rng, difficulty) for _ in range(n_pools)]
    side, stride1, swapped = h, h, h
    steps = []
    for kind, k, s, pad in cfgs:
        stride = s or k
        if pad == "valid" and (side < k or stride1 < k):
            raise Redraw
        new = F.output_size(side, k, stride, pad)
        how = f"\\lceil {side}/{stride} \\rceil" if pad == "same" else f"\\lfloor ({side} - {k})/{stride} \\rfloor + 1"
        steps.append(f"{_pool_text(kind, k, s, pad)}: ${how} = {new}$")
        # wrong-but-plausible chains: stride 1 when no stride is given; the other padding mode
        stride1 = F.output_size(stride1, k, s or 1, pad)
        other = "same" if pad == "valid" else "valid"
        swapped = F.output_size(swapped, k, stride, other) if swapped >= k or (swapped and other == "same") else 0
        side = new
    traps: list[tuple[str, list[int]]] = []
    if any(s is None for _, _, s, _ in cfgs):
        traps.append(("pool_default_stride_1", [stride1, stride1, c]))
    if swapped > 0:
        traps.append(("same_as_valid", [swapped, swapped, c]))
    layers = [W.pool2d(kind, k, strides=s, padding=pad) for kind, k, s, pad in cfgs]
    listing = " then ".join(_pool_text(kind, k, s, pad) for kind, k, s, pad in cfgs)
    key = [side, side, c]
    return shape(
        stem=(
            f"{article(str(h)).capitalize()} ${h}\\times{h}\\times{c}$ feature map goes through {listing}. What is the output shape "
            "(H×W×C, no batch axis)?"
        ),
        key=key,
        traps=traps,
        explanation=(
            "Keras pools default to `strides = pool_size`; `valid` gives $\\lfloor (W-K)/S \\rfloor + 1$ and `same` "
            "gives $\\lceil W/S \\rceil$. "
            + "; ".join(steps)
            + f". Pooling works per channel, so the {c} channels stay: ${fmt_shape(key)}$."
        ),
        params={"h": h, "c": c, "pools": [list(cfg) for cfg in cfgs]},
        witness=W.sequential([h, h, c], layers, "output_shape"),
    )


# ------------------------------------------------------------------ backward through a pool


def _grid(rng: random.Random, n: int) -> list[list[int]]:
    vals = rng.sample(range(-9, 40), n * n)
    return [vals[i * n : (i + 1) * n] for i in range(n)]


@generator("pooling.grad", topic="pooling", title="Gradient through a pooling layer", kind="numeric", version=2)
def grad(rng: random.Random, difficulty: int) -> dict[str, Any]:
    kind = pick(rng, ("max", "avg"))
    if difficulty == 1:
        n, k, s = 2, 2, 2
    elif difficulty == 2:
        n, k, s = pick(rng, ((4, 2, 2), (6, 3, 3), (6, 2, 2)))
    else:
        n, k, s = pick(rng, ((3, 2, 1), (5, 3, 2), (4, 2, 1)))
    x = _grid(rng, n)
    o = F.output_size(n, k, s)
    up = [[pick(rng, (-3, -2, -1, 1, 2, 3, 4, 5, 6)) for _ in range(o)] for _ in range(o)]

    member: dict[tuple[int, int], list[tuple[int, int]]] = {}  # input → the windows it lies in
    hits_of: dict[tuple[int, int], list[tuple[int, int]]] = {}  # input → the windows whose maximum it is
    for a in range(o):
        for b in range(o):
            cells = [(p, q) for p in range(a * s, a * s + k) for q in range(b * s, b * s + k)]
            for cell in cells:
                member.setdefault(cell, []).append((a, b))
            top = max(cells, key=lambda c: x[c[0]][c[1]])  # values are distinct: no ties
            hits_of.setdefault(top, []).append((a, b))
    if kind == "max" and difficulty == 3 and rng.random() < 0.7:
        cands = sorted(c for c, h in hits_of.items() if len(h) >= 2)  # the argmax of several windows
    elif kind == "max" and rng.random() < 0.6:
        cands = sorted(hits_of)
    else:
        cands = sorted(member)
    if not cands:
        raise Redraw
    i, j = pick(rng, cands)
    win = member[i, j]
    key = F.pool_grad(kind, x, k, s, up, (i, j))
    win_up = [up[a][b] for a, b in win]  # the upstream gradients of the windows the input lies in
    g_sum = sum(win_up)
    traps: list[tuple[str, float]] = []
    if kind == "max":
        hits = hits_of.get((i, j), [])
        traps += [("maxpool_grad_spread", g_sum / (k * k)), ("maxpool_grad_copied", T.maxpool_grad_copied(win_up))]
        if len(hits) > 1:
            traps.append(("overlap_grad_not_summed", T.overlap_grad_not_summed([up[a][b] for a, b in hits])))
    else:
        traps += [("avgpool_grad_1_over_k", g_sum / k), ("avgpool_grad_copied", T.avgpool_grad_copied(win_up))]
        if len(win) > 1:
            traps.append(("overlap_grad_not_summed", T.overlap_grad_not_summed([g / (k * k) for g in win_up])))
    traps = [(t, v) for t, v in traps if v != key]
    _separated([key] + [v for _, v in traps])
    overlap = f" The windows overlap (stride {s} < {k})." if s < k else ""
    if kind == "max":
        got = [f"window ({a + 1}, {b + 1}) with upstream ${up[a][b]}$" for a, b in hits]
        why = (
            f"Max-pool sends each window's whole upstream gradient to that window's argmax and 0 to the others. "
            f"$x_{{{i + 1},{j + 1}}} = {x[i][j]}$ lies in {plural(len(win), 'window')}"
            + (f" and is the maximum of {', '.join(got)}" if got else " and is the maximum of none of them")
            + f", so it receives ${fmt(key)}$."
        )
    else:
        why = (
            f"Average pooling computes $y = \\frac{{1}}{{{k * k}}}\\sum x$ over each ${k}\\times{k}$ window, so every "
            f"input of a window receives $1/{k * k}$ of its upstream gradient. $x_{{{i + 1},{j + 1}}}$ lies in "
            f"{plural(len(win), 'window')} with upstream gradients summing to ${g_sum}$: ${g_sum}/{k * k} = {fmt(key)}$."
        )
    return numeric(
        stem=(
            f"A single-channel input $x = {latex_matrix(x)}$ goes through {_pool_text(kind, k, s if s != k else None)}"
            f" (`valid`).{overlap} The upstream gradient is $\\partial L/\\partial y = {latex_matrix(up)}$. "
            f"What is $\\partial L/\\partial x_{{{i + 1},{j + 1}}}$ (row {i + 1}, column {j + 1}, counted from the "
            "top left)? Give it to 2 decimals if it is not whole."
        ),
        key=key,
        traps=traps,
        tolerance=GRAD_TOL,
        explanation=why,
        params={"kind": kind, "n": n, "k": k, "s": s, "x": x, "up": up, "at": [i, j]},
        witness=W.probe(
            "input_grad",
            layers=[W.pool2d(kind, k, strides=s)],
            x=[[[v] for v in row] for row in x],
            upstream=[[[v] for v in row] for row in up],
            at=[i, j, 0],
        ),
    )


# ------------------------------------------------------------------ GAP instead of Flatten + Dense


@generator("pooling.gap_head", topic="pooling", title="GAP head vs Flatten + Dense head", kind="numeric", version=2)
def gap_head(rng: random.Random, difficulty: int) -> dict[str, Any]:
    h = pick(rng, (4, 7, 8, 14) if difficulty < 3 else (5, 6, 7, 9, 10, 14))
    c = pick(rng, (64, 128, 256, 512, 1024, 2048))
    n = pick(rng, (10, 100, 1000) if difficulty > 1 else (10, 100))
    old = F.dense_params(h * h * c, n)
    new = F.dense_params(c, n)
    shape_in = [h, h, c]
    w_old = W.sequential(shape_in, [W.flatten(), W.dense(n)], "count_params")
    w_new = W.sequential(shape_in, [W.global_pool2d("avg"), W.dense(n)], "count_params")
    setting = (
        f"The last conv block outputs {article(str(h))} ${h}\\times{h}\\times{c}$ map and the classifier has {n} classes. Head A is "
        f"`Flatten()` → `Dense({n})`; head B is `GlobalAveragePooling2D()` → `Dense({n})` (biases included)."
    )
    derivation = (
        f"Head A: $({h}\\cdot{h}\\cdot{c})\\cdot{n} + {n} = {fmt(old)}$. Head B: GAP has no parameters and leaves "
        f"{c} values, so $({c}\\cdot{n}) + {n} = {fmt(new)}$."
    )
    tol: Tolerance | None = None
    params = {"h": h, "c": c, "n": n}
    if difficulty == 1:
        which = pick(rng, ("A", "B"))
        params["ask"] = which
        key = old if which == "A" else new
        traps = [("fc_forgot_bias", T.fc_forgot_bias(h * h * c if which == "A" else c, n))]
        if which == "B":
            traps.append(("gap_dense_sees_hwc", T.gap_dense_sees_hwc(h, h, c, n)))
        stem = f"{setting} How many parameters does head {which} have?"
        witness = w_old if which == "A" else w_new
    elif difficulty == 2:
        params["ask"] = "difference"
        key = old - new
        traps = [("saving_forgot_new_head", T.saving_forgot_new_head(old, new)), ("gap_dense_sees_hwc", 0)]
        stem = f"{setting} How many parameters does head B save compared with head A?"
        witness = W.combine("difference", w_old, w_new)
        derivation += f" Saving: ${fmt(old)} - {fmt(new)} = {fmt(key)}$."
    else:
        params["ask"] = "percent_fewer"
        key = round(F.percent_fewer(new, old), 2)
        tol = Tolerance(mode="absolute", value=0.01)
        traps = [
            ("percent_of_instead_of_fewer", T.percent_of_instead_of_fewer(new, old)),
            ("percent_relative_to_new", T.percent_relative_to_new(new, old)),
        ]
        stem = f"{setting} How many percent fewer parameters does head B have than head A? (2 decimals)"
        witness = W.combine("percent_fewer", w_new, w_old)
        derivation += f" Percent fewer: $100\\cdot({fmt(old)} - {fmt(new)})/{fmt(old)} = {key:.2f}\\%$."
        if key > 99.99:
            raise Redraw
    return numeric(
        stem=stem,
        key=key,
        traps=traps,
        tolerance=tol,
        unit="%" if difficulty == 3 else None,
        explanation=derivation
        + " GAP collapses H×W before the classifier, which is why ResNet and EfficientNet replace giant FC heads by it.",
        params=params,
        witness=witness,
    )


# ------------------------------------------------------------------ facts, each backed by a probe


def _facts(rng: random.Random, difficulty: int) -> list[dict[str, Any]]:
    """Fact records; difficulty 3 draws only the harder ones (never a difficulty-1 stem)."""
    k = pick(rng, (2, 3, 4))
    maxpool = {
        "fact": "maxpool_backward",
        "stem": f"In the backward pass of `MaxPooling2D({k})`, what does each input of a {k}×{k} window receive?",
        "right": [
            "The window's whole upstream gradient if it was the maximum, 0 otherwise.",
            "0, unless it was the window's maximum: then all of the window's gradient.",
            f"Only the argmax of the {k * k} gets the gradient; the rest get 0.",
        ],
        "distractors": [
            ("maxpool_grad_spread", f"An equal share, 1/{k * k} of the window's upstream gradient."),
            ("maxpool_grad_copied", "Every input of the window receives the full upstream gradient."),
            ("pooling_has_params", "Nothing: the gradient updates the pool's own weights instead."),
            ("maxpool_no_gradient", "Nothing: max is not differentiable, so no gradient flows back."),
        ],
        "witness": W.probe("maxpool_grad_routes_to_argmax", expect=True, k=k),
        "explanation": T.get("maxpool_grad_spread").feedback,
    }
    gap = {
        "fact": "gap_layout",
        "stem": "What does global average pooling (GAP) do to the spatial layout of a feature map?",
        "right": [
            "It discards it: each channel becomes one average over all positions.",
            "It loses it: any rearrangement of the positions gives the same output.",
        ],
        "distractors": [
            ("gap_keeps_layout", "It keeps it: each average remembers where its feature was."),
            ("pooling_has_params", "It learns one weight per position, so the layout lives in the weights."),
            ("equivariance_is_invariance", "Nothing: GAP is translation-equivariant, so the layout is kept."),
        ],
        "witness": W.probe("gap_loses_layout", expect=True),
        "explanation": T.get("gap_keeps_layout").feedback
        + " Permuting the pixels of the input leaves the GAP vector unchanged.",
    }
    avgpool = {
        "fact": "avgpool_backward",
        "stem": f"{article(str(k)).capitalize()} ${k}\\times{k}$ average pool receives upstream gradient $g$ for one "
        "window. What "
        "does each of the window's inputs receive?",
        "right": [f"$g/{k * k}$", f"$g$ divided by {k * k}"],
        "distractors": [
            ("avgpool_grad_1_over_k", f"$g/{k}$"),
            ("avgpool_grad_copied", "$g$"),
            (
                "maxpool_grad_spread",
                "$g$ for the largest input, 0 for the others",
                f"That is max-pooling's rule; an average weighs every input by 1/{k * k}, so each gets $g/{k * k}$.",
            ),
        ],
        "witness": W.probe("avgpool_grad", expect=F.avgpool_grad(k), k=k),
        "explanation": f"$y = \\frac{{1}}{{{k * k}}}\\sum x$ so $\\partial y/\\partial x = 1/{k * k}$. "
        + T.get("avgpool_grad_1_over_k").feedback,
    }
    invariance = {
        "fact": "gap_invariance",
        "stem": "A circularly padded conv layer followed by global average pooling is applied to an image "
        "and to a shifted copy of it. How do the two outputs compare?",
        "right": [
            "They are identical: the conv maps shift, and GAP ignores where things are.",
            "The same vector: equivariant convs, then an invariant average.",
        ],
        "distractors": [
            ("equivariance_is_invariance", "The output vector is shifted by the same amount as the image."),
            ("shift_scrambles_features", "They differ unpredictably: each position has its own weights."),
            ("gap_keeps_layout", "They differ, since GAP keeps where each feature was."),
        ],
        "witness": W.probe("gap_translation_invariance", expect=True),
        "explanation": T.get("equivariance_is_invariance").feedback,
    }
    return {1: [maxpool, gap], 2: [maxpool, gap, avgpool, invariance], 3: [avgpool, invariance]}[difficulty]


@generator("pooling.facts", topic="pooling", title="Pooling facts (backward, GAP)", kind="choice", version=2)
def facts(rng: random.Random, difficulty: int) -> dict[str, Any]:
    return fact_choice(rng, pick(rng, _facts(rng, difficulty)))
