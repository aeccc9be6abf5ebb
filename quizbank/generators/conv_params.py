"""Conv layer parameter counts: ``(K·K·C_in/groups + 1)·C_out``, independent of H and W."""

from __future__ import annotations

import random
from typing import Any

from .. import formulas as F
from .. import traps as T
from .. import witness as W
from .base import article, fmt, generator, numeric, numeric_choice, pick, topic, with_article

TOPIC = topic("conv_params", "Conv parameters", "Weights and biases of Conv1D/2D/3D layers; why H and W do not matter.")

WIDTHS = {
    1: (1, 3, 8, 16, 32, 64),
    2: (3, 16, 24, 32, 48, 64, 96, 128, 256),
    3: (3, 24, 48, 96, 192, 256, 384, 512, 768),
}


def _draw(rng: random.Random, difficulty: int) -> dict[str, Any]:
    """Parameters of one conv layer, harder with difficulty (no bias, Conv1D/3D, groups)."""
    dims, k_t, groups, bias = 2, 1, 1, True
    k = pick(rng, (1, 3, 5) if difficulty == 1 else (1, 3, 5, 7))
    c_in, c_out = pick(rng, WIDTHS[difficulty]), pick(rng, WIDTHS[difficulty][1:])
    h = pick(rng, (28, 32, 56, 64, 112, 224))
    if difficulty >= 2:
        bias = rng.random() < 0.6
    if difficulty == 3:
        form = pick(rng, ("2d", "1d", "3d", "grouped"))
        if form == "1d":
            dims = 1
        elif form == "3d":
            dims, k_t = 3, pick(rng, (1, 3, 5))
        elif form == "grouped":
            groups = pick(rng, (2, 4, 8, 32))
            c_in, c_out = groups * pick(rng, (1, 4, 8, 16)), groups * pick(rng, (2, 4, 8, 16))
    return {
        "dims": dims,
        "k": k,
        "k_t": k_t,
        "c_in": c_in,
        "c_out": c_out,
        "bias": bias,
        "groups": groups,
        "h": h,
        "w": h,
    }


def _layer_text(p: dict[str, Any]) -> str:
    bias = "" if p["bias"] else ", use_bias=False"
    grp = f", groups={p['groups']}" if p["groups"] > 1 else ""
    if p["dims"] == 1:
        return f"`Conv1D({p['c_out']}, {p['k']}{bias})` on a length-{p['h']} signal with {p['c_in']} channels"
    if p["dims"] == 3:
        return (
            f"`Conv3D({p['c_out']}, ({p['k_t']}, {p['k']}, {p['k']}){bias})` on a 16×{p['h']}×{p['w']} clip "
            f"with {p['c_in']} channels"
        )
    return f"`Conv2D({p['c_out']}, {p['k']}{bias}{grp})` on {article(str(p['h']))} {p['h']}×{p['w']}×{p['c_in']} input"


def _input_shape(p: dict[str, Any]) -> list[int]:
    if p["dims"] == 1:
        return [p["h"], p["c_in"]]
    if p["dims"] == 3:
        return [16, p["h"], p["w"], p["c_in"]]
    return [p["h"], p["w"], p["c_in"]]


def _witness(p: dict[str, Any], h: int | None = None) -> Any:
    k = (p["k_t"], p["k"], p["k"]) if p["dims"] == 3 else p["k"]
    shape = _input_shape(p)
    if h is not None:
        shape = [
            h if i in ((1, 2) if p["dims"] == 3 else (0, 1) if p["dims"] == 2 else (0,)) else s
            for i, s in enumerate(shape)
        ]
    layer = W.conv(p["dims"], p["c_out"], k, use_bias=p["bias"], groups=p["groups"])
    return W.sequential(shape, [layer], "count_params")


