"""Spatial output size of convs and pools: explicit ``P``, Keras ``'same'`` (``ceil(W/S)``) and ``'valid'``, stride,
dilation; the ResNet-50 stem; where TensorFlow's ``'same'`` puts its padding."""

from __future__ import annotations

import random
from typing import Any

from .. import formulas as F
from .. import witness as W
from .base import (
    POOL_CLASS,
    Redraw,
    article,
    choice,
    fmt,
    fmt_shape,
    generator,
    numeric,
    numeric_choice,
    one_per_trap,
    pick,
    shape,
    topic,
)

TOPIC = topic(
    "output_size",
    "Output size",
    "Spatial output size of convs and pools: explicit padding P, Keras 'same' (ceil(W/S)) and 'valid', stride and "
    "dilation; the ResNet-50 stem; TensorFlow's asymmetric 'same' padding.",
)

Layer = dict[str, Any]

# traps a layer can trigger, in the order they are tried
LAYER_TRAPS = (
    "same_as_valid",
    "padding_once",
    "padding_ignored",
    "ignored_dilation",
    "dilation_as_k_times_d",
    "pool_default_stride_1",
    "output_ignored_stride",
    "same_floor_not_ceil",
    "output_forgot_plus_one",
)


def _conv(k: int, s: int = 1, pad: str | int = "valid", d: int = 1, f: int = 32) -> Layer:
    return {"op": "conv", "k": k, "s": s, "pad": pad, "d": d, "f": f, "dflt": False}


def _pool(kind: str, k: int, s: int | None = None, pad: str | int = "valid") -> Layer:
    return {"op": kind, "k": k, "s": k if s is None else s, "pad": pad, "d": 1, "f": 0, "dflt": s is None}


# ------------------------------------------------------------------ arithmetic (one axis)


def _applies(trap: str, lay: Layer, w: int) -> bool:
    pad, s, d = lay["pad"], lay["s"], lay["d"]
    if trap == "same_as_valid":
        return pad in ("same", "valid")
    if trap == "padding_once":
        return (isinstance(pad, int) and pad > 0) or (pad == "same" and s == 1 and d * (lay["k"] - 1) % 2 == 0)
    if trap == "padding_ignored":
        return isinstance(pad, int) and pad > 0
    if trap in ("ignored_dilation", "dilation_as_k_times_d"):
        return d > 1
    if trap == "pool_default_stride_1":
        return lay["dflt"] and s > 1
    if trap == "output_ignored_stride":
        return s > 1 and not lay["dflt"]
    if trap == "same_floor_not_ceil":
        return pad == "same" and w % s != 0
    if trap == "output_forgot_plus_one":
        return pad != "same"
    if trap == "forgot_floor":
        return pad != "same" and (w - F.effective_kernel(lay["k"], d) + 2 * _p(pad)) % s != 0
    return False


def _p(pad: str | int) -> int:
    return 0 if isinstance(pad, str) else pad


def _side(lay: Layer, w: int, trap: str | None = None) -> int | float | None:
    """Output size along one axis of ``w`` input pixels; with ``trap``, the value that slip gives (None: no output).

    Plain arithmetic on the hot path; the tests check it against :func:`formulas.output_size` and the trap
    functions of :mod:`quizbank.traps` (``output_forgot_floor``, ``output_padding_once``, …)."""
    k, s, pad, d = lay["k"], lay["s"], lay["pad"], lay["d"]
    if trap == "same_as_valid":
        pad = "valid" if pad == "same" else "same"
    elif trap == "ignored_dilation":
        d = 1
    elif trap == "dilation_as_k_times_d":
        k, d = k * d, 1
    elif trap in ("pool_default_stride_1", "output_ignored_stride"):
        s = 1
    elif trap == "padding_ignored":
        pad = 0
    elif trap == "padding_once" and pad == "same":  # the (K_eff − 1)/2 of stride-1 'same' added on one side only
        pad = d * (k - 1) // 2
    if pad == "same":
        return w // s if trap == "same_floor_not_ceil" else -(-w // s)
    p = 0 if pad == "valid" else pad
    span = w - (d * (k - 1) + 1) + (p if trap == "padding_once" else 2 * p)
    if span < 0:
        return None
    if trap == "forgot_floor":
        return span / s + 1
    return span // s + (0 if trap == "output_forgot_plus_one" else 1)


