"""Backward passes: conv (flipped kernel), pooling routing and the ReLU gate, on small concrete numbers."""

from __future__ import annotations

import random
from typing import Any

from .. import formulas as F
from .. import traps as T
from .. import witness as W
from .base import Redraw, fact_choice, fmt, generator, latex_matrix, numeric, pick, topic

TOPIC = topic(
    "backward",
    "Backward passes",
    "Gradients through conv (the 180°-flipped kernel), max/average pooling and ReLU, computed by hand on small inputs.",
)


def _vec(v: list[int]) -> str:
    return "(" + ", ".join(str(a) for a in v) + ")"


def _ints(rng: random.Random, n: int, m: int, values: tuple[int, ...]) -> list[list[int]]:
    return [[pick(rng, values) for _ in range(m)] for _ in range(n)]


# ------------------------------------------------------------------ conv backward


@generator("backward.conv_grad", topic="backward", title="Gradient through a convolution", kind="numeric")
def conv_grad(rng: random.Random, difficulty: int) -> dict[str, Any]:
    n, k = {1: (3, 2), 2: pick(rng, ((4, 2), (4, 3))), 3: (5, 3)}[difficulty]
    o = n - k + 1
    x = _ints(rng, n, n, (-3, -2, -1, 0, 1, 2, 3, 4))
    w = _ints(rng, k, k, (-2, -1, 1, 2, 3))
    g = _ints(rng, o, o, (-2, -1, 0, 1, 2, 3))
    wrt = "kernel" if difficulty == 3 and rng.random() < 0.4 else "input"
    conv_def = (
        f"A single-channel `Conv2D(1, {k}, use_bias=False)` (stride 1, `valid`) computes the cross-correlation "
        f"$y_{{p,q}} = \\sum_{{a,b}} x_{{p+a-1,\\,q+b-1}}\\, w_{{a,b}}$ of $x = {latex_matrix(x)}$ "
        f"with $w = {latex_matrix(w)}$. "
        f"The upstream gradient is $G = \\partial L/\\partial y = {latex_matrix(g)}$."
    )
    if wrt == "input":
        # interior positions get the most terms; keep to those where the flip matters
        cells = [(i, j) for i in range(n) for j in range(n)]
        if difficulty == 1:
            cells = [(1, 1)]
        i, j = pick(rng, cells)
        key = F.conv_input_grad(w, g, (i, j))
        traps: list[tuple[str, float]] = [("conv_grad_unflipped", T.conv_grad_unflipped(w, g, (i, j)))]
        if i < k and j < k:
            traps.append(("conv_xgrad_wgrad_swapped", F.conv_kernel_grad(x, g, (i, j))))
        terms = [
            f"G_{{{i - a + 1},{j - b + 1}}} w_{{{a + 1},{b + 1}}}"
            for a in range(k)
            for b in range(k)
            if 0 <= i - a < o and 0 <= j - b < o
        ]
        nums = [
            f"({g[i - a][j - b]})({w[a][b]})" for a in range(k) for b in range(k) if 0 <= i - a < o and 0 <= j - b < o
        ]
        ask = f"$\\partial L/\\partial x_{{{i + 1},{j + 1}}}$"
        how = (
            f"$x_{{{i + 1},{j + 1}}}$ meets weight $w_{{a,b}}$ in output $y_{{{i + 2}-a,\\,{j + 2}-b}}$ (where that "
            "output exists), so "
            f"$\\partial L/\\partial x_{{{i + 1},{j + 1}}} = \\sum_{{a,b}} G_{{{i + 2}-a,\\,{j + 2}-b}}\\, w_{{a,b}} = "
            f"{' + '.join(terms)} = {' + '.join(nums)} = {fmt(key)}$. "
            "Read as a sliding window this is the zero-padded $G$ cross-correlated with the **180°-flipped** kernel "
            "(a true convolution), not with the kernel as stored."
        )
    else:
        i, j = rng.randrange(k), rng.randrange(k)
        key = F.conv_kernel_grad(x, g, (i, j))
        traps = [("conv_xgrad_wgrad_swapped", F.conv_input_grad(w, g, (i, j)))]
        flipped = sum(g[p][q] * x[p + k - 1 - i][q + k - 1 - j] for p in range(o) for q in range(o))
        traps.append(("conv_grad_unflipped", flipped))
        nums = [f"({x[p + i][q + j]})({g[p][q]})" for p in range(o) for q in range(o)]
        ask = f"$\\partial L/\\partial w_{{{i + 1},{j + 1}}}$"
        how = (
            f"$w_{{{i + 1},{j + 1}}}$ multiplies $x_{{p+{i},\\,q+{j}}}$ in every output $y_{{p,q}}$, so "
            f"$\\partial L/\\partial w_{{{i + 1},{j + 1}}} = \\sum_{{p,q}} G_{{p,q}}\\, x_{{p+{i},\\,q+{j}}} = "
            f"{' + '.join(nums)} = {fmt(key)}$: the input cross-correlated with $G$ (no flip)."
        )
    traps = [(t, v) for t, v in traps if v != key]
    if not traps:
        raise Redraw
    return numeric(
        stem=f"{conv_def} What is {ask}? (Indices start at 1 in the top-left corner.)",
        key=key,
        traps=traps,
        explanation=how,
        params={"x": x, "w": w, "g": g, "at": [i, j], "wrt": wrt},
        witness=W.probe("conv_grad", x=x, kernel=w, upstream=g, at=[i, j], wrt=wrt),
    )


