"""Edge cases of CNN practice: dying ReLU, BatchNorm at inference, gridding at large dilations, the degradation of
deep plain nets, global pooling's lost layout and the limited expressiveness of depthwise-separable convs."""

from __future__ import annotations

import random
from typing import Any

from .. import formulas as F
from .. import traps as T
from .. import witness as W
from ..schema import Tolerance
from .base import (
    Redraw,
    choice,
    claims_choice,
    fmt,
    generator,
    multi_select,
    numeric,
    pick,
    plural,
    topic,
    with_article,
)

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


@generator("edge_cases.dying_relu", topic="edge_cases", title="Dying ReLU", kind="choice", version=2)
def dying_relu(rng: random.Random, difficulty: int) -> dict[str, Any]:
    frac = pick(rng, (20, 30, 40, 50))
    scene = (
        f"After a few steps with a large learning rate, {frac}% of the ReLU units of a CNN output 0 for every "
        "training image."
    )
    expl = T.get("dying_relu_fix_sigmoid").feedback
    if difficulty == 1:
        return claims_choice(
            rng,
            stem=f"{scene} What happens to these units during further training?",
            right=[
                "They get exactly zero gradient for every input, so their weights stop changing.",
                "Nothing flows back through them: ReLU's derivative is 0 where its input is negative.",
                "No update reaches their weights, so no input turns them on again.",
            ],
            wrong=[
                ("relu_grad_passes_all", "They recover after a few more steps: their gradient is still 1."),
                ("dying_relu_raise_lr", "A larger learning rate pushes them back into the active range."),
                ("dying_relu_dropout", "Dropout re-activates them at random, so they recover on their own."),
                ("relu_grad_times_input", "Their gradient is their negative input, which pushes them back up."),
            ],
            explanation=f"A ReLU's gradient is 0 wherever its input is negative. {expl}",
            params={"fraction": frac, "variant": "what_happens"},
            witness=W.probe("dead_relu_zero_grad", expect=True),
        )
    if difficulty == 2:
        act = pick(rng, ("leaky_relu", "elu", "gelu"))
        name = ACTIVATIONS[act][0].split(" (")[0]
        return claims_choice(
            rng,
            stem=f"{scene} Which change addresses the problem?",
            right=[
                f"Replace ReLU by {name}, which keeps a gradient for negative inputs.",
                f"Use {name} instead of ReLU: negative inputs still pass a small gradient.",
                "Lower the learning rate and use He (Kaiming) initialisation, so fewer units die.",
            ],
            wrong=[
                ("dying_relu_fix_sigmoid", "Replace ReLU by sigmoid, whose gradient is large for every input."),
                ("dying_relu_raise_lr", "Raise the learning rate, so the dead units are pushed back into use."),
                ("dying_relu_dropout", "Add dropout before the ReLU layers, to re-activate the dead units."),
            ],
            explanation=(
                f"{expl} Measured: a unit whose pre-activation is negative for every input still receives a gradient "
                f"with {name}, and none with ReLU."
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
    flat = {
        "relu": "ReLU is flat for every negative input: its gradient there is exactly 0, so the unit stays dead.",
        "relu6": "ReLU6 is ReLU capped at 6: below 0 it is just as flat (gradient 0), so the unit stays dead.",
    }
    wrong: list[tuple[Any, ...]] = [("relu_grad_passes_all", ACTIVATIONS[a][0], flat[a]) for a in bad]
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


@generator("edge_cases.bn_inference", topic="edge_cases", title="BatchNorm at inference", kind="choice", version=2)
def bn_inference(rng: random.Random, difficulty: int) -> dict[str, Any]:
    c = pick(rng, (4, 8, 16))
    measured = (
        f"{T.get('bn_batch_stats_at_inference').feedback} Measured: `BatchNormalization(training=False)` output equals "
        "(x − moving mean)/√(moving var + ε), whatever the batch."
    )
    if difficulty == 1:
        return claims_choice(
            rng,
            stem="Which statistics does a BatchNorm layer use to normalise its input at inference time?",
            right=[
                "The moving (running) mean and variance accumulated during training.",
                "Per-channel mean and variance estimated in training (the moving averages).",
                "The running averages of the batch statistics it saw while training.",
            ],
            wrong=[
                ("bn_batch_stats_at_inference", "The mean and variance of the current batch, per channel."),
                ("bn_all_axes", "One mean and variance per spatial position, averaged over the training set."),
                ("bn_per_sample", "The mean and variance of each test image on its own."),
                ("bn_inference_identity", "None: BatchNorm is switched off and passes its input through."),
            ],
            explanation=measured,
            params={"channels": c, "variant": 1},
            witness=W.probe("bn_inference_uses_moving_stats", expect=True, channels=c),
        )
    if difficulty == 2:
        return claims_choice(
            rng,
            stem=(
                "A CNN with BatchNorm scores well in offline evaluation, but in production its prediction for an image "
                "changes depending on which other images are in the same request batch. What is the most likely bug?"
            ),
            right=[
                "BatchNorm runs in training mode in production; with `training=False` it would use the moving stats.",
                "The serving code normalises with batch statistics; inference must use the moving mean and variance.",
            ],
            wrong=[
                (
                    "bn_batch_stats_at_inference",
                    "The moving statistics are stale; each request should be normalised with its own batch.",
                ),
                ("bn_all_axes", "BatchNorm stores γ and β per spatial position, so the other images overwrite them."),
                ("bn_fine_at_batch_1", "Nothing: batch statistics are reliable at any batch size; this is noise."),
                ("bn_inference_identity", "BatchNorm must be deleted for serving: it only matters in training."),
            ],
            explanation=measured,
            params={"channels": c, "variant": 2},
            witness=W.probe("bn_inference_uses_moving_stats", expect=True, channels=c),
        )
    groups = pick(rng, (2, 4))
    return claims_choice(
        rng,
        stem=(
            "A segmentation model must be trained with batch size 1 (huge images). Its BatchNorm layers misbehave. "
            "What is the problem, and the usual fix?"
        ),
        right=[
            "One image makes the batch statistics meaningless: use GroupNorm.",
            "Batch statistics of one image are noise: normalise per sample.",
        ],
        wrong=[
            ("bn_fine_at_batch_1", "None: BatchNorm's batch statistics are just as reliable at batch size 1."),
            ("bn_batch_stats_at_inference", "Nothing in training; switch BatchNorm to batch statistics at inference."),
            ("bn_all_axes", "BatchNorm learns a γ and β per position; share them over the image to fix it."),
            ("groupnorm_needs_batch", "No fix exists: GroupNorm pools over the batch just like BatchNorm."),
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
    seen = len(F.dilated_offsets(rates, k))
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


GOOD_SCHEDULES = ((1, 2, 5), (1, 2, 3), (1, 2, 4), (1, 3, 5), (1, 2, 5, 9), (1, 2), (1, 3), (1, 2, 4, 7))
BAD_UNIFORM = ((2, 2, 2), (3, 3, 3), (4, 4, 4), (2, 2), (5, 5, 5), (3, 3))
BAD_FACTOR = ((2, 4, 8), (2, 4, 6), (3, 6, 9), (2, 6, 10), (4, 8, 12), (2, 6))
BAD_JUMP = ((1, 4, 8), (1, 2, 8), (1, 5, 9), (1, 4), (1, 3, 9), (1, 2, 9))  # start at 1, then outrun the coverage


BOUND = {3: "$d \\le 2\\sum$ smaller rates $+ 1$", 2: "$d \\le \\sum$ smaller rates $+ 1$"}


def _shuffled(rng: random.Random, rates: tuple[int, ...]) -> tuple[int, ...]:
    """The schedule in a random layer order: coverage is a sum of tap offsets, so the order does not matter."""
    out = list(rates)
    rng.shuffle(out)
    return tuple(out)


def _coverage(rates: tuple[int, ...], k: int) -> str:
    span = 1 + sum((k - 1) * d for d in rates)
    holes = F.gridding_holes(rates, k)
    return f"{_sched(rates)}: span {span}, " + (f"**{plural(holes, 'hole')}**" if holes else "no hole")


@generator("edge_cases.gridding_schedule", topic="edge_cases", title="Avoiding gridding: HDC", kind="choice", version=2)
def gridding_schedule(rng: random.Random, difficulty: int) -> dict[str, Any]:
    k = 3 if difficulty == 1 else pick(rng, (2, 3))
    pools = {
        "good": [g for g in GOOD_SCHEDULES if F.gridding_holes(g, k) == 0],
        "uniform": [b for b in BAD_UNIFORM if F.gridding_holes(b, k) > 0],
        "factor": [b for b in BAD_FACTOR if F.gridding_holes(b, k) > 0],
        "jump": [b for b in BAD_JUMP if F.gridding_holes(b, k) > 0],
    }
    traps = {
        "uniform": "gridding_fixed_by_same_rate",
        "factor": "gridding_common_factor",
        "jump": "dilation_rate_too_large",
    }
    n_good = 1 if difficulty < 3 else pick(rng, (1, 2))
    good = [_shuffled(rng, g) for g in rng.sample(pools["good"], n_good)]
    bad = {kind: _shuffled(rng, pick(rng, pools[kind])) for kind in traps}
    wrong = [
        (
            traps[kind],
            _sched(r),
            f"Rates {', '.join(map(str, r))} leave {plural(F.gridding_holes(r, k), 'hole')}. "
            + T.get(traps[kind]).feedback,
        )
        for kind, r in bad.items()
    ]
    rule = (
        "The taps of a stack reach the offsets $\\sum_l d_l t_l$, so the layer order does not matter. Sorted, a "
        "schedule is hole-free when it starts at rate 1 and each next rate is at most the width the smaller rates "
        f"already cover ({BOUND[k]} for {k} taps): the HDC rule, as in 1, 2, 5. A shared factor $g > 1$ or a repeated rate > 1 only reaches "
        "multiples of $g$; a rate that outruns the covered width jumps over pixels.\n\n"
        + "\n".join(f"- {_coverage(r, k)}" for r in [*good, *bad.values()])
    )
    params = {"k": k, "good": [list(g) for g in good], "bad": {kind: list(r) for kind, r in bad.items()}}
    witness = W.probe("dilation_gridding_holes", expect=0, rates=list(good[0]), k=k)
    if difficulty < 3:
        return choice(
            rng,
            stem=(
                f"Stacked dilated convolutions ({k} taps per axis) should cover **every** pixel of their receptive "
                "field, with no gridding holes. Which dilation schedule does?"
            ),
            correct=_sched(good[0]),
            distractors=wrong,
            explanation=rule,
            params=params,
            witness=witness,
        )
    return multi_select(
        rng,
        stem=(
            f"Which of these schedules of stacked dilated convolutions ({k} taps per axis, in the order given) cover "
            "**every** pixel of their receptive field? Select all that apply."
        ),
        correct=[_sched(g) for g in good],
        wrong=wrong,
        explanation=rule,
        params=params,
        witness=witness,
    )


def _sched(rates: tuple[int, ...]) -> str:
    return "rates " + ", ".join(map(str, rates))


# ------------------------------------------------------------------ degradation


@generator(
    "edge_cases.degradation", topic="edge_cases", title="Degradation of deep plain nets", kind="choice", version=3
)
def degradation(rng: random.Random, difficulty: int) -> dict[str, Any]:
    shallow, deep = pick(rng, ((20, 56), (18, 34), (20, 44), (32, 110)))
    scene = (
        f"A plain (non-residual) {deep}-layer CNN has a **higher training error** than "
        f"{with_article(f'{shallow}-layer')} CNN built the same way."
    )
    if difficulty == 1:
        return claims_choice(
            rng,
            stem=f"{scene} What is the cause?",
            right=[
                "An optimisation failure: the solver misses the deeper net's solutions.",
                "Degradation: extra layers could be identities, but training misses it.",
                "A harder optimisation, not a smaller capacity: training fails to fit.",
            ],
            wrong=[
                ("degradation_is_overfitting", "The deeper net overfits: it memorises its training set."),
                ("degradation_less_capacity", "The deeper net has less capacity than the shallower one."),
                ("degradation_fix_regularise", "It lacks regularisation: dropout would close the gap."),
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
        return claims_choice(
            rng,
            stem=(
                f"{scene} A ResNet of the same depth trains fine. Its blocks compute $y = F(x) + x$. Why does the skip "
                "make the extra depth harmless for optimisation?"
            ),
            right=[
                "$\\partial y/\\partial x = \\partial F/\\partial x + I$: the identity term carries the gradient.",
                "A block with $F = 0$ is exactly the identity, so extra blocks cost nothing.",
            ],
            wrong=[
                ("resnet_output_fx", "The block learns $y = F(x)$ directly, and a deep $F$ is easier to fit."),
                ("resnet_concatenates", "It concatenates $x$ to $F(x)$, so no earlier feature is ever lost."),
                ("degradation_is_overfitting", "The skip regularises the deep net so it stops overfitting."),
                ("residual_grads_summed", "The skip adds the blocks' gradients, so they never multiply."),
            ],
            explanation=(
                f"{T.get('resnet_output_fx').feedback} Measured: the Jacobian of $y = F(x) + x$ minus that of $F$ is "
                f"exactly $I$ ({width}×{width} dense block). {T.get('degradation_is_overfitting').feedback}"
            ),
            params={"shallow": shallow, "deep": deep, "variant": "why_skip", "width": width},
            witness=W.probe("residual_identity_jacobian", expect=True, width=width),
        )
    return claims_choice(
        rng,
        stem=f"{scene} Which change lets the {deep}-layer network train at least as well as the {shallow}-layer one?",
        right=[
            "Residual connections $y = F(x) + x$: a block with $F = 0$ is the identity.",
            "Skip connections around blocks, so extra depth can default to the identity.",
            "Identity shortcuts, $y = F(x) + x$, around every pair of convs.",
        ],
        wrong=[
            ("degradation_fix_regularise", "Add dropout and weight decay to the deeper network."),
            ("degradation_is_overfitting", "Stop training earlier (early stopping) to avoid overfitting."),
            ("degradation_less_capacity", "Make every layer wider, since the deeper net lacks capacity."),
            ("resnet_output_fx", "Make each block learn the target mapping $y = F(x)$ directly."),
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
    "edge_cases.gap_layout", topic="edge_cases", title="Global pooling loses the layout", kind="choice", version=3
)
def gap_layout(rng: random.Random, difficulty: int) -> dict[str, Any]:
    h = pick(rng, (7, 8, 14, 16))
    c = pick(rng, (256, 512, 1280, 2048))
    task = pick(rng, ("semantic segmentation", "per-pixel depth estimation", "keypoint localisation"))
    measured = (
        f"{T.get('gap_keeps_layout').feedback} Measured: GAP gives the same output for a map and for a random "
        "permutation of its positions. Dense tasks keep a spatial map (fully convolutional heads, U-Net/FPN decoders)."
    )
    if difficulty == 1:
        return claims_choice(
            rng,
            stem=f"What does global average pooling keep of {with_article(f'{h}×{h}×{c}')} feature map?",
            right=[
                f"One number per channel, {c} values: where each feature was is lost.",
                f"A {c}-vector, each channel's mean over all {h}×{h} positions.",
            ],
            wrong=[
                ("gap_keeps_layout", f"The {h}×{h} layout of every channel, only smoothed."),
                ("pooling_has_params", "A learned weighting of every position, decodable later."),
                ("gap_dense_sees_hwc", f"All {fmt(h * h * c)} values, flattened into one vector."),
            ],
            explanation=measured,
            params={"h": h, "c": c, "variant": "keeps"},
            witness=W.probe("gap_loses_layout", expect=True, size=h),
        )
    if difficulty == 2:
        return claims_choice(
            rng,
            stem=(
                f"A backbone ends in {with_article(f'{h}×{h}×{c}')} feature map. For {task}, a student puts global "
                "average pooling and a dense layer on top. Why does this fail?"
            ),
            right=[
                "GAP's vector is the same for any rearrangement of the positions.",
                "GAP averages away where each feature was: no per-pixel output.",
            ],
            wrong=[
                ("gap_keeps_layout", "It does not fail: GAP keeps where each feature was."),
                ("pooling_has_params", "GAP adds too many parameters for a per-pixel head."),
                ("equivariance_is_invariance", "GAP's output shifts with the input, so it is too position-sensitive."),
                ("gap_dense_sees_hwc", f"The dense layer after GAP gets {fmt(h * h * c)} inputs: too many to train."),
            ],
            explanation=measured,
            params={"h": h, "c": c, "task": task, "variant": "why"},
            witness=W.probe("gap_loses_layout", expect=True, size=h),
        )
    classes = pick(rng, (2, 5, 21))
    k = pick(rng, (1, 3))
    head = pick(
        rng,
        (
            f"A {k}×{k} conv ('same') with {classes} filters: {with_article(f'{h}×{h}×{classes}')} map of scores.",
            f"Convolution only: `Conv2D({classes}, {k}, padding='same')` gives {h}×{h}×{classes} class scores.",
            f"Keep the map: {with_article(f'{k}×{k}')} conv to {classes} channels, one score vector per position.",
        ),
    )
    return choice(
        rng,
        stem=(
            f"A backbone ends in {with_article(f'{h}×{h}×{c}')} feature map. For semantic segmentation into {classes} "
            "classes, which head keeps the spatial layout (before upsampling to the image size)?"
        ),
        correct=head,
        correct_value=[h, h, classes],
        distractors=[
            (
                "gap_keeps_layout",
                f"Global average pooling, then `Dense({h * h * classes})` reshaped to {h}×{h}×{classes}.",
            ),
            ("global_max_keeps_position", "Global max pooling: it remembers where each maximum was."),
            ("pooling_has_params", "A pooling layer with one learned weight per position keeps it."),
        ],
        explanation=(
            f"{T.get('gap_keeps_layout').feedback} Any global pooling maps every permutation of the positions to "
            f"the same vector, so nothing after it can recover where things were. A {k}×{k} conv with 'same' padding "
            f"is applied at each of the {h}×{h} positions: output {h}×{h}×{classes}, measured live."
        ),
        params={"h": h, "c": c, "classes": classes, "k": k, "variant": "head"},
        witness=W.sequential([h, h, c], [W.conv2d(classes, k, padding="same")], "output_shape"),
    )


# ------------------------------------------------------------------ separable expressiveness


@generator(
    "edge_cases.separable", topic="edge_cases", title="Is depthwise-separable as expressive?", kind="choice", version=2
)
def separable(rng: random.Random, difficulty: int) -> dict[str, Any]:
    k = pick(rng, (3, 5))
    c_in, c_out = pick(rng, ((2, 4), (3, 6), (4, 4), (4, 8)) if difficulty < 3 else ((16, 32), (32, 64), (24, 48)))
    std = k * k * c_in * c_out
    sep = k * k * c_in + c_in * c_out
    args = {
        "explanation": (
            f"{T.get('separable_more_expressive').feedback} Weights: ${k}^2\\cdot{c_in} + {c_in}\\cdot{c_out} = "
            f"{fmt(sep)}$ against ${k}^2\\cdot{c_in}\\cdot{c_out} = {fmt(std)}$. Measured: even the best separable "
            "fit (an SVD per input channel) of a random standard conv leaves a clear output error."
        ),
        "params": {"k": k, "c_in": c_in, "c_out": c_out},
        "witness": W.probe("separable_less_expressive", expect=True, k=k, c_in=c_in, c_out=c_out),
    }
    restricted = [
        f"Per input channel its {k}×{k} kernel is one spatial pattern times one channel mix (rank 1).",
        f"It has {fmt(sep)} weights against {fmt(std)}, and it cannot represent most standard kernels.",
        "Its kernels are a low-rank factorisation: cheaper, but a smaller function class.",
    ]
    not_so: list[tuple[Any, ...]] = [
        ("separable_more_expressive", "It can represent every standard conv of the same width."),
        ("separable_more_params", f"Its two steps have more weights than the standard conv's {fmt(std)}."),
        ("separable_is_depthwise_plus_3x3", f"A depthwise conv followed by another {k}×{k} conv reproduces any conv."),
        ("depthwise_mixes_channels", "Its depthwise step already mixes the channels, like a standard conv."),
    ]
    if difficulty == 1:
        return claims_choice(
            rng,
            stem=(
                f"Compare a standard {k}×{k} conv and a depthwise-separable {k}×{k} conv, both mapping {c_in} to "
                f"{c_out} channels (no biases). Which statement is true?"
            ),
            right=restricted,
            wrong=not_so,
            **args,
        )
    if difficulty == 2:
        return claims_choice(
            rng,
            stem=(
                f"MobileNet replaces each standard {k}×{k} conv ({c_in} → {c_out} channels, {fmt(std)} weights) by a "
                f"depthwise-separable one ({fmt(sep)} weights). What do we give up?"
            ),
            right=[
                "Expressiveness: it can only make low-rank (factorised) kernels.",
                "Function class: most standard kernels cannot be represented.",
                "Generality: each channel gets one spatial pattern, then a mix.",
            ],
            wrong=[
                ("separable_more_expressive", "Nothing: the function class is the same; only speed changes."),
                ("depthwise_mixes_channels", "Channel mixing: a separable conv cannot mix channels at all."),
                ("separable_more_params", "Weights: the two steps need more parameters than one conv."),
                ("separable_is_spatial_factorised", f"Square windows: it only sees {k}×1 and 1×{k} strips."),
            ],
            **args,
        )
    return multi_select(
        rng,
        stem=(
            f"A standard {k}×{k} conv from {c_in} to {c_out} channels ({fmt(std)} weights) is replaced by a "
            f"depthwise-separable one ({fmt(sep)} weights). Select **all** true statements."
        ),
        correct=rng.sample(restricted, pick(rng, (1, 2, 3))),
        wrong=rng.sample(not_so, pick(rng, (2, 3))),
        **args,
    )
