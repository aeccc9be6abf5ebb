"""Audio CNNs: WaveNet's causal dilated Conv1D stacks (RF = 1 + Σ d·(K−1), causality, output lengths) and 2D CNNs
over mel spectrograms (audio as a one-channel image)."""

from __future__ import annotations

import random
from typing import Any

from .. import formulas as F
from .. import traps as T
from .. import witness as W
from ..schema import LayersWitness
from .base import (
    DOTS,
    claims_choice,
    every_nth,
    fmt,
    fmt_shape,
    generator,
    noun,
    numeric,
    numeric_choice,
    pick,
    shape,
    terms,
    topic,
)

TOPIC = topic(
    "audio",
    "Audio CNNs",
    "WaveNet's causal dilated 1D convs (receptive field, causality, lengths) and 2D CNNs over mel spectrograms.",
)


# ------------------------------------------------------------------ WaveNet receptive field


def _draw_wavenet(rng: random.Random, difficulty: int) -> dict[str, Any]:
    if difficulty == 1:
        k, n, stacks = 2, pick(rng, (3, 4, 5, 6, 7)), 1
    elif difficulty == 2:
        k, n, stacks = 2, pick(rng, (4, 5, 6, 7, 8, 9, 10)), pick(rng, (1, 2, 3))
    else:  # a wider kernel or repeated blocks: never the plain single block of difficulty 1
        k, n = pick(rng, (2, 3)), pick(rng, (3, 4, 5, 6, 8, 10))
        stacks = pick(rng, (1, 2, 3, 4) if k == 3 else (2, 3, 4))
    dilations = [2**i for i in range(n)]
    return {"k": k, "n": n, "stacks": stacks, "dilations": dilations}


def _dilations_text(dilations: list[int]) -> str:
    if len(dilations) <= 5:
        return ", ".join(map(str, dilations))
    return f"{dilations[0]}, {dilations[1]}, {dilations[2]}, …, {dilations[-1]}"


def _wavenet_stem(p: dict[str, Any]) -> str:
    rep = "" if p["stacks"] == 1 else f", and this block of {p['n']} layers is repeated **{p['stacks']} times**"
    return (
        f"A WaveNet-style model stacks causal `Conv1D` layers with kernel size $K = {p['k']}$ and dilations "
        f"{_dilations_text(p['dilations'])} (doubling, {p['n']} layers){rep}. What is the receptive field of one output "
        "sample, in input samples?"
    )


def _wavenet_key_traps(p: dict[str, Any]) -> tuple[int, list[tuple[str, Any]]]:
    k, stacks, ds = p["k"], p["stacks"], p["dilations"]
    key = F.wavenet_rf(k, ds, stacks)
    layers = p["n"] * stacks
    per_stack = sum(d * (k - 1) for d in ds)
    sum_d: tuple[Any, ...] = ("wavenet_rf_dilation_sum", T.wavenet_rf_dilation_sum(ds, stacks))
    if k > 2:  # Σd is then a second slip besides the forgotten 1: each tap gap adds (K − 1)·d, not d
        sum_d += (
            f"Each causal layer with K = {k} taps adds (K − 1)·d = {k - 1}·d past samples, not d; with the output "
            f"sample itself: RF = 1 + Σ d·(K − 1) = {fmt(key)}.",
        )
    traps: list[tuple[Any, ...]] = [
        sum_d,
        ("rf_l_times_k", layers * k),
        ("ignored_dilation", 1 + layers * (k - 1)),
    ]
    if stacks > 1:
        traps.insert(
            1,
            (
                "wavenet_stacks_ignored",
                T.wavenet_stacks_ignored(k, ds, stacks),
                f"Each of the {stacks} repeats of the dilations {_dilations_text(ds)} adds its Σ d·(K − 1) = "
                f"{per_stack} again: RF = 1 + {stacks}·{per_stack} = {fmt(key)}, not 1 + {per_stack}.",
            ),
        )
    if k > 2:
        traps.insert(
            1,
            (
                "rf_forgot_one",
                key - 1,
                f"The output sample itself counts once: RF = 1 + Σ d·(K − 1) = {fmt(key)}, not {fmt(key - 1)}.",
            ),
        )
    return key, traps