# ------------------------------------------------------------------ ReLU gate (and ReLU → max-pool)


@generator("backward.relu_grad", topic="backward", title="Gradient through ReLU", kind="numeric")
def relu_grad(rng: random.Random, difficulty: int) -> dict[str, Any]:
    if difficulty == 3:
        return _relu_pool(rng)
    n = 4 if difficulty == 1 else pick(rng, (5, 6))
    vals = [v for v in range(-6, 7) if v not in (0, 1)]
    x = [pick(rng, vals) for _ in range(n)]
    g = [pick(rng, (-3, -2, -1, 1, 2, 3, 4)) for _ in range(n)]
    if all(v > 0 for v in x) or all(v < 0 for v in x):
        raise Redraw
    gate = F.relu_grad(x, g)
    setting = (
        f"A ReLU layer gets the input $x = {_vec(x)}$ and, in the backward pass, the upstream gradient "
        f"$\\partial L/\\partial y = {_vec(g)}$."
    )
    if difficulty == 1:
        i = rng.randrange(n)
        key = gate[i]
        traps = [
            ("relu_grad_passes_all", g[i]),
            ("relu_grad_times_input", T.relu_grad_times_input(x[i], g[i])),
        ]
        stem = f"{setting} What is $\\partial L/\\partial x_{i + 1}$?"
        at: list[int] | None = [i]
        how = (
            f"ReLU's backward is a gate: $\\partial L/\\partial x_i = \\partial L/\\partial y_i$ if $x_i > 0$, else 0. "
            f"Here $x_{i + 1} = {x[i]}$ {'> 0, so the gradient passes' if x[i] > 0 else '< 0, so it is blocked'}: "
            f"${fmt(key)}$."
        )
    else:
        key = sum(gate)
        traps = [
            ("relu_grad_passes_all", sum(g)),
            ("relu_grad_times_input", sum(a * b for a, b in zip(x, gate))),
        ]
        stem = f"{setting} What is the sum of the entries of $\\partial L/\\partial x$?"
        at = None
        how = (
            "ReLU's backward is a gate: it passes $\\partial L/\\partial y_i$ where $x_i > 0$ and sends 0 elsewhere. "
            f"$\\partial L/\\partial x = {_vec([int(v) for v in gate])}$, whose entries sum to ${fmt(key)}$."
        )
    return numeric(
        stem=stem,
        key=key,
        traps=traps,
        explanation=how,
        params={"x": x, "g": g, "at": at},
        witness=W.probe("input_grad", layers=[W.relu()], x=x, upstream=g, at=at),
    )


