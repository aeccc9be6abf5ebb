"""Convolution arithmetic, frame by frame: where each output's kernel taps land on the (padded) input.

Padding follows Keras: an explicit ``P`` pads ``P`` on both sides; ``valid`` pads nothing; ``same`` pads
:func:`quizbank.formulas.same_pad_total` (the extra on the bottom/right, as TensorFlow does); ``causal`` (Conv1D) pads
``K_eff − 1`` on the left only. Output sizes are :func:`quizbank.formulas.output_size`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt

from quizbank import formulas as F

Padding = int | str

# the cell kinds a frame draws, in legend order, with their colours
KINDS: dict[str, str] = {
    "input": "#e8eef7",
    "zero padding": "#ffffff",
    "tap on input": "#1f77b4",
    "tap on padding": "#ff7f0e",
    "dilation hole": "#f2c14e",
}
MAX_GRID = 24  # wider inputs are drawn as one axis (the arithmetic is per axis)
PLAY_SECONDS = 0.4  # one frame per timer run while the view plays


@dataclass(frozen=True)
class Setup:
    """One convolution along each spatial axis of a square input."""

    w: int
    k: int
    s: int = 1
    padding: Padding = "valid"
    d: int = 1

    @property
    def k_eff(self) -> int:
        return F.effective_kernel(self.k, self.d)

    @property
    def pads(self) -> tuple[int, int]:
        """(before, after) zeros along one axis."""
        if self.padding == "valid":
            return 0, 0
        if self.padding == "same":
            return F.same_pad_total(self.w, self.k, self.s, self.d)
        if self.padding == "causal":
            return self.k_eff - 1, 0
        if isinstance(self.padding, int) and not isinstance(self.padding, bool):
            return self.padding, self.padding
        raise ValueError(f"padding must be 'valid', 'same', 'causal' or an integer, got {self.padding!r}")

    @property
    def out(self) -> int:
        """Output size along one axis (:func:`quizbank.formulas.output_size`)."""
        return F.output_size(self.w, self.k, self.s, self.padding, self.d)

    @property
    def padded(self) -> int:
        before, after = self.pads
        return self.w + before + after


def taps(setup: Setup, o: int) -> list[int]:
    """Padded-input positions (0 = first padding cell) the kernel reads for output position ``o`` along one axis."""
    return [o * setup.s + t * setup.d for t in range(setup.k)]


def frame_positions(setup: Setup, dims: int = 2) -> list[tuple[int, ...]]:
    """Output positions in the order the kernel visits them (row-major)."""
    n = setup.out
    if dims == 1:
        return [(i,) for i in range(n)]
    return [(i, j) for i in range(n) for j in range(n)]


def _kind(pos: int, before: int, w: int) -> str:
    return "input" if before <= pos < before + w else "zero padding"


def frame_cells(setup: Setup, frame: int, dims: int = 2) -> list[dict[str, Any]]:
    """Every cell of the padded input at ``frame``: its row/col (padded coordinates), the input index it holds (None
    on padding) and its kind (input, zero padding, tap on input, tap on padding, dilation hole)."""
    pos = frame_positions(setup, dims)[frame]
    before, _ = setup.pads
    n = setup.padded
    span = [range(p * setup.s, p * setup.s + setup.k_eff) for p in pos]
    tapped = [set(taps(setup, p)) for p in pos]
    rows = range(n) if dims == 2 else range(1)
    cells = []
    for r in rows:
        for c in range(n):
            coords = (r, c) if dims == 2 else (c,)
            base = "input" if all(_kind(x, before, setup.w) == "input" for x in coords) else "zero padding"
            kind = base
            if all(x in sp for x, sp in zip(coords, span, strict=True)):
                if all(x in tp for x, tp in zip(coords, tapped, strict=True)):
                    kind = "tap on input" if base == "input" else "tap on padding"
                else:
                    kind = "dilation hole"
            cells.append(
                {
                    "row": r,
                    "col": c,
                    "kind": kind,
                    "input_index": None if base != "input" else ",".join(str(x - before) for x in coords),
                }
            )
    return cells


def output_cells(setup: Setup, frame: int, dims: int = 2) -> list[dict[str, Any]]:
    """The output grid at ``frame``: cells already computed, the current one, and those still to come."""
    order = frame_positions(setup, dims)
    cur = order[frame]
    out = []
    for idx, pos in enumerate(order):
        state = "current" if pos == cur else ("done" if idx < frame else "to come")
        out.append({"row": pos[0] if dims == 2 else 0, "col": pos[-1], "state": state})
    return out


def _grid(cells: list[dict[str, Any]], color: alt.Color, tooltip: list[str], title: str, size: int) -> alt.Chart:
    return (
        alt.Chart(alt.Data(values=cells), title=title)
        .mark_rect(stroke="#888", strokeWidth=0.5)
        .encode(
            x=alt.X("col:O", axis=None),
            y=alt.Y("row:O", axis=None),
            color=color,
            tooltip=tooltip,
        )
        .properties(width=size, height=size if cells and any(c["row"] for c in cells) else 24)
    )


def frame_chart(setup: Setup, frame: int, dims: int = 2) -> alt.HConcatChart:
    """The padded input with the kernel's taps at ``frame`` next to the output grid."""
    scale = alt.Scale(domain=list(KINDS), range=list(KINDS.values()))
    inp = _grid(
        frame_cells(setup, frame, dims),
        alt.Color("kind:N", scale=scale, legend=alt.Legend(title=None, orient="bottom")),
        ["row:O", "col:O", "kind:N", "input_index:N"],
        f"input {setup.w} + padding {setup.pads[0]}|{setup.pads[1]}",
        min(360, 18 * setup.padded),
    )
    oscale = alt.Scale(domain=["done", "current", "to come"], range=["#9ecae1", "#d62728", "#f7f7f7"])
    outc = _grid(
        output_cells(setup, frame, dims),
        alt.Color("state:N", scale=oscale, legend=alt.Legend(title=None, orient="bottom")),
        ["row:O", "col:O", "state:N"],
        f"output {setup.out}",
        min(240, 18 * setup.out),
    )
    return alt.hconcat(inp, outc).resolve_scale(color="independent")


