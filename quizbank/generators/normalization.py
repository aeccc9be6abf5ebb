"""Normalisation layers: BatchNorm/LayerNorm/GroupNorm/InstanceNorm axes, parameter counts, inference and batch 1."""

from __future__ import annotations

import random
from typing import Any

from .. import formulas as F
from .. import traps as T
from .. import witness as W
from .base import choice, fact_choice, fmt, generator, numeric, numeric_choice, pick, topic

TOPIC = topic(
    "normalization",
    "Normalisation layers",
    "BatchNorm, LayerNorm, GroupNorm, InstanceNorm: which axes they average over, their parameters (trainable vs "
    "Keras count_params), inference behaviour and batch size 1.",
)

CHANNELS = {1: (8, 16, 32, 64, 128), 2: (16, 32, 48, 64, 96, 128, 256), 3: (24, 48, 96, 192, 256, 384, 512)}
QUANTITY_TEXT = {
    "count_params": "in Keras `count_params()` (trainable and non-trainable)",
    "trainable_params": "are *trainable*",
    "non_trainable_params": "are *non-trainable* (Keras)",
}


# ------------------------------------------------------------------ BatchNorm parameter counts


def _bn_stack(rng: random.Random, difficulty: int) -> dict[str, Any]:
    h = pick(rng, (7, 14, 28, 32, 56))
    c_in = pick(rng, (3, 16, 32, 64))
    if difficulty == 1:
        c = pick(rng, CHANNELS[1])
        return {"h": h, "c_in": c, "convs": [], "bias": False, "bn_channels": [c]}
    n_conv = 1 if difficulty == 2 else 2
    convs = [(pick(rng, (1, 3)), pick(rng, CHANNELS[difficulty])) for _ in range(n_conv)]
    bias = False if difficulty == 2 else rng.random() < 0.5
    return {"h": h, "c_in": c_in, "convs": convs, "bias": bias, "bn_channels": [f for _, f in convs]}


