"""Receptive field: its growth layer by layer (models.inspect on a zoo model or a typed stack), the gradient RF
measured on the input (models.measure) next to the theoretical one, and dilation schedules with their gridding holes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import altair as alt

from quizbank import formulas as F

_TOKEN = re.compile(r"^([cma])(\d{1,2})(?:s(\d))?(?:d(\d{1,2}))?$")
MAX_LAYERS = 24
MAX_MEASURED = 160  # the gradient heat map is measured on inputs up to this side
SCHEDULES: dict[str, list[int]] = {"1, 2, 4": [1, 2, 4], "2, 2, 2": [2, 2, 2], "HDC 1, 2, 5": [1, 2, 5]}


@dataclass(frozen=True)
class Op:
    op: str  # "conv", "max" or "avg"
    k: int
    s: int = 1
    d: int = 1

    @property
    def token(self) -> str:
        return f"{self.op[0]}{self.k}" + (f"s{self.s}" if self.s != 1 else "") + (f"d{self.d}" if self.d != 1 else "")


def parse_stack(text: str) -> list[Op]:
    """``"c3 c3s2 m2s2 c3d2"`` → ops (c/m/a = conv/max/avg pool, then K, optional stride and dilation)."""
    ops = []
    for tok in text.replace(",", " ").split():
        m = _TOKEN.match(tok.strip().lower())
        if m is None:
            raise ValueError(f"{tok!r} is not a layer: write c3, c3s2, c3d2, m2s2 or a3 (op, K, stride, dilation)")
        op = {"c": "conv", "m": "max", "a": "avg"}[m[1]]
        k, s, d = int(m[2]), int(m[3] or 1), int(m[4] or 1)
        if k < 1 or s < 1 or d < 1 or (op != "conv" and d != 1):
            raise ValueError(f"{tok!r}: K, stride and dilation are ≥ 1, and pools take no dilation")
        ops.append(Op(op, k, s, d))
    if not ops:
        raise ValueError("type at least one layer, e.g. c3 c3 m2s2")
    if len(ops) > MAX_LAYERS:
        raise ValueError(f"at most {MAX_LAYERS} layers")
    return ops


def theoretical(ops: list[Op]) -> tuple[int, int]:
    """(RF, jump) of the whole stack by :func:`quizbank.formulas.receptive_field`."""
    return F.receptive_field([F.RFLayer(o.k, o.s, o.d) for o in ops])


def measure_side(ops: list[Op]) -> int:
    """An input side on which the centre output's whole RF fits (valid padding, at least three outputs)."""
    r, j = theoretical(ops)
    return r + 2 * j


def build(ops: list[Op], side: int | None = None) -> Any:
    """A live Keras model of the stack: 2D layers, one channel, ``valid`` padding, named ``l1_conv`` …"""
    from models._keras import keras

    side = measure_side(ops) if side is None else side
    layers: list[Any] = [keras.Input((side, side, 1))]
    for i, o in enumerate(ops, 1):
        name = f"l{i}_{o.op}"
        if o.op == "conv":
            layers.append(keras.layers.Conv2D(1, o.k, strides=o.s, dilation_rate=o.d, name=name))
        elif o.op == "max":
            layers.append(keras.layers.MaxPooling2D(o.k, strides=o.s, name=name))
        else:
            layers.append(keras.layers.AveragePooling2D(o.k, strides=o.s, name=name))
    return keras.Sequential(layers, name="typed_stack")


def growth_rows(summary: Any) -> list[dict[str, Any]]:
    """Per layer with a spatial RF (from :func:`models.inspect.summary`): index, name, type and RF along the first
    axis."""
    rows = []
    for r in summary.layers:
        if r.receptive_field is None or r.class_name == "InputLayer":
            continue
        rows.append({"index": len(rows) + 1, "layer": r.name, "type": r.class_name, "rf": int(r.receptive_field[0])})
    return rows


