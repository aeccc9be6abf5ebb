"""Why convolutions: a dense layer between two feature maps against a conv on the same tensors.

A dense layer from ``H·W·C_in`` inputs to ``H·W·C_out`` outputs has ``(H·W·C_in)·(H·W·C_out) + H·W·C_out``
parameters; a ``K×K`` conv (``same`` padding) producing the same tensor has ``(K·K·C_in + 1)·C_out``, independent
of ``H`` and ``W``. The witnesses are small enough that Keras builds the dense layer for real (≤ ~17 M weights).
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
    noun,
    numeric,
    numeric_choice,
    pick,
    spread,
    topic,
)

TOPIC = topic(
    "fc_vs_conv",
    "Fully connected vs convolution",
    "A dense layer between feature maps against a conv on the same tensors: locality and weight sharing.",
)

SIZES = {1: (4, 6, 8), 2: (6, 8, 12, 16), 3: (7, 8, 12, 14, 16)}
CHANNELS = {1: (1, 3, 4, 8), 2: (3, 8, 16, 32), 3: (3, 16, 24, 32, 48, 64)}
KERNELS = {1: (3,), 2: (3, 5), 3: (1, 3, 5, 7)}
MAX_FC_WEIGHTS = 17_000_000  # keep the live Dense witness quick to build


def _draw(rng: random.Random, difficulty: int, *, bias: bool | None = None) -> dict[str, Any]:
    h = pick(rng, SIZES[difficulty])
    w = pick(rng, SIZES[difficulty]) if difficulty == 3 else h
    hw = h * w
    ins = [c for c in CHANNELS[difficulty] if hw * c * hw * CHANNELS[difficulty][0] <= MAX_FC_WEIGHTS]
    c_in = pick(rng, ins)
    outs = [c for c in CHANNELS[difficulty] if hw * c_in * hw * c <= MAX_FC_WEIGHTS]
    c_out = pick(rng, outs)
    k = pick(rng, [k for k in KERNELS[difficulty] if k <= min(h, w)])
    if bias is None:
        bias = True if difficulty < 3 else rng.random() < 0.7
    return {"h": h, "w": w, "c_in": c_in, "c_out": c_out, "k": k, "bias": bias}


def _counts(p: dict[str, Any]) -> tuple[int, int]:
    fc = F.fc_equivalent_params(p["h"], p["w"], p["c_in"], p["c_out"], bias=p["bias"])
    conv = F.conv_params(p["k"], p["c_in"], p["c_out"], bias=p["bias"])
    return fc, conv


def _fc_witness(p: dict[str, Any]) -> Any:
    layers = [W.flatten(), W.dense(p["h"] * p["w"] * p["c_out"], use_bias=p["bias"])]
    return W.sequential([p["h"], p["w"], p["c_in"]], layers, "count_params")


def _conv_witness(p: dict[str, Any]) -> Any:
    layer = W.conv2d(p["c_out"], p["k"], padding="same", use_bias=p["bias"])
    return W.sequential([p["h"], p["w"], p["c_in"]], [layer], "count_params")


def _setting(p: dict[str, Any]) -> str:
    bias = "with biases" if p["bias"] else "without biases (`use_bias=False` everywhere)"
    return (
        f"A feature map of shape ${p['h']}\\times{p['w']}\\times{p['c_in']}$ must become one of shape "
        f"${p['h']}\\times{p['w']}\\times{p['c_out']}$. Layer A flattens it and applies a fully connected "
        f"(`Dense`) layer with ${p['h']}\\cdot{p['w']}\\cdot{p['c_out']} = {fmt(p['h'] * p['w'] * p['c_out'])}$ "
        f"outputs; layer B is `Conv2D({p['c_out']}, {p['k']}, padding='same')`. Count parameters {bias}."
    )


def _fc_derivation(p: dict[str, Any], fc: int) -> str:
    n_in, n_out = p["h"] * p["w"] * p["c_in"], p["h"] * p["w"] * p["c_out"]
    b = f" + {fmt(n_out)}" if p["bias"] else ""
    return (
        f"The dense layer wires all $H\\cdot W\\cdot C_{{in}} = {p['h']}\\cdot{p['w']}\\cdot{p['c_in']} = {fmt(n_in)}$ "
        f"inputs to all $H\\cdot W\\cdot C_{{out}} = {fmt(n_out)}$ outputs: ${fmt(n_in)}\\cdot{fmt(n_out)}{b} = "
        f"{fmt(fc)}$" + (" (one bias per output unit)." if p["bias"] else ".")
    )


def _conv_derivation(p: dict[str, Any], conv: int) -> str:
    b = " + 1" if p["bias"] else ""
    return (
        f"The conv shares one bank of ${p['c_out']}$ {noun(p['c_out'], 'filter')} of size ${p['k']}\\times{p['k']}\\times{p['c_in']}$ over "
        f"all positions: $({p['k']}\\cdot{p['k']}\\cdot{p['c_in']}{b})\\cdot{p['c_out']} = {fmt(conv)}$, "
        "whatever H and W are."
    )


def _fc_traps(p: dict[str, Any], fc: int) -> list[tuple[str, int]]:
    n_in, n_out = p["h"] * p["w"] * p["c_in"], p["h"] * p["w"] * p["c_out"]
    as_channels = T.fc_outputs_as_channels(p["h"], p["w"], p["c_in"], p["c_out"], bias=p["bias"])
    traps: list[tuple[str, int]] = [("fc_outputs_as_channels", as_channels)]
    if p["bias"]:
        traps = [
            ("fc_forgot_bias", T.fc_forgot_bias(n_in, n_out)),
            *traps,
            ("bias_per_input_channel", n_in * n_out + n_in),
        ]
    return traps


def _ratio_traps(p: dict[str, Any], fc: int, conv: int) -> list[tuple[str, float]]:
    traps: list[tuple[str, float]] = [("ratio_inverted", T.ratio_inverted(fc, conv))]
    if p["bias"]:
        fc0 = F.fc_equivalent_params(p["h"], p["w"], p["c_in"], p["c_out"], bias=False)
        traps.append(("forgot_bias", fc0 / F.conv_params(p["k"], p["c_in"], p["c_out"], bias=False)))
    traps.append(("conv_times_hw", fc / (conv * p["h"] * p["w"])))
    as_channels = T.fc_outputs_as_channels(p["h"], p["w"], p["c_in"], p["c_out"], bias=p["bias"])
    traps.append(("fc_outputs_as_channels", as_channels / conv))
    return traps


@generator("fc_vs_conv.fc_params", topic="fc_vs_conv", title="Parameters of the dense layer", kind="numeric")
def fc_params(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw(rng, difficulty, bias=True)
    fc, conv = _counts(p)
    return numeric(
        stem=_setting(p) + "\n\nHow many parameters (weights and biases) does the dense layer A have?",
        key=fc,
        traps=_fc_traps(p, fc),
        explanation=_fc_derivation(p, fc) + f" For comparison, layer B needs only {fmt(conv)}.",
        params=p,
        witness=_fc_witness(p),
    )


def _ratio_parts(rng: random.Random, difficulty: int) -> tuple[dict[str, Any], int, int, float, str]:
    p = _draw(rng, difficulty)
    fc, conv = _counts(p)
    ratio = fc / conv
    explanation = (
        f"{_fc_derivation(p, fc)} {_conv_derivation(p, conv)} Ratio: ${fmt(fc)} / {fmt(conv)} \\approx {ratio:,.1f}$. "
        f"Without biases it is exactly $(H\\cdot W)^2/K^2 = {p['h'] * p['w']}^2/{p['k'] ** 2}$: the dense layer pays "
        "for every (input position, output position) pair, the conv only for one K×K window, shared."
    )
    return p, fc, conv, ratio, explanation


@generator(
    "fc_vs_conv.ratio", topic="fc_vs_conv", title="How many times more: dense vs conv", kind="numeric", version=2
)
def ratio(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p, fc, conv, r, explanation = _ratio_parts(rng, difficulty)
    return numeric(
        stem=_setting(p) + "\n\nHow many times more parameters does layer A have than layer B? "
        "Give A ÷ B (within 0.5%).",
        key=round(r, 1),
        traps=spread(r, _ratio_traps(p, fc, conv)),
        tolerance=RATIO_TOL,
        unit="×",
        explanation=explanation,
        params=p,
        witness=W.combine("ratio", _fc_witness(p), _conv_witness(p)),
    )


@generator(
    "fc_vs_conv.pick", topic="fc_vs_conv", title="Pick the dense layer's count or the ratio", kind="choice", version=2
)
def pick_count(rng: random.Random, difficulty: int) -> dict[str, Any]:
    if difficulty == 1 or rng.random() < 0.5:
        p = _draw(rng, difficulty, bias=True)
        fc, conv = _counts(p)
        return numeric_choice(
            rng,
            stem=_setting(p) + "\n\nHow many parameters does the dense layer A have?",
            key=fc,
            traps=_fc_traps(p, fc),
            explanation=_fc_derivation(p, fc),
            params={**p, "ask": "fc"},
            witness=_fc_witness(p),
        )
    p, fc, conv, r, explanation = _ratio_parts(rng, difficulty)
    return numeric_choice(
        rng,
        stem=_setting(p) + "\n\nAbout how many times more parameters does layer A have than layer B?",
        key=r,
        traps=_ratio_traps(p, fc, conv),
        explanation=explanation,
        params={**p, "ask": "ratio"},
        witness=W.combine("ratio", _fc_witness(p), _conv_witness(p)),
        render=lambda v: f"{v:,.1f}×" if v >= 10 else f"{v:.3g}×",
    )


def _probe(p: dict[str, Any]) -> Any:
    return W.probe(
        "conv_sharing_locality",
        expect=True,
        size=max(6, p["k"] + 2),
        k=p["k"],
        c_in=min(p["c_in"], 3),
        c_out=min(p["c_out"], 4),
    )


@generator("fc_vs_conv.why", topic="fc_vs_conv", title="Why the conv needs so few parameters", kind="choice", version=2)
def why(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw(rng, difficulty, bias=True)
    fc, conv = _counts(p)
    k, c_in, hw = p["k"], p["c_in"], p["h"] * p["w"]
    stem = (
        _setting(p) + f"\n\nLayer A has {fmt(fc)} parameters, layer B only {fmt(conv)} (about "
        f"{fmt(round(fc / conv))}× {compared(conv, fc)}). Which statement explains the difference?"
    )
    wrong: list[tuple[str, str]] = [
        ("conv_params_depend_on_hw", f"The conv's count grows with the {hw} positions too, only linearly."),
        ("locally_connected_is_conv", f"The conv learns a small {k}×{k} filter per position, and those are cheap."),
        ("conv_fewer_outputs", "The conv computes fewer output values than the dense layer."),
    ]
    if difficulty >= 2:
        wrong.append(("fc_grows_linearly_in_pixels", f"The dense count grows only linearly with the {hw} positions."))
    return claims_choice(
        rng,
        stem=stem,
        right=[
            f"Each conv output sees a {k}×{k}×{c_in} window, and one filter bank serves every position.",
            f"Locality plus weight sharing: {k}×{k}×{c_in} windows, the same filters everywhere.",
            f"The conv reuses one set of {k}×{k}×{c_in} filters at all {hw} positions.",
        ],
        wrong=wrong,
        correct_feedback="Right: locality cuts the connections, weight sharing cuts them again to a single filter bank.",
        explanation=(
            f"{_fc_derivation(p, fc)} {_conv_derivation(p, conv)} Locality: a conv output depends on "
            f"{article(str(k))} ${k}\\times{k}$ window only, not on all ${p['h']}\\cdot{p['w']}$ positions. Weight "
            "sharing: that window's weights are the same at every position. The live probe checks both on the Jacobian "
            "of a real `Conv2D` and that its count is unchanged on a 2× larger input."
        ),
        params=p,
        witness=_probe(p),
    )


TRUE_FACTS = (
    "Doubling H and W leaves the conv's parameter count unchanged.",
    "Doubling H and W multiplies the dense layer's weights by 16.",
    "Each conv output depends only on a K×K×C_in window of the input (locality).",
    "The conv applies the same filters at every position (weight sharing).",
)
FALSE_FACTS: tuple[tuple[str, str], ...] = (
    ("conv_params_depend_on_hw", "Doubling H and W multiplies the conv's parameter count by 4."),
    ("fc_grows_linearly_in_pixels", T.get("fc_grows_linearly_in_pixels").claim),
    ("locally_connected_is_conv", T.get("locally_connected_is_conv").claim),
    ("conv_fewer_outputs", T.get("conv_fewer_outputs").claim),
)


@generator(
    "fc_vs_conv.facts", topic="fc_vs_conv", title="Dense vs conv: select the true statements", kind="choice", version=2
)
def facts(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw(rng, difficulty, bias=True)
    fc, conv = _counts(p)
    n_true, n_false = {1: (2, 2), 2: (3, 2), 3: (3, 3)}[difficulty]
    right = rng.sample(TRUE_FACTS, n_true)
    wrong = rng.sample(FALSE_FACTS, n_false)
    return multi_select(
        rng,
        stem=_setting(p)
        + f"\n\nLayer A has {fmt(fc)} parameters, layer B {fmt(conv)}. Select **all** true statements.",
        correct=right,
        wrong=wrong,
        explanation=(
            f"{_fc_derivation(p, fc)} {_conv_derivation(p, conv)} The dense layer's inputs and outputs both scale with "
            "H·W, so its weights scale with $(H\\cdot W)^2$ (×16 when H and W double); the conv's count has no H or W "
            "in it. A conv output sees a K×K×C_in window (locality) through filters shared by all positions (weight "
            "sharing); a layer with separate filters per position would be *locally connected*."
        ),
        params=p,
        witness=_probe(p),
    )
