"""Residual blocks: y = F(x) + x, its gradient ∂F/∂x + I, block parameters and output shapes."""

from __future__ import annotations

import random
from typing import Any

from .. import formulas as F
from .. import traps as T
from .. import witness as W
from .base import Redraw, article, claims_choice, fmt, fmt_shape, generator, multi_select, numeric, pick, shape, topic

TOPIC = topic(
    "residual",
    "Residual connections",
    "ResNet blocks y = F(x) + x: the identity in the gradient, basic and bottleneck blocks, identity vs projection "
    "shortcuts, output shapes.",
)


def _block(rng: random.Random, difficulty: int) -> dict[str, Any]:
    """Draw a basic or bottleneck block: widths, stride, shortcut, bias, BatchNorm."""
    h = pick(rng, (8, 14, 28, 56))
    kind = "basic" if difficulty == 1 else pick(rng, ("basic", "bottleneck"))
    stride, bn, bias = 1, False, True
    if kind == "basic":
        c_out = pick(rng, (16, 32, 64, 128, 256))
        c_in, c_mid = c_out, c_out
        if difficulty >= 2 and rng.random() < 0.5:
            c_in, stride = c_out // 2, pick(rng, (1, 2))
    else:
        c_mid = pick(rng, (16, 32, 64, 128))
        c_out = 4 * c_mid
        c_in = c_out if rng.random() < 0.5 else pick(rng, (c_mid, 2 * c_mid))
        if c_in != c_out:
            stride = pick(rng, (1, 2))
    if difficulty >= 2:
        bias = rng.random() < 0.5
    if difficulty == 3:
        bn, bias = True, False
        if c_in == c_out and rng.random() < 0.4:
            stride = 2  # a downsampling block needs a projection even at equal width
    projection = c_in != c_out or stride != 1
    return {
        "h": h,
        "kind": kind,
        "c_in": c_in,
        "c_mid": c_mid,
        "c_out": c_out,
        "stride": stride,
        "bias": bias,
        "bn": bn,
        "projection": projection,
    }


def _convs(p: dict[str, Any]) -> list[tuple[int, int, int]]:
    """(K, filters, stride) of the residual branch; the stride sits on the first 3×3 (ResNet v1.5)."""
    if p["kind"] == "basic":
        return [(3, p["c_out"], p["stride"]), (3, p["c_out"], 1)]
    return [(1, p["c_mid"], 1), (3, p["c_mid"], p["stride"]), (1, p["c_out"], 1)]


def _graph(p: dict[str, Any]) -> tuple[W.Graph, str]:
    g = W.Graph([p["h"], p["h"], p["c_in"]], name="residual_block")
    x = t = g.input
    convs = _convs(p)
    for i, (k, f, s) in enumerate(convs):
        t = g.add(W.conv2d(f, k, strides=s, padding="same", use_bias=p["bias"]), t)
        if p["bn"]:
            t = g.add(W.batchnorm(), t)
        if i < len(convs) - 1:
            t = g.add(W.relu(), t)
    skip = x
    if p["projection"]:
        skip = g.add(W.conv2d(p["c_out"], 1, strides=p["stride"], use_bias=p["bias"]), x, name="projection")
        if p["bn"]:
            skip = g.add(W.batchnorm(), skip)
    y = g.add(W.layer("Add"), [t, skip])
    return g, g.add(W.relu(), y)


def _describe(p: dict[str, Any]) -> str:
    b = "" if p["bias"] else ", use_bias=False"
    parts = []
    for k, f, s in _convs(p):
        st = f", strides={s}" if s != 1 else ""
        parts.append(f"`Conv2D({f}, {k}{st}, padding='same'{b})`" + (" → BN" if p["bn"] else ""))
    branch = " → ReLU → ".join(parts)
    if p["projection"]:
        st = f", strides={p['stride']}" if p["stride"] != 1 else ""
        skip = f"a projection `Conv2D({p['c_out']}, 1{st}{b})`" + (" → BN" if p["bn"] else "")
    else:
        skip = "the identity"
    return (
        f"a {'basic' if p['kind'] == 'basic' else 'bottleneck'} residual block on "
        f"{article(str(p['h']))} ${p['h']}\\times{p['h']}\\times{p['c_in']}$ input: residual branch {branch}; shortcut: {skip}; then `Add` "
        "and ReLU"
    )


def _branch_params(p: dict[str, Any]) -> tuple[int, list[str]]:
    total, terms, c = 0, [], p["c_in"]
    b = " + 1" if p["bias"] else ""
    for k, f, _ in _convs(p):
        total += F.conv_params(k, c, f, bias=p["bias"])
        terms.append(f"({k}\\cdot{k}\\cdot{c}{b})\\cdot{f}")
        c = f
    return total, terms