def _chain(layers: list[Layer], w: int, trap: str | None = None, at: int = -1) -> int | float | None:
    for i, lay in enumerate(layers):
        v = _side(lay, w, trap if i == at else None)
        if v is None or v < 1:
            return None
        if i < len(layers) - 1 and not float(v).is_integer():
            return None
        w = v  # type: ignore[assignment]
    return w


def _sizes(layers: list[Layer], w: int) -> list[int]:
    sizes = [w]
    for lay in layers:
        sizes.append(_side(lay, sizes[-1]))  # type: ignore[arg-type]
    return sizes


def _trap_value(layers: list[Layer], w: int, sizes: list[int], trap: str) -> int | float | None:
    """The chain's output with ``trap`` applied at the first layer it fits (a forgotten floor: the last layer only)."""
    if trap == "forgot_floor":
        last = len(layers) - 1
        return _chain(layers, w, trap, last) if _applies(trap, layers[last], sizes[last]) else None
    for i, lay in enumerate(layers):
        if _applies(trap, lay, sizes[i]):
            return _chain(layers, w, trap, i)
    return None


def _chain_traps(layers: list[Layer], w: int) -> list[tuple[str, Any]]:
    sizes = _sizes(layers, w)
    # a forgotten floor comes last: diagnose matches non-integer traps with a tolerance, integer ones exactly
    out = [(t, _trap_value(layers, w, sizes, t)) for t in (*LAYER_TRAPS, "forgot_floor")]
    return [(t, v) for t, v in out if v is not None]


def _key(layers: list[Layer], w: int) -> int:
    """The answer, by :func:`formulas.output_size` layer by layer."""
    for lay in layers:
        try:
            w = F.output_size(w, lay["k"], lay["s"], lay["pad"], lay["d"])
        except ValueError:
            raise Redraw from None
    return w


# ------------------------------------------------------------------ text, witness, explanation


def _args(lay: Layer, first: str | None) -> str:
    a = [first] if first else []
    a.append(str(lay["k"]))
    if not lay["dflt"] and (lay["s"] != 1 or lay["op"] != "conv"):
        a.append(f"strides={lay['s']}")
    if isinstance(lay["pad"], str) and (lay["op"] == "conv" or lay["pad"] != "valid"):
        a.append(f"padding='{lay['pad']}'")
    if lay["d"] > 1:
        a.append(f"dilation_rate={lay['d']}")
    return ", ".join(a)


def _text(lay: Layer) -> str:
    cls = "Conv2D" if lay["op"] == "conv" else POOL_CLASS[lay["op"]]
    call = f"`{cls}({_args(lay, str(lay['f']) if lay['op'] == 'conv' else None)})`"
    if isinstance(lay["pad"], int):
        return f"`ZeroPadding2D({lay['pad']})` then {call} (explicit $P={lay['pad']}$ on every side, then 'valid')"
    return call


def _keras(lay: Layer, filters: int | None = None) -> list[dict[str, Any]]:
    pad = lay["pad"]
    out = [W.zero_pad2d(pad)] if isinstance(pad, int) and pad > 0 else []
    kpad = "valid" if isinstance(pad, int) else pad
    if lay["op"] == "conv":
        f = lay["f"] if filters is None else filters
        out.append(W.conv2d(f, lay["k"], strides=lay["s"], padding=kpad, dilation=lay["d"]))
    else:
        out.append(W.pool2d(lay["op"], lay["k"], strides=lay["s"], padding=kpad))
    return out


def _keras_chain(layers: list[Layer], filters: int | None = None) -> list[dict[str, Any]]:
    return [x for lay in layers for x in _keras(lay, filters)]


def _side_witness(layers: list[Layer], w: int, key: int) -> Any:
    return W.probe("output_dim", expect=key, input_shape=[w, w, 1], layers=_keras_chain(layers, 1))


def _step(lay: Layer, w: int, o: int) -> str:
    """A worked line for one layer along one axis (``o`` is its output size)."""
    k, s, pad, d = lay["k"], lay["s"], lay["pad"], lay["d"]
    keff = d * (k - 1) + 1
    kef = f" (dilated: $K_{{eff}} = {d}\\cdot({k}-1)+1 = {keff}$)" if d > 1 else ""
    if pad == "same":
        return (
            f"'same': $\\lceil W/S \\rceil = \\lceil {w}/{s} \\rceil = {o}$ (TF pads whatever is needed; "
            f"$K$ does not enter){kef}"
        )
    p = _p(pad)
    span = w - keff + 2 * p
    how = "'valid', $P=0$" if pad == "valid" else f"$P={p}$"
    return (
        f"{how}{kef}: $\\lfloor ({w} - {keff} + 2\\cdot{p})/{s} \\rfloor + 1 = \\lfloor {span}/{s} \\rfloor + 1 = {o}$"
    )