def _bn_layers(p: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    if not p["convs"]:
        return [W.batchnorm()], ["`BatchNormalization()`"]
    layers: list[dict[str, Any]] = []
    lines: list[str] = []
    b = "" if p["bias"] else ", use_bias=False"
    for i, (k, f) in enumerate(p["convs"]):
        layers += [W.conv2d(f, k, padding="same", use_bias=p["bias"]), W.batchnorm()]
        lines += [f"`Conv2D({f}, {k}, padding='same'{b})`", "`BatchNormalization()`"]
        if i < len(p["convs"]) - 1:
            layers.append(W.relu())
            lines.append("`ReLU()`")
    return layers, lines


def _bn_key(p: dict[str, Any], quantity: str) -> tuple[int, list[tuple[str, int]], str]:
    conv = 0
    c = p["c_in"]
    terms = []
    for k, f in p["convs"]:
        conv += F.conv_params(k, c, f, bias=p["bias"])
        terms.append(f"({k}\\cdot{k}\\cdot{c}{' + 1' if p['bias'] else ''})\\cdot{f}")
        c = f
    cs = p["bn_channels"]
    two_c = sum(2 * x for x in cs)
    bn_txt = " + ".join(f"2\\cdot{x}" for x in cs)
    if quantity == "count_params":
        key = conv + 2 * two_c
        traps = [("bn_count_as_2c", conv + two_c), ("bn_all_axes", conv + 2 * two_c * p["h"] * p["h"])]
        four = " + ".join(f"4\\cdot{x}" for x in cs)
        how = f"BatchNorm: γ, β, moving mean and variance, ${four} = {fmt(2 * two_c)}$"
    elif quantity == "trainable_params":
        key = conv + two_c
        traps = [("bn_trainable_as_4c", conv + 2 * two_c), ("bn_all_axes", conv + two_c * p["h"] * p["h"])]
        how = f"BatchNorm trains only γ and β: ${bn_txt} = {fmt(two_c)}$ (the moving statistics are not trained)"
    else:
        key = two_c
        traps = [("bn_count_as_2c", 0), ("bn_trainable_as_4c", 2 * two_c)]
        how = f"the non-trainable weights are BatchNorm's moving mean and variance: ${bn_txt} = {fmt(two_c)}$"
    if conv:
        if quantity != "non_trainable_params":
            traps.append(("forgot_bn_params", conv))
        if quantity != "non_trainable_params":
            b = sum(f for _, f in p["convs"])
            traps.append(("forgot_bias", key - b) if p["bias"] else ("forgot_bias", key + b))
            how = f"the convolutions have ${' + '.join(terms)} = {fmt(conv)}$ (all trainable); " + how
    return key, traps, how


@generator(
    "normalization.bn_params", topic="normalization", title="BatchNorm parameter counts", kind="numeric", version=2
)
def bn_params(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _bn_stack(rng, difficulty)
    quantity = pick(
        rng,
        ("count_params", "trainable_params")
        if difficulty == 1
        else ("count_params", "trainable_params", "non_trainable_params"),
    )
    layers, lines = _bn_layers(p)
    key, traps, how = _bn_key(p, quantity)
    shape_in = [p["h"], p["h"], p["c_in"]]
    listing = "\n".join(f"{i + 1}. {line}" for i, line in enumerate(lines))
    return numeric(
        stem=(
            f"A model takes ${p['h']}\\times{p['h']}\\times{p['c_in']}$ feature maps and applies:\n\n{listing}\n\n"
            f"How many of its parameters {QUANTITY_TEXT[quantity]}?"
        ),
        key=key,
        traps=traps,
        explanation=(
            f"Per BatchNorm on $C$ channels: $2C$ trainable (γ, β per channel, shared over all positions) plus $2C$ "
            f"non-trainable moving statistics, so Keras counts $4C$. Here {how}: **{fmt(key)}**."
        ),
        params={**p, "convs": [list(c) for c in p["convs"]], "quantity": quantity},
        witness=W.sequential(shape_in, layers, quantity),
    )


@generator("normalization.bn_pick", topic="normalization", title="Pick BatchNorm's parameter count", kind="choice")
def bn_pick(rng: random.Random, difficulty: int) -> dict[str, Any]:
    c = pick(rng, CHANNELS[difficulty])
    h = pick(rng, (7, 14, 28, 56))
    quantity = pick(
        rng,
        ("count_params", "trainable_params")
        if difficulty < 3
        else ("count_params", "trainable_params", "non_trainable_params"),
    )
    key = {"count_params": 4 * c, "trainable_params": 2 * c, "non_trainable_params": 2 * c}[quantity]
    traps = [
        ("bn_count_as_2c", T.bn_count_as_2c(c))
        if quantity == "count_params"
        else ("bn_trainable_as_4c", T.bn_trainable_as_4c(c)),
        ("bn_all_axes", 2 * c * h * h),
        ("norm_axes_confused", c),
        ("bn_count_as_2c", 0) if quantity == "non_trainable_params" else ("bn_all_axes", 4 * c * h * h),
    ]
    return numeric_choice(
        rng,
        stem=(
            f"A `BatchNormalization()` layer follows a conv with {c} filters on ${h}\\times{h}$ maps. How many of "
            f"the BatchNorm layer's parameters {QUANTITY_TEXT[quantity]}?"
        ),
        key=key,
        traps=traps,
        explanation=(
            f"BatchNorm keeps, per channel, γ and β (trainable) and the moving mean and variance (non-trainable), "
            f"shared over all ${h}\\times{h}$ positions: $2\\cdot{c} = {2 * c}$ trainable, $2\\cdot{c} = {2 * c}$ "
            f"non-trainable, $4\\cdot{c} = {4 * c}$ in `count_params()`. Answer: **{fmt(key)}**."
        ),
        params={"c": c, "h": h, "quantity": quantity},
        witness=W.sequential([h, h, c], [W.batchnorm()], quantity),
    )


# ------------------------------------------------------------------ LayerNorm / GroupNorm parameter counts


@generator(
    "normalization.other_params", topic="normalization", title="LayerNorm and GroupNorm parameters", kind="numeric"
)
def other_params(rng: random.Random, difficulty: int) -> dict[str, Any]:
    kinds = {1: ("layer",), 2: ("layer", "group"), 3: ("group", "layer_chw", "layer_chw")}[difficulty]
    kind = pick(rng, kinds)
    c = pick(rng, CHANNELS[difficulty])
    h = pick(rng, (7, 14, 28) if kind != "layer_chw" else (2, 3, 4, 5, 7))
    if kind == "layer":
        layer, name = W.layernorm(), "`LayerNormalization()` (default `axis=-1`)"
        key = F.layernorm_params(c)
        traps = [("ln_has_moving_stats", T.ln_has_moving_stats(c)), ("keras_ln_default_hwc", 2 * h * h * c)]
        how = (
            f"With `axis=-1` Keras normalises over the {c} channels and learns γ and β of shape $({c},)$: "
            f"$2\\cdot{c} = {fmt(key)}$. LayerNorm keeps no moving statistics (it uses each sample's own)."
        )
    elif kind == "group":
        g = pick(rng, tuple(x for x in (2, 4, 8, 16, 32) if c % x == 0 and x < c))
        layer, name = W.groupnorm(g), f"`GroupNormalization(groups={g})`"
        key = F.groupnorm_params(c, g)
        traps = [
            ("gn_params_per_group", T.gn_params_per_group(c, g)),
            ("ln_has_moving_stats", T.ln_has_moving_stats(c)),
            ("bn_all_axes", 2 * h * h * c),
        ]
        how = (
            f"The {g} groups only decide which channels share a mean and variance; γ and β are per channel: "
            f"$2\\cdot{c} = {fmt(key)}$, and there are no moving statistics."
        )
    else:
        layer, name = W.layernorm([1, 2, 3]), "`LayerNormalization(axis=[1, 2, 3])`"
        key = 2 * h * h * c
        traps = [
            ("ln_axes_params_2c", T.ln_axes_params_2c(h, h, c)),
            ("ln_has_moving_stats", T.ln_has_moving_stats(h * h * c)),
        ]
        how = (
            f"Keras gives γ and β the shape of the normalised axes, here $({h}, {h}, {c})$: "
            f"$2\\cdot{h}\\cdot{h}\\cdot{c} = {fmt(key)}$ (the textbook LayerNorm; the default `axis=-1` would give "
            f"$2\\cdot{c}$)."
        )
    return numeric(
        stem=(
            f"How many parameters (Keras `count_params()`) does {name} have when applied to "
            f"${h}\\times{h}\\times{c}$ feature maps?"
        ),
        key=key,
        traps=traps,
        explanation=how,
        params={"kind": kind, "c": c, "h": h, "layer": layer["config"]},
        witness=W.sequential([h, h, c], [layer], "count_params"),
    )


# ------------------------------------------------------------------ which axes?

AXES_TEXT = {
    (0, 1, 2): "Over (N, H, W): one mean and variance per channel, shared by the whole batch.",
    (1, 2, 3): "Over (H, W, C): one mean and variance per sample.",
    (3,): "Over C only: one mean and variance per sample and spatial position.",
    (1, 2): "Over (H, W): one mean and variance per sample and channel.",
    (0, 1, 2, 3): "Over (N, H, W, C): a single mean and variance for the whole batch.",
}
KIND_TEXT = {
    "batch": "`BatchNormalization()` (training mode)",
    "layer_chw": "`LayerNormalization(axis=[1, 2, 3])` (the textbook LayerNorm)",
    "instance": "`GroupNormalization(groups=C)`, i.e. InstanceNorm",
    "layer": "`LayerNormalization()` with Keras' default `axis=-1`",
}
# (kind, wrong axes) → the trap that explains that wrong choice
AXES_TRAPS = {
    ("batch", (1, 2, 3)): "bn_per_sample",
    ("batch", (1, 2)): "bn_per_sample",
    ("batch", (0, 1, 2, 3)): "bn_all_axes",
    ("layer", (1, 2, 3)): "keras_ln_default_hwc",
    ("layer_chw", (3,)): "keras_ln_default_hwc",
}


AXES_OWNER = {
    (0, 1, 2): "how BatchNorm normalises",
    (1, 2, 3): "the textbook LayerNorm",
    (3,): "Keras' default LayerNorm (`axis=-1`)",
    (1, 2): "InstanceNorm",
    (0, 1, 2, 3): "no standard layer: it would mix every sample of the batch",
}


def _axes_trap(kind: str, axes: tuple[int, ...]) -> str:
    if kind != "batch" and 0 in axes:
        return "norm_over_batch"
    return AXES_TRAPS.get((kind, axes), "norm_axes_confused")


@generator(
    "normalization.axes", topic="normalization", title="Which axes does a normalisation use?", kind="choice", version=2
)
def axes(rng: random.Random, difficulty: int) -> dict[str, Any]:
    kinds = {1: ("batch", "layer_chw"), 2: ("batch", "layer_chw", "instance"), 3: ("layer", "instance")}
    kind = pick(rng, kinds[difficulty])
    right = F.norm_axes("layer" if kind == "layer_chw" else kind, keras_default=kind == "layer")
    wrong = [a for a in AXES_TEXT if a != right]
    rng.shuffle(wrong)
    if kind == "layer" and (1, 2, 3) in wrong:  # the Keras-default trap must be on offer
        wrong.remove((1, 2, 3))
        wrong.insert(0, (1, 2, 3))
    channels = pick(rng, (6, 8, 12, 16))  # the probe needs ≥ 6 channels to tell C-only variance from (H, W, C)
    return choice(
        rng,
        stem=(
            f"For an $(N, H, W, C)$ activation tensor, over which axes does {KIND_TEXT[kind]} compute the mean and "
            "variance it normalises with?"
        ),
        correct=AXES_TEXT[right],
        distractors=[
            (
                _axes_trap(kind, a),
                AXES_TEXT[a],
                f"{AXES_TEXT[a].split(':')[0]} is {AXES_OWNER[a]}; {KIND_TEXT[kind]} normalises "
                f"{AXES_TEXT[right].split(':')[0].replace('Over', 'over', 1)}.",
            )
            for a in wrong
        ],
        explanation=(
            T.get("norm_axes_confused").feedback
            + f" So {KIND_TEXT[kind]} normalises {AXES_TEXT[right][0].lower() + AXES_TEXT[right][1:]}"
            + (" " + T.get("keras_ln_default_hwc").feedback if kind in ("layer", "layer_chw") else "")
        ),
        params={"kind": kind, "channels": channels},
        witness=W.probe("norm_axes", expect=list(right), kind=kind, channels=channels),
    )


# ------------------------------------------------------------------ inference and batch size 1


def _behaviours(rng: random.Random, difficulty: int) -> list[dict[str, Any]]:
    c = pick(rng, (2, 4, 8))
    out = [
        {
            "fact": "bn_inference",
            "stem": "A trained model with BatchNorm is called with `training=False` (inference). What does each "
            "BatchNorm layer normalise with?",
            "right": [
                "The moving mean and variance accumulated during training.",
                "Per-channel running averages of the training batches' statistics.",
                "Fixed statistics: the moving mean and variance, not the batch's.",
            ],
            "distractors": [
                ("bn_batch_stats_at_inference", "The mean and variance of the current batch, per channel."),
                ("bn_inference_identity", "Nothing: at inference BatchNorm passes its input through."),
                ("bn_per_sample", "The mean and variance of each test image on its own."),
                ("bn_all_axes", "A mean and variance for every spatial position, stored in training."),
            ],
            "witness": W.probe("bn_inference_uses_moving_stats", expect=True, channels=c),
            "explanation": T.get("bn_batch_stats_at_inference").feedback,
        }
    ]
    if difficulty == 2:
        out.append(
            {
                "fact": "bn_batch1",
                "stem": "A BatchNorm layer is trained with batch size 1 on $1\\times1$ feature maps (e.g. after global "
                "pooling). What does it output in training mode?",
                "right": [
                    "β for every input: the batch variance is 0 and x − mean is 0.",
                    "A constant, β: each value is its own batch mean, so it normalises to 0.",
                ],
                "distractors": [
                    ("bn_fine_at_batch_1", "A normalised version of its input, as at any other batch size."),
                    ("bn_batch_stats_at_inference", "The same as at inference, since one sample is its own batch."),
                    ("bn_inference_identity", "Its input unchanged: with one sample there is nothing to normalise."),
                ],
                "witness": W.probe("bn_batch1_output_constant", expect=True, channels=c),
                "explanation": T.get("bn_fine_at_batch_1").feedback,
            }
        )
    if difficulty == 3:
        g = pick(rng, (2, 4))
        out = [
            {
                "fact": "gn_batch1",
                "stem": "A detector trains with one image per GPU, so BatchNorm sees batch size 1. Which replacement "
                "is sound, and why?",
                "right": [
                    "GroupNorm: per-sample statistics over (H, W) and channel groups.",
                    "GroupNorm, whose output does not depend on the rest of the batch.",
                ],
                "distractors": [
                    ("groupnorm_needs_batch", "Not GroupNorm: it also needs batch statistics, so it breaks too."),
                    ("bn_fine_at_batch_1", "Keep BatchNorm: its statistics are just as reliable at batch size 1."),
                    ("bn_batch_stats_at_inference", "Keep BatchNorm but also use batch statistics at inference."),
                ],
                "witness": W.probe("groupnorm_batch1_independent", expect=True, channels=4 * g, groups=g),
                "explanation": T.get("groupnorm_needs_batch").feedback,
            },
            {
                "fact": "bn_training",
                "stem": "In training mode (`training=True`), what does BatchNormalization normalise each channel with?",
                "right": [
                    "The current batch's mean and variance of that channel over (N, H, W).",
                    "Batch statistics: one mean and variance per channel, over N, H and W.",
                ],
                "distractors": [
                    ("bn_all_axes", "A separate mean and variance for every (H, W) position, over the batch."),
                    ("bn_per_sample", "Each sample's own mean and variance over (H, W, C)."),
                    ("bn_inference_identity", "The moving averages, exactly as at inference."),
                ],
                "witness": W.probe("bn_training_uses_batch_stats", expect=True, channels=c),
                "explanation": "In training BN uses the batch statistics (and updates the moving averages with them); "
                "at inference it switches to the moving averages. " + T.get("bn_all_axes").feedback,
            },
        ]
    return out


@generator(
    "normalization.behaviour",
    topic="normalization",
    title="BatchNorm at inference and batch size 1",
    kind="choice",
    version=2,
)
def behaviour(rng: random.Random, difficulty: int) -> dict[str, Any]:
    return fact_choice(rng, pick(rng, _behaviours(rng, difficulty)))
