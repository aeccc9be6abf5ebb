"""Video CNNs: C3D's 3D convs (a factor K_t in params and MACs), I3D's inflation (repeat T times, divide by T) and
SlowFast's two pathways (fast: α× the frames, β≈1/8 of the channels)."""

from __future__ import annotations

import random
from typing import Any

from .. import formulas as F
from .. import traps as T
from .. import witness as W
from .base import (
    Redraw,
    article,
    claims_choice,
    every_nth,
    fmt,
    fmt_shape,
    generator,
    numeric,
    numeric_choice,
    pick,
    shape,
    topic,
)

TOPIC = topic(
    "video",
    "Video CNNs",
    "C3D (3D convs from scratch, ×K_t cost), I3D (inflated 2D filters, /T) and SlowFast (slow/fast pathways).",
)


# ------------------------------------------------------------------ C3D: params and MACs of a Conv3D


def _draw_c3d(rng: random.Random, difficulty: int) -> dict[str, Any]:
    if difficulty == 1:
        k_t, k, c_in, c_out, bias = 3, 3, pick(rng, (3, 16, 32, 64)), pick(rng, (16, 32, 64, 128)), True
    elif difficulty == 2:
        k_t, k = pick(rng, (2, 3, 5)), pick(rng, (3, 5))
        c_in, c_out = pick(rng, (3, 32, 64, 128)), pick(rng, (32, 64, 128, 256))
        bias = rng.random() < 0.6
    else:
        k_t, k = pick(rng, (3, 5, 7)), pick(rng, (1, 3, 7))
        c_in, c_out = pick(rng, (3, 48, 96, 192, 256)), pick(rng, (64, 96, 192, 256, 512))
        bias = rng.random() < 0.5
    t = pick(rng, (8, 16, 32))
    h = pick(rng, (28, 56, 112))
    quantity = "params" if difficulty == 1 else pick(rng, ("params", "macs"))
    st, s = 1, 1
    if quantity == "macs" and difficulty == 3:
        st, s = pick(rng, (1, 2)), 2
    return {
        "k_t": k_t,
        "k": k,
        "c_in": c_in,
        "c_out": c_out,
        "bias": bias,
        "t": t,
        "h": h,
        "w": h,
        "quantity": quantity,
        "t_stride": st,
        "stride": s,
    }


def _c3d_layer(p: dict[str, Any]) -> dict[str, Any]:
    return W.conv3d(
        p["c_out"],
        (p["k_t"], p["k"], p["k"]),
        strides=(p["t_stride"], p["stride"], p["stride"]),
        padding="same",
        use_bias=p["bias"],
    )


def _c3d_text(p: dict[str, Any]) -> str:
    strides = "" if p["t_stride"] == p["stride"] == 1 else f", strides=({p['t_stride']}, {p['stride']}, {p['stride']})"
    bias = "" if p["bias"] else ", use_bias=False"
    return (
        f"`Conv3D({p['c_out']}, ({p['k_t']}, {p['k']}, {p['k']}){strides}, padding='same'{bias})` on a clip of "
        f"{p['t']} frames of {p['h']}×{p['w']} with {p['c_in']} channels (input {p['t']}×{p['h']}×{p['w']}×{p['c_in']})"
    )