def formula_latex(setup: Setup) -> str:
    """The output-size formula with this setup's numbers filled in (KaTeX)."""
    w, k, s, d = setup.w, setup.k, setup.s, setup.d
    o = setup.out
    keff = rf"K_{{\text{{eff}}}} = d(K-1)+1 = {d}\cdot({k}-1)+1 = {setup.k_eff}"
    if setup.padding in ("same", "causal"):
        before, after = setup.pads
        where = "before/after" if setup.padding == "same" else "left (causal)"
        return (
            rf"{keff}\\ O = \left\lceil \frac{{W}}{{S}} \right\rceil = \left\lceil \frac{{{w}}}{{{s}}} \right\rceil"
            rf" = {o}\\ P_{{\text{{total}}}} = \max((O-1)S + K_{{\text{{eff}}}} - W,\ 0) = {before + after}"
            rf"\ \text{{({before}|{after} {where})}}"
        )
    p = setup.pads[0]
    return (
        rf"{keff}\\ O = \left\lfloor \frac{{W - K_{{\text{{eff}}}} + 2P}}{{S}} \right\rfloor + 1"
        rf" = \left\lfloor \frac{{{w} - {setup.k_eff} + 2\cdot{p}}}{{{s}}} \right\rfloor + 1 = {o}"
    )


# ------------------------------------------------------------------ causal dilated Conv1D, as WaveNet stacks it


def wavenet_reach(k: int, dilations: list[int], t: int) -> list[set[int]]:
    """For the output at time ``t`` of a stack of causal ``k``-tap Conv1D layers with these dilations, the time steps
    each level reaches: level 0 is the input, level ``len(dilations)`` the output ``{t}``."""
    levels = [{t}]
    for d in reversed(dilations):
        levels.append({x - i * d for x in levels[-1] for i in range(k) if x - i * d >= 0})
    return levels[::-1]


def wavenet_cells(k: int, dilations: list[int], length: int, t: int | None = None) -> list[dict[str, Any]]:
    """Chart data: one row per level (input, each layer), one column per time step; ``active`` marks the steps the
    output at ``t`` (default the last) depends on."""
    t = length - 1 if t is None else t
    reach = wavenet_reach(k, dilations, t)
    names = ["input", *[f"dilation {d}" for d in dilations]]
    return [
        {"level": lvl, "layer": names[lvl], "time": x, "active": x in reach[lvl]}
        for lvl in range(len(names))
        for x in range(length)
    ]


def wavenet_chart(k: int, dilations: list[int], length: int, t: int | None = None) -> alt.Chart:
    cells = wavenet_cells(k, dilations, length, t)
    order = [c["layer"] for c in cells if c["time"] == 0][::-1]
    return (
        alt.Chart(alt.Data(values=cells))
        .mark_circle(size=90, stroke="#555")
        .encode(
            x=alt.X("time:O", title="time step"),
            y=alt.Y("layer:N", sort=order, title=None),
            color=alt.Color(
                "active:N", scale=alt.Scale(domain=[True, False], range=["#d62728", "#e0e0e0"]), legend=None
            ),
            tooltip=["layer:N", "time:O", "active:N"],
        )
        .properties(width=min(640, 14 * length), height=36 * len(dilations) + 36)
    )


def wavenet_rf(k: int, dilations: list[int]) -> int:
    """:func:`quizbank.formulas.wavenet_rf` of one stack."""
    return F.wavenet_rf(k, dilations)
