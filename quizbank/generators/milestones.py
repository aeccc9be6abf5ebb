"""Milestone CNNs: LeNet-5's template and ~60 k parameters, AlexNet's innovations, SENet's cheap gain, and the seed's
accuracy and compute figures.

Paper-only figures (top-1 accuracy, the ILSVRC-2012 result, two GPUs, data augmentation) come from
:mod:`models.facts.papers`, with their sources, and are said to come from there; every question also states
something Keras can check on the zoo (a layer sequence, activations, dropout rates, grouped convs, parameters or
MACs), and its witness checks that.  Nothing here imports Keras.
"""

from __future__ import annotations

import random
from typing import Any

from models.facts import VARIANTS
from models.facts.papers import ALEXNET, LENET, SEED_TABLE, SENET
from models.facts.senet import STAGES as SE_STAGES

from .. import formulas as F
from .. import traps as T
from .. import witness as W
from ..schema import Tolerance, Witness
from .base import (
    Redraw,
    choice,
    claims_choice,
    compared,
    fact_choice,
    fmt,
    fmt_scaled,
    generator,
    multi_select,
    numeric,
    numeric_choice,
    pick,
    topic,
)

TOPIC = topic(
    "milestones",
    "Milestone CNNs",
    "What LeNet-5, AlexNet and SENet introduced, and the seed's accuracy and compute figures, checked on the zoo "
    "where Keras can measure them.",
)


def _declared(name: str, what: str) -> int:
    fact = getattr(VARIANTS[name], what)
    assert fact is not None, (name, what)
    return int(fact.value)


def _ref(name: str, key: str) -> Any:
    return VARIANTS[name].reference[key].value


def _g(macs: int) -> str:
    return f"{macs / 1e9:.2f}"


# ------------------------------------------------------------------ AlexNet

ALEX = "alexnet_2gpu"  # the paper's two-GPU layout: grouped convs, dropout after fc6 and fc7
ALEX_PARAMS = _declared(ALEX, "params")
ALEX_FC = _ref("alexnet", "fc_params")
ALEX_SOURCE = (
    "Krizhevsky, Sutskever & Hinton 2012 (ImageNet Classification with Deep Convolutional Neural Networks); "
    f"ILSVRC-2012: top-5 error {ALEXNET['top5_error'].value} % vs {ALEXNET['runner_up_top5_error'].value} % for "
    "the runner-up (the seed's '16 % vs 26 %')"
)
_ACTIVATIONS = W.probe("zoo_activations", model=ALEX)
_DROPOUT = W.probe("zoo_layer_config", model=ALEX, class_name="Dropout", key="rate")
_DROPOUT_PLACE = W.probe("zoo_layer_sequence", model=ALEX, classes=["Conv2D", "Dense", "Dropout"])
_GROUPS = W.probe("zoo_layer_config", model=ALEX, class_name="Conv2D", key="groups")
_WEIGHTED = W.probe("zoo_layer_sequence", model=ALEX, classes=["Conv2D", "Dense"])
SEQUENCE = ["Conv2D"] * 5 + ["Dense", "Dropout", "Dense", "Dropout", "Dense"]


def _measured(*checks: tuple[Witness, Any]) -> Witness:
    """One probe witness running several probes (``measure_each``), expecting each one's value."""
    return W.probe(
        "measure_each",
        expect=[e for _, e in checks],
        checks=[[w.probe, w.args] for w, _ in checks],
    )


