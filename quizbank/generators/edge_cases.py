"""Edge cases of CNN practice: dying ReLU, BatchNorm at inference, gridding at large dilations, the degradation of
deep plain nets, global pooling's lost layout and the limited expressiveness of depthwise-separable convs."""

from __future__ import annotations

import random
from typing import Any

from .. import formulas as F
from .. import traps as T
from .. import witness as W
from ..schema import Tolerance
from .base import Redraw, article, choice, fmt, generator, multi_select, numeric, pick, topic

TOPIC = topic(
    "edge_cases",
    "Edge cases and failure modes",
    "Dying ReLU, BatchNorm at inference and at batch 1, gridding, degradation of deep plain nets, GAP and segmentation, "
    "depthwise-separable expressiveness.",
)


# ------------------------------------------------------------------ dying ReLU

ACTIVATIONS = {  # Keras name: (text, keeps a gradient for negative inputs)
    "leaky_relu": ("Leaky ReLU (slope 0.2 for negative inputs)", True),
    "elu": ("ELU", True),
    "gelu": ("GELU", True),
    "selu": ("SELU", True),
    "silu": ("SiLU / Swish", True),
    "relu": ("ReLU", False),
    "relu6": ("ReLU6 (ReLU capped at 6)", False),
}


@generator("edge_cases.dying_relu", topic="edge_cases", title="Dying ReLU", kind="choice")
def dying_relu(rng: random.Random, difficulty: int) -> dict[str, Any]:
    frac = pick(rng, (20, 30, 40, 50))
    scene = (
        f"After a few steps with a large learning rate, {frac}% of the ReLU units of a CNN output 0 for every "
        "training image."
    )
    expl = T.get("dying_relu_fix_sigmoid").feedback
    if difficulty == 1:
        return choice(
            rng,
            stem=f"{scene} What happens to these units during further training?",
            correct="They receive exactly zero gradient for every input, so their weights never change again.",
            distractors=[
                ("relu_grad_passes_all", "Their gradient is still 1, so they recover after a few more steps."),
                ("dying_relu_raise_lr", "A larger learning rate pushes them back into the active range."),
                ("dying_relu_dropout", "Dropout randomly re-activates them, so they recover on their own."),
            ],
            explanation=f"A ReLU's gradient is 0 wherever its input is negative. {expl}",
            params={"fraction": frac, "variant": "what_happens"},
            witness=W.probe("dead_relu_zero_grad", expect=True),
        )
    if difficulty == 2:
        act = pick(rng, ("leaky_relu", "elu", "gelu"))
        return choice(
            rng,
            stem=f"{scene} Which change addresses the problem?",
            correct=(
                f"Replace ReLU by {ACTIVATIONS[act][0].split(' (')[0]}, which keeps a gradient for negative inputs, "
                "and use He (Kaiming) initialisation with a lower learning rate."
            ),
            distractors=["dying_relu_fix_sigmoid", "dying_relu_raise_lr", "dying_relu_dropout"],
            explanation=(
                f"{expl} Measured: a unit whose pre-activation is negative for every input still receives a gradient "
                f"with {ACTIVATIONS[act][0].split(' (')[0]}, and none with ReLU."
            ),
            params={"fraction": frac, "variant": "fix", "activation": act},
            witness=W.probe(
                "measure_each",
                expect=[True, False],
                checks=[["negative_preact_grad_flows", {"activation": act}], ["negative_preact_grad_flows", {}]],
            ),
        )
    bias = pick(rng, (-1.0, -2.0, -3.0))
    good = [a for a, (_, ok) in ACTIVATIONS.items() if ok]
    rng.shuffle(good)
    good = good[: pick(rng, (2, 3))]
    bad = ["relu", "relu6"]
    wrong: list[str | tuple[str, str]] = [("relu_grad_passes_all", ACTIVATIONS[a][0]) for a in bad]
    return multi_select(
        rng,
        stem=(
            f"A unit's pre-activation is {bias:g} for **every** input. With which activation functions does it still "
            "receive a non-zero gradient (so it can recover)? Select all that apply."
        ),
        correct=[ACTIVATIONS[a][0] for a in good],
        wrong=wrong,
        explanation=(
            "ReLU and ReLU6 are flat (gradient 0) for negative inputs, so such a unit is dead. Leaky ReLU keeps a small "
            "slope, and ELU, GELU, SELU and SiLU have non-zero derivatives for negative inputs: the unit can recover. "
            "Measured on live `Dense` units with a constant negative pre-activation."
        ),
        params={"bias": bias, "good": good, "bad": bad},
        witness=W.probe(
            "measure_each",
            expect=[True] * len(good) + [False] * len(bad),
            checks=[["negative_preact_grad_flows", {"activation": a, "bias": bias}] for a in good + bad],
        ),
    )


