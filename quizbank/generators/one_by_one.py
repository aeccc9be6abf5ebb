"""1×1 convolutions: ``C_in·C_out + C_out`` parameters, K² times cheaper than a K×K, and the Inception bottleneck.

The four uses of a 1×1 conv: channel reduction before an expensive K×K, non-linearity injection (a per-pixel MLP),
cross-channel mixing without spatial mixing, and cheapness. Its receptive field is 1.
"""

from __future__ import annotations

import random
from typing import Any

from models.facts.inception import GOOGLENET_ROWS

from .. import formulas as F
from .. import traps as T
from .. import witness as W
from .base import (
    PERCENT_TOL,
    RATIO_TOL,
    Redraw,
    article,
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
    spread,
    stride_one_layer,
    topic,
    with_article,
)

TOPIC = topic(
    "one_by_one",
    "1×1 convolutions",
    "Parameters of 1×1 convs, the bottleneck before an expensive K×K (Inception), and what a 1×1 is for.",
)

WIDTHS = {
    1: (16, 32, 64, 128),
    2: (24, 48, 64, 96, 128, 192, 256),
    3: (96, 128, 192, 256, 384, 480, 512, 832),
}

# GoogLeNet's Inception branches from the paper's Table 1 as declared in models.facts (never retyped here):
# (module, C_in, 1×1 reduce, C_out, K, side of the module's input)
INCEPTION = tuple(
    branch
    for name, c_in, _, c3r, c3, c5r, c5, _, side in GOOGLENET_ROWS
    for branch in ((name, c_in, c3r, c3, 3, side), (name, c_in, c5r, c5, 5, side))
)


# ------------------------------------------------------------------ a single 1×1 conv


def _draw_single(rng: random.Random, difficulty: int) -> dict[str, Any]:
    c_in, c_out = pick(rng, WIDTHS[difficulty]), pick(rng, WIDTHS[difficulty])
    bias = True if difficulty == 1 else rng.random() < 0.6
    stride = pick(rng, (1, 2)) if difficulty == 3 else 1
    h = pick(rng, (14, 28, 56))
    return {"c_in": c_in, "c_out": c_out, "bias": bias, "stride": stride, "h": h}


def _single_witness(p: dict[str, Any], k: int = 1) -> Any:
    layer = W.conv2d(p["c_out"], k, strides=p.get("stride", 1), use_bias=p["bias"])
    return W.sequential([p["h"], p["h"], p["c_in"]], [layer], "count_params")


def _layer_text(p: dict[str, Any]) -> str:
    args = f"{p['c_out']}, 1" + (f", strides={p['stride']}" if p.get("stride", 1) > 1 else "")
    args += "" if p["bias"] else ", use_bias=False"
    return f"`Conv2D({args})` on {article(str(p['h']))} ${p['h']}\\times{p['h']}\\times{p['c_in']}$ input"