def _alexnet_facts() -> dict[str, dict[str, Any]]:
    fc_share = 100 * ALEX_FC / ALEX_PARAMS
    return {
        "activation": {
            "stem": "AlexNet (2012) changed the activation of LeNet-era networks. What follows each of its conv and "
            "hidden fully connected layers?",
            "correct": "ReLU, max(0, x): it does not saturate, so the network trained several times faster than with "
            "tanh",
            "distractors": [
                ("alexnet_tanh", "tanh, as LeNet-5 used, scaled to avoid saturation"),
                (
                    "alexnet_tanh",
                    "The logistic sigmoid, as in the multilayer perceptrons before it",
                    "The sigmoid saturates even sooner than tanh, and its outputs are never centred on zero; AlexNet "
                    "replaced both with ReLU, max(0, x), whose gradient is 1 for every positive input.",
                ),
                ("alexnet_batchnorm", "BatchNorm followed by tanh"),
            ],
            "check": (_ACTIVATIONS, ["relu", "softmax"]),
            "explanation": f"{T.get('alexnet_tanh').feedback} Checked on the zoo's `{ALEX}`: its activations are "
            "ReLU and the classifier's softmax, nothing else.",
        },
        "dropout": {
            "stem": "Where did AlexNet use dropout, and with what probability?",
            "correct": "After the first two fully connected layers, with p = 0.5",
            "distractors": [
                ("alexnet_dropout_everywhere", "After every convolutional layer, with p = 0.5"),
                ("alexnet_dropout_rate", "After the first two fully connected layers, with p = 0.1"),
                ("alexnet_batchnorm", "Nowhere: BatchNorm after every layer regularised it instead"),
            ],
            "check": (_DROPOUT, [ALEXNET["dropout"].value] * 2),
            "extra": [(_DROPOUT_PLACE, SEQUENCE)],
            "explanation": f"{T.get('alexnet_dropout_everywhere').feedback} Checked on the zoo's `{ALEX}`: two "
            "`Dropout(0.5)` layers, after fc6 and fc7, none among the convs. Source: "
            f"{ALEXNET['dropout'].source}.",
        },
        "layers": {
            "stem": "How many learned (weighted) layers does AlexNet have?",
            "correct": "Eight: five convolutional and three fully connected",
            "distractors": [
                ("alexnet_layer_count", "Eleven: eight convolutional and three fully connected"),
                (
                    "alexnet_layer_count",
                    "Six: five convolutional and one fully connected classifier",
                    "Only the last of AlexNet's dense layers is the 1000-way classifier: fc6 and fc7 (4,096 units "
                    "each) come before it, so five convs and three fully connected layers make eight.",
                ),
                ("pooling_has_params", "Eleven: five convolutional, three max-pooling and three fully connected"),
            ],
            "check": (_WEIGHTED, ["Conv2D"] * 5 + ["Dense"] * 3),
            "explanation": f"{T.get('alexnet_layer_count').feedback} Counted on the zoo's `{ALEX}`: 5 `Conv2D` and "
            f"3 `Dense` layers. Source: {ALEXNET['layers'].source}.",
        },
        "gpus": {
            "stem": "AlexNet was trained on two GTX 580 GPUs with 3 GB each. How was the network split between them?",
            "correct": "Each GPU held half of every layer's kernels; conv2, conv4 and conv5 read only their own "
            "GPU's maps",
            "distractors": [
                "alexnet_data_parallel",
                (
                    "alexnet_data_parallel",
                    "The five conv layers ran on one GPU and the three FC layers on the other, in a pipeline",
                    "AlexNet did not split by depth: both GPUs held half of *every* layer, convs and FC layers "
                    "alike, and exchanged maps only at conv3 and the FC layers (groups=2 in conv2, conv4, conv5).",
                ),
                (
                    "alexnet_data_parallel",
                    "Each GPU trained a whole network on its own; their two predictions were averaged",
                    "That is an ensemble, and one network did not fit in a 3 GB GTX 580: AlexNet is a single "
                    "network whose kernels are split between the two GPUs, half of every layer on each.",
                ),
            ],
            "check": (_GROUPS, [1, 2, 1, 2, 2]),
            "explanation": f"{T.get('alexnet_data_parallel').feedback} The zoo's `{ALEX}` builds exactly that: "
            "`groups` is 1, 2, 1, 2, 2 for conv1–conv5. Source: " + ALEXNET["gpus"].source + ".",
        },
        "params": {
            "stem": f"The paper's two-GPU AlexNet (the zoo's `{ALEX}`: 227×227×3 input, 1000 classes). How many "
            "parameters does it have, and where are most of them?",
            "correct": f"{fmt(ALEX_PARAMS)} (the paper's '60 million'), {fc_share:.0f} % of them in the FC layers",
            "value": ALEX_PARAMS,
            "witness": W.zoo(ALEX, "count_params"),
            "distractors": [
                ("alexnet_params_in_convs", f"{fmt(ALEX_PARAMS)}, most of them in the five convolutional layers"),
                ("lenet_as_alexnet", f"{fmt(ALEX_PARAMS // 1000)}, most of them in the FC layers"),
                (
                    "params_for_macs",
                    f"{fmt(_declared(ALEX, 'macs'))}, one per multiply-accumulate of a forward pass",
                ),
            ],
            "explanation": f"{T.get('alexnet_params_in_convs').feedback} Keras counts {fmt(ALEX_PARAMS)} on `{ALEX}` "
            f"(FC layers {fmt(ALEX_FC)}, {fc_share:.1f} %); the paper rounds to 60 million, the seed too. "
            "Its MACs are a different count: "
            f"{fmt(_declared(ALEX, 'macs'))} per image.",
        },
    }


