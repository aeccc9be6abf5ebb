"""Vision Transformers seen as a CNN stem: a P×P conv with stride P cuts the image into (H/P)·(W/P) patch tokens,
plus one CLS token (ViT-B/16 at 224: 196 + 1 = 197), each patch projected by (P·P·C + 1)·D parameters."""

from __future__ import annotations

import random
from typing import Any

from models.facts.vit import CONFIGS as VIT_CONFIGS

from .. import formulas as F
from .. import traps as T
from .. import witness as W
from .base import Redraw, article, fmt, fmt_shape, generator, numeric, numeric_choice, pick, shape, topic, with_article

TOPIC = topic(
    "vit",
    "Vision Transformer patches",
    "ViT's patch embedding as a strided conv: token counts (with the CLS token), shapes and parameters.",
)

# published configurations only (models.facts.vit, with their sources): "ViT-B/16" → width D
CONFIGS = {f"ViT-{name}": cfg["hidden_dim"] for name, cfg in VIT_CONFIGS.items()}


def _config(rng: random.Random, patch: int, sizes: tuple[str, ...] = ("Ti", "S", "B", "L", "H", "g")) -> str:
    """A published ViT with this patch size (a size from ``sizes`` when one is published)."""
    names = [n for n in CONFIGS if n.endswith(f"/{patch}") and n[4:].split("/")[0] in sizes]
    if not names:
        raise Redraw
    return pick(rng, names)


SQUARE = {
    1: ((224, 16), (224, 32), (384, 16), (384, 32)),
    2: ((224, 14), (336, 14), (518, 14), (256, 8), (512, 16), (384, 32), (448, 32), (160, 16), (96, 8)),
}
RECT = ((224, 448, 16), (384, 640, 32), (320, 512, 16), (256, 512, 32), (224, 336, 14), (448, 224, 16), (96, 160, 8))


def _draw_image(rng: random.Random, difficulty: int) -> tuple[int, int, int]:
    if difficulty == 3:
        return pick(rng, RECT)
    side, patch = pick(rng, SQUARE[difficulty])
    return side, side, patch


def _image_text(h: int, w: int) -> str:
    return f"{h}×{w}" if h != w else f"{h}×{h}"


def _token_traps(h: int, w: int, patch: int) -> list[tuple[str, Any]]:
    return [
        ("vit_forgot_cls", F.vit_tokens_hw(h, w, patch, cls=False)),
        ("vit_tokens_not_squared", T.vit_tokens_not_squared(h, w, patch)),
        ("vit_divided_by_p_once", T.vit_divided_by_p_once(h, w, patch)),
    ]


def _token_explanation(h: int, w: int, patch: int, key: int) -> str:
    gh, gw = h // patch, w // patch
    return (
        f"The image is cut into non-overlapping {patch}×{patch} patches: {article(str(h))} ${h}/{patch}\\times{w}/{patch} = "
        f"{gh}\\times{gw}$ grid, ${gh * gw}$ patch tokens. ViT prepends one learnable CLS token (its final state feeds "
        f"the classifier): ${gh * gw} + 1 = {fmt(key)}$ tokens. (ViT-B/16 at 224: 196 + 1 = 197.)"
    )


def _token_stem(rng: random.Random, h: int, w: int, patch: int) -> str:
    name = _config(rng, patch)
    return (
        f"A {name} (patch size {patch}, one CLS token) receives {with_article(_image_text(h, w))} RGB image. How many "
        "tokens enter its transformer encoder?"
    )


@generator("vit.tokens", topic="vit", title="How many ViT tokens?", kind="numeric", version=2)
def tokens(rng: random.Random, difficulty: int) -> dict[str, Any]:
    h, w, patch = _draw_image(rng, difficulty)
    key = F.vit_tokens_hw(h, w, patch)
    return numeric(
        stem=_token_stem(rng, h, w, patch),
        key=key,
        traps=_token_traps(h, w, patch),
        unit="tokens",
        explanation=_token_explanation(h, w, patch, key),
        params={"h": h, "w": w, "patch": patch},
        witness=W.probe("vit_token_count", image_h=h, image_w=w, patch=patch),
    )