# ------------------------------------------------------------------ BatchNorm at inference


@generator("edge_cases.bn_inference", topic="edge_cases", title="BatchNorm at inference", kind="choice")
def bn_inference(rng: random.Random, difficulty: int) -> dict[str, Any]:
    c = pick(rng, (4, 8, 16))
    if difficulty < 3:
        if difficulty == 1:
            stem = "Which statistics does a BatchNorm layer use to normalise its input at inference time?"
            correct = "The moving (running) mean and variance accumulated during training."
            wrong: list[str | tuple[str, str]] = [
                "bn_batch_stats_at_inference",
                ("bn_all_axes", "One mean and variance per spatial position, averaged over the training set."),
                ("bn_fine_at_batch_1", "The current batch's statistics, which are reliable even for a single image."),
            ]
        else:
            stem = (
                "A CNN with BatchNorm scores well in offline evaluation, but in production its prediction for an image "
                "changes depending on which other images are in the same request batch. What is the most likely bug?"
            )
            correct = (
                "BatchNorm runs in training mode at inference (batch statistics); it must be called with "
                "`training=False` so it uses the moving mean and variance."
            )
            wrong = [
                (
                    "bn_batch_stats_at_inference",
                    "The moving statistics are stale; each request should be normalised with its own batch statistics.",
                ),
                ("bn_all_axes", "BatchNorm stores γ and β per spatial position, so the other images overwrite them."),
                (
                    "bn_fine_at_batch_1",
                    "Nothing: batch statistics are reliable at any batch size; the variation is noise.",
                ),
            ]
        return choice(
            rng,
            stem=stem,
            correct=correct,
            distractors=wrong,
            explanation=(
                f"{T.get('bn_batch_stats_at_inference').feedback} Measured: `BatchNormalization(training=False)` "
                "output equals (x − moving mean)/√(moving var + ε), whatever the batch."
            ),
            params={"channels": c, "variant": difficulty},
            witness=W.probe("bn_inference_uses_moving_stats", expect=True, channels=c),
        )
    groups = pick(rng, (2, 4))
    return choice(
        rng,
        stem=(
            "A segmentation model must be trained with batch size 1 (huge images). Its BatchNorm layers misbehave. "
            "What is the problem, and the usual fix?"
        ),
        correct=(
            "With one sample the batch statistics come from a single image (at 1×1 spatial size the variance is exactly "
            "0); normalise per sample instead, e.g. with GroupNorm."
        ),
        distractors=[
            "bn_fine_at_batch_1",
            (
                "bn_batch_stats_at_inference",
                "Nothing in training; just switch BatchNorm to batch statistics at inference.",
            ),
            "bn_all_axes",
        ],
        explanation=(
            f"{T.get('bn_fine_at_batch_1').feedback} Measured: a `GroupNormalization({groups})` layer gives a sample "
            "the same output alone or inside a batch."
        ),
        params={"channels": 4 * groups, "groups": groups, "variant": "batch1"},
        witness=W.probe("groupnorm_batch1_independent", expect=True, channels=4 * groups, groups=groups),
    )


