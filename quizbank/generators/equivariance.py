"""Equivariance and invariance: conv maps move with the input (f(Tx) = T f(x)), pooled vectors do not (f(Tx) = f(x)),
strided stacks move in steps of their total stride, and nothing in a CNN follows a rotation."""

from __future__ import annotations

import random
from typing import Any

from .. import formulas as F
from .. import traps as T
from .. import witness as W
from .base import (
    choice,
    claims_choice,
    generator,
    multi_select,
    noun,
    numeric,
    one_per_trap,
    pick,
    plural,
    topic,
)

TOPIC = topic(
    "equivariance",
    "Equivariance and invariance",
    "Translation equivariance of conv feature maps, invariance after global pooling, strides, and why CNNs are not "
    "rotation-equivariant.",
)

# conv/pool stacks as [kind, K, S]; every one has a total stride ≥ 2
STACKS: dict[int, tuple[tuple[tuple[str, int, int], ...], ...]] = {
    1: (
        (("conv", 3, 2),),
        (("conv", 5, 2),),
        (("conv", 3, 1), ("max", 2, 2)),
        (("conv", 3, 1), ("avg", 2, 2)),
    ),
    2: (
        (("conv", 3, 2), ("conv", 3, 2)),
        (("conv", 7, 2), ("max", 3, 2)),
        (("conv", 3, 1), ("max", 2, 2), ("conv", 3, 1), ("max", 2, 2)),
        (("conv", 3, 3), ("conv", 3, 1)),
        (("conv", 5, 2), ("conv", 3, 1), ("avg", 2, 2)),
    ),
    3: (
        (("conv", 3, 2), ("max", 2, 2), ("conv", 3, 2)),
        (("conv", 7, 2), ("max", 3, 2), ("conv", 3, 2)),
        (("conv", 3, 2), ("conv", 3, 2), ("conv", 3, 2), ("conv", 3, 1)),
        (("conv", 3, 3), ("conv", 3, 2)),
        (("conv", 5, 2), ("max", 2, 2), ("conv", 3, 1), ("max", 2, 2)),
        (("conv", 3, 1), ("conv", 3, 2), ("avg", 3, 3)),
    ),
}

_KIND = {"conv": "conv", "max": "max-pool", "avg": "average-pool"}


def _layer_text(kind: str, k: int, s: int) -> str:
    return f"{k}×{k} {_KIND[kind]}, stride {s}"


def _stack_text(stack: tuple[tuple[str, int, int], ...]) -> str:
    return " → ".join(_layer_text(*l) for l in stack)


def _total_stride(stack: tuple[tuple[str, int, int], ...]) -> int:
    total = 1
    for _, _, s in stack:
        total *= s
    return total


def _strides_text(stack: tuple[tuple[str, int, int], ...]) -> str:
    return "·".join(str(s) for _, _, s in stack if s > 1)


def _total_stride_text(stack: tuple[tuple[str, int, int], ...], total: int) -> str:
    """'S = 2·2 = 4', or 'S = 2' when a single layer strides."""
    product = _strides_text(stack)
    return f"S = {total}" if product == str(total) else f"S = {product} = {total}"


def _stack_args(stack: tuple[tuple[str, int, int], ...]) -> list[list[Any]]:
    return [list(l) for l in stack]


def _witness_size(total: int) -> int:
    return total * 8


CIRCULAR = "Assume circular padding (the map wraps around), so borders play no role."


# ------------------------------------------------------------------ facts, each backed by a probe


def _facts(rng: random.Random, difficulty: int) -> list[tuple[str, str, dict[str, Any], Any]]:
    """True statements as ``(text, probe, args, expected measurement)``; harder facts join at higher difficulty."""
    a, b = pick(rng, (1, 2, 3, 4)), pick(rng, (1, 2, 3, 5))
    facts: list[tuple[str, str, dict[str, Any], Any]] = [
        (
            f"A circular ({a}, {b})-pixel input shift moves a stride-1 conv stack's maps by ({a}, {b}).",
            "conv_translation_equivariance",
            {"shift": [a, b]},
            True,
        ),
        (
            f"Convs + global average pooling give the same vector after a circular ({b}, {a}) shift.",
            "gap_translation_invariance",
            {"shift": [b, a]},
            True,
        ),
    ]
    if difficulty >= 2:
        k = pick(rng, (3, 5))
        facts.append(
            (
                f"Rotating the input by 90° does not, in general, rotate {k}×{k} conv maps by 90°.",
                "conv_rotation_equivariance",
                {"k": k},
                False,
            )
        )
    if difficulty >= 3:
        k = pick(rng, (3, 5))
        facts += [
            (
                f"After a stride-2 {k}×{k} conv, a 1-pixel input shift gives no exactly shifted map.",
                "feature_shift",
                {"layers": [["conv", k, 2]], "shift": 1, "size": 16},
                -1,
            ),
            (
                "Global average pooling gives one vector for any rearrangement of the positions.",
                "gap_loses_layout",
                {},
                True,
            ),
        ]
    return facts


