"""Receptive field: stacks, strides (the jump), dilations, pools, and branching graphs (max over paths)."""

from __future__ import annotations

import random
from typing import Any

from .. import formulas as F
from .. import traps as T
from .. import witness as W
from .base import POOL_CLASS, Redraw, article, fmt, generator, numeric, numeric_choice, pick, topic

TOPIC = topic(
    "receptive_field",
    "Receptive field",
    "How far an output sees: 1 + L(K−1) for stacks, the jump after strides and pools, dilation, and the max over the "
    "paths of a branching graph.",
)

Layer = dict[str, Any]
RECURSION = (
    "$r_l = r_{l-1} + (K_l - 1)\\,d_l\\,j_{l-1}$, $j_l = j_{l-1} S_l$, starting from $r_0 = j_0 = 1$ "
    "(the jump $j$ is the product of the strides so far)"
)


def _conv(k: int, s: int = 1, d: int = 1) -> Layer:
    return {"op": "conv", "k": k, "s": s, "d": d}


def _pool(kind: str, k: int, s: int | None = None) -> Layer:
    return {"op": kind, "k": k, "s": k if s is None else s, "d": 1, "dflt": s is None}


def _rf_layers(layers: list[Layer]) -> list[F.RFLayer]:
    return [F.RFLayer(lay["k"], lay["s"], lay["d"]) for lay in layers]


def _rf(layers: list[Layer]) -> tuple[int, int]:
    return F.receptive_field(_rf_layers(layers))


def _text(lay: Layer, filters: int = 8, padding: str | None = None) -> str:
    pad = f", padding='{padding}'" if padding else ""
    if lay["op"] == "conv":
        s = f", strides={lay['s']}" if lay["s"] > 1 else ""
        d = f", dilation_rate={lay['d']}" if lay["d"] > 1 else ""
        return f"`Conv2D({filters}, {lay['k']}{s}{d}{pad})`"
    s = "" if lay.get("dflt") else f", strides={lay['s']}"
    return f"`{POOL_CLASS[lay['op']]}({lay['k']}{s}{pad})`"


def _keras(lay: Layer, filters: int = 1, padding: str = "valid") -> dict[str, Any]:
    if lay["op"] == "conv":
        return W.conv2d(filters, lay["k"], strides=lay["s"], dilation=lay["d"], padding=padding)
    return W.pool2d(lay["op"], lay["k"], strides=lay["s"], padding=padding)


def _side(rf: int, jump: int) -> int:
    """An input big enough that the centre output's receptive field lies well inside it."""
    return 2 * rf + jump + 2


def _witness(layers: list[Layer], side: int) -> Any:
    return W.sequential([side, side, 1], [_keras(lay) for lay in layers], "receptive_field")


def _derivation(layers: list[Layer]) -> str:
    r, j = 1, 1
    rows = []
    for i, lay in enumerate(layers):
        add = (lay["k"] - 1) * lay["d"] * j
        dd = f"\\cdot{lay['d']}" if lay["d"] > 1 else ""
        rows.append(
            f"{i + 1}. {_text(lay)}: $r = {r} + ({lay['k']}-1){dd}\\cdot{j} = {r + add}$"
            + (f", jump becomes ${j}\\cdot{lay['s']} = {j * lay['s']}$" if lay["s"] > 1 else "")
        )
        r, j = r + add, j * lay["s"]
    return "\n".join(rows)


def _chain_traps(layers: list[Layer], rfl: list[F.RFLayer], r: int, uniform: bool = False) -> list[tuple[str, int]]:
    traps: list[tuple[str, int]] = [
        ("rf_ignored_stride", T.rf_ignored_stride(rfl)),
        ("rf_l_times_k", T.rf_l_times_k(rfl)),
    ]
    if any(lay["d"] > 1 for lay in layers):
        traps.append(("dilation_as_k_times_d", T.rf_dilation_as_kd(rfl)))
        traps.append(("ignored_dilation", r - sum((x.k - 1) * (x.d - 1) * j for x, j in zip(rfl, _jumps(rfl)))))
    traps.append(("rf_forgot_one", T.rf_forgot_one(rfl)))
    if uniform:
        traps.append(("rf_one_layer_short", T.rf_one_layer_short(rfl)))
    return traps