ALEX_MEASURED_HOW = {
    "activation": "its only activations are ReLU and the classifier's softmax",
    "dropout": "two Dropout(0.5) layers, after fc6 and fc7",
    "layers": "5 Conv2D and 3 Dense layers",
    "gpus": "conv1–conv5 have groups 1, 2, 1, 2, 2",
}
ALEX_TRUE_MEASURED = {
    "activation": "It uses ReLU after every conv and hidden FC layer.",
    "dropout": "It applies dropout with p = 0.5 after the first two fully connected layers.",
    "layers": "It has five convolutional and three fully connected layers.",
    "gpus": "conv2, conv4 and conv5 only see half of the previous layer's maps: the network was split over two GPUs.",
}
ALEX_TRUE_PAPER = (
    "It won ILSVRC-2012 with 15.3 % top-5 error against 26.2 % for the runner-up.",
    "It was trained on random crops, horizontal flips and colour-jittered copies of the images.",
)
ALEX_FALSE: tuple[tuple[str, str], ...] = (
    ("alexnet_tanh", "It uses tanh units, as LeNet-5 did."),
    ("alexnet_batchnorm", "It normalises every conv layer's output with BatchNorm."),
    ("alexnet_dropout_everywhere", "It applies dropout after every convolutional layer."),
    ("alexnet_params_in_convs", "Most of its parameters are in its convolutional layers."),
    ("alexnet_data_parallel", "Each of its two GPUs ran a full copy of the network on half of every batch."),
    ("alexnet_small_margin", "It won ILSVRC-2012 by about one point of top-5 error."),
    ("alexnet_no_augmentation", "It needed no data augmentation: 1.2 million ImageNet images were enough."),
)


@generator("milestones.alexnet", topic="milestones", title="AlexNet's innovations", kind="choice", version=2)
def alexnet(rng: random.Random, difficulty: int) -> dict[str, Any]:
    facts = _alexnet_facts()
    if difficulty == 3:
        measured = rng.sample(sorted(ALEX_TRUE_MEASURED), 2)
        correct = [ALEX_TRUE_MEASURED[m] for m in measured] + [pick(rng, ALEX_TRUE_PAPER)]
        wrong = rng.sample(ALEX_FALSE, 3)
        checks = [c for m in measured for c in (facts[m]["check"], *facts[m].get("extra", []))]
        return multi_select(
            rng,
            stem="Select every statement that is true of AlexNet (Krizhevsky, Sutskever & Hinton, 2012).",
            correct=correct,
            wrong=list(wrong),
            explanation=(
                "AlexNet: five conv + three FC layers, ReLU, dropout 0.5 in fc6/fc7, data augmentation (random "
                "224×224 crops, flips, PCA colour jitter), split over two GPUs (grouped conv2/4/5), ~61 M "
                f"parameters, {ALEX_FC / ALEX_PARAMS:.0%} of them in the FC layers. Measured on the zoo's `{ALEX}`: "
                f"{'; '.join(ALEX_MEASURED_HOW[m] for m in measured)}. The ILSVRC result and the training recipe come from the paper, not from "
                f"Keras: {ALEX_SOURCE}; augmentation: {ALEXNET['augmentation'].source}."
            ),
            params={"fact": "select", "measured": measured},
            witness=_measured(*checks),
        )
    name = pick(rng, ("activation", "dropout", "layers") if difficulty == 1 else ("gpus", "params", "dropout"))
    f = facts[name]
    if "witness" in f:
        witness = f["witness"]
    else:
        witness = _measured(f["check"], *f.get("extra", []))
    return choice(
        rng,
        stem=f["stem"],
        correct=f["correct"],
        correct_value=f.get("value"),
        distractors=f["distractors"],
        explanation=f["explanation"] + f" ({ALEX_SOURCE}.)",
        params={"fact": name},
        witness=witness,
    )


# ------------------------------------------------------------------ LeNet-5: the template and its ~60 k parameters

LENET_CLASSES = ["Conv2D", "AveragePooling2D", "MaxPooling2D", "Flatten", "Dense"]
LENET_PARAMS = _declared("lenet5", "params")
LENET_F5 = F.dense_params(400, 120)