def _false_claims(rng: random.Random, difficulty: int, n: int) -> list[tuple[str, str]]:
    """``n`` wrong claims, one per misconception, with numbers like the true ones (so no number marks the key)."""
    a, b, k, p = pick(rng, (1, 2, 3)), pick(rng, (2, 4, 5)), pick(rng, (3, 5)), pick(rng, (2, 3))
    claims: list[tuple[str, str]] = [
        (
            "equivariance_is_invariance",
            f"Shifting the input by ({a}, {b}) pixels leaves a conv layer's maps unchanged.",
        ),
        ("cnn_rotation_equivariant", f"Rotating the input by 90° rotates the maps of {k}×{k} conv layers by 90°."),
        ("pooling_rotation_invariant", f"A {p}×{p} max-pool makes a CNN invariant to rotations of its input."),
        (
            "shift_scrambles_features",
            f"A ({a}, {b})-pixel shift scrambles the feature maps: each position has its own weights.",
        ),
    ]
    if difficulty >= 2:
        claims.append(("rotation_fix_gap", "Global average pooling makes a CNN invariant to 90° rotations."))
    if difficulty >= 3:
        claims += [
            ("strided_shift_equivariant", f"After a stride-2 {k}×{k} conv, any 1-pixel input shift shifts the map."),
            ("gap_keeps_layout", "Global average pooling keeps where each feature was, position by position."),
        ]
    return one_per_trap(rng, claims, n)


def _fact_explanation() -> str:
    return (
        "**Equivariance** $f(Tx) = T\\,f(x)$: the output moves with the input; a conv applies the same filters at "
        "every position, so its maps shift with the input (in steps of the total stride). **Invariance** "
        "$f(Tx) = f(x)$: the output does not change; global pooling sums over positions, so a shift of the maps "
        "leaves the pooled vector unchanged. Neither holds for rotations: learned kernels are not rotation-symmetric "
        "(use augmentation or group-equivariant CNNs)."
    )


@generator(
    "equivariance.fact",
    topic="equivariance",
    title="Equivariance vs invariance: which is true?",
    kind="choice",
    version=2,
)
def fact(rng: random.Random, difficulty: int) -> dict[str, Any]:
    facts = _facts(rng, difficulty)
    text, probe, args, expect = pick(rng, facts)
    stem = (
        "Which statement about convolutional networks is **true**?"
        if difficulty < 3
        else "Exactly one of these statements about shifting, rotating and pooling a CNN's input is true. Which?"
    )
    return choice(
        rng,
        stem=stem,
        correct=text,
        distractors=_false_claims(rng, difficulty, 3),
        explanation=_fact_explanation(),
        params={"probe": probe, "args": args},
        witness=W.probe(probe, expect=expect, **args),
        correct_feedback="Correct: this is measured on live Keras layers.",
    )


# ------------------------------------------------------------------ where does the feature map move?


def _draw_stack(rng: random.Random, difficulty: int) -> dict[str, Any]:
    stack = pick(rng, STACKS[difficulty])
    total = _total_stride(stack)
    m = pick(rng, (1, 2, 3) if difficulty == 1 else (1, 2, 3, 4, 5))
    return {"stack": stack, "total_stride": total, "m": m, "shift": m * total}