def _jumps(rfl: list[F.RFLayer]) -> list[int]:
    """The jump *before* each layer."""
    out, j = [], 1
    for x in rfl:
        out.append(j)
        j *= x.s
    return out


# ------------------------------------------------------------------ chains


def _draw_chain(rng: random.Random, difficulty: int) -> tuple[list[Layer], bool]:
    """A chain of convs and pools ('valid'); ``True`` if it is a uniform stride-1 stack."""
    if difficulty == 1:
        k = pick(rng, (3, 3, 3, 5, 7))
        n = rng.randint(2, 6) if k == 3 else rng.randint(2, 4)
        return [_conv(k) for _ in range(n)], True
    if difficulty == 2:
        if rng.random() < 0.3:  # the textbook case: 3×3 convs with one stride-2 pool somewhere in the middle
            n = rng.randint(4, 6)
            at = rng.randint(1, n - 1)
            layers = [_conv(3) for _ in range(n)]
            layers.insert(at, _pool("max", 2))
            return layers, False
        layers = [_conv(pick(rng, (3, 5, 7)), pick(rng, (1, 2)))]
        for _ in range(rng.randint(2, 4)):
            r = rng.random()
            if r < 0.6:
                layers.append(_conv(3))
            elif r < 0.8:
                layers.append(_pool(pick(rng, ("max", "avg")), 2))
            else:
                layers.append(pick(rng, (_pool("max", 3, 2), _conv(3, 2))))
        if all(lay["s"] == 1 for lay in layers):
            raise Redraw
        return layers, False
    layers = [_conv(pick(rng, (3, 5, 7)), pick(rng, (1, 2)))]
    for _ in range(rng.randint(3, 5)):
        r = rng.random()
        if r < 0.35:
            layers.append(_conv(3, 1, pick(rng, (2, 3, 4))))
        elif r < 0.6:
            layers.append(_conv(pick(rng, (3, 5))))
        elif r < 0.8:
            layers.append(_pool(pick(rng, ("max", "avg")), pick(rng, (2, 3)), pick(rng, (None, 2))))
        else:
            layers.append(_conv(3, 2))
    if all(lay["s"] == 1 for lay in layers) or all(lay["d"] == 1 for lay in layers):
        raise Redraw
    return layers, False


def _chain_question(rng: random.Random, difficulty: int) -> dict[str, Any]:
    layers, uniform = _draw_chain(rng, difficulty)
    rfl = _rf_layers(layers)
    r, j = F.receptive_field(rfl)
    if uniform:
        n, k = len(layers), layers[0]["k"]
        desc = f"{n} stacked {k}×{k} convolutions (stride 1, 'valid', `Conv2D(8, {k})` each)"
        ask = (
            f"What is the receptive field (side, in input pixels) of one output pixel of {desc}? "
            f"Equivalently: which single $K\\times K$ conv sees the same window?"
        )
        expl = (
            f"Each stride-1 $K\\times K$ layer adds $K-1$: $RF = 1 + L(K-1) = 1 + {n}\\cdot{k - 1} = {r}$ "
            f"(five 3×3 → 11; three 3×3 → 7). One output sees {article(str(r))} {r}×{r} window, like a single {r}×{r} conv."
        )
    else:
        listing = "\n".join(f"{i + 1}. {_text(lay)}" for i, lay in enumerate(layers))
        ask = (
            "What is the receptive field (side, in input pixels) of one output pixel of this stack? All layers use "
            f"'valid' padding.\n\n{listing}"
        )
        expl = f"Use the recursion {RECURSION}:\n\n{_derivation(layers)}\n\nRF = {r}×{r}."
        if any(lay["s"] > 1 for lay in layers):
            expl += (
                " After a stride-2 layer every later $K\\times K$ layer adds $(K-1)\\cdot 2$ instead of $K-1$: "
                "downsampling makes the RF grow twice as fast."
            )
    return {
        "stem": ask,
        "key": r,
        "traps": _chain_traps(layers, rfl, r, uniform),
        "explanation": expl,
        "params": {"layers": layers, "jump": j},
        "witness": _witness(layers, _side(r, j)),
    }


