"""Questions from the zoo: figures of named architectures, proven on the live models of :mod:`models`.

Keys come from the declared facts in :mod:`models.facts` (plain data with sources, asserted against the built
models in tests) or from the formulas applied to the published architecture tables; the witnesses name the zoo
model (``W.zoo``) so validation builds it and measures.  Nothing here imports Keras.
"""

from __future__ import annotations

import random
from typing import Any

from models.facts import VARIANTS
from models.facts import resnet as resnet_facts

from .. import formulas as F
from .. import traps as T
from .. import witness as W
from ..schema import Tolerance
from .base import (
    Redraw,
    claims_choice,
    compared,
    fmt,
    fmt_scaled,
    fmt_shape,
    generator,
    multi_select,
    numeric,
    numeric_choice,
    pick,
    shape,
    topic,
)

TOPIC = topic(
    "architectures",
    "Architectures",
    "Figures of named CNNs (LeNet to EfficientNet) as Keras and torchvision count them, checked on the live zoo.",
)

# models cheap enough to build in validation; the heaviest (EfficientNet-B6/B7, video) stay in the zoo's own tests
FAMOUS = ("lenet5", "vgg16", "resnet50", "mobilenet_v2")
COMMON = (
    *FAMOUS,
    "alexnet",
    "resnet18",
    "resnet34",
    "resnet101",
    "densenet121",
    "mobilenet_v1",
    "efficientnet_b0",
    "xception",
    "googlenet",
)
ALL = (
    *COMMON,
    "vgg19",
    "resnet152",
    "resnet50_v1_5",
    "se_resnet50",
    "densenet161",
    "densenet169",
    "inception_v3",
    "efficientnet_b1",
    "efficientnet_b2",
    "efficientnet_b3",
)
BY_DIFFICULTY = {1: FAMOUS, 2: COMMON, 3: ALL}

TITLES = {
    "lenet5": "LeNet-5",
    "alexnet": "AlexNet",
    "vgg16": "VGG-16",
    "vgg19": "VGG-19",
    "resnet18": "ResNet-18",
    "resnet34": "ResNet-34",
    "resnet50": "ResNet-50",
    "resnet101": "ResNet-101",
    "resnet152": "ResNet-152",
    "resnet50_v1_5": "ResNet-50 v1.5",
    "se_resnet50": "SE-ResNet-50",
    "densenet121": "DenseNet-121",
    "densenet161": "DenseNet-161",
    "densenet169": "DenseNet-169",
    "mobilenet_v1": "MobileNet-v1",
    "mobilenet_v2": "MobileNet-v2",
    "efficientnet_b0": "EfficientNet-B0",
    "efficientnet_b1": "EfficientNet-B1",
    "efficientnet_b2": "EfficientNet-B2",
    "efficientnet_b3": "EfficientNet-B3",
    "xception": "Xception",
    "googlenet": "GoogLeNet",
    "inception_v3": "Inception-v3",
}


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape))


def _ref(name: str, key: str) -> Any:
    f = VARIANTS[name].reference.get(key)
    return None if f is None else f.value


# ------------------------------------------------------------------ parameter counts


def _count_traps(name: str, ask_trainable: bool) -> list[tuple[str, Any]]:
    """Other conventions' counts of the same model: each a named confusion."""
    v = VARIANTS[name]
    total, trainable = v.params.value, v.trainable_params.value  # type: ignore[union-attr]
    traps: list[tuple[str, Any]] = [
        ("bn_trainable_as_4c", total) if ask_trainable else ("keras_count_trainable_only", trainable)
    ]
    for ref in ("torchvision_params", "keras_v1_params"):
        value = _ref(name, ref)
        if isinstance(value, int):
            traps.append(("keras_count_is_torchvision", value))
    if name == "inception_v3":
        traps.append(("aux_head_counted", _ref(name, "aux_head_params_keras")))
    moving = total - trainable - (_ref(name, "normalization_statistics") or 0)  # 2 per BatchNorm channel
    if moving > 0:  # left out every BatchNorm weight (γ, β and, for Keras' count, the moving statistics)
        traps.append(("forgot_bn_params", trainable - moving if ask_trainable else total - 2 * moving))
    return traps


def _distinct(key: int, traps: list[tuple[str, Any]]) -> int:
    return len({v for _, v in traps} - {key})


# a model makes a good count question if at least two other conventions give other numbers
_ELIGIBLE = tuple(n for n in ALL if _distinct(VARIANTS[n].params.value, _count_traps(n, False)) >= 2)  # type: ignore[union-attr]
_FIRST = tuple(n for n in ("resnet50", "mobilenet_v2", "densenet121", "mobilenet_v1") if n in _ELIGIBLE)
PARAM_MODELS = {  # difficulty 3 never repeats a difficulty-1 model
    1: _FIRST,
    2: tuple(n for n in COMMON if n in _ELIGIBLE),
    3: tuple(n for n in _ELIGIBLE if n not in _FIRST),
}


@generator("architectures.params", topic="architectures", title="Parameters of a named model", kind="choice", version=2)
def params(rng: random.Random, difficulty: int) -> dict[str, Any]:
    name = pick(rng, PARAM_MODELS[difficulty])
    v = VARIANTS[name]
    assert v.params is not None and v.trainable_params is not None
    total, trainable = v.params.value, v.trainable_params.value
    ask_trainable = difficulty >= 2 and rng.random() < 0.5
    key, quantity = (trainable, "trainable_params") if ask_trainable else (total, "count_params")
    what = (
        "trainable parameters (the Keras model's `trainable_weights`)"
        if ask_trainable
        else "parameters does Keras' `count_params()` report"
    )
    tv = _ref(name, "torchvision_params")
    return numeric_choice(
        rng,
        stem=f"{TITLES[name]} as built in the cnnquiz zoo ({_shape_text(v.input_shape)} input, {v.classes} classes, "
        f"with its top): how many {what}?",
        key=key,
        traps=_count_traps(name, ask_trainable),
        n_options=3,
        params={"model": name, "quantity": quantity},
        explanation=(
            f"Keras' `count_params()` gives {fmt(total)} for {TITLES[name]}, of which {fmt(trainable)} are trainable; "
            + (
                f"the other {fmt(total - trainable)} are BatchNorm moving statistics"
                + (" and the input normalisation's statistics." if name.startswith("efficientnet") else ".")
                if total > trainable
                else "all of them are trainable (no BatchNorm)."
            )
            + (f" torchvision reports {fmt(tv)} (trainable weights only, its own layer conventions)." if tv else "")
            + f" Source: {v.params.source}."
        ),
        witness=W.zoo(name, quantity),
    )