@generator("edge_cases.bn_value", topic="edge_cases", title="BatchNorm output at inference", kind="numeric")
def bn_value(rng: random.Random, difficulty: int) -> dict[str, Any]:
    eps = 0.001
    x = float(pick(rng, (-3, -2, -1, 0.5, 1, 2, 3, 4, 5, 6)))
    mean = float(pick(rng, (-1, -0.5, 0, 0.5, 1, 1.5, 2)))
    if difficulty == 1:
        var, gamma, beta = float(pick(rng, (1, 4, 9, 16, 0.25))), 1.0, 0.0
    elif difficulty == 2:
        var = float(pick(rng, (1, 4, 9, 16, 0.25)))
        gamma, beta = float(pick(rng, (0.5, 1.5, 2, 3))), float(pick(rng, (-1, -0.5, 0.5, 1, 2)))
    else:
        var = float(pick(rng, (0.004, 0.009, 0.015, 0.024)))
        gamma, beta = float(pick(rng, (0.5, 1.5, 2, 3))), float(pick(rng, (-1, -0.5, 0.5, 1, 2)))
        x, mean = float(pick(rng, (0.1, 0.2, 0.3, 0.5))), float(pick(rng, (0, 0.05, -0.1)))
    if x == mean:
        raise Redraw
    key = round(F.bn_inference(x, mean, var, gamma, beta, eps), 4)
    traps: list[tuple[str, Any]] = [
        ("bn_batch_stats_at_inference", beta),
        ("bn_var_not_sqrt", round(T.bn_var_not_sqrt(x, mean, var, gamma, beta, eps), 4)),
        ("bn_forgot_gamma_beta", round(T.bn_forgot_gamma_beta(x, mean, var, gamma, beta, eps), 4)),
    ]
    if difficulty == 3:
        traps.insert(0, ("bn_forgot_eps", round(T.bn_forgot_eps(x, mean, var, gamma, beta, eps), 4)))
    affine = "" if difficulty == 1 else f", $\\gamma = {gamma:g}$, $\\beta = {beta:g}$"
    return numeric(
        stem=(
            f"A one-channel `BatchNormalization` layer (ε = {eps:g}, Keras' default) has moving mean {mean:g} and "
            f"moving variance {var:g}{affine if affine else ' (γ = 1, β = 0)'}. At inference (`training=False`) it "
            f"receives a single sample with value $x = {x:g}$. What does it output? (Give 2 decimals.)"
        ),
        key=key,
        traps=traps,
        tolerance=Tolerance(mode="absolute", value=0.01),
        explanation=(
            f"At inference BatchNorm uses the moving statistics: $y = \\gamma\\,(x - \\mu)/\\sqrt{{\\sigma^2 + "
            f"\\varepsilon}} + \\beta = {gamma:g}\\cdot({x:g} - ({mean:g}))/\\sqrt{{{var:g} + {eps:g}}} + ({beta:g}) "
            f"= {key:.4f}$. (Normalising with the batch's own statistics — a deployment bug — would give "
            f"$x - \\bar{{x}} = 0$ for a batch of one, i.e. always $\\beta = {beta:g}$.)"
        ),
        params={"x": x, "mean": mean, "var": var, "gamma": gamma, "beta": beta, "eps": eps},
        witness=W.probe("bn_inference_output", x=x, mean=mean, var=var, gamma=gamma, beta=beta, eps=eps),
    )


# ------------------------------------------------------------------ gridding


def _draw_gridding(rng: random.Random, difficulty: int) -> tuple[list[int], int]:
    if difficulty == 1:
        d, n, k = pick(rng, (2, 3)), pick(rng, (2, 3)), 3
        return [d] * n, k
    if difficulty == 2:
        d, n, k = pick(rng, (2, 3, 4)), pick(rng, (2, 3, 4)), pick(rng, (2, 3))
        return [d] * n, k
    rates = pick(rng, ([2, 4, 8], [2, 4], [3, 6], [2, 6], [4, 8], [3, 6, 9], [2, 4, 6], [4, 8, 12], [2, 2, 4]))
    return list(rates), pick(rng, (2, 3))


@generator("edge_cases.gridding", topic="edge_cases", title="Gridding holes of dilated stacks", kind="numeric")
def gridding(rng: random.Random, difficulty: int) -> dict[str, Any]:
    rates, k = _draw_gridding(rng, difficulty)
    key = F.gridding_holes(rates, k)
    span = 1 + sum((k - 1) * d for d in rates)
    seen = F.dilation_support(rates, k)
    if key == 0:
        raise Redraw
    return numeric(
        stem=(
            f"Along one axis, {len(rates)} stacked convolutions with {k} taps and dilation rates "
            f"{', '.join(map(str, rates))} give one output a receptive field of {span} pixels. How many pixels inside "
            "that span never influence the output (the gridding holes)?"
        ),
        key=key,
        traps=[("gridding_fixed_by_same_rate", 0), ("gridding_holes_one_layer", T.gridding_holes_one_layer(rates, k))],
        unit="pixels",
        explanation=(
            f"The output sees input offsets $\\sum_l d_l\\,t_l$ with $t_l \\in \\{{0, …, {k - 1}\\}}$. All rates share "
            f"a common factor, so every reachable offset is a multiple of it: only {seen} of the "
            f"$1 + \\sum d\\,(K-1) = {span}$ positions are reached, leaving ${span} - {seen} = {key}$ holes. "
            "Mixing rates without a common factor (HDC, e.g. 1, 2, 5) covers every pixel."
        ),
        params={"rates": rates, "k": k, "span": span},
        witness=W.probe("dilation_gridding_holes", rates=rates, k=k),
    )