def growth_chart(rows: list[dict[str, Any]], title: str) -> alt.Chart:
    """RF per layer on a log scale."""
    return (
        alt.Chart(alt.Data(values=rows), title=title)
        .mark_line(point=True, interpolate="step-after")
        .encode(
            x=alt.X("index:Q", title="layer (in graph order)", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("rf:Q", scale=alt.Scale(type="log"), title="receptive field (pixels, log)"),
            tooltip=["layer:N", "type:N", "rf:Q"],
        )
        .properties(width=620, height=280)
    )


@dataclass(frozen=True)
class Measured:
    """The gradient support of the centre output of a live stack, with its theoretical RF box."""

    support: Any  # 2D bool array over the input
    start: int  # first input position of the centre output's theoretical RF (both axes)
    rf: int  # theoretical RF (quizbank.formulas)
    measured: list[int]  # models.measure.receptive_field per axis


def measure(ops: list[Op]) -> Measured:
    """Measure the stack's centre output on a live Keras model (models.measure, gradient of a positive copy)."""
    from models import measure as M

    model = build(ops)
    out = int(model.output_shape[1])
    r, j = theoretical(ops)
    support = M.gradient_support(model)
    spans = [support.any(axis=1 - a).nonzero()[0] for a in (0, 1)]
    extent = [int(s.max() - s.min() + 1) if s.size else 0 for s in spans]
    return Measured(support, (out // 2) * j, r, extent)


def support_cells(m: Measured) -> list[dict[str, Any]]:
    """Heat-map data: each input pixel reaches the centre output, lies in the theoretical RF box but never reaches
    it (a hole), or lies outside."""
    cells = []
    lo, hi = m.start, m.start + m.rf
    for y in range(m.support.shape[0]):
        for x in range(m.support.shape[1]):
            in_box = lo <= y < hi and lo <= x < hi
            kind = "reaches the output" if m.support[y, x] else ("hole in the RF" if in_box else "outside")
            cells.append({"row": y, "col": x, "kind": kind})
    return cells


SUPPORT_COLOURS = {"reaches the output": "#d62728", "hole in the RF": "#f2c14e", "outside": "#f0f0f0"}


def support_chart(cells: list[dict[str, Any]], title: str, size: int = 260) -> alt.HConcatChart:
    """A square heat map (wrapped in a one-panel concat: Streamlit keeps a concat's declared height)."""
    scale = alt.Scale(domain=list(SUPPORT_COLOURS), range=list(SUPPORT_COLOURS.values()))
    return alt.hconcat(
        alt.Chart(alt.Data(values=cells), title=title)
        .mark_rect()
        .encode(
            x=alt.X("col:O", axis=None),
            y=alt.Y("row:O", axis=None),
            color=alt.Color("kind:N", scale=scale, legend=alt.Legend(title=None, orient="bottom")),
            tooltip=["row:O", "col:O", "kind:N"],
        )
        .properties(width=size, height=size)
    )


def schedule_ops(rates: list[int], k: int = 3) -> list[Op]:
    return [Op("conv", k, 1, d) for d in rates]


def schedule_row(name: str, rates: list[int], k: int = 3) -> dict[str, Any]:
    """One dilation schedule's numbers from :mod:`quizbank.formulas`: RF, reached offsets and gridding holes."""
    reach = F.dilated_offsets(rates, k)
    return {
        "schedule": name,
        "rf": max(reach) + 1,
        "reached (1D)": len(reach),
        "holes (1D)": F.gridding_holes(rates, k),
    }


def coverage_cells(rates: list[int], k: int = 3, name: str = "") -> list[dict[str, Any]]:
    """1D coverage strip: every position of the RF, reached or a hole."""
    reach = F.dilated_offsets(rates, k)
    return [{"schedule": name, "offset": x, "reached": x in reach} for x in range(max(reach) + 1)]


def coverage_chart(cells: list[dict[str, Any]]) -> alt.Chart:
    return (
        alt.Chart(alt.Data(values=cells))
        .mark_rect(stroke="#888", strokeWidth=0.5)
        .encode(
            x=alt.X("offset:O", title="input offset inside the RF"),
            y=alt.Y("schedule:N", title=None),
            color=alt.Color(
                "reached:N",
                scale=alt.Scale(domain=[True, False], range=["#d62728", "#f2c14e"]),
                legend=alt.Legend(title="reaches the output", orient="bottom"),
            ),
            tooltip=["schedule:N", "offset:O", "reached:N"],
        )
        .properties(width=620)
    )