# the model each MACs stem names, with its variant: every figure is keyed from that model
MAC_MODELS = {
    1: ("lenet5", "vgg16", "resnet50", "mobilenet_v2"),
    2: (*COMMON, "resnet50_v1_5"),
    3: tuple(n for n in (*ALL, "resnet50_v1_5") if n not in FAMOUS),
}
_V1 = "keras.applications layout, ResNet v1: the downsampling stride in the first 1×1 of a block"


def _source(name: str) -> str:
    """How a stem names a zoo model: whose build it is and, for ResNets, which variant."""
    if name == "resnet50_v1_5":
        return "torchvision's `resnet50` (ResNet v1.5: the downsampling stride in the 3×3 of a block)"
    if name in ("resnet18", "resnet34"):
        return (
            f"{TITLES[name]} as built in Keras (the cnnquiz zoo; basic blocks, whose downsampling stride sits in the "
            "first 3×3 in v1 and v1.5 alike)"
        )
    if name.startswith("resnet"):
        return f"Keras' {TITLES[name].replace('-', '')} ({_V1})"
    if name == "se_resnet50":
        return "SE-ResNet-50 (the v1.5 layout with an SE gate in each bottleneck, as built in the cnnquiz zoo)"
    if name == "googlenet":
        return "GoogLeNet as in the paper (5×5 convs in the 5×5 branches, no BatchNorm; the cnnquiz zoo's build)"
    return f"{TITLES[name]} as built in Keras (the cnnquiz zoo)"


def _format_example(key: float) -> str:
    """A format example that is not the answer: far from the key in value."""
    return next(ex for ex in ("1.2e6", "3.2e9", "2.5e8") if abs(float(ex) - key) > 0.5 * key)


def _mac_traps(name: str, key: int) -> list[tuple[Any, ...]]:
    """Other conventions' MACs of the model: FLOPs, the other ResNet variant, torchvision's GoogLeNet."""
    traps: list[tuple[Any, ...]] = [("macs_as_flops", T.macs_as_flops(key))]
    shift = _ref("resnet50", "stride_shift_macs")
    if name in ("resnet50", "resnet101", "resnet152"):
        traps.append(
            (
                "resnet_version_confused",
                key + shift,
                f"{fmt(key + shift)} is torchvision's v1.5 of this network (stride in the 3×3, so the first 1×1 of "
                f"each downsampling block runs on the 4× larger grid: +{fmt(shift)} MACs). Keras' "
                f"{TITLES[name].replace('-', '')} is v1, with the stride in that 1×1.",
            )
        )
    if name == "resnet50_v1_5":
        traps.append(
            (
                "resnet_version_confused",
                key - shift,
                f"{fmt(key - shift)} is Keras' ResNet50 (v1, stride in the first 1×1, 3.86 G). torchvision's v1.5 "
                f"moves the stride into the 3×3, so that 1×1 runs on the 4× larger grid: +{fmt(shift)} MACs.",
            )
        )
    if name == "googlenet":
        tv = _ref("googlenet", "torchvision_macs")
        traps.append(
            (
                "keras_count_is_torchvision",
                tv,
                f"{fmt(tv)} is torchvision's `googlenet`, which puts 3×3 convs in the '5×5' branches; the paper's "
                "network, the one asked, has 5×5 convs there.",
            )
        )
    return traps


@generator("architectures.macs", topic="architectures", title="MACs of a named model", kind="numeric", version=3)
def macs(rng: random.Random, difficulty: int) -> dict[str, Any]:
    name = pick(rng, MAC_MODELS[difficulty])
    v = VARIANTS[name]
    assert v.macs is not None
    key = v.macs.value
    return numeric(
        stem=(
            f"How many multiply-accumulates (MACs) does one forward pass of {_source(name)} take at "
            f"{_shape_text(v.input_shape)}? Count one MAC per multiply-add of every convolution and dense layer "
            "(biases, BatchNorm, activations and pooling are not counted). Answer within 2 % "
            f"(a number such as `{_format_example(key)}`)."
        ),
        key=key,
        traps=_mac_traps(name, key),
        tolerance=Tolerance(mode="relative", value=0.02),
        unit="MACs",
        params={"model": name},
        explanation=(
            f"Summing $H_{{out}}W_{{out}}K^2 C_{{in}}C_{{out}}/g$ over every conv and $n_{{in}}n_{{out}}$ over every "
            f"dense layer gives {fmt(key)} MACs ≈ {fmt_scaled(key)}. FLOPs are about twice that ({fmt_scaled(2 * key)});"
            f" tables that say 'GFLOPs' (torchvision, most papers) usually mean MACs. Source: {v.macs.source}."
        ),
        witness=W.zoo(name, "macs"),
    )


VGG_PARTS = {
    "fc": ("the three fully connected layers", ("fc1", "fc2", "predictions")),
    "fc1": ("the first fully connected layer (`fc1`) alone", ("fc1",)),
    "conv": ("the 3×3 convolutions", ()),
}


