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
            # one entry a line: in a row the three entries are wider than the map, and side by side the schedules'
            # legends ran into each other and off the page
            color=alt.Color("kind:N", scale=scale, legend=alt.Legend(title=None, orient="bottom", columns=1)),
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


# ------------------------------------------------------------------ gradient RF of a whole model (zoo or your own)

ZOO_SIDE = 128  # zoo models are measured on inputs at most this wide: the gradient of a 224-px VGG takes seconds
MAP_CELLS = 48  # the heat map bins the input to at most this many cells a side


@dataclass(frozen=True)
class LayerMap:
    """The input gradient of the centre unit of one layer (models.measure.gradient_map), with the inspector's RF of
    that layer for comparison."""

    layer: str
    side: tuple[int, int]  # the input's height and width
    grad: Any  # 2D float array over the input: each input's share of the unit
    rf: int  # models.inspect's RF of the layer (first axis)
    measured: list[int]  # extent of the non-zero gradient per axis (models.measure.receptive_field's rule)
    box: tuple[int, int, int, int]  # theoretical RF box (row0, col0, row1, col1; end exclusive), clipped to the input

    @property
    def clipped(self) -> bool:
        """The theoretical RF is wider than the input: the measurement can only reach the input's edges."""
        return self.rf > min(self.side)


def spatial_layers(summary: Any, names: list[str]) -> list[tuple[str, int, bool]]:
    """(layer, RF, sees the whole input) of the model's 2D feature maps where the RF grows (the layers worth
    measuring), in graph order; only top-level layers of ``names`` (a nested model's layers cannot be cut out). The
    flag is models.inspect's: a gate such as squeeze-and-excitation mixes in a global pool of the whole input."""
    top, out, last = set(names), [], 0
    for r in summary.layers:
        if r.receptive_field is None or len(r.output_shape) != 3 or r.name not in top:
            continue
        rf = int(r.receptive_field[0])
        if rf > last:
            out.append((r.name, rf, bool(r.whole_input)))
            last = rf
    return out


def default_layer(layers: list[tuple[str, int, bool]], side: int) -> int:
    """The index of the deepest layer whose RF fits inside the input with no global gate (the measurement can then
    match the theory), else the last layer."""
    fits = [i for i, (_, rf, whole) in enumerate(layers) if rf <= side and not whole]
    return fits[-1] if fits else len(layers) - 1


def layer_map(model: Any, layer: str, rf: int) -> LayerMap:
    """Measure the centre unit of ``layer`` on a live model (the model cut at that layer)."""
    import numpy as np

    from models import measure as M
    from models._keras import keras

    cut = keras.Model(model.inputs, model.get_layer(layer).output, name=f"{model.name}_to_{layer}")
    grad = M.gradient_map(cut)
    support = grad > 0
    spans = [np.nonzero(support.any(axis=1 - a))[0] for a in (0, 1)]
    measured = [int(s.max() - s.min() + 1) if s.size else 0 for s in spans]
    h, w = grad.shape
    box = []
    for s, n in zip(spans, (h, w), strict=True):
        centre = (int(s.min()) + int(s.max())) / 2 if s.size else (n - 1) / 2
        lo = round(centre - (rf - 1) / 2)
        box.append((max(lo, 0), min(lo + rf, n)))
    return LayerMap(layer, (h, w), grad, rf, measured, (box[0][0], box[1][0], box[0][1], box[1][1]))


def map_cells(m: LayerMap, cells: int = MAP_CELLS) -> list[dict[str, Any]]:
    """Heat-map data: the input binned to at most ``cells`` a side (``row``/``col`` in input pixels, ``size`` the
    bin's side), each bin's largest gradient share as ``log10`` of its ratio to the unit's largest share
    (``None`` where no input of the bin reaches the unit)."""
    import numpy as np

    h, w = m.side
    b = max(1, -(-max(h, w) // cells))
    top = float(m.grad.max()) or 1.0
    out = []
    for y in range(0, h, b):
        for x in range(0, w, b):
            v = float(m.grad[y : y + b, x : x + b].max())
            out.append({"row": y, "col": x, "size": b, "share": round(float(np.log10(v / top)), 2) if v > 0 else None})
    return out


def map_chart(m: LayerMap, title: str, size: int = 300) -> alt.HConcatChart:
    """The gradient heat map (log scale: the effective RF is far narrower than the theoretical one) with the
    theoretical RF box drawn over it (wrapped in a one-panel concat: Streamlit keeps a concat's declared height)."""
    h, w = m.side
    x = alt.X("col:Q", scale=alt.Scale(domain=[0, w], nice=False), axis=alt.Axis(title="input column (px)"))
    y = alt.Y("row:Q", scale=alt.Scale(domain=[0, h], nice=False, reverse=True), axis=alt.Axis(title="row (px)"))
    import pandas as pd

    # a data frame, not inline values: Altair validates inline rows one by one, Streamlit ships a frame as Arrow
    heat = (
        alt.Chart(pd.DataFrame(map_cells(m)), title=title)
        .transform_filter("datum.share != null")
        .transform_calculate(col2="datum.col + datum.size", row2="datum.row + datum.size")
        .mark_rect()
        .encode(
            x=x,
            x2="col2:Q",
            y=y,
            y2="row2:Q",
            color=alt.Color(
                "share:Q",
                scale=alt.Scale(scheme="viridis"),
                legend=alt.Legend(title="log10 share (0 = largest)", orient="bottom", gradientLength=200),
            ),
            tooltip=["row:Q", "col:Q", "share:Q"],
        )
    )
    r0, c0, r1, c1 = m.box
    box = (
        alt.Chart(alt.Data(values=[{"row": r0, "col": c0, "row2": r1, "col2": c1, "what": f"theoretical RF {m.rf}"}]))
        .mark_rect(fill=None, stroke="#d62728", strokeWidth=2.5, strokeDash=[6, 3])
        .encode(x=x, x2="col2:Q", y=y, y2="row2:Q", tooltip=["what:N"])
    )
    return alt.hconcat(alt.layer(heat, box).properties(width=size, height=round(size * h / w)))


def zoo_rf_model(name: str) -> tuple[Any, str]:
    """The zoo model ``name`` without its head, on a square input at most :data:`ZOO_SIDE` wide, for the gradient
    heat map, and a sentence saying on what input it is measured; ``(None, why)`` for models that are not 2D."""
    from models import registry
    from models.facts import get as variant

    shape = tuple(variant(name).input_shape)
    if len(shape) != 3:
        return None, "The heat map is drawn for 2D image models; this one is not (its RF curve above still holds)."
    side = min(int(shape[0]), ZOO_SIDE)
    model = registry.get(name, include_top=False, input_shape=(side, side, int(shape[2])))
    if side < shape[0]:
        return model, (
            f"Measured on a {side}×{side} input instead of {shape[0]}×{shape[1]} (the gradient of the full size takes "
            f"seconds): a layer whose RF is wider than {side} px reaches the input's edges, so the box is clipped."
        )
    return model, f"Measured on the model's own {side}×{side} input."