GOOD_SCHEDULES = ((1, 2, 5), (1, 2, 3), (1, 2, 4), (1, 3, 5), (1, 2, 5, 9), (1, 2))
BAD_UNIFORM = ((2, 2, 2), (3, 3, 3), (4, 4, 4), (2, 2), (5, 5, 5))
BAD_FACTOR = ((2, 4, 8), (2, 4, 6), (3, 6, 9), (2, 6, 10), (4, 8, 12))


@generator("edge_cases.gridding_schedule", topic="edge_cases", title="Avoiding gridding: HDC", kind="choice")
def gridding_schedule(rng: random.Random, difficulty: int) -> dict[str, Any]:
    k = 3 if difficulty < 3 else pick(rng, (2, 3))
    good = [g for g in GOOD_SCHEDULES if F.gridding_holes(g, k) == 0]
    sched = pick(rng, good)
    uniform = [b for b in BAD_UNIFORM if F.gridding_holes(b, k) > 0]
    factor = [b for b in BAD_FACTOR if F.gridding_holes(b, k) > 0]
    rng.shuffle(uniform)
    rng.shuffle(factor)
    if difficulty == 1:
        wrong = [("gridding_fixed_by_same_rate", _sched(b)) for b in uniform[:3]]
    else:
        wrong = [("gridding_fixed_by_same_rate", _sched(b)) for b in uniform[:1]]
        wrong += [("gridding_common_factor", _sched(b)) for b in factor[:2]]
    return choice(
        rng,
        stem=(
            f"Stacked dilated convolutions ({k} taps per axis) should cover **every** pixel of their receptive field, "
            "with no gridding holes. Which dilation schedule does?"
        ),
        correct=_sched(sched),
        distractors=wrong,
        explanation=(
            f"A schedule leaves holes when all its rates share a factor $g > 1$: the reachable offsets "
            f"$\\sum d_l t_l$ are then multiples of $g$. {_sched(sched)} starts at 1 and its offsets fill the whole span "
            f"of $1 + \\sum d\\,(K-1) = {1 + sum(sched) * (k - 1)}$ pixels (the HDC rule, as in 1, 2, 5). "
            f"{T.get('gridding_common_factor').feedback}"
        ),
        params={"k": k, "schedule": list(sched)},
        witness=W.probe("dilation_gridding_holes", expect=0, rates=list(sched), k=k),
    )


def _sched(rates: tuple[int, ...]) -> str:
    return "rates " + ", ".join(map(str, rates))


# ------------------------------------------------------------------ degradation