@generator(
    "architectures.vgg_fc_share", topic="architectures", title="Where VGG's parameters live", kind="numeric", version=2
)
def vgg_fc_share(rng: random.Random, difficulty: int) -> dict[str, Any]:
    """Difficulty 1: VGG-16's parts; 2: VGG-16 or 19; 3: the same with a 10-class head (the share moves)."""
    name = "vgg16" if difficulty == 1 else pick(rng, ("vgg16", "vgg19"))
    classes = 1000 if difficulty < 3 else pick(rng, (10, 100))
    conv = _ref(name, "conv_params")
    fc1, fc2 = F.dense_params(7 * 7 * 512, 4096), F.dense_params(4096, 4096)
    fc = fc1 + fc2 + F.dense_params(4096, classes)
    total = conv + fc
    assert classes != 1000 or total == VARIANTS[name].params.value  # type: ignore[union-attr]
    ask = pick(rng, tuple(VGG_PARTS))
    part_count = {"fc": fc, "fc1": fc1, "conv": conv}[ask]
    key = round(100 * part_count / total, 1)
    part, layers = VGG_PARTS[ask]
    kw = {} if classes == 1000 else {"classes": classes}
    fc_w = W.combine("sum", *[W.zoo(name, "count_params", at=layer, **kw) for layer in layers or VGG_PARTS["fc"][1]])
    part_w = fc_w if ask != "conv" else W.combine("difference", W.zoo(name, "count_params", **kw), fc_w)
    complement = round(T.share_complement(key), 1)
    rest = "the rest of the network" if ask != "conv" else "the fully connected layers"
    return numeric(
        stem=(
            (
                f"What percentage of {TITLES[name]}'s {fmt(total)} parameters sit in {part}? "
                if classes == 1000
                else f"{TITLES[name]} is rebuilt with a {classes}-class classifier (`classes={classes}`). What "
                f"percentage of its parameters sit in {part}? "
            )
            + f"(224×224×3 input, {classes} classes; answer to 0.1 %.)"
        ),
        key=key,
        traps=[
            (
                "share_complement",
                complement,
                f"{complement} % is the share of {rest}; the question asks for {part}: 100 − {complement} = {key} %.",
            )
        ],
        tolerance=Tolerance(mode="absolute", value=0.1),
        unit="%",
        params={"model": name, "part": ask, "classes": classes},
        explanation=(
            f"fc1 alone maps the 7×7×512 = 25,088 flattened features to 4096 units: $(25088+1)\\cdot 4096$ = "
            f"{fmt(fc1)}. With fc2 and the {classes}-way classifier the FC layers hold {fmt(fc)}, the convolutions "
            f"{fmt(conv)}: {100 * fc / total:.1f} % vs {100 * conv / total:.1f} % ({part}: {key} %). Most of VGG's "
            "weights are in its head, which is why later networks replaced it by global average pooling."
        ),
        witness=W.combine("percent_of", part_w, W.zoo(name, "count_params", **kw)),
    )


# ------------------------------------------------------------------ conventions


@generator(
    "architectures.resnet_conventions",
    topic="architectures",
    title="Keras vs torchvision ResNet-50",
    kind="choice",
    version=2,
)
def resnet_conventions(rng: random.Random, difficulty: int) -> dict[str, Any]:
    """Difficulty 1 asks where Keras' extra parameters come from, 3 what moving the stride changes, 2 either; the
    depth varies (every bottleneck ResNet gains the same +231 M MACs from the move)."""
    shift = _ref("resnet50", "stride_shift_macs")
    ask = "difference" if difficulty == 1 else "stride" if difficulty == 3 else pick(rng, ("difference", "stride"))
    if ask == "stride":
        name = pick(rng, ("resnet50", "resnet101", "resnet152"))
        v1_macs = VARIANTS[name].macs.value  # type: ignore[union-attr]
        v15_macs = v1_macs + shift
        weights = _ref(name, "torchvision_params")
        title = TITLES[name]
        return claims_choice(
            rng,
            stem=(
                f"torchvision's {title} (v1.5) puts each downsampling stride in the 3×3 conv; Keras' "
                f"{title.replace('-', '')} (v1) puts it in the first 1×1. What does the move change?"
            ),
            right=[
                f"Only the compute: {fmt(shift)} {compared(v15_macs, v1_macs)} MACs for v1.5, the same weights.",
                f"{fmt(shift)} more MACs: the first 1×1 now runs on the 4× larger grid.",
                f"The MACs ({fmt_scaled(v15_macs)} vs {fmt_scaled(v1_macs)}), not the {fmt(weights)} weights.",
            ],
            wrong=[
                ("stride_changes_params", f"{fmt(shift)} more parameters for v1.5, and the same MACs."),
                ("macs_as_flops", f"{fmt(2 * shift)} more MACs: every extra multiply-add counts twice."),
                ("resnet_version_confused", "Nothing: v1 and v1.5 take the same MACs and have the same weights."),
                ("v15_macs_from_3x3", f"{fmt(shift)} more MACs, because the strided 3×3 runs on the 4× larger grid."),
            ],
            explanation=(
                f"{T.get('stride_changes_params').feedback} In v1 the first 1×1 of each downsampling block (stages "
                "3–5) has stride 2, so it runs on the output grid; in v1.5 it has stride 1 and runs on the 4× larger "
                "input grid, while the 3×3, now strided, still produces the output grid and costs the same. The extra "
                "MACs are those of the first 1×1 on the 3 extra quarters, the same for every bottleneck depth: "
                "$3\\cdot(28^2\\cdot256\\cdot128 + 14^2\\cdot512\\cdot256 + 7^2\\cdot1024\\cdot512)$ = "
                f"{fmt(shift)} (Keras v1 {fmt_scaled(v1_macs)} vs torchvision v1.5 {fmt_scaled(v15_macs)})."
            ),
            correct_value=shift,
            params={"variant": "stride", "model": name},
            witness=W.combine("difference", W.zoo("resnet50_v1_5", "macs"), W.zoo("resnet50", "macs")),
        )
    name = pick(rng, ("resnet50", "resnet101") if difficulty == 1 else ("resnet18", "resnet34", "resnet50"))
    keras_total, tv, bias = VARIANTS[name].params.value, _ref(name, "torchvision_params"), _ref(name, "conv_bias")  # type: ignore[union-attr]
    diff = keras_total - tv
    title = TITLES[name]
    convs = len(resnet_facts.convs(int(name[6:]), False))
    return claims_choice(
        rng,
        stem=(
            f"Keras' {title} (v1) has {fmt(keras_total)} parameters in `count_params()`; torchvision reports "
            f"{fmt(tv)} for its {title} (v1.5: the same weights but for conv biases). Where do the {fmt(diff)} extra "
            "parameters come from?"
        ),
        right=[
            f"{fmt(bias)} conv biases plus BN's moving mean and variance ({fmt(2 * bias)}).",
            f"A bias per conv channel ({fmt(bias)}), 2 BN moving statistics each.",
            f"Conv biases and BN moving statistics: 3 × {fmt(bias)}.",
        ],
        wrong=[
            (
                "aux_head_counted",
                "An auxiliary classifier that torchvision leaves out.",
                f"{title} has no auxiliary classifier (Inception has); the {fmt(diff)} are per-channel extras.",
            ),
            ("bn_count_as_2c", f"BatchNorm's γ and β ({fmt(2 * bias)}), which torchvision does not count."),
            ("stride_changes_params", "Keras' stride sits in the 1×1, which needs more weights."),
            (
                "keras_count_trainable_only",
                f"Only BatchNorm's moving mean and variance ({fmt(2 * bias)}).",
                f"The moving statistics are {fmt(2 * bias)} of them; the other {fmt(bias)} are the conv biases that "
                "Keras' ResNet adds and torchvision's drops.",
            ),
        ],
        explanation=(
            f"{T.get('keras_count_is_torchvision').feedback} Here each of the {convs} convs has one bias per output "
            f"channel ({fmt(bias)}) and every BatchNorm keeps a moving mean and variance per channel "
            f"({fmt(2 * bias)}, non-trainable): {fmt(bias)} + {fmt(2 * bias)} = {fmt(diff)}."
        ),
        correct_value=diff,
        params={"variant": "difference", "model": name},
        witness=W.combine("difference", W.zoo(name, "count_params"), W.zoo(name, "trainable_params", use_bias=False)),
    )


