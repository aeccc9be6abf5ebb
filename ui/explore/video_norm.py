"""Video and normalisation: I3D's inflation of a 2D kernel (copied T times along time, divided by T) with the
boring-video check run live (models.measure), and which axes Batch/Layer/Instance/Group norm average over."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt
import numpy as np

from quizbank import formulas as F


def inflate(kernel_2d: np.ndarray, t: int, *, divide: bool = True) -> np.ndarray:
    """(kh, kw, C_in, C_out) → (T, kh, kw, C_in, C_out): each time slice is the 2D kernel, divided by T
    (:func:`quizbank.formulas.i3d_inflate`) unless ``divide`` is False."""
    flat = F.i3d_inflate(kernel_2d.ravel().tolist(), t) if divide else kernel_2d.ravel().tolist()
    one = np.asarray(flat, "float32").reshape(kernel_2d.shape)
    return np.repeat(one[None], t, axis=0)


@dataclass(frozen=True)
class Inflation:
    kernel_2d: np.ndarray
    kernel_3d: np.ndarray
    ratio: float  # measured: Conv3D(boring video) / Conv2D(image)
    ratio_without_division: float
    expected: float  # quizbank.formulas.i3d_boring_factor
    expected_without_division: float


def inflation(t: int, k: int = 3, seed: int = 0) -> Inflation:
    """A random 2D kernel inflated to T frames, and the boring-video ratios measured on live Keras layers."""
    from models import measure

    rng = np.random.default_rng(seed)
    w2 = rng.normal(size=(k, k, 1, 1)).astype("float32")
    image = rng.normal(size=(1, 12, 12, 1)).astype("float32")
    w3 = inflate(w2, t)
    return Inflation(
        w2,
        w3,
        measure.boring_video(w2, w3, image).ratio,
        measure.boring_video(w2, inflate(w2, t, divide=False), image).ratio,
        F.i3d_boring_factor(t),
        F.i3d_boring_factor(t, divide=False),
    )


KERNEL_COLUMNS = 3  # frames per row: three 100-px panels fit a phone, T up to 7 wraps onto more rows


def kernel_cells(kernel_3d: np.ndarray) -> list[dict[str, Any]]:
    return [
        {"frame": f"t={f}", "row": r, "col": c, "value": round(float(kernel_3d[f, r, c, 0, 0]), 4)}
        for f in range(kernel_3d.shape[0])
        for r in range(kernel_3d.shape[1])
        for c in range(kernel_3d.shape[2])
    ]


def kernel_chart(kernel_3d: np.ndarray, title: str) -> alt.Chart:
    base = alt.Chart(alt.Data(values=kernel_cells(kernel_3d))).encode(
        x=alt.X("col:O", axis=None), y=alt.Y("row:O", axis=None)
    )
    rect = base.mark_rect().encode(
        color=alt.Color("value:Q", scale=alt.Scale(scheme="redblue", domainMid=0, reverse=True), legend=None)
    )
    text = base.mark_text(fontSize=9).encode(text=alt.Text("value:Q", format=".2f"))
    return (
        (rect + text)
        .properties(width=100, height=100)
        .facet(
            facet=alt.Facet("frame:N", title=title, sort=None),
            columns=KERNEL_COLUMNS,
            data=alt.Data(values=kernel_cells(kernel_3d)),
        )
    )


def inflation_latex(t: int) -> str:
    """The inflated kernel and why a boring video answers as the image did, on two lines: one line ran past a
    phone's width."""
    return (
        r"\begin{aligned} w_{3D}[t] &= \frac{w_{2D}}{T} \\ "
        rf"\sum_{{t=1}}^{{{t}}} w_{{3D}}[t] * x &= \sum_{{t=1}}^{{{t}}} \frac{{w_{{2D}} * x}}{{{t}}} = w_{{2D}} * x"
        r" \end{aligned}"
    )


# ------------------------------------------------------------------ normalisation axes

KINDS = {
    "BatchNorm": ("batch", False),
    "LayerNorm (textbook: H, W, C)": ("layer", False),
    "LayerNorm (Keras default axis=-1)": ("layer", True),
    "InstanceNorm": ("instance", False),
    "GroupNorm": ("group", False),
}


def norm_cells(kind: str, n: int, h: int, w: int, c: int, groups: int = 2) -> list[dict[str, Any]]:
    """Every element of an (N, H, W, C) tensor, marked when it shares one mean/variance with element (0, 0, 0, 0):
    the set :func:`quizbank.formulas.norm_axes` reduces over (a group's channels for GroupNorm)."""
    name, keras_default = KINDS[kind]
    axes = set(F.norm_axes(name, 4, keras_default=keras_default))
    per_group = c // groups
    cells = []
    for i in range(n):
        for y in range(h):
            for x in range(w):
                for ch in range(c):
                    idx = (i, y, x, ch)
                    same = all(a in axes or idx[a] == 0 for a in range(4))
                    if name == "group":
                        same = same and ch < per_group
                    cells.append({"sample": i, "channel": ch, "pixel": y * w + x, "shared": same})
    return cells


def norm_numbers(kind: str, n: int, h: int, w: int, c: int, groups: int = 2) -> dict[str, Any]:
    """Values per mean/variance, how many means, and the layer's parameters (quizbank.formulas)."""
    name, keras_default = KINDS[kind]
    axes = F.norm_axes(name, 4, keras_default=keras_default)
    sizes = (n, h, w, c)
    per = int(np.prod([sizes[a] for a in axes]))
    if name == "group":
        per //= groups
    total = n * h * w * c
    params: Any
    if name == "batch":
        trainable, counted = F.batchnorm_params(c)
        params = f"{trainable} trainable, {counted} counted (with the moving mean and variance)"
    elif name == "layer":
        params = F.layernorm_params(c)
    elif name == "group":
        params = F.groupnorm_params(c, groups)
    else:
        params = F.groupnorm_params(c, c)  # InstanceNorm is GroupNorm with one channel per group
    return {"axes": axes, "values per statistic": per, "statistics": total // per, "parameters": params}


def norm_chart(cells: list[dict[str, Any]], title: str | list[str]) -> alt.Chart:
    """One panel per sample; ``title`` may be a list of lines (a long one would widen the chart past a phone)."""
    return (
        alt.Chart(alt.Data(values=cells), title=title)
        .mark_rect(stroke="#fff", strokeWidth=0.5)
        .encode(
            x=alt.X("channel:O", title="channel C"),
            y=alt.Y("pixel:O", title="pixel (H·W)"),
            color=alt.Color(
                "shared:N",
                scale=alt.Scale(domain=[True, False], range=["#d62728", "#dbe4f0"]),
                legend=alt.Legend(title="one mean/var", orient="bottom"),
            ),
            column=alt.Column("sample:O", title="sample N"),
        )
        .properties(width=110, height=110)
    )