@generator(
    "receptive_field.stack", topic="receptive_field", title="Receptive field of a stack", kind="numeric", version=2
)
def stack(rng: random.Random, difficulty: int) -> dict[str, Any]:
    return numeric(**_chain_question(rng, difficulty), unit="pixels")


@generator("receptive_field.pick", topic="receptive_field", title="Pick the receptive field", kind="choice", version=2)
def pick_rf(rng: random.Random, difficulty: int) -> dict[str, Any]:
    q = _chain_question(rng, difficulty)
    return numeric_choice(rng, **q, render=lambda v: f"{fmt(v)}×{fmt(v)}")


# ------------------------------------------------------------------ growth of one more layer


@generator(
    "receptive_field.growth", topic="receptive_field", title="How much one more layer adds", kind="numeric", version=2
)
def growth(rng: random.Random, difficulty: int) -> dict[str, Any]:
    k, d = 3, 1
    if difficulty == 1:  # one or two stride-2 pools before the new layer: a jump of 2 or 4, a 3×3 or 5×5 appended
        k = pick(rng, (3, 5))
        prefix = [_conv(3) for _ in range(rng.randint(1, 3))]
        for _ in range(pick(rng, (1, 2))):
            prefix.append(_pool(pick(rng, ("max", "avg")), 2))
            prefix += [_conv(3) for _ in range(rng.randint(0, 2))]
    elif difficulty == 2:
        k = pick(rng, (3, 5))
        prefix = [_conv(pick(rng, (3, 5, 7)), pick(rng, (1, 2)))]
        for _ in range(rng.randint(2, 4)):
            prefix.append(pick(rng, (_conv(3), _pool("max", 2), _conv(3, 2), _pool("max", 3, 2), _conv(3))))
    else:
        k, d = pick(rng, (3, 5)), pick(rng, (1, 2, 3, 4))
        prefix = [_conv(pick(rng, (3, 5, 7)), 2)]
        for _ in range(rng.randint(2, 4)):
            prefix.append(pick(rng, (_conv(3), _pool("max", 2), _conv(3, 2), _pool("avg", 3, 2), _conv(3, 1, 2))))
    r0, j = _rf(prefix)
    if j == 1:
        raise Redraw
    new = _conv(k, 1, d)
    key = (k - 1) * d * j
    r1 = r0 + key
    listing = "\n".join(f"{i + 1}. {_text(lay)}" for i, lay in enumerate(prefix))
    traps: list[tuple[Any, ...]] = [
        ("rf_ignored_stride", (k - 1) * d),
        (
            "rf_l_times_k",
            k,
            f"A {k}×{k} layer reaches K − 1 = {k - 1} taps beyond its first, each one jump apart, so it widens the "
            f"receptive field by (K − 1)·d·j, not by K.",
        ),
    ]
    if d > 1:
        traps += [("dilation_as_k_times_d", (k * d - 1) * j), ("ignored_dilation", (k - 1) * j)]
    stem = (
        f"This stack ('valid' padding) has a receptive field of {r0}×{r0} input pixels:\n\n{listing}\n\n"
        f"One more layer, {_text(new)} (stride 1), is appended at the end. By how many input pixels does the "
        "receptive field's side grow?"
    )
    dd = f"\\cdot {d}" if d > 1 else ""
    expl = (
        f"The jump before the new layer is the product of the strides so far, $j = {j}$: neighbouring taps of the new "
        f"kernel are {j * d} input pixels apart. It adds $(K-1){dd}\\cdot j = ({k}-1){dd}\\cdot{j} = {key}$, so the RF "
        f"goes from {r0} to {r1}. A stride-2 layer (pool or conv) doubles how fast every later layer grows the RF."
    )
    side = _side(r1, j)
    witness = W.combine("difference", _witness([*prefix, new], side), _witness(prefix, side))
    return numeric(
        stem=stem,
        key=key,
        traps=traps,
        explanation=expl,
        params={"prefix": prefix, "k": k, "d": d, "jump": j, "rf_before": r0},
        witness=witness,
        unit="pixels",
    )


# ------------------------------------------------------------------ branching graphs