@generator(
    "architectures.resnet_bias", topic="architectures", title="Conv biases in Keras' ResNets", kind="numeric", version=2
)
def resnet_bias(rng: random.Random, difficulty: int) -> dict[str, Any]:
    name = pick(
        rng, ("resnet18", "resnet34", "resnet50") if difficulty == 1 else ("resnet50", "resnet101", "resnet152")
    )
    v = VARIANTS[name]
    total, trainable = v.params.value, v.trainable_params.value  # type: ignore[union-attr]
    tv, bias = _ref(name, "torchvision_params"), _ref(name, "conv_bias")
    if difficulty == 3:
        stem = (
            f"Keras' {TITLES[name]} (v1 layout) gives every conv a bias, each followed by a BatchNorm. How many "
            "trainable parameters go if all those convs are built with `use_bias=False`?"
        )
    else:
        stem = (
            f"Keras' {TITLES[name]} (v1) has {fmt(trainable)} trainable parameters and torchvision's (v1.5) "
            f"{fmt(tv)}. Moving the stride changes no weight, and the layers are the same except that every Keras conv "
            "has a bias. How many conv biases does the Keras model have?"
        )
    key = trainable - tv
    assert key == bias
    return numeric(
        stem=stem,
        key=key,
        params={"model": name},
        traps=[
            (
                "keras_count_is_torchvision",
                total - tv,
                f"{fmt(total - tv)} is Keras' `count_params()` minus torchvision's: besides one bias per conv output "
                f"channel it holds BatchNorm's moving mean and variance (2 per channel, non-trainable). The "
                f"trainable counts differ by the biases alone: {fmt(trainable)} − {fmt(tv)} = {fmt(key)}.",
            )
        ],
        explanation=(
            f"One bias per output channel of every conv (projection shortcuts included): $\\sum C_{{out}}$ = {fmt(bias)}"
            " — exactly the trainable difference. BatchNorm's β right after each conv makes those biases redundant, "
            "which is why torchvision drops them. (Keras' `count_params()` differs from torchvision by three times "
            "that: the bias and BatchNorm's moving mean and variance per channel.)"
        ),
        witness=W.combine(
            "difference", W.zoo(name, "trainable_params"), W.zoo(name, "trainable_params", use_bias=False)
        ),
    )


INCEPTION_ASK = {  # quantity: (what the stem asks, how feedback names it)
    "count_params": ("parameters in `count_params()`", "`count_params()`"),
    "trainable_params": ("trainable parameters", "trainable count"),
    "non_trainable_params": ("non-trainable parameters (BatchNorm's moving statistics)", "non-trainable count"),
}


@generator(
    "architectures.inception_aux",
    topic="architectures",
    title="Inception-v3 with and without its aux head",
    kind="numeric",
    version=3,
)
def inception_aux(rng: random.Random, difficulty: int) -> dict[str, Any]:
    """What Inception-v3's auxiliary head adds (1), the whole model with it (2), the same from torchvision's figure
    in its own convention (3); each asks the Keras count, the trainable or the non-trainable part."""
    base = VARIANTS["inception_v3"]
    without = {
        "count_params": base.params.value,  # type: ignore[union-attr]
        "trainable_params": base.trainable_params.value,  # type: ignore[union-attr]
    }
    with_aux = {
        "count_params": _ref("inception_v3", "aux_head_params_keras"),
        "trainable_params": _ref("inception_v3", "aux_head_trainable_keras"),
    }
    for d in (without, with_aux):
        d["non_trainable_params"] = d["count_params"] - d["trainable_params"]
    tv = _ref("inception_v3", "torchvision_params")
    gammas = tv - with_aux["trainable_params"]  # torchvision counts γ, which Keras' scale=False drops
    head_bn = (with_aux["non_trainable_params"] - without["non_trainable_params"]) // 2
    ask = pick(rng, tuple(INCEPTION_ASK))
    other = "trainable_params" if ask != "trainable_params" else "count_params"
    if difficulty == 1:
        key = with_aux[ask] - without[ask]
        stem = (
            "Inception-v3's auxiliary classifier (5×5 avg-pool → 1×1 conv 128 → 5×5 conv 768 → FC 1000, each conv "
            "followed by BatchNorm without γ, as in Keras' `scale=False`) is added to Keras' InceptionV3. How many "
            f"{INCEPTION_ASK[ask][0]} does the head alone add?"
        )
        w = W.combine("difference", W.zoo("inception_v3", ask, aux_head=True), W.zoo("inception_v3", ask))
        traps: list[tuple[Any, ...]] = [
            (
                "aux_head_counted",
                with_aux[ask],
                f"{fmt(with_aux[ask])} is the whole InceptionV3 *with* its head; the head alone adds "
                f"{fmt(with_aux[ask])} − {fmt(without[ask])} = {fmt(key)}.",
            ),
            (
                "keras_count_trainable_only" if ask == "count_params" else "bn_trainable_as_4c",
                with_aux[other] - without[other],
                f"{fmt(with_aux[other] - without[other])} is the head's {INCEPTION_ASK[other][1]}, not its "
                f"{INCEPTION_ASK[ask][1]}.",
            ),
        ]
    else:
        key = with_aux[ask]
        if difficulty == 2:
            given = f"Keras' InceptionV3 has {fmt(without['count_params'])} parameters (`count_params()`) without its "
            given += "auxiliary classifier."
        else:
            given = (
                f"torchvision reports {fmt(tv)} parameters for `inception_v3`: the auxiliary classifier included, "
                f"BatchNorm's γ and β counted (trainable weights only). Its BatchNorm layers have {fmt(gammas)} "
                f"channels in all ({fmt(head_bn)} in the head); Keras drops γ (`scale=False`) and adds the moving mean "
                "and variance."
            )
        stem = (
            f"{given} With the auxiliary head (5×5 avg-pool → 1×1 conv 128 → 5×5 conv 768 → FC 1000) added, how many "
            f"{INCEPTION_ASK[ask][0]} does the model have in Keras?"
        )
        w = W.zoo("inception_v3", ask, aux_head=True)
        traps = [
            (
                "aux_head_counted",
                without[ask],
                f"{fmt(without[ask])} is the model *without* its auxiliary head; the head adds "
                f"{fmt(key - without[ask])}.",
            )
            if difficulty == 2
            else (
                "keras_count_is_torchvision",
                tv,
                f"{fmt(tv)} is torchvision's count: it has γ ({fmt(gammas)}) and no moving statistics. Keras has "
                f"{fmt(with_aux['trainable_params'])} trainable and {fmt(with_aux['non_trainable_params'])} "
                "non-trainable parameters.",
            ),
            (
                "keras_count_trainable_only" if ask == "count_params" else "bn_trainable_as_4c",
                with_aux[other],
                f"{fmt(with_aux[other])} is the model's {INCEPTION_ASK[other][1]}, not its {INCEPTION_ASK[ask][1]}.",
            ),
        ]
    return numeric(
        stem=stem,
        key=key,
        traps=traps,
        params={"quantity": ask, "variant": difficulty},
        explanation=(
            f"Without the head: {fmt(without['count_params'])} (`count_params`), {fmt(without['trainable_params'])} "
            f"trainable. With it: {fmt(with_aux['count_params'])} and {fmt(with_aux['trainable_params'])}; the "
            f"non-trainable rest is BatchNorm's moving mean and variance, 2 per channel. torchvision's "
            f"{fmt_scaled(tv)} ({fmt(tv)}) includes this head and BatchNorm's γ ({fmt(gammas)}), which Keras' "
            "InceptionV3 leaves out (`scale=False`)."
        ),
        witness=w,
    )