@generator("video.c3d_count", topic="video", title="Params or MACs of a C3D-style Conv3D", kind="numeric", version=2)
def c3d_count(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw_c3d(rng, difficulty)
    k_t, k, c_in, c_out, bias = p["k_t"], p["k"], p["c_in"], p["c_out"], p["bias"]
    shape_in = [p["t"], p["h"], p["w"], c_in]
    if p["quantity"] == "params":
        key = F.conv3d_params(k_t, k, c_in, c_out, bias=bias)
        b = c_out if bias else 0
        traps: list[tuple[str, Any]] = [
            ("c3d_forgot_kt", T.c3d_forgot_kt(k_t, k, c_in, c_out, bias=bias)),
            ("c3d_factor_k_squared", k_t * k_t * k * k * c_in * c_out + b),
            ("forgot_bias", key - c_out if bias else key + c_out),
            ("c3d_params_times_frames", T.c3d_params_times_frames(k_t, k, c_in, c_out, p["t"], bias=bias)),
        ]
        if bias:
            traps.append(("bias_per_input_channel", key - c_out + c_in * c_out))
        bias_txt = " + 1" if bias else ""
        return numeric(
            stem=f"How many parameters (weights and biases) does {_c3d_text(p)} have?",
            key=key,
            traps=traps,
            explanation=(
                f"A 3D filter spans $K_t\\times K\\times K\\times C_{{in}}$ = {k_t}×{k}×{k}×{c_in} weights"
                f"{' plus one bias' if bias else ' (no bias)'}: $({k_t}\\cdot{k}\\cdot{k}\\cdot{c_in}{bias_txt})\\cdot "
                f"{c_out} = {fmt(key)}$, i.e. $K_t = {k_t}$ times the weights of the 2D {k}×{k} conv. The clip's "
                f"{p['t']} frames and its {p['h']}×{p['w']} size do not enter: the filters are shared over time and "
                "space."
            ),
            params=p,
            witness=W.sequential(shape_in, [_c3d_layer(p)], "count_params"),
        )
    t_out, h_out = F.ceil_div(p["t"], p["t_stride"]), F.ceil_div(p["h"], p["stride"])
    key = F.conv_macs(h_out, h_out, k, c_in, c_out, k_t=k_t, t_out=t_out)
    return numeric(
        stem=(
            f"How many multiply-accumulates (MACs) does {_c3d_text(p)} perform for one clip? "
            "(Count one MAC per weight per output position; ignore the bias.)"
        ),
        key=key,
        traps=[
            ("c3d_forgot_kt", key // k_t),
            ("c3d_factor_k_squared", key * k_t),
            ("c3d_macs_forgot_frames", T.c3d_macs_forgot_frames(h_out, h_out, k, c_in, c_out, k_t=k_t)),
            ("macs_as_flops", T.macs_as_flops(key)),
        ],
        explanation=(
            f"'same' padding gives $T_{{out}}\\times H_{{out}}\\times W_{{out}} = {t_out}\\times{h_out}\\times{h_out}$ "
            f"output positions (ceil of size/stride); each costs $K_t\\cdot K\\cdot K\\cdot C_{{in}}\\cdot C_{{out}} = "
            f"{k_t}\\cdot{k}\\cdot{k}\\cdot{c_in}\\cdot{c_out}$ MACs: ${t_out}\\cdot{h_out}\\cdot{h_out}\\cdot{k_t}"
            f"\\cdot{k * k}\\cdot{c_in}\\cdot{c_out} = {fmt(key)}$ — $K_t = {k_t}$ times a 2D conv over the same "
            "positions. (FLOPs ≈ 2·MACs.)"
        ),
        params=p,
        witness=W.sequential(shape_in, [_c3d_layer(p)], "macs"),
    )


def _c3d_strided(rng: random.Random, k_t: int, k: int, c: int, t: int, h: int) -> dict[str, Any]:
    """Two steps: the 3D kernel costs K_t times more per output, and a temporal stride divides the outputs."""
    s_t = pick(rng, tuple(v for v in (2, 4) if v <= t and v != k_t))
    key = k_t / s_t
    clip = [t, h, h, c]
    return numeric_choice(
        rng,
        stem=(
            f"On a clip of {t} frames of {h}×{h}×{c}, compare `Conv3D({c}, ({k_t}, {k}, {k}), strides=({s_t}, 1, 1), "
            f"padding='same')` with applying `Conv2D({c}, {k}, padding='same')` to each of the {t} frames. How many "
            "times the 2D convs' **MACs** does the 3D conv perform?"
        ),
        key=key,
        traps=[
            (
                "output_ignored_stride",
                k_t,
                f"The temporal stride {s_t} leaves {t}/{s_t} = {t // s_t} output frames, so the 3D conv computes "
                f"{s_t} times fewer outputs: K_t/S_t = {k_t}/{s_t}, not {k_t}.",
            ),
            ("c3d_factor_k_squared", k_t * k_t / s_t),
            ("c3d_params_times_frames", k_t * t / s_t),
            ("c3d_forgot_kt", 1 / s_t),
        ],
        explanation=(
            f"Per output position the 3D conv costs ${k_t}\\cdot{k}\\cdot{k}\\cdot{c}\\cdot{c}$ MACs, $K_t = {k_t}$ "
            f"times a 2D conv's. With stride {s_t} in time it produces $\\lceil {t}/{s_t} \\rceil = {t // s_t}$ "
            f"frames against the 2D convs' {t}: the ratio is ${k_t}/{s_t} = {fmt(key)}$."
        ),
        params={"k_t": k_t, "k": k, "c": c, "t": t, "h": h, "s_t": s_t, "form": "strided"},
        witness=W.combine(
            "ratio",
            W.sequential(clip, [W.conv3d(c, (k_t, k, k), strides=(s_t, 1, 1), padding="same")], "macs"),
            W.sequential(clip, [W.conv3d(c, (1, k, k), padding="same")], "macs"),
        ),
        render=lambda v: f"{fmt(v)}×",
    )


@generator("video.c3d_factor", topic="video", title="How much more does a 3D conv cost?", kind="choice", version=2)
def c3d_factor(rng: random.Random, difficulty: int) -> dict[str, Any]:
    k_t = pick(rng, (2, 3, 5) if difficulty == 1 else (3, 5, 7) if difficulty == 2 else (2, 3, 4, 6))
    k = pick(rng, (3, 5) if difficulty < 3 else (3, 5, 7))
    c = pick(rng, (16, 32, 64, 128))
    t = pick(rng, (8, 16, 32))
    h = pick(rng, (14, 28, 56))
    if difficulty == 3:
        return _c3d_strided(rng, k_t, k, c, t, h)
    form = "params" if difficulty == 1 else pick(rng, ("params", "macs"))
    clip = [t, h, h, c]
    p = {"k_t": k_t, "k": k, "c": c, "t": t, "h": h, "form": form}
    if form == "params":
        stem = (
            f"A C3D layer `Conv3D({c}, ({k_t}, {k}, {k}), use_bias=False)` replaces a 2D layer "
            f"`Conv2D({c}, {k}, use_bias=False)` on {c}-channel inputs (the clips have {t} frames). How many times more "
            "**parameters** does the 3D layer have?"
        )
        witness = W.combine(
            "ratio",
            W.sequential(clip, [W.conv3d(c, (k_t, k, k), use_bias=False)], "count_params"),
            W.sequential([h, h, c], [W.conv2d(c, k, use_bias=False)], "count_params"),
        )
        expl = (
            f"Weights: ${k_t}\\cdot{k}\\cdot{k}\\cdot{c}\\cdot{c}$ against ${k}\\cdot{k}\\cdot{c}\\cdot{c}$: the ratio is "
            f"$K_t = {k_t}$. The clip length {t} does not enter the parameter count at all."
        )
    else:
        stem = (
            f"On a clip of {t} frames of {h}×{h}×{c}, compare `Conv3D({c}, ({k_t}, {k}, {k}), padding='same')` with "
            f"applying the 2D conv `Conv2D({c}, {k}, padding='same')` to each of the {t} frames separately. How many "
            "times more **MACs** does the 3D conv perform?"
        )
        witness = W.combine(
            "ratio",
            W.sequential(clip, [W.conv3d(c, (k_t, k, k), padding="same")], "macs"),
            W.sequential(clip, [W.conv3d(c, (1, k, k), padding="same")], "macs"),
        )
        expl = (
            f"Both produce {t}·{h}·{h} output positions of {c} channels. Per position the 3D conv costs "
            f"${k_t}\\cdot{k}\\cdot{k}\\cdot{c}\\cdot{c}$ MACs, the 2D conv ${k}\\cdot{k}\\cdot{c}\\cdot{c}$: the ratio is "
            f"$K_t = {k_t}$ (the frame-by-frame 2D conv is exactly a Conv3D with a (1, {k}, {k}) kernel). The {t} "
            "frames appear on both sides and cancel."
        )
    return numeric_choice(
        rng,
        stem=stem,
        key=k_t,
        traps=[("c3d_factor_k_squared", k_t * k_t), ("c3d_params_times_frames", k_t * t), ("c3d_forgot_kt", 1)],
        explanation=expl,
        params=p,
        witness=witness,
        render=lambda v: f"{fmt(v)}×",
    )


# ------------------------------------------------------------------ I3D inflation


@generator("video.i3d_boring", topic="video", title="I3D inflation on a boring video", kind="numeric", version=2)
def i3d_boring(rng: random.Random, difficulty: int) -> dict[str, Any]:
    t = pick(rng, (2, 3, 4) if difficulty == 1 else (3, 4, 5, 7) if difficulty == 2 else (5, 6, 7, 8))
    n = pick(rng, (3, 5) if difficulty < 3 else (7,))
    divide = rng.random() < 0.5
    key = F.i3d_boring_factor(t, divide=divide)
    how = (
        f"repeating it {t} times along time and dividing every weight by {t}"
        if divide
        else (f"repeating it {t} times along time (the weights are **not** rescaled)")
    )
    if divide:
        traps: list[tuple[str, Any]] = [
            ("i3d_without_t", T.i3d_without_t(t)),
            ("i3d_ratio_inverted", T.i3d_ratio_inverted(t)),
        ]
        why = (
            f"The inflated filter has {t} copies of $W/{t}$. On a boring video every frame is the same image $x$, so "
            f"the response is $\\sum_{{\\tau=1}}^{{{t}}} (W/{t}) * x = W * x$: exactly the 2D activation, factor 1. "
            f"Without the $/{t}$ it would be {t}×."
        )
    else:
        traps = [("i3d_assumed_division", T.i3d_assumed_division(t)), ("i3d_ratio_inverted", T.i3d_ratio_inverted(t))]
        why = (
            f"Each of the {t} time slices of the filter is the 2D filter $W$; on a boring video every frame is the same "
            f"image $x$, so the response is $\\sum_{{\\tau=1}}^{{{t}}} W * x = {t}\\,(W * x)$: {t} times the 2D "
            f"activation. This is why I3D divides the inflated weights by $T = {t}$."
        )
    return numeric(
        stem=(
            f"A pretrained 2D filter of size {n}×{n} is inflated to {article(str(t))} {t}×{n}×{n} 3D filter by {how}. The 3D conv is "
            f"applied to a *boring video*: one image repeated for {t} frames. By what factor does its response differ "
            "from the 2D filter's response to that image? (3D response ÷ 2D response)"
        ),
        key=key,
        traps=traps,
        explanation=why,
        params={"t": t, "n": n, "divide": divide},
        witness=W.probe("i3d_boring_video_ratio", t=t, k=n, divide=divide),
    )


@generator("video.i3d_concept", topic="video", title="C3D vs I3D", kind="choice", version=2)
def i3d_concept(rng: random.Random, difficulty: int) -> dict[str, Any]:
    t = pick(rng, (3, 5, 7))
    n = pick(rng, (3, 7))
    args = {
        "explanation": (
            f"{T.get('i3d_from_scratch').feedback} With the division, a boring video of {t} identical frames gives "
            f"$\\sum_{{\\tau}} (W/{t}) * x = W * x$, the 2D activation (measured: ratio 1; without /{t} it is {t})."
        ),
        "params": {"t": t, "n": n, "variant": difficulty},
        "witness": W.probe("i3d_boring_video_ratio", expect=1.0, t=t, k=n, divide=True),
    }
    if difficulty == 1:
        return claims_choice(
            rng,
            stem=f"How does I3D obtain the weights of its {t}×{n}×{n} 3D filters?",
            right=[
                f"It copies each pretrained {n}×{n} filter {t} times in time, divided by {t}.",
                f"Inflation: {t} copies of a 2D ImageNet filter, each /{t}.",
            ],
            wrong=[
                ("i3d_from_scratch", f"It trains its {t}×{n}×{n} filters from scratch on video, like C3D."),
                ("i3d_frames_independent", "It runs the 2D network on each frame and averages the outputs."),
                ("i3d_without_t", f"It copies each pretrained {n}×{n} filter {t} times, keeping its values."),
                ("i3d_ratio_inverted", f"It copies each pretrained {n}×{n} filter {t} times and multiplies by {t}."),
            ],
            **args,
        )
    if difficulty == 2:
        return claims_choice(
            rng,
            stem=(
                f"I3D inflates a pretrained {n}×{n} filter to {t}×{n}×{n}. Why does it divide the repeated weights by "
                f"{t}?"
            ),
            right=[
                f"So a boring video ({t} equal frames) gives exactly the 2D activation.",
                f"The {t} copies sum {t} equal responses; /{t} restores the pretrained one.",
            ],
            wrong=[
                ("i3d_without_t", "It is optional: the copies already give the 2D activation on a boring video."),
                ("i3d_ratio_inverted", f"To make the boring-video response {t} times smaller than the 2D one."),
                ("i3d_frames_independent", "So that each frame is processed independently of its neighbours."),
                ("i3d_from_scratch", "To start from small random weights, as 3D training from scratch needs."),
            ],
            **args,
        )
    return claims_choice(
        rng,
        stem="Which statement contrasts C3D and I3D correctly?",
        right=[
            f"C3D trains 3D convs from scratch; I3D inflates 2D ImageNet filters ({t} copies, each /{t}).",
            "C3D starts from random 3D filters, I3D from pretrained 2D ones repeated over time.",
        ],
        wrong=[
            ("i3d_from_scratch", "Both train 3D convs from scratch; I3D just has a deeper backbone."),
            ("i3d_frames_independent", "C3D uses 3D convs; I3D averages a 2D network over the frames."),
            ("i3d_without_t", f"I3D repeats 2D filters {t} times without rescaling; C3D trains from scratch."),
            ("i3d_ratio_inverted", f"I3D divides by {t}, so a boring video gives 1/{t} of the 2D response."),
        ],
        **args,
    )


# ------------------------------------------------------------------ SlowFast


def _draw_slowfast(rng: random.Random, difficulty: int) -> dict[str, Any]:
    if difficulty == 1:
        alpha, tau, beta_inv, c_slow = 8, 16, 8, pick(rng, (32, 64, 128))
    else:
        alpha = pick(rng, (4, 8))
        tau = pick(rng, tuple(v for v in (8, 16) if v >= alpha))
        beta_inv = pick(rng, (8, 4))
        c_slow = pick(rng, (32, 64, 128))
    t_raw = pick(rng, (32, 64))
    h = pick(rng, (32, 40, 48))
    return {
        "alpha": alpha,
        "tau": tau,
        "beta_inv": beta_inv,
        "c_slow": c_slow,
        "c_fast": c_slow // beta_inv,
        "t_raw": t_raw,
        "h": h,
        "t_slow": t_raw // tau,
        "t_fast": t_raw * alpha // tau,
    }


def _every(st: int) -> str:
    return every_nth(st, "frame")


def _slowfast_intro(p: dict[str, Any]) -> str:
    return (
        f"A SlowFast network reads a clip of {p['t_raw']} frames of {p['h']}×{p['h']}×3. The slow pathway samples every "
        f"{p['tau']}th frame ($\\tau = {p['tau']}$) and its conv1 has {p['c_slow']} filters; the fast pathway uses "
        f"$\\alpha = {p['alpha']}$ and $\\beta = 1/{p['beta_inv']}$."
    )


@generator("video.slowfast_shape", topic="video", title="SlowFast fast-pathway shapes", kind="shape", version=2)
def slowfast_shape(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw_slowfast(rng, difficulty)
    st = p["tau"] // p["alpha"]
    h1 = F.ceil_div(p["h"], 2)
    lateral = difficulty == 3  # the two-step fusion question; difficulty 1 and 2 ask conv1
    p["form"] = "lateral" if lateral else "conv1"
    if lateral:
        c_fast = p["c_fast"]
        key = [p["t_fast"] // p["alpha"], h1, h1, 2 * c_fast]
        return shape(
            stem=(
                f"{_slowfast_intro(p)} The fast pathway's conv1 output is {p['t_fast']}×{h1}×{h1}×{c_fast}. A lateral "
                f"connection fuses it into the slow pathway with a time-strided conv "
                f"`Conv3D({2 * c_fast}, (5, 1, 1), strides=({p['alpha']}, 1, 1), padding='same')`. What is its output "
                "shape (no batch axis)?"
            ),
            key=key,
            traps=[
                (
                    "slowfast_lateral_unstrided",
                    [T.slowfast_lateral_unstrided(p["t_fast"], p["alpha"]), h1, h1, 2 * c_fast],
                ),
                ("slowfast_fast_is_wide", [p["t_fast"] // p["alpha"], h1, h1, 2 * p["c_slow"]]),
            ],
            explanation=(
                f"Time stride $\\alpha = {p['alpha']}$ with 'same' padding: ${p['t_fast']}/{p['alpha']} = "
                f"{key[0]}$ frames, which is exactly the slow pathway's $T_{{slow}} = {p['t_raw']}/{p['tau']} = "
                f"{p['t_slow']}$, so the two can be fused. Space is untouched (1×1 kernel, stride 1) and the channels "
                f"are the conv's {2 * c_fast} filters ($2\\beta C$): {fmt_shape(key)}."
            ),
            params=p,
            witness=W.sequential(
                [p["t_fast"], h1, h1, c_fast],
                [W.conv3d(2 * c_fast, (5, 1, 1), strides=(p["alpha"], 1, 1), padding="same")],
                "output_shape",
            ),
        )
    key = [p["t_fast"], h1, h1, p["c_fast"]]
    return shape(
        stem=(
            f"{_slowfast_intro(p)} The fast pathway takes {_every(st)} and applies its conv1, "
            f"`Conv3D(β·{p['c_slow']}, (5, 7, 7), strides=(1, 2, 2), padding='same')`. What is the shape of the fast "
            "pathway's conv1 output (no batch axis)?"
        ),
        key=key,
        traps=[
            ("slowfast_fast_few_frames", [T.slowfast_fast_few_frames(p["t_slow"], p["alpha"]), h1, h1, p["c_fast"]]),
            (
                "slowfast_fast_is_wide",
                [p["t_fast"], h1, h1, p["c_slow"] * p["beta_inv"]],
                f"β = 1/{p['beta_inv']} *divides* the channels: the fast conv1 has β·{p['c_slow']} = {p['c_fast']} "
                f"filters, not {p['c_slow']}·{p['beta_inv']}. The fast pathway is thin in channels, rich in frames.",
            ),
            (
                "slowfast_fast_is_wide",
                [p["t_fast"], h1, h1, p["c_slow"]],
                f"{p['c_slow']} filters is the slow pathway's conv1; the fast pathway has β = 1/{p['beta_inv']} of its "
                f"channels: {p['c_fast']}. It is thin in channels, rich in frames.",
            ),
        ],
        explanation=(
            f"Frames: the fast pathway samples {_every(st)} ($\\tau/\\alpha = {p['tau']}/{p['alpha']} = {st}$), "
            f"${p['t_raw']}/{st} = {p['t_fast']}$ frames, $\\alpha = {p['alpha']}$ times the slow pathway's "
            f"{p['t_slow']}. Space: stride 2 with 'same' padding, $\\lceil {p['h']}/2 \\rceil = {h1}$. Channels: "
            f"$\\beta\\cdot {p['c_slow']} = {p['c_fast']}$ — the fast pathway is thin. Shape {fmt_shape(key)}."
        ),
        params=p,
        witness=W.sequential(
            [p["t_raw"], p["h"], p["h"], 3],
            [
                W.layer("MaxPooling3D", pool_size=[1, 1, 1], strides=[st, 1, 1], padding="valid"),
                W.conv3d(p["c_fast"], (5, 7, 7), strides=(1, 2, 2), padding="same"),
            ],
            "output_shape",
        ),
    )


@generator("video.slowfast_params", topic="video", title="SlowFast fast-pathway parameters", kind="numeric", version=2)
def slowfast_params(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw_slowfast(rng, difficulty)
    b = 1 if difficulty == 1 else int(rng.random() < 0.5)
    bias_txt = "" if b else ", use_bias=False"
    if difficulty == 1:
        c_in, c_out, k_t, k, c_in_slow, c_out_slow = 3, p["c_fast"], 5, 7, 3, p["c_slow"]
        what = (
            f"How many parameters does the fast pathway's conv1, `Conv3D(β·{p['c_slow']}, (5, 7, 7){bias_txt})` on the "
            "RGB frames, have?"
        )
        form = "conv1"
    elif difficulty == 2 or rng.random() < 0.5:
        k_t, k = pick(rng, ((3, 1), (1, 3), (3, 3)))
        c_in_slow, c_out_slow = pick(rng, ((64, 64), (64, 256), (256, 64), (128, 128), (512, 128)))
        c_in, c_out = c_in_slow // p["beta_inv"], c_out_slow // p["beta_inv"]
        what = (
            f"A slow-pathway conv maps {c_in_slow} to {c_out_slow} channels with {article(str(k_t))} {k_t}×{k}×{k} kernel; its fast-pathway "
            f"counterpart uses the same kernel on β times the widths ({'with' if b else 'no'} bias). How many parameters "
            "does the fast-pathway conv have?"
        )
        form = "stage"
    else:
        k_t, k = 5, 1
        c_in, c_out = p["c_fast"], 2 * p["c_fast"]
        c_in_slow, c_out_slow = p["c_slow"], 2 * p["c_slow"]
        what = (
            f"How many parameters does the lateral connection from the fast conv1 ({c_in} channels), a time-strided "
            f"`Conv3D(2β·{p['c_slow']}, (5, 1, 1), strides=({p['alpha']}, 1, 1){bias_txt})`, have?"
        )
        form = "lateral"
    p.update(form=form, k_t=k_t, k=k, c_in=c_in, c_out=c_out, bias=bool(b))
    key = F.conv3d_params(k_t, k, c_in, c_out, bias=bool(b))
    traps: list[tuple[str, Any]] = [
        ("slowfast_fast_is_wide", F.conv3d_params(k_t, k, c_in_slow, c_out_slow, bias=bool(b))),
        ("c3d_forgot_kt", T.c3d_forgot_kt(k_t, k, c_in, c_out, bias=bool(b))),
        ("forgot_bias", key - c_out if b else key + c_out),
        ("c3d_factor_k_squared", k_t * k_t * k * k * c_in * c_out + b * c_out),
    ]
    strides = (p["alpha"], 1, 1) if form == "lateral" else (1, 2, 2) if form == "conv1" else 1
    t_in = p["t_fast"]
    return numeric(
        stem=f"{_slowfast_intro(p)} {what}",
        key=key,
        traps=traps,
        explanation=(
            f"The fast pathway has $\\beta = 1/{p['beta_inv']}$ of the slow pathway's channels: here "
            f"{c_in} in, {c_out} out. {article(str(k_t)).capitalize()} {k_t}×{k}×{k} 3D filter has ${k_t}\\cdot{k}\\cdot{k}\\cdot{c_in}$ weights"
            f"{' and a bias' if b else ''}: $({k_t}\\cdot{k * k}\\cdot{c_in}{' + 1' if b else ''})\\cdot{c_out} = "
            f"{fmt(key)}$. Being thin is what keeps the fast pathway cheap although it sees $\\alpha = {p['alpha']}$ "
            "times the frames."
        ),
        params=p,
        witness=W.sequential(
            [t_in, p["h"], p["h"], c_in],
            [W.conv3d(c_out, (k_t, k, k), strides=strides, padding="same", use_bias=bool(b))],
            "count_params",
        ),
    )


# ------------------------------------------------------------------ long videos: sliding windows + aggregation


def _windows(t: int, span: int, hop: int) -> int:
    if span > t:
        raise Redraw
    return (t - span) // hop + 1


@generator("video.long_video", topic="video", title="Sliding windows over a long video", kind="numeric")
def long_video(rng: random.Random, difficulty: int) -> dict[str, Any]:
    """A clip model of L frames covers a long video with sliding windows (hop S) and averages the clip scores."""
    clip = pick(rng, (8, 16, 32) if difficulty == 1 else (16, 32, 64))
    if difficulty == 1:
        frames = pick(rng, (64, 96, 100, 128, 150, 200, 250, 300))
        hop = pick(rng, (clip, clip // 2, clip // 4))
        setting = (
            f"A video model scores clips of $L = {clip}$ frames. A ${frames}$-frame video is covered by sliding "
            f"windows of {clip} frames whose starts are ${hop}$ frames apart (the first starts at frame 0; a window "
            "must fit inside the video), each clip is scored, and the scores are averaged into one prediction."
        )
        seconds = fps = None
    else:
        seconds, fps = pick(rng, (10, 12, 30, 45, 60, 90)), pick(rng, (24, 25, 30))
        frames = seconds * fps
        hop_s = pick(rng, (0.5, 1, 2))
        hop = int(hop_s * fps)
        if hop_s * fps != hop:
            raise Redraw
        setting = (
            f"A video model scores clips of $L = {clip}$ consecutive frames. A {seconds}-second video at {fps} fps is "
            f"covered by sliding windows whose starts are {hop_s:g} s apart (the first at frame 0; a window must fit "
            "inside the video), each clip is scored, and the clip scores are averaged into one prediction."
        )
    n = _windows(frames, clip, hop)
    traps: list[tuple[str, int]] = [
        ("windows_forgot_plus_one", T.windows_forgot_plus_one(frames, clip, hop)),
        ("windows_ignored_clip", T.windows_ignored_clip(frames, hop)),
    ]
    if hop < clip:
        traps.append(("windows_non_overlapping", T.windows_non_overlapping(frames, clip)))
    frames_text = f"$T = {seconds}\\cdot{fps} = {frames}$ frames, a hop of $S = {hop}$ frames; a" if seconds else "A"
    count = (
        f"{frames_text} window of {clip} frames can start at $0, {hop}, 2\\cdot{hop}, \\dots$ up to ${frames} - {clip}$: "
        f"$\\lfloor({frames} - {clip})/{hop}\\rfloor + 1 = {n}$ windows."
    )
    windows_w = W.probe(
        "output_dim",
        input_shape=[frames, 2, 2, 1],
        layers=[W.layer("AveragePooling3D", pool_size=[clip, 1, 1], strides=[hop, 1, 1], padding="valid")],
    )
    aggregate = (
        " Sliding a fixed-length window and aggregating the clip scores is how clip-based video CNNs (C3D, I3D, "
        "SlowFast) handle videos longer than the clips they were trained on; the window count is exactly the output "
        "length of a temporal pooling of size L and stride S, which is how Keras checks it here."
    )
    if difficulty < 3:
        return numeric(
            stem=setting + " How many clips does the model score?",
            key=n,
            traps=traps,
            explanation=count + aggregate,
            params={"frames": frames, "clip": clip, "hop": hop, "seconds": seconds, "fps": fps},
            witness=windows_w,
        )
    c_in, c_out, side = pick(rng, (3, 16, 32)), pick(rng, (16, 32, 64)), pick(rng, (28, 56, 112))
    layer = W.conv3d(c_out, (3, 3, 3), padding="same", use_bias=True)
    clip_macs = F.conv_macs(side, side, 3, c_in, c_out, k_t=3, t_out=clip)
    key = n * clip_macs
    return numeric(
        stem=(
            setting + f" The clip model is a single `Conv3D({c_out}, (3, 3, 3), padding='same')` on "
            f"${clip}\\times{side}\\times{side}\\times{c_in}$ clips, followed by a global average pool and the "
            "classifier (ignore those). How many multiply-accumulates (MACs) does scoring the whole video take?"
        ),
        key=key,
        unit="MACs",
        traps=[
            ("video_macs_one_clip", T.video_macs_one_clip(clip_macs)),
            ("windows_ignored_clip", T.windows_ignored_clip(frames, hop) * clip_macs),
            ("windows_forgot_plus_one", T.windows_forgot_plus_one(frames, clip, hop) * clip_macs),
            ("macs_as_flops", T.macs_as_flops(key)),
        ],
        explanation=(
            count
            + f" One clip: $T\\cdot H\\cdot W\\cdot K_t K^2 C_{{in}} C_{{out}} = {clip}\\cdot{side}^2\\cdot27\\cdot{c_in}"
            f"\\cdot{c_out} = {fmt(clip_macs)}$ MACs ('same' keeps all {clip} frames). The video: ${n}\\cdot"
            f"{fmt(clip_macs)} = {fmt(key)}$; averaging the {n} clip scores costs nothing in MACs. (Keras checks it on "
            f"the {n} clips laid end to end along time: a 'same' conv's MACs grow linearly with the frames.)"
            + aggregate
        ),
        params={
            "frames": frames,
            "clip": clip,
            "hop": hop,
            "seconds": seconds,
            "fps": fps,
            "c_in": c_in,
            "c_out": c_out,
            "side": side,
        },
        # a 'same' Conv3D's MACs grow linearly with the frames: the n clips laid end to end cost n clips' MACs
        witness=W.sequential([n * clip, side, side, c_in], [layer], "macs"),
    )