def _relu_pool(rng: random.Random) -> dict[str, Any]:
    """ReLU then a 2×2 max-pool on a 4×4 input: the gradient is routed to the argmax, then gated."""
    vals = rng.sample([v for v in range(-15, 16) if v != 0], 16)
    x = [vals[r * 4 : r * 4 + 4] for r in range(4)]
    g = _ints(rng, 2, 2, (-3, -2, -1, 1, 2, 3, 4, 5))
    a, b = rng.randrange(2), rng.randrange(2)
    window = [(p, q) for p in (2 * a, 2 * a + 1) for q in (2 * b, 2 * b + 1)]
    top = max(window, key=lambda c: x[c[0]][c[1]])
    i, j = top if rng.random() < 0.6 else pick(rng, window)
    is_top = top == (i, j)
    key = g[a][b] if is_top and x[i][j] > 0 else 0
    traps = [("relu_grad_passes_all", g[a][b] if is_top else 0), ("maxpool_grad_spread", g[a][b] / 4)]
    if key == 0 and not is_top:
        traps.append(("maxpool_grad_copied", g[a][b]))
    elif x[i][j] > 0:
        traps.append(("relu_grad_times_input", T.relu_grad_times_input(x[i][j], g[a][b])))
    positive = [x[p][q] for p, q in window if x[p][q] > 0]
    if is_top and x[i][j] < 0:
        why = (
            f"the whole window is negative, so ReLU outputs 0 everywhere in it; whichever input the pool routes "
            f"$G = {g[a][b]}$ to, ReLU's gate (input $\\le 0$) blocks it: 0"
        )
    elif is_top:
        why = f"$x_{{{i + 1},{j + 1}}} = {x[i][j]}$ is the window's maximum and positive: it receives $G = {g[a][b]}$"
    else:
        why = (
            f"the window's maximum is $x_{{{top[0] + 1},{top[1] + 1}}} = {x[top[0]][top[1]]}$, not "
            f"$x_{{{i + 1},{j + 1}}}$, so the max-pool sends it 0"
        )
    if not positive and not is_top:
        why += " (and the ReLU gate would block it anyway, the window being negative)"
    return numeric(
        stem=(
            f"The input $x = {latex_matrix(x)}$ goes through `ReLU()` then `MaxPooling2D(2)`. "
            "The upstream gradient of the "
            f"pool's output is $G = {latex_matrix(g)}$. What is $\\partial L/\\partial x_{{{i + 1},{j + 1}}}$ "
            "(row, column, from the top left)?"
        ),
        key=key,
        traps=traps,
        explanation=(
            "Backward runs in reverse: the max-pool routes each window's gradient to the window's argmax (0 to the "
            "others), then ReLU's gate passes it only where the input was > 0. "
            f"$x_{{{i + 1},{j + 1}}}$ lies in window ({a + 1}, {b + 1}): {why}. Answer: ${fmt(key)}$."
        ),
        params={"x": x, "g": g, "at": [i, j], "chain": "relu_maxpool"},
        witness=W.probe(
            "input_grad",
            layers=[W.relu(), W.pool2d("max", 2)],
            x=[[[v] for v in row] for row in x],
            upstream=[[[v] for v in row] for row in g],
            at=[i, j, 0],
        ),
    )


# ------------------------------------------------------------------ the rules, each backed by a live probe