@generator("milestones.lenet_template", topic="milestones", title="LeNet-5's template", kind="choice", version=2)
def lenet_template(rng: random.Random, difficulty: int) -> dict[str, Any]:
    source = f"LeCun et al. 1998; the paper's network has {fmt(_ref('lenet5', 'paper_trainable'))} trainable parameters"
    if difficulty == 1:
        return fact_choice(
            rng,
            {
                "fact": "template",
                "stem": "LeNet-5 (LeCun et al., 1998) set the template most later CNNs follow. Which layer sequence "
                "is it?",
                "correct": "conv → pool → conv → pool → flatten → FC → FC → FC (softmax)",
                "right": [
                    "conv → pool → conv → pool → flatten → FC → FC → FC (softmax)",
                    "C1 conv → S2 pool → C3 conv → S4 pool → flatten → F5 → F6 → output",
                    "conv → subsample → conv → subsample → flatten → three dense layers",
                ],
                "distractors": [
                    "lenet_no_subsampling",
                    ("lenet_no_subsampling", "conv → conv → flatten → FC → FC → FC (softmax), no pooling"),
                    "lenet_pool_first",
                    ("lenet_pool_first", "pool → conv → pool → conv → flatten → FC → FC → FC (softmax)"),
                    "lenet_fc_first",
                    ("lenet_fc_first", "flatten → FC → conv → pool → conv → pool → FC (softmax)"),
                ],
                "explanation": f"{T.get('lenet_no_subsampling').feedback} The zoo's `lenet5` is built from that "
                "template: Conv2D, AveragePooling2D, Conv2D, AveragePooling2D, Flatten, Dense ×3. "
                f"({LENET['template'].source}.)",
                "witness": W.probe(
                    "zoo_layer_sequence",
                    expect=["Conv2D", "AveragePooling2D"] * 2 + ["Flatten"] + ["Dense"] * 3,
                    model="lenet5",
                    classes=LENET_CLASSES,
                ),
            },
        )
    if difficulty == 2:
        no_bias = LENET_PARAMS - (6 + 16 + 120 + 84 + 10)
        alex, macs = _declared(ALEX, "params"), _declared("lenet5", "macs")

        def about(n: int) -> str:
            return f"about {n / 1e6:.0f} million" if n >= 1e6 else f"about {n / 1e3:.0f} thousand"

        def forms(n: int) -> list[str]:
            return [f"{fmt(n)} ({about(n)})", f"{about(n).capitalize()}: {fmt(n)}"]

        return claims_choice(
            rng,
            stem="How many parameters does LeNet-5 have, as the zoo's textbook `lenet5` builds it (32×32×1 input, "
            "conv 6@5×5, pool, conv 16@5×5, pool, FC 120, FC 84, 10 classes)?",
            right=[*forms(LENET_PARAMS), f"{fmt(LENET_PARAMS)}, the seed's '~60 k'"],
            wrong=[
                *(("lenet_as_alexnet", t) for t in forms(alex)),
                *(("params_for_macs", t) for t in forms(macs)),
                *(("forgot_bias", t) for t in forms(no_bias)),
            ],
            explanation=(
                "$(25\\cdot1+1)\\cdot6 + (25\\cdot6+1)\\cdot16 + (400+1)\\cdot120 + (120+1)\\cdot84 + (84+1)\\cdot10 = "
                f"{fmt(LENET_PARAMS)}$: about 60 thousand, the seed's '~60 k'. {source} (partial C3 connections, "
                "trainable subsampling, a fixed RBF output). AlexNet has a thousand times more."
            ),
            params={"fact": "params"},
            witness=W.zoo("lenet5", "count_params"),
            correct_value=LENET_PARAMS,
        )
    share = 100 * LENET_F5 / LENET_PARAMS
    return claims_choice(
        rng,
        stem=f"Where do most of LeNet-5's {fmt(LENET_PARAMS)} parameters sit (the zoo's `lenet5`)?",
        right=[
            f"In F5, the first fully connected layer (400 → 120), with {share:.0f} % of them",
            f"In the first dense layer (400 → 120 units), F5, with {fmt(LENET_F5)} of them",
            f"In the dense layer right after the flatten, F5, with {fmt(LENET_F5)} weights",
        ],
        wrong=[
            ("alexnet_params_in_convs", "In C3, the second conv layer (6 → 16 channels, 5×5 kernels)"),
            ("alexnet_params_in_convs", "In the two conv layers, C1 and C3, taken together"),
            ("conv_params_depend_on_hw", "In C1, whose six 5×5 filters slide over the whole 32×32 input"),
            ("conv_params_depend_on_hw", "In C1, the layer that runs at the full 32×32 resolution"),
            ("pooling_has_params", "In the two subsampling (pooling) layers, S2 and S4"),
            ("pooling_has_params", "In S2 and S4, the trainable subsampling layers of the paper"),
        ],
        explanation=(
            f"F5 maps the flattened $5\\cdot5\\cdot16 = 400$ features to 120 units: $(400+1)\\cdot120 = {fmt(LENET_F5)}$"
            f" of {fmt(LENET_PARAMS)} ({share:.1f} %). The convs share their weights over positions: C1 has 156, C3 "
            "2,416; the average pools have none. As in AlexNet and VGG, the dense layers dominate the count. "
            f"({source}.)"
        ),
        params={"fact": "share"},
        witness=W.zoo("lenet5", "count_params", at="fc1"),
        correct_value=LENET_F5,
    )


def _lenet_draw(rng: random.Random, difficulty: int) -> dict[str, Any]:
    if difficulty == 1:
        side, f1, f2 = 32, 6, 16
        channels, classes = pick(rng, (1, 3)), pick(rng, (10, 26, 43, 100))
    else:
        side = pick(rng, (28, 32, 36, 40, 48, 64))
        f1, f2 = pick(rng, (6, 8, 12)), pick(rng, (16, 24, 32))
        channels, classes = pick(rng, (1, 3)), pick(rng, (10, 100))
    if side < 16:  # pragma: no cover - the sides above all leave a map after two conv+pool stages
        raise Redraw
    return {"side": side, "channels": channels, "f1": f1, "f2": f2, "classes": classes}