def _wavenet_explanation(p: dict[str, Any], key: int) -> str:
    k, stacks, ds = p["k"], p["stacks"], p["dilations"]
    s = sum(ds)
    rep = f"{stacks}\\cdot " if stacks > 1 else ""
    return (
        f"Each causal layer with dilation $d$ adds $d\\cdot(K-1)$ past samples; the output sample itself counts once: "
        f"$RF = 1 + {rep}\\sum d\\cdot(K-1) = 1 + {rep}{s}\\cdot{k - 1} = {fmt(key)}$ "
        f"(the dilations ${terms(ds, dots=DOTS)} = {s}$). Doubling dilations make the RF grow exponentially with "
        "depth — one block of 1, 2, …, 512 with $K = 2$ covers 1024 samples."
    )


def _wavenet_witness(p: dict[str, Any], rf: int) -> Any:
    layers = [W.conv1d(1, p["k"], dilation=d) for d in p["dilations"]] * p["stacks"]
    return W.sequential([2 * rf + 2, 1], layers, "receptive_field")


@generator("audio.wavenet_rf", topic="audio", title="WaveNet receptive field", kind="numeric", version=2)
def wavenet_rf(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw_wavenet(rng, difficulty)
    key, traps = _wavenet_key_traps(p)
    return numeric(
        stem=_wavenet_stem(p),
        key=key,
        traps=traps,
        unit="samples",
        explanation=_wavenet_explanation(p, key),
        params=p,
        witness=_wavenet_witness(p, key),
    )


@generator("audio.wavenet_pick", topic="audio", title="Pick WaveNet's receptive field", kind="choice", version=2)
def wavenet_pick(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw_wavenet(rng, difficulty)
    key, traps = _wavenet_key_traps(p)
    return numeric_choice(
        rng,
        stem=_wavenet_stem(p),
        key=key,
        traps=traps,
        explanation=_wavenet_explanation(p, key),
        params=p,
        witness=_wavenet_witness(p, key),
    )


# ------------------------------------------------------------------ causality


@generator("audio.causal", topic="audio", title="Causal dilated convolutions", kind="choice", version=2)
def causal(rng: random.Random, difficulty: int) -> dict[str, Any]:
    k = 2 if difficulty == 1 else pick(rng, (2, 3))
    n = pick(rng, (3, 4, 5) if difficulty < 3 else (6, 8, 10))
    ds = [2**i for i in range(n)]
    p = {"k": k, "dilations": ds}
    feedback = T.get("wavenet_not_causal").feedback
    measured = (
        f"{feedback} Measured: for this stack, $\\partial y_t/\\partial x_{{t'}} = 0$ for every $t' > t$ and "
        "non-zero for some $t' \\le t$."
    )
    causal_witness = W.probe("causal_conv_no_future", expect=True, dilations=ds, k=k, length=128)
    if difficulty == 1:
        return claims_choice(
            rng,
            stem="WaveNet stacks *causal* dilated 1D convolutions. What does 'causal' guarantee?",
            right=[
                "Output $t$ depends only on inputs at times $\\le t$: audio can be generated sample by sample.",
                "No output sees the future: $y_t$ uses only $x_{t'}$ with $t' \\le t$.",
                "Each output is computed from past and present samples only.",
            ],
            wrong=[
                ("wavenet_not_causal", "Output $t$ sees samples on both sides of $t$, centred on it."),
                ("causal_shrinks_output", "Each layer's output is $(K-1)\\cdot d$ samples shorter than its input."),
                ("ignored_dilation", "Each layer sees exactly K consecutive samples, whatever its dilation."),
            ],
            explanation=measured,
            params=p,
            witness=causal_witness,
        )
    if difficulty == 2:
        return claims_choice(
            rng,
            stem=(
                f"A stack of `Conv1D(16, {k}, padding='causal', dilation_rate=d)` for d in ({', '.join(map(str, ds))}) "
                "processes an audio signal. Which statement about output sample $t$ is true?"
            ),
            right=[
                "Its gradient with respect to every input after $t$ is exactly 0.",
                "It depends on no input after $t$: each layer pads only on the left.",
                f"It sees {fmt(F.wavenet_rf(k, ds))} samples, all at times $\\le t$.",
            ],
            wrong=[
                ("wavenet_not_causal", "It also sees future samples, because each kernel is centred on $t$."),
                ("causal_shrinks_output", "It exists only for late t: causal padding drops the first outputs."),
                ("wavenet_uses_pooling", "Its receptive field comes from pooling between the layers."),
                ("rf_l_times_k", f"It sees {len(ds) * k} samples: {len(ds)} layers of {k} taps each."),
            ],
            explanation=measured,
            params=p,
            witness=causal_witness,
        )
    rf = F.wavenet_rf(k, ds)
    plain_rf = n * (k - 1) + 1
    return claims_choice(
        rng,
        stem=(
            f"WaveNet reaches a long context with {n} causal layers, kernel size {k}, dilations "
            f"{_dilations_text(ds)}. Why dilation rather than pooling or plain stacking?"
        ),
        right=[
            f"Doubling rates give {fmt(rf)} samples of context at full time resolution.",
            f"{n} layers reach {fmt(rf)} samples while keeping one output per input sample.",
            f"Context grows exponentially ({fmt(rf)} samples, not {plain_rf}) without losing resolution.",
        ],
        wrong=[
            ("wavenet_uses_pooling", "Pooling would reach the same context at the same time resolution."),
            ("ignored_dilation", f"Dilation keeps the context at {plain_rf} samples; it only saves computation."),
            ("wavenet_not_causal", "Dilated kernels also look ahead in time, which doubles the usable context."),
            ("rf_l_times_k", f"Plain stacking would already give {n * k} samples, as much as dilation."),
        ],
        explanation=(
            f"$RF = 1 + \\sum d\\cdot(K-1) = 1 + {sum(ds)}\\cdot{k - 1} = {fmt(rf)}$ with only {n} layers, against "
            f"$1 + {n}\\cdot{k - 1} = {plain_rf}$ without dilation. "
            f"{T.get('wavenet_uses_pooling').feedback}"
        ),
        params=p,
        witness=LayersWitness(
            quantity="receptive_field",
            input_shape=[2 * rf + 2, 1],
            layers=[W.conv1d(1, k, dilation=d) for d in ds],
            expect=rf,
        ),
    )


# ------------------------------------------------------------------ output lengths with causal padding


@generator("audio.causal_shape", topic="audio", title="Output shape of causal Conv1D stacks", kind="shape", version=2)
def causal_shape(rng: random.Random, difficulty: int) -> dict[str, Any]:
    length = pick(rng, (1000, 1600, 4000, 16000) if difficulty > 1 else (1000, 1600, 4000))
    c_in = pick(rng, (1, 1, 2, 16))
    c = pick(rng, (8, 16, 32))
    k = 2 if difficulty == 1 else pick(rng, (2, 3))
    ds = [1] if difficulty == 1 else [2**i for i in range(pick(rng, (3, 4, 5, 6)))]
    layers = [W.conv1d(c, k, dilation=d, padding="causal") for d in ds]
    key = [length, c]
    valid = length - sum(d * (k - 1) for d in ds)
    traps: list[tuple[str, list[int]]] = [("same_as_valid", [valid, c])]
    desc = (
        f"`Conv1D({c}, {k}, padding='causal')`"
        if len(ds) == 1
        else f"{len(ds)} layers `Conv1D({c}, {k}, padding='causal', dilation_rate=d)` with d = {', '.join(map(str, ds))}"
    )
    expl = (
        f"'causal' pads $(K-1)\\cdot d$ zeros on the left of every layer, so at stride 1 each layer keeps the length: "
        f"{length}. ('valid' would lose $\\sum (K-1)\\cdot d = {length - valid}$ {noun(length - valid, 'sample')}: {valid}.) The channels are the "
        f"last layer's {c} filters."
    )
    p: dict[str, Any] = {"length": length, "c_in": c_in, "filters": c, "k": k, "dilations": ds}
    if difficulty == 3:
        s, c2 = pick(rng, (2, 4)), pick(rng, (16, 64))
        layers.append(W.conv1d(c2, k, strides=s, padding="causal"))
        out = F.output_size(length, k, s, "causal")
        key = [out, c2]
        traps = [
            ("same_as_valid", [F.output_size(valid, k, s, "valid"), c2]),
            ("causal_shrinks_output", [F.output_size(length, k, s, "valid"), c2]),
        ]
        desc += f", then `Conv1D({c2}, {k}, strides={s}, padding='causal')`"
        expl = (
            f"The dilated causal layers keep the length {length} (left padding $(K-1)\\cdot d$). The strided causal "
            f"layer pads $K-1 = {k - 1}$ on the left and keeps {every_nth(s, 'position')}: "
            f"$\\lceil {length}/{s} \\rceil = {out}$, with {c2} channels."
        )
        p.update(stride=s, filters2=c2)
    return shape(
        stem=(
            f"A signal of {length} samples with {c_in} {noun(c_in, 'channel')} (input {length}×{c_in}) goes "
            f"through {desc}. What is the output shape (no batch axis)?"
        ),
        key=key,
        traps=traps,
        explanation=expl,
        params=p,
        witness=W.sequential([length, c_in], layers, "output_shape"),
    )


# ------------------------------------------------------------------ spectrogram CNNs


@generator("audio.spectrogram_shape", topic="audio", title="2D CNN on a mel spectrogram", kind="shape", version=2)
def spectrogram_shape(rng: random.Random, difficulty: int) -> dict[str, Any]:
    mels = pick(rng, (40, 64, 80, 128))
    frames = pick(rng, (101, 128, 313, 431, 500))
    c = pick(rng, (16, 32, 64))
    k = pick(rng, (3, 5) if difficulty < 3 else (3, 5, 7))
    s = 1 if difficulty == 1 else pick(rng, (1, 2) if difficulty == 3 else (2,))
    pad = pick(rng, ("same", "valid"))
    other = "valid" if pad == "same" else "same"
    h, w = F.output_size(mels, k, s, pad), F.output_size(frames, k, s, pad)
    h2, w2 = F.output_size(mels, k, s, other), F.output_size(frames, k, s, other)
    stride_txt = f", strides={s}" if s > 1 else ""
    layers = [W.conv2d(c, k, strides=s, padding=pad)]
    desc = f"`Conv2D({c}, {k}{stride_txt}, padding='{pad}')`"
    key = [h, w, c]
    traps: list[tuple[str, list[int]]] = [
        ("same_as_valid", [h2, w2, c]),
        ("spectrogram_axes_swapped", T.spectrogram_axes_swapped(key)),
    ]
    expl = (
        f"The spectrogram is a one-channel image: height = {mels} mel bins (frequency), width = {frames} frames (time). "
        + (
            f"'same' gives $\\lceil {mels}/{s} \\rceil = {h}$ and $\\lceil {frames}/{s} \\rceil = {w}$"
            if pad == "same"
            else f"'valid' gives $\\lfloor ({mels} - {k})/{s} \\rfloor + 1 = {h}$ and "
            f"$\\lfloor ({frames} - {k})/{s} \\rfloor + 1 = {w}$"
        )
        + f"; the channels are the {c} filters."
    )
    p: dict[str, Any] = {"mels": mels, "frames": frames, "filters": c, "k": k, "stride": s, "padding": pad}
    if difficulty == 3:
        pf, pt = pick(rng, ((2, 2), (2, 4), (4, 2), (1, 2), (2, 1), (4, 1)))
        layers.append(W.layer("MaxPooling2D", pool_size=[pf, pt], strides=[pf, pt], padding="valid"))
        desc += f", then `MaxPooling2D(({pf}, {pt}))`"
        key = [h // pf, w // pt, c]
        traps = [
            ("same_as_valid", [h2 // pf, w2 // pt, c]),
            (
                "spectrogram_axes_swapped",
                [h // pt, w // pf, c],
                f"`MaxPooling2D(({pf}, {pt}))` pools {pf} along the first axis (mel bins) and {pt} along the second "
                f"(frames); applying the pool's sizes the other way round gives {h // pt}×{w // pf}.",
            ),
            ("spectrogram_axes_swapped", T.spectrogram_axes_swapped(key)),
        ]
        expl += (
            f" The pool ({pf}, {pt}) divides the mel axis by {pf} and the time axis by {pt} (floor): "
            f"$\\lfloor {h}/{pf} \\rfloor = {key[0]}$, $\\lfloor {w}/{pt} \\rfloor = {key[1]}$."
        )
        p["pool"] = [pf, pt]
    expl += f" Output {fmt_shape(key)}."
    return shape(
        stem=(
            f"A sound classifier treats a log-mel spectrogram of {mels} mel bins × {frames} frames as a one-channel "
            f"image (input {mels}×{frames}×1) and applies {desc}. What is the output shape (no batch axis)?"
        ),
        key=key,
        traps=traps,
        explanation=expl,
        params=p,
        witness=W.sequential([mels, frames, 1], layers, "output_shape"),
    )