BRANCH_MENU: tuple[tuple[Layer, ...], ...] = (
    (_conv(1),),
    (_conv(3),),
    (_conv(5),),
    (_conv(1), _conv(3)),
    (_conv(1), _conv(5)),
    (_conv(3), _conv(3)),
    (_conv(1), _conv(3), _conv(3)),
    (_pool("max", 3, 1), _conv(1)),
)


def _growth(branch: tuple[Layer, ...] | list[Layer]) -> int:
    return sum((lay["k"] - 1) * lay["d"] for lay in branch)


def _block(rng: random.Random, difficulty: int) -> dict[str, Any]:
    """One block: parallel branches (stride 1, 'same') merged by Concatenate or Add (with an identity skip)."""
    kind = pick(rng, ("inception", "residual") if difficulty < 3 else ("inception", "residual", "aspp"))
    if kind == "inception":
        idx = rng.sample(range(len(BRANCH_MENU)), rng.randint(2, 4))
        branches = [list(BRANCH_MENU[i]) for i in sorted(idx)]
    elif kind == "residual":
        branches = [pick(rng, ([_conv(3), _conv(3)], [_conv(1), _conv(3), _conv(1)], [_conv(3)], [_conv(5)]))]
    else:
        rates = sorted(rng.sample((2, 3, 4, 6), rng.randint(1, 3)))
        branches = [[_conv(1)], [_conv(3)]] + [[_conv(3, 1, r)] for r in rates]
    return {"kind": kind, "branches": branches}


def _block_growths(block: dict[str, Any]) -> list[int]:
    g = [_growth(b) for b in block["branches"]]
    return [*g, 0] if block["kind"] == "residual" else g


def _graph_rf(segments: list[dict[str, Any]], mode: str = "max") -> int:
    """RF of trunk layers and blocks; ``mode`` picks a block's growth: max (right), sum, min, kd (dilation as K·d),
    or nostride (the jump ignored)."""
    r, j = 1, 1
    for seg in segments:
        if seg["kind"] == "layer":
            lay = seg["layer"]
            r += (lay["k"] - 1) * lay["d"] * (1 if mode == "nostride" else j)
            j *= lay["s"]
            continue
        if mode == "kd":
            gs = [
                sum((lay["k"] * lay["d"] - 1) if lay["d"] > 1 else lay["k"] - 1 for lay in b) for b in seg["branches"]
            ]
            gs += [0] if seg["kind"] == "residual" else []
        else:
            gs = _block_growths(seg)
        g = {"sum": sum(gs), "min": min(gs)}.get(mode, max(gs))
        r += g * (1 if mode == "nostride" else j)
    return r


def _draw_graph(rng: random.Random, difficulty: int) -> list[dict[str, Any]]:
    def trunk(lay: Layer) -> dict[str, Any]:
        return {"kind": "layer", "layer": lay}

    if difficulty == 1:  # one block, with a plain stride-1 conv before it half of the time
        segs = [_block(rng, 1)]
        if rng.random() < 0.5:
            segs.insert(0, trunk(pick(rng, (_conv(3), _conv(5)))))
        return segs
    if difficulty == 2:
        segs = [trunk(pick(rng, (_conv(3, 2), _conv(7, 2), _conv(3), _conv(5))))]
        if rng.random() < 0.5:
            segs.append(trunk(_pool("max", 2)))
        segs.append(_block(rng, 2))
        if rng.random() < 0.5:
            segs.append(trunk(_conv(3)))
        return segs
    segs = [trunk(pick(rng, (_conv(3, 2), _conv(7, 2), _conv(5))))]
    segs.append(_block(rng, 3))
    segs.append(trunk(pick(rng, (_pool("max", 2), _conv(3, 2), _pool("avg", 3, 2)))))
    segs.append(_block(rng, 3))
    return segs


def _graph_witness(segments: list[dict[str, Any]], side: int) -> Any:
    g = W.Graph([side, side, 1])
    x, c = g.input, 1
    for seg in segments:
        if seg["kind"] == "layer":
            x = g.add(_keras(seg["layer"], filters=2 if seg["layer"]["op"] == "conv" else c), x)
            c = 2 if seg["layer"]["op"] == "conv" else c
            continue
        outs = []
        for b in seg["branches"]:
            y, cb = x, c
            f = c if seg["kind"] == "residual" else 1  # an Add needs the block's own width back
            for lay in b:
                y = g.add(_keras(lay, filters=f if lay["op"] == "conv" else cb, padding="same"), y)
                cb = f if lay["op"] == "conv" else cb
            outs.append((y, cb))
        if seg["kind"] == "residual":
            x = g.add(W.layer("Add"), [x] + [o for o, _ in outs])
        else:
            x = g.add(W.layer("Concatenate", axis=-1), [o for o, _ in outs])
            c = sum(cb for _, cb in outs)
    return g.witness(x, "receptive_field")