def _lenet_counts(p: dict[str, Any]) -> dict[str, int]:
    """Per-layer parameters of the LeNet-5 variant ``p``, and the sides the maps take."""
    c1 = p["side"] - 4
    s2 = c1 // 2
    c3 = s2 - 4
    s4 = c3 // 2
    return {
        "c1": F.conv_params(5, p["channels"], p["f1"]),
        "c3": F.conv_params(5, p["f1"], p["f2"]),
        "f5": F.dense_params(s4 * s4 * p["f2"], 120),
        "f6": F.dense_params(120, 84),
        "out": F.dense_params(84, p["classes"]),
        "side_c1": c1,
        "side_s2": s2,
        "side_c3": c3,
        "side_s4": s4,
    }


@generator("milestones.lenet", topic="milestones", title="Parameters of a LeNet-5 variant", kind="numeric")
def lenet(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _lenet_draw(rng, difficulty)
    n = _lenet_counts(p)
    total = n["c1"] + n["c3"] + n["f5"] + n["f6"] + n["out"]
    fc = n["f5"] + n["f6"] + n["out"]
    biases = p["f1"] + p["f2"] + 120 + 84 + p["classes"]
    unpooled_f5 = T.pool_ignored_in_flatten(n["side_c3"], n["side_c3"], p["f2"], 120)
    pools_as_convs = T.pool_counted_as_conv(2, p["f1"]) + T.pool_counted_as_conv(2, p["f2"])
    layout = (
        f"a {p['side']}×{p['side']}×{p['channels']} input → `Conv2D({p['f1']}, 5)` → `AveragePooling2D(2)` → "
        f"`Conv2D({p['f2']}, 5)` → `AveragePooling2D(2)` → `Flatten` → `Dense(120)` → `Dense(84)` → "
        f"`Dense({p['classes']})` (valid convs, biases everywhere)"
    )
    steps = (
        f"Sides: {p['side']} → {n['side_c1']} (5×5 valid) → {n['side_s2']} (pool) → {n['side_c3']} → {n['side_s4']};"
        f" the flatten has ${n['side_s4']}^2\\cdot{p['f2']} = {n['side_s4'] ** 2 * p['f2']}$ features. "
        f"C1 $(25\\cdot{p['channels']}+1)\\cdot{p['f1']} = {fmt(n['c1'])}$, C3 $(25\\cdot{p['f1']}+1)\\cdot{p['f2']} = "
        f"{fmt(n['c3'])}$, F5 $({n['side_s4'] ** 2 * p['f2']}+1)\\cdot120 = {fmt(n['f5'])}$, F6 {fmt(n['f6'])}, "
        f"output $(84+1)\\cdot{p['classes']} = {fmt(n['out'])}$: {fmt(total)} in all. The pools have no weights."
    )
    witness_kwargs: dict[str, Any] = {
        "input_shape": [p["side"], p["side"], p["channels"]],
        "classes": p["classes"],
        "conv_stages": [[p["f1"], 5, 2], [p["f2"], 5, 2]],
    }
    whole = W.zoo("lenet5", "count_params", **witness_kwargs)
    if difficulty < 3:
        return numeric(
            stem=f"A LeNet-5-style network: {layout}. How many parameters does it have?",
            key=total,
            traps=[
                ("forgot_bias", total - biases),
                ("pool_ignored_in_flatten", total - n["f5"] + unpooled_f5),
                ("pool_counted_as_conv", total + pools_as_convs),
            ],
            explanation=steps
            + " LeNet-5 itself (32×32×1, 6 and 16 filters, 10 classes) has 61,706: the seed's '~60 k'.",
            params=p,
            witness=whole,
        )
    key = round(100 * fc / total, 1)
    dense = [W.zoo("lenet5", "count_params", at=layer, **witness_kwargs) for layer in ("fc1", "fc2", "predictions")]
    return numeric(
        stem=f"A LeNet-5-style network: {layout}. What percentage of its parameters sit in the three dense layers? "
        "(0.1 % tolerance)",
        key=key,
        tolerance=Tolerance(mode="absolute", value=0.1),
        unit="%",
        traps=[
            ("share_complement", round(T.share_complement(100 * fc / total), 1)),
            ("pool_ignored_in_flatten", round(100 * (fc - n["f5"] + unpooled_f5) / (total - n["f5"] + unpooled_f5), 1)),
        ],
        explanation=steps + f" Dense layers: {fmt(fc)} of {fmt(total)} = {100 * fc / total:.1f} %: as in AlexNet and "
        "VGG, the first dense layer after the flatten holds most of the weights.",
        params=p,
        witness=W.combine("percent_of", W.combine("sum", *dense), whole),
    )


# ------------------------------------------------------------------ the seed's figures

FIGURE_MODELS = tuple(SEED_TABLE)
FAMOUS_FIGURES = ("inception_v3", "resnet50", "vgg19", "efficientnet_b0")


def _macs(family: str) -> int:
    return _declared(SEED_TABLE[family].model, "macs")


def _params(family: str) -> int:
    """Trainable weights in torchvision's convention (Inception-v3: with its aux head, as the seed's 27.2 M)."""
    model = SEED_TABLE[family].model
    if family == "inception_v3":
        return int(_ref(model, "torchvision_params"))
    return _declared(model, "trainable_params")


def _figure_line(family: str) -> str:
    row = SEED_TABLE[family]
    return f"{row.title} ({row.year}): {row.top1.value} % top-1, {fmt_scaled(_params(family))} parameters, " + (
        f"{_g(_macs(family))} GMACs"
    )


def _figures_explanation(families: list[str]) -> str:
    rows = "; ".join(_figure_line(f) for f in families)
    sources = "; ".join(f"{SEED_TABLE[f].title} top-1: {SEED_TABLE[f].top1.source}" for f in families)
    notes = [
        f"{SEED_TABLE[f].title}: {fact.note}"
        for f in families
        for fact in (SEED_TABLE[f].top1, SEED_TABLE[f].params_m, SEED_TABLE[f].gflops)
        if fact is not None and fact.note
    ]
    return (
        f"{rows}. Parameters and MACs are measured on the zoo's models (torchvision's conventions: trainable weights; "
        "multiply-accumulates, which tables call 'GFLOPs'); the accuracies are published ImageNet figures Keras "
        f"cannot measure without the trained weights ({sources})."
        + (" Where the figures differ: " + "; ".join(notes) + "." if notes else "")
    )


def _worse_feedback(f: str, best: str) -> str:
    """Why network ``f``, bigger or newer than ``best``, is still the less accurate one."""
    rf, rb = SEED_TABLE[f], SEED_TABLE[best]
    size = (
        f"{rf.title} is the {compared(_macs(f), _macs(best), 'costlier', 'cheaper', 'equally costly')} network "
        f"({_g(_macs(f))} vs {_g(_macs(best))} GMACs for {rb.title})"
    )
    year = f"came {'after' if rf.year > rb.year else 'before' if rf.year < rb.year else 'in the same year as'} it"
    return (
        f"{size} and {year} ({rf.year} vs {rb.year}), yet reaches {rf.top1.value} % top-1 against {rb.top1.value} %: "
        "neither size nor date decides accuracy; compare the published figures."
    )


@generator(
    "milestones.figures", topic="milestones", title="The seed's accuracy and compute figures", kind="choice", version=2
)
def figures(rng: random.Random, difficulty: int) -> dict[str, Any]:
    if difficulty == 1:
        family = pick(rng, FAMOUS_FIGURES)
        row, macs, params = SEED_TABLE[family], _macs(family), _params(family)
        other = pick(rng, [f for f in FIGURE_MODELS if f != family and abs(_macs(f) - macs) > 0.05 * macs])
        side = VARIANTS[row.model].input_shape[0]
        assert row.gflops is not None
        return choice(
            rng,
            stem=f"The seed quotes '{row.gflops.value} GFLOPs' for {row.title} ({row.top1.value} % top-1). What does "
            f"one forward pass at {side}×{side} cost, measured on the zoo's `{row.model}`?",
            correct=f"{_g(macs)} G multiply-accumulates: the seed's 'GFLOPs' count MACs",
            correct_value=macs,
            distractors=[
                ("macs_as_flops", f"{_g(2 * macs)} G multiply-accumulates: a FLOP is half a MAC"),
                ("params_for_macs", f"{params / 1e6:.1f} M multiply-accumulates, one per parameter"),
                ("figures_of_another_model", f"{_g(_macs(other))} G multiply-accumulates"),
            ],
            explanation=(
                f"Summing $H_{{out}}W_{{out}}K^2C_{{in}}C_{{out}}/g$ over the convs and $n_{{in}}n_{{out}}$ over the "
                f"dense layers of `{row.model}` gives {fmt(macs)} MACs ≈ {_g(macs)} G, the seed's {row.gflops.value} "
                f"'GFLOPs' ({row.gflops.source}): torchvision and most papers write GFLOPs for multiply-accumulates "
                f"(true FLOPs are about twice that). Each of the {params / 1e6:.1f} M weights is used once per "
                "output position, so MACs and parameters are different counts. " + _figures_explanation([family])
            ),
            params={"model": family, "ask": "gmacs"},
            witness=W.zoo(row.model, "macs"),
        )
    if difficulty == 2:
        families = rng.sample(FIGURE_MODELS, 4)
        best = max(families, key=lambda f: SEED_TABLE[f].top1.value)
        entries = []
        for f in families:
            if f == best:
                continue
            older = SEED_TABLE[f].year < SEED_TABLE[best].year
            bigger = _macs(f) > _macs(best)
            if bigger:
                trap = "bigger_is_more_accurate"
            elif not older:
                trap = "newer_is_more_accurate"
            else:
                raise Redraw  # an older, smaller, less accurate network is no misconception anyone falls into
            entries.append((trap, f, _worse_feedback(f, best)))
        if "bigger_is_more_accurate" not in {t for t, _, _ in entries}:
            raise Redraw

        def option(f: str) -> str:
            row = SEED_TABLE[f]
            return f"{row.title} ({row.year}; {fmt_scaled(_params(f))} parameters, {_g(_macs(f))} GMACs)"

        return choice(
            rng,
            stem="Which of these networks has the highest ImageNet top-1 accuracy in the seed's table? (Parameters "
            "and MACs as the zoo measures them.)",
            correct=option(best),
            correct_value=_macs(best),
            distractors=[(t, option(f), why) for t, f, why in entries],
            explanation=(
                f"{SEED_TABLE[best].title} leads these with {SEED_TABLE[best].top1.value} %. "
                + _figures_explanation(sorted(families, key=lambda f: -SEED_TABLE[f].top1.value))
            ),
            params={"models": sorted(families), "ask": "best_top1"},
            witness=W.zoo(SEED_TABLE[best].model, "macs"),
        )
    a, b = rng.sample([f for f in FIGURE_MODELS if f != "alexnet"], 2)
    if _macs(a) < _macs(b):  # a is the costlier one: the ratio asked is above 1
        a, b = b, a
    ra, rb = SEED_TABLE[a], SEED_TABLE[b]
    key = _macs(a) / _macs(b)
    gain = ra.top1.value - rb.top1.value
    return numeric_choice(
        rng,
        stem=f"{ra.title} reaches {ra.top1.value} % top-1 on ImageNet, {rb.title} {rb.top1.value} % (the seed's "
        f"figures): {gain:+.1f} points. How many times more MACs per image than {rb.title} does {ra.title} take, "
        "measured on the zoo's models at their own input sizes?",
        key=key,
        traps=[
            ("ratio_inverted", T.ratio_inverted(_macs(a), _macs(b))),
            ("params_ratio_for_macs", T.params_ratio_for_macs(_params(a), _params(b))),
        ],
        n_options=3,
        render=lambda v: f"{v:.2f}×",
        explanation=(
            f"MACs({ra.title}) / MACs({rb.title}) = {fmt(_macs(a))} / {fmt(_macs(b))} ≈ {key:.2f}×, for "
            f"{gain:+.1f} points of top-1. " + _figures_explanation([a, b])
        ),
        params={"models": [a, b], "ask": "macs_ratio"},
        witness=W.combine("ratio", W.zoo(ra.model, "macs"), W.zoo(rb.model, "macs")),
    )


# ------------------------------------------------------------------ SENet: about a point of top-1, almost no compute

SE, BACKBONE = "se_resnet50", "resnet50_v1_5"
SE_MACS_PCT = 100 * (_declared(SE, "macs") - _declared(BACKBONE, "macs")) / _declared(BACKBONE, "macs")
SE_PARAMS_PCT = (
    100
    * (_declared(SE, "trainable_params") - _declared(BACKBONE, "trainable_params"))
    / _declared(BACKBONE, "trainable_params")
)
# the gates with r = 1 (no squeeze of the hidden layer): Σ N_s·(2·C_s² + 2·C_s) instead of Σ N_s·(2·C_s²/r + C_s/r + C_s)
SE_NO_REDUCTION_PCT = 100 * T.se_no_reduction(SE_STAGES) / _declared(BACKBONE, "trainable_params")
SE_GAIN = round(SENET["resnet50_top1_error"].value - SENET["se_resnet50_top1_error"].value, 2)
SE_SOURCE = (
    f"{SENET['se_resnet50_top1_error'].source}; {SENET['resnet50_top1_error'].source}; GFLOPs "
    f"{SENET['resnet50_gflops'].value} → {SENET['se_resnet50_gflops'].value}"
)
SE_MACS_W = W.combine("percent_more", W.zoo(SE, "macs"), W.zoo(BACKBONE, "macs"))
SE_PARAMS_W = W.combine("percent_more", W.zoo(SE, "trainable_params"), W.zoo(BACKBONE, "trainable_params"))
SE_EXPLANATION = (
    f"Hu et al. report ResNet-50's top-1 error falling from {SENET['resnet50_top1_error'].value:.2f} % to "
    f"{SENET['se_resnet50_top1_error'].value:.2f} % with SE blocks ({SE_GAIN} points; the seed rounds to '+1 %'). On the "
    f"live models (v1.5 backbone, torchvision's conventions) the gates add {SE_PARAMS_PCT:.1f} % parameters "
    f"({fmt(_ref(SE, 'se_params'))}: each gate's two FC layers hold $2C^2/r + C/r + C$ with $r = 16$) but only "
    f"{SE_MACS_PCT:.2f} % MACs: the FCs run once per image on the pooled 1×1×C vector, not at every position. "
    "That is what the seed's 'almost free' means: free in compute, not in parameters (the paper's '~10 %'). "
    f"({SE_SOURCE}.)"
)


@generator("milestones.senet", topic="milestones", title="What SE buys and what it costs", kind="choice", version=2)
def senet(rng: random.Random, difficulty: int) -> dict[str, Any]:
    if difficulty == 1:
        return claims_choice(
            rng,
            stem="Squeeze-and-excitation blocks (Hu et al., 2017) were added to each bottleneck of ResNet-50. What "
            "did that buy, and at what compute?",
            right=[
                f"About {SE_GAIN} points of top-1 accuracy for +{SE_MACS_PCT:.2f} % MACs",
                f"Top-1 error {SE_GAIN} points lower, for only +{SE_MACS_PCT:.2f} % MACs",
                f"+{SE_MACS_PCT:.2f} % MACs bought about {SE_GAIN} points of top-1 accuracy",
            ],
            wrong=[
                ("se_macs_like_params", f"About {SE_GAIN} points of top-1 accuracy for +{SE_PARAMS_PCT:.1f} % MACs"),
                ("se_macs_like_params", f"Top-1 error {SE_GAIN} points lower, for +{SE_PARAMS_PCT:.1f} % MACs"),
                ("se_gain_overstated", f"About 5 points of top-1 accuracy for +{SE_MACS_PCT:.2f} % MACs"),
                ("se_gain_overstated", f"Top-1 error 5 points lower, for only +{SE_MACS_PCT:.2f} % MACs"),
                ("se_spatial_gate", "A per-pixel attention map, at about twice the MACs"),
                ("se_spatial_gate", "One learned weight per spatial position, at about twice the MACs"),
            ],
            explanation=SE_EXPLANATION,
            params={"ask": "gain_and_macs"},
            witness=SE_MACS_W,
            correct_value=SE_MACS_PCT,
        )
    if difficulty == 2:
        return claims_choice(
            rng,
            stem="SE-ResNet-50 against ResNet-50 (v1.5 layout, trainable weights, torchvision's MACs), as Keras "
            "measures the two zoo models: how much do the SE gates add?",
            right=[
                f"+{SE_PARAMS_PCT:.1f} % parameters but only +{SE_MACS_PCT:.2f} % MACs",
                f"Only +{SE_MACS_PCT:.2f} % MACs, but +{SE_PARAMS_PCT:.1f} % parameters",
            ],
            wrong=[
                ("se_free_in_params", f"+{SE_MACS_PCT:.2f} % parameters and +{SE_MACS_PCT:.2f} % MACs"),
                ("se_free_in_params", f"+{SE_MACS_PCT:.2f} % parameters but +{SE_PARAMS_PCT:.1f} % MACs"),
                ("se_macs_like_params", f"+{SE_PARAMS_PCT:.1f} % parameters and +{SE_PARAMS_PCT:.1f} % MACs"),
                ("se_macs_like_params", f"+{SE_PARAMS_PCT:.1f} % MACs, as much as it adds in parameters"),
                ("se_no_reduction", f"+{SE_NO_REDUCTION_PCT:.0f} % parameters and +{SE_MACS_PCT:.2f} % MACs"),
                ("se_no_reduction", f"+{SE_NO_REDUCTION_PCT:.0f} % parameters but only +{SE_MACS_PCT:.2f} % MACs"),
            ],
            explanation=SE_EXPLANATION,
            params={"ask": "overheads"},
            witness=SE_PARAMS_W,
            correct_value=SE_PARAMS_PCT,
        )
    return multi_select(
        rng,
        stem="Select every statement that is true of squeeze-and-excitation (SE) blocks in SE-ResNet-50.",
        correct=[
            f"They lower ResNet-50's top-1 error by about {SE_GAIN} points (Hu et al.).",
            f"They add under 0.1 % MACs (+{SE_MACS_PCT:.2f} %).",
            "Their two FC layers act on the globally pooled 1×1×C vector, once per image.",
        ],
        wrong=rng.sample(
            [
                ("se_macs_like_params", "They add about 10 % MACs, as they add about 10 % parameters."),
                ("se_free_in_params", "They add well under 1 % parameters."),
                ("se_spatial_gate", "They learn one weight per spatial position."),
                ("se_gain_overstated", "They raise ResNet-50's top-1 accuracy by about 5 points."),
            ],
            3,
        ),
        explanation=SE_EXPLANATION,
        params={"ask": "select"},
        witness=SE_MACS_W.model_copy(update={"expect": SE_MACS_PCT}),
    )