def _key_and_traps(p: dict[str, Any]) -> tuple[int, list[tuple[str, int]]]:
    kw = {"dims": p["dims"], "k_t": p["k_t"], "groups": p["groups"]}
    key = F.conv_params(p["k"], p["c_in"], p["c_out"], bias=p["bias"], **kw)
    pixels = p["h"] * p["w"] if p["dims"] == 2 else p["h"] if p["dims"] == 1 else 16 * p["h"] * p["w"]
    traps: list[tuple[str, int]] = [("conv_times_hw", key * pixels)]
    if p["bias"]:
        traps += [
            ("forgot_bias", T.conv_forgot_bias(p["k"], p["c_in"], p["c_out"], **kw)),
            ("bias_per_input_channel", T.conv_bias_per_input_channel(p["k"], p["c_in"], p["c_out"], **kw)),
        ]
    else:  # the mirror slip: a bias per filter that use_bias=False removed (its feedback says so)
        traps.append(("forgot_bias", F.conv_params(p["k"], p["c_in"], p["c_out"], bias=True, **kw)))
    if p["dims"] == 3:
        traps.append(
            ("c3d_factor_k_squared", F.conv_params(p["k"], p["c_in"], p["c_out"], bias=p["bias"]) * p["k_t"] ** 2)
        )
    if p["groups"] > 1:
        traps.append(("groups_ignored", T.conv_groups_ignored(p["k"], p["c_in"], p["c_out"], bias=p["bias"], **kw)))
    return key, traps


def _explanation(p: dict[str, Any], key: int) -> str:
    kk = {1: "K", 2: "K\\cdot K", 3: "K_t\\cdot K\\cdot K"}[p["dims"]]
    kval = {1: f"{p['k']}", 2: f"{p['k']}\\cdot{p['k']}", 3: f"{p['k_t']}\\cdot{p['k']}\\cdot{p['k']}"}[p["dims"]]
    cin = f"{p['c_in']}/{p['groups']}" if p["groups"] > 1 else f"{p['c_in']}"
    b = " + 1" if p["bias"] else ""
    text = (
        f"Each of the $C_{{out}}={p['c_out']}$ filters has ${kk}\\cdot C_{{in}}{'/g' if p['groups'] > 1 else ''}$ weights"
        f"{' and one bias' if p['bias'] else ' and no bias (`use_bias=False`)'}: "
        f"$({kval}\\cdot {cin}{b})\\cdot {p['c_out']} = {fmt(key)}$. "
        "The input's spatial size does not enter: the same filters slide over every position."
    )
    if p["groups"] > 1:
        text += f" With `groups={p['groups']}` each filter sees only $C_{{in}}/g$ input channels."
    return text


@generator("conv_params.count", topic="conv_params", title="Count a conv layer's parameters", kind="numeric", version=2)
def count(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw(rng, difficulty)
    key, traps = _key_and_traps(p)
    return numeric(
        stem=f"How many parameters (weights and biases) does {_layer_text(p)} have?",
        key=key,
        traps=traps,
        explanation=_explanation(p, key),
        params=p,
        witness=_witness(p),
    )


@generator(
    "conv_params.pick", topic="conv_params", title="Pick a conv layer's parameter count", kind="choice", version=2
)
def pick_count(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw(rng, difficulty)
    key, traps = _key_and_traps(p)
    return numeric_choice(
        rng,
        stem=f"How many parameters does {_layer_text(p)} have?",
        key=key,
        traps=traps,
        explanation=_explanation(p, key),
        params=p,
        witness=_witness(p),
    )


@generator(
    "conv_params.resolution", topic="conv_params", title="Conv params when the input grows", kind="choice", version=2
)
def resolution(rng: random.Random, difficulty: int) -> dict[str, Any]:
    """The same layer on a larger input: the count (never printed in the stem) does not change."""
    p = _draw(rng, difficulty)
    factor = pick(rng, (2, 4) if difficulty < 3 else (2, 3, 4))
    h2 = p["h"] * factor
    p["h2"] = h2
    key, traps = _key_and_traps({**p, "h": h2, "w": h2})
    spatial = 1 if p["dims"] == 1 else 2
    grown = key * factor**spatial
    c_in = p["c_in"]
    bigger = {1: f"a length-{h2} signal", 2: f"{with_article(f'{h2}×{h2}×{c_in}')} input"}.get(
        p["dims"], f"a 16×{h2}×{h2} clip"
    )
    traps.insert(
        0,
        (
            "conv_params_depend_on_hw",
            grown,
            f"The input has {factor}{'' if spatial == 1 else '²'} times the positions, but the filters did not grow: they slide "
            f"the same {fmt(key)} parameters over every position, so the count stays {fmt(key)}.",
        ),
    )
    return numeric_choice(
        rng,
        stem=(
            f"{_layer_text(p)} is applied, with the same weights, to {bigger}. How many parameters does it have there?"
        ),
        key=key,
        traps=traps,
        explanation=_explanation(p, key)
        + f" On the larger input only the number of *positions* changes (×{factor}{'' if spatial == 1 else '²'}), "
        "and with it the MACs, never the parameters.",
        params=p,
        witness=_witness(p, h2),
    )