def _branch_text(b: list[Layer]) -> str:
    return " → ".join(_text(lay, padding="same") for lay in b)


def _graph_text(segments: list[dict[str, Any]]) -> str:
    rows = []
    for i, seg in enumerate(segments):
        if seg["kind"] == "layer":
            rows.append(f"{i + 1}. {_text(seg['layer'])} ('valid')")
        elif seg["kind"] == "residual":
            rows.append(
                f"{i + 1}. A residual block $y = x + F(x)$ with $F$ = {_branch_text(seg['branches'][0])} "
                "(identity skip, merged by `Add`)"
            )
        else:
            name = "An Inception-style block" if seg["kind"] == "inception" else "An ASPP-style block"
            parts = "; ".join(f"({chr(97 + j)}) {_branch_text(b)}" for j, b in enumerate(seg["branches"]))
            rows.append(f"{i + 1}. {name}, parallel branches concatenated: {parts}")
    return "\n".join(rows)


@generator(
    "receptive_field.branches",
    topic="receptive_field",
    title="Receptive field of a branching graph",
    kind="numeric",
    version=2,
)
def branches(rng: random.Random, difficulty: int) -> dict[str, Any]:
    segs = _draw_graph(rng, difficulty)
    if segs[-1]["kind"] in ("inception", "aspp"):
        # a 1×1 conv mixes the concatenated channels, so one output pixel (every channel) has a single RF
        segs.append({"kind": "layer", "layer": _conv(1)})
    key = _graph_rf(segs)
    traps: list[tuple[str, int]] = [
        ("rf_branches_summed", _graph_rf(segs, "sum")),
        ("rf_shortest_path", _graph_rf(segs, "min")),
    ]
    if difficulty > 1:
        traps.append(("rf_ignored_stride", _graph_rf(segs, "nostride")))
    if any(lay["d"] > 1 for s in segs if s["kind"] != "layer" for b in s["branches"] for lay in b):
        traps.append(("dilation_as_k_times_d", _graph_rf(segs, "kd")))
    jump = 1
    lines = []
    r = 1
    for seg in segs:
        if seg["kind"] == "layer":
            lay = seg["layer"]
            add = (lay["k"] - 1) * lay["d"] * jump
            lines.append(f"- {_text(lay)}: $+({lay['k']}-1)\\cdot{jump} = +{add}$ → {r + add}")
            r += add
            jump *= lay["s"]
        else:
            gs = _block_growths(seg)
            add = max(gs) * jump
            paths = ", ".join(str(g) for g in gs)
            lines.append(
                f"- block: the paths grow the RF by {paths} (in units of the jump {jump}"
                f"{'; the skip adds 0' if seg['kind'] == 'residual' else ''}); the longest counts: "
                f"$+{max(gs)}\\cdot{jump} = +{add}$ → {r + add}"
            )
            r += add
    stem = (
        "What is the receptive field (side, in input pixels) of one output pixel of this network? Inside blocks every "
        "layer has stride 1 and 'same' padding; the other layers use 'valid'.\n\n" + _graph_text(segs)
    )
    expl = (
        "An output depends on every input pixel that *any* path reaches, so a block adds the growth of its longest "
        "path (max over paths, not the sum; a skip or 1×1 path adds nothing but does not shrink it). Each $K\\times K$ "
        "layer adds $(K-1)\\cdot d$ times the current jump:\n\n" + "\n".join(lines) + f"\n\nRF = {key}×{key}."
    )
    side = _side(key, jump)
    return numeric(
        stem=stem,
        key=key,
        traps=traps,
        explanation=expl,
        params={"segments": segs},
        witness=_graph_witness(segs, side),
        unit="pixels",
    )