def _explain_chain(layers: list[Layer], w: int, axis: str = "") -> tuple[str, int]:
    lines = []
    for lay in layers:
        o = F.output_size(w, lay["k"], lay["s"], lay["pad"], lay["d"])
        lines.append(f"- {_text(lay)}{axis}: {_step(lay, w, o)}.")
        w = o
    return "\n".join(lines), w


FORMULA = (
    "$O = \\lfloor (W - K_{eff} + 2P)/S \\rfloor + 1$ with $K_{eff} = d(K-1)+1$; Keras 'valid' is $P=0$, "
    "Keras 'same' gives $O = \\lceil W/S \\rceil$."
)


# ------------------------------------------------------------------ draws


def _pad_for(rng: random.Random, k: int, difficulty: int) -> str | int:
    r = rng.random()
    if r < 0.3:
        return "valid"
    if r < 0.55:
        return "same"
    return rng.randint(1, max(1, (k - 1) // 2 + (1 if difficulty > 1 else 0)))


def _draw_side(rng: random.Random, difficulty: int) -> tuple[list[Layer], int]:
    """A chain of one or two layers and the input side."""
    if difficulty == 1:
        form = pick(rng, ("conv", "conv", "conv_s2", "pool"))
        w = pick(rng, (28, 32, 56, 64, 100, 112, 128, 224))
        if form == "conv":
            k = pick(rng, (3, 5, 7))
            return [_conv(k, 1, _pad_for(rng, k, 1))], w
        if form == "conv_s2":
            k = pick(rng, (3, 5))
            return [_conv(k, 2, pick(rng, ("valid", "same", (k - 1) // 2)))], w + rng.randint(0, 1)
        return [_pool(pick(rng, ("max", "avg")), 2)], w + rng.randint(0, 1)
    if difficulty == 2:
        form = pick(rng, ("conv", "conv", "pool", "stem", "chain"))
        w = rng.randint(15, 260)
        if form == "conv":
            k = pick(rng, (1, 3, 5, 7, 11))
            return [_conv(k, pick(rng, (2, 3, 4)), _pad_for(rng, k, 2))], w
        if form == "pool":
            k = pick(rng, (2, 3))
            if rng.random() < 0.3:
                return [_pool(pick(rng, ("max", "avg")), k)], w
            return [_pool(pick(rng, ("max", "avg")), k, pick(rng, (1, 2, 3)), pick(rng, ("same", "valid", 1)))], w
        if form == "stem":
            return [_conv(7, 2, 3, f=64)], pick(rng, (224, 256, 192, 160, 227, 299, 320))
        k = pick(rng, (3, 5, 7))
        conv = _conv(k, pick(rng, (1, 2)), _pad_for(rng, k, 2))
        return [conv, _pool("max", pick(rng, (2, 3)), 2, pick(rng, ("same", "valid")))], w
    form = pick(rng, ("dilated", "dilated", "even", "chain"))
    w = rng.randint(17, 200)
    if form == "dilated":
        k, d = pick(rng, (3, 5)), pick(rng, (2, 3, 4, 6))
        return [_conv(k, 1, pick(rng, ("valid", "same", rng.randint(1, d * (k - 1) // 2 + 1))), d)], w
    if form == "even":
        k = pick(rng, (2, 4, 6))
        return [_conv(k, pick(rng, (1, 2, 3)), pick(rng, ("same", "valid", rng.randint(1, k // 2))))], w
    k, d = 3, pick(rng, (2, 3, 4))
    conv = _conv(k, 1, pick(rng, ("valid", rng.randint(1, d))), d)
    return [
        conv,
        _pool(pick(rng, ("max", "avg")), pick(rng, (2, 3)), pick(rng, (2, 3)), pick(rng, ("valid", "same"))),
    ], w


def _numeric_choice(rng: random.Random, **kw: Any) -> dict[str, Any]:
    """Four options when the traps give three distinct distractors, else three."""
    try:
        return numeric_choice(rng, n_options=4, **kw)
    except Redraw:
        return numeric_choice(rng, n_options=3, **kw)


def _side_question(rng: random.Random, difficulty: int) -> tuple[dict[str, Any], int, list[tuple[str, Any]], str, str]:
    layers, w = _draw_side(rng, difficulty)
    key = _key(layers, w)
    traps = _chain_traps(layers, w)
    listing = "\n".join(f"{i + 1}. {_text(lay)}" for i, lay in enumerate(layers))
    what = "this layer" if len(layers) == 1 else "these layers, applied in order"
    stem = (
        f"{article(str(w)).capitalize()} {w}×{w} feature map goes through {what}:\n\n{listing}\n\n"
        "What is the height (= width) of the output? (Padding is exactly as written: Keras 'same'/'valid', or an "
        "explicit `ZeroPadding2D`.)"
    )
    steps, _ = _explain_chain(layers, w)
    expl = f"{FORMULA}\n\n{steps}\n\nThe output is {key}×{key}."
    params = {"w": w, "layers": layers}
    return params, key, traps, stem, expl


@generator("output_size.side", topic="output_size", title="Output height of convs and pools", kind="numeric", version=2)
def side(rng: random.Random, difficulty: int) -> dict[str, Any]:
    params, key, traps, stem, expl = _side_question(rng, difficulty)
    return numeric(
        stem=stem,
        key=key,
        traps=traps,
        explanation=expl,
        params=params,
        witness=_side_witness(params["layers"], params["w"], key),
    )


@generator("output_size.pick", topic="output_size", title="Pick the output height", kind="choice", version=2)
def pick_side(rng: random.Random, difficulty: int) -> dict[str, Any]:
    params, key, traps, stem, expl = _side_question(rng, difficulty)
    return _numeric_choice(
        rng,
        stem=stem,
        key=key,
        traps=traps,
        explanation=expl,
        params=params,
        witness=_side_witness(params["layers"], params["w"], key),
    )


# ------------------------------------------------------------------ full shapes H×W×C


def _draw_shape(rng: random.Random, difficulty: int) -> tuple[list[Layer], int, int, int]:
    """Layers, H, W, C_in."""
    widths = (8, 16, 32, 64)
    if difficulty == 1:
        k = pick(rng, (3, 5, 7))
        h = pick(rng, (28, 32, 64, 128, 224))
        lay = _conv(k, pick(rng, (1, 1, 2)), pick(rng, ("same", "valid")), f=pick(rng, widths))
        return [lay], h, h, pick(rng, (1, 3))
    if difficulty == 2:
        if rng.random() < 0.35:  # the ResNet-50 stem
            h = pick(rng, (224, 224, 192, 256))
            pool = pick(rng, (_pool("max", 3, 2, "same"), _pool("max", 3, 2, "valid"), _pool("max", 3, 2, 1)))
            return [_conv(7, 2, 3, f=64), pool], h, h, 3
        h = pick(rng, (32, 48, 56, 64, 96, 100, 128))
        k = pick(rng, (3, 5, 7))
        layers = [_conv(k, pick(rng, (1, 2)), _pad_for(rng, k, 2), f=pick(rng, widths))]
        layers.append(pick(rng, (_pool("max", 2), _pool("avg", 2), _pool("max", 3, 2, pick(rng, ("same", "valid"))))))
        if rng.random() < 0.5:
            layers.append(_conv(3, 1, pick(rng, ("same", "valid", 1)), f=pick(rng, widths)))
        return layers, h, h, pick(rng, (1, 3, 8))
    h, w = rng.randint(20, 160), rng.randint(20, 160)
    if h == w:
        raise Redraw
    k, d = pick(rng, (3, 5)), pick(rng, (1, 2, 3, 4))
    layers = [_conv(k, 1, pick(rng, ("valid", "same", rng.randint(1, 2))), d, f=pick(rng, widths))]
    ke = pick(rng, (2, 4, 3))
    layers.append(_conv(ke, pick(rng, (2, 3)), pick(rng, ("same", "valid", 1)), f=pick(rng, widths)))
    if rng.random() < 0.6:
        layers.append(
            _pool(pick(rng, ("max", "avg")), pick(rng, (2, 3)), pick(rng, (None, 2)), pick(rng, ("same", "valid")))
        )
        if layers[-1]["dflt"]:
            layers[-1]["pad"] = "valid"
    return layers, h, w, pick(rng, (1, 3))


def _channels(layers: list[Layer], c: int) -> int:
    for lay in layers:
        if lay["op"] == "conv":
            c = lay["f"]
    return c


@generator("output_size.shape", topic="output_size", title="Output shape H×W×C", kind="shape", version=2)
def out_shape(rng: random.Random, difficulty: int) -> dict[str, Any]:
    layers, h, w, c_in = _draw_shape(rng, difficulty)
    oh, ow = _key(layers, h), _key(layers, w)
    c = _channels(layers, c_in)
    key = [oh, ow, c]
    sh = _sizes(layers, h)
    sw = sh if h == w else _sizes(layers, w)
    traps: list[tuple[str, list[int]]] = []
    for trap in LAYER_TRAPS:
        th = _trap_value(layers, h, sh, trap)
        tw = th if h == w else _trap_value(layers, w, sw, trap)
        th, tw = oh if th is None else th, ow if tw is None else tw
        if float(th).is_integer() and float(tw).is_integer():
            traps.append((trap, [int(th), int(tw), c]))
    if c != c_in:
        traps.append(("channels_from_input", [int(oh), int(ow), c_in]))
    listing = "\n".join(f"{i + 1}. {_text(lay)}" for i, lay in enumerate(layers))
    stem = (
        f"An input of shape {h}×{w}×{c_in} (H×W×C, channels last) goes through:\n\n{listing}\n\n"
        "What is the output shape? Answer as H×W×C (no batch axis)."
    )
    if h == w:
        steps, _ = _explain_chain(layers, h)
    else:
        sh, _ = _explain_chain(layers, h, " (height)")
        sw, _ = _explain_chain(layers, w, " (width)")
        steps = sh + "\n" + sw
    expl = (
        f"{FORMULA}\n\n{steps}\n\nChannels: a conv outputs one channel per filter, pools keep the channels, so "
        f"C = {c}. The output is {fmt_shape(key)}."
    )
    return shape(
        stem=stem,
        key=key,
        traps=traps,
        explanation=expl,
        params={"h": h, "w": w, "c_in": c_in, "layers": layers},
        witness=W.sequential([h, w, c_in], _keras_chain(layers), "output_shape"),
    )


# ------------------------------------------------------------------ the ResNet-50 stem


@generator("output_size.stem", topic="output_size", title="The ResNet-50 stem: conv1 and its max-pool", kind="choice")
def stem(rng: random.Random, difficulty: int) -> dict[str, Any]:
    if difficulty == 1:
        w = pick(rng, (224, 224, 256, 192, 160, 128, 320, 448))
        layers = [_conv(7, 2, 3, f=64)]
        ask = "the side of conv1's output"
    elif difficulty == 2:
        w = pick(rng, (224, 224, 256, 192, 160, 320))
        layers = [_conv(7, 2, 3, f=64), _pool("max", 3, 2, pick(rng, ("same", "valid", "same", 1)))]
        ask = "the side after the max-pool"
    else:
        w = pick(rng, (227, 229, 231, 299, 225, 223, 241, 255))
        conv = _conv(7, 2, pick(rng, ("same", 3)), f=64)
        layers = [conv, _pool("max", 3, 2, pick(rng, ("same", "valid", 1)))]
        ask = "the side after the max-pool"
    key = _key(layers, w)
    traps = _chain_traps(layers, w)
    listing = "\n".join(f"{i + 1}. {_text(lay)}" for i, lay in enumerate(layers))
    stem_text = (
        f"ResNet-50 opens with a 7×7 conv with 64 filters and stride 2 (conv1), followed by a 3×3 max-pool with stride 2. "
        f"Here the stem is written as:\n\n{listing}\n\nFor {article(str(w))} {w}×{w}×3 input, what is {ask}?"
    )
    steps, _ = _explain_chain(layers, w)
    if difficulty == 1:
        note = "On 224 this is ResNet-50's conv1: $\\lfloor (224 - 7 + 6)/2 \\rfloor + 1 = 112$."
    else:
        note = (
            "On 224 the classic stem gives 224 → 112 → 56 with a 'same' pool; a 'valid' pool would give 55, which is "
            "why Keras' ResNet50 pads with `ZeroPadding2D(1)` before its 'valid' max-pool (56 again)."
        )
    return _numeric_choice(
        rng,
        stem=stem_text,
        key=key,
        traps=traps,
        explanation=f"{FORMULA}\n\n{steps}\n\nThe answer is {key}. {note}",
        params={"w": w, "layers": layers},
        witness=_side_witness(layers, w, key),
    )


# ------------------------------------------------------------------ where 'same' puts its zeros


def _split_text(a: int, b: int) -> str:
    return f"{a} before (top/left), {b} after (bottom/right)"


@generator(
    "output_size.same_split",
    topic="output_size",
    title="Where TensorFlow's 'same' puts its padding",
    kind="choice",
    version=2,
)
def same_split(rng: random.Random, difficulty: int) -> dict[str, Any]:
    d = 1
    if difficulty == 1:
        form = pick(rng, ("even", "s2"))
        if form == "even":
            k, s, w = pick(rng, (2, 4, 6)), 1, pick(rng, (8, 10, 16, 28, 32))
        else:
            k, s, w = pick(rng, (3, 5)), 2, pick(rng, (8, 15, 16, 28, 31, 32, 56, 112))
    elif difficulty == 2:
        if rng.random() < 0.3:
            k, s, w = 7, 2, 224
        else:
            k, s, w = pick(rng, (3, 5, 7, 6)), pick(rng, (1, 2)), pick(rng, (16, 20, 28, 32, 56, 64, 112))
    else:
        k, s, w = pick(rng, (2, 3, 4, 5, 6, 7)), pick(rng, (1, 2, 3, 4)), rng.randint(9, 40)
        if s == 1 and k % 2 == 0 and rng.random() < 0.5:
            d = pick(rng, (3, 5))
    keff = F.effective_kernel(k, d)
    a, b = F.same_pad_total(w, k, s, d)
    o = F.output_size(w, k, s, "same", d)
    total = a + b
    half = (keff - 1) / 2
    hi = -(-(keff - 1) // 2)
    unstrided = keff - 1  # the total a stride-1 'same' would need
    distractors: list[tuple[str, str]] = [
        ("same_pad_extra_first", _split_text(b, a)),
        ("same_pad_symmetric", _split_text(hi, hi)),
        ("same_pad_ignores_stride", _split_text(unstrided // 2, unstrided - unstrided // 2)),
    ]
    if total > 0:
        distractors.append(("same_as_valid", _split_text(0, 0)))
    distractors = [e for e in one_per_trap(rng, distractors, 4) if e[1] != _split_text(a, b)]
    layer = f"`Conv2D(8, {k}, strides={s}, padding='same'{f', dilation_rate={d}' if d > 1 else ''})`"
    stem_text = (
        f"{layer} is applied to {article(str(w))} {w}×{w}×3 input in Keras (TensorFlow backend). How many zero rows does 'same' add "
        "above and below the input (the columns are padded alike)?"
    )
    kef = f"Dilated: $K_{{eff}} = {d}\\cdot({k}-1)+1 = {keff}$. " if d > 1 else ""
    expl = (
        f"'same' makes $O = \\lceil W/S \\rceil = \\lceil {w}/{s} \\rceil = {o}$. {kef}The total padding needed is "
        f"$\\max((O-1)S + K_{{eff}} - W, 0) = \\max({o - 1}\\cdot{s} + {keff} - {w}, 0) = {total}$; TensorFlow puts "
        f"$\\lfloor {total}/2 \\rfloor = {a}$ before and the remaining {b} after (an odd extra row goes to the bottom/right). "
        f"The symmetric $(K_{{eff}}-1)/2 = {fmt(half)}$ per side holds only for odd $K_{{eff}}$ at stride 1 — PyTorch's "
        "explicit padding is symmetric, which is why Keras' ResNet50 writes `ZeroPadding2D(3)` + a 'valid' 7×7/2 conv "
        "instead of 'same' (which would pad 2 + 3 on 224)."
    )
    return choice(
        rng,
        stem=stem_text,
        correct=_split_text(a, b),
        distractors=distractors,
        explanation=expl,
        params={"w": w, "k": k, "s": s, "d": d},
        witness=W.probe("same_padding_split", expect=[a, b], w=w, k=k, s=s, d=d),
        correct_feedback="Right: TF splits the total floor/ceil, the extra row at the bottom/right.",
    )