# ------------------------------------------------------------------ DenseNet growth


def _dense_block(c0: int, n_layers: int, k: int, side: int = 8) -> W.Graph:
    g = W.Graph([side, side, c0])
    x = g.input
    for i in range(n_layers):
        y = g.add(W.batchnorm(), x)
        y = g.add(W.relu(), y)
        y = g.add(W.conv2d(4 * k, 1, use_bias=False), y)
        y = g.add(W.batchnorm(), y)
        y = g.add(W.relu(), y)
        y = g.add(W.conv2d(k, 3, padding="same", use_bias=False), y)
        x = g.add(W.layer("Concatenate", axis=-1), [x, y], name=f"concat_{i}")
    return g


@generator(
    "architectures.densenet_growth", topic="architectures", title="DenseNet channel growth", kind="numeric", version=2
)
def densenet_growth(rng: random.Random, difficulty: int) -> dict[str, Any]:
    if difficulty < 3:
        c0 = pick(rng, (16, 24, 32, 64) if difficulty == 1 else (24, 48, 64, 96, 128))
        n = pick(rng, (2, 3, 4) if difficulty == 1 else (3, 4, 5, 6))
        k = pick(rng, (8, 12, 16) if difficulty == 1 else (12, 24, 32, 48))
        key = F.densenet_channels(c0, n, k)
        g = _dense_block(c0, n, k)
        stem = (
            f"A dense block receives a feature map with $C_0 = {c0}$ channels and has $L = {n}$ layers with growth "
            f"rate $k = {k}$ (each layer: BN-ReLU-1×1 conv to {4 * k}, BN-ReLU-3×3 conv to {k}, then concatenated "
            "to everything before it). How many channels leave the block?"
        )
        witness = g.witness(f"concat_{n - 1}", "channels")
        params: dict[str, Any] = {"c0": c0, "layers": n, "k": k}
    else:
        name = pick(rng, ("densenet121", "densenet169"))
        block = pick(rng, (2, 3, 4, 5))
        key = _ref(name, f"conv{block}_out_channels")
        layers_per = {"densenet121": (6, 12, 24, 16), "densenet169": (6, 12, 32, 32)}[name]
        n, k = layers_per[block - 2], 32
        c0 = key - n * k
        stem = (
            f"In {TITLES[name]} (growth rate $k = 32$), dense block {block - 1} (`conv{block}`) has {n} layers and "
            f"receives {c0} channels. How many channels does its last concatenation "
            f"(`conv{block}_block{n}_concat`) output?"
        )
        witness = W.zoo(name, "channels", at=f"conv{block}_block{n}_concat", include_top=False, input_shape=[64, 64, 3])
        params = {"model": name, "block": block, "c0": c0, "layers": n, "k": k}
    return numeric(
        stem=stem,
        key=key,
        params=params,
        witness=witness,
        traps=[
            ("densenet_added", T.densenet_added(c0, n, k)),
            ("densenet_forgot_input", T.densenet_forgot_input(c0, n, k)),
            ("resnet_concatenates", c0),
        ],
        explanation=(
            f"Concatenation keeps every earlier feature map: each of the {n} layers appends $k = {k}$ "
            f"channels, so $C_0 + L\\cdot k = {c0} + {n}\\cdot{k} = {key}$. "
            f"{T.get('densenet_added').feedback}"
        ),
    )


# ------------------------------------------------------------------ SE overhead