@generator("vit.tokens_pick", topic="vit", title="Pick the ViT sequence length", kind="choice", version=2)
def tokens_pick(rng: random.Random, difficulty: int) -> dict[str, Any]:
    h, w, patch = _draw_image(rng, difficulty)
    key = F.vit_tokens_hw(h, w, patch)
    return numeric_choice(
        rng,
        stem=_token_stem(rng, h, w, patch),
        key=key,
        traps=_token_traps(h, w, patch),
        explanation=_token_explanation(h, w, patch, key),
        params={"h": h, "w": w, "patch": patch},
        witness=W.probe("vit_token_count", expect=key, image_h=h, image_w=w, patch=patch),
    )


# ------------------------------------------------------------------ the patch embedding as a strided conv


def _draw_embed(rng: random.Random, difficulty: int, image: tuple[int, int, int] | None = None) -> dict[str, Any]:
    """A published ViT and its input; ``image`` = (H, W, P) fixes a rectangular input and the patch size."""
    if difficulty == 1:
        patch, c = pick(rng, (16, 32)), 3
        name = _config(rng, patch, ("S", "B", "L"))
        bias = True
        side = 224
    elif difficulty == 2:
        patch, c = pick(rng, (8, 14, 16, 32)), 3
        name = _config(rng, patch)
        bias = rng.random() < 0.7
        side = pick(rng, tuple(s for s in (224, 256, 384, 448, 512) if s % patch == 0))
    else:
        patch = pick(rng, (8, 14, 16, 32))
        name = _config(rng, patch)
        c = pick(rng, (1, 4, 6, 13))
        bias = rng.random() < 0.5
        side = pick(rng, tuple(s for s in (112, 224, 256, 336, 384, 448) if s % patch == 0))
    h = w = side
    if image is not None:
        h, w, patch = image
        name = _config(rng, patch)
    model, _ = name.split("/")
    return {"model": model, "dim": CONFIGS[name], "patch": patch, "channels": c, "bias": bias, "h": h, "w": w}


def _check_cost(p: dict[str, Any]) -> None:
    """Keep the live forward pass of the witness light: its MACs are H·W·C·D."""
    if p["h"] * p["w"] * p["channels"] * p["dim"] > 300_000_000:
        raise Redraw


def _embed_layer(p: dict[str, Any]) -> dict[str, Any]:
    return W.conv2d(p["dim"], p["patch"], strides=p["patch"], use_bias=p["bias"])


def _embed_text(p: dict[str, Any]) -> str:
    bias = "" if p["bias"] else ", use_bias=False"
    chans = {1: "a grayscale", 3: "an RGB", 4: "an RGB + near-infrared", 6: "a 6-band", 13: "a 13-band Sentinel-2"}
    return (
        f"{p['model']}/{p['patch']} (width $D = {p['dim']}$) embeds patches with "
        f"`Conv2D({p['dim']}, {p['patch']}, strides={p['patch']}{bias})`, applied to {chans[p['channels']]} image of "
        f"{p['h']}×{p['w']}×{p['channels']}"
    )