def _rules(rng: random.Random, difficulty: int) -> list[dict[str, Any]]:
    k = pick(rng, (2, 3))
    seed = rng.randrange(4)
    conv = {
        "rule": "conv",
        "stem": "A conv layer computes $y = x \\star w$ (cross-correlation, as in every deep-learning framework). "
        "How is $\\partial L/\\partial x$ computed from $\\partial L/\\partial y$?",
        "right": [
            "Zero-pad ∂L/∂y by K − 1 and cross-correlate it with the 180°-rotated kernel.",
            "A full convolution of ∂L/∂y with w: the kernel is flipped by 180°.",
            "Cross-correlate the padded ∂L/∂y with w rotated by 180° (a true convolution).",
        ],
        "distractors": [
            ("conv_is_convolution_forward", "The forward pass already flips w, so the backward pass uses w as stored."),
            ("conv_xgrad_wgrad_swapped", "Cross-correlate the input x with ∂L/∂y."),
            ("conv_grad_unflipped", "Zero-pad ∂L/∂y and cross-correlate it with the kernel exactly as stored."),
        ],
        "witness": W.probe("conv_backward_flipped_kernel", expect=True, k=pick(rng, (2, 3)), seed=seed),
        "explanation": T.get("conv_is_convolution_forward").feedback
        + " Checked live: the gradient TensorFlow computes equals the padded upstream gradient cross-correlated "
        "with the flipped kernel.",
    }
    relu = {
        "rule": "relu",
        "stem": "What does the backward pass of ReLU do with the upstream gradient $\\partial L/\\partial y$?",
        "right": [
            "Passes it unchanged where the forward input was > 0, sends 0 elsewhere.",
            "Acts as a gate: ∂L/∂x = ∂L/∂y where x > 0, and 0 where x ≤ 0.",
            "Multiplies it by the step 1[x > 0] of the forward input.",
        ],
        "distractors": [
            ("relu_grad_passes_all", "Passes it unchanged everywhere: ReLU's slope is 1."),
            ("relu_grad_times_input", "Multiplies it by the forward input x."),
            ("relu_grad_inverted", "Sends 0 where x > 0 and passes it where x ≤ 0."),
        ],
        "witness": W.probe("relu_grad_gate", expect=True, seed=seed),
        "explanation": T.get("relu_grad_passes_all").feedback,
    }
    maxpool = {
        "rule": "maxpool",
        "stem": f"How does a `MaxPooling2D({k})` layer route the upstream gradient of one window back to its "
        f"${k * k}$ inputs?",
        "right": [
            "All of it to the input that was the maximum, 0 to the others.",
            f"Only the argmax gets it; the other {k * k - 1} inputs get 0.",
            "It goes whole to the window's largest input, nothing to the rest.",
        ],
        "distractors": [
            ("maxpool_grad_spread", f"1/{k * k} of it to each of the {k * k} inputs."),
            ("maxpool_grad_copied", "A full copy of it to every input of the window."),
            ("maxpool_no_gradient", "None: max is not differentiable, so nothing flows back."),
            ("pooling_has_params", "It updates the pool's own weights; the inputs get nothing."),
        ],
        "witness": W.probe("maxpool_grad_routes_to_argmax", expect=True, k=k, seed=seed),
        "explanation": T.get("maxpool_grad_spread").feedback,
    }
    avgpool = {
        "rule": "avgpool",
        "stem": f"How does an `AveragePooling2D({k})` layer route the upstream gradient $g$ of one window back to its "
        f"${k * k}$ inputs?",
        "right": [f"$g/{k * k}$ to each input.", f"Each of the {k * k} inputs gets $g/{k * k}$."],
        "distractors": [
            ("avgpool_grad_1_over_k", f"$g/{k}$ to each input."),
            ("avgpool_grad_copied", "$g$ to each input."),
            (
                "maxpool_grad_spread",
                "$g$ to the largest input, 0 to the others.",
                f"That is max-pooling's rule; an average weighs every input by 1/{k * k}, so each gets $g/{k * k}$.",
            ),
        ],
        "witness": W.probe("avgpool_grad", expect=F.avgpool_grad(k), k=k, seed=seed),
        "explanation": f"$y = \\frac{{1}}{{{k * k}}}\\sum x$, so $\\partial y/\\partial x = 1/{k * k}$ for every input. "
        + T.get("avgpool_grad_1_over_k").feedback,
    }
    return {1: [relu, maxpool], 2: [relu, maxpool, avgpool, conv], 3: [conv, avgpool]}[difficulty]  # type: ignore[return-value]


@generator(
    "backward.rule", topic="backward", title="Backward rules of conv, pooling and ReLU", kind="choice", version=2
)
def rule(rng: random.Random, difficulty: int) -> dict[str, Any]:
    return fact_choice(rng, pick(rng, _rules(rng, difficulty)), name="rule")


# ------------------------------------------------------------------ ∂L/∂W, and the multi-channel conv backward


def _channels_text(name: str, t: list[list[list[int]]]) -> str:
    """``x_{:,:,1} = (…)``, ``x_{:,:,2} = (…)``: a H×W×C tensor shown one channel at a time."""
    return ", ".join(
        f"${name}_{{:,:,{c + 1}}} = {latex_matrix([[v[c] for v in row] for row in t])}$" for c in range(len(t[0][0]))
    )


def _kernel_text(w: list[list[list[list[int]]]]) -> str:
    c_in, c_out = len(w[0][0]), len(w[0][0][0])
    return ", ".join(
        f"$w_{{:,:,{c + 1},{o + 1}}} = {latex_matrix([[w[a][b][c][o] for b in range(len(w[0]))] for a in range(len(w))])}$"
        for c in range(c_in)
        for o in range(c_out)
    )