def _bn_channels(p: dict[str, Any]) -> list[int]:
    if not p["bn"]:
        return []
    return [f for _, f, _ in _convs(p)] + ([p["c_out"]] if p["projection"] else [])


# ------------------------------------------------------------------ parameters of a block


@generator("residual.block_params", topic="residual", title="Parameters of a residual block", kind="numeric", version=2)
def block_params(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _block(rng, difficulty)
    quantity = pick(rng, ("count_params", "trainable_params")) if p["bn"] else "count_params"
    branch, terms = _branch_params(p)
    proj = F.one_by_one_params(p["c_in"], p["c_out"], bias=p["bias"]) if p["projection"] else 0
    if p["kind"] == "basic":
        check = F.resnet_basic_params(p["c_in"], p["c_out"], bias=p["bias"], projection=p["projection"])
    else:
        check = F.resnet_bottleneck_params(
            p["c_in"], p["c_mid"], p["c_out"], bias=p["bias"], projection=p["projection"]
        )
    assert check == branch + proj
    bn_c = sum(_bn_channels(p))
    bn = (4 if quantity == "count_params" else 2) * bn_c
    key = branch + proj + bn
    traps: list[tuple[str, int]] = []
    if p["projection"]:
        traps.append(
            ("resnet_forgot_projection", T.resnet_forgot_projection(key, p["c_in"], p["c_out"], bias=p["bias"]))
        )
    else:
        traps.append(
            ("resnet_identity_has_params", T.resnet_identity_has_params(key, p["c_in"], p["c_out"], bias=p["bias"]))
        )
    if p["kind"] == "bottleneck":
        traps.append(
            ("bottleneck_3x3_full_width", T.bottleneck_3x3_full_width(key, p["c_mid"], p["c_out"], bias=p["bias"]))
        )
    if p["bn"]:
        traps.append(
            ("bn_count_as_2c", key - 2 * bn_c) if quantity == "count_params" else ("bn_trainable_as_4c", key + 2 * bn_c)
        )
        traps.append(("forgot_bn_params", T.forgot_bn_params(key, bn)))
    n_bias = sum(f for _, f, _ in _convs(p)) + (p["c_out"] if p["projection"] else 0)
    traps.append(("forgot_bias", key - n_bias) if p["bias"] else ("forgot_bias", key + n_bias))
    conv_text = "biases included" if p["bias"] else "no conv biases"
    if quantity == "trainable_params":
        q_text = "How many of its parameters are trainable?"
    elif p["bn"]:
        q_text = "How many parameters does it have in Keras `count_params()` (BN moving statistics included)?"
    else:
        q_text = "How many parameters does the block have in all?"
    how = f"Residual branch: ${' + '.join(terms)} = {fmt(branch)}$. "
    if p["projection"]:
        why = "the width changes" if p["c_in"] != p["c_out"] else "the block strides"
        how += (
            f"Shortcut: {why}, so $x$ must be projected: $({p['c_in']}\\cdot{p['c_out']}"
            f"{' + ' + str(p['c_out']) if p['bias'] else ''}) = {fmt(proj)}$. "
        )
    else:
        how += "Shortcut: identity, 0 parameters; `Add` and ReLU have none either. "
    if p["bn"]:
        how += (
            f"BatchNorm on ${' + '.join(str(c) for c in _bn_channels(p))} = {bn_c}$ channels: "
            f"${4 if quantity == 'count_params' else 2}\\cdot{bn_c} = {fmt(bn)}$"
            f"{' (γ, β and the moving statistics)' if quantity == 'count_params' else ' (γ and β only)'}. "
        )
    how += f"Total: **{fmt(key)}**."
    g, out = _graph(p)
    return numeric(
        stem=f"Consider {_describe(p)} ({conv_text}). {q_text}",
        key=key,
        traps=traps,
        explanation=how,
        params={**p, "quantity": quantity},
        witness=g.witness(out, quantity),
    )


# ------------------------------------------------------------------ output shape of a block


@generator("residual.block_shape", topic="residual", title="Output shape of a residual block", kind="shape", version=2)
def block_shape(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _block(rng, difficulty)
    p["bn"] = False
    if difficulty >= 2 and not p["projection"] and rng.random() < 0.5:
        p["stride"], p["projection"] = 2, True
    h, s = p["h"], p["stride"]
    side = F.output_size(h, 3, s, "same")
    key = [side, side, p["c_out"]]
    traps: list[tuple[str, list[int]]] = [("resnet_concatenates", [side, side, p["c_out"] + p["c_in"]])]
    if s > 1:
        traps.append(("block_ignored_stride", T.block_ignored_stride(h, h, p["c_out"])))
    valid = F.output_size(h, 3, s, 0)
    if p["kind"] == "basic" and valid > 2:
        traps.append(("same_as_valid", [valid - 2, valid - 2, p["c_out"]]))
    else:
        traps.append(("bottleneck_3x3_full_width", [side, side, p["c_mid"]]))
    g, out = _graph(p)
    return shape(
        stem=f"What is the output shape (H×W×C, no batch axis) of {_describe(p)}?",
        key=key,
        traps=traps,
        explanation=(
            f"`Add` needs both operands to have the same shape and keeps it: the block *adds* the shortcut to F(x), "
            f"it does not concatenate. The branch ends with {p['c_out']} filters"
            + (
                f"; stride {s} with `same` padding gives $\\lceil {h}/{s} \\rceil = {side}$, and the 1×1 projection "
                f"strides by {s} too"
                if s > 1
                else f"; stride 1 with `same` padding keeps ${h}\\times{h}$"
            )
            + f". Output: ${fmt_shape(key)}$."
        ),
        params=p,
        witness=g.witness(out, "output_shape"),
    )


# ------------------------------------------------------------------ the gradient through y = F(x) + x


def _par(v: float) -> str:
    return f"({fmt(v)})" if v < 0 else fmt(v)


def _coef(w: float) -> str:
    return "" if w == 1 else "-" if w == -1 else f"{fmt(w)}\\,"


def _scalar_blocks(rng: random.Random, n: int) -> list[list[float]]:
    """[w1, b1, w2] of scalar blocks F(t) = w2·ReLU(w1·t + b1)."""
    return [
        [pick(rng, (-2, -1, 1, 2, 3)), pick(rng, (-2, -1, 0, 1, 2)), pick(rng, (-2, -1, 0.5, 1, 2, 3))]
        for _ in range(n)
    ]


@generator("residual.grad", topic="residual", title="Gradient through residual blocks", kind="numeric")
def grad(rng: random.Random, difficulty: int) -> dict[str, Any]:
    n = 2 if difficulty == 3 else 1
    blocks = _scalar_blocks(rng, n)
    x = pick(rng, (-2, -1, 1, 2, 3))
    # forward pass, recording each block's pre-activation and local derivative
    t, pres, fps = float(x), [], []
    for w1, b1, w2 in blocks:
        pre = w1 * t + b1
        pres.append(pre)
        fps.append(w2 * w1 if pre > 0 else 0.0)
        t = w2 * max(pre, 0.0) + t
    if any(pre == 0 for pre in pres):
        raise Redraw  # ReLU's kink: keep away from it
    if difficulty == 1 and pres[0] < 0:
        raise Redraw  # level 1: the branch is active
    if difficulty == 2 and rng.random() < 0.5 and pres[0] > 0:
        raise Redraw  # level 2: often the dead-branch case
    key = F.residual_scalar_grad(blocks, x)
    plain = F.residual_scalar_grad(blocks, x, skip=False)
    traps: list[tuple[str, float]] = [("resnet_output_fx", plain)]
    if n > 1:
        traps.append(("residual_grads_summed", T.residual_grads_summed(blocks, x)))
    if any(pre < 0 for pre in pres):
        ungated = 1.0
        for w1, _, w2 in blocks:
            ungated *= w2 * w1 + 1.0
        traps.append(("relu_grad_passes_all", ungated))
    names = ["F", "G"]
    defs = "; ".join(
        f"${names[i]}(t) = {fmt(w2)}\\cdot\\mathrm{{ReLU}}({_coef(w1)}t"
        + (f" {'+' if b1 > 0 else '-'} {fmt(abs(b1))}" if b1 else "")
        + ")$"
        for i, (w1, b1, w2) in enumerate(blocks)
    )
    if n == 1:
        stem = f"A scalar residual block computes $y = F(x) + x$ with {defs}. What is $dy/dx$ at $x = {x}$?"
    else:
        stem = (
            f"Two scalar residual blocks are stacked: $h = F(x) + x$, then $y = G(h) + h$, with {defs}. "
            f"What is $dy/dx$ at $x = {x}$?"
        )
    steps = []
    for i, ((w1, _, w2), pre, fp) in enumerate(zip(blocks, pres, fps)):
        state = (
            f"pre-activation ${fmt(pre)} > 0$, so ${names[i]}' = {_par(w2)}\\cdot{_par(w1)} = {fmt(fp)}$"
            if pre > 0
            else f"pre-activation ${fmt(pre)} < 0$, so ReLU blocks it and ${names[i]}' = 0$"
        )
        steps.append(f"block {i + 1}: {state}; factor ${names[i]}' + 1 = {fmt(fp + 1)}$")
    product = " \\cdot ".join(_par(fp + 1) for fp in fps) + f" = {fmt(key)}" if n > 1 else fmt(key)
    return numeric(
        stem=stem,
        key=key,
        traps=traps,
        explanation=(
            "Each residual block multiplies the gradient by $\\partial F/\\partial t + 1$ (the skip contributes the "
            "identity). "
            + "; ".join(steps)
            + f". So $dy/dx = {product}$"
            + (". Even where a branch is dead (ReLU off) the skip still carries gradient 1." if min(pres) < 0 else ".")
        ),
        params={"blocks": blocks, "x": x},
        witness=W.probe("residual_scalar_grad", expect=key, blocks=blocks, x=x),
    )


# ------------------------------------------------------------------ facts, each backed by a live probe

JACOBIAN = "∂y/∂x = ∂F/∂x + I: along the skip the gradient passes unchanged."
IDENTITY = "A block is the identity as soon as F = 0, so extra blocks are easy to 'switch off'."
ADD_SHAPES = "F(x) and x are *added*, so their shapes must match (a 1×1 projection fixes it)."
PROJECTION = "When a block changes width or stride, its skip is a 1×1 conv, with weights."


@generator("residual.facts", topic="residual", title="Why residual connections work", kind="choice", version=2)
def facts(rng: random.Random, difficulty: int) -> dict[str, Any]:
    width = pick(rng, (4, 6, 8))
    jacobian = W.probe("residual_identity_jacobian", expect=True, width=width)
    if difficulty == 1:
        return claims_choice(
            rng,
            stem="A residual block computes $y = F(x) + x$. What is its Jacobian $\\partial y/\\partial x$?",
            right=[
                JACOBIAN,
                "I + ∂F/∂x: the identity term keeps the gradient from vanishing.",
                "∂F/∂x + I, the I coming from the skip connection.",
            ],
            wrong=[
                ("resnet_output_fx", "∂y/∂x = ∂F/∂x: the skip copies values forward, not gradients."),
                ("resnet_concatenates", "[∂F/∂x ; I] stacked, because F(x) and x are concatenated."),
                ("residual_skip_only", "∂y/∂x = I: the gradient takes the skip and F gets none."),
            ],
            explanation=T.get("resnet_output_fx").feedback + " Measured: ∂y/∂x − ∂F/∂x = I on a live block.",
            params={"fact": "jacobian", "width": width},
            witness=jacobian,
        )
    if difficulty == 2:
        return claims_choice(
            rng,
            stem=(
                "A 56-layer plain CNN has a *higher training error* than a 20-layer one. What is going on, and "
                "why do residual blocks help?"
            ),
            right=[
                "An optimisation failure; with skips, a block is the identity once F = 0.",
                "The solver fails to fit the deeper net; skips make the identity trivial.",
                "Not overfitting but optimisation: a residual block can learn F = 0.",
            ],
            wrong=[
                ("degradation_is_overfitting", "Overfitting: residual blocks regularise the deep net, like dropout."),
                ("degradation_less_capacity", "The deep net lacks capacity: skips add extra parameters."),
                ("resnet_output_fx", "Plain layers learn y = F(x); residual blocks learn it faster."),
                ("degradation_fix_regularise", "Too little weight decay: residual blocks act as a penalty."),
            ],
            explanation=T.get("degradation_is_overfitting").feedback
            + " Checked live: with its last conv zeroed a residual block is exactly the identity, a plain block is not.",
            params={"fact": "degradation", "width": width},
            witness=W.probe("residual_zero_init_identity", expect=True, channels=width),
        )
    true = [JACOBIAN, IDENTITY, ADD_SHAPES, PROJECTION]
    false: list[tuple[str, str]] = [
        ("resnet_output_fx", "The block outputs y = F(x); F learns the whole target mapping."),
        ("resnet_concatenates", "The block concatenates x with F(x) along the channels."),
        ("degradation_is_overfitting", "Skips help because very deep plain nets overfit."),
        ("resnet_identity_has_params", "An identity skip has C·C weights of its own."),
    ]
    return multi_select(
        rng,
        stem="Which statements about a residual block $y = F(x) + x$ are true? Select all that apply.",
        correct=rng.sample(true, pick(rng, (2, 3))),
        wrong=rng.sample(false, pick(rng, (2, 3))),
        explanation=(
            "The ResNet argument: the identity in the Jacobian keeps gradients alive through the skip, the identity "
            "is trivial to represent (F = 0), and the sum needs matching shapes (a 1×1 projection where they differ). "
            + T.get("resnet_concatenates").feedback
            + " "
            + T.get("degradation_is_overfitting").feedback
        ),
        params={"fact": "multi", "width": width},
        witness=jacobian,
    )