@generator(
    "edge_cases.degradation", topic="edge_cases", title="Degradation of deep plain nets", kind="choice", version=2
)
def degradation(rng: random.Random, difficulty: int) -> dict[str, Any]:
    shallow, deep = pick(rng, ((20, 56), (18, 34), (20, 44), (32, 110)))
    scene = (
        f"A plain (non-residual) {deep}-layer CNN has a **higher training error** than {article(str(shallow))} {shallow}-layer CNN built "
        "the same way."
    )
    if difficulty == 1:
        return choice(
            rng,
            stem=f"{scene} What is the cause?",
            correct=(
                "An optimisation difficulty (degradation): the solver fails to find the deeper net's better solutions, "
                "even though its extra layers could simply be identities."
            ),
            distractors=[
                "degradation_is_overfitting",
                "degradation_less_capacity",
                ("degradation_is_overfitting", "There is not enough training data for the deeper net's parameters."),
            ],
            explanation=(
                f"{T.get('degradation_is_overfitting').feedback} Overfitting would show *lower* training error with "
                "higher test error. Measured live: a deeper plain net whose extra layers are set to identities "
                "reproduces the shallow net's output exactly, so the deeper net can always do at least as well on the "
                "training set; failing to is an optimisation failure (He et al., 2015)."
            ),
            params={"shallow": shallow, "deep": deep, "variant": "cause"},
            witness=W.probe("deeper_contains_shallow", expect=True, extra=min(deep - shallow, 12)),
        )
    c = pick(rng, (4, 8))
    if difficulty == 3:
        width = pick(rng, (4, 6, 8))
        return choice(
            rng,
            stem=(
                f"{scene} A ResNet of the same depth trains fine. Its blocks compute $y = F(x) + x$. Why does the skip "
                "make the extra depth harmless for optimisation?"
            ),
            correct=(
                "$\\partial y/\\partial x = \\partial F/\\partial x + I$: the gradient passes every block through the "
                "identity term, and a block with $F = 0$ is exactly the identity."
            ),
            distractors=[
                ("resnet_output_fx", "The block learns $y = F(x)$ directly, and $F$ is easier to fit when it is deep."),
                ("resnet_concatenates", "Concatenating $x$ to $F(x)$ keeps all earlier features, so nothing is lost."),
                (
                    "degradation_is_overfitting",
                    "The skip acts as a regulariser that prevents the deep net from overfitting.",
                ),
            ],
            explanation=(
                f"{T.get('resnet_output_fx').feedback} Measured: the Jacobian of $y = F(x) + x$ minus that of $F$ is "
                f"exactly $I$ ({width}×{width} dense block). {T.get('degradation_is_overfitting').feedback}"
            ),
            params={"shallow": shallow, "deep": deep, "variant": "why_skip", "width": width},
            witness=W.probe("residual_identity_jacobian", expect=True, width=width),
        )
    return choice(
        rng,
        stem=f"{scene} Which change lets the {deep}-layer network train at least as well as the {shallow}-layer one?",
        correct=(
            "Add residual connections, $y = F(x) + x$: a block whose $F$ is zero is exactly the identity, so extra "
            "depth is easy to 'switch off'."
        ),
        distractors=[
            "degradation_fix_regularise",
            ("degradation_is_overfitting", "Stop training earlier (early stopping) to avoid overfitting."),
            ("degradation_less_capacity", "Make every layer wider, since the deeper network lacks capacity."),
        ],
        explanation=(
            f"{T.get('degradation_fix_regularise').feedback} Measured: with its last conv zeroed, a residual block "
            "outputs exactly its input, while the same plain block outputs 0."
        ),
        params={"shallow": shallow, "deep": deep, "variant": "fix", "channels": c},
        witness=W.probe("residual_zero_init_identity", expect=True, channels=c),
    )


# ------------------------------------------------------------------ GAP and layout