def _tensor(rng: random.Random, n: int, m: int, c: int, values: tuple[int, ...]) -> list[list[list[int]]]:
    return [[[pick(rng, values) for _ in range(c)] for _ in range(m)] for _ in range(n)]


@generator(
    "backward.weight_grad",
    topic="backward",
    title="∂L/∂W and the multi-channel conv backward",
    kind="numeric",
    version=2,
)
def weight_grad(rng: random.Random, difficulty: int) -> dict[str, Any]:
    xs, ws, gs = (-3, -2, -1, 0, 1, 2, 3, 4), (-2, -1, 1, 2, 3), (-2, -1, 0, 1, 2, 3)
    if difficulty == 1:  # one channel: ∂L/∂w = the input cross-correlated with G
        n, k = pick(rng, ((3, 2), (4, 2), (4, 3)))
        o = n - k + 1
        x, w, g = _ints(rng, n, n, xs), _ints(rng, k, k, ws), _ints(rng, o, o, gs)
        a, b = rng.randrange(k), rng.randrange(k)
        key = F.conv_kernel_grad(x, g, (a, b))
        flipped = sum(g[p][q] * x[p + k - 1 - a][q + k - 1 - b] for p in range(o) for q in range(o))
        traps: list[tuple[str, float]] = [
            ("bias_grad_for_weight", T.bias_grad_for_weight(g)),
            ("conv_xgrad_wgrad_swapped", F.conv_input_grad(w, g, (a, b))),
            ("conv_grad_unflipped", flipped),
        ]
        nums = " + ".join(f"({x[p + a][q + b]})({g[p][q]})" for p in range(o) for q in range(o))
        traps = [(t, v) for t, v in traps if v != key]
        if not traps:
            raise Redraw
        return numeric(
            stem=(
                f"A single-channel `Conv2D(1, {k}, use_bias=False)` (stride 1, 'valid') computes "
                f"$y_{{p,q}} = \\sum_{{a,b}} x_{{p+a-1,\\,q+b-1}}\\, w_{{a,b}}$ on $x = {latex_matrix(x)}$ with "
                f"$w = {latex_matrix(w)}$. The upstream gradient is $G = \\partial L/\\partial y = {latex_matrix(g)}$. "
                f"What is $\\partial L/\\partial w_{{{a + 1},{b + 1}}}$? (Indices from 1, top left.)"
            ),
            key=key,
            traps=traps,
            explanation=(
                f"$w_{{{a + 1},{b + 1}}}$ multiplies $x_{{p+{a},\\,q+{b}}}$ in every output $y_{{p,q}}$, so "
                f"$\\partial L/\\partial w_{{{a + 1},{b + 1}}} = \\sum_{{p,q}} G_{{p,q}}\\,x_{{p+{a},\\,q+{b}}} = {nums} "
                f"= {fmt(key)}$: the input cross-correlated with $G$, no flip and no kernel involved. The plain sum "
                f"$\\sum G = {fmt(T.bias_grad_for_weight(g))}$ would be the gradient of a bias, which adds to every "
                "output."
            ),
            params={"x": x, "w": w, "g": g, "at": [a, b], "wrt": "kernel"},
            witness=W.probe("conv_grad", x=x, kernel=w, upstream=g, at=[a, b], wrt="kernel"),
        )
    n = 3 if difficulty == 2 else 4
    k, c_in, c_out = 2, 2, 2
    o = n - k + 1
    x = _tensor(rng, n, n, c_in, xs)
    w = [[[[pick(rng, ws) for _ in range(c_out)] for _ in range(c_in)] for _ in range(k)] for _ in range(k)]
    g = _tensor(rng, o, o, c_out, gs)
    setting = (
        f"A `Conv2D({c_out}, {k}, use_bias=False)` (stride 1, 'valid') maps a ${n}\\times{n}\\times{c_in}$ input $x$ "
        f"to a ${o}\\times{o}\\times{c_out}$ output, $y_{{p,q,o}} = \\sum_{{a,b,c}} x_{{p+a-1,\\,q+b-1,\\,c}}\\, "
        f"w_{{a,b,c,o}}$ (Keras' kernel is $K\\times K\\times C_{{in}}\\times C_{{out}}$). Input: "
        f"{_channels_text('x', x)}. Kernel: {_kernel_text(w)}. Upstream gradient: {_channels_text('G', g)}."
    )
    if difficulty == 2:
        a, b, c, oc = rng.randrange(k), rng.randrange(k), rng.randrange(c_in), rng.randrange(c_out)
        at = [a, b, c, oc]
        key = F.conv_kernel_grad_channels(x, g, at)
        traps = [
            ("wgrad_summed_channels", T.wgrad_summed_channels(x, g, at)),
            ("wgrad_channels_swapped", T.wgrad_channels_swapped(x, g, at)),
            ("bias_grad_for_weight", T.bias_grad_for_weight([[v[oc] for v in row] for row in g])),
        ]
        nums = " + ".join(f"({x[p + a][q + b][c]})({g[p][q][oc]})" for p in range(o) for q in range(o))
        ask = f"$\\partial L/\\partial w_{{{a + 1},{b + 1},{c + 1},{oc + 1}}}$"
        how = (
            f"$w_{{{a + 1},{b + 1},{c + 1},{oc + 1}}}$ links input channel {c + 1} to output channel {oc + 1}: it "
            f"multiplies $x_{{p+{a},\\,q+{b},\\,{c + 1}}}$ in every $y_{{p,q,{oc + 1}}}$ and nothing else, so "
            f"$\\partial L/\\partial w_{{{a + 1},{b + 1},{c + 1},{oc + 1}}} = \\sum_{{p,q}} "
            f"x_{{p+{a},\\,q+{b},\\,{c + 1}}}\\,G_{{p,q,{oc + 1}}} = {nums} = {fmt(key)}$: input channel {c + 1} "
            f"cross-correlated with the gradient of output channel {oc + 1}. The kernel's values do not enter."
        )
    else:
        i, j, c = rng.randrange(1, n - 1), rng.randrange(1, n - 1), rng.randrange(c_in)  # inside: the flip matters
        at = [i, j, c]
        key = F.conv_input_grad_channels(w, g, at)
        unflipped = sum(
            T.conv_grad_unflipped(
                [[w[a][b][c][oc] for b in range(k)] for a in range(k)], [[v[oc] for v in row] for row in g], (i, j)
            )
            for oc in range(c_out)
        )
        traps = [
            ("xgrad_one_output_channel", T.xgrad_one_output_channel(w, g, at)),
            ("xgrad_channels_swapped", T.xgrad_channels_swapped(w, g, at)),
            ("conv_grad_unflipped", unflipped),
        ]
        terms = [
            f"({g[i - a][j - b][oc]})({w[a][b][c][oc]})"
            for oc in range(c_out)
            for a in range(k)
            for b in range(k)
            if 0 <= i - a < o and 0 <= j - b < o
        ]
        ask = f"$\\partial L/\\partial x_{{{i + 1},{j + 1},{c + 1}}}$"
        how = (
            f"*Every* output channel $o$ reads input channel {c + 1} through $w_{{:,:,{c + 1},o}}$, so its gradient "
            f"sums over them all: $\\partial L/\\partial x_{{{i + 1},{j + 1},{c + 1}}} = \\sum_o \\sum_{{a,b}} "
            f"G_{{{i + 2}-a,\\,{j + 2}-b,\\,o}}\\, w_{{a,b,{c + 1},o}} = {' + '.join(terms) or '0'} = {fmt(key)}$. "
            "As a sliding window: the zero-padded $G$ convolved with the 180°-flipped kernel whose channel axes are "
            "transposed ($C_{out}$ in, $C_{in}$ out), which is how frameworks compute it."
        )
    traps = [(t, v) for t, v in traps if v != key]
    if not traps:
        raise Redraw
    return numeric(
        stem=f"{setting} What is {ask}? (Indices from 1: row, column, channel…)",
        key=key,
        traps=traps,
        explanation=how,
        params={"x": x, "w": w, "g": g, "at": at, "wrt": "kernel" if difficulty == 2 else "input"},
        witness=W.probe(
            "conv_grad_channels", x=x, kernel=w, upstream=g, at=at, wrt="kernel" if difficulty == 2 else "input"
        ),
    )