@generator(
    "equivariance.peak_shift",
    topic="equivariance",
    title="How far does the feature map move?",
    kind="numeric",
    version=2,
)
def peak_shift(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw_stack(rng, difficulty)
    stack, total, s = p["stack"], p["total_stride"], p["shift"]
    key = F.feature_map_shift(s, [l[2] for l in stack])
    assert key is not None
    strides = [l[2] for l in stack]
    traps: list[tuple[str, Any]] = [
        ("feature_shift_ignores_stride", T.feature_shift_ignores_stride(s, strides)),
        ("equivariance_is_invariance", 0),
        ("feature_shift_times_stride", T.feature_shift_times_stride(s, strides)),
    ]
    if sum(st > 1 for st in strides) > 1:
        traps.insert(1, ("feature_shift_one_stride", T.feature_shift_one_stride(s, strides)))
    return numeric(
        stem=(
            f"A feature extractor applies {_stack_text(stack)} to an image. {CIRCULAR} "
            f"The object in the image moves **down by {s} pixels**. By how many rows does the pattern in the last "
            "feature map move?"
        ),
        key=key,
        traps=traps,
        unit="rows",
        explanation=(
            f"Convs and pools are translation-*equivariant*: the output is the same map, shifted. One step of the "
            f"last map covers the product of all strides, ${_total_stride_text(stack, total)}$ input pixels, so a "
            f"shift of {s} pixels moves it by ${s}/{total} = {key}$ {noun(key, 'row')}. (A shift that is not a multiple of {total} "
            "would give no exact shifted copy.)"
        ),
        params={"layers": _stack_args(stack), "shift": s, "total_stride": total},
        witness=W.probe("feature_shift", layers=_stack_args(stack), shift=s, size=_witness_size(total)),
    )


@generator(
    "equivariance.shift_map", topic="equivariance", title="Shift the input: what happens?", kind="choice", version=2
)
def shift_map(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw_stack(rng, difficulty)
    stack, total = p["stack"], p["total_stride"]
    m1, m2 = p["m"], pick(rng, (1, 2, 3))
    sr, sc = m1 * total, m2 * total
    form = "map" if difficulty == 1 else pick(rng, ("map", "gap") if difficulty == 2 else ("map", "gap", "odd"))
    size = _witness_size(total)
    layers = _stack_args(stack)
    params = {"layers": layers, "form": form, "total_stride": total}
    if form == "odd":
        sr, sc = pick(rng, [v for v in range(1, 2 * total) if v % total]), 0
    params["shift"] = [sr, sc]
    head = f"A network applies {_stack_text(stack)}. {CIRCULAR} The input image is shifted by ({sr}, {sc}) pixels."
    if form == "gap":
        return choice(
            rng,
            stem=f"{head} The last feature map then goes through **global average pooling**. What happens to the "
            "pooled vector?",
            correct="It does not change: global pooling makes the output translation-invariant.",
            distractors=[
                ("equivariance_is_invariance", f"It moves by ({m1}, {m2}) positions, like the feature maps."),
                ("gap_keeps_layout", f"It moves by ({sr}, {sc}), since global pooling keeps where each feature was."),
                (
                    "shift_scrambles_features",
                    "It changes unpredictably, because each position is processed differently.",
                ),
            ],
            explanation=(
                f"The feature maps are equivariant: they move by $({sr}/{total}, {sc}/{total}) = ({m1}, {m2})$ "
                "positions. Global average pooling then sums over all positions, and a sum does not depend on where "
                "its terms sit: $f(Tx) = f(x)$, invariance."
            ),
            params=params,
            witness=W.probe("gap_shift_invariant", expect=True, layers=layers, shift=[sr, sc], size=size),
        )
    if form == "odd":
        return choice(
            rng,
            stem=f"{head} What happens to the last feature map?",
            correct=(
                f"It is not an exact shifted copy: the map moves in steps of {total} input pixels, and a shift by a "
                "non-multiple changes its values."
            ),
            distractors=[
                ("strided_shift_equivariant", f"It is the same map, shifted by ({sr}, {sc}) positions."),
                ("equivariance_is_invariance", "It does not change at all."),
                (
                    "feature_shift_times_stride",
                    f"It is the same map, shifted by ({sr * total}, {sc * total}) positions.",
                ),
            ],
            explanation=(
                f"One output step spans the total stride ${_total_stride_text(stack, total)}$ input pixels. Shifts by "
                f"multiples of {total} move the map by whole positions; a shift of {plural(sr, 'pixel')} falls between output "
                "positions, so each output window now sees different pixels (aliasing): strided CNNs are only "
                f"equivariant to shifts by multiples of {total}."
            ),
            params=params,
            witness=W.probe("feature_shift", expect=[-1, -1], layers=layers, shift=[sr, sc], size=size),
        )
    return choice(
        rng,
        stem=f"{head} What happens to the last feature map?",
        correct=f"It is the same map, shifted by ({m1}, {m2}) positions.",
        distractors=[
            ("feature_shift_ignores_stride", f"It is the same map, shifted by ({sr}, {sc}) positions."),
            ("equivariance_is_invariance", "It does not change: convolutions are translation-invariant."),
            ("feature_shift_times_stride", f"It is the same map, shifted by ({sr * total}, {sc * total}) positions."),
            "shift_scrambles_features",
        ],
        explanation=(
            f"Convs and pools are translation-equivariant, $f(Tx) = T\\,f(x)$. With total stride "
            f"${_total_stride_text(stack, total)}$ one output position spans {plural(total, 'input pixel')}, so the shift "
            f"$({sr}, {sc})$ becomes $({sr}/{total}, {sc}/{total}) = ({m1}, {m2})$ positions."
        ),
        params=params,
        witness=W.probe("feature_shift", expect=[m1, m2], layers=layers, shift=[sr, sc], size=size),
    )


# ------------------------------------------------------------------ rotations


@generator("equivariance.rotation", topic="equivariance", title="CNNs and rotations", kind="choice", version=2)
def rotation(rng: random.Random, difficulty: int) -> dict[str, Any]:
    k = pick(rng, (3, 5))
    size = pick(rng, (12, 16))
    digit = pick(rng, ("handwritten digits", "upright street signs", "satellite tiles", "X-ray images"))
    args = {
        "explanation": (
            f"{T.get('cnn_rotation_equivariant').feedback} Measured: a stack of {k}×{k} conv layers applied to a "
            "90°-rotated input does not give the 90°-rotated feature maps."
        ),
        "params": {"k": k, "size": size, "setting": digit},
        "witness": W.probe("conv_rotation_equivariance", expect=False, k=k, size=size),
    }
    if difficulty == 1:
        return claims_choice(
            rng,
            stem=(
                f"A CNN with {k}×{k} kernels is trained on {digit} without rotation augmentation. At test time an image "
                "is rotated by 90°. What happens to the feature maps of its conv layers?"
            ),
            right=[
                "In general they are not the original maps rotated: convolution follows shifts only.",
                f"They change in no predictable way: learned {k}×{k} kernels are not rotation-symmetric.",
                "They are new maps, not rotated copies: equivariance holds for translations only.",
            ],
            wrong=[
                ("cnn_rotation_equivariant", "They are the original maps, rotated by 90°: convs follow rotations."),
                ("weight_sharing_rotation", "They are identical to the original maps, because weights are shared."),
                ("pooling_rotation_invariant", "Max pooling undoes the rotation, so the pooled maps are unchanged."),
                ("rotation_fix_gap", "Global average pooling removes the rotation before the maps are used."),
            ],
            **args,
        )
    if difficulty == 2:
        return claims_choice(
            rng,
            stem=(
                f"A CNN (conv layers with {k}×{k} kernels, max pooling, global average pooling, a dense classifier) is "
                f"trained on {digit}. Which statement about its behaviour on 90°-rotated inputs is true?"
            ),
            right=[
                "Neither its feature maps nor its prediction are guaranteed to follow the rotation.",
                "Its prediction may change: no layer of it is built to handle rotations.",
                "Its feature maps are not rotated copies, so its output can change.",
            ],
            wrong=[
                ("rotation_fix_gap", "Its global average pooling makes the prediction rotation-invariant."),
                ("pooling_rotation_invariant", "Its max pooling makes the prediction rotation-invariant."),
                (
                    "cnn_rotation_equivariant",
                    "Its feature maps rotate with the input; only the classifier is confused.",
                ),
                (
                    "equivariance_is_invariance",
                    "Its maps are invariant to rotations, like its pooled vector is to shifts.",
                ),
            ],
            **args,
        )
    return claims_choice(
        rng,
        stem=(
            f"A CNN trained on {digit} must recognise them at any orientation. Which change actually gives it "
            "robustness to rotations?"
        ),
        right=[
            "Random-rotation augmentation: every orientation is seen in training.",
            "Group-equivariant convolutions (G-CNNs): rotations become built in.",
            "Train on rotated copies, or use rotation-equivariant layers.",
        ],
        wrong=[
            ("pooling_rotation_invariant", "Add more max-pooling layers, which remove rotations."),
            ("rotation_fix_gap", "Add global average pooling: it makes the net rotation-invariant."),
            ("cnn_rotation_equivariant", "Nothing: convolution is already rotation-equivariant."),
            ("weight_sharing_rotation", "Share the weights more widely: sharing makes convs rotation-proof."),
        ],
        **args,
    )


# ------------------------------------------------------------------ select all that apply


@generator(
    "equivariance.statements", topic="equivariance", title="Equivariance: select all true", kind="choice", version=2
)
def statements(rng: random.Random, difficulty: int) -> dict[str, Any]:
    facts = _facts(rng, max(difficulty, 2))
    rng.shuffle(facts)
    n_true = 2 if difficulty == 1 else pick(rng, (2, 3))
    chosen = facts[:n_true]
    stem = (
        "Select **all** true statements about convolutional networks."
        if difficulty < 3
        else "Which of these statements about strided convs, rotations and global pooling hold? Select all that apply."
    )
    return multi_select(
        rng,
        stem=stem,
        correct=[f[0] for f in chosen],
        wrong=_false_claims(rng, difficulty, 2 if difficulty < 3 else 3),
        explanation=_fact_explanation(),
        params={"probes": [f[1] for f in chosen]},
        witness=W.probe("measure_each", expect=[f[3] for f in chosen], checks=[[f[1], f[2]] for f in chosen]),
    )