@generator(
    "edge_cases.gap_layout", topic="edge_cases", title="Global pooling loses the layout", kind="choice", version=2
)
def gap_layout(rng: random.Random, difficulty: int) -> dict[str, Any]:
    h = pick(rng, (7, 8, 14, 16))
    c = pick(rng, (256, 512, 1280, 2048))
    task = pick(rng, ("semantic segmentation", "per-pixel depth estimation", "keypoint localisation"))
    if difficulty == 1:
        stem = f"What does global average pooling keep of {article(str(h))} {h}×{h}×{c} feature map?"
        correct = f"One number per channel ({c} values): where each feature occurred is lost."
        wrong: list[str | tuple[str, str]] = [
            (
                "gap_keeps_layout",
                f"{article(str(h)).capitalize()} {h}×{h} map per channel, averaged over the channels.",
            ),
            "gap_keeps_layout",
            ("pooling_has_params", "A learned weighting of every position, so the layout can be decoded later."),
        ]
    elif difficulty == 3:
        classes = pick(rng, (2, 5, 21))
        return choice(
            rng,
            stem=(
                f"A backbone ends in {article(str(h))} {h}×{h}×{c} feature map. For semantic segmentation into {classes} classes, "
                "which head keeps the spatial layout (before upsampling to the image size)?"
            ),
            correct=f"A 1×1 conv with {classes} filters: {article(str(h))} {h}×{h}×{classes} map of per-position class scores.",
            correct_value=[h, h, classes],
            distractors=[
                (
                    "gap_keeps_layout",
                    f"Global average pooling, then `Dense({h * h * classes})` reshaped to "
                    f"{h}×{h}×{classes}: the dense layer restores the layout.",
                ),
                ("gap_keeps_layout", "Global max pooling instead of average: it remembers where each maximum was."),
                (
                    "pooling_has_params",
                    "Global average pooling with one learned weight per position, so it keeps the layout.",
                ),
            ],
            explanation=(
                f"{T.get('gap_keeps_layout').feedback} Any global pooling maps every permutation of the positions to "
                f"the same vector, so nothing after it can recover where things were. A 1×1 conv is applied at each "
                f"of the {h}×{h} positions: output {h}×{h}×{classes}, measured live."
            ),
            params={"h": h, "c": c, "classes": classes, "variant": "head"},
            witness=W.sequential([h, h, c], [W.conv2d(classes, 1)], "output_shape"),
        )
    else:
        stem = (
            f"A backbone ends in {article(str(h))} {h}×{h}×{c} feature map. For {task}, a student puts global average pooling and a "
            "dense layer on top. Why does this fail?"
        )
        correct = (
            "GAP returns the same vector for any rearrangement of the positions, so no per-pixel (spatial) prediction "
            "can be decoded from it."
        )
        wrong = [
            "gap_keeps_layout",
            ("pooling_has_params", "GAP adds too many parameters for a dense per-pixel head."),
            (
                "equivariance_is_invariance",
                "GAP output shifts along with the input, so it is too sensitive to position.",
            ),
        ]
    rng.shuffle(wrong)
    return choice(
        rng,
        stem=stem,
        correct=correct,
        distractors=wrong,
        explanation=(
            f"{T.get('gap_keeps_layout').feedback} Measured: GAP gives the same output for a map and for a random "
            "permutation of its positions. Dense tasks keep a spatial map (fully convolutional heads, U-Net/FPN "
            "decoders)."
        ),
        params={"h": h, "c": c, "task": task},
        witness=W.probe("gap_loses_layout", expect=True, size=h),
    )


# ------------------------------------------------------------------ separable expressiveness


@generator("edge_cases.separable", topic="edge_cases", title="Is depthwise-separable as expressive?", kind="choice")
def separable(rng: random.Random, difficulty: int) -> dict[str, Any]:
    k = pick(rng, (3, 5))
    c_in, c_out = pick(rng, ((2, 4), (3, 6), (4, 4), (4, 8)) if difficulty < 3 else ((16, 32), (32, 64), (24, 48)))
    std = k * k * c_in * c_out
    sep = k * k * c_in + c_in * c_out
    if difficulty == 1:
        stem = (
            f"Compare a standard {k}×{k} conv and a depthwise-separable {k}×{k} conv, both mapping {c_in} to {c_out} "
            "channels. Which statement is true?"
        )
    else:
        stem = (
            f"MobileNet replaces each standard {k}×{k} conv ({c_in} → {c_out} channels, {fmt(std)} weights) by a "
            f"depthwise-separable one ({fmt(sep)} weights). What do we give up?"
        )
    correct = (
        "Expressiveness: per input channel the separable kernel is one spatial pattern times one channel mix "
        "(rank 1), so most standard kernels cannot be represented."
    )
    wrong: list[str | tuple[str, str]] = [
        "separable_more_expressive",
        "separable_more_params",
        (
            "separable_is_depthwise_plus_3x3",
            "Nothing: a depthwise conv followed by another K×K conv reproduces any standard conv.",
        ),
    ]
    if difficulty == 3:
        wrong[2] = (
            "separable_more_expressive",
            "Only speed on GPUs: the function class is the same as a standard conv's.",
        )
    rng.shuffle(wrong)
    return choice(
        rng,
        stem=stem,
        correct=correct,
        distractors=wrong,
        explanation=(
            f"{T.get('separable_more_expressive').feedback} Weights: ${k}^2\\cdot{c_in} + {c_in}\\cdot{c_out} = "
            f"{fmt(sep)}$ against ${k}^2\\cdot{c_in}\\cdot{c_out} = {fmt(std)}$. Measured: even the best separable "
            "fit (an SVD per input channel) of a random standard conv leaves a clear output error."
        ),
        params={"k": k, "c_in": c_in, "c_out": c_out},
        witness=W.probe("separable_less_expressive", expect=True, k=k, c_in=c_in, c_out=c_out),
    )