@generator("vit.patch_params", topic="vit", title="Parameters of the patch embedding", kind="numeric", version=2)
def patch_params(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw_embed(rng, difficulty)
    pp, c, d, bias = p["patch"], p["channels"], p["dim"], p["bias"]
    key = F.vit_patch_embed_params(pp, c, d, bias=bias)
    n = (p["h"] // pp) * (p["w"] // pp)
    traps: list[tuple[str, Any]] = [
        ("forgot_bias", key - d if bias else key + d),
        ("conv_times_hw", key * n),
        (
            "vit_divided_by_p_once",
            (pp * c + (1 if bias else 0)) * d,
            f"A {pp}×{pp} patch has P·P·C = {pp}·{pp}·{c} = {pp * pp * c} values and each of the D filters has one "
            f"weight per value; P·C = {pp * c} counts only one row of the patch.",
        ),
    ]
    if bias:
        traps.append(("bias_per_input_channel", key - d + c * d))
    b = " + 1" if bias else ""
    return numeric(
        stem=f"{_embed_text(p)}. How many parameters does the patch embedding have?",
        key=key,
        traps=traps,
        explanation=(
            f"Each of the $D = {d}$ filters sees one whole {pp}×{pp}×{c} patch, i.e. a linear projection of the "
            f"flattened patch (${pp}\\cdot{pp}\\cdot{c} = {pp * pp * c}$ values){' plus a bias' if bias else ''}: "
            f"$({pp}\\cdot{pp}\\cdot{c}{b})\\cdot{d} = {fmt(key)}$. The same projection is shared by all {n} patches, "
            "so the image size does not enter."
        ),
        params=p,
        witness=W.sequential([p["h"], p["w"], c], [_embed_layer(p)], "count_params"),
    )


@generator("vit.patch_shape", topic="vit", title="Shape after the patch embedding", kind="shape", version=2)
def patch_shape(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw_embed(rng, difficulty, pick(rng, RECT) if difficulty == 3 else None)
    _check_cost(p)
    pp, c, d = p["patch"], p["channels"], p["dim"]
    gh, gw = p["h"] // pp, p["w"] // pp
    key = [gh, gw, d]
    return shape(
        stem=f"{_embed_text(p)}. What is the output shape of this layer (no batch axis)?",
        key=key,
        traps=[
            ("vit_patch_stride_1", T.vit_patch_stride_1(p["h"], p["w"], pp, d)),
            ("vit_patch_dim_unprojected", [gh, gw, T.vit_patch_dim_unprojected(pp, c)]),
        ],
        explanation=(
            f"{article(str(pp)).capitalize()} {pp}×{pp} kernel with stride {pp} ('valid') visits non-overlapping patches: "
            f"$\\lfloor({p['h']} - {pp})/{pp}\\rfloor + 1 = {gh}$ by $\\lfloor({p['w']} - {pp})/{pp}\\rfloor + 1 = {gw}$. "
            f"Each position holds the patch's $D = {d}$-dimensional embedding: {fmt_shape(key)}. Flattened, these are "
            f"the {gh * gw} patch tokens."
        ),
        params=p,
        witness=W.sequential([p["h"], p["w"], c], [_embed_layer(p)], "output_shape"),
    )


@generator("vit.sequence_shape", topic="vit", title="Shape of the token sequence", kind="shape", version=2)
def sequence_shape(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw_embed(rng, difficulty, pick(rng, RECT) if difficulty == 3 else None)
    _check_cost(p)
    pp, c, d = p["patch"], p["channels"], p["dim"]
    gh, gw = p["h"] // pp, p["w"] // pp
    n = gh * gw
    key = [n + 1, d]
    return shape(
        stem=(
            f"{_embed_text(p)}. The output grid is flattened into a sequence of patch tokens and the learnable CLS "
            "token is prepended. What is the shape of the sequence that enters the transformer (no batch axis)?"
        ),
        key=key,
        traps=[
            ("vit_forgot_cls", [n, d]),
            ("vit_patch_dim_unprojected", [n + 1, T.vit_patch_dim_unprojected(pp, c)]),
            ("vit_tokens_not_squared", [(gh if gh == gw else gh + gw) + 1, d]),
        ],
        explanation=(
            f"The patch conv gives {article(str(gh))} {gh}×{gw}×{d} grid; flattening makes ${gh}\\cdot{gw} = {n}$ tokens of width "
            f"{d}, and the CLS token adds one more: {fmt_shape(key)}. (A learned position embedding of the same shape "
            "is then added; it does not change the shape.)"
        ),
        params=p,
        witness=W.probe("vit_sequence_shape", image_h=p["h"], image_w=p["w"], patch=pp, channels=c, dim=d),
    )