@generator("one_by_one.params", topic="one_by_one", title="Parameters of a 1×1 conv", kind="numeric")
def params(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw_single(rng, difficulty)
    key = F.one_by_one_params(p["c_in"], p["c_out"], bias=p["bias"])
    w = p["c_in"] * p["c_out"]
    traps: list[tuple[str, int]] = [("conv_times_hw", key * p["h"] * p["h"])]
    if p["bias"]:
        traps = [("forgot_bias", w), ("bias_per_input_channel", 2 * w), *traps]
    if p["stride"] > 1:
        out = F.output_size(p["h"], 1, p["stride"], "valid")
        traps.append(("conv_params_depend_on_hw", key * out * out))
    b = f" + {p['c_out']}" if p["bias"] else ""
    text = (
        f"A 1×1 filter has one weight per input channel: ${p['c_in']}\\cdot{p['c_out']}{b} = {fmt(key)}$ "
        f"({'one bias per filter' if p['bias'] else 'no bias'}). Neither H×W nor the stride enters the count."
    )
    return numeric(
        stem=f"How many parameters (weights and biases) does {_layer_text(p)} have?",
        key=key,
        traps=traps,
        explanation=text,
        params=p,
        witness=_single_witness(p),
    )


@generator("one_by_one.vs_kxk", topic="one_by_one", title="1×1 vs K×K at the same widths", kind="numeric", version=2)
def vs_kxk(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw_single(rng, difficulty)
    p["stride"] = 1
    k = pick(rng, (3, 5, 7)) if difficulty != 2 else 3
    if difficulty == 1:  # without biases the ratio is exactly K², so K must vary
        p["bias"] = False
    elif difficulty == 3:  # with biases: never the exact K² of difficulty 1
        p["bias"] = True
    p["k"] = k
    big = F.conv_params(k, p["c_in"], p["c_out"], bias=p["bias"])
    small = F.one_by_one_params(p["c_in"], p["c_out"], bias=p["bias"])
    r = big / small
    traps: list[tuple[str, float]] = [("ratio_inverted", T.ratio_inverted(big, small))]
    # K² sits close to the key when C_in is large: it is kept unless the tolerance accepts it as right
    close = [("ratio_as_k_squared", T.ratio_as_k_squared(k))] if p["bias"] else []
    bias = "with biases" if p["bias"] else "without biases (`use_bias=False`)"
    b = " + 1" if p["bias"] else ""
    return numeric(
        stem=(
            f"Both layers map ${p['c_in']}$ channels to ${p['c_out']}$, {bias}: a `Conv2D({p['c_out']}, {k})` and a "
            f"`Conv2D({p['c_out']}, 1)`. How many times more parameters does the {k}×{k} conv have? "
            "Give the ratio (within 0.5%)."
        ),
        key=round(r, 3),
        traps=[*spread(r, traps), *close],
        tolerance=RATIO_TOL,
        unit="×",
        explanation=(
            f"${k}\\times{k}$: $({k}\\cdot{k}\\cdot{p['c_in']}{b})\\cdot{p['c_out']} = {fmt(big)}$; "
            f"$1\\times1$: $({p['c_in']}{b})\\cdot{p['c_out']} = {fmt(small)}$; ratio ${fmt(big)}/{fmt(small)} "
            f"\\approx {fmt(r)}$. Without biases it is exactly $K^2 = {k * k}$: a K×K filter has $K^2$ weights per "
            "input channel, a 1×1 filter one."
        ),
        params=p,
        witness=W.combine("ratio", _single_witness(p, k), _single_witness(p)),
    )


# ------------------------------------------------------------------ the bottleneck


def _draw_branch(rng: random.Random, difficulty: int) -> dict[str, Any]:
    if difficulty < 3:
        module, c_in, c_mid, c_out, k, h = pick(rng, INCEPTION)
        bias = difficulty == 1 or rng.random() < 0.5
    else:
        module = None
        c_in = pick(rng, WIDTHS[3])
        c_mid = c_in // pick(rng, (2, 4, 8, 16))
        c_out = pick(rng, [c for c in (32, 48, 64, 96, 128, 192, 256, 384) if c < c_in])
        k = pick(rng, (3, 5, 7))
        bias = rng.random() < 0.5
        h = pick(rng, (7, 14, 28))
    p = {"module": module, "c_in": c_in, "c_mid": c_mid, "c_out": c_out, "k": k, "bias": bias, "h": h}
    counts = _branch_counts(p)
    if counts[0] >= counts[1]:
        raise Redraw
    return p


def _branch_counts(p: dict[str, Any]) -> tuple[int, int, int, int]:
    """Parameters of (bottleneck: 1×1 then K×K; direct K×K; 1×1 after: K×K at full width then a 1×1 down to C_out;
    the K×K of the bottleneck alone)."""
    b, k, c_in, c_mid, c_out = p["bias"], p["k"], p["c_in"], p["c_mid"], p["c_out"]
    bottleneck = F.bottleneck_params(c_in, c_mid, c_out, k, bias=b)
    direct = F.conv_params(k, c_in, c_out, bias=b)
    after = T.one_by_one_after(k, c_in, c_out, bias=b)
    kxk_only = T.bottleneck_forgot_reduce(k, c_mid, c_out, bias=b)
    return bottleneck, direct, after, kxk_only


def _branch_macs(p: dict[str, Any]) -> tuple[int, int, int, int]:
    hw = p["h"] * p["h"]
    c_in, c_mid, c_out, kk = p["c_in"], p["c_mid"], p["c_out"], p["k"] * p["k"]
    return (
        hw * (c_in * c_mid + kk * c_mid * c_out),
        hw * kk * c_in * c_out,
        hw * (kk * c_in * c_in + c_in * c_out),
        hw * kk * c_mid * c_out,
    )


def _branch_witness(p: dict[str, Any], which: str, quantity: str = "count_params") -> Any:
    b, k = p["bias"], p["k"]
    if which == "bottleneck":
        layers = [W.conv2d(p["c_mid"], 1, use_bias=b), W.conv2d(p["c_out"], k, padding="same", use_bias=b)]
    else:
        layers = [W.conv2d(p["c_out"], k, padding="same", use_bias=b)]
    return W.sequential([p["h"], p["h"], p["c_in"]], layers, quantity)


def _branch_setting(p: dict[str, Any]) -> str:
    where = f"In GoogLeNet's Inception ({p['module']}) module, a" if p["module"] else "A"
    bias = "with biases" if p["bias"] else "without biases"
    return (
        f"{where} branch takes {article(str(p['h']))} ${p['h']}\\times{p['h']}\\times{p['c_in']}$ map to ${p['c_out']}$ channels with a "
        f"${p['k']}\\times{p['k']}$ conv ('same' padding). **Direct**: one `Conv2D({p['c_out']}, {p['k']})`. "
        f"**Bottleneck**: first a `Conv2D({p['c_mid']}, 1)` reduces to ${p['c_mid']}$ channels, then the "
        f"`Conv2D({p['c_out']}, {p['k']})`. Count {bias}."
    )


def _branch_derivation(p: dict[str, Any]) -> str:
    bottleneck, direct, after, _ = _branch_counts(p)
    b = " + 1" if p["bias"] else ""
    k = p["k"]
    return (
        f"Direct: $({k}\\cdot{k}\\cdot{p['c_in']}{b})\\cdot{p['c_out']} = {fmt(direct)}$. Bottleneck: "
        f"$({p['c_in']}{b})\\cdot{p['c_mid']} + ({k}\\cdot{k}\\cdot{p['c_mid']}{b})\\cdot{p['c_out']} = "
        f"{fmt(bottleneck)}$: the expensive ${k}\\times{k}$ now reads ${p['c_mid']}$ channels instead of "
        f"${p['c_in']}$. A 1×1 placed *after* the ${k}\\times{k}$ (which then runs at the full width of "
        f"${p['c_in']}$ channels) would save nothing: {fmt(after)}."
    )


def _branch_question(rng: random.Random, difficulty: int) -> dict[str, Any]:
    """The parts of a bottleneck question: stem tail, key, traps, tolerance, witness, explanation tail."""
    p = _draw_branch(rng, difficulty)
    bottleneck, direct, after, kxk_only = _branch_counts(p)
    asks = {1: ("params",), 2: ("params", "percent", "times"), 3: ("percent", "times", "macs")}[difficulty]
    ask = pick(rng, asks)
    p["ask"] = ask
    wb, wd = _branch_witness(p, "bottleneck"), _branch_witness(p, "direct")
    out: dict[str, Any] = {"p": p, "tol": None, "unit": None, "extra": "", "note": ""}
    if ask == "params":
        traps: list[tuple[str, float]] = [("one_by_one_after", after), ("bottleneck_forgot_reduce", kxk_only)]
        if p["bias"]:
            nb = F.bottleneck_params(p["c_in"], p["c_mid"], p["c_out"], p["k"], bias=False)
            traps.append(("forgot_bias", nb))
            traps.append(("bias_per_input_channel", nb + p["c_in"] * p["c_mid"] + p["c_mid"] * p["c_out"]))
        out.update(
            tail="How many parameters does the **bottleneck** branch have (both convs)?",
            key=bottleneck,
            traps=traps,
            witness=wb,
        )
    elif ask == "percent":
        pct = F.percent_fewer(bottleneck, direct)
        out.update(
            tail="How many percent fewer parameters does the bottleneck branch have than the direct one?",
            note=" (within 0.1 percentage points)",
            key=pct,
            traps=[
                ("percent_of_instead_of_fewer", T.percent_of_instead_of_fewer(bottleneck, direct)),
                ("percent_relative_to_new", T.percent_relative_to_new(bottleneck, direct)),
                ("bottleneck_forgot_reduce", F.percent_fewer(kxk_only, direct)),
                ("one_by_one_after", F.percent_fewer(after, direct)),
            ],
            tol=PERCENT_TOL,
            unit="%",
            witness=W.combine("percent_fewer", wb, wd),
            extra=f" Percent fewer $= ({fmt(direct)} - {fmt(bottleneck)})/{fmt(direct)} = {pct:.1f}\\%$.",
        )
    elif ask == "times":
        r = direct / bottleneck
        traps = [
            ("ratio_inverted", T.ratio_inverted(direct, bottleneck)),
            ("bottleneck_forgot_reduce", direct / kxk_only),
            ("one_by_one_after", direct / after),
        ]
        if p["bias"]:
            nb = F.bottleneck_params(p["c_in"], p["c_mid"], p["c_out"], p["k"], bias=False)
            traps.append(("forgot_bias", F.conv_params(p["k"], p["c_in"], p["c_out"], bias=False) / nb))
        out.update(
            tail="How many times fewer parameters does the bottleneck branch have than the direct one?",
            note=" Give direct ÷ bottleneck (within 0.5%).",
            key=r,
            traps=traps,
            tol=RATIO_TOL,
            unit="×",
            witness=W.combine("ratio", wd, wb),
            extra=f" Ratio $= {fmt(direct)}/{fmt(bottleneck)} \\approx {fmt(r)}$.",
        )
    else:  # MACs of the bottleneck branch
        mb, md, ma, mk = _branch_macs(p)
        hw = p["h"] * p["h"]
        out.update(
            tail="How many multiply-accumulates (MACs) does the **bottleneck** branch cost per image? "
            "(Biases are not MACs.)",
            key=mb,
            traps=[("one_by_one_after", ma), ("macs_as_flops", T.macs_as_flops(mb)), ("bottleneck_forgot_reduce", mk)],
            witness=_branch_witness(p, "bottleneck", "macs"),
            extra=(
                f" MACs: every one of the ${hw}$ positions costs ${p['c_in']}\\cdot{p['c_mid']}$ in the 1×1 and "
                f"${p['k']}^2\\cdot{p['c_mid']}\\cdot{p['c_out']}$ in the ${p['k']}\\times{p['k']}$: "
                f"${hw}\\cdot({fmt(p['c_in'] * p['c_mid'])} + {fmt(p['k'] ** 2 * p['c_mid'] * p['c_out'])}) = "
                f"{fmt(mb)}$ (direct: {fmt(md)})."
            ),
        )
    return out


@generator(
    "one_by_one.bottleneck",
    topic="one_by_one",
    title="The 1×1 bottleneck (Inception branch)",
    kind="numeric",
    version=2,
)
def bottleneck(rng: random.Random, difficulty: int) -> dict[str, Any]:
    q = _branch_question(rng, difficulty)
    return comparison(q, _branch_setting(q["p"]), _branch_derivation(q["p"]))


@generator(
    "one_by_one.bottleneck_pick", topic="one_by_one", title="Pick the bottleneck's saving", kind="choice", version=2
)
def bottleneck_pick(rng: random.Random, difficulty: int) -> dict[str, Any]:
    q = _branch_question(rng, difficulty)
    render = {"%": lambda v: f"{v:.1f}%", "×": lambda v: f"{v:.2f}×"}.get(q["unit"] or "", fmt)
    return comparison_choice(rng, q, _branch_setting(q["p"]), _branch_derivation(q["p"]), render)


# ------------------------------------------------------------------ what a 1×1 is for

USES = (
    "Channel reduction (a bottleneck) before an expensive 3×3 or 5×5 conv, as in Inception and ResNet.",
    "Injecting an extra non-linearity at every pixel (with a ReLU after it, a tiny per-pixel MLP).",
    "Mixing information across channels without mixing neighbouring positions.",
    "Changing the number of channels cheaply: only C_in·C_out weights plus C_out biases.",
)
NOT_USES: tuple[str | tuple[str, str], ...] = (
    "one_by_one_spatial",
    ("inception_1x1_after", "In Inception, the 1×1 convs come after the 3×3 and 5×5 convs, to shrink their outputs."),
    "one_by_one_no_mixing",
    "one_by_one_downsamples",
)


@generator("one_by_one.uses", topic="one_by_one", title="What 1×1 convolutions are for", kind="choice", version=2)
def uses(rng: random.Random, difficulty: int) -> dict[str, Any]:
    n_true, n_false = {1: (2, 2), 2: (3, 2), 3: (4, 3)}[difficulty]
    right = rng.sample(USES, n_true)
    wrong = rng.sample(NOT_USES, n_false)
    c_in, c_out = pick(rng, WIDTHS[difficulty]), pick(rng, WIDTHS[difficulty])
    p = {"c_in": c_in, "c_out": c_out}
    return multi_select(
        rng,
        stem=(
            f"A `Conv2D({c_out}, 1)` (stride 1) is applied to a feature map with ${c_in}$ channels. "
            + (
                "Select **all** true statements about 1×1 convolutions."
                if difficulty < 3
                else "Which of these are real uses of a 1×1 convolution, and which are myths? Select every real one."
            )
        ),
        correct=right,
        wrong=wrong,
        explanation=(
            f"A 1×1 filter has one weight per input channel: ${c_in}\\cdot{c_out} + {c_out} = "
            f"{fmt(F.one_by_one_params(c_in, c_out))}$ parameters, a weighted sum over all channels at one pixel. So "
            "it mixes channels but never positions (RF 1, H×W unchanged), it can shrink the channel count before an "
            "expensive K×K (Inception puts it *before* the 3×3/5×5; ResNet's bottleneck too), and with a ReLU it adds "
            "a per-pixel non-linearity. The live probe checks on a real `Conv2D(·, 1)` that each output pixel depends "
            "on every input channel at that pixel and on nothing else."
        ),
        params=p,
        witness=W.probe("one_by_one_pointwise_mixing", expect=True, c_in=min(c_in, 4), c_out=min(c_out, 3)),
    )


# ------------------------------------------------------------------ receptive field


def _draw_chain(rng: random.Random, difficulty: int) -> list[tuple[int, int]]:
    """(K, S) per layer: a mix of 3×3 (or 5×5) and 1×1 convs; one stride-2 layer at difficulty 3."""
    n = {1: pick(rng, (2, 3, 4)), 2: pick(rng, (3, 4, 5)), 3: pick(rng, (4, 5, 6))}[difficulty]
    ks = (3, 1) if difficulty < 3 else (3, 1, 1, 5)
    chain = [(pick(rng, ks), 1) for _ in range(n)]
    if 1 not in [k for k, _ in chain]:
        chain[rng.randrange(n)] = (1, 1)
    if all(k == 1 for k, _ in chain):
        chain[rng.randrange(n)] = (3, 1)
    return stride_one_layer(rng, chain) if difficulty == 3 else chain


@generator(
    "one_by_one.rf", topic="one_by_one", title="Receptive field with 1×1 convs in the stack", kind="numeric", version=2
)
def rf(rng: random.Random, difficulty: int) -> dict[str, Any]:
    chain = _draw_chain(rng, difficulty)
    layers = [F.RFLayer(k, s) for k, s in chain]
    key, jump = F.receptive_field(layers)
    as_3x3 = F.receptive_field([F.RFLayer(3 if k == 1 else k, s) for k, s in chain])[0]
    traps: list[tuple[str, int]] = [
        ("one_by_one_spatial", as_3x3),
        ("rf_l_times_k", T.rf_l_times_k(layers)),
    ]
    if difficulty == 3:
        traps.append(("rf_ignored_stride", T.rf_ignored_stride(layers)))
    return numeric(
        stem=(
            f"A stack of convolutions, all 'valid', stride 1 unless stated: {conv_chain_text(chain)}, in this order. "
            "What is the receptive field (side, in input pixels) of one output unit?"
        ),
        key=key,
        traps=traps,
        explanation=(
            "Each layer adds $(K-1)$ times the jump (the product of earlier strides); a 1×1 adds $0$: it sees one "
            "pixel, so it leaves the RF unchanged. " + conv_chain_rf_steps(chain) + f". RF = {key}."
        ),
        params={"chain": [list(c) for c in chain]},
        witness=conv_chain_rf_witness(chain, key, jump),
    )


# ------------------------------------------------------------------ 1×1 convs in SENet and in FPN's laterals

BACKBONE_STAGES = {  # output channels of stages conv2..conv5 (FPN's C2..C5, at strides 4, 8, 16, 32)
    "ResNet-50": (256, 512, 1024, 2048),
    "ResNet-18": (64, 128, 256, 512),
}


def _fpn_setting(backbone: str, d: int) -> str:
    c = BACKBONE_STAGES[backbone]
    return (
        f"A Feature Pyramid Network on a {backbone} backbone takes the outputs of stages C2–C5 ({c[0]}, {c[1]}, "
        f"{c[2]} and {c[3]} channels, at 1/4, 1/8, 1/16 and 1/32 of the input's side) and brings each to the "
        f"pyramid's $d = {d}$ channels with a lateral `Conv2D({d}, 1)` (with bias), before adding the upsampled "
        "coarser level."
    )


@generator(
    "one_by_one.se_fpn",
    topic="one_by_one",
    title="1×1 convs in SENet gates and FPN laterals",
    kind="numeric",
    version=2,
)
def se_fpn(rng: random.Random, difficulty: int) -> dict[str, Any]:
    if difficulty == 2:  # the SE gate's two FC layers are 1×1 convs on the squeezed 1×1×C map
        c = pick(rng, (64, 128, 256, 512, 1024, 2048))
        r = pick(rng, (4, 8, 16))
        h = pick(rng, (7, 14, 28, 56))
        key = 2 * c * c // r + c // r + c
        return numeric(
            stem=(
                f"A squeeze-and-excitation gate on a ${h}\\times{h}\\times{c}$ feature map: global average pooling "
                f"(kept as $1\\times1\\times{c}$), then `Conv2D({c // r}, 1, activation='relu')` and "
                f"`Conv2D({c}, 1, activation='sigmoid')` (both with bias; the reduction ratio is $r = {r}$), whose "
                "output rescales the map's channels. How many parameters does the gate have?"
            ),
            key=key,
            traps=[
                ("forgot_bias", 2 * c * c // r),
                ("se_no_reduction", T.se_no_reduction([[1, c]])),
                ("conv_times_hw", key * h * h),
            ],
            explanation=(
                f"On the pooled $1\\times1\\times{c}$ vector a 1×1 conv is a dense layer: reduce "
                f"${c}\\cdot{c // r} + {c // r}$, expand ${c // r}\\cdot{c} + {c}$, so $2\\cdot{c}^2/{r} + {c // r} + "
                f"{c} = {fmt(key)}$. SENet writes them as FC layers; Keras' and torchvision's SE blocks use 1×1 convs: "
                "the same weights. They run once per image, not at every position, so SE is cheap in MACs, and "
                "the pooling in front has no parameters."
            ),
            params={"part": "se", "c": c, "r": r, "h": h},
            witness=W.sequential(
                [h, h, c],
                [
                    W.layer("GlobalAveragePooling2D", keepdims=True),
                    W.conv2d(c // r, 1, activation="relu"),
                    W.conv2d(c, 1, activation="sigmoid"),
                ],
                "count_params",
            ),
        )
    backbone = "ResNet-50" if difficulty == 1 else pick(rng, tuple(BACKBONE_STAGES))
    d = pick(rng, (128, 256))
    stages = BACKBONE_STAGES[backbone]
    if difficulty == 1:
        level = pick(rng, (2, 3, 4, 5))
        c = stages[level - 2]
        side = pick(rng, (224, 512, 800))
        h = side // 2**level
        key = F.one_by_one_params(c, d)
        return numeric(
            stem=_fpn_setting(backbone, d) + f" How many parameters does the lateral conv of level C{level} have?",
            key=key,
            traps=[
                ("forgot_bias", F.one_by_one_params(c, d, bias=False)),
                ("fpn_lateral_3x3", T.fpn_lateral_3x3(c, d)),
                ("conv_times_hw", key * h * h),
            ],
            explanation=(
                f"C{level} has {c} channels; a 1×1 filter has one weight per input channel: "
                f"$({c} + 1)\\cdot{d} = {fmt(key)}$. {T.get('fpn_lateral_3x3').feedback} The map's size "
                f"({h}×{h} at {with_article(f'{side}×{side}')} input) does not enter the count."
            ),
            params={"part": "fpn_params", "backbone": backbone, "d": d, "level": level, "side": side},
            witness=W.sequential([h, h, c], [W.conv2d(d, 1)], "count_params"),
        )
    side = pick(rng, (224, 256, 512, 640, 800))
    sides = [side // 2**level for level in (2, 3, 4, 5)]
    per = [s * s * c * d for s, c in zip(sides, stages, strict=True)]
    key = sum(per)
    params = sum(F.one_by_one_params(c, d) for c in stages)
    terms = " + ".join(f"{s}^2\\cdot{c}" for s, c in zip(sides, stages, strict=True))
    return numeric(
        stem=_fpn_setting(backbone, d)
        + f" For {with_article(f'{side}×{side}')} input, how many multiply-accumulates (MACs) do the four lateral convs take "
        "together? (Biases are not MACs.)",
        key=key,
        unit="MACs",
        traps=[
            ("laterals_one_resolution", T.laterals_one_resolution(sides[0], stages, d)),
            ("macs_as_flops", T.macs_as_flops(key)),
            ("params_for_macs", T.params_for_macs(params)),
        ],
        explanation=(
            f"Level C$i$ is ${side}/2^i$ pixels a side: {', '.join(f'{s}×{s}' for s in sides)}. A 1×1 lateral costs "
            f"$H_i W_i\\cdot C_i\\cdot d$ MACs: $({terms})\\cdot{d} = {fmt(key)}$. "
            + ", ".join(f"C{lvl}: {fmt(m)}" for lvl, m in zip((2, 3, 4, 5), per, strict=True))
            + f": the finest level dominates, though it is the narrowest. Parameters: only {fmt(params)}."
        ),
        params={"part": "fpn_macs", "backbone": backbone, "d": d, "side": side},
        witness=W.combine(
            "sum",
            *[W.sequential([s, s, c], [W.conv2d(d, 1)], "macs") for s, c in zip(sides, stages, strict=True)],
        ),
    )