def _se_resnet50(rng: random.Random) -> dict[str, Any]:
    """SE-ResNet-50 against ResNet-50 v1.5: the gates' parameters, their share of the weights, or of the MACs."""
    se_params, se_macs = _ref("se_resnet50", "se_params"), _ref("se_resnet50", "se_macs")
    r50 = VARIANTS["resnet50_v1_5"]
    weights, r50_macs = r50.trainable_params.value, r50.macs.value  # type: ignore[union-attr]
    params_pct, macs_pct = (
        round(100 * se_params / weights, 1),
        round(T.se_overhead_macs_as_params(se_macs, r50_macs), 2),
    )
    widths = [4 * p for p in resnet_facts.PLANES]  # C at the end of each bottleneck stage: 256 … 2048
    gate_biases = sum(n * (c // 16 + c) for n, c in zip(resnet_facts.BLOCKS[50], widths, strict=True))
    setting = (
        "SE-ResNet-50 adds a squeeze-and-excitation gate (GAP → FC $C/16$ → ReLU → FC $C$ → sigmoid → scale, FCs "
        f"with biases) to each of ResNet-50's {sum(resnet_facts.BLOCKS[50])} bottlenecks (v1.5 layout, "
        f"{fmt(weights)} trainable weights, {fmt_scaled(r50_macs)} MACs). "
    )
    ask = pick(rng, ("params", "params_pct", "macs_pct"))
    trainable = [W.zoo("se_resnet50", "trainable_params"), W.zoo("resnet50_v1_5", "trainable_params")]
    if ask == "params":
        key: float = se_params
        stem = setting + "How many parameters do the gates add?"
        traps: list[tuple[Any, ...]] = [
            (
                "forgot_bias",
                se_params - gate_biases,
                f"The gates' FC layers have biases too: C/16 + C per gate, {fmt(gate_biases)} in all.",
            )
        ]
        tol, unit, w = None, None, W.combine("difference", *trainable)
    elif ask == "params_pct":
        key, tol, unit = params_pct, Tolerance(mode="absolute", value=0.1), "%"
        stem = setting + "By what percentage does the parameter count grow? (0.1 % tolerance)"
        traps = [("se_overhead_macs_as_params", macs_pct)]
        w = W.combine("percent_more", *trainable)
    else:
        key, tol, unit = macs_pct, Tolerance(mode="absolute", value=0.01), "%"
        stem = setting + "By what percentage do the MACs grow? (0.01 % tolerance)"
        traps = [
            (
                "params_ratio_for_macs",
                params_pct,
                f"{params_pct} % is the gates' share of the *weights*; they act on pooled C-vectors, so their MACs "
                f"({fmt(se_macs)}) are a tiny share of the network's.",
            )
        ]
        w = W.combine("percent_more", W.zoo("se_resnet50", "macs"), W.zoo("resnet50_v1_5", "macs"))
    return numeric(
        stem=stem,
        key=key,
        tolerance=tol,
        unit=unit,
        traps=traps,
        params={"model": "se_resnet50", "ask": ask},
        explanation=(
            "Each gate has $2C^2/r + C/r + C$ parameters with $r = 16$; summed over the stages that is "
            f"{fmt(se_params)}, {params_pct} % of ResNet-50's {fmt(weights)} trainable weights, but only {macs_pct} % "
            f"{compared(r50_macs + se_macs, r50_macs)} MACs ({fmt(se_macs)}): the gates act on pooled vectors."
        ),
        witness=w,
    )


@generator(
    "architectures.se_overhead",
    topic="architectures",
    title="Squeeze-and-excitation overhead",
    kind="numeric",
    version=2,
)
def se_overhead(rng: random.Random, difficulty: int) -> dict[str, Any]:
    if difficulty == 3:
        return _se_resnet50(rng)
    c = pick(rng, (64, 128, 256) if difficulty == 1 else (96, 192, 256, 512))
    r = pick(rng, (4, 8, 16) if difficulty == 1 else (8, 16))
    if c % r:
        raise Redraw
    se = 2 * c * c // r + c // r + c
    conv = F.conv_params(3, c, c)
    key = round(100 * se / conv, 2)
    g = W.Graph([8, 8, c])
    f = g.add(W.conv2d(c, 3, padding="same"), g.input, name="conv")
    s = g.add(W.layer("GlobalAveragePooling2D", keepdims=True), f, name="squeeze")
    s = g.add(W.conv2d(c // r, 1, activation="relu"), s, name="reduce")
    s = g.add(W.conv2d(c, 1, activation="sigmoid"), s, name="expand")
    y = g.add(W.layer("Multiply"), [f, s], name="scale")
    gate = W.combine("sum", g.witness(y, "count_params", at="reduce"), g.witness(y, "count_params", at="expand"))
    return numeric(
        stem=(
            f"An SE gate (GAP → FC {c}/{r} → ReLU → FC {c} → sigmoid, FCs with biases) follows a 3×3 conv with "
            f"{c} input and output channels (with bias). The gate's parameters are what percentage of the conv's? "
            "(0.01 % tolerance)"
        ),
        key=key,
        tolerance=Tolerance(mode="absolute", value=0.01),
        unit="%",
        traps=[
            (
                "forgot_bias",
                round(100 * (2 * c * c // r) / conv, 2),
                f"The gate's two FC layers have biases too: {c // r} in the reduce layer and {c} in the expand "
                f"layer, so the gate has $2C^2/r + C/r + C$ = {fmt(se)} parameters, not $2C^2/r$ = "
                f"{fmt(2 * c * c // r)}.",
            ),
            ("percent_of_total", round(T.percent_of_total(se, conv), 2)),
        ],
        params={"c": c, "r": r},
        explanation=(
            f"Gate: $C\\cdot C/r + C/r$ (reduce) $+ C/r\\cdot C + C$ (expand) = {fmt(se)}; conv: "
            f"$(9\\cdot{c}+1)\\cdot{c}$ = {fmt(conv)}; ratio {key} %. SE costs roughly $2/(9r)$ of the conv beside it."
        ),
        witness=W.combine("percent_of", gate, g.witness(y, "count_params", at="conv")),
    )


# ------------------------------------------------------------------ MobileNet v1 vs v2


@generator(
    "architectures.mobilenet_versions", topic="architectures", title="MobileNet v1 vs v2", kind="choice", version=2
)
def mobilenet_versions(rng: random.Random, difficulty: int) -> dict[str, Any]:
    a1 = _ref("mobilenet_v1", "architecture")
    a2 = _ref("mobilenet_v2", "architecture")
    assert a1["inverted_residuals"] is False and a2["inverted_residuals"] is True
    witness = W.probe("zoo_layer_counts", expect=[0, 10], models=["mobilenet_v1", "mobilenet_v2"], class_name="Add")
    explanation = (
        "MobileNet-v1 (2017) is a plain stack of depthwise-separable convs (3×3 depthwise + 1×1 pointwise), no skips. "
        "MobileNet-v2 (2018) wraps them in *inverted residuals*: 1×1 expand (×6) → 3×3 depthwise → 1×1 *linear* "
        "projection (no ReLU: the bottleneck is linear), with an identity skip where shapes allow. Counted on the live "
        "models: v1 has 0 `Add` layers, v2 has 10."
    )
    args = {"explanation": explanation, "witness": witness}
    not_v2: list[tuple[str, str]] = [
        ("mobilenet_v1_inverted_residual", "Nothing structural: both use inverted residual blocks; v2 is wider."),
        ("separable_is_depthwise_plus_3x3", "A regular 3×3 conv after each depthwise conv."),
        ("resnet_concatenates", "Dense connections that concatenate every earlier block's output."),
        ("linear_bottleneck_relu", "A ReLU6 after every 1×1 projection, for more non-linearity."),
    ]
    if difficulty == 3:
        return multi_select(
            rng,
            stem="Select every statement that is true of MobileNet-v2 but not of MobileNet-v1.",
            correct=rng.sample(
                [
                    "It has identity skip connections around its blocks (inverted residuals).",
                    "The 1×1 projection at the end of each block has no activation (linear bottleneck).",
                    "Each block first expands the channels with a 1×1 conv (×6), then filters depthwise.",
                ],
                pick(rng, (2, 3)),
            ),
            wrong=rng.sample(
                [
                    ("mobilenet_v1_inverted_residual", "It uses depthwise-separable convolutions."),
                    ("separable_is_depthwise_plus_3x3", "Its blocks follow the depthwise 3×3 with a regular 3×3 conv."),
                    ("resnet_concatenates", "Its skips concatenate the block input to the output."),
                    ("linear_bottleneck_relu", "Its 1×1 projections end in a ReLU6, like its other convs."),
                ],
                pick(rng, (2, 3)),
            ),
            params={"form": "select"},
            **args,
        )
    if difficulty == 1:
        return claims_choice(
            rng,
            stem="What does MobileNet-v2 add to MobileNet-v1's stack of depthwise-separable convolutions?",
            right=[
                "Inverted residuals with linear bottlenecks around the depthwise convs.",
                "Identity skips around expand → depthwise → linear-projection blocks.",
                "1×1 expand, 3×3 depthwise, linear 1×1 project, and a skip around them.",
            ],
            wrong=not_v2,
            params={"form": "add"},
            **args,
        )
    return claims_choice(
        rng,
        stem="Which block structure is MobileNet-v2's (and not v1's)?",
        right=[
            "1×1 expand (×6) → 3×3 depthwise → linear 1×1 project, with an identity skip.",
            "An inverted residual: wide depthwise middle, narrow linear ends, a skip.",
        ],
        wrong=[
            ("mobilenet_v1_inverted_residual", "3×3 depthwise → 1×1 pointwise, both with ReLU, no skip."),
            ("separable_is_depthwise_plus_3x3", "3×3 depthwise → regular 3×3 conv → 1×1 pointwise."),
            ("resnet_concatenates", "A dense block: each layer's output concatenated to all earlier ones."),
            ("linear_bottleneck_relu", "1×1 expand → 3×3 depthwise → 1×1 project, each ending in ReLU6."),
        ],
        params={"form": "structure"},
        **args,
    )


# ------------------------------------------------------------------ EfficientNet scaling


@generator(
    "architectures.efficientnet_scaling",
    topic="architectures",
    title="EfficientNet compound scaling, measured",
    kind="numeric",
    version=2,
)
def efficientnet_scaling(rng: random.Random, difficulty: int) -> dict[str, Any]:
    """B1–B3 against B0 at difficulty 1, B1–B4 at 2; at 3 two scaled models against each other (Bi ÷ Bj, j ≥ 1)."""
    if difficulty < 3:
        i, j = pick(rng, (1, 2, 3) if difficulty == 1 else (1, 2, 3, 4)), 0
    else:
        j = pick(rng, (1, 2, 3))
        i = pick(rng, tuple(range(j + 1, 5)))
    name, base = f"efficientnet_b{i}", f"efficientnet_b{j}"
    vi, vj = VARIANTS[name], VARIANTS[base]
    key = round(vi.macs.value / vj.macs.value, 2)  # type: ignore[union-attr]
    ci, cj = _ref(name, "coefficients"), _ref(base, "coefficients")
    rule = F.compound_scaling(i)["flops"] / F.compound_scaling(j)["flops"]
    abg = T.compound_scaling_abg(i) / T.compound_scaling_abg(j)
    scaled = f"depth ×{ci['depth']}, width ×{ci['width']} and resolution {ci['resolution']}"
    ref = (
        f"B{j} (depth ×{cj['depth']}, width ×{cj['width']}, resolution {cj['resolution']})"
        if j
        else "B0 (resolution 224)"
    )
    return numeric(
        stem=(
            f"EfficientNet-B{i} scales B0 by {scaled}; compare it with {ref}. Measured on the live Keras models, how "
            f"many times B{j}'s MACs does B{i} need? (2 decimals, 1 % tolerance)"
        ),
        key=key,
        tolerance=Tolerance(mode="relative", value=0.01),
        traps=[
            ("compound_rule_for_measured", round(rule, 2)),
            ("compound_scaling_abg", round(abg, 2)),
            ("params_ratio_for_macs", round(T.params_ratio_for_macs(vi.params.value, vj.params.value), 2)),  # type: ignore[union-attr]
        ],
        params={"model": name, "base": base, "phi": i - j},
        explanation=(
            f"MACs(B{i}) / MACs(B{j}) = {fmt(vi.macs.value)} / {fmt(vj.macs.value)} = {key}. "  # type: ignore[union-attr]
            f"The seed's rule FLOPs ∝ $d\\cdot w^2\\cdot r^2$ with $\\alpha\\beta^2\\gamma^2 \\approx 2$ predicts "
            f"$(1.2\\cdot1.1^2\\cdot1.15^2)^{{{i - j}}}$ ≈ {rule:.2f} for φ = {i} − {j}. The released models round "
            f"their multipliers by hand (B{i}: {scaled}; the rule would give depth ×${1.2**i:.3g}$, width "
            f"×${1.1**i:.3g}$, resolution ×${1.15**i:.3g}$), so the measured MACs grow "
            f"{compared(key, rule, 'faster', 'slower', 'as fast')} than the rule ({key} vs {rule:.2f})."
        ),
        witness=W.combine("ratio", W.zoo(name, "macs"), W.zoo(base, "macs")),
    )


# ------------------------------------------------------------------ receptive fields and stems


def _vgg_chain(block: int, conv: int | None) -> list[F.RFLayer]:
    chain: list[F.RFLayer] = []
    convs = (2, 2, 3, 3, 3)
    for b in range(1, block + 1):
        n = convs[b - 1] if b < block or conv is None else conv
        chain += [F.RFLayer(3)] * n
        if b < block or conv is None:
            chain.append(F.RFLayer(2, 2))
    return chain


def _resnet50_chain(stage: int, block: int) -> list[F.RFLayer]:
    chain = [F.RFLayer(7, 2), F.RFLayer(3, 2)]  # conv1, pool1
    blocks = (3, 4, 6, 3)
    for s in range(2, stage + 1):
        for b in range(1, (blocks[s - 2] if s < stage else block) + 1):
            stride = 2 if (b == 1 and s > 2) else 1
            chain += [F.RFLayer(1, stride), F.RFLayer(3), F.RFLayer(1)]
    return chain


@generator(
    "architectures.named_rf", topic="architectures", title="Receptive field of a named layer", kind="numeric", version=2
)
def named_rf(rng: random.Random, difficulty: int) -> dict[str, Any]:
    if difficulty == 1 or (difficulty == 2 and rng.random() < 0.5):
        name = "vgg16"
        block = pick(rng, (1, 2, 3) if difficulty == 1 else (2, 3, 4, 5))
        conv = pick(rng, (None, 1, 2))
        layer = f"block{block}_pool" if conv is None else f"block{block}_conv{conv}"
        chain = _vgg_chain(block, conv)
        desc = "VGG-16 (3×3 convs at stride 1, 2×2 max-pools at stride 2)"
    else:
        name = "resnet50"
        stage = pick(rng, (2, 3) if difficulty == 2 else (2, 3, 4, 5))
        block = pick(rng, range(1, (3, 4, 6, 3)[stage - 2] + 1))
        layer = f"conv{stage}_block{block}_out"
        chain = _resnet50_chain(stage, block)
        desc = (
            "Keras' ResNet-50 (v1: 7×7/2 conv, 3×3/2 max-pool, bottlenecks 1×1 → 3×3 → 1×1 with the stride in the "
            "first 1×1)"
        )
    rf, jump = F.receptive_field(chain)
    return numeric(
        stem=f"What is the receptive field (in input pixels, per side) of `{layer}` in {desc}?",
        key=rf,
        params={"model": name, "layer": layer},
        traps=[("rf_l_times_k", T.rf_l_times_k(chain)), ("rf_ignored_stride", T.rf_ignored_stride(chain))],
        explanation=(
            f"Apply $r_l = r_{{l-1}} + (K_l - 1)\\,j_{{l-1}}$, $j_l = j_{{l-1}}S_l$ along the longest path "
            f"({len(chain)} layers; a skip connection never has the longer path): $r = {rf}$, with jump $j = {jump}$ "
            "input pixels between neighbouring outputs."
        ),
        witness=W.zoo(name, "receptive_field", at=layer, include_top=False, input_shape=[224, 224, 3]),
    )


STEM_LAYERS = ("conv1_conv", "pool1_pool")


@generator(
    "architectures.stem_shape", topic="architectures", title="Output shape after a stem", kind="shape", version=2
)
def stem_shape(rng: random.Random, difficulty: int) -> dict[str, Any]:
    side = 224 if difficulty == 1 else pick(rng, (224, 192, 160, 128) if difficulty == 2 else (161, 199, 225, 257))
    layer = pick(rng, ("conv1_pad", "conv1_conv", "pool1_pad", "pool1_pool") if difficulty == 1 else STEM_LAYERS)
    conv = F.output_size(side, 7, 2, 3)
    out = F.output_size(conv, 3, 2, 1) if layer == "pool1_pool" else conv
    key = {
        "conv1_pad": [side + 6, side + 6, 3],
        "conv1_conv": [conv, conv, 64],
        "pool1_pad": [conv + 2, conv + 2, 64],
        "pool1_pool": [out, out, 64],
    }[layer]
    no_pad = F.output_size(side, 7, 2, "valid")
    traps: list[tuple[Any, ...]] = [
        ("padding_once", [T.output_padding_once(side, 7, 2, 3)] * 2 + [64]),
        (
            "padding_ignored",
            [no_pad] * 2 + [64],
            f"`conv1_pad` adds 3 pixels on every side before the 7×7 conv: ⌊({side} + 2·3 − 7)/2⌋ + 1 = {conv}; "
            f"without it ⌊({side} − 7)/2⌋ + 1 = {no_pad}.",
        ),
    ]
    if layer.endswith("_pad"):
        c, p = (3, 3) if layer == "conv1_pad" else (64, 1)
        before = side if layer == "conv1_pad" else conv
        traps = [
            ("padding_once", [before + p, before + p, c], f"`{layer}` adds {p} on *both* sides: {before} + 2·{p}."),
            (
                "channels_from_input",
                [before + 2 * p, before + 2 * p, 64 if c == 3 else 3],
                f"Zero padding adds rows and columns, never channels: the {c} channels of its input stay.",
            ),
        ]
    if layer == "pool1_pool":
        pool_no_pad = F.output_size(conv, 3, 2, "valid")
        traps += [
            (
                "padding_ignored",
                [pool_no_pad] * 2 + [64],
                f"`pool1_pad` adds 1 pixel on every side before the 3×3 max-pool: ⌊({conv} + 2·1 − 3)/2⌋ + 1 = {out}; "
                f"without it ⌊({conv} − 3)/2⌋ + 1 = {pool_no_pad}.",
            ),
            ("output_ignored_stride", [F.output_size(conv, 3, 1, 1)] * 2 + [64]),
        ]
    return shape(
        stem=(
            f"Keras' ResNet-50 (v1; the stem is the same in v1.5) pads {side}×{side}×3 by 3 (`conv1_pad`), applies "
            "a 7×7 conv with 64 filters and stride 2 (`conv1_conv`), then pads by 1 (`pool1_pad`) and max-pools 3×3 "
            f"at stride 2 (`pool1_pool`). What is the output shape of `{layer}` (without the batch axis)?"
        ),
        key=key,
        traps=traps,
        params={"side": side, "layer": layer},
        explanation=(
            f"conv1_pad: ${side} + 2\\cdot3 = {side + 6}$; conv1: $\\lfloor({side} + 2\\cdot3 - 7)/2\\rfloor + 1 = "
            f"{conv}$ with 64 filters; pool1_pad: ${conv} + 2\\cdot1 = {conv + 2}$; pool1: "
            f"$\\lfloor({conv} + 2\\cdot1 - 3)/2\\rfloor + 1 = {F.output_size(conv, 3, 2, 1)}$. `{layer}`: "
            f"{fmt_shape(key)}."
        ),
        witness=W.zoo("resnet50", "output_shape", at=layer, include_top=False, input_shape=[side, side, 3]),
    )
